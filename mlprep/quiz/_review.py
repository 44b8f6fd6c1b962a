"""Reviewing one question: FSRS step + store write, and undo. No terminal here.

``Reviewer`` is what a session (or a test) drives: ``rate`` schedules the question's card and
commits the review in one transaction; ``undo`` takes back this reviewer's newest rating.
Cram reviews (``cram=True``) are logged in the history but leave the card's schedule as it was:
reviewing early would otherwise teach FSRS that the card is easier than it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from mlprep._errors import ProgressError
from mlprep.quiz._rows import CardRow
from mlprep.quiz._schedule import (
    RATING_NAMES,
    Clock,
    answer_hash,
    make_scheduler,
    new_card,
    review,
    utc_now,
)
from mlprep.quiz._store import ProgressStore

if TYPE_CHECKING:
    from fsrs import Scheduler

    from mlprep.content import Question


@dataclass
class Rated:
    review_id: int
    question_id: str
    rating: int  # 1 Again .. 4 Easy (fsrs.Rating's values)
    correct: bool | None
    due_in: timedelta | None = None  # None for cram reviews, which leave the schedule alone


@dataclass
class Reviewer:
    store: ProgressStore
    lang: str
    cram: bool = False
    now: Clock = utc_now
    scheduler: Any = None  # an fsrs.Scheduler; made on first use (importing fsrs takes time)
    history: list[Rated] = field(default_factory=list)  # this session's ratings, oldest first

    def answer_changed(self, q: Question) -> bool:
        """True when the vetted answer was edited since this question was last reviewed."""
        card = self.store.card(q.id)
        return card is not None and card.answer_hash != answer_hash(q)

    def _scheduler(self) -> Scheduler:
        if self.scheduler is None:
            self.scheduler = make_scheduler()
        return self.scheduler

    def preview(self, q: Question) -> dict[int, timedelta]:
        """How long until ``q`` is due again after each rating (empty when cramming)."""
        if self.cram:
            return {}
        moment = self.now()
        row = self.store.card(q.id)
        card = row.to_card() if row is not None else new_card(q.id, moment)
        return {
            rating: review(self._scheduler(), card, rating, moment)[0].due - moment
            for rating in RATING_NAMES
        }

    def rate(
        self,
        q: Question,
        rating: int,
        correct: bool | None = None,
        duration_ms: int | None = None,
    ) -> Rated:
        moment = self.now()
        before: CardRow | None = self.store.card(q.id)
        after = None
        if not self.cram:
            card = before.to_card() if before is not None else new_card(q.id, moment)
            after, _log = review(self._scheduler(), card, rating, moment, duration_ms)
        rid = self.store.record(
            q.id,
            before=before,
            after=after,
            rating=rating,
            reviewed_at=moment,
            kind=q.kind,
            lang=self.lang,
            answer_hash=answer_hash(q),
            correct=correct,
            duration_ms=duration_ms,
        )
        due_in = after.due - moment if after is not None else None
        rated = Rated(rid, q.id, int(rating), correct, due_in)
        self.history.append(rated)
        return rated

    def can_undo(self) -> bool:
        return bool(self.history)

    def undo(self) -> Rated:
        """Take back this session's newest rating (store row and card state)."""
        if not self.history:
            raise ProgressError("nothing to undo in this session")
        last = self.history[-1]
        self.store.undo(last.review_id)
        self.history.pop()
        return last
