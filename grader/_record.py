"""The grading result as plain dataclasses: what a grade builds before anyone asks for a document.

``GradeResult`` (``grader._result``) is the versioned, schema'd document, a pydantic model, and
importing pydantic costs ~90 ms: a third of a cold ``mlprep grade``. The text report only reads
attributes, so the grader builds these records (same field names, same defaults, pinned by a
test) and turns them into a ``GradeResult`` with ``to_result`` only when a document is wanted:
the Python API, json, gradescope, junit, batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader._result import GradeResult

RESULT_VERSION = "1.0"


@dataclass
class WhereRecord:
    output: str
    kind: str
    detail: str = ""
    index: list[int] | None = None
    got: float | None = None
    expected: float | None = None
    abs_err: float | None = None
    rel_err: float | None = None
    tolerance: float | None = None


@dataclass
class ErrorRecord:
    type: str
    message: str
    line: int | None = None
    cell: int | None = None
    cell_line: int | None = None


@dataclass
class CheckRecord:
    id: str
    title: str
    passed: bool
    points: float
    max_points: float
    message: str
    hint: str | None = None
    diagnosis: str | None = None
    question: str | None = None
    tolerance: str | None = None
    where: list[WhereRecord] = field(default_factory=list)
    error: ErrorRecord | None = None


@dataclass
class GradeRecord:
    exercise: str
    submission: str
    status: str
    passed: bool
    score: float
    points: float
    max_points: float
    message: str
    seed: int
    sandbox: str
    duration_s: float
    checks: list[CheckRecord] = field(default_factory=list)
    error: ErrorRecord | None = None
    lang: str = "en"
    tolerance_rule: str = ""
    stdout: str = ""
    stderr: str = ""
    version: str = RESULT_VERSION


def _flat(record: object) -> dict[str, object]:
    return {f.name: getattr(record, f.name) for f in fields(record)}  # type: ignore[arg-type]


def to_result(record: GradeRecord) -> GradeResult:
    """The document for ``record``, built without validation like before (the grader typed every
    value itself; tests validate every result against the model and its JSON Schema)."""
    from grader._result import CheckResult, GradeResult, SubmissionErrorInfo, Where

    def err(e: ErrorRecord | None) -> SubmissionErrorInfo | None:
        return None if e is None else SubmissionErrorInfo.model_construct(**_flat(e))

    checks = [
        CheckResult.model_construct(
            **{
                **_flat(c),
                "where": [Where.model_construct(**_flat(w)) for w in c.where],
                "error": err(c.error),
            }
        )
        for c in record.checks
    ]
    return GradeResult.model_construct(
        **{**_flat(record), "checks": checks, "error": err(record.error)}
    )
