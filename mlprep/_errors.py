"""The exceptions mlprep raises on purpose.

    MlprepError                  root; the CLI turns it into one clean line and an exit code
    ├── ContentError             the bank or an exercise cannot be loaded (carries Problems)
    ├── NotFoundError            an id that names no question or exercise
    ├── ProgressError            the progress database is corrupt, too new, or locked
    ├── GradingError             a submission could not be graded (not: it failed its checks)
    └── SiteError                the study site could not be built

A learner's mistake in a submission is never an exception: it is data in the grading result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlprep.content._problems import Problem


class MlprepError(Exception):
    """Root of every error mlprep raises on purpose."""

    exit_code = 2


class ContentError(MlprepError):
    """Content files failed to load; ``problems`` says where and why."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        first = errors[0].format() if errors else "invalid content"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class NotFoundError(MlprepError):
    """No question or exercise has this id."""


class ProgressError(MlprepError):
    """The progress database cannot be used safely."""


class GradingError(MlprepError):
    """The grader itself could not judge a submission."""


class SiteError(MlprepError):
    """The study site could not be built."""
