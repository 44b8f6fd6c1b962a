"""The progress store: FSRS cards and the review history in SQLite, keyed by question id.

Every answer is one transaction (``record``): the review row and the card's new state land
together or not at all. ``undo`` deletes the newest review row and puts back the card state that
row saved, again in one transaction. Rows read back are validated field by field because the file
is untrusted input: a bad row is a ``ProgressError``, never a crash half-way through a session.
(By hand rather than with pydantic: the quiz reads every card before its first question, and
importing pydantic alone costs more than the start-up budget issue #6 leaves; see ``_rows``.)
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlprep._dirs import data_dir
from mlprep._errors import ProgressError
from mlprep.quiz._rows import CardRow, ReviewRow, RowError
from mlprep.quiz._schema import connect, connect_empty

if TYPE_CHECKING:
    from fsrs import Card


def default_db_path() -> Path:
    """``$MLPREP_DB``, else ``progress.sqlite3`` in the user data directory."""
    env = os.environ.get("MLPREP_DB")
    if env:
        return Path(env)
    return data_dir() / "progress.sqlite3"


def iso(moment: datetime) -> str:
    """Fixed-width UTC ISO 8601, so stored times sort correctly as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


_CARD_COLS = "question_id, state, step, stability, difficulty, due, last_review, answer_hash"
_REVIEW_COLS = (
    "id, question_id, reviewed_at, rating, kind, lang, correct, cram, duration_ms, answer_hash"
)


@dataclass(frozen=True)
class Undone:
    review_id: int
    question_id: str


class ProgressStore:
    """One open progress database. Use ``open_store``; close it (or use ``with``) when done."""

    def __init__(self, db: sqlite3.Connection, path: Path, backup: Path | None = None):
        self._db = db
        self.path = path
        self.backup = backup  # the copy made before a migration, if one ran

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise ProgressError(f"cannot write progress database {self.path}: {exc}") from None
        try:
            yield self._db
        except BaseException:  # KeyboardInterrupt included: never leave half a review behind
            self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._db.execute("ROLLBACK")
            raise ProgressError(f"cannot write progress database {self.path}: {exc}") from None

    # ------------------------------------------------------------------------ reading

    def card(self, qid: str) -> CardRow | None:
        row = self._query_one(f"SELECT {_CARD_COLS} FROM card WHERE question_id = ?", (qid,))
        return self._card_row(row) if row else None

    def cards(self) -> dict[str, CardRow]:
        rows = self._query(f"SELECT {_CARD_COLS} FROM card")
        return {row[0]: self._card_row(row) for row in rows}

    def reviews(self) -> list[ReviewRow]:
        rows = self._query(f"SELECT {_REVIEW_COLS} FROM review ORDER BY id")
        return [self._review_row(row) for row in rows]

    def last_review_id(self) -> int | None:
        row = self._query_one("SELECT max(id) FROM review", ())
        return row[0] if row else None

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise ProgressError(f"cannot read progress database {self.path}: {exc}") from None

    def _query_one(self, sql: str, args: tuple) -> tuple | None:
        rows = self._query(sql, args)
        return rows[0] if rows else None

    def _card_row(self, row: tuple) -> CardRow:
        names = _CARD_COLS.split(", ")
        try:
            return CardRow.parse(dict(zip(names, row, strict=True)))
        except RowError as exc:
            raise ProgressError(
                f"progress database {self.path} has an invalid card for '{row[0]}': {exc}"
            ) from None

    def _review_row(self, row: tuple) -> ReviewRow:
        names = _REVIEW_COLS.split(", ")
        try:
            return ReviewRow.parse(dict(zip(names, row, strict=True)))
        except RowError as exc:
            raise ProgressError(
                f"progress database {self.path} has an invalid review row {row[0]}: {exc}"
            ) from None

    # ------------------------------------------------------------------------ writing

    def record(
        self,
        qid: str,
        *,
        before: CardRow | None,
        after: Card | None,
        rating: int,
        reviewed_at: datetime,
        kind: str,
        lang: str,
        answer_hash: str,
        correct: bool | None = None,
        duration_ms: int | None = None,
    ) -> int:
        """Store one review and the card's new state (``after=None``: a cram review, card kept)."""
        saved = before.to_json() if before is not None else None
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO review (question_id, reviewed_at, rating, kind, lang, correct, cram,"
                " duration_ms, answer_hash, card_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    qid,
                    iso(reviewed_at),
                    int(rating),
                    kind,
                    lang,
                    None if correct is None else int(correct),
                    int(after is None),
                    duration_ms,
                    answer_hash,
                    saved,
                ),
            )
            if after is not None:
                self._put_card(db, CardRow.of(qid, after, answer_hash))
            assert cur.lastrowid is not None
            return cur.lastrowid

    @staticmethod
    def _put_card(db: sqlite3.Connection, row: CardRow) -> None:
        db.execute(
            f"INSERT OR REPLACE INTO card ({_CARD_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.question_id,
                row.state,
                row.step,
                row.stability,
                row.difficulty,
                iso(row.due),
                iso(row.last_review) if row.last_review else None,
                row.answer_hash,
            ),
        )

    def undo(self, review_id: int) -> Undone:
        """Remove review ``review_id`` (it must be the newest) and restore the card it changed."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT id, question_id, cram, card_before FROM review ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None or row[0] != review_id:
                raise ProgressError("only the most recent review can be undone")
            rid, qid, cram, saved = row
            db.execute("DELETE FROM review WHERE id = ?", (rid,))
            if not cram:
                if saved is None:
                    db.execute("DELETE FROM card WHERE question_id = ?", (qid,))
                else:
                    try:
                        before = CardRow.parse(json.loads(saved))
                    except (ValueError, RowError):
                        raise ProgressError(
                            f"review {rid} in {self.path} holds an unreadable card state"
                        ) from None
                    self._put_card(db, before)
        return Undone(rid, qid)


def open_store(path: Path | None = None, *, create: bool = True) -> ProgressStore:
    """Open the progress database at ``path`` (default: ``default_db_path()``).

    ``create=False``: a missing file reads as empty progress and is not created.
    """
    path = Path(path) if path is not None else default_db_path()
    if not create and not path.exists():
        return ProgressStore(connect_empty(), path)
    db, backup = connect(path)
    return ProgressStore(db, path, backup)
