"""Turn a run and its check outcomes into the result, in the learner's language.

``build_record`` makes plain records (``grader._record``: no pydantic, which the text report
does not need); ``build_result`` makes the ``GradeResult`` document from them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader._checks import Outcome, Spec, Suite
from grader._checks._compare import Mismatch
from grader._i18n import t, title
from grader._record import CheckRecord, ErrorRecord, GradeRecord, WhereRecord, to_result
from grader._sandbox import Plan, RunResult, SubmissionError
from grader._submission import Source

if TYPE_CHECKING:
    from grader._result import GradeResult

RUN_STATUS = {
    "ok": None,
    "syntax": "error",
    "error": "error",
    "missing": "error",
    "crashed": "error",
    "forbidden": "forbidden",
    "timeout": "timeout",
    "memory": "memory",
}
MAX_WHERE = 5


def _err(e: SubmissionError | None, source: Source) -> ErrorRecord | None:
    if e is None:
        return None
    info = ErrorRecord(type=e.type, message=e.message, line=e.line)
    loc = source.lines.locate(e.line)
    if loc is not None:
        info.cell, info.cell_line = loc
    return info


def _at(e: ErrorRecord | None, lang: str) -> str:
    if e is None or e.line is None:
        return ""
    if e.cell is not None:
        return t("at_line", lang, line=f"{e.cell_line}, cell {e.cell}")
    return t("at_line", lang, line=e.line)


def _where(m: Mismatch) -> WhereRecord:
    return WhereRecord(
        output=m.label,
        kind=m.kind,
        detail=m.detail,
        index=list(m.index) if m.index is not None else None,
        got=m.got,
        expected=m.want,
        abs_err=m.abs_err,
        rel_err=m.rel_err,
        tolerance=m.atol,
    )


def mismatch_message(m: Mismatch, lang: str) -> str:
    index = list(m.index) if m.index else "[]"
    if m.kind == "value" and m.index is None and m.abs_err is not None:
        return t("fd", lang, label=m.label, got=m.got, want=m.want, abs_err=m.abs_err, atol=m.atol)
    if m.kind == "value":
        return t(
            "value",
            lang,
            label=m.label,
            index=index,
            got=m.got,
            want=m.want,
            abs_err=m.abs_err,
            rel_err=m.rel_err,
            atol=m.atol,
        )
    return t(m.kind, lang, label=m.label, detail=m.detail, index=index)


def _check_result(
    check, outcome: Outcome, diagnosis: str | None, source: Source, lang: str
) -> CheckRecord:
    err = _err(outcome.error, source)
    if outcome.passed:
        msg = ""
    elif err is not None:
        msg = t("raised", lang, type=err.type, message=err.message, at=_at(err, lang))
    elif outcome.skipped:
        msg = t("skipped", lang)
    else:
        msg = mismatch_message(outcome.mismatches[0], lang)
        if len(outcome.mismatches) > 1:
            msg += f" (+{len(outcome.mismatches) - 1})"
    hint = question = None
    if diagnosis is not None:
        from grader._diagnose._catalog import BY_ID  # only a failure needs the catalog (~7 ms)

        mistake = BY_ID[diagnosis]
        name, hint = mistake.text.get(lang, mistake.text["en"])
        msg = t("mistake", lang, name=name) + " " + msg
        question = mistake.question
    return CheckRecord(
        id=check.id,
        title=title(check.title, lang),
        passed=outcome.passed,
        points=check.points if outcome.passed else 0.0,
        max_points=check.points,
        message=msg,
        hint=hint,
        diagnosis=diagnosis,
        question=question,
        tolerance=outcome.tolerance or None,
        where=[_where(m) for m in outcome.mismatches[:MAX_WHERE]],
        error=err,
    )


def _optional_missing(check, outcome: Outcome) -> bool:
    e = outcome.error
    return bool(
        check.optional_fn
        and e is not None
        and e.type == "AttributeError"
        and check.optional_fn in e.message
    )


def build_result(*args: Any) -> GradeResult:
    """``build_record``'s arguments; the result document."""
    return to_result(build_record(*args))


def forbidden_result(*args: Any) -> GradeResult:
    """``forbidden_record``'s arguments; the result document."""
    return to_result(forbidden_record(*args))


