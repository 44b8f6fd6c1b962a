"""The one module that reads content files: questions/, exercises/, and the bank configuration.

Stages: collect files → parse YAML with positions → validate into pydantic models → cross-file
checks live in ``_check``. Parsed-and-validated entries are cached in SQLite keyed by the sha256 of
the file's bytes (and of the models' source), stored as JSON — never pickle — so a warm load of a
large bank costs a file read, a hash and one pydantic ``validate_json`` call.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from mlprep._errors import ContentError, NotFoundError
from mlprep.content import _yaml
from mlprep.content._models import BankConfig, Exercise, Question
from mlprep.content._problems import Problem

BANK_CONFIG = "_bank.yaml"
EXERCISE_FILE = "exercise.yaml"
M = TypeVar("M", bound=BaseModel)


@dataclass
class Bank:
    """Everything the content files hold, validated. Other modules receive this, never files."""

    root: Path
    config: BankConfig
    questions: dict[str, Question] = field(default_factory=dict)
    exercises: dict[str, Exercise] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)  # "q:<id>" / "x:<id>" -> YAML file
    positions: dict[str, _yaml.Positions] = field(default_factory=dict)  # filled when parsed

    def question(self, qid: str) -> Question:
        try:
            return self.questions[qid]
        except KeyError:
            raise NotFoundError(f"no question with id '{qid}'") from None

    def exercise(self, xid: str) -> Exercise:
        try:
            return self.exercises[xid]
        except KeyError:
            raise NotFoundError(f"no exercise with id '{xid}'") from None

    def question_path(self, qid: str) -> Path:
        return self.paths[f"q:{qid}"]

    def exercise_dir(self, xid: str) -> Path:
        return self.paths[f"x:{xid}"].parent

    def topic(self, qid: str) -> str:
        return self.question_path(qid).parent.name


# ---------------------------------------------------------------------------- where the bank is


def default_root() -> Path:
    """The bank to use: $MLPREP_BANK, else the source checkout, else the copy bundled in the wheel."""
    env = os.environ.get("MLPREP_BANK")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent  # .../mlprep
    checkout = here.parent
    if (checkout / "questions" / BANK_CONFIG).is_file():
        return checkout
    return here / "_bundled"


# ---------------------------------------------------------------------------- cache


_MODELS_SOURCE = Path(__file__).with_name("_models.py")


def _schema_salt() -> bytes:
    try:
        return hashlib.sha256(_MODELS_SOURCE.read_bytes()).digest()
    except OSError:  # pragma: no cover - zipped installs
        return b"mlprep-0"


class _Cache:
    """sha256(file bytes + models source) -> validated entry as JSON. Failures only cost speed."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._salt = _schema_salt()
        if os.environ.get("MLPREP_NO_CACHE"):
            return
        base = os.environ.get("MLPREP_CACHE_DIR")
        if base is None:
            import platformdirs

            base = platformdirs.user_cache_dir("mlprep")
        try:
            Path(base).mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(Path(base) / "content-cache.sqlite3", timeout=2)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS entry (key TEXT PRIMARY KEY, json TEXT NOT NULL)"
            )
        except sqlite3.Error:
            self._db = None

    def key(self, kind: str, data: bytes) -> str:
        return hashlib.sha256(kind.encode() + self._salt + data).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, str]:
        if self._db is None or not keys:
            return {}
        found: dict[str, str] = {}
        try:
            for i in range(0, len(keys), 900):  # SQLite's host-parameter limit
                chunk = keys[i : i + 900]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, json FROM entry WHERE key IN ({marks})", chunk
                )
                found.update(rows)
        except sqlite3.Error:
            return {}
        return found

    def put_many(self, rows: list[tuple[str, str]]) -> None:
        if self._db is None or not rows:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO entry VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass


# ---------------------------------------------------------------------------- loading


def _read(path: Path, problems: list[Problem], rel: str) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, 0, 0, "error", f"cannot read: {exc.strerror}"))
        return None


def _parse(raw: bytes, rel: str, problems: list[Problem]) -> tuple[Any, _yaml.Positions] | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, 1, 1, "error", f"not UTF-8 (byte {exc.start})"))
        return None
    try:
        return _yaml.load(text)
    except _yaml.YamlError as exc:
        problems.append(Problem(rel, exc.line, exc.col, "error", exc.message))
        return None


_LOCALE_IN_MSG = re.compile(r"locale '([^']+)'")
_FIELD_IN_MSG = re.compile(r"'([a-z_]+)'")


def _validation_problems(
    exc: ValidationError, rel: str, positions: _yaml.Positions, data: Any
) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if not loc:  # a model-level rule: aim at the part its message names
            m = _LOCALE_IN_MSG.search(msg)
            if m:
                loc = ("locales", m.group(1))
            else:
                named = [
                    f for f in _FIELD_IN_MSG.findall(msg) if isinstance(data, dict) and f in data
                ]
                loc = (named[0],) if named else ()
        where = ".".join(str(p) for p in loc) if loc else "entry"
        if err["type"] == "extra_forbidden":
            msg = f"unknown key '{loc[-1]}'"
        elif err["type"] == "missing":
            msg = f"missing key '{loc[-1]}'"
        else:
            msg = f"{where}: {msg}"
        line, col = _yaml.locate(positions, loc)
        out.append(Problem(rel, line, col, "error", msg))
    return out


