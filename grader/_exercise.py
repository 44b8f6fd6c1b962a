"""The exercise being graded: loaded through the content loader once, then from a small cache.

``mlprep.content`` costs ~0.25 s to import and ``collect`` reads the whole bank; grading needs
seven fields of one exercise. So the first grade of an exercise goes through the loader (full
validation, the bank's own rules) and stores those fields as JSON keyed by the sha256 of the
exercise file and of the content models' source; later grades read that entry and never import
the loader. Editing the file or the models changes the key, so a stale entry is never used. The
cache holds only what the loader validated; losing it costs speed, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from mlprep._errors import ContentError, NotFoundError

_MLPREP = Path(__file__).resolve().parent.parent / "mlprep"
_MODELS = _MLPREP / "content" / "_models.py"
VERSION = b"grader-exercise-1"


@dataclass(frozen=True)
class ExerciseInfo:
    """What grading needs of an ``mlprep.content.Exercise``."""

    id: str
    kind: str
    entry_points: list[str]
    allowed_imports: list[str]
    forbidden: list[str]
    time_s: float
    memory_mb: int
    output_kb: int
    related_questions: list[str]

    @property
    def torch(self) -> bool:
        return any(m == "torch" or m.startswith("torch.") for m in self.allowed_imports)


def bank_root() -> Path:
    """Same rule as ``mlprep.content.default_root`` (kept in step by a test), without its import."""
    env = os.environ.get("MLPREP_BANK")
    if env:
        return Path(env)
    if (_MLPREP.parent / "questions" / "_bank.yaml").is_file():
        return _MLPREP.parent
    return _MLPREP / "_bundled"


def _cache_file() -> Path | None:
    from mlprep._dirs import cache_dir

    base = cache_dir()
    return None if base is None else base / "grader-exercises.json"


def _key(raw: bytes) -> str:
    try:
        salt = _MODELS.read_bytes()
    except OSError:  # pragma: no cover - zipped installs
        salt = b""
    return hashlib.sha256(VERSION + salt + raw).hexdigest()


def load_exercise(exercise_id: str, root: Path | None = None) -> ExerciseInfo:
    root = (root or bank_root()).resolve()
    path = root / "exercises" / exercise_id / "exercise.yaml"
    try:
        raw = path.read_bytes()
    except OSError:
        raw = None
    cache = _cache_file()
    entries: dict[str, dict] = {}
    if raw is not None and cache is not None:
        try:
            entries = json.loads(cache.read_text("utf-8"))
            return ExerciseInfo(**entries[_key(raw)])
        except (OSError, ValueError, KeyError, TypeError):
            entries = entries if isinstance(entries, dict) else {}
    info = _through_loader(exercise_id, root)
    if raw is not None and cache is not None:
        entries[_key(raw)] = asdict(info)
        while len(entries) > 256:  # edits leave old keys behind; keep the newest
            entries.pop(next(iter(entries)))
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(entries), "utf-8")
            os.replace(tmp, cache)
        except OSError:
            pass
    return info


def _through_loader(exercise_id: str, root: Path) -> ExerciseInfo:
    """Full validation by the content loader; only this exercise's own problems stop grading."""
    from mlprep.content import collect

    bank, problems = collect(root)
    mine = [
        p
        for p in problems
        if p.severity == "error" and Path(p.path).parts[:2] == ("exercises", exercise_id)
    ]
    if bank is None or mine:
        raise ContentError(mine or problems)
    if exercise_id not in bank.exercises:
        known = ", ".join(sorted(bank.exercises)) or "none"
        raise NotFoundError(f"no exercise with id '{exercise_id}' (known: {known})")
    x = bank.exercises[exercise_id]
    return ExerciseInfo(
        id=x.id,
        kind=x.kind,
        entry_points=list(x.entry_points),
        allowed_imports=list(x.allowed_imports),
        forbidden=list(getattr(x, "forbidden", [])),
        time_s=x.limits.time_s,
        memory_mb=x.limits.memory_mb,
        output_kb=x.limits.output_kb,
        related_questions=list(x.related_questions),
    )
