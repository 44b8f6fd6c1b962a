"""Every exercise loads, passes ``mlprep check``, and is complete in every locale."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
import yaml
from exercise_helpers import ALL_IDS, EXERCISE_IDS, ROOT, solution_path

from mlprep.content import check_bank


def test_all_promised_exercises_load(bank):
    assert set(EXERCISE_IDS) <= set(bank.exercises)


def test_exercises_have_no_check_problems(bank):
    problems = check_bank(bank, question_ids=[], exercise_ids=list(bank.exercises))
    assert [p.format() for p in problems] == []


def test_mlprep_check_exits_zero():
    result = subprocess.run(
        [sys.executable, "-m", "mlprep", "check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("xid", ALL_IDS)
def test_statements_complete_in_every_locale(bank, xid):
    ex = bank.exercises[xid]
    folder = bank.exercise_dir(xid)
    for code in bank.config.required_locales:
        assert code in ex.locales, f"{xid}: no {code} text"
        text = (folder / ex.locales[code].statement).read_text("utf-8")
        assert len(text) > 400, f"{xid}: the {code} statement looks truncated"
        # Same skeleton in every language: code blocks and headings correspond one to one.
        en = (folder / ex.locales["en"].statement).read_text("utf-8")
        assert text.count("```") == en.count("```"), f"{xid} {code}: code blocks differ from en"
        assert text.count("\n## ") == en.count("\n## "), f"{xid} {code}: sections differ from en"
        assert len(ex.locales[code].hints) == len(ex.locales["en"].hints)


def _defined_names(path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}


def _imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            found.add(node.module or "")
    return found


def _allowed(module: str, allowed: list[str]) -> bool:
    return any(module == a or module.startswith(a + ".") for a in allowed)


@pytest.mark.parametrize("xid", ALL_IDS)
def test_starter_and_solution_define_the_entry_points(bank, xid):
    ex = bank.exercises[xid]
    starter = bank.exercise_dir(xid) / ex.starter
    assert set(ex.entry_points) <= _defined_names(starter)
    assert set(ex.entry_points) | set(ex.optional_entry_points) <= _defined_names(
        solution_path(xid)
    )


@pytest.mark.parametrize("xid", ALL_IDS)
def test_starter_and_solution_import_only_what_is_allowed(bank, xid):
    ex = bank.exercises[xid]
    for path in (bank.exercise_dir(xid) / ex.starter, solution_path(xid)):
        bad = {m for m in _imported_modules(path) if not _allowed(m, ex.allowed_imports)}
        assert not bad, f"{path.name} imports {bad}, allowed: {ex.allowed_imports}"


@pytest.mark.parametrize("xid", ALL_IDS)
def test_english_statement_names_every_entry_point(bank, xid):
    ex = bank.exercises[xid]
    text = (bank.exercise_dir(xid) / ex.locales["en"].statement).read_text("utf-8")
    for name in ex.entry_points + ex.optional_entry_points:
        assert name in text, f"{xid}: the statement never mentions {name}"


@pytest.mark.parametrize(
    "xid", ["batchnorm-backward", "spatial-batchnorm", "layernorm", "groupnorm"]
)
def test_backward_exercises_say_they_include_the_forward_pass(bank, xid):
    ex = bank.exercises[xid]
    assert any("forward" in name for name in ex.entry_points)
    text = (bank.exercise_dir(xid) / ex.locales["en"].statement).read_text("utf-8")
    assert "**This exercise includes" in text


# ---------------------------------------------------------------------------- zh-Hant terminology


def _glossary() -> dict:
    return yaml.safe_load((ROOT / "questions" / "_glossary.yaml").read_text("utf-8"))["zh-Hant"]


def forbidden_renderings(text: str, glossary: dict) -> list[str]:
    """Forbidden terms in ``text``, ignoring occurrences inside a preferred term (均值 in 平均值)."""
    preferred = set(glossary["preferred"].values())
    found = []
    for bad in glossary["forbidden"]:
        masked = text
        for good in preferred:
            if bad in good and bad != good:
                masked = masked.replace(good, "□" * len(good))
        if bad in masked:
            found.append(bad)
    return found


def test_forbidden_rendering_detector_catches_and_spares():
    glossary = _glossary()
    assert forbidden_renderings("這個引數的均值", glossary) == ["引數", "均值"]
    assert forbidden_renderings("這個參數的平均值", glossary) == []


@pytest.mark.parametrize("xid", ALL_IDS)
def test_zh_hant_text_uses_taiwan_terms(bank, xid):
    glossary = _glossary()
    text = bank.exercises[xid].locales["zh-Hant"]
    statement = (bank.exercise_dir(xid) / text.statement).read_text("utf-8")
    for where, value in [("statement", statement), ("title", text.title)] + [
        (f"hint {i}", h) for i, h in enumerate(text.hints)
    ]:
        assert forbidden_renderings(value, glossary) == [], f"{xid} zh-Hant {where}"
