"""Progress figures for ``mlprep stats``. Definitions (also in ``mlprep stats --help``):

- due today: questions in the bank whose card is due before the end of the learner's local day.
- total reviews: every stored review, cram reviews included.
- retention: the share of recall attempts rated Good or Easy, where a recall attempt is a review
  of a question that had been reviewed before (a first review measures prior knowledge, not
  memory). ``None`` until there is one.
- mean retrievability: FSRS's predicted probability of recalling each reviewed question now,
  averaged over the reviewed questions still in the bank.
- streak: consecutive local days with at least one review, ending today; a streak that ended
  yesterday still counts until today is over.
- mastery per tag: the mean FSRS retrievability now over the tag's questions, unseen ones as 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from fsrs import Rating

from mlprep.content import Bank
from mlprep.quiz._rows import CardRow, ReviewRow
from mlprep.quiz._schedule import make_scheduler
from mlprep.quiz._store import ProgressStore


@dataclass
class TagMastery:
    tag: str
    label: str
    questions: int
    seen: int
    mastery: float  # 0..1


@dataclass
class Stats:
    due_now: int
    due_today: int
    unseen: int
    total_reviews: int
    reviews_today: int
    retention: float | None
    recall_attempts: int
    mean_retrievability: float | None
    streak_days: int
    tags: list[TagMastery] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _streak(reviews: list[ReviewRow], today: date, tz: tzinfo) -> int:
    days = {r.reviewed_at.astimezone(tz).date() for r in reviews}
    day = today if today in days else today - timedelta(days=1)
    n = 0
    while day in days:
        n += 1
        day -= timedelta(days=1)
    return n


def _retention(reviews: list[ReviewRow]) -> tuple[float | None, int]:
    seen: set[str] = set()
    attempts = good = 0
    for r in reviews:  # oldest first
        if r.question_id in seen:
            attempts += 1
            good += r.rating >= Rating.Good
        seen.add(r.question_id)
    return (good / attempts if attempts else None), attempts


def compute_stats(bank: Bank, store: ProgressStore, now: datetime, tz: tzinfo) -> Stats:
    scheduler = make_scheduler()
    cards: dict[str, CardRow] = {q: c for q, c in store.cards().items() if q in bank.questions}
    reviews = store.reviews()
    local_now = now.astimezone(tz)
    today = local_now.date()
    end_of_day = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)
    recall = {qid: scheduler.get_card_retrievability(c.to_card(), now) for qid, c in cards.items()}
    retention, attempts = _retention(reviews)
    tags: list[TagMastery] = []
    for tag in bank.config.tags:
        qids = [h.id for h in bank.headers.values() if tag in h.tags]
        if qids:
            tags.append(
                TagMastery(
                    tag=tag,
                    label=bank.config.tag_label(tag, "en"),
                    questions=len(qids),
                    seen=sum(q in cards for q in qids),
                    mastery=sum(recall.get(q, 0.0) for q in qids) / len(qids),
                )
            )
    return Stats(
        due_now=sum(c.due <= now for c in cards.values()),
        due_today=sum(c.due < end_of_day for c in cards.values()),
        unseen=len(bank.questions) - len(cards),
        total_reviews=len(reviews),
        reviews_today=sum(r.reviewed_at.astimezone(tz).date() == today for r in reviews),
        retention=retention,
        recall_attempts=attempts,
        mean_retrievability=sum(recall.values()) / len(recall) if recall else None,
        streak_days=_streak(reviews, today, tz),
        tags=tags,
    )
