"""Which questions a session asks, in which order.

Scheduled session: the cards that are due (oldest due first), then up to ``new`` questions never
seen before, spread evenly among them so a long review queue does not bury the new material;
``count`` caps the total. Cram: every matching question, least recently reviewed first (unseen
ones first of all), regardless of due dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from mlprep.content._records import DIFFICULTIES
from mlprep.quiz._rows import CardRow

if TYPE_CHECKING:
    from mlprep.content import Bank
    from mlprep.content._models import QuestionHeader


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


Q = TypeVar("Q", bound=_HasId)


def matching(
    bank: Bank, tags: Iterable[str] = (), kinds: Iterable[str] = ()
) -> list[QuestionHeader]:
    """Headers of the questions with any of ``tags`` and any of ``kinds`` (empty: no filter), in a
    stable order. Headers, not questions: the bank validates a question's full text only when
    it is asked for, so filtering a large bank stays cheap."""
    tags, kinds = set(tags), set(kinds)
    out = [
        h
        for h in bank.headers.values()
        if (not tags or tags & set(h.tags)) and (not kinds or h.kind in kinds)
    ]
    return sorted(out, key=lambda h: (DIFFICULTIES.index(h.difficulty), bank.topic(h.id), h.id))


def _interleave(due: list[Q], new: list[Q]) -> list[Q]:
    if not due or not new:
        return due + new
    out: list[Q] = []
    step = (len(due) + len(new)) / len(new)
    slots = {round(step * (i + 0.5)) for i in range(len(new))}
    di, ni = iter(due), iter(new)
    for pos in range(len(due) + len(new)):
        nxt = next(ni, None) if pos in slots else next(di, None)
        if nxt is None:  # one list ran out early: take from the other
            nxt = next(di, None) or next(ni)
        out.append(nxt)
    return out


def build_queue(
    candidates: list[Q],
    cards: dict[str, CardRow],
    now: datetime,
    *,
    count: int,
    new: int,
    cram: bool = False,
) -> list[Q]:
    """The session's questions (anything with an ``id``: headers or questions), in order."""
    if cram:
        epoch = datetime.min.replace(tzinfo=now.tzinfo)

        def last_seen(q: Q) -> datetime:
            card = cards.get(q.id)
            return card.last_review or epoch if card else epoch

        return sorted(candidates, key=last_seen)[:count]
    due = [q for q in candidates if q.id in cards and cards[q.id].due <= now]
    due.sort(key=lambda q: cards[q.id].due)
    fresh = [q for q in candidates if q.id not in cards][: max(new, 0)]
    return _interleave(due, fresh)[:count]
