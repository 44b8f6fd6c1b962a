"""The swap point for running a submission: a tiny ABC, like httpx's ``BaseTransport``.

    Sandbox.run(job) -> RunResult       run job.plan against job.source, collect the outputs
    Sandbox.start(source) -> Running    the same in three parts, to spawn early: the process
    Running.configure(job)              imports numpy while the grader loads the exercise, then
    Running.finish(plan) -> RunResult   the submission while the grader builds the inputs

A stronger sandbox (bubblewrap, seccomp, pre-forked workers) implements ``start``; the checks only
ever see ``RunResult``. Learner failures are data in ``RunResult.status``, never exceptions.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

RunStatus = Literal["ok", "error", "syntax", "missing", "forbidden", "timeout", "memory", "crashed"]


@dataclass(frozen=True)
class Limits:
    time_s: float = 20.0  # wall clock for the whole run, submission import included
    memory_mb: int = 1024  # address space the submission may add on top of its libraries
    output_kb: int = 64  # captured stdout/stderr, each


@dataclass(frozen=True)
class Job:
    """What to run: known before the inputs exist, so the process can start early."""

    source: str  # the submission's Python source (notebooks are converted before)
    entry_points: tuple[str, ...]
    allowed_imports: tuple[str, ...]
    forbidden: tuple[str, ...] = ()  # dotted names the submission may not call (nn.BatchNorm2d)
    torch: bool = False  # pre-import torch in the sandbox (torch exercises only)
    limits: Limits = field(default_factory=Limits)
    plan: Plan | None = None  # may come later, through ``Running.finish``

    def header(self) -> dict[str, Any]:
        """What the harness needs before the plan: the import policy and the limits."""
        return {
            "entry_points": list(self.entry_points),
            "allowed": list(self.allowed_imports),
            "forbidden": list(self.forbidden),
            "torch": self.torch,
            "memory_mb": self.limits.memory_mb,
            "time_s": self.limits.time_s,
        }


@dataclass(frozen=True)
class Plan:
    """The calls to make and their input arrays (they cross as .npy files)."""

    steps: list[dict[str, Any]]
    arrays: dict[str, Any]  # name -> np.ndarray


@dataclass
class SubmissionError:
    type: str
    message: str
    line: int | None = None


@dataclass
class StepResult:
    ok: bool
    ret: Any = None  # decoded value: arrays, lists, dicts, scalars, Opaque
    args: list[Any] = field(default_factory=list)  # the arguments after the call
    kwargs: dict[str, Any] = field(default_factory=dict)
    error: SubmissionError | None = None
    skipped: bool = False  # not run: an earlier step it needs failed


@dataclass
class RunResult:
    status: RunStatus
    steps: dict[str, StepResult] = field(default_factory=dict)
    error: SubmissionError | None = None  # import-time failure, or the reason for the status
    missing: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    duration_s: float = 0.0
    level: str = ""


class Running(abc.ABC):
    @abc.abstractmethod
    def configure(self, job: Job) -> None:
        """Say what the exercise allows: entry points, imports, limits (``job.plan`` unused)."""

    @abc.abstractmethod
    def finish(self, plan: Plan, meanwhile: Callable[[], None] | None = None) -> RunResult:
        """Hand over the plan, call ``meanwhile`` (trusted work) while it runs, collect."""

    def cancel(self) -> None:  # pragma: no cover - default: nothing to clean up
        return None


class Sandbox(abc.ABC):
    level: str = "none"

    @abc.abstractmethod
    def start(self, source: str) -> Running: ...

    def run(self, job: Job) -> RunResult:
        if job.plan is None:
            raise ValueError("run() needs job.plan; use start()/finish() to supply it later")
        running = self.start(job.source)
        running.configure(job)
        return running.finish(job.plan)
