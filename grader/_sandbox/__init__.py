"""Run a submission in isolation: ``Sandbox`` is the swap point.

Layers (docs/security.md): ``ProcessSandbox`` (everywhere), ``BwrapSandbox`` (Linux, namespaces,
seccomp), ``ForkedSandbox`` (either, forked from a pre-started zygote: batches);
``default_sandbox()`` picks the strongest that a start-up probe finds working.

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
    "BwrapSandbox",
    "ForkedSandbox",
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
    "default_sandbox",
    "load_npy",
    "probe",
]

_LAZY = {  # stronger layers: imported on first use (bwrap reads package metadata)
    "BwrapSandbox": "grader._sandbox._bwrap",
    "ForkedSandbox": "grader._sandbox._forked",
    "default_sandbox": "grader._sandbox._probe",
    "probe": "grader._sandbox._probe",
}


def __getattr__(name: str) -> Any:
    if name in ("Bad", "Opaque", "load_npy"):
        from grader._sandbox import _decode

        return getattr(_decode, name)
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
