"""Grade one submission: run (sandbox) → check (against the reference) → report (a GradeResult).

The sandbox process starts first, so it imports numpy and the submission while this process
loads numpy, builds the inputs and runs the reference. Only a problem of the grader itself (an
unknown exercise, an unreadable file, a missing reference) raises; everything the submission
does is data in the result.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from mlprep._errors import GradingError, NotFoundError

if TYPE_CHECKING:
    from grader._result import GradeResult
    from grader._sandbox import Sandbox
    from mlprep.content import Exercise


def load_exercise(exercise_id: str, root: Path | None = None) -> Exercise:
    """The exercise, through the content loader (warm loads come from its cache).

    Only problems in this exercise's own file stop grading; a broken question elsewhere in the
    bank does not.
    """
    from mlprep.content import collect, default_root

    root = (root or default_root()).resolve()
    folder = root / "exercises" / exercise_id
    bank, problems = collect(root)
    mine = [
        p
        for p in problems
        if p.severity == "error" and Path(p.path).parts[:2] == ("exercises", exercise_id)
    ]
    if bank is None or mine:
        from mlprep._errors import ContentError

        raise ContentError(mine or problems)
    if exercise_id not in bank.exercises:
        hint = "" if folder.is_dir() else f" (known: {', '.join(sorted(bank.exercises)) or 'none'})"
        raise NotFoundError(f"no exercise with id '{exercise_id}'{hint}")
    return bank.exercises[exercise_id]


def grade(
    exercise_id: str,
    submission: Path,
    *,
    seed: int | None = None,
    lang: str = "en",
    sandbox: Sandbox | None = None,
    root: Path | None = None,
) -> GradeResult:
    t0 = time.perf_counter()
    from grader._sandbox._base import Job, Limits
    from grader._submission import read_submission

    source = read_submission(submission)
    if sandbox is None:
        from grader._sandbox._probe import default_sandbox

        sandbox = default_sandbox()  # the strongest that works here ($MLPREP_SANDBOX overrides)
    running = sandbox.start(source.text)  # first: the child imports numpy while we load the rest
    try:
        exercise = load_exercise(exercise_id, root)
        from grader._checks import spec_for

        spec = spec_for(exercise.id)
        if spec is None:
            raise GradingError(
                f"exercise '{exercise.id}' has no checks in this version of the grader"
            )
        lim = exercise.limits
        running.configure(
            Job(
                source=source.text,
                entry_points=tuple(exercise.entry_points),
                allowed_imports=tuple(exercise.allowed_imports),
                forbidden=tuple(exercise.forbidden),
                torch=spec.torch,
                limits=Limits(time_s=lim.time_s, memory_mb=lim.memory_mb, output_kb=lim.output_kb),
            )
        )
        import numpy as np

        from grader._checks import Suite

        seed = secrets.randbits(31) if seed is None else seed
        suite = Suite()
        spec.build(suite, np.random.default_rng(seed))
        plan = suite.builder.plan()
    except BaseException:
        running.cancel()
        raise

    def prepare() -> None:
        try:
            module = spec.reference()
        except ImportError as exc:
            raise GradingError(f"the reference implementation is not available ({exc})") from None
        for check in suite.checks:
            check.prepare(module, plan.arrays)

    run = running.finish(plan, meanwhile=prepare)
    from grader._report._build import build_result

    return build_result(
        exercise,
        submission,
        source,
        spec,
        suite,
        plan,
        run,
        seed,
        lang,
        sandbox.level,
        time.perf_counter() - t0,
    )


def grade_batch(exercise_id: str, submissions: list[Path], **kwargs) -> list[GradeResult]:
    """Grade several submissions, one after another (a pooled version may replace this)."""
    return [grade(exercise_id, path, **kwargs) for path in submissions]
