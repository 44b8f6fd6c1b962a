"""Checks for the torch exercises, against torch itself computed on the trusted side.

    torch-batchnorm2d:  BatchNorm2d(C, eps, momentum, affine, track_running_stats) vs
                        torch.nn.BatchNorm2d: outputs, gradients, buffers over steps, eval mode
    torch-bn-function:  BatchNormFunction.apply(x, gamma, beta, eps) vs F.batch_norm + autograd

Everything in float64 (the module is ``.double()``-ed), so torch's own kernels are the reference
and the float64 floor is the tolerance.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from grader._checks._check import Check, Suite
from grader._checks._inputs import affine, features, upstream


def torch_reference() -> Any:
    import torch

    class BatchNormFunction:
        """The reference for a custom autograd.Function: torch's batch norm, autograd's grads."""

        @staticmethod
        def apply(x, gamma, beta, eps):
            return torch.nn.functional.batch_norm(x, None, None, gamma, beta, True, 0.0, eps)

    return SimpleNamespace(BatchNorm2d=torch.nn.BatchNorm2d, BatchNormFunction=BatchNormFunction)


# ---------------------------------------------------------------------------- nn.Module


def _module_case(
    suite: Suite,
    rng: np.random.Generator,
    cid: str,
    title: str,
    pts: float,
    C: int = 3,
    steps: int = 3,
    shape=(4, 3, 5, 6),
    eval_after: bool = True,
    **kwargs: Any,
) -> Check:
    c = suite.check(cid, title, pts)
    s = c.scenario
    m = s.new("BatchNorm2d", C, **kwargs)
    s.method(m, "double", report_args=False)
    affine_ = kwargs.get("affine", True)
    track = kwargs.get("track_running_stats", True)
    if affine_:  # gamma and beta away from 1 and 0, so mixing them up shows
        g, b = affine(rng, C)
        for name, v in (("weight", g), ("bias", b)):
            p = s.attr(m, f"{name}.data")
            s.method(p, "copy_", s.tensor(v), report_args=False)
    keys = s.op("keys", obj=m)
    s.same("state_dict keys", keys, "ret")
    for i in range(steps):
        x = features(rng, (shape[0] + i, C, shape[2], shape[3]), axis=1)
        tx = s.value(s.tensor(x, grad=True))
        y = s.method(m, "__call__", s.ref(tx), report_args=False)
        s.compare(f"output (step {i + 1})", y, "ret")
        s.op("backward", of=s.ref(y), args=[s.tensor(upstream(rng, x.shape).astype(np.float64))])
        grads = s.op("grad", of=[s.ref(tx)])
        s.compare(f"x.grad (step {i + 1})", grads, "ret", 0)
        if affine_:
            s.compare(f"weight.grad (step {i + 1})", s.attr(m, "weight.grad"), "ret")
            s.compare(f"bias.grad (step {i + 1})", s.attr(m, "bias.grad"), "ret")
        if track:
            state = s.op("state", obj=m)
            for buf in ("running_mean", "running_var", "num_batches_tracked"):
                s.compare(f"{buf} (after step {i + 1})", state, "ret", buf)
    if eval_after:
        s.method(m, "eval", report_args=False)
        x = features(rng, (2, C, shape[2], shape[3]), axis=1)
        y = s.method(m, "__call__", s.tensor(x), report_args=False)
        s.compare("output (eval)", y, "ret")
        if track:
            state = s.op("state", obj=m)
            for buf in ("running_mean", "running_var", "num_batches_tracked"):
                s.compare(f"{buf} (after eval)", state, "ret", buf)
    return c


def torch_batchnorm2d(suite: Suite, rng: np.random.Generator) -> None:
    _module_case(suite, rng, "module-train-eval", "training steps then eval, as nn.BatchNorm2d", 3)
    _module_case(suite, rng, "module-momentum-half", "momentum = 0.5", 1, momentum=0.5)
    _module_case(
        suite, rng, "module-momentum-none", "momentum = None (cumulative average)", 1, momentum=None
    )
    _module_case(suite, rng, "module-eps", "eps = 0.1", 1, eps=0.1)
    _module_case(suite, rng, "module-no-affine", "affine = False", 1, affine=False)
    _module_case(
        suite,
        rng,
        "module-no-running-stats",
        "track_running_stats = False",
        1,
        track_running_stats=False,
    )
    _module_case(
        suite, rng, "module-odd-shape", "odd shape (3, 5, 1, 7), C = 5", 1, C=5, shape=(3, 5, 1, 7)
    )
    c = suite.check("module-one-value-per-channel", "ValueError for one value per channel", 1)
    s = c.scenario
    m = s.new("BatchNorm2d", 4)
    s.method(m, "double", report_args=False)
    y = s.method(m, "__call__", s.tensor(features(rng, (1, 4, 1, 1), axis=1)), report_args=False)
    s.raises("training on (1, 4, 1, 1)", y)


# ---------------------------------------------------------------------------- autograd.Function


def torch_bn_function(suite: Suite, rng: np.random.Generator) -> None:
    def case(cid: str, title: str, pts: float, shape, grads=(True, True, True), eps=1e-5):
        c = suite.check(cid, title, pts)
        s = c.scenario
        N, D = shape
        x = features(rng, shape)
        g, b = affine(rng, D)
        tensors = [s.value(s.tensor(a, grad=r)) for a, r in zip((x, g, b), grads, strict=True)]
        fn = s.op("get", name="BatchNormFunction")
        y = s.method(fn, "apply", *[s.ref(t) for t in tensors], eps, report_args=False)
        s.compare("out", y, "ret")
        s.op("backward", of=s.ref(y), args=[s.tensor(upstream(rng, shape))])
        gr = s.op("grad", of=[s.ref(t) for t in tensors])
        for i, (name, r) in enumerate(zip(("dx", "dgamma", "dbeta"), grads, strict=True)):
            if r:
                s.compare(name, gr, "ret", i)
        return c

    case("function-float64", "forward and all three gradients (8 × 5)", 3, (8, 5))
    case("function-two-rows", "N = 2", 1, (2, 6))
    case("function-odd-shape", "odd shape (7 × 3)", 1, (7, 3))
    case("function-eps", "eps = 0.1", 1, (5, 4), eps=0.1)
    case("function-some-grads", "only x and beta require grad", 1, (6, 4), (True, False, True))


# ---------------------------------------------------------------------------- evaluate(model, ...)

LAYERS = [
    "conv 3 4 3",
    "bn2d 4",
    "relu",
    "flatten",
    "linear 64 8",
    "bn1d 8",
    "relu",
    "dropout 0.5",
    "linear 8 3",
]


def _state(rng: np.random.Generator, layers: list[str]) -> list[np.ndarray]:
    """Random weights and non-trivial running statistics, in the model's state_dict order."""
    from grader._sandbox._driver import build_model

    probe = build_model(layers, [[], [], False])  # only for the keys and shapes
    out = []
    for key, t in probe.state_dict().items():
        if key.endswith("num_batches_tracked"):
            out.append(np.array(int(rng.integers(1, 50)), dtype=np.int64))
        elif key.endswith("running_var"):
            out.append(rng.uniform(0.5, 2.0, tuple(t.shape)))
        else:
            out.append(rng.normal(0, 0.5, tuple(t.shape)))
    return out