def build_record(
    exercise: Any,
    submission: Path,
    source: Source,
    spec: Spec,
    suite: Suite,
    plan: Plan,
    run: RunResult,
    seed: int,
    lang: str,
    level: str,
    duration: float,
) -> GradeRecord:
    outcomes = [c.evaluate(run.steps) for c in suite.checks]
    main_ok = all(
        o.passed for c, o in zip(suite.checks, outcomes, strict=True) if not c.shape_check
    )
    failed = [
        (c, o)
        for c, o in zip(suite.checks, outcomes, strict=True)
        if not o.passed and not _optional_missing(c, o)
    ]
    diagnoses: dict[str, str] = {}
    if failed:
        from grader._diagnose._engine import diagnose_all

        diagnoses = diagnose_all(
            failed, run.steps, plan.arrays, spec.mistakes, main_ok, exercise.kind
        )
    checks: list[CheckRecord] = []
    for check, outcome in zip(suite.checks, outcomes, strict=True):
        if _optional_missing(check, outcome):
            checks.append(
                CheckRecord(
                    id=check.id,
                    title=title(check.title, lang),
                    passed=True,
                    points=0,
                    max_points=0,
                    message=t("optional", lang, name=check.optional_fn),
                )
            )
            continue
        checks.append(_check_result(check, outcome, diagnoses.get(check.id), source, lang))

    points = sum(c.points for c in checks)
    max_points = sum(c.max_points for c in checks) or 1.0
    failed = [c for c in checks if not c.passed]
    run_err = _err(run.error, source)
    status = RUN_STATUS.get(run.status, "error")
    if status is None:
        status = "failed" if failed else "passed"
    at = _at(run_err, lang)
    if run.status == "syntax":
        message = t("status.syntax", lang, at=at, message=run_err.message if run_err else "")
    elif run.status == "error":
        message = t(
            "status.error",
            lang,
            type=run_err.type if run_err else "Error",
            at=at,
            message=run_err.message if run_err else "",
        )
    elif run.status == "missing":
        message = t("status.missing", lang, names=", ".join(run.missing))
    elif run.status == "forbidden":
        message = t(
            "status.forbidden",
            lang,
            at=at,
            message=run_err.message if run_err else ", ".join(dict.fromkeys(run.forbidden)),
            allowed=", ".join(exercise.allowed_imports),
        )
    elif run.status == "timeout":
        message = t("status.timeout", lang, limit=exercise.time_s)
    elif run.status == "memory":
        message = t("status.memory", lang, limit=exercise.memory_mb)
    elif run.status == "crashed":
        message = t("status.crashed", lang, message=run_err.message if run_err else "")
    elif failed:
        counted = [c for c in checks if c.max_points > 0]
        message = t("status.failed", lang, failed=len(failed), total=len(counted))
    else:
        message = t("status.passed", lang)
    passed = status == "passed"
    return GradeRecord(
        exercise=exercise.id,
        submission=submission.name,
        status=status,
        passed=passed,
        score=round(points / max_points, 6),
        points=points,
        max_points=max_points if checks else 0.0,
        message=message,
        checks=checks,
        error=run_err,
        seed=seed,
        sandbox=level,
        lang=lang,
        tolerance_rule=t("tolerance_rule", lang),
        duration_s=round(duration, 4),
        stdout=run.stdout,
        stderr=run.stderr,
    )


def forbidden_record(
    exercise: Any,
    submission: Path,
    source: Source,
    uses: list[tuple[str, int]],
    seed: int | None,
    lang: str,
    level: str,
    duration: float,
) -> GradeRecord:
    """The submission uses a name the exercise forbids: not run at all."""
    name, line = uses[0]
    err = _err(
        SubmissionError("ForbiddenName", f"{name} is not allowed in this exercise", line), source
    )
    message = t(
        "status.forbidden",
        lang,
        at=_at(err, lang),
        message=err.message,
        allowed=", ".join(exercise.allowed_imports),
    )
    return GradeRecord(
        exercise=exercise.id,
        submission=submission.name,
        status="forbidden",
        passed=False,
        score=0.0,
        points=0.0,
        max_points=0.0,
        message=message,
        error=err,
        seed=seed if seed is not None else 0,
        sandbox=level,
        lang=lang,
        tolerance_rule=t("tolerance_rule", lang),
        duration_s=round(duration, 4),
    )
