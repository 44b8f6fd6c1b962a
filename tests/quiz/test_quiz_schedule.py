"""FSRS wiring, queue selection and stats, with an injected clock (fuzzing off)."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from fsrs import Rating, State

from mlprep.quiz import Reviewer, build_queue, matching, open_store, rating_for
from mlprep.quiz._schedule import card_id_for, make_scheduler
from mlprep.quiz._stats import compute_stats


def test_rating_map():
    assert rating_for(True) == Rating.Good
    assert rating_for(False) == Rating.Again


def test_no_fuzz_and_stable_card_ids():
    assert make_scheduler().enable_fuzzing is False
    assert card_id_for("bn-x") == card_id_for("bn-x") != card_id_for("bn-y")
    assert 0 < card_id_for("bn-x") < 2**63


def _history(bank, db, clock, ratings):
    q = bank.question("fx-open")
    with open_store(db) as store:
        r = Reviewer(store, "en", now=clock)
        for rating in ratings:
            r.rate(q, rating)
            clock.t = store.card(q.id).due  # come back exactly when it is due
        return store.card(q.id)


def test_same_reviews_same_schedule(bank, tmp_path, clock, new_clock):
    ratings = [Rating.Good, Rating.Good, Rating.Good, Rating.Hard, Rating.Good]
    a = _history(bank, tmp_path / "a.db", clock, ratings)
    b = _history(bank, tmp_path / "b.db", new_clock(), ratings)
    assert a == b
    assert a.state == State.Review


def test_good_schedules_later_than_again(bank, tmp_path, clock, new_clock):
    good = _history(bank, tmp_path / "g.db", clock, [Rating.Good, Rating.Good])
    again = _history(bank, tmp_path / "a.db", new_clock(), [Rating.Good, Rating.Again])
    assert good.due - good.last_review > again.due - again.last_review
    assert _history(bank, tmp_path / "f.db", new_clock(), []) is None  # no review, no card


def test_new_card_learning_step(bank, db_path, clock):
    with open_store(db_path) as store:
        Reviewer(store, "en", now=clock).rate(bank.question("fx-open"), Rating.Good)
        card = store.card("fx-open")
    assert card.state == State.Learning
    assert card.due - clock.t == timedelta(minutes=10)


def test_queue_due_first_then_new_capped(bank, db_path, clock):
    qs = matching(bank)
    with open_store(db_path) as store:
        r = Reviewer(store, "en", now=clock)
        r.rate(bank.question("fx-spot"), Rating.Again, correct=False)  # due at T0 + 1 min
        clock.advance(minutes=1)
        r.rate(bank.question("fx-open"), Rating.Again)  # due at T0 + 2 min
        clock.advance(hours=1)
        cards = store.cards()
    queue = build_queue(qs, cards, clock(), count=20, new=2)
    ids = [q.id for q in queue]
    assert set(ids[:4]) == {"fx-spot", "fx-open", "fx-choice", "fx-numeric"}
    assert ids.index("fx-spot") < ids.index("fx-open")  # oldest due first
    assert len(ids) == 4  # two due + two new
    assert [q.id for q in build_queue(qs, cards, clock(), count=1, new=2)] == ["fx-spot"]
    assert build_queue(qs, cards, clock() - timedelta(days=1), count=9, new=0) == []
    cram = build_queue(qs, cards, clock(), count=20, new=0, cram=True)
    assert [q.id for q in cram][-2:] == ["fx-spot", "fx-open"]  # least recently seen first
    assert len(cram) == 6


def test_filters(bank):
    assert {q.id for q in matching(bank, tags=["layernorm"])} == {"fx-multi"}
    assert {q.id for q in matching(bank, kinds=["choice"])} == {"fx-choice", "fx-multi"}
    assert {q.id for q in matching(bank, ["batchnorm"], ["open", "choice"])} == {
        "fx-open",
        "fx-choice",
    }


def test_stats(bank, db_path, clock):
    with open_store(db_path) as store:
        r = Reviewer(store, "en", now=clock)
        # day 0: open Good, choice wrong; day 1: open Good again, choice right; day 3: choice wrong
        r.rate(bank.question("fx-open"), Rating.Good)
        r.rate(bank.question("fx-choice"), Rating.Again, correct=False)
        clock.advance(days=1)
        r.rate(bank.question("fx-open"), Rating.Good)
        r.rate(bank.question("fx-choice"), Rating.Good, correct=True)
        clock.advance(days=2)
        r.rate(bank.question("fx-choice"), Rating.Again, correct=False)
        stats = compute_stats(bank, store, clock(), UTC)
        assert stats.total_reviews == 5
        assert stats.recall_attempts == 3  # the first review of each question is not a recall
        assert abs(stats.retention - 2 / 3) < 1e-12  # exact ratio; tolerance only for float repr
        assert stats.streak_days == 1  # day 3 alone: day 2 had no review
        assert stats.reviews_today == 1
        assert stats.unseen == 4
        # the choice card, just failed, is due again in 1 minute: later today, not now
        assert stats.due_now == 0 and stats.due_today >= 1
        # in a zone 12 hours ahead the same instants fall on other local days
        east = compute_stats(bank, store, clock(), timezone(timedelta(hours=12)))
        assert east.reviews_today == 1
        clock.advance(days=1)
        assert compute_stats(bank, store, clock(), UTC).streak_days == 1  # yesterday still counts
        clock.advance(days=1)
        assert compute_stats(bank, store, clock(), UTC).streak_days == 0
        tags = {t.tag: t for t in stats.tags}
        assert tags["batchnorm"].seen == 2 and tags["batchnorm"].questions == 3
        assert 0 < tags["batchnorm"].mastery < 1
        assert tags["layernorm"].mastery == 0


def test_streak_over_consecutive_days(bank, db_path, clock):
    with open_store(db_path) as store:
        r = Reviewer(store, "en", now=clock, cram=True)
        for _ in range(4):
            r.rate(bank.question("fx-open"), Rating.Good)
            clock.advance(days=1)
        clock.advance(days=-1, hours=5)
        stats = compute_stats(bank, store, clock(), UTC)
        assert stats.streak_days == 4
        assert stats.due_today == 0 and store.cards() == {}  # cram never schedules


def test_selecting_validates_only_the_questions_asked(bank_root, clock, monkeypatch):
    from mlprep.content import Question, load_bank

    load_bank(bank_root)  # fill the content cache
    bank = load_bank(bank_root)  # warm: full texts stay unvalidated until asked for
    calls: list[str] = []
    original = Question.model_validate_json

    def counted(cls, data, **kwargs):
        calls.append("validate")
        return original(data, **kwargs)

    monkeypatch.setattr(Question, "model_validate_json", classmethod(counted))
    picked = build_queue(matching(bank), {}, clock(), count=2, new=10)
    assert calls == []  # filtering and ordering use the headers
    questions = [bank.questions[h.id] for h in picked]
    assert len(calls) == 2 and [q.id for q in questions] == ["fx-choice", "fx-numeric"]
