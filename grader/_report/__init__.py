"""Report a GradeResult: text for a terminal, JSON, Gradescope results.json, JUnit XML."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader._record import GradeRecord
    from grader._result import GradeResult

FORMATS = ("text", "json", "gradescope", "junit")


def render(result: GradeResult | GradeRecord, fmt: str, color: bool | None = None) -> str:
    """``result``: a document, or (text, json, gradescope, junit alike) a plain record."""
    if fmt == "text":
        from grader._report._text import render_text

        return render_text(result, color=color)
    from grader._record import GradeRecord, to_result
    from grader._report import _formats

    if isinstance(result, GradeRecord):
        result = to_result(result)
    if fmt == "json":
        return _formats.to_json(result) + "\n"
    if fmt == "gradescope":
        return _formats.to_gradescope(result) + "\n"
    if fmt == "junit":
        return _formats.to_junit(result)
    raise ValueError(f"unknown format {fmt}")
