"""``mlprep grade``: exit codes, formats, languages, folders, notebooks, golden reports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlprep.cli import cli

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).with_name("corpus")
GOLDEN = Path(__file__).with_name("golden")
SOLUTION = REPO / "reference" / "solutions" / "batchnorm_forward.py"


def grade(*args: str):
    return CliRunner().invoke(cli, ["grade", *args])


def test_passing_submission_exits_0(grader_bank, reference):
    r = grade("batchnorm-forward", str(SOLUTION), "--seed", "5")
    assert r.exit_code == 0, r.output
    assert "All checks passed." in r.output
    assert "seed 5" in r.output


def test_failing_submission_exits_1_and_explains_the_first_failure(grader_bank, reference):
    r = grade("batchnorm-forward", str(CORPUS / "batchnorm-forward" / "unbiased_variance.py"))
    assert r.exit_code == 1
    assert "Likely mistake: normalized with the unbiased variance." in r.output
    assert "hint:" in r.output and "ddof=0" in r.output


@pytest.mark.parametrize("name", ["syntax_error", "imports_torch", "infinite_loop"])
def test_learner_failures_exit_1(name, grader_bank, reference):
    r = grade("batchnorm-forward", str(CORPUS / "batchnorm-forward" / f"{name}.py"))
    assert r.exit_code == 1, r.output


def test_unknown_exercise_or_missing_file_exit_2(grader_bank, tmp_path):
    r = grade("no-such-exercise", str(SOLUTION))
    assert r.exit_code == 2
    assert "no exercise with id 'no-such-exercise'" in r.output
    r = grade("batchnorm-forward", str(tmp_path / "nope.py"))
    assert r.exit_code == 2
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"\xff\xfe not utf-8")
    r = grade("batchnorm-forward", str(bad))
    assert r.exit_code == 2 and "not UTF-8" in r.output


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_messages_in_the_learners_language(lang, grader_bank, reference):
    r = grade(
        "batchnorm-forward",
        str(CORPUS / "batchnorm-forward" / "eps_outside_sqrt.py"),
        "--lang",
        lang,
        "--format",
        "json",
    )
    doc = json.loads(r.output)
    failed = [c for c in doc["checks"] if not c["passed"]]
    # the whole document in the message: this once failed in a full CI run and did not reproduce
    assert failed and all(c["diagnosis"] == "eps-outside-sqrt" for c in failed), json.dumps(
        {k: doc[k] for k in ("status", "seed", "sandbox")} | {"failed": failed}, ensure_ascii=False
    )
    expected = "可能的错误" if lang == "zh-Hans" else "可能的錯誤"
    assert failed[0]["message"].startswith(expected)
    assert "平方根" in failed[0]["hint"]


def test_the_seed_reproduces_a_run(grader_bank, reference):
    path = str(CORPUS / "batchnorm-forward" / "momentum_flipped.py")
    a = json.loads(grade("batchnorm-forward", path, "--seed", "77", "--format", "json").output)
    b = json.loads(grade("batchnorm-forward", path, "--seed", "77", "--format", "json").output)
    for doc in (a, b):
        doc["duration_s"] = 0
    assert a == b


def test_a_folder_grades_every_file_one_json_per_line(grader_bank, reference, tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a.py").write_text(SOLUTION.read_text())
    (folder / "b.py").write_text((CORPUS / "batchnorm-forward" / "eps_missing.py").read_text())
    (folder / "notes.txt").write_text("not a submission")
    r = grade("batchnorm-forward", str(folder), "--format", "json")
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert [(d["submission"], d["passed"]) for d in lines] == [("a.py", True), ("b.py", False)]
    assert r.exit_code == 1


def test_a_notebook_is_graded_from_its_code_cells(grader_bank, reference, tmp_path):
    code = SOLUTION.read_text()
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["# My batch norm\n"]},
            {"cell_type": "code", "source": ["%matplotlib inline\n", "!pip install nothing\n"]},
            {"cell_type": "code", "source": ["%%timeit\n", "x = 1\n"]},
            {"cell_type": "code", "source": code.splitlines(keepends=True)},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "work.ipynb"
    path.write_text(json.dumps(nb))
    r = grade("batchnorm-forward", str(path))
    assert r.exit_code == 0, r.output


def test_an_error_in_a_notebook_names_its_cell(grader_bank, reference, tmp_path):
    nb = {
        "cells": [
            {"cell_type": "code", "source": "import numpy as np\n"},
            {"cell_type": "code", "source": "%load_ext foo\nx = 1\ny = 1 / 0\n"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "crash.ipynb"
    path.write_text(json.dumps(nb))
    doc = json.loads(grade("batchnorm-forward", str(path), "--format", "json").output)
    assert doc["status"] == "error"
    assert (doc["error"]["cell"], doc["error"]["cell_line"]) == (2, 3)


def _normalise(text: str) -> str:
    return text.replace(str(REPO), "<repo>")


@pytest.mark.parametrize(
    ("name", "fmt", "lang"),
    [
        ("unbiased_variance", "text", "en"),
        ("unbiased_variance", "json", "en"),
        ("no_mean_path", "text", "zh-Hant"),
    ],
)
def test_golden_reports(name, fmt, lang, grader_bank, reference, monkeypatch):
    """Reports as a learner sees them. Regenerate with MLPREP_UPDATE_GOLDEN=1 after a deliberate
    change and review the diff."""
    monkeypatch.setenv("MLPREP_SANDBOX", "process")  # the result names it: same on every machine
    exercise = "batchnorm-forward" if name != "no_mean_path" else "batchnorm-backward"
    r = grade(
        exercise,
        str(CORPUS / exercise / f"{name}.py"),
        "--seed",
        "42",
        "--format",
        fmt,
        "--lang",
        lang,
    )
    out = r.output
    if fmt == "json":
        doc = json.loads(out)
        doc["duration_s"] = 0.0
        doc["stderr"] = "<stderr: numpy warnings with installation paths>" if doc["stderr"] else ""
        out = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    golden = GOLDEN / f"{exercise}.{name}.{lang}.{fmt}"
    if os.environ.get("MLPREP_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(_normalise(out))
    assert _normalise(out) == golden.read_text()


def test_watch_grades_again_on_save_and_stops_on_ctrl_c(grader_bank, reference, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    import sys

    sub = tmp_path / "sol.py"
    sub.write_text((CORPUS / "batchnorm-forward" / "eps_missing.py").read_text())
    env = {**os.environ, "MLPREP_BANK": str(grader_bank), "PYTHONPATH": str(REPO)}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mlprep", "grade", "batchnorm-forward", str(sub), "--watch"],
        env=env,
        cwd=str(REPO),
        encoding="utf-8",
        timeout=60,
    )
    child.expect("Likely mistake: eps is missing")
    child.expect("watching")
    sub.write_text(SOLUTION.read_text())
    child.expect("All checks passed")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
