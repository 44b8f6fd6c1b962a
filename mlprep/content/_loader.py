"""The one module that reads content files: questions/, exercises/, and the bank configuration.

Stages: collect files → parse YAML with positions → validate into pydantic models → cross-file
checks live in ``_check``. Parsed-and-validated entries are cached in SQLite keyed by the sha256 of
the file's bytes (and of the models' source), stored as JSON — never pickle — so a warm load of a
large bank costs a file read, a hash and one pydantic ``validate_json`` call.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlprep import _parallel
from mlprep._dirs import open_content_cache
from mlprep._errors import ContentError, NotFoundError
from mlprep.content import _yaml
from mlprep.content._problems import Problem
from mlprep.content._records import RECORDS

if TYPE_CHECKING:  # pydantic is imported only when something must be validated (see _records)
    from pydantic import BaseModel, TypeAdapter, ValidationError

    from mlprep.content._models import (
        BankConfig,
        Exercise,
        ExerciseLocale,
        Question,
        QuestionHeader,
    )

BANK_CONFIG = "_bank.yaml"
EXERCISE_FILE = "exercise.yaml"
M = TypeVar("M", bound="BaseModel")


class LazyQuestions(Mapping[str, "Question"]):
    """id -> Question, built from cached JSON on first access.

    A warm load of a large bank reads only the small headers; the full text of an entry is turned
    into a model (or a record, see ``collect(records=True)``) when something asks for it (the quiz
    asks for a handful, ``check`` for all). Cached JSON that cannot be read costs a re-validation
    of the file, never a wrong entry.
    """

    def __init__(
        self, records: bool = False, reload: Callable[[str], Question] | None = None
    ) -> None:
        self._raw: dict[str, str] = {}
        self._done: dict[str, Question] = {}
        self._order: list[str] = []
        self._records = records
        self._reload = reload  # validates an entry's file again (bad cached JSON)

    def _add_raw(self, qid: str, raw: str) -> None:
        self._raw[qid] = raw
        self._order.append(qid)

    def _add_model(self, q: Question) -> None:
        self._done[q.id] = q
        self._order.append(q.id)

    def __getitem__(self, qid: str) -> Question:
        q = self._done.get(qid)
        if q is None:
            q = self._done[qid] = self._build(qid, self._raw[qid])
            del self._raw[qid]
        return q

    def _build(self, qid: str, raw: str) -> Question:
        try:
            return _from_json("Question", raw, self._records)
        except ValueError:
            if self._reload is None:
                raise
            return self._reload(qid)

    def __contains__(self, qid: object) -> bool:
        return qid in self._done or qid in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


@dataclass
class Bank:
    """Everything the content files hold, validated. Other modules receive this, never files."""

    root: Path
    config: BankConfig
    questions: LazyQuestions = field(default_factory=LazyQuestions)
    headers: dict[str, QuestionHeader] = field(default_factory=dict)
    exercises: dict[str, Exercise] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # "q:<id>" / "x:<id>" -> YAML file
    positions: dict[str, _yaml.Positions] = field(default_factory=dict)  # filled when parsed

    def question(self, qid: str) -> Question:
        if qid not in self.questions:
            raise NotFoundError(f"no question with id '{qid}'")
        return self.questions[qid]

    def exercise(self, xid: str) -> Exercise:
        try:
            return self.exercises[xid]
        except KeyError:
            raise NotFoundError(f"no exercise with id '{xid}'") from None

    def question_path(self, qid: str) -> Path:
        return Path(self.paths[f"q:{qid}"])

    def exercise_dir(self, xid: str) -> Path:
        return Path(self.paths[f"x:{xid}"]).parent

    def topic(self, qid: str) -> str:
        return os.path.basename(os.path.dirname(self.paths[f"q:{qid}"]))


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


_SHAPE_SOURCES = [Path(__file__).with_name(n) for n in ("_models.py", "_records.py")]


def _schema_salt() -> bytes:
    """Cached JSON is valid only for the models (and records) that wrote (and read) it."""
    digest = hashlib.sha256()
    try:
        for source in _SHAPE_SOURCES:
            digest.update(source.read_bytes())
    except OSError:  # pragma: no cover - zipped installs
        return b"mlprep-0"
    return digest.digest()


class _Cache:
    """sha256(file bytes + models source) -> validated entry as JSON. Failures only cost speed."""

    def __init__(self) -> None:
        self._salt = _schema_salt()
        self._db: sqlite3.Connection | None = open_content_cache(
            "CREATE TABLE IF NOT EXISTS entry_v2"
            " (key TEXT PRIMARY KEY, header TEXT NOT NULL, json TEXT NOT NULL)"
        )

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def key(self, kind: str, data: bytes) -> str:
        return hashlib.sha256(kind.encode() + self._salt + data).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        if self._db is None or not keys:
            return {}
        found: dict[str, tuple[str, str]] = {}
        try:
            for i in range(0, len(keys), 900):  # SQLite's host-parameter limit
                chunk = keys[i : i + 900]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT key, header, json FROM entry_v2 WHERE key IN ({marks})"
                found.update((k, (h, j)) for k, h, j in self._db.execute(sql, chunk))
        except sqlite3.Error:
            return {}
        return found

    def put_many(self, rows: list[tuple[str, str, str]]) -> None:
        if self._db is None or not rows:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO entry_v2 VALUES (?, ?, ?)", rows)
        except sqlite3.Error:
            pass


# ---------------------------------------------------------------------------- loading


def _read(path: Path | str, root: Path, problems: list[Problem]) -> bytes | None:
    """The file's bytes, or None with a problem; the relative path is worked out only on failure
    (os.path.relpath for each of 10,000 files is a measurable share of a warm load)."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        problems.append(Problem(_rel(path, root), 0, 0, "error", f"cannot read: {exc.strerror}"))
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
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_validation_problems(exc, rel, positions, data))
        return None


