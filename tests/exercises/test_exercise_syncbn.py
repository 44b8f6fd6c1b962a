"""syncbn-stats: merged statistics equal those of the concatenated data."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import solution, starter
from hypothesis import given, settings
from hypothesis import strategies as st


def _shards(rng, sizes, C, loc=0.0, scale=1.0):
    return [rng.standard_normal((n, C)) * scale + loc + rng.standard_normal(C) for n in sizes]


def _stats(shards, C):
    counts = np.array([len(s) for s in shards])
    means = np.array([s.mean(axis=0) if len(s) else np.full(C, np.nan) for s in shards])
    variances = np.array([s.var(axis=0) if len(s) else np.full(C, np.nan) for s in shards])
    return counts, means, variances


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(0, 9), min_size=1, max_size=6), seed=st.integers(0, 2**16))
def test_merge_equals_statistics_of_the_whole_batch(sizes, seed):
    if sum(sizes) == 0:
        sizes = [*sizes, 1]
    rng = np.random.default_rng(seed)
    C = 3
    shards = _shards(rng, sizes, C)
    counts, means, variances = _stats(shards, C)
    copies = counts.copy(), means.copy(), variances.copy()
    mean, var = solution("syncbn-stats").merge_batch_stats(counts, means, variances)
    whole = np.concatenate(shards)
    # float64, values O(1): rounding differences only
    np.testing.assert_allclose(mean, whole.mean(axis=0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(var, whole.var(axis=0), rtol=1e-10, atol=1e-12)
    for before, after in zip(copies, (counts, means, variances), strict=True):
        np.testing.assert_array_equal(before, after)  # NaN == NaN for this helper


def test_merge_is_accurate_far_from_zero():
    rng = np.random.default_rng(0)
    shards = _shards(rng, [7, 5, 9, 3], C=2, loc=1e6)
    counts, means, variances = _stats(shards, 2)
    _, var = solution("syncbn-stats").merge_batch_stats(counts, means, variances)
    whole = np.concatenate(shards)
    # The graded tolerance (statement): 1e-8 relative. E[x^2] - E[x]^2 misses it by ~1e3 times.
    np.testing.assert_allclose(var, whole.var(axis=0), rtol=1e-8)
    naive = (counts[:, None] * (variances + means**2)).sum(axis=0) / counts.sum() - (
        (counts[:, None] * means).sum(axis=0) / counts.sum()
    ) ** 2
    assert not np.allclose(naive, whole.var(axis=0), rtol=1e-8, atol=0)  # the trap is real


def test_averaging_variances_is_wrong_on_the_statement_example():
    counts = np.array([4, 4])
    means = np.array([[-1.0], [1.0]])
    variances = np.zeros((2, 1))
    mean, var = solution("syncbn-stats").merge_batch_stats(counts, means, variances)
    np.testing.assert_allclose(mean, [0.0], atol=1e-15)
    np.testing.assert_allclose(var, [1.0], rtol=1e-15)


def test_starter_is_not_a_solution():
    with pytest.raises(NotImplementedError):
        starter("syncbn-stats").merge_batch_stats(np.ones(2), np.zeros((2, 1)), np.ones((2, 1)))
