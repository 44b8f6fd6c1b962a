"""Checks for the CS231n batch norm exercises (batchnorm-forward, batchnorm-backward).

    batchnorm_forward(x, gamma, beta, bn_param) -> (out, cache)    x (N, D), gamma/beta (D,)
    batchnorm_backward(dout, cache) -> (dx, dgamma, dbeta)

``bn_param`` carries mode, eps, momentum and the running statistics written back by train mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader._checks._check import Check, Suite
from grader._checks._inputs import F32, F64, affine, features, running, upstream
from grader._checks._scenario import Scenario

FWD, BWD = "batchnorm_forward", "batchnorm_backward"


def bn_param(s: Scenario, mode: str, **extra: Any) -> dict[str, Any]:
    items: dict[str, Any] = {"mode": mode}
    for k, v in extra.items():
        items[k] = s.arr(v) if isinstance(v, np.ndarray) else v
    return s.dict_(**items)


def forward_call(
    c: Check,
    x,
    gamma,
    beta,
    param: dict[str, Any] | str,
    tag: str = "",
    fn: str = FWD,
    state: bool = True,
) -> str:
    """One forward call; compares out, the running statistics, and that inputs are untouched."""
    s = c.scenario
    p = s.ref(param) if isinstance(param, str) else param
    step = s.call(fn, s.arr(x), s.arr(gamma), s.arr(beta), p)
    s.compare(f"out{tag}", step, "ret", 0)
    if state:
        s.compare(f"bn_param['running_mean']{tag}", step, "args", 3, "running_mean")
        s.compare(f"bn_param['running_var']{tag}", step, "args", 3, "running_var")
    if not tag:
        s.unchanged("x", step, 0, x)
        s.unchanged("gamma", step, 1, gamma)
        s.unchanged("beta", step, 2, beta)
    return step


def forward_checks(
    suite: Suite, rng: np.random.Generator, fn: str = FWD, weight: float = 1.0
) -> None:
    D = 7

    def train(cid: str, title: str, pts: float, x: np.ndarray, dtype=F64, **bp: Any) -> None:
        c = suite.check(cid, title, pts * weight)
        c.shape_check = cid in ("odd-shape", "single-sample")
        g, b = affine(rng, x.shape[1], dtype)
        forward_call(c, x, g, b, bn_param(c.scenario, "train", **bp), fn=fn)

    rm, rv = running(rng, D)
    train(
        "forward-train-float64",
        "training-mode forward, float64",
        2,
        features(rng, (16, D)),
        eps=1e-5,
        momentum=0.9,
        running_mean=rm,
        running_var=rv,
    )
    train(
        "forward-train-float32",
        "training-mode forward, float32 (dtype preserved)",
        1,
        features(rng, (16, D), F32),
        F32,
        eps=1e-5,
        momentum=0.9,
        running_mean=rm.astype(F32),
        running_var=rv.astype(F32),
    )

    c = suite.check(
        "forward-test-mode", "test mode uses the running statistics and leaves them", 2 * weight
    )
    x = features(rng, (10, D))
    g, b = affine(rng, D)
    rm, rv = running(rng, D)
    forward_call(
        c,
        x,
        g,
        b,
        bn_param(c.scenario, "test", eps=1e-5, momentum=0.9, running_mean=rm, running_var=rv),
        fn=fn,
    )

    c = suite.check(
        "train-then-test", "running statistics over three training steps, then test", 2 * weight
    )
    s = c.scenario
    param = s.value(bn_param(s, "train", eps=1e-5, momentum=0.9))
    g, b = affine(rng, D)
    for i in range(3):
        forward_call(c, features(rng, (12, D)), g, b, param, tag=f" (step {i + 1})", fn=fn)
    s.op("setitem", obj=param, key="mode", args=["test"])  # the same dict, now in test mode
    x = features(rng, (12, D))
    step = s.call(fn, s.arr(x), s.arr(g), s.arr(b), s.ref(param))
    s.compare("out (test)", step, "ret", 0)
    s.compare("bn_param['running_mean'] (after test)", step, "args", 3, "running_mean")
    s.compare("bn_param['running_var'] (after test)", step, "args", 3, "running_var")

    train(
        "non-default-eps-momentum",
        "eps = 0.1 and momentum = 0.5 are honoured",
        1,
        features(rng, (9, D)),
        eps=0.1,
        momentum=0.5,
        running_mean=rm,
        running_var=rv,
    )
    xz = features(rng, (8, D))
    xz[:, 2] = 1.75  # a feature with zero variance: only eps keeps the division finite
    train(
        "zero-variance-feature",
        "a feature with zero variance",
        1,
        xz,
        eps=1e-5,
        momentum=0.9,
        running_mean=rm,
        running_var=rv,
    )
    train(
        "large-offset",
        "large offset, small spread (1e4 ± 1e-2)",
        1,
        features(rng, (32, D), offset=1e4, spread=1e-2),
        eps=1e-5,
        momentum=0.9,
        running_mean=rm,
        running_var=rv,
    )
    train(
        "odd-shape",
        "odd, non-square shape (5 × 3)",
        1,
        features(rng, (5, 3)),
        eps=1e-5,
        momentum=0.9,
        running_mean=rm[:3],
        running_var=rv[:3],
    )
    train(
        "single-sample",
        "batch of one (N = 1)",
        0.5,
        features(rng, (1, D)),
        eps=1e-5,
        momentum=0.9,
        running_mean=rm,
        running_var=rv,
    )
    train(
        "default-bn-param",
        "defaults: eps 1e-5, momentum 0.9, zero running stats",
        0.5,
        features(rng, (6, D)),
    )


def backward_checks(
    suite: Suite, rng: np.random.Generator, fwd: str = FWD, bwd: str = BWD, optional: bool = False
) -> None:
    tag = "-alt" if bwd.endswith("_alt") else ""

    def case(cid: str, title: str, pts: float, x, dtype=F64, fd: bool = False) -> Check:
        c = suite.check(cid + tag, title + (" (alt)" if tag else ""), pts)
        c.optional_fn = bwd if optional else None
        c.shape_check = cid == "backward-odd-shape"
        s = c.scenario
        N, D = x.shape
        g, b = affine(rng, D, dtype)
        dout = upstream(rng, (N, D), dtype)
        f = s.call(
            fwd,
            s.arr(x),
            s.arr(g),
            s.arr(b),
            bn_param(s, "train", eps=1e-5, momentum=0.9),
            report_args=False,
        )
        step = s.call(bwd, s.arr(dout), s.ref(f, 1))
        for i, name in enumerate(("dx", "dgamma", "dbeta")):
            s.compare(name, step, "ret", i)
        s.unchanged("dout", step, 0, dout)
        if fd:
            add_fd(c, step, x, g, b, dout, rng)
        return c

    case("backward-float64", "gradients dx, dgamma, dbeta, float64", 2, features(rng, (10, 6)))
    case(
        "backward-float32",
        "gradients in float32 (dtype preserved)",
        1,
        features(rng, (10, 6), F32),
        F32,
    )
    case(
        "backward-finite-differences",
        "gradients agree with central finite differences",
        2,
        features(rng, (8, 5)),
        fd=True,
    )
    xz = features(rng, (7, 4))
    xz[:, 1] = -0.5
    case("backward-zero-variance", "gradients with a zero-variance feature", 1, xz)
    case("backward-odd-shape", "gradients for an odd shape (3 × 11)", 1, features(rng, (3, 11)))


def add_fd(c: Check, step: str, x, g, b, dout, rng: np.random.Generator) -> None:
    """Directional central differences of sum(dout * forward(...)) along random directions."""

    def loss(xx, gg, bb) -> float:
        from grader._checks._ref import numpy_reference

        ref = numpy_reference()
        out, _ = getattr(ref, FWD)(xx, gg, bb, {"mode": "train", "eps": 1e-5, "momentum": 0.9})
        return float(np.sum(dout * out))

    for i, (name, base) in enumerate((("dx", x), ("dgamma", g), ("dbeta", b))):
        v = rng.standard_normal(base.shape)
        h = 1e-6 * max(1.0, float(np.abs(base).max()))

        def want(i=i, v=v, h=h) -> float:
            plus = [x, g, b]
            minus = [x, g, b]
            plus[i] = plus[i] + h * v
            minus[i] = minus[i] - h * v
            return (loss(*plus) - loss(*minus)) / (2 * h)

        c.add_fd(f"{name}·v (finite differences)", step, ("ret", i), v, want)


def batchnorm_forward(suite: Suite, rng: np.random.Generator) -> None:
    forward_checks(suite, rng)


def batchnorm_backward(suite: Suite, rng: np.random.Generator) -> None:
    forward_checks(suite, rng, weight=0.5)
    backward_checks(suite, rng)
    backward_checks(suite, rng, bwd="batchnorm_backward_alt", optional=True)
