"""The grading result: a versioned document (JSON Schema in schemas/result.schema.json).

A learner's failure (syntax error, crash, timeout, forbidden import, a failing check) is data
here, never an exception. ``status`` says what happened overall; ``checks`` say what was checked.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from grader._record import RESULT_VERSION

Status = Literal["passed", "failed", "error", "timeout", "memory", "forbidden"]


class _Model(BaseModel):
    # defer_build: validators and serializers are built on first use, not at import (~0.17 s),
    # so a text report, which only reads attributes, never pays for them. The grader builds
    # results with model_construct from values it typed itself; tests validate every result
    # against this model and its JSON Schema.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Where(_Model):
    """The worst element of a failed output, and how far off it is."""

    output: str
    kind: str  # missing | type | shape | dtype | nan | value | modified
    detail: str = ""
    index: list[int] | None = None
    got: float | None = None
    expected: float | None = None
    abs_err: float | None = None
    rel_err: float | None = None  # abs_err / max|expected|
    tolerance: float | None = None  # the allowed abs_err


class SubmissionErrorInfo(_Model):
    type: str
    message: str
    line: int | None = None  # in the learner's file (notebooks: line in the concatenated code)
    cell: int | None = None  # notebooks: 1-based code cell number
    cell_line: int | None = None


class CheckResult(_Model):
    id: str
    title: str
    passed: bool
    points: float = Field(ge=0)
    max_points: float = Field(ge=0)
    message: str  # what went wrong (empty when passed)
    hint: str | None = None  # how to fix it, when the mistake was recognised
    diagnosis: str | None = None  # id of the recognised mistake
    question: str | None = None  # bank question that explains the concept
    tolerance: str | None = None
    where: list[Where] = Field(default_factory=list)
    error: SubmissionErrorInfo | None = None


class GradeResult(_Model):
    version: Literal["1.0"] = RESULT_VERSION
    exercise: str
    submission: str
    status: Status
    passed: bool
    score: float = Field(ge=0, le=1)
    points: float = Field(ge=0)
    max_points: float = Field(ge=0)
    message: str
    checks: list[CheckResult] = Field(default_factory=list)
    error: SubmissionErrorInfo | None = None
    seed: int
    sandbox: str  # isolation level used, e.g. "process"
    lang: str = "en"
    tolerance_rule: str = ""
    duration_s: float = Field(ge=0)
    stdout: str = ""
    stderr: str = ""
