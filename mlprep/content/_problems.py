"""A problem found in a content file, reported as ``path:line:col: severity: message``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
STALE = "stale-translation"  # Problem.code of a translation made from an older source text


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int  # 1-based; 0 when the whole file is meant
    col: int  # 1-based
    severity: Severity
    message: str
    # a stable name for problems other code acts on (the site publishes "stale-translation" pages
    # with a banner); not part of equality, so the same fault found twice is one problem
    code: str | None = field(default=None, compare=False)

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