def _validate(
    model: type[M], data: Any, rel: str, positions: _yaml.Positions, problems: list[Problem]
) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_validation_problems(exc, rel, positions, data))
        return None


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _question_files(root: Path) -> Iterator[Path]:
    qdir = root / "questions"
    if not qdir.is_dir():
        return
    for path in sorted(qdir.rglob("*.yaml")):
        if not path.name.startswith("_"):
            yield path


def _exercise_files(root: Path) -> Iterator[Path]:
    xdir = root / "exercises"
    if xdir.is_dir():
        yield from sorted(xdir.glob(f"*/{EXERCISE_FILE}"))


def load_config(root: Path, problems: list[Problem]) -> BankConfig | None:
    path = root / "questions" / BANK_CONFIG
    rel = _rel(path, root)
    if not path.is_file():
        problems.append(Problem(rel, 0, 0, "error", "bank configuration not found"))
        return None
    raw = _read(path, problems, rel)
    parsed = _parse(raw, rel, problems) if raw is not None else None
    if parsed is None:
        return None
    return _validate(BankConfig, parsed[0], rel, parsed[1], problems)


def collect(
    root: Path | None = None, only: Iterable[Path] | None = None
) -> tuple[Bank | None, list[Problem]]:
    """Load what can be loaded; return the bank (None without a valid config) and every problem.

    ``only`` restricts which question/exercise files are read (the config is always read).
    """
    root = (root or default_root()).resolve()
    problems: list[Problem] = []
    config = load_config(root, problems)
    if config is None:
        return None, problems
    bank = Bank(root=root, config=config)
    wanted = {p.resolve() for p in only} if only is not None else None
    cache = _Cache()

    jobs: list[tuple[str, type[BaseModel], Path]] = []
    jobs += [("q", Question, p) for p in _question_files(root)]
    jobs += [("x", Exercise, p) for p in _exercise_files(root)]
    if wanted is not None:
        jobs = [j for j in jobs if j[2].resolve() in wanted]

    raws: list[tuple[str, type[BaseModel], Path, bytes, str]] = []
    for kind, model, path in jobs:
        raw = _read(path, problems, _rel(path, root))
        if raw is not None:
            raws.append((kind, model, path, raw, cache.key(kind, raw)))

    hits = cache.get_many([r[4] for r in raws])
    fresh: list[tuple[str, str]] = []
    by_model: dict[type[BaseModel], list[tuple[str, Path, str]]] = {Question: [], Exercise: []}
    for kind, model, path, raw, key in raws:
        if key in hits:
            by_model[model].append((kind, path, hits[key]))
            continue
        rel = _rel(path, root)
        parsed = _parse(raw, rel, problems)
        if parsed is None:
            continue
        data, positions = parsed
        entry = _validate(model, data, rel, positions, problems)
        if entry is None:
            continue
        bank.positions[rel] = positions
        _add(bank, kind, path, entry, problems, root)
        fresh.append((key, entry.model_dump_json()))

    for model, items in by_model.items():
        if items:
            adapter = TypeAdapter(list[model])  # type: ignore[valid-type]
            entries = adapter.validate_json("[" + ",".join(j for _, _, j in items) + "]")
            for (kind, path, _), entry in zip(items, entries, strict=True):
                _add(bank, kind, path, entry, problems, root)
    cache.put_many(fresh)
    problems.sort()
    return bank, problems


def _add(
    bank: Bank, kind: str, path: Path, entry: Any, problems: list[Problem], root: Path
) -> None:
    rel = _rel(path, root)
    expected = path.stem if kind == "q" else path.parent.name
    if entry.id != expected:
        line, col = _yaml.locate(bank.positions.get(rel, {}), ("id",))
        problems.append(
            Problem(
                rel, line, col, "error", f"id '{entry.id}' must equal the file name '{expected}'"
            )
        )
        return
    key = f"{kind}:{entry.id}"
    if key in bank.paths:
        first = _rel(bank.paths[key], root)
        line, col = _yaml.locate(bank.positions.get(rel, {}), ("id",))
        problems.append(
            Problem(rel, line, col, "error", f"duplicate id '{entry.id}' (also in {first})")
        )
        return
    bank.paths[key] = path
    (bank.questions if kind == "q" else bank.exercises)[entry.id] = entry


def load_bank(root: Path | None = None) -> Bank:
    """Load the whole bank; raise ContentError if any file is invalid."""
    bank, problems = collect(root)
    errors = [p for p in problems if p.severity == "error"]
    if bank is None or errors:
        raise ContentError(errors or problems)
    return bank


def positions_for(bank: Bank, path: Path) -> _yaml.Positions:
    """Positions of a file's keys, parsing it again when it came from the cache."""
    rel = _rel(path, bank.root)
    if rel not in bank.positions:
        try:
            bank.positions[rel] = _yaml.load(path.read_text("utf-8"))[1]
        except (OSError, UnicodeDecodeError, _yaml.YamlError):
            bank.positions[rel] = {}
    return bank.positions[rel]
