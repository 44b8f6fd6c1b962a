"""The progress store: transactions, undo, schema versions, and files that are not ours."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from fsrs import Rating

from mlprep._errors import ProgressError
from mlprep.quiz import Reviewer, open_store
from mlprep.quiz import _schema as schema
from mlprep.quiz._store import default_db_path


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def test_fresh_file_gets_current_schema(db_path):
    with open_store(db_path) as store:
        assert store.backup is None
    assert _rows(db_path, "PRAGMA user_version") == [(schema.current_version(),)]
    assert _rows(db_path, "PRAGMA application_id") == [(schema.APP_ID,)]
    assert _rows(db_path, "PRAGMA journal_mode") == [("delete",)]


def test_record_and_undo_restore_the_card_exactly(bank, db_path, clock):
    q = bank.question("fx-open")
    with open_store(db_path) as store:
        r = Reviewer(store, "en", now=clock)
        r.rate(q, Rating.Good)
        first = store.card(q.id)
        clock.advance(days=3)
        r.rate(q, Rating.Again)
        assert store.card(q.id) != first
        undone = r.undo()
        assert undone.rating == Rating.Again
        assert store.card(q.id) == first  # the card state from before the second review
        assert [x.rating for x in store.reviews()] == [Rating.Good]
        r.undo()
        assert store.card(q.id) is None  # undoing the first review forgets the card entirely
        assert store.reviews() == []
        with pytest.raises(ProgressError, match="nothing to undo"):
            r.undo()


def test_undo_only_the_newest_review(bank, db_path, clock):
    with open_store(db_path) as store:
        a = Reviewer(store, "en", now=clock)
        b = Reviewer(store, "en", now=clock)
        a.rate(bank.question("fx-open"), Rating.Good)
        b.rate(bank.question("fx-choice"), Rating.Good, correct=True)
        with pytest.raises(ProgressError, match="most recent"):
            a.undo()
        assert len(store.reviews()) == 2


def test_interrupted_write_leaves_nothing_half_done(bank, db_path, clock, monkeypatch):
    """Ctrl-C between the review row and the card update: the transaction rolls back."""
    q = bank.question("fx-open")
    with open_store(db_path) as store:
        Reviewer(store, "en", now=clock).rate(q, Rating.Good)
        before = (store.card(q.id), store.reviews())

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(type(store), "_put_card", staticmethod(interrupted))
        clock.advance(days=2)
        with pytest.raises(KeyboardInterrupt):
            Reviewer(store, "en", now=clock).rate(q, Rating.Again)
        assert (store.card(q.id), store.reviews()) == before
    with open_store(db_path) as store:  # and so it is on disk
        assert (store.card(q.id), store.reviews()) == before


def test_not_sqlite_is_refused_and_untouched(tmp_path):
    db = tmp_path / "progress.sqlite3"
    db.write_bytes(b"hello, I am a text file\n")
    with pytest.raises(ProgressError, match="not an SQLite database"):
        open_store(db)
    assert db.read_bytes() == b"hello, I am a text file\n"


def test_corrupt_sqlite_is_refused_and_untouched(bank, tmp_path, clock):
    db = tmp_path / "progress.sqlite3"
    with open_store(db) as store:
        for qid in ("fx-open", "fx-choice", "fx-spot"):
            Reviewer(store, "en", now=clock).rate(bank.question(qid), Rating.Good)
    data = bytearray(db.read_bytes())
    page = 4096 if len(data) > 8192 else 1024
    data[page + 8 : page + 200] = b"\xff" * 192  # scribble over the second page's b-tree header
    db.write_bytes(bytes(data))
    with pytest.raises(ProgressError, match="corrupt|unreadable|invalid"), open_store(db) as store:
        store.reviews()
        store.cards()
    assert db.read_bytes() == bytes(data)


def test_newer_version_is_refused_and_untouched(db_path):
    open_store(db_path).close()
    with sqlite3.connect(db_path) as con:
        con.execute(f"PRAGMA user_version={schema.current_version() + 1}")
    raw = db_path.read_bytes()
    with pytest.raises(ProgressError, match="newer than this mlprep"):
        open_store(db_path)
    assert db_path.read_bytes() == raw


def test_foreign_sqlite_is_refused_and_untouched(tmp_path):
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE t (x)")
        con.execute("INSERT INTO t VALUES (1)")
    raw = db.read_bytes()
    with pytest.raises(ProgressError, match="another program"):
        open_store(db)
    assert db.read_bytes() == raw


def test_invalid_row_is_a_clean_error(db_path):
    open_store(db_path).close()
    with sqlite3.connect(db_path) as con:
        con.execute("PRAGMA ignore_check_constraints=ON")
        con.execute("INSERT INTO card VALUES ('q', 2, NULL, 1.0, 5.0, 'not a date', NULL, 'abc')")
    with open_store(db_path) as store, pytest.raises(ProgressError, match="invalid card for 'q'"):
        store.cards()


def test_directory_is_refused(tmp_path):
    with pytest.raises(ProgressError, match="is a directory"):
        open_store(tmp_path)


def test_locked_database_is_a_clean_error(bank, db_path, clock, monkeypatch):
    open_store(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        monkeypatch.setattr(sqlite3, "connect", _short_timeout(sqlite3.connect))
        with pytest.raises(ProgressError, match="locked"), open_store(db_path) as store:
            Reviewer(store, "en", now=clock).rate(bank.question("fx-open"), Rating.Good)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _short_timeout(connect):
    def wrapped(*args, **kwargs):
        kwargs["timeout"] = 0.05
        return connect(*args, **kwargs)

    return wrapped


def test_migration_backs_up_first_and_runs_in_order(bank, db_path, clock, monkeypatch):
    with open_store(db_path) as store:
        Reviewer(store, "en", now=clock).rate(bank.question("fx-open"), Rating.Good)

    def to_v2(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE review ADD COLUMN note TEXT")

    monkeypatch.setitem(schema.MIGRATIONS, 2, to_v2)
    with open_store(db_path) as store:
        assert store.backup is not None and store.backup.exists()
        assert [r.question_id for r in store.reviews()] == ["fx-open"]  # data carried over
    assert _rows(db_path, "PRAGMA user_version") == [(2,)]
    assert "note" in [c[1] for c in _rows(db_path, "PRAGMA table_info(review)")]
    assert _rows(store.backup, "PRAGMA user_version") == [(1,)]
    assert _rows(store.backup, "SELECT question_id FROM review") == [("fx-open",)]


def test_failed_migration_rolls_back(bank, db_path, clock, monkeypatch):
    open_store(db_path).close()

    def broken(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE review ADD COLUMN note TEXT")
        raise sqlite3.OperationalError("boom")

    monkeypatch.setitem(schema.MIGRATIONS, 2, broken)
    with pytest.raises(ProgressError, match="boom"):
        open_store(db_path)
    assert _rows(db_path, "PRAGMA user_version") == [(1,)]
    assert "note" not in [c[1] for c in _rows(db_path, "PRAGMA table_info(review)")]
    assert list(db_path.parent.glob("*.bak"))  # the backup made before trying is kept


def test_default_path(monkeypatch, tmp_path):
    monkeypatch.setenv("MLPREP_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"
    monkeypatch.delenv("MLPREP_DB")
    assert default_db_path().name == "progress.sqlite3"
    assert "mlprep" in str(default_db_path())


GOOD_CARD = ("q", 2, None, 1.0, 5.0, "2026-11-22T10:00:00.000000+00:00", None, "abc")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [  # values that SQLite's column affinity keeps as they are and no CHECK constraint stops
        (0, "", "question_id: expected a non-empty string"),
        (2, -1, "step: -1 is outside 0.."),
        (2, "first", "step: expected an integer"),
        (3, float("inf"), "stability: expected a finite number"),
        (4, "hard", "difficulty: expected a finite number"),
        (5, "2026-11-22T10:00:00", "due: timestamp .* has no UTC offset"),
        (5, "yesterday", "due: expected an ISO 8601 timestamp"),
        (6, 12, "last_review: expected an ISO 8601 timestamp"),
        (7, b"\x00", "answer_hash: expected a string"),
    ],
)
def test_each_invalid_card_field_is_named(db_path, column, value, message):
    open_store(db_path).close()
    row = list(GOOD_CARD)
    row[column] = value
    with sqlite3.connect(db_path) as con:
        con.execute("PRAGMA ignore_check_constraints=ON")
        con.execute("INSERT INTO card VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
    with open_store(db_path) as store, pytest.raises(ProgressError, match=message):
        store.cards()


def test_a_valid_card_row_reads_back(db_path):
    open_store(db_path).close()
    with sqlite3.connect(db_path) as con:
        con.execute("INSERT INTO card VALUES (?, ?, ?, ?, ?, ?, ?, ?)", GOOD_CARD)
    with open_store(db_path) as store:
        card = store.cards()["q"]
    assert (card.state, card.stability, card.due.utcoffset()) == (2, 1.0, dt.timedelta(0))
    assert card.to_card().stability == 1.0
