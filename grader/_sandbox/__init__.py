"""Run a submission in isolation: ``Sandbox`` is the swap point, ``ProcessSandbox`` the default.

Importing this package does not import numpy (the process must start before that cost is paid);
the decoding helpers load on first use.
"""

from typing import Any

from grader._sandbox._base import (
    Job,
    Limits,
    Plan,
    Running,
    RunResult,
    Sandbox,
    StepResult,
    SubmissionError,
)
from grader._sandbox._process import ProcessSandbox

__all__ = [
    "Bad",
    "Job",
    "Limits",
    "Opaque",
    "Plan",
    "ProcessSandbox",
    "RunResult",
    "Running",
    "Sandbox",
    "StepResult",
    "SubmissionError",
    "load_npy",
]


def __getattr__(name: str) -> Any:
    if name in ("Bad", "Opaque", "load_npy"):
        from grader._sandbox import _decode

        return getattr(_decode, name)
    raise AttributeError(name)
