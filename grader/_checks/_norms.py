"""Checks for spatial batch norm, layer norm and group norm (CS231n interfaces).

spatial_batchnorm_forward(x, gamma, beta, bn_param)   x (N, C, H, W), gamma/beta (C,)
layernorm_forward(x, gamma, beta, ln_param)           x (N, D), statistics per sample
spatial_groupnorm_forward(x, gamma, beta, G, gn_param) gamma/beta (1, C, 1, 1)
*_backward(dout, cache) -> (dx, dgamma, dbeta)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader._checks._batchnorm import bn_param, forward_call
from grader._checks._check import Check, Suite
from grader._checks._inputs import F32, F64, affine, features, running, upstream


def _grad_checks(c: Check, fwd_step: str, bwd: str, dout: np.ndarray) -> str:
    s = c.scenario
    step = s.call(bwd, s.arr(dout), s.ref(fwd_step, 1))
    for i, name in enumerate(("dx", "dgamma", "dbeta")):
        s.compare(name, step, "ret", i)
    s.unchanged("dout", step, 0, dout)
    return step


def _fd(
    c: Check,
    step: str,
    inputs: list[np.ndarray],
    loss: Callable[..., float],
    rng: np.random.Generator,
) -> None:
    """Directional central differences for each of (x, gamma, beta)."""
    for i, name in enumerate(("dx", "dgamma", "dbeta")):
        v = rng.standard_normal(inputs[i].shape)
        h = 1e-6 * max(1.0, float(np.abs(inputs[i]).max()))

        def want(i=i, v=v, h=h) -> float:
            plus, minus = list(inputs), list(inputs)
            plus[i] = plus[i] + h * v
            minus[i] = minus[i] - h * v
            return (loss(*plus) - loss(*minus)) / (2 * h)

        c.add_fd(f"{name}·v (finite differences)", step, ("ret", i), v, want)


def _ref(name: str) -> Callable[..., Any]:
    from grader._checks._ref import numpy_reference

    return getattr(numpy_reference(), name)


# ---------------------------------------------------------------------------- spatial batch norm


def spatial_batchnorm(suite: Suite, rng: np.random.Generator) -> None:
    fwd, bwd = "spatial_batchnorm_forward", "spatial_batchnorm_backward"

    def train(cid, title, pts, x, dtype=F64, **bp) -> Check:
        c = suite.check(cid, title, pts)
        c.shape_check = cid == "spatial-odd-shape"
        g, b = affine(rng, x.shape[1], dtype)
        forward_call(c, x, g, b, bn_param(c.scenario, "train", **bp), fn=fwd)
        return c

    C = 3
    rm, rv = running(rng, C)
    train(
        "spatial-train-float64",
        "spatial forward, training mode, float64",
        2,
        features(rng, (4, C, 5, 6), axis=1),
        eps=1e-5,
        momentum=0.9,
        running_mean=rm,
        running_var=rv,
    )
    train(
        "spatial-train-float32",
        "spatial forward, float32 (dtype preserved)",
        1,
        features(rng, (4, C, 5, 6), F32, axis=1),
        F32,
        eps=1e-5,
        momentum=0.9,
        running_mean=rm.astype(F32),
        running_var=rv.astype(F32),
    )
    c = suite.check("spatial-test-mode", "spatial test mode uses the running statistics", 1)
    x = features(rng, (2, C, 3, 4), axis=1)
    g, b = affine(rng, C)
    forward_call(
        c,
        x,
        g,
        b,
        bn_param(c.scenario, "test", eps=1e-5, momentum=0.9, running_mean=rm, running_var=rv),
        fn=fwd,
    )
    train(
        "spatial-non-default-eps-momentum",
        "eps = 0.1 and momentum = 0.5 are honoured",
        1,
        features(rng, (3, C, 4, 2), axis=1),
        eps=0.1,
        momentum=0.5,
        running_mean=rm,
        running_var=rv,
    )
    train(
        "spatial-odd-shape",
        "odd shape (2, 5, 3, 1)",
        1,
        features(rng, (2, 5, 3, 1), axis=1),
        eps=1e-5,
        momentum=0.9,
    )

    for cid, title, pts, dtype, fd in (
        ("spatial-backward-float64", "spatial gradients, float64", 2, F64, False),
        ("spatial-backward-float32", "spatial gradients, float32 (dtype preserved)", 1, F32, False),
        (
            "spatial-backward-finite-differences",
            "gradients agree with central finite differences",
            2,
            F64,
            True,
        ),
    ):
        c = suite.check(cid, title, pts)
        s = c.scenario
        x = features(rng, (3, C, 4, 5), dtype, axis=1)
        g, b = affine(rng, C, dtype)
        dout = upstream(rng, x.shape, dtype)
        f = s.call(
            fwd, s.arr(x), s.arr(g), s.arr(b), bn_param(s, "train", eps=1e-5), report_args=False
        )
        step = _grad_checks(c, f, bwd, dout)
        if fd:

            def loss(xx, gg, bb, dout=dout) -> float:
                out, _ = _ref(fwd)(xx, gg, bb, {"mode": "train", "eps": 1e-5, "momentum": 0.9})
                return float(np.sum(dout * out))

            _fd(c, step, [x, g, b], loss, rng)


# ---------------------------------------------------------------------------- layer norm


def layernorm(suite: Suite, rng: np.random.Generator) -> None:
    fwd, bwd = "layernorm_forward", "layernorm_backward"

    def fwd_check(cid, title, pts, x, dtype=F64, eps=1e-5) -> Check:
        c = suite.check(cid, title, pts)
        c.shape_check = cid in ("layernorm-odd-shape", "layernorm-single-sample")
        s = c.scenario
        g, b = affine(rng, x.shape[1], dtype)
        step = s.call(fwd, s.arr(x), s.arr(g), s.arr(b), s.dict_(eps=eps))
        s.compare("out", step, "ret", 0)
        s.unchanged("x", step, 0, x)
        s.unchanged("gamma", step, 1, g)
        s.unchanged("beta", step, 2, b)
        return c

    D = 8
    fwd_check("layernorm-float64", "layer norm forward, float64", 2, features(rng, (6, D), axis=0))
    fwd_check(
        "layernorm-float32",
        "layer norm forward, float32 (dtype preserved)",
        1,
        features(rng, (6, D), F32, axis=0),
        F32,
    )
    fwd_check(
        "layernorm-non-default-eps",
        "eps = 0.1 is honoured",
        1,
        features(rng, (5, D), axis=0),
        eps=0.1,
    )
    xz = features(rng, (4, D), axis=0)
    xz[1, :] = -2.5  # one sample with zero variance across its features
    fwd_check("layernorm-zero-variance", "a sample with zero variance", 1, xz)
    fwd_check(
        "layernorm-large-offset",
        "large offset, small spread (1e4 ± 1e-2)",
        1,
        features(rng, (4, 32), offset=1e4, spread=1e-2),
    )
    fwd_check(
        "layernorm-odd-shape", "odd, non-square shape (7 × 3)", 1, features(rng, (7, 3), axis=0)
    )
    fwd_check("layernorm-single-sample", "batch of one (N = 1)", 1, features(rng, (1, D), axis=0))

    for cid, title, pts, dtype, shape, fd in (
        ("layernorm-backward-float64", "layer norm gradients, float64", 2, F64, (5, 6), False),
        (
            "layernorm-backward-float32",
            "layer norm gradients, float32 (dtype preserved)",
            1,
            F32,
            (5, 6),
            False,
        ),
        (
            "layernorm-backward-finite-differences",
            "gradients agree with central finite differences",
            2,
            F64,
            (4, 7),
            True,
        ),
        (
            "layernorm-backward-odd-shape",
            "gradients for an odd shape (3 × 11)",
            1,
            F64,
            (3, 11),
            False,
        ),
    ):
        c = suite.check(cid, title, pts)
        c.shape_check = cid.endswith("odd-shape")
        s = c.scenario
        x = features(rng, shape, dtype, axis=0)
        g, b = affine(rng, shape[1], dtype)
        dout = upstream(rng, shape, dtype)
        f = s.call(fwd, s.arr(x), s.arr(g), s.arr(b), s.dict_(eps=1e-5), report_args=False)
        step = _grad_checks(c, f, bwd, dout)
        if fd:

            def loss(xx, gg, bb, dout=dout) -> float:
                out, _ = _ref(fwd)(xx, gg, bb, {"eps": 1e-5})
                return float(np.sum(dout * out))

            _fd(c, step, [x, g, b], loss, rng)


# ---------------------------------------------------------------------------- group norm


def groupnorm(suite: Suite, rng: np.random.Generator) -> None:
    fwd, bwd = "spatial_groupnorm_forward", "spatial_groupnorm_backward"

    def fwd_check(cid, title, pts, x, G, dtype=F64, eps=1e-5) -> Check:
        c = suite.check(cid, title, pts)
        c.shape_check = cid == "groupnorm-odd-shape"
        s = c.scenario
        C = x.shape[1]
        g, b = affine(rng, C, dtype, shape=(1, C, 1, 1))
        step = s.call(fwd, s.arr(x), s.arr(g), s.arr(b), G, s.dict_(eps=eps))
        s.compare("out", step, "ret", 0)
        s.unchanged("x", step, 0, x)
        return c

    fwd_check(
        "groupnorm-float64",
        "group norm forward, float64 (C = 6, G = 3)",
        2,
        features(rng, (2, 6, 4, 5), axis=1),
        3,
    )
    fwd_check(
        "groupnorm-float32",
        "group norm forward, float32 (dtype preserved)",
        1,
        features(rng, (2, 6, 4, 5), F32, axis=1),
        3,
        F32,
    )
    fwd_check(
        "groupnorm-one-group",
        "G = 1 (layer norm over C, H, W)",
        1,
        features(rng, (3, 4, 3, 2), axis=1),
        1,
    )
    fwd_check(
        "groupnorm-group-per-channel",
        "G = C (instance norm)",
        1,
        features(rng, (2, 4, 3, 3), axis=1),
        4,
    )
    fwd_check(
        "groupnorm-non-default-eps",
        "eps = 0.1 is honoured",
        1,
        features(rng, (2, 6, 2, 3), axis=1),
        2,
        eps=0.1,
    )
    fwd_check(
        "groupnorm-odd-shape",
        "odd shape (1, 9, 1, 5), G = 3",
        1,
        features(rng, (1, 9, 1, 5), axis=1),
        3,
    )

    for cid, title, pts, dtype, fd in (
        ("groupnorm-backward-float64", "group norm gradients, float64", 2, F64, False),
        (
            "groupnorm-backward-float32",
            "group norm gradients, float32 (dtype preserved)",
            1,
            F32,
            False,
        ),
        (
            "groupnorm-backward-finite-differences",
            "gradients agree with central finite differences",
            2,
            F64,
            True,
        ),
    ):
        c = suite.check(cid, title, pts)
        s = c.scenario
        x = features(rng, (2, 6, 3, 4), dtype, axis=1)
        g, b = affine(rng, 6, dtype, shape=(1, 6, 1, 1))
        dout = upstream(rng, x.shape, dtype)
        f = s.call(fwd, s.arr(x), s.arr(g), s.arr(b), 3, s.dict_(eps=1e-5), report_args=False)
        step = _grad_checks(c, f, bwd, dout)
        if fd:

            def loss(xx, gg, bb, dout=dout) -> float:
                out, _ = _ref(fwd)(xx, gg, bb, 3, {"eps": 1e-5})
                return float(np.sum(dout * out))

            _fd(c, step, [x, g, b], loss, rng)


# ---------------------------------------------------------------------------- folding BN into conv


def bn_fold(suite: Suite, rng: np.random.Generator) -> None:
    fn = "fold_bn_into_conv"

    def case(cid, title, pts, F, C, HH, WW, dtype=F64, eps=1e-5) -> Check:
        c = suite.check(cid, title, pts)
        c.shape_check = cid == "fold-odd-shape"
        s = c.scenario
        w = (rng.standard_normal((F, C, HH, WW)) * 0.5).astype(dtype)
        b = rng.standard_normal(F).astype(dtype)
        gamma, beta = affine(rng, F, dtype)
        rm, rv = running(rng, F, dtype)
        args = [w, b, gamma, beta, rm, rv]
        step = s.call(fn, *[s.arr(a) for a in args], eps)
        s.compare("w (folded)", step, "ret", 0)
        s.compare("b (folded)", step, "ret", 1)
        for i, name in enumerate(("w", "b", "gamma", "beta", "running_mean", "running_var")):
            s.unchanged(name, step, i, args[i])
        return c

    case("fold-float64", "folded weights and bias, float64", 3, 4, 3, 3, 3)
    case("fold-float32", "folded weights and bias, float32 (dtype preserved)", 1, 4, 3, 3, 3, F32)
    case("fold-non-default-eps", "eps = 0.1 is honoured", 1, 3, 2, 3, 3, eps=0.1)
    case("fold-odd-shape", "odd shape: 5 filters, 3 channels, 1 × 3 kernels", 1, 5, 3, 1, 3)
