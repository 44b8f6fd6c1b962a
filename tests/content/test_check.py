"""`mlprep check`: every fault in a deliberately broken bank is reported at its file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlprep.cli import cli

EXAMPLE = "questions/batchnorm/bn-normalize-step.yaml"


def run_check(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["check", *args])
    assert "Traceback" not in result.output
    return result.exit_code, [line for line in result.stdout.splitlines() if line.strip()]


def line_of(path: Path, needle: str, start: int = 0) -> int:
    """1-based line number of the first line containing ``needle`` (after line ``start``)."""
    for i, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if i > start and needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def test_bundled_bank_is_clean() -> None:
    code, lines = run_check()
    assert lines == []
    assert code == 0


def write_variant(root: Path, name: str, edit) -> Path:
    src = (root / EXAMPLE).read_text("utf-8")
    text = edit(src.replace("id: bn-normalize-step", f"id: {name}"))
    path = root / "questions" / "batchnorm" / f"{name}.yaml"
    path.write_text(text, "utf-8")
    return path


FAULTS = {
    # name: (edit, the text on the line that must be reported, message pattern)
    "unknown-key": (
        lambda s: s.replace("difficulty: easy", "difficulty: easy\nlevel: 3"),
        "level: 3",
        r"unknown key 'level'",
    ),
    "unknown-tag": (
        lambda s: s.replace(
            "tags: [batchnorm, fundamentals, numerics]", "tags: [batchnorm, nonsense]"
        ),
        "tags:",
        r"unknown tag 'nonsense'",
    ),
    "bad-difficulty": (
        lambda s: s.replace("difficulty: easy", "difficulty: trivial"),
        "difficulty:",
        r"difficulty",
    ),
    "bad-math": (
        lambda s: s.replace("title: What does the batch", "title: $\\foo{x}$ What does the batch"),
        "title: $\\foo",
        r"unknown LaTeX command \\foo",
    ),
    "raw-html": (
        lambda s: s.replace(
            "prompt: Write the batch", "prompt: <script>alert(1)</script> Write the batch"
        ),
        "prompt: <script>",
        r"raw HTML",
    ),
    "stale": (
        lambda s: s.replace(
            "key_points:\n      - Mean and biased", "key_points:\n      - Mean and the biased", 1
        ),
        "translated_from:",
        r"stale",
    ),
    "dup-key": (
        lambda s: s.replace("difficulty: easy", "difficulty: easy\ndifficulty: hard"),
        "difficulty: hard",
        r"duplicate key 'difficulty'",
    ),
    "yaml-syntax": (lambda s: s.replace("kind: open", "kind: [open"), None, r"YAML syntax"),
    "dangling-exercise": (
        lambda s: s.replace("kind: open", "kind: exercise\nexercise: no-such-exercise"),
        "exercise: no-such-exercise",
        r"no-such-exercise",
    ),
    "missing-answer": (
        lambda s: s.replace(
            "    answer: |\n      For a feature", "    answer_text: |\n      For a feature", 1
        ),
        "answer_text",
        r"(unknown key 'answer_text'|missing key 'answer')",
    ),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_is_reported_at_its_line(bank_copy: Path, name: str) -> None:
    edit, needle, pattern = FAULTS[name]
    path = write_variant(bank_copy, name, edit)
    code, lines = run_check(str(bank_copy))
    assert code == 1
    mine = [line for line in lines if f"{name}.yaml:" in line]
    assert mine, lines
    assert any(re.search(pattern, line) for line in mine), mine
    if needle is not None:
        want = line_of(path, needle)
        assert any(
            re.match(rf".*{re.escape(name)}\.yaml:{want}:\d+: error: ", line) for line in mine
        ), (want, mine)
    # the untouched example stays clean: faults are attributed to the right file
    assert not [line for line in lines if "bn-normalize-step.yaml:" in line]


def test_duplicate_id_across_folders(bank_copy: Path) -> None:
    other = bank_copy / "questions" / "elsewhere"
    other.mkdir()
    (other / "bn-normalize-step.yaml").write_text((bank_copy / EXAMPLE).read_text("utf-8"), "utf-8")
    code, lines = run_check(str(bank_copy))
    assert code == 1
    assert any(
        "duplicate id 'bn-normalize-step'" in line and ":2:1: error" in line for line in lines
    ), lines


def test_id_must_match_file_name(bank_copy: Path) -> None:
    (bank_copy / "questions" / "batchnorm" / "renamed.yaml").write_text(
        (bank_copy / EXAMPLE).read_text("utf-8"), "utf-8"
    )
    code, lines = run_check(str(bank_copy))
    assert code == 1
    assert any(
        "renamed.yaml:2:1: error: id 'bn-normalize-step' must equal the file name 'renamed'" in line
        for line in lines
    )


def test_not_utf8_and_empty_files(bank_copy: Path) -> None:
    (bank_copy / "questions" / "batchnorm" / "latin1.yaml").write_bytes(
        "id: caf\xe9\n".encode("latin-1")
    )
    (bank_copy / "questions" / "batchnorm" / "empty.yaml").write_text("", "utf-8")
    code, lines = run_check(str(bank_copy))
    assert code == 1
    assert any("latin1.yaml:1:1: error: not UTF-8" in line for line in lines)
    assert any("empty.yaml" in line and "error" in line for line in lines)


def test_check_one_file_reports_only_that_file(bank_copy: Path) -> None:
    bad = write_variant(bank_copy, "unknown-tag", FAULTS["unknown-tag"][0])
    code, lines = run_check(str(bank_copy / EXAMPLE))
    assert code == 0 and lines == []
    code, lines = run_check(str(bad))
    assert code == 1 and all("unknown-tag.yaml" in line for line in lines)


def test_path_outside_a_bank_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "not inside a bank" in result.output


def test_missing_bank_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "questions").mkdir()
    monkeypatch.setenv("MLPREP_BANK", str(tmp_path))
    code, lines = run_check()
    assert code == 1
    assert any("_bank.yaml:0:0: error: bank configuration not found" in line for line in lines)


def test_stale_problems_carry_a_stable_code(bank_copy: Path) -> None:
    """The site publishes stale translations with a banner; it recognises them by this code."""
    from mlprep.content import check_bank, collect

    write_variant(bank_copy, "stale", FAULTS["stale"][0])
    write_variant(bank_copy, "unknown-tag", FAULTS["unknown-tag"][0])
    bank, _ = collect(bank_copy)
    problems = check_bank(bank)
    stale = [p for p in problems if "stale.yaml" in p.path]
    other = [p for p in problems if "unknown-tag.yaml" in p.path]
    assert stale and all(p.code == "stale-translation" for p in stale)
    assert other and all(p.code is None for p in other)
