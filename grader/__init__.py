"""Judge a submission against the reference and explain every failure.

    run    (grader._sandbox)   the submission runs in a process the grader controls
    check  (grader._checks)    checks generated per exercise, compared with the reference
    report (grader._report)    a versioned GradeResult; text, json, gradescope, junit

Public surface: ``grade``, ``grade_batch``, ``render``, the result models, and the sandbox
swap point (``Sandbox``, ``ProcessSandbox``, ``Job``, ``RunResult``).
"""

from typing import Any

__all__ = [
    "RESULT_VERSION",
    "CheckResult",
    "GradeResult",
    "Job",
    "ProcessSandbox",
    "RunResult",
    "Sandbox",
    "grade",
    "grade_batch",
    "render",
]

_LAZY = {
    "grade": "grader._grade",
    "grade_batch": "grader._grade",
    "render": "grader._report",
    "GradeResult": "grader._result",
    "CheckResult": "grader._result",
    "RESULT_VERSION": "grader._result",
    "Sandbox": "grader._sandbox",
    "ProcessSandbox": "grader._sandbox",
    "Job": "grader._sandbox",
    "RunResult": "grader._sandbox",
}


def __getattr__(name: str) -> Any:  # lazy: `import grader` costs nothing until it is used
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