def _rel(path: Path | str, root: Path) -> str:
    return os.path.relpath(path, root)


def _yaml_files(folder: Path, pattern: str) -> list[str]:
    """Content files under ``folder`` (os.walk on strings: pathlib costs add up at 10,000 files)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        out += [os.path.join(dirpath, f) for f in filenames if pattern_ok(f, pattern)]
    return sorted(out)


def pattern_ok(name: str, pattern: str) -> bool:
    if pattern == "question":
        return name.endswith(".yaml") and not name.startswith("_")
    return name == EXERCISE_FILE


def load_config(
    root: Path, problems: list[Problem], cache: _Cache | None = None, records: bool = False
) -> BankConfig | None:
    path = root / "questions" / BANK_CONFIG
    rel = _rel(path, root)
    if not path.is_file():
        problems.append(Problem(rel, 0, 0, "error", "bank configuration not found"))
        return None
    raw = _read(path, root, problems)
    if raw is None:
        return None
    key = cache.key("c", raw) if cache else ""
    hit = cache.get_many([key]).get(key) if cache else None
    if hit is not None:
        with contextlib.suppress(ValueError):  # unreadable: validate the file as if not cached
            return _from_json("BankConfig", hit[1], records)
    from mlprep.content._models import BankConfig

    parsed = _parse(raw, rel, problems)
    if parsed is None:
        return None
    config = _validate(BankConfig, parsed[0], rel, parsed[1], problems)
    if config is None:
        return None
    if cache:
        cache.put_many([(key, "", config.model_dump_json())])
    return _as(config, records)


def collect(
    root: Path | None = None,
    *,
    records: bool = False,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[Bank | None, list[Problem]]:
    """Load what can be loaded; return the bank (None without a valid config) and every problem.

    ``records=True``: entries come as read-only records (``_records``) rather than pydantic models,
    and pydantic is not even imported when every file is in the content cache. For start-up paths
    (the quiz); anything that writes, checks or publishes content uses the models.
    """
    root = (root or default_root()).resolve()
    problems: list[Problem] = []
    cache = _Cache()
    config = load_config(root, problems, cache, records)
    if config is None:
        return None, problems
    bank = Bank(root=root, config=config)
    bank.questions = LazyQuestions(records, reload=lambda qid: _reload(bank, qid, records))
    jobs = [("q", p) for p in _yaml_files(root / "questions", "question")]
    if (root / "exercises").is_dir():
        jobs += [("x", p) for p in sorted(glob.glob(str(root / "exercises" / "*" / EXERCISE_FILE)))]

    raws: list[tuple[str, str, bytes | None, str]] = []
    if cache.enabled:  # the cache is looked up by content: every file is read first
        for kind, path in jobs:
            raw = _read(path, root, problems)
            if raw is None:
                continue
            raws.append((kind, path, raw, cache.key(kind, raw)))
    else:  # every file is validated, by whichever process validates it: read there
        raws = [(kind, path, None, "") for kind, path in jobs]
    hits = cache.get_many([r[3] for r in raws])
    cached = _cached_entries(raws, hits, records)

    todo = [(kind, path, raw) for kind, path, raw, key in raws if key not in cached]
    fresh_one = partial(_fresh, root=root, dump=cache.enabled)
    outcomes = iter(_parallel.map_in_two(fresh_one, todo, meanwhile))
    fresh: list[tuple[str, str, str]] = []
    for kind, path, _raw, key in raws:  # in file order: the first of two equal ids is kept
        entry = cached.get(key)
        if entry is not None:
            if _add(bank, kind, path, entry[0].id, problems):
                if kind == "q":
                    bank.headers[entry[0].id] = entry[0]
                    bank.questions._add_raw(entry[0].id, entry[1])
                else:
                    bank.exercises[entry[0].id] = entry[0]
            continue
        outcome = next(outcomes)
        problems += outcome.problems
        if outcome.entry is None:
            continue
        bank.positions[outcome.rel] = outcome.positions
        if _add(bank, kind, path, outcome.entry.id, problems):
            _store(bank, kind, outcome.entry, outcome.header, records)
        fresh.append((key, outcome.header, outcome.json))
    cache.put_many(fresh)
    problems.sort()
    return bank, problems


@dataclass
class _Outcome:
    """One content file parsed and validated (``entry`` is None when it is not valid)."""

    rel: str
    problems: list[Problem]
    entry: Any = None  # the pydantic model
    positions: _yaml.Positions | None = None
    header: str = ""  # a question's header as JSON
    json: str = ""  # the whole entry as JSON, for the cache (empty when there is no cache)


def _fresh(job: tuple[str, str, bytes | None], root: Path, dump: bool) -> _Outcome:
    """Parse and validate one file that the cache does not hold (reading it first when ``job``
    has no bytes). Changes nothing outside its result, so files can be validated in any process
    and in any order."""
    kind, path, raw = job
    out = _Outcome(_rel(path, root), [])
    if raw is None:
        raw = _read(path, root, out.problems)
        if raw is None:
            return out
    parsed = _parse(raw, out.rel, out.problems)
    if parsed is None:
        return out
    data, positions = parsed
    if not isinstance(data, dict):
        what = "the file is empty" if data is None else "the top level must be a mapping of keys"
        out.problems.append(Problem(out.rel, 1, 1, "error", what))
        return out
    from mlprep.content._models import Exercise, Question, QuestionHeader

    model = Question if kind == "q" else Exercise
    out.entry = _validate(model, data, out.rel, positions, out.problems)
    if out.entry is not None:
        out.positions = positions
        out.header = QuestionHeader.of(out.entry).model_dump_json() if kind == "q" else ""
        out.json = out.entry.model_dump_json() if dump else ""
    return out


def _cached_entries(
    raws: list[tuple[str, str, bytes, str]], hits: dict[str, tuple[str, str]], records: bool
) -> dict[str, tuple[Any, str]]:
    """cache key -> (header or exercise, full JSON) for the files found in the cache.

    Headers and exercises are built here (small); a question's full JSON waits in LazyQuestions.
    A hit whose JSON cannot be read is left out: its file is then validated like a new one.
    """
    found = [(kind, key, hits[key]) for kind, _path, _raw, key in raws if key in hits]
    questions = [(key, header, full) for kind, key, (header, full) in found if kind == "q"]
    out: dict[str, tuple[Any, str]] = {}
    if records:
        for key, header, full in questions:
            with contextlib.suppress(ValueError):
                out[key] = (_from_json("QuestionHeader", header, True), full)
    else:
        try:  # one validate_json call for every header: the warm path of a 10,000-entry bank
            joined = "[" + ",".join(h for _, h, _ in questions) + "]"
            headers = _headers_adapter().validate_json(joined)
            out.update(
                (key, (h, full)) for (key, _, full), h in zip(questions, headers, strict=True)
            )
        except ValueError:
            pass  # some cached header is unreadable: every question is validated as new (rare)
    for kind, key, (_header, full) in found:
        if kind == "x":
            with contextlib.suppress(ValueError):
                out[key] = (_from_json("Exercise", full, records), full)
    return out


def _from_json(model: str, raw: str, records: bool) -> Any:
    """A cached entry as a record or as its pydantic model (named by the model's class name).

    Raises ValueError when the JSON cannot be read: JSONDecodeError, RecordError and pydantic's
    ValidationError all are ValueErrors."""
    if records:
        return RECORDS[model](json.loads(raw))
    from mlprep.content import _models

    return getattr(_models, model).model_validate_json(raw)


def _as(entry: Any, records: bool) -> Any:
    """A model just validated from its file, as the caller asked for entries: model or record."""
    return RECORDS[type(entry).__name__](entry.dump()) if records else entry


@lru_cache(maxsize=1)
def _headers_adapter() -> TypeAdapter[list[QuestionHeader]]:
    from pydantic import TypeAdapter

    from mlprep.content._models import QuestionHeader

    return TypeAdapter(list[QuestionHeader])


def _store(bank: Bank, kind: str, entry: Any, header: str, records: bool) -> None:
    entry = _as(entry, records)
    if kind == "q":
        bank.headers[entry.id] = _from_json("QuestionHeader", header, records)
        bank.questions._add_model(entry)
    else:
        bank.exercises[entry.id] = entry


def _reload(bank: Bank, qid: str, records: bool) -> Question:
    """Validate question ``qid``'s file again (its cached JSON could not be read)."""
    path = bank.paths[f"q:{qid}"]
    problems: list[Problem] = []
    raw = _read(path, bank.root, problems)
    q = None
    if raw is not None:
        outcome = _fresh(("q", path, raw), root=bank.root, dump=False)
        problems += outcome.problems
        q = outcome.entry
    if q is None or q.id != qid:
        raise ContentError(problems or [Problem(_rel(path, bank.root), 1, 1, "error", "changed")])
    return _as(q, records)


def _add(bank: Bank, kind: str, path: str, entry_id: str, problems: list[Problem]) -> bool:
    """Register an entry's path; False (with a problem) for a misnamed file or a duplicate id."""
    rel = _rel(path, bank.root)
    expected = (
        os.path.splitext(os.path.basename(path))[0]
        if kind == "q"
        else os.path.basename(os.path.dirname(path))
    )
    if entry_id != expected:
        line, col = _yaml.locate(positions_for(bank, Path(path)), ("id",))
        problems.append(
            Problem(
                rel, line, col, "error", f"id '{entry_id}' must equal the file name '{expected}'"
            )
        )
        return False
    key = f"{kind}:{entry_id}"
    if key in bank.paths:
        first = _rel(bank.paths[key], bank.root)
        line, col = _yaml.locate(positions_for(bank, Path(path)), ("id",))
        problems.append(
            Problem(rel, line, col, "error", f"duplicate id '{entry_id}' (also in {first})")
        )
        return False
    bank.paths[key] = path
    return True


def exercise_source_hash(bank: Bank, ex: Exercise, text: ExerciseLocale) -> str:
    """Hash of an exercise locale's title, hints and statement file: what a translation is made from."""
    try:
        statement = (bank.exercise_dir(ex.id) / text.statement).read_bytes()
    except OSError:
        statement = b""
    h = hashlib.sha256()
    for part in (text.title.encode(), *(x.encode() for x in text.hints), statement):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()[:12]


def load_bank(root: Path | None = None, *, records: bool = False) -> Bank:
    """Load the whole bank; raise ContentError if any file is invalid. ``records``: see ``collect``."""
    bank, problems = collect(root, records=records)
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
