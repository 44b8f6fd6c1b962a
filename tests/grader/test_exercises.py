"""Every exercise the grader has checks for: its trusted solution passes, its starter fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader._checks import spec_for

REPO = Path(__file__).resolve().parents[2]
EXERCISES = sorted(
    p.parent.name for p in (REPO / "exercises").glob("*/exercise.yaml") if spec_for(p.parent.name)
)


def test_every_numpy_exercise_has_checks():
    from mlprep.content import collect

    bank, _ = collect(REPO)
    numpy_kinds = {"numpy-function", "numpy-fix"}
    missing = [
        x.id for x in bank.exercises.values() if x.kind in numpy_kinds and not spec_for(x.id)
    ]
    assert missing == []


@pytest.mark.parametrize("xid", EXERCISES)
def test_solution_passes_and_starter_fails(xid: str, monkeypatch, reference):
    from grader import grade

    monkeypatch.setenv("MLPREP_BANK", str(REPO))
    solution = REPO / "reference" / "solutions" / (xid.replace("-", "_") + ".py")
    result = grade(xid, solution, seed=2024)
    assert result.status == "passed", [(c.id, c.message) for c in result.checks if not c.passed]
    assert result.score == 1.0
    starter = grade(xid, REPO / "exercises" / xid / "starter.py", seed=2024)
    assert starter.status != "passed"
    assert starter.score < 0.5


@pytest.mark.parametrize("seed", [0, 1, 99, 123456])
def test_solutions_pass_for_any_seed(seed: int, monkeypatch, reference):
    """Tolerances derived from the reference's own error hold across random inputs."""
    from grader import grade

    monkeypatch.setenv("MLPREP_BANK", str(REPO))
    for xid in ("batchnorm-backward", "layernorm", "groupnorm"):
        solution = REPO / "reference" / "solutions" / (xid.replace("-", "_") + ".py")
        result = grade(xid, solution, seed=seed)
        assert result.passed, (xid, [(c.id, c.message) for c in result.checks if not c.passed])


def test_the_inference_fix_starter_is_diagnosed(monkeypatch, reference):
    from grader import grade

    monkeypatch.setenv("MLPREP_BANK", str(REPO))
    r = grade("bn-inference-fix", REPO / "exercises" / "bn-inference-fix" / "starter.py", seed=3)
    assert {c.diagnosis for c in r.checks if not c.passed} == {"no-running-stats"}
