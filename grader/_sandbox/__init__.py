"""Run a submission in isolation: ``Sandbox`` is the swap point, ``ProcessSandbox`` the default."""

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
from grader._sandbox._decode import Bad, Opaque, load_npy
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
