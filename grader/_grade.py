"""Grade one submission: run (sandbox) → check (against the reference) → report (a GradeResult).

The sandbox process starts first, so it imports numpy and the submission while this process
loads numpy, builds the inputs and runs the reference. Only a problem of the grader itself (an
unknown exercise, an unreadable file, a missing reference) raises; everything the submission
does is data in the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlprep._errors import GradingError

if TYPE_CHECKING:
    from grader._exercise import ExerciseInfo
    from grader._record import GradeRecord
    from grader._result import GradeResult
    from grader._sandbox import Running, Sandbox
    from grader._submission import Source


def grade(
    exercise_id: str,
    submission: Path,
    *,
    seed: int | None = None,
    lang: str = "en",
    sandbox: Sandbox | None = None,
    root: Path | None = None,
    while_running: Callable[[], None] | None = None,
) -> GradeResult:
    """Grade ``submission`` on ``exercise_id``; learner failures are data in the result.

    ``while_running`` is called while the sandbox runs the submission (the CLI imports its
    renderer there, off the critical path).
    """
    from grader._record import to_result

    record = grade_record(
        exercise_id,
        submission,
        seed=seed,
        lang=lang,
        sandbox=sandbox,
        root=root,
        while_running=while_running,
    )
    return to_result(record)


@dataclass
class Launch:
    """A submission read, its sandbox process started and told the exercise's rules."""

    source: Source
    sandbox: Sandbox
    running: Running
    exercise: ExerciseInfo
    t0: float  # when grading began (``duration_s`` counts from here)


def launch(
    exercise_id: str, submission: Path, sandbox: Sandbox | None = None, root: Path | None = None
) -> Launch:
    """Read the submission and start its sandbox at once: the child imports numpy while this
    process loads the exercise, numpy and the checks. Raises only for the grader's problems
    (unreadable file, unknown exercise); the process is cancelled then."""
    t0 = time.perf_counter()
    from grader._sandbox._base import Job, Limits
    from grader._submission import read_submission

    source = read_submission(submission)
    if sandbox is None:
        from grader._sandbox._probe import default_sandbox

        sandbox = default_sandbox()  # the strongest that works here ($MLPREP_SANDBOX overrides)
    running = sandbox.start(source.text)  # first: the child imports numpy while we load the rest
    try:
        from grader._exercise import load_exercise

        exercise = load_exercise(exercise_id, root)
        running.configure(
            Job(
                source=source.text,
                entry_points=tuple(exercise.entry_points),
                allowed_imports=tuple(exercise.allowed_imports),
                forbidden=tuple(exercise.forbidden),  # the sandbox refuses them at run time too
                torch=exercise.torch,
                limits=Limits(exercise.time_s, exercise.memory_mb, exercise.output_kb),
            )
        )
    except BaseException:
        running.cancel()
        raise
    return Launch(source, sandbox, running, exercise, t0)


def grade_record(
    exercise_id: str,
    submission: Path,
    *,
    seed: int | None = None,
    lang: str = "en",
    sandbox: Sandbox | None = None,
    root: Path | None = None,
    while_running: Callable[[], None] | None = None,
) -> GradeRecord:
    """``grade`` without the pydantic document (``grader._record``): what the text report needs.

    The CLI may have launched this very grade before it loaded (``grader._early``); then that
    process, and the source it was given, are used.
    """
    from grader import _early

    started = None
    if sandbox is None and root is None:
        started = _early.claim(exercise_id, submission)
    if started is None:
        started = launch(exercise_id, submission, sandbox, root)
    source, sandbox, running, exercise, t0 = (
        started.source,
        started.sandbox,
        started.running,
        started.exercise,
        started.t0,
    )
    try:
        if exercise.forbidden:
            from grader._forbidden import forbidden_uses

            uses = forbidden_uses(source.text, exercise.forbidden)
            if uses:
                running.cancel()
                from grader._report._build import forbidden_record

                return forbidden_record(
                    exercise,
                    submission,
                    source,
                    uses,
                    seed,
                    lang,
                    sandbox.level,
                    time.perf_counter() - t0,
                )
        from grader._checks import spec_for  # numpy: imported while the child imports too

        spec = spec_for(exercise.id)
        if spec is None:
            raise GradingError(
                f"exercise '{exercise.id}' has no checks in this version of the grader"
            )
        import numpy as np

        from grader._checks import Suite

        if seed is None:
            import secrets  # here, not at the top: hmac/hashlib would delay the sandbox's start

            seed = secrets.randbits(31)
        suite = Suite()
        spec.build(suite, np.random.default_rng(seed))
        plan = suite.builder.plan()
    except BaseException:
        running.cancel()
        raise

    def prepare() -> None:
        suite.prepare(spec, plan)
        import grader._report._build  # noqa: F401  (its imports: paid while the child runs)

        if while_running is not None:
            while_running()

    run = running.finish(plan, meanwhile=prepare)
    from grader._report._build import build_record

    return build_record(
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


def grade_batch(
    exercise_id: str,
    submissions: list[Path],
    *,
    jobs: int = 1,
    seed: int | None = None,
    lang: str = "en",
    root: Path | None = None,
) -> list[GradeResult]:
    """Grade several submissions with pre-forked workers; one result per submission, in order.

    Reference outputs are computed once; each submission still runs isolated from the others.
    """
    from grader._batch import grade_many

    return grade_many(exercise_id, submissions, jobs=jobs, seed=seed, lang=lang, root=root)
