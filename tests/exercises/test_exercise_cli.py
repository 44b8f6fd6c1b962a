"""``mlprep exercises``: list, show, start, through the root command as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from exercise_helpers import EXERCISE_IDS

from mlprep._exercises import STATEMENT_FILE, SUBMISSION_FILE, terminal_markdown
from mlprep.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_list_json_has_the_promised_fields(runner, bank):
    result = runner.invoke(cli, ["exercises", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert {r["id"] for r in records} == set(bank.exercises)
    for r in records:
        ex = bank.exercises[r["id"]]
        assert r["kind"] == ex.kind
        assert r["title"] == {code: text.title for code, text in ex.locales.items()}
        assert set(r["title"]) == {"en", "zh-Hans", "zh-Hant"}
        assert r["allowed_imports"] == ex.allowed_imports
        assert r["difficulty"] == ex.difficulty
        assert r["tags"] == ex.tags
        assert r["points"] == ex.points
        assert r["entry_points"] == ex.entry_points
    difficulties = [r["difficulty"] for r in records]
    assert difficulties == sorted(difficulties, key=["easy", "medium", "hard"].index)


def test_list_text_in_a_locale(runner, bank):
    result = runner.invoke(cli, ["exercises", "list", "--lang", "zh-Hant"])
    assert result.exit_code == 0, result.output
    for xid in EXERCISE_IDS:
        assert xid in result.output
    assert "批次正規化" in result.output


def test_unknown_locale_is_a_usage_error(runner):
    result = runner.invoke(cli, ["exercises", "list", "--lang", "fr"])
    assert result.exit_code == 2
    assert "unknown locale 'fr'" in result.output


def test_show_renders_statement_hints_and_grade_command(runner, bank):
    ex = bank.exercises["batchnorm-backward"]
    result = runner.invoke(cli, ["exercises", "show", "batchnorm-backward", "--lang", "zh-Hans"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert ex.locales["zh-Hans"].title in out
    assert "本练习包含前向传播" in out
    assert "hints" in out and "dbeta" in out
    assert "mlprep grade batchnorm-backward FILE" in out
    assert "batchnorm_backward_alt" in out


@pytest.mark.parametrize("command", ["show", "start"])
def test_unknown_id_exits_2_with_one_clean_line(runner, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["exercises", command, "batchnorm-foward"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: no exercise with id 'batchnorm-foward' (did you mean 'batchnorm-forward', "
        "'batchnorm-backward', 'torch-batchnorm2d'?); 'mlprep exercises list' shows them all"
    ]
    assert list(tmp_path.iterdir()) == []


def test_start_writes_starter_and_statement(runner, bank, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["exercises", "start", "layernorm", "--lang", "zh-Hant"])
    assert result.exit_code == 0, result.output
    folder = Path("layernorm")  # default: ./<id>
    starter = bank.exercise_dir("layernorm") / "starter.py"
    assert (folder / SUBMISSION_FILE).read_bytes() == starter.read_bytes()
    statement = (folder / STATEMENT_FILE).read_text("utf-8")
    assert statement.startswith("# 層正規化：前向與反向傳播\n")
    assert "mlprep grade layernorm submission.py" in statement
    assert f"mlprep grade layernorm {folder / SUBMISSION_FILE}" in result.output
    assert "next steps" in result.output


def test_start_into_a_named_nested_folder(runner, tmp_path):
    target = tmp_path / "work" / "bn"
    result = runner.invoke(cli, ["exercises", "start", "bn-fold", str(target)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == [STATEMENT_FILE, SUBMISSION_FILE]


@pytest.mark.parametrize("existing", [SUBMISSION_FILE, STATEMENT_FILE])
def test_start_never_overwrites(runner, tmp_path, existing):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / existing).write_text("my work\n")
    result = runner.invoke(cli, ["exercises", "start", "bn-fold", str(folder)])
    assert result.exit_code == 2
    assert str(folder / existing) in result.output
    assert "nothing was written" in result.output
    assert (folder / existing).read_text() == "my work\n"
    assert [p.name for p in folder.iterdir()] == [existing]  # the other file was not written


def test_start_twice_keeps_the_learners_edits(runner, tmp_path):
    folder = tmp_path / "x"
    assert runner.invoke(cli, ["exercises", "start", "bn-fold", str(folder)]).exit_code == 0
    (folder / SUBMISSION_FILE).write_text("def fold_bn_into_conv(*a): return a\n")
    result = runner.invoke(cli, ["exercises", "start", "bn-fold", str(folder)])
    assert result.exit_code == 2
    assert "already exist" in result.output
    assert (folder / SUBMISSION_FILE).read_text() == "def fold_bn_into_conv(*a): return a\n"


def test_start_into_a_file_is_refused(runner, tmp_path):
    path = tmp_path / "afile"
    path.write_text("x")
    result = runner.invoke(cli, ["exercises", "start", "bn-fold", str(path)])
    assert result.exit_code == 2
    assert "is not a folder" in result.output
    assert path.read_text() == "x"


# ---------------------------------------------------------------------------- terminal math


def test_terminal_markdown_keeps_latex_backslashes():
    md = "Let $a\\,b$ and\n\n$$\\frac{1}{m}\\sum x$$\n\nand `$not math$` and\n```\n$x$\n```\n"
    out = terminal_markdown(md)
    assert "`a\\,b`" in out
    assert "```\n\\frac{1}{m}\\sum x\n```" in out
    assert "`$not math$`" in out  # code spans untouched
    assert "```\n$x$\n```" in out  # fenced code untouched
