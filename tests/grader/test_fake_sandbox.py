"""The swap point: any ``Sandbox`` can run the job; the checks and reports only see RunResult.

A fake sandbox that reports a limit without running anything shows how each learner failure
becomes a status, a message and an exit code, independent of the real process machinery.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import grade
from grader._sandbox import Job, Plan, Running, RunResult, Sandbox, SubmissionError

REPO = Path(__file__).resolve().parents[2]
SOLUTION = REPO / "reference" / "solutions" / "batchnorm_forward.py"


class FakeRunning(Running):
    def __init__(self, result: RunResult, seen: list):
        self.result, self.seen = result, seen

    def configure(self, job: Job) -> None:
        self.seen.append(job)

    def finish(self, plan: Plan, meanwhile=None) -> RunResult:
        self.seen.append(plan)
        if meanwhile is not None:
            meanwhile()
        return self.result


class FakeSandbox(Sandbox):
    level = "fake"

    def __init__(self, result: RunResult):
        self.result, self.seen = result, []

    def start(self, source: str) -> Running:
        self.seen.append(source)
        return FakeRunning(self.result, self.seen)


@pytest.mark.parametrize(
    ("run", "status", "words"),
    [
        (
            RunResult("timeout", error=SubmissionError("Timeout", "no result")),
            "timeout",
            "Time limit",
        ),
        (RunResult("memory"), "memory", "Memory limit"),
        (
            RunResult(
                "forbidden", error=SubmissionError("ForbiddenImport", "import of 'torch'", 3)
            ),
            "forbidden",
            "line 3",
        ),
        (RunResult("missing", missing=["batchnorm_forward"]), "error", "batchnorm_forward"),
        (
            RunResult("crashed", error=SubmissionError("Crash", "killed by signal 11")),
            "error",
            "signal 11",
        ),
    ],
)
def test_learner_failures_become_statuses(run, status, words, grader_bank, reference):
    sandbox = FakeSandbox(run)
    result = grade("batchnorm-forward", SOLUTION, seed=1, sandbox=sandbox)
    assert result.status == status and not result.passed
    assert words in result.message
    assert result.sandbox == "fake"
    assert all(not c.passed for c in result.checks)  # nothing ran, so nothing passed
    source, job, plan = sandbox.seen
    assert source == SOLUTION.read_text()
    assert job.entry_points == ("batchnorm_forward",) and job.allowed_imports == ("numpy",)
    assert plan.steps and plan.arrays


def test_a_fabricated_ok_status_without_outputs_passes_nothing(grader_bank, reference):
    """The run's own status never decides a verdict: only outputs compared with the reference."""
    result = grade("batchnorm-forward", SOLUTION, seed=1, sandbox=FakeSandbox(RunResult("ok")))
    assert result.status == "failed" and result.score == 0.0
