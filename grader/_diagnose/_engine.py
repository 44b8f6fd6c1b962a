"""Name the mistake behind a failed check.

In order: an input modified in place; an exception that only one mistake produces; a dtype that
is the only difference; then the known-wrong variants of the exercise, each run on the trusted
side with the check's own calls, the first whose outputs the submission reproduces (every
compared output, within the check's tolerance) naming the mistake.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from grader._checks._check import Check, Outcome, _plain_equal
from grader._checks._compare import compare
from grader._checks._scenario import pick, run_local
from grader._diagnose._catalog import BY_ID
from grader._sandbox import StepResult


def _direct(check: Check, outcome: Outcome, others_passed: bool) -> str | None:
    """Mistakes recognised from the failure itself, without running a variant."""
    kinds = {m.kind for m in outcome.mismatches}
    if "modified" in kinds:
        return "inplace-input"
    err = outcome.error
    if err is not None:
        if check.id == "default-bn-param" and err.type in ("KeyError", "TypeError"):
            return "running-stats-not-initialised"
        if check.shape_check and others_passed and err.type in ("ValueError", "IndexError"):
            return "hardcoded-shape"
        return None
    if check.shape_check and others_passed and "shape" in kinds:
        return "hardcoded-shape"
    for m in outcome.mismatches:  # a wrong dtype is named even when the values differ too
        if m.kind == "dtype":
            return "downcast-float32" if m.detail.startswith("dtype float32") else "upcast-output"
    return None


def diagnose_all(
    failed: Sequence[tuple[Check, Outcome]],
    got: dict[str, StepResult],
    arrays: dict[str, np.ndarray],
    candidates: Sequence[str],
    others_passed: bool,
    kind: str = "numpy-function",
) -> dict[str, str]:
    """A diagnosis per failed check (check id -> mistake id), consistent across checks.

    The variant that reproduces the most failed checks wins them all (ties: catalogue order),
    then the next one takes what is left: one mistake usually breaks many checks, and a single
    check (a NaN at N = 1) may be reproduced by several variants.
    """
    out: dict[str, str] = {}
    rest: list[Check] = []
    for check, outcome in failed:
        if outcome.skipped:
            continue
        direct = _direct(check, outcome, others_passed)
        if direct is not None:
            out[check.id] = direct
        elif outcome.error is None:
            rest.append(check)
    explains: dict[str, set[str]] = {}
    for mid in candidates:
        mistake = BY_ID[mid]
        if mistake.knobs is None or not rest:
            continue
        module = mistake.module(kind)
        explains[mid] = {
            c.id for c in rest if _reproduces(c, got, run_local(c.scenario.steps, arrays, module))
        }
    order = {mid: i for i, mid in enumerate(candidates)}
    while explains:
        best = max(explains, key=lambda m: (len(explains[m]), -order[m]))
        if not explains[best]:
            break
        won = explains.pop(best)
        for cid in won:
            out[cid] = best
        for mid in explains:
            explains[mid] -= won
    return out


def _outcome(results: dict[str, StepResult], step: str) -> str | None:
    r = results.get(step)
    if r is None or r.skipped:
        return "missing"
    return None if r.ok else (r.error.type if r.error else "Error")


def _reproduces(check: Check, got: dict[str, StepResult], variant: dict[str, StepResult]) -> bool:
    """Every output the submission produced matches the variant's, and the variant differs
    from the reference somewhere (a variant that equals the reference explains nothing)."""
    compared = 0
    differs = False
    for o in check.scenario.outputs:
        if o.kind == "raises":
            mine, theirs = _outcome(got, o.step), _outcome(variant, o.step)
            if mine != theirs:
                return False
            compared += 1
            differs = differs or theirs != _outcome(check.ref, o.step)
            continue
        if o.kind not in ("value", "exact"):
            continue
        try:
            mine = pick(got.get(o.step), o.path)
        except (LookupError, TypeError, IndexError):
            continue  # the submission has no such output: nothing to match
        try:
            theirs: Any = pick(variant.get(o.step), o.path)
        except (LookupError, TypeError, IndexError):
            return False
        try:
            want = pick(check.ref.get(o.step), o.path)
        except (LookupError, TypeError, IndexError):
            want = None
        if o.kind == "exact":
            if not _plain_equal(mine, theirs):
                return False
            compared += 1
            differs = differs or not _plain_equal(theirs, want)
            continue
        tol = check.tols.get(o.label)
        if compare(o.label, mine, np.asarray(theirs), tol) is not None:
            return False
        compared += 1
        if not differs and want is not None:
            differs = compare(o.label, np.asarray(theirs), np.asarray(want), tol) is not None
    return compared > 0 and differs
