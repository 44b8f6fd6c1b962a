"""Opening the progress database safely: recognise it, refuse what is not ours, migrate with a backup.

The schema version lives in ``PRAGMA user_version`` and the file is marked as mlprep's with
``PRAGMA application_id``. ``MIGRATIONS[v]`` brings a database from version ``v - 1`` to ``v``;
each runs in its own transaction together with the version bump, after the file was copied to a
backup next to it. A file we cannot read, that belongs to another program, or that a newer mlprep
wrote raises ``ProgressError`` and is left byte for byte as it was.

Journal: the classic rollback journal (``journal_mode=DELETE``) with ``synchronous=FULL``. Every
answer is one short transaction from one process, so WAL's concurrent readers buy nothing, while a
single self-contained file is easy to back up, copy or sync between machines (WAL needs shared
memory and keeps -wal/-shm side files, and is unsafe on network file systems). A commit is on disk
when it returns; a transaction cut short by Ctrl-C, a crash or a killed terminal is rolled back from
the journal the next time the file is opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from mlprep._errors import ProgressError

APP_ID = 0x6D6C7071  # "mlpq"
SQLITE_MAGIC = b"SQLite format 3\x00"

_V1 = """
CREATE TABLE card (
    question_id TEXT PRIMARY KEY,
    state       INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
    step        INTEGER,
    stability   REAL,
    difficulty  REAL,
    due         TEXT NOT NULL,          -- ISO 8601 UTC, microseconds: sorts as text
    last_review TEXT,
    answer_hash TEXT NOT NULL           -- source-locale answer fingerprint at the last review
);
CREATE TABLE review (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    kind        TEXT NOT NULL,
    lang        TEXT NOT NULL,
    correct     INTEGER,                -- 1/0 when auto-graded, NULL when self-rated
    cram        INTEGER NOT NULL DEFAULT 0,  -- 1: reviewed outside the schedule, card untouched
    duration_ms INTEGER,
    answer_hash TEXT NOT NULL,
    card_before TEXT                    -- JSON of the card before this review; NULL: it was new
);
CREATE INDEX review_by_question ON review (question_id, id);
"""


def _statements(script: str) -> list[str]:
    """Split on statement ends as SQLite sees them (a ';' in a comment does not end one)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf)
            buf = ""
    return out


def _to_v1(db: sqlite3.Connection) -> None:
    # not executescript: it commits first, and the migration must share one transaction
    for statement in _statements(_V1):
        db.execute(statement)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _to_v1}


def current_version() -> int:
    return max(MIGRATIONS)


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ProgressError(f"cannot read progress database {path}: {exc.strerror}") from None
    if head != SQLITE_MAGIC:
        raise ProgressError(
            f"{path} is not an SQLite database; refusing to use it as progress "
            "(move it away or pass another --db)"
        )


def _backup(db: sqlite3.Connection, path: Path, version: int) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.v{version}-{stamp}-{n}.bak")
        n += 1
    dest = sqlite3.connect(target)
    try:
        db.backup(dest)
    finally:
        dest.close()
    return target


def connect(path: Path) -> tuple[sqlite3.Connection, Path | None]:
    """Open (creating if absent) and migrate; return the connection and the backup made, if any."""
    if path.is_dir():
        raise ProgressError(f"progress database {path} is a directory")
    fresh = not path.exists() or path.stat().st_size == 0
    if not fresh:
        _check_header(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProgressError(f"cannot create {path.parent}: {exc.strerror}") from None
    try:
        db = sqlite3.connect(path, timeout=5, isolation_level=None)
    except sqlite3.Error as exc:
        raise ProgressError(f"cannot open progress database {path}: {exc}") from None
    try:
        backup = _prepare(db, path, fresh)
    except sqlite3.DatabaseError as exc:
        db.close()
        if "locked" in str(exc):
            raise ProgressError(f"progress database {path} is locked by another mlprep") from None
        raise ProgressError(f"progress database {path} is unreadable or corrupt: {exc}") from None
    except BaseException:
        db.close()
        raise
    return db, backup


def connect_empty() -> sqlite3.Connection:
    """An empty in-memory progress database: for reading progress that does not exist yet,
    without creating a file as a side effect of ``stats`` or ``export``."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    _prepare(db, Path(":memory:"), fresh=True)
    return db


def _prepare(db: sqlite3.Connection, path: Path, fresh: bool) -> Path | None:
    # read-only checks first: nothing below writes until the file is known to be ours
    check = db.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise ProgressError(f"progress database {path} is corrupt ({check}); it was not modified")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    n_objects = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    latest = current_version()
    if version == 0 and n_objects and not fresh:
        raise ProgressError(f"{path} is an SQLite database of another program, not mlprep progress")
    if version and app_id != APP_ID:
        raise ProgressError(f"{path} is an SQLite database of another program, not mlprep progress")
    if version > latest:
        raise ProgressError(
            f"progress database {path} is schema version {version}, newer than this mlprep "
            f"understands ({latest}); upgrade mlprep"
        )
    if version == latest:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"card", "review"} <= tables:
            raise ProgressError(f"progress database {path} is missing tables; it was not modified")
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    backup = _backup(db, path, version) if 0 < version < latest else None
    for target in range(version + 1, latest + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[target](db)
            db.execute(f"PRAGMA application_id={APP_ID}")
            db.execute(f"PRAGMA user_version={target}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return backup
