"""Grading a class: a folder of learners, --jobs, JSON lines, --csv, and a Dask cluster."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader._result import GradeResult
from mlprep.cli import cli

REPO = Path(__file__).resolve().parent.parent.parent
EXERCISE = "batchnorm-forward"
SOLUTION = REPO / "reference" / "solutions" / "batchnorm_forward.py"
STARTER = REPO / "exercises" / EXERCISE / "starter.py"
EXPECTED = {
    "alice.py": "passed",
    "bob.py": "failed",  # the starter
    "carol.py": "error",  # syntax error
    "dave/work.py": "passed",  # a learner's folder with one file
    "eve": "error",  # a folder with two candidate files and neither named submission.py
    "frank/submission.py": "failed",  # a folder that names its submission
}


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    d = tmp_path / "class"
    d.mkdir()
    shutil.copyfile(SOLUTION, d / "alice.py")
    shutil.copyfile(STARTER, d / "bob.py")
    (d / "carol.py").write_text("import numpy as np\n\ndef batchnorm_forward(x:\n    pass\n")
    (d / "dave").mkdir()
    shutil.copyfile(SOLUTION, d / "dave" / "work.py")
    (d / "eve").mkdir()
    shutil.copyfile(SOLUTION, d / "eve" / "a.py")
    shutil.copyfile(SOLUTION, d / "eve" / "b.py")
    (d / "frank").mkdir()
    shutil.copyfile(STARTER, d / "frank" / "submission.py")
    shutil.copyfile(SOLUTION, d / "frank" / "notes.py")
    (d / "README.txt").write_text("not a submission")
    return d


def _cli(*args: str):
    return CliRunner().invoke(cli, ["grade", *args], catch_exceptions=False)


def test_a_folder_grades_every_learner_in_parallel_as_json_lines_and_csv(
    klass: Path, tmp_path: Path
) -> None:
    out_csv = tmp_path / "grades.csv"
    res = _cli(
        EXERCISE,
        str(klass),
        "--jobs",
        "2",
        "--format",
        "json",
        "--seed",
        "7",
        "--csv",
        str(out_csv),
    )
    assert res.exit_code == 1, res.output  # not everyone passed
    results = [GradeResult.model_validate_json(line) for line in res.output.splitlines()]
    assert {r.submission: r.status for r in results} == EXPECTED
    assert [r.submission for r in results] == sorted(EXPECTED)  # name order, not finish order
    assert {r.seed for r in results} == {7}
    by_name = {r.submission: r for r in results}
    assert by_name["carol.py"].error.line == 3
    assert "2 candidate files" in by_name["eve"].message
    with open(out_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    assert {row["submission"]: row["status"] for row in rows} == EXPECTED
    bob = next(row for row in rows if row["submission"] == "bob.py")
    assert bob["failed_checks"].split() == [c.id for c in by_name["bob.py"].checks if not c.passed]


def test_a_batch_gives_the_same_verdicts_as_single_grades(klass: Path) -> None:
    from grader._batch import grade_many, learners
    from grader._grade import grade

    batch = {r.submission: r for r in grade_many(EXERCISE, learners(klass), jobs=2, seed=11)}
    for name in ("alice.py", "bob.py", "carol.py"):
        single = grade(EXERCISE, klass / name, seed=11)
        assert batch[name].status == single.status
        assert batch[name].points == single.points
        assert [c.passed for c in batch[name].checks] == [c.passed for c in single.checks]
        assert batch[name].message == single.message


def test_text_output_is_one_line_per_learner(klass: Path) -> None:
    res = _cli(EXERCISE, str(klass), "--seed", "3")
    lines = res.output.splitlines()
    assert [ln.split(":")[0] for ln in lines] == sorted(EXPECTED)
    assert lines[0].startswith("alice.py: passed 12/12")


def test_batch_options_need_a_folder(klass: Path) -> None:
    res = CliRunner().invoke(cli, ["grade", EXERCISE, str(klass / "alice.py"), "--csv", "x.csv"])
    assert res.exit_code == 2 and "need a folder" in res.output


def test_a_dask_cluster_grades_the_same_class(klass: Path) -> None:
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        res = _cli(
            EXERCISE,
            str(klass),
            "--format",
            "json",
            "--seed",
            "7",
            "--scheduler",
            cluster.scheduler_address,
        )
    results = [GradeResult.model_validate_json(line) for line in res.output.splitlines()]
    assert {r.submission: r.status for r in results} == EXPECTED
    assert {r.seed for r in results} == {7}
    assert res.exit_code == 1


def test_an_unreachable_scheduler_is_a_clean_error(klass: Path) -> None:
    from grader._batch import learners
    from grader._distributed import grade_distributed
    from mlprep._errors import GradingError

    with pytest.raises(GradingError, match="cannot reach the Dask scheduler"):
        list(grade_distributed(EXERCISE, learners(klass), "tcp://127.0.0.1:9", timeout_s=1))


def test_learner_text_cannot_inject_formulas_or_terminal_controls(tmp_path: Path) -> None:
    d = tmp_path / "class"
    d.mkdir()
    evil = "=HYPERLINK(1)\x1b[2J.py"
    (d / evil).write_text("raise ValueError('@SUM(1) \\x1b]0;pwned\\x07')\n")
    out_csv = tmp_path / "g.csv"
    res = _cli(EXERCISE, str(d), "--seed", "1", "--csv", str(out_csv))
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert res.output.startswith("=HYPERLINK(1)?[2J.py: error")
    with open(out_csv, newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["submission"] == "'=HYPERLINK(1)?[2J.py"
    assert "\x1b" not in row["message"] and "@SUM(1)" in row["message"]
