"""The loader: models, positions, the content-keyed cache, lazy validation."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlprep import ContentError, NotFoundError
from mlprep.content import Question, _yaml, collect, load_bank

EXAMPLE = "questions/batchnorm/bn-normalize-step.yaml"


def test_positions_point_at_keys() -> None:
    data, pos = _yaml.load("a: 1\nb:\n  - x\n  - y: 2\n")
    assert data == {"a": 1, "b": ["x", {"y": 2}]}
    assert pos[("a",)] == (1, 1)
    assert pos[("b", 1)] == (4, 5)
    assert pos[("b", 1, "y")] == (4, 5)
    assert _yaml.locate(pos, ("b", 1, "missing")) == (4, 5)


def test_duplicate_keys_are_errors() -> None:
    with pytest.raises(_yaml.YamlError) as exc:
        _yaml.load("a: 1\nb: 2\na: 3\n")
    assert (exc.value.line, exc.value.col) == (3, 1)
    assert "first on line 1" in exc.value.message


def test_bank_loads_and_unknown_ids_raise() -> None:
    bank = load_bank()
    assert "bn-normalize-step" in bank.questions
    assert bank.topic("bn-normalize-step") == "batchnorm"
    with pytest.raises(NotFoundError):
        bank.question("no-such-question")


def test_invalid_bank_raises_content_error(bank_copy: Path) -> None:
    path = bank_copy / EXAMPLE
    path.write_text(path.read_text("utf-8").replace("kind: open", "kind: essay"), "utf-8")
    with pytest.raises(ContentError) as exc:
        load_bank()
    assert "bn-normalize-step.yaml:3:1: error: kind" in str(exc.value)


def test_cache_is_keyed_by_content(bank_copy: Path) -> None:
    first = load_bank().questions["bn-normalize-step"]
    path = bank_copy / EXAMPLE
    path.write_text(
        path.read_text("utf-8").replace("difficulty: easy", "difficulty: hard"), "utf-8"
    )
    second = load_bank().questions["bn-normalize-step"]
    assert (first.difficulty, second.difficulty) == ("easy", "hard")
    # a warm load serves the cached JSON, validated into the same model
    third = load_bank()
    assert third.questions["bn-normalize-step"] == second
    assert third.headers["bn-normalize-step"].difficulty == "hard"


def test_cache_never_pickles_and_survives_corruption(
    bank_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("MLPREP_CACHE_DIR", str(cache_dir))
    load_bank()
    db = cache_dir / "content-cache.sqlite3"
    rows = sqlite3.connect(db).execute("SELECT json FROM entry_v2").fetchall()
    assert rows and all(r[0].lstrip().startswith("{") for r in rows)  # JSON text, not pickle
    db.write_bytes(b"this is not a database" * 100)
    assert "bn-normalize-step" in load_bank().questions  # a broken cache only costs speed


def test_lazy_questions_validate_on_access(bank_copy: Path) -> None:
    load_bank()  # fill the cache
    bank = load_bank()
    assert bank.questions._raw  # nothing validated yet
    q = bank.questions["bn-normalize-step"]
    # only the accessed entry leaves the raw store; the bank holds many entries
    assert isinstance(q, Question) and "bn-normalize-step" not in bank.questions._raw


def test_collect_reports_instead_of_raising(bank_copy: Path) -> None:
    (bank_copy / "questions" / "batchnorm" / "x.yaml").write_text("id: [", "utf-8")
    bank, problems = collect()
    assert bank is not None and "bn-normalize-step" in bank.questions
    assert [p.path for p in problems] == ["questions/batchnorm/x.yaml"]


def test_models_are_strict() -> None:
    q = load_bank().questions["bn-normalize-step"]
    data = q.model_dump()
    data["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        Question.model_validate(data)
    data = q.model_dump()
    data["kind"] = "choice"  # a choice without options and without `choice`
    with pytest.raises(ValidationError, match="needs 'choice'"):
        Question.model_validate(data)


def test_stale_detection_follows_the_source_text() -> None:
    q = load_bank().questions["bn-normalize-step"]
    assert not q.is_stale("zh-Hans")
    edited = q.model_copy(
        update={"locales": {**q.locales, "en": q.source.model_copy(update={"answer": "changed"})}}
    )
    assert edited.is_stale("zh-Hans") and edited.is_stale("zh-Hant") and not edited.is_stale("en")
