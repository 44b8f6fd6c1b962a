"""Checks for bn-inference-fix: a NumPy ``Model`` whose batch-norm layer must infer correctly.

    Model(W1, b1, gamma, beta, W2, b2, eps=1e-5, momentum=0.9).forward(x, train) -> scores
    model.bn: BatchNorm(gamma, beta, eps, momentum) with running_mean / running_var

Compared with the trusted solution: training outputs and running statistics over several steps,
inference outputs for a batch and for a batch of one, and running statistics after inference.
"""

from __future__ import annotations

import numpy as np

from grader._checks._check import Suite
from grader._checks._inputs import affine, features


def _model_args(rng: np.random.Generator, d_in: int, h: int, d_out: int):
    W1 = rng.standard_normal((d_in, h)) / np.sqrt(d_in)
    b1 = rng.uniform(-1, 1, h) + rng.uniform(1, 3)  # a shift BN must remove
    gamma, beta = affine(rng, h)
    W2 = rng.standard_normal((h, d_out)) / np.sqrt(h)
    b2 = rng.uniform(-0.5, 0.5, d_out)
    return [W1, b1, gamma, beta, W2, b2]


def bn_inference_fix(suite: Suite, rng: np.random.Generator) -> None:
    d_in, h, d_out = 5, 7, 3

    def build(
        cid: str,
        title: str,
        pts: float,
        steps: int,
        eps=1e-5,
        momentum=0.9,
        infer_batch: int = 6,
        infer_twice: bool = False,
    ):
        c = suite.check(cid, title, pts)
        s = c.scenario
        args = _model_args(rng, d_in, h, d_out)
        m = s.new("Model", *[s.arr(a) for a in args], eps=eps, momentum=momentum)
        for i in range(steps):
            x = features(rng, (8, d_in))
            y = s.method(m, "forward", s.arr(x), True, report_args=False)
            s.compare(f"scores (train step {i + 1})", y, "ret")
            rm = s.attr(m, "bn.running_mean")
            rv = s.attr(m, "bn.running_var")
            s.compare(f"bn.running_mean (after step {i + 1})", rm, "ret")
            s.compare(f"bn.running_var (after step {i + 1})", rv, "ret")
        for j in range(2 if infer_twice else 1):
            x = features(rng, (infer_batch, d_in))
            y = s.method(m, "forward", s.arr(x), False, report_args=True)
            s.compare(f"scores (inference{' ' + str(j + 1) if infer_twice else ''})", y, "ret")
            s.unchanged("x", y, 0, x)
        rm = s.attr(m, "bn.running_mean")
        rv = s.attr(m, "bn.running_var")
        s.compare("bn.running_mean (after inference)", rm, "ret")
        s.compare("bn.running_var (after inference)", rv, "ret")

    build("fix-train-steps", "training outputs and running statistics over three steps", 2, 3)
    build("fix-inference", "inference uses the running statistics", 3, 3)
    build("fix-batch-of-one", "inference on a batch of one sample", 2, 2, infer_batch=1)
    build(
        "fix-inference-leaves-state",
        "inference twice leaves the running statistics alone",
        2,
        2,
        infer_twice=True,
    )
    build(
        "fix-eps-momentum", "eps = 0.1 and momentum = 0.5 are honoured", 1, 2, eps=0.1, momentum=0.5
    )
