"""FSRS wiring: one card per question id, a clock that tests can replace, and the grade → rating map.

Auto-graded kinds (choice, numeric, spot-the-error) map a correct answer to ``Rating.Good`` and a
wrong one to ``Rating.Again``: a correct pick is a successful recall of ordinary difficulty, and a
wrong pick is a lapse. The learner rates ``open`` and ``exercise`` entries themselves (keys 1–4).
Fuzzing is off, so the same reviews at the same times always give the same schedule.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # fsrs is imported when a card is scheduled, after the first question shows
    from fsrs import Card, ReviewLog, Scheduler

    from mlprep.content import Question

Clock = Callable[[], datetime]  # returns an aware UTC datetime

# fsrs.Rating is an IntEnum with these values; the quiz passes plain ints until fsrs is called
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES: dict[int, str] = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}


def utc_now() -> datetime:
    return datetime.now(UTC)


def make_scheduler() -> Scheduler:
    """FSRS-6 with its default parameters and no fuzz (reproducible schedules)."""
    from fsrs import Scheduler

    return Scheduler(enable_fuzzing=False)


def rating_for(correct: bool) -> int:
    """The rating an auto-graded answer earns."""
    return GOOD if correct else AGAIN


def card_id_for(qid: str) -> int:
    """A stable 63-bit FSRS card id from the question id (FSRS's default is the creation time)."""
    return int.from_bytes(hashlib.sha256(qid.encode()).digest()[:8], "big") >> 1


def new_card(qid: str, now: datetime) -> Card:
    from fsrs import Card, State

    return Card(card_id=card_id_for(qid), state=State.Learning, due=now)


def review(
    scheduler: Scheduler, card: Card, rating: int, now: datetime, duration_ms: int | None = None
) -> tuple[Card, ReviewLog]:
    from fsrs import Rating

    if now.tzinfo is None or now.utcoffset() != UTC.utcoffset(None):
        raise ValueError("review times must be aware UTC datetimes")
    return scheduler.review_card(
        card, Rating(rating), review_datetime=now.astimezone(UTC), review_duration=duration_ms
    )


def answer_hash(q: Question) -> str:
    """Fingerprint of the source-locale answer (text, key points and the graded key).

    Stored with each review; when it differs at the next review the quiz says the answer changed.
    Question ids are stable across edits, so history survives them; this hash tells them apart.
    """
    payload = {
        "answer": q.source.answer,
        "key_points": q.source.key_points,
        "key": [m.dump() for m in (q.choice, q.numeric, q.spot) if m is not None],
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def short_interval(delta: timedelta) -> str:
    """'1m', '10m', '3h', '4d', '2mo', '1.5y': how Anki-like schedulers show intervals."""
    minutes = delta.total_seconds() / 60
    if minutes < 60:
        return f"{max(round(minutes), 1)}m"
    if minutes < 60 * 24:
        return f"{round(minutes / 60)}h"
    days = minutes / (60 * 24)
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30)}mo"
    return f"{days / 365:.1f}y"
