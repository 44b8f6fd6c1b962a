"""Records (the quiz's pydantic-free view of cached entries) against the models they stand for.

A record must be indistinguishable from its model for everything the quiz reads: the same fields,
the same values (dates as dates), the same methods' results. Checked on the shapes (derived from
the models' annotations, so a new model field without its record field fails) and on every entry
of the bundled bank.
"""

from __future__ import annotations

import json
import sqlite3
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from mlprep.content import _models, _records, load_bank
from mlprep.content._records import RECORDS, QuestionRecord, Record, RecordError


def _nested_shape(annotation: Any) -> tuple[str, str] | None:
    """("one" | "list" | "dict", model name) when a field holds models, else None."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("one", annotation.__name__)
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return ("list", args[0].__name__)
    if origin is dict and isinstance(args[1], type) and issubclass(args[1], BaseModel):
        return ("dict", args[1].__name__)
    if origin in (typing.Union, __import__("types").UnionType):  # X | None
        shapes = [s for a in args if a is not type(None) and (s := _nested_shape(a))]
        return shapes[0] if shapes else None
    return None


def test_every_model_has_a_record_with_its_fields_and_nesting() -> None:
    models = {
        name: cls
        for name, cls in vars(_models).items()
        if isinstance(cls, type) and issubclass(cls, _models.Strict) and cls is not _models.Strict
    }
    assert set(models) == set(RECORDS)
    for name, model in models.items():
        record = RECORDS[name]
        assert set(model.model_fields) == record.FIELDS, name
        for field, info in model.model_fields.items():
            shape = _nested_shape(info.annotation)
            declared = record.NESTED.get(field)
            got = (
                (declared[0], next(k for k, v in RECORDS.items() if v is declared[1]))
                if declared
                else None
            )
            assert got == shape, f"{name}.{field}"


def _same(model: Any, record: Any, where: str) -> None:
    """Field by field: records equal their models wherever the quiz could look."""
    if isinstance(model, BaseModel):
        assert isinstance(record, Record), where
        assert type(record) is RECORDS[type(model).__name__], where
        for field in type(model).model_fields:
            _same(getattr(model, field), getattr(record, field), f"{where}.{field}")
    elif isinstance(model, list):
        assert isinstance(record, list) and len(record) == len(model), where
        for i, (m, r) in enumerate(zip(model, record, strict=True)):
            _same(m, r, f"{where}[{i}]")
    elif isinstance(model, dict):
        assert isinstance(record, dict) and list(record) == list(model), where
        for k in model:
            _same(model[k], record[k], f"{where}[{k}]")
    else:
        assert type(record) is type(model) and record == model, where


def test_every_entry_of_the_bank_reads_the_same_as_record_and_as_model() -> None:
    bank = load_bank()
    codes = bank.config.locale_codes
    config = _records.BankConfigRecord(bank.config.dump())
    _same(bank.config, config, "config")
    assert config.locale_codes == codes and config.required_locales == bank.config.required_locales
    for tag in bank.config.tags:
        assert all(config.tag_label(tag, c) == bank.config.tag_label(tag, c) for c in codes)
    for qid in bank.questions:
        q = bank.questions[qid]
        r = QuestionRecord(q.dump())
        _same(q, r, qid)
        assert r.dump() == q.dump()
        assert r.source.source_hash() == q.source.source_hash()
        assert r.auto_gradable == q.auto_gradable
        for code in [*codes, "xx"]:
            assert r.is_stale(code) == q.is_stale(code), (qid, code)
            assert r.text(code).dump() == q.text(code).dump(), (qid, code)
        if q.numeric is not None:
            for answer in (q.numeric.value, q.numeric.value + 1, -q.numeric.value):
                assert r.numeric.accepts(answer) == q.numeric.accepts(answer)
    for xid, ex in bank.exercises.items():
        rec = _records.ExerciseRecord(ex.dump())
        _same(ex, rec, xid)
        assert rec.needs_torch == ex.needs_torch


def test_records_are_read_only_and_reject_a_wrong_shape() -> None:
    q = load_bank().question("bn-normalize-step")
    r = QuestionRecord(q.dump())
    with pytest.raises(AttributeError, match="read-only"):
        r.kind = "choice"
    broken = q.dump()
    del broken["locales"]["en"]["answer"]
    with pytest.raises(RecordError, match="LocaleTextRecord"):
        QuestionRecord(broken)
    with pytest.raises(RecordError):
        QuestionRecord({**q.dump(), "surprise": 1})


def test_a_records_load_matches_a_models_load_cold_and_warm() -> None:
    models = load_bank()
    cold = load_bank(records=True)  # the cache was just filled: warm from here on
    warm = load_bank(records=True)
    for bank in (cold, warm):
        assert list(bank.questions) == list(models.questions)
        assert bank.headers.keys() == models.headers.keys()
        for qid in models.questions:
            assert bank.questions[qid].dump() == models.questions[qid].dump()
            assert bank.headers[qid].dump() == models.headers[qid].dump()
        assert {x: e.dump() for x, e in bank.exercises.items()} == {
            x: e.dump() for x, e in models.exercises.items()
        }
        assert bank.config.dump() == models.config.dump()


def _cache_rows(cache: Path) -> sqlite3.Connection:
    return sqlite3.connect(cache / "content-cache.sqlite3")


@pytest.mark.parametrize("column", ["json", "header"])
def test_unreadable_cached_json_costs_a_revalidation_not_a_wrong_entry(
    bank_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("MLPREP_CACHE_DIR", str(cache))
    expected = load_bank().question("bn-normalize-step").dump()  # fills the cache
    with _cache_rows(cache) as db:
        keys = [
            k
            for (k, j) in db.execute("SELECT key, json FROM entry_v2")
            if '"bn-normalize-step"' in j[:40]
        ]
        assert len(keys) == 1
        db.execute(
            f"UPDATE entry_v2 SET {column} = ? WHERE key = ?", (json.dumps({"id": 1}), keys[0])
        )
    for records in (True, False):
        bank = load_bank(records=records)
        assert bank.question("bn-normalize-step").dump() == expected
