"""``grader._early``: the sandbox of ``mlprep grade`` started before the CLI loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import _early

REPO = Path(__file__).resolve().parents[2]
SOLUTION = REPO / "reference" / "solutions" / "batchnorm_backward.py"
CORPUS = Path(__file__).with_name("corpus")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["ex", "f.py"], ["ex", "f.py"]),
        (["ex", "--seed", "3", "f.py", "--format", "json"], ["ex", "f.py"]),
        (["--lang=zh-Hans", "ex", "f.py"], ["ex", "f.py"]),
        (["ex", "f.py", "--watch"], None),  # regrades on save: not this fast path
        (["ex", "f.py", "-j", "2"], None),
        (["ex", "f.py", "--help"], None),
        (["ex", "--", "f.py"], None),
        (["ex"], None),
        (["ex", "f.py", "g.py"], None),
        (["ex", "f.py", "--seed"], None),  # a missing value: click says so, nothing starts
    ],
)
def test_only_a_plain_single_file_grade_is_recognised(args, expected):
    assert _early._positionals(args) == expected


def test_nothing_starts_for_another_program_that_imports_the_cli(monkeypatch):
    """Only ``mlprep grade ...`` itself (console script or ``python -m mlprep``) prestarts."""
    started = []
    monkeypatch.setattr(_early, "prestart", started.append)
    monkeypatch.setattr(sys, "argv", ["/usr/bin/something", "grade", "ex", "f.py"])
    _early.prestart_command_line()
    monkeypatch.setattr(sys, "argv", ["/venv/bin/mlprep", "quiz", "ex", "f.py"])
    _early.prestart_command_line()
    assert started == []
    monkeypatch.setattr(sys, "argv", ["/venv/bin/mlprep", "grade", "ex", "f.py"])
    _early.prestart_command_line()
    main = str(REPO / "mlprep" / "__main__.py")
    monkeypatch.setattr(sys, "argv", [main, "grade", "ex", "f.py", "--seed", "1"])
    _early.prestart_command_line()
    assert started == [["ex", "f.py"], ["ex", "f.py", "--seed", "1"]]


def _mlprep(tmp_path: Path, *args: str, prestart: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "MLPREP_CACHE_DIR": str(tmp_path / "cache"), "TMPDIR": str(tmp_path)}
    env.pop("MLPREP_BANK", None)
    if not prestart:
        env["MLPREP_NO_PRESTART"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "mlprep", "grade", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )


def _leftovers(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("mlprep-grade-"))


@pytest.mark.parametrize(
    "submission", [SOLUTION, CORPUS / "batchnorm-backward" / "missing_backward.py"]
)
def test_a_prestarted_grade_reports_what_a_plain_one_does(reference, tmp_path, submission):
    args = ("batchnorm-backward", str(submission), "--seed", "4", "--format", "json")
    early = _mlprep(tmp_path, *args)
    plain = _mlprep(tmp_path, *args, prestart=False)
    assert early.returncode == plain.returncode, early.stderr + plain.stderr
    a, b = json.loads(early.stdout), json.loads(plain.stdout)
    a.pop("duration_s"), b.pop("duration_s")
    assert a == b
    assert a["sandbox"].startswith(("bwrap", "process"))
    assert _leftovers(tmp_path) == []


def test_a_prestart_nobody_claims_is_cancelled_at_exit(reference, tmp_path):
    """click rejects --format after the sandbox started: the process ends, its folder goes."""
    r = _mlprep(tmp_path, "batchnorm-backward", str(SOLUTION), "--format", "nope")
    assert r.returncode == 2
    assert "Invalid value for '--format'" in r.stderr
    assert _leftovers(tmp_path) == []


def test_an_error_met_early_is_reported_once_and_as_before(reference, tmp_path):
    early = _mlprep(tmp_path, "no-such-exercise", str(SOLUTION))
    plain = _mlprep(tmp_path, "no-such-exercise", str(SOLUTION), prestart=False)
    assert early.returncode == plain.returncode == 2
    assert early.stderr == plain.stderr
    assert early.stderr.count("no exercise with id 'no-such-exercise'") == 1
    assert _leftovers(tmp_path) == []


def test_grade_record_uses_the_claimed_launch_and_its_source(reference, tmp_path, monkeypatch):
    """The source read at prestart is the one graded, even if the file changes meanwhile."""
    monkeypatch.delenv("MLPREP_BANK", raising=False)
    monkeypatch.setenv("MLPREP_CACHE_DIR", str(tmp_path / "cache"))
    sub = tmp_path / "sub.py"
    sub.write_text(SOLUTION.read_text())
    _early.prestart(["batchnorm-backward", str(sub)])
    assert list(_early._pending) == [("batchnorm-backward", str(sub))]
    sub.write_text("this is not python\n")  # saved again after the launch
    from grader._grade import grade_record

    rec = grade_record("batchnorm-backward", sub, seed=2)
    assert rec.status == "passed", rec.message
    assert _early._pending == {}
    rec = grade_record("batchnorm-backward", sub, seed=2)  # claimed once: now a fresh launch
    assert rec.status == "error"
