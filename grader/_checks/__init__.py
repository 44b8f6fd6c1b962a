"""Checks generated from the exercise: one spec per exercise id (functions, inputs, outputs).

A spec builds a ``Suite`` of checks from a seeded generator; it is never written per submission.
``register`` adds a spec (tests use it for fixture exercises).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader._checks._check import Check, Outcome, Suite
from grader._checks._ref import numpy_reference

Builder = Callable[[Suite, np.random.Generator], None]

BN_FORWARD_MISTAKES = (
    "running-stats-not-written-back",
    "momentum-flipped",
    "mode-ignored",
    "batch-stats-at-test",
    "unbiased-variance",
    "running-var-unbiased",
    "running-var-is-std",
    "eps-outside-sqrt",
    "eps-missing",
    "one-pass-variance",
    "wrong-axis",
)
BN_BACKWARD_MISTAKES = (
    "dgamma-dbeta-swapped",
    "dgamma-uses-x",
    "dx-missing-mean-path",
    "dx-missing-variance-path",
    "dx-missing-gamma",
    "dx-sum-not-mean",
)


@dataclass(frozen=True)
class Spec:
    build: Builder
    reference: Callable[[], Any]  # a module-like object with the exercise's entry points
    mistakes: tuple[str, ...] = ()  # candidate diagnoses, most specific first
    torch: bool = False


def _specs() -> dict[str, Spec]:
    from grader._checks import _batchnorm as bn
    from grader._checks import _fix, _syncbn, _torch
    from grader._checks import _norms as nm
    from grader._checks._ref import solution

    grads = BN_BACKWARD_MISTAKES
    return {
        "batchnorm-forward": Spec(bn.batchnorm_forward, numpy_reference, BN_FORWARD_MISTAKES),
        "batchnorm-backward": Spec(
            bn.batchnorm_backward, numpy_reference, grads + BN_FORWARD_MISTAKES
        ),
        "spatial-batchnorm": Spec(
            nm.spatial_batchnorm,
            numpy_reference,
            ("spatial-reshape-without-transpose",) + grads + BN_FORWARD_MISTAKES,
        ),
        "layernorm": Spec(
            nm.layernorm,
            numpy_reference,
            (
                "layernorm-over-batch",
                "unbiased-variance",
                "eps-outside-sqrt",
                "eps-missing",
                "one-pass-variance",
            )
            + grads,
        ),
        "groupnorm": Spec(
            nm.groupnorm,
            numpy_reference,
            (
                "groupnorm-strided-groups",
                "groupnorm-per-channel",
                "unbiased-variance",
                "eps-outside-sqrt",
                "eps-missing",
                "one-pass-variance",
            )
            + grads,
        ),
        "bn-inference-fix": Spec(
            _fix.bn_inference_fix,
            lambda: solution("bn-inference-fix"),
            (
                "no-running-stats",
                "batch-stats-at-test",
                "mode-ignored",
                "running-stats-not-written-back",
                "momentum-flipped",
                "unbiased-variance",
                "running-var-unbiased",
                "eps-outside-sqrt",
            ),
        ),
        "syncbn-stats": Spec(
            _syncbn.syncbn_stats,
            lambda: solution("syncbn-stats"),
            (
                "syncbn-empty-shard",
                "syncbn-unweighted-mean",
                "syncbn-within-variance-only",
                "syncbn-one-pass-variance",
            ),
        ),
        "torch-batchnorm2d": Spec(
            _torch.torch_batchnorm2d,
            _torch.torch_reference,
            (
                "torch-biased-running-var",
                "torch-momentum-flipped",
                "torch-eval-batch-stats",
                "torch-batches-not-counted",
            ),
            torch=True,
        ),
        "torch-bn-function": Spec(
            _torch.torch_bn_function,
            _torch.torch_reference,
            (
                "torch-dx-missing-mean-path",
                "torch-dx-missing-variance-path",
                "torch-dgamma-dbeta-swapped",
            ),
            torch=True,
        ),
        "torch-eval-mode-fix": Spec(
            _torch.torch_eval_mode_fix,
            lambda: solution("torch-eval-mode-fix"),
            (
                "torch-eval-not-called",
                "torch-outputs-keep-grad",
                "torch-not-restored-on-error",
                "torch-train-forced-after",
            ),
            torch=True,
        ),
        "bn-fold": Spec(
            nm.bn_fold,
            numpy_reference,
            (
                "fold-eps-missing",
                "fold-mean-not-subtracted",
                "fold-bias-not-scaled",
                "fold-var-as-std",
            ),
        ),
    }


_REGISTRY: dict[str, Spec] = {}


def spec_for(exercise_id: str) -> Spec | None:
    if not _REGISTRY:
        _REGISTRY.update(_specs())
    return _REGISTRY.get(exercise_id)


def register(exercise_id: str, spec: Spec) -> None:
    spec_for(exercise_id)
    _REGISTRY[exercise_id] = spec


__all__ = ["Check", "Outcome", "Spec", "Suite", "register", "spec_for"]
