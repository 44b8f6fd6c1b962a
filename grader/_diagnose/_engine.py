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

from grader._checks._check import Check, Outcome
from grader._checks._compare import compare
from grader._checks._scenario import pick, run_local
from grader._diagnose._catalog import BY_ID
from grader._diagnose._variants import namespace
from grader._sandbox import StepResult


def diagnose(
    check: Check,
    outcome: Outcome,
    got: dict[str, StepResult],
    arrays: dict[str, np.ndarray],
    candidates: Sequence[str],
    others_passed: bool,
) -> str | None:
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
    dtype_only = [m for m in outcome.mismatches if m.kind == "dtype"]
    if dtype_only and len(dtype_only) == len(outcome.mismatches):
        if "float32" in dtype_only[0].detail.split(",")[0]:
            return "downcast-float32"
        return "upcast-output"
    for mid in candidates:
        mistake = BY_ID[mid]
        if mistake.knobs is None:
            continue
        module = namespace(mistake.knobs)
        if _reproduces(check, got, run_local(check.scenario.steps, arrays, module)):
            return mid
    return None


def _reproduces(check: Check, got: dict[str, StepResult], variant: dict[str, StepResult]) -> bool:
    compared = 0
    for o in check.scenario.outputs:
        if o.kind != "value":
            continue
        try:
            mine = pick(got.get(o.step), o.path)
        except (LookupError, TypeError, IndexError):
            continue  # the submission has no such output: nothing to match
        try:
            theirs: Any = pick(variant.get(o.step), o.path)
        except (LookupError, TypeError, IndexError):
            return False
        if compare(o.label, mine, np.asarray(theirs), check.tols.get(o.label)) is not None:
            return False
        compared += 1
    return compared > 0
