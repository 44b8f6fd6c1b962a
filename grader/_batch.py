"""Grade a whole class: every submission in a folder, in parallel, each in its own sandbox.

    learners(folder)            each .py/.ipynb file, or each sub-folder, is one learner
    prepare(exercise, seed)     the exercise, its checks, inputs and reference outputs: once
    grade_prepared(prep, ...)   one submission against a prepared exercise
    grade_many(exercise, ...)   all of them, ``jobs`` at a time, results in input order

Per-submission cost is what is left once the shared work is done once: the exercise and the
reference outputs (one seed for the batch, printed in every result), and the interpreter with
numpy already imported (``ForkedSandbox``: one zygote per parallel job forks a fresh, limited
child per submission). A crash, time-out or kill of one submission is data in its own result
and never touches another's: each child has its own directory, and a zygote a submission
killed is replaced before the next job.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlprep._errors import GradingError

if TYPE_CHECKING:
    from grader._result import GradeResult
    from grader._sandbox import Job, Plan, Sandbox

SUFFIXES = (".py", ".ipynb")
PREFERRED = ("submission", "solution", "main")


@dataclass(frozen=True)
class Learner:
    name: str  # file name, or "folder/file" for a learner's sub-folder
    path: Path | None  # None: no single submission file could be picked (``problem`` says why)
    problem: str = ""


def learners(folder: Path) -> list[Learner]:
    """The submissions in ``folder``: its .py/.ipynb files and one file per sub-folder
    (the only one, else ``submission``/``solution``/``main``); sorted by name."""
    out: list[Learner] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix in SUFFIXES:
            out.append(Learner(entry.name, entry))
        elif entry.is_dir():
            files = sorted(p for p in entry.iterdir() if p.is_file() and p.suffix in SUFFIXES)
            pick = files if len(files) == 1 else [p for p in files if p.stem in PREFERRED][:1]
            if pick:
                out.append(Learner(f"{entry.name}/{pick[0].name}", pick[0]))
            else:
                why = "no .py or .ipynb file" if not files else f"{len(files)} candidate files"
                out.append(Learner(entry.name, None, f"{why}; name one submission.py"))
    return out


@dataclass
class Prepared:
    """An exercise ready to grade many submissions: checks, inputs and reference outputs."""

    exercise: Any
    spec: Any
    suite: Any
    plan: Plan
    job: Job
    seed: int


def prepare(exercise_id: str, seed: int | None = None, root: Path | None = None) -> Prepared:
    import numpy as np

    from grader._checks import Suite, spec_for
    from grader._exercise import load_exercise
    from grader._sandbox import Job, Limits

    exercise = load_exercise(exercise_id, root)
    spec = spec_for(exercise.id)
    if spec is None:
        raise GradingError(f"exercise '{exercise.id}' has no checks in this version of the grader")
    seed = secrets.randbits(31) if seed is None else seed
    suite = Suite()
    spec.build(suite, np.random.default_rng(seed))
    plan = suite.builder.plan()
    suite.prepare(spec, plan)
    job = Job(
        source="",
        entry_points=tuple(exercise.entry_points),
        allowed_imports=tuple(exercise.allowed_imports),
        forbidden=tuple(exercise.forbidden),
        torch=exercise.torch,
        limits=Limits(exercise.time_s, exercise.memory_mb, exercise.output_kb),
    )
    return Prepared(exercise, spec, suite, plan, job, seed)


_REPORT_LOCK = threading.Lock()  # checks and diagnosis are not written for concurrent use


def unreadable(prep: Prepared, name: str, message: str, level: str) -> GradeResult:
    """The result for a submission that could not even be read (too big, not UTF-8...)."""
    from grader._result import GradeResult

    return GradeResult(
        exercise=prep.exercise.id,
        submission=name,
        status="error",
        passed=False,
        score=0.0,
        points=0.0,
        max_points=sum(c.points for c in prep.suite.checks),
        message=message,
        seed=prep.seed,
        sandbox=level,
        duration_s=0.0,
    )


def grade_prepared(
    prep: Prepared, learner: Learner, sandbox: Sandbox, lang: str = "en"
) -> GradeResult:
    from dataclasses import replace

    from grader._report._build import build_result
    from grader._submission import read_submission

    t0 = time.perf_counter()
    if learner.path is None:
        return unreadable(prep, learner.name, learner.problem, sandbox.level)
    try:
        source = read_submission(learner.path)
    except GradingError as exc:
        return unreadable(prep, learner.name, str(exc), sandbox.level)
    if prep.exercise.forbidden:  # the same static pass as a single grade, before anything runs
        from grader._forbidden import forbidden_uses
        from grader._report._build import forbidden_result

        uses = forbidden_uses(source.text, prep.exercise.forbidden)
        if uses:
            result = forbidden_result(
                prep.exercise,
                learner.path,
                source,
                uses,
                prep.seed,
                lang,
                sandbox.level,
                time.perf_counter() - t0,
            )
            return result.model_copy(update={"submission": learner.name})
    running = sandbox.start(source.text)
    running.configure(replace(prep.job, source=source.text))
    run = running.finish(prep.plan)
    with _REPORT_LOCK:
        result = build_result(
            prep.exercise,
            learner.path,
            source,
            prep.spec,
            prep.suite,
            prep.plan,
            run,
            prep.seed,
            lang,
            sandbox.level,
            time.perf_counter() - t0,
        )
    return result.model_copy(update={"submission": learner.name})


def sandbox_factory(kind: str | None = None) -> Callable[[], Sandbox]:
    """Sandboxes for a batch: forked from a zygote; ``kind`` "process" forces the plain layer."""
    import os

    from grader._sandbox._forked import ForkedSandbox
    from grader._sandbox._probe import ENV_VAR, default_sandbox

    kind = kind or os.environ.get(ENV_VAR) or "auto"
    bwrap = default_sandbox(kind).level != "process"  # raises if "bwrap" was asked and is missing
    return lambda: ForkedSandbox(bwrap=bwrap)


def iter_grades(
    prep: Prepared,
    subs: list[Learner],
    *,
    jobs: int = 1,
    lang: str = "en",
    sandbox: str | None = None,
    make: Callable[[], Sandbox] | None = None,
) -> Iterator[GradeResult]:
    """Results in input order, each as soon as it and those before it are done.

    Each worker thread gets its own sandbox from ``make`` (default: ``sandbox_factory``).
    """
    make = make or sandbox_factory(sandbox)
    local = threading.local()
    made: list[Any] = []
    lock = threading.Lock()

    def one(learner: Learner) -> GradeResult:
        sb = getattr(local, "sandbox", None)
        if sb is None:
            sb = local.sandbox = make()
            with lock:
                made.append(sb)
        return grade_prepared(prep, learner, sb, lang)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        try:
            yield from pool.map(one, subs)
        finally:
            for sb in made:
                close = getattr(sb, "close", None)
                if close is not None:
                    close()


def grade_many(
    exercise_id: str,
    subs: list[Learner] | list[Path],
    *,
    jobs: int = 1,
    seed: int | None = None,
    lang: str = "en",
    sandbox: str | None = None,
    root: Path | None = None,
) -> list[GradeResult]:
    items = [s if isinstance(s, Learner) else Learner(s.name, s) for s in subs]
    prep = prepare(exercise_id, seed, root)
    return list(iter_grades(prep, items, jobs=jobs, lang=lang, sandbox=sandbox))


CSV_FIELDS = (
    "submission",
    "status",
    "passed",
    "score",
    "points",
    "max_points",
    "message",
    "failed_checks",
    "sandbox",
    "seed",
    "duration_s",
)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Learner-controlled text (file names, exception messages) without terminal controls."""
    return _CONTROL.sub("?", text)


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ is quoted."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def write_csv(path: Path, results: list[GradeResult]) -> None:
    """One row per submission: a gradebook, not the full report (that is --format json)."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        w.writeheader()
        for r in results:
            row = {k: getattr(r, k) for k in CSV_FIELDS if k != "failed_checks"}
            row["failed_checks"] = " ".join(c.id for c in r.checks if not c.passed)
            w.writerow({k: _cell(v) for k, v in row.items()})
