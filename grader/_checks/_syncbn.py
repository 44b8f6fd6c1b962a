"""Checks for syncbn-stats: ``merge_batch_stats(counts, means, variances) -> (mean, var)``.

Inputs are real shards: data is drawn, split across devices, and each device's count, mean and
biased variance computed here; the expected result is what the reference merges them into.
"""

from __future__ import annotations

import numpy as np

from grader._checks._check import Suite
from grader._checks._inputs import F32, F64


def _shards(
    rng: np.random.Generator,
    sizes: list[int],
    C: int,
    dtype=F64,
    offset: float = 0.0,
    spread: float = 1.0,
):
    counts = np.array(sizes, dtype=np.int64)
    means = np.full((len(sizes), C), np.nan)
    variances = np.full((len(sizes), C), np.nan)
    for k, n in enumerate(sizes):
        if n:
            shift = rng.uniform(-2, 2, C) * spread  # devices differ: the between-device spread
            x = offset + shift + spread * rng.standard_normal((n, C))
            means[k], variances[k] = x.mean(axis=0), x.var(axis=0)
    return counts, means.astype(dtype), variances.astype(dtype)


def syncbn_stats(suite: Suite, rng: np.random.Generator) -> None:
    def case(
        cid: str,
        title: str,
        pts: float,
        sizes: list[int],
        C: int = 5,
        dtype=F64,
        offset: float = 0.0,
        spread: float = 1.0,
    ) -> None:
        c = suite.check(cid, title, pts)
        s = c.scenario
        counts, means, variances = _shards(rng, sizes, C, dtype, offset, spread)
        step = s.call("merge_batch_stats", s.arr(counts), s.arr(means), s.arr(variances))
        s.compare("mean", step, "ret", 0)
        s.compare("var", step, "ret", 1)
        s.unchanged("means", step, 1, means)
        s.unchanged("variances", step, 2, variances)

    case("syncbn-equal-shards", "equal shard sizes", 2, [6, 6, 6, 6])
    case("syncbn-unequal-shards", "unequal shard sizes", 2, [3, 11, 7])
    case("syncbn-one-shard", "a single device", 1, [9])
    case("syncbn-empty-shards", "empty devices holding NaN", 1, [5, 0, 8, 0])
    case("syncbn-large-mean", "mean 1e6, standard deviation 1", 2, [40, 25, 60], offset=1e6)
    case("syncbn-float32", "float32 (dtype preserved)", 1, [4, 9], dtype=F32)
