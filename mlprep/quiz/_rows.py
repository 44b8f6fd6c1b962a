"""Rows of the progress database, checked field by field on the way in.

The database is untrusted input (hand edits, other tools, a half-restored backup), so every value
read back is checked for type and range before the quiz relies on it; ``RowError`` says which
field is wrong and the store turns it into a ``ProgressError``. Timestamps must carry their UTC
offset: a naive one could not be compared with the clock. Floats must be finite: FSRS would turn a
NaN stability into a NaN schedule.

Plain dataclasses, not pydantic models: the quiz reads every card before it shows its first
question, and the start-up budget of issue #6 has no room for importing pydantic.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fsrs import Card


class RowError(ValueError):
    """A stored value has the wrong type or is out of range."""


def _int(row: dict[str, Any], name: str, lo: int | None = None, hi: int | None = None) -> int:
    value = row[name]
    if type(value) is not int:
        raise RowError(f"{name}: expected an integer, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise RowError(f"{name}: {value} is outside {lo}..{hi if hi is not None else ''}")
    return value


def _opt_int(row: dict[str, Any], name: str, lo: int | None = None) -> int | None:
    return None if row[name] is None else _int(row, name, lo)


def _opt_float(row: dict[str, Any], name: str) -> float | None:
    value = row[name]
    if value is None:
        return None
    if type(value) not in (int, float) or not math.isfinite(value):
        raise RowError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def _str(row: dict[str, Any], name: str, nonempty: bool = False) -> str:
    value = row[name]
    if not isinstance(value, str) or (nonempty and not value):
        raise RowError(
            f"{name}: expected {'a non-empty' if nonempty else 'a'} string, got {value!r}"
        )
    return value


def _bool(row: dict[str, Any], name: str) -> bool:
    value = row[name]  # SQLite stores booleans as 0/1
    if value not in (0, 1) or type(value) not in (int, bool):
        raise RowError(f"{name}: expected 0 or 1, got {value!r}")
    return bool(value)


def _opt_bool(row: dict[str, Any], name: str) -> bool | None:
    return None if row[name] is None else _bool(row, name)


def _time(row: dict[str, Any], name: str) -> datetime:
    value = row[name]
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise RowError(f"{name}: expected an ISO 8601 timestamp, got {value!r}") from None
    if moment.utcoffset() is None:
        raise RowError(f"{name}: timestamp {value!r} has no UTC offset")
    return moment


def _opt_time(row: dict[str, Any], name: str) -> datetime | None:
    return None if row[name] is None else _time(row, name)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class CardRow:
    """A card as stored: FSRS's memory state of one question."""

    question_id: str
    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    answer_hash: str

    @classmethod
    def parse(cls, row: Any) -> CardRow:
        """A row (column -> value) read from the file; ``RowError`` if any value is wrong."""
        if not isinstance(row, dict) or row.keys() != _CARD_FIELDS:
            raise RowError(f"expected the fields {sorted(_CARD_FIELDS)}")
        return cls(
            question_id=_str(row, "question_id", nonempty=True),
            state=_int(row, "state", 1, 3),
            step=_opt_int(row, "step", 0),
            stability=_opt_float(row, "stability"),
            difficulty=_opt_float(row, "difficulty"),
            due=_time(row, "due"),
            last_review=_opt_time(row, "last_review"),
            answer_hash=_str(row, "answer_hash"),
        )

    def to_json(self) -> str:
        """What a review row keeps of the card before it, so undo can put it back."""
        data = asdict(self)
        data["due"] = _iso(self.due)
        data["last_review"] = _iso(self.last_review) if self.last_review else None
        return json.dumps(data)

    def to_card(self) -> Card:
        from fsrs import Card, State

        from mlprep.quiz._schedule import card_id_for

        return Card(
            card_id=card_id_for(self.question_id),
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due.astimezone(UTC),
            last_review=self.last_review.astimezone(UTC) if self.last_review else None,
        )

    @classmethod
    def of(cls, qid: str, card: Card, answer_hash: str) -> CardRow:
        return cls(
            question_id=qid,
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
            answer_hash=answer_hash,
        )


_CARD_FIELDS = frozenset(CardRow.__dataclass_fields__)


@dataclass(frozen=True)
class ReviewRow:
    """One rating in the history."""

    id: int
    question_id: str
    reviewed_at: datetime
    rating: int  # fsrs.Rating: 1 Again, 2 Hard, 3 Good, 4 Easy
    kind: str
    lang: str
    correct: bool | None
    cram: bool
    duration_ms: int | None
    answer_hash: str

    @classmethod
    def parse(cls, row: dict[str, Any]) -> ReviewRow:
        return cls(
            id=_int(row, "id"),
            question_id=_str(row, "question_id", nonempty=True),
            reviewed_at=_time(row, "reviewed_at"),
            rating=_int(row, "rating", 1, 4),
            kind=_str(row, "kind"),
            lang=_str(row, "lang"),
            correct=_opt_bool(row, "correct"),
            cram=_bool(row, "cram"),
            duration_ms=_opt_int(row, "duration_ms", 0),
            answer_hash=_str(row, "answer_hash"),
        )