def torch_eval_mode_fix(suite: Suite, rng: np.random.Generator) -> None:
    def case(
        cid: str,
        title: str,
        pts: float,
        frozen=(),
        start_eval=False,
        sizes=(5, 4, 1),
        raise_on: int | None = None,
    ) -> None:
        c = suite.check(cid, title, pts)
        s = c.scenario
        layers = list(LAYERS) + ([f"raise_on {raise_on}"] if raise_on else [])
        state = [s.arr(a) for a in _state(rng, layers)]
        m = s.op("torch_model", layers=layers, args=[{"$l": state}, list(frozen), start_eval])
        keys = s.op("keys", obj=m)
        batches = [s.tensor(features(rng, (n, 3, 4, 4), axis=1)) for n in sizes]
        outs = s.call("evaluate", s.ref(m), {"$l": batches}, report_args=False)
        if raise_on:
            s.raises("evaluate on a model that raises", outs)
        else:
            for i, n in enumerate(sizes):
                s.compare(f"output {i + 1} (batch of {n})", outs, "ret", i)
                rg = s.op("attr", obj=outs, i=[i], name="requires_grad")
                s.same(f"output {i + 1}.requires_grad", rg, "ret")
        after = s.op("state", obj=m)
        s.same("state_dict keys", keys, "ret")
        for key in _keys(layers):
            s.compare(f"{key} (after evaluate)", after, "ret", key)
        s.same("training flag of every submodule (after evaluate)", s.op("modes", obj=m), "ret")

    case("eval-from-train-mode", "model in training mode: outputs, state and modes", 3)
    case("eval-from-eval-mode", "model already in eval mode", 1, start_eval=True)
    case("eval-frozen-bn", "a frozen batch-norm layer stays in eval mode", 2, frozen=(1,))
    case("eval-batch-of-one", "batches of one sample", 1, sizes=(1, 1))
    case(
        "eval-model-raises",
        "a model that raises midway is restored",
        2,
        sizes=(4, 3, 2),
        raise_on=3,
    )


def _keys(layers: list[str]) -> list[str]:
    from grader._sandbox._driver import build_model

    return list(build_model(layers, [[], [], False]).state_dict().keys())
