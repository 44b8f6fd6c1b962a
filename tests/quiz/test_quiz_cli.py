"""``mlprep quiz`` / ``stats`` / ``export`` through click's CliRunner (plain, line-based prompts)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlprep.cli import cli

# the fixture bank's order for a fresh learner: easy before medium before hard, then topic, then id
ORDER = ["fx-choice", "fx-numeric", "fx-open", "fx-spot", "fx-multi", "fx-exercise"]


def run(args: list[str], input: str = "", env: dict | None = None):
    return CliRunner().invoke(cli, args, input=input, env=env, catch_exceptions=False)


def reviews(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(
            "SELECT question_id, rating, correct, cram FROM review ORDER BY id"
        ).fetchall()


def cards(db: Path) -> dict[str, tuple]:
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT question_id, state, due, answer_hash FROM card").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_first_session_order_is_new_questions_by_difficulty(bank_root, db_path):
    result = run(["quiz", "--db", str(db_path)], input="s\n" * 6)
    assert result.exit_code == 0
    positions = [result.output.find(f"{qid} ·") for qid in ORDER]
    assert positions == sorted(positions) and positions[0] >= 0
    assert "[1/6]" in result.output and "[6/6]" in result.output
    assert reviews(db_path) == []  # skipping records nothing


def test_full_session_every_kind(bank_root, db_path):
    replies = [
        "b",  # fx-choice: correct (B, lower case accepted)
        "0.2",  # fx-numeric: wrong
        "my answer",  # fx-open: typed, then revealed
        "3",  # ... rate Good
        "2",  # fx-spot: correct
        "A C",  # fx-multi: correct
        "4",  # fx-exercise: self-rated Easy
        "",  # finish
    ]
    result = run(["quiz", "--db", str(db_path)], input="\n".join(replies) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "x̂ᵢ = (xᵢ−μ)/√(σ²+ε)" in out  # display math as Unicode
    assert "$" not in out  # no raw LaTeX left
    assert out.count("✓ Correct") == 3 and out.count("✗ Not quite (you answered 0.2)") == 1
    assert "Claim: A wrong claim." in out and "Correction: Why it is wrong." in out
    assert "Exercise: Batch norm forward" in out
    assert "Rate your attempt: 1 Again" in out
    assert "mlprep grade fx-bn-forward FILE" in out
    assert "\x1b[" not in out  # no colours or control codes in a pipe
    assert "Session done: 6 answered, 3/4 auto-graded correct" in out
    # rating map: correct -> Good (3), wrong -> Again (1); open/exercise: the learner's key
    assert "you wrote: my answer" in out
    assert reviews(db_path) == [
        ("fx-choice", 3, 1, 0),
        ("fx-numeric", 1, 0, 0),
        ("fx-open", 3, None, 0),
        ("fx-spot", 3, 1, 0),
        ("fx-multi", 3, 1, 0),
        ("fx-exercise", 4, None, 0),
    ]
    assert set(cards(db_path)) == set(ORDER)


def test_bad_input_is_reasked_with_a_message(bank_root, db_path):
    replies = ["Z", "A B", "b", "", "0", "9", "x", "3"]  # choice: bad letters; open: bad ratings
    result = run(
        ["quiz", "--db", str(db_path), "--kind", "choice", "--kind", "open", "--tag", "batchnorm"],
        input="\n".join(replies) + "\n",
    )
    assert result.exit_code == 0
    assert result.output.count("✗ press 1, 2, 3 or 4") == 3
    assert "✗ not understood: answer with one letter, A–C" in result.output
    assert "exactly one option is correct" in result.output
    assert reviews(db_path) == [("fx-choice", 3, 1, 0), ("fx-open", 3, None, 0)]


def test_numeric_and_spot_bad_input(bank_root, db_path):
    replies = ["abc", "1/0", "nan", "1/10", "0", "4", "x", "2"]
    result = run(
        ["quiz", "--db", str(db_path), "--kind", "numeric", "--kind", "spot-the-error"],
        input="\n".join(replies) + "\n",
    )
    assert result.output.count("answer with a number") == 2
    assert "answer with a finite number" in result.output
    assert result.output.count("list the numbers of the wrong statements (1–3)") == 3
    assert reviews(db_path) == [("fx-numeric", 3, 1, 0), ("fx-spot", 3, 1, 0)]


def test_undo_then_reanswer(bank_root, db_path):
    # open rated Again, then at the next question: u -> the open question again, rated Easy
    replies = ["", "1", "u", "", "4", "q"]
    result = run(
        ["quiz", "--db", str(db_path), "--kind", "open", "--kind", "spot-the-error"],
        input="\n".join(replies) + "\n",
    )
    assert "↶ undid your rating of fx-open (Again)" in result.output
    assert reviews(db_path) == [("fx-open", 4, None, 0)]
    assert result.output.count("fx-open · open") == 2


def test_undo_at_the_rating_prompt_and_at_the_end(bank_root, db_path):
    # choice answered; open revealed, then u at its rating prompt: choice again, open again
    replies = ["b", "", "u", "c", "", "3", "u", ""]
    args = [
        "quiz",
        "--db",
        str(db_path),
        "--kind",
        "open",
        "--kind",
        "choice",
        "--tag",
        "batchnorm",
    ]
    result = run(args, input="\n".join(replies) + "\n")
    assert result.exit_code == 0
    # the last 'u' came at the "Done" prompt: fx-open was asked a third time, input then ended
    assert result.output.count("fx-open · open") == 3
    assert reviews(db_path) == [("fx-choice", 1, 0, 0)]


def test_undo_with_nothing_to_undo(bank_root, db_path):
    result = run(["quiz", "--db", str(db_path)], input="u\nq\n")
    assert "nothing to undo in this session" in result.output
    assert reviews(db_path) == []


def test_quit_keeps_answers_and_resume_continues(bank_root, db_path):
    first = run(["quiz", "--db", str(db_path)], input="b\n0.1\nq\n")
    assert first.exit_code == 0
    assert "Session stopped: 2 answered" in first.output
    assert [r[0] for r in reviews(db_path)] == ["fx-choice", "fx-numeric"]
    second = run(["quiz", "--db", str(db_path)], input="\n3\nq\n")
    assert "[1/4]" in second.output  # only the four unseen questions; the two seen are not due
    assert "4 questions (0 due, 4 new)" in second.output
    assert "fx-open · open" in second.output
    assert [r[0] for r in reviews(db_path)] == ["fx-choice", "fx-numeric", "fx-open"]


def test_skip_records_nothing(bank_root, db_path):
    result = run(["quiz", "--db", str(db_path), "--count", "2"], input="s\n0.1\n")
    assert "skipped fx-choice" in result.output
    assert reviews(db_path) == [("fx-numeric", 3, 1, 0)]


def test_filters_and_new_limit(bank_root, db_path):
    result = run(["quiz", "--db", str(db_path), "--tag", "layernorm"], input="a c\n")
    assert "fx-multi" in result.output and "fx-open" not in result.output
    result = run(["quiz", "--db", str(db_path), "--new", "1"], input="q\n")
    assert "[1/1]" in result.output
    result = run(["quiz", "--db", str(db_path), "--kind", "exercise"], input="s\n")
    assert "[1/1]" in result.output and "fx-exercise" in result.output


def test_nothing_due_then_cram(bank_root, db_path):
    run(["quiz", "--db", str(db_path), "--kind", "choice"], input="b\na c\n")
    before = cards(db_path)
    result = run(["quiz", "--db", str(db_path), "--kind", "choice", "--new", "0"])
    assert "Nothing due now" in result.output
    result = run(["quiz", "--db", str(db_path), "--kind", "choice", "--cram"], input="a\nq\n")
    assert "✗ Not quite" in result.output
    assert reviews(db_path)[-1] == ("fx-choice", 1, 0, 1)  # logged, flagged cram
    assert cards(db_path) == before  # ... and the schedule did not move


def test_other_locale(bank_root, db_path):
    result = run(
        ["quiz", "--db", str(db_path), "--lang", "zh-Hans", "--kind", "open"], input="\n3\nq\n"
    )
    assert "ε 放在哪里？" in result.output
    assert "√(σ²+ε)" in result.output
    assert reviews(db_path)[0][0] == "fx-open"
    with sqlite3.connect(db_path) as con:
        assert con.execute("SELECT lang FROM review").fetchone() == ("zh-Hans",)


def test_unknown_lang_and_tag(bank_root, db_path):
    assert run(["quiz", "--db", str(db_path), "--lang", "fr"]).exit_code == 2
    result = run(["quiz", "--db", str(db_path), "--tag", "nope"])
    assert result.exit_code == 2 and "unknown tag 'nope'" in result.output


def test_answer_updated_notice(bank_root, db_path, tmp_path):
    run(["quiz", "--db", str(db_path), "--kind", "choice", "--tag", "train-vs-eval"], input="b\n")
    path = bank_root / "questions" / "batchnorm" / "fx-choice.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["locales"]["en"]["answer"] = "The running estimates (updated wording)."
    path.write_text(yaml.safe_dump(data), "utf-8")
    result = run(
        ["quiz", "--db", str(db_path), "--kind", "choice", "--cram", "--tag", "train-vs-eval"],
        input="b\n",
    )
    assert "⚠ answer updated since your last review" in result.output
    # the history is keyed by id: it survived the edit
    assert [r[0] for r in reviews(db_path)] == ["fx-choice", "fx-choice"]


def test_env_db(bank_root, tmp_path):
    db = tmp_path / "env.sqlite3"
    result = run(["quiz", "--count", "1"], input="b\n", env={"MLPREP_DB": str(db)})
    assert result.exit_code == 0
    assert reviews(db) == [("fx-choice", 3, 1, 0)]


def test_corrupt_db_is_a_clean_error_and_untouched(bank_root, tmp_path):
    db = tmp_path / "notes.txt"
    db.write_bytes(b"my precious notes\n" * 10)
    for cmd in (["quiz"], ["stats"], ["export", "csv"]):
        result = CliRunner().invoke(cli, [*cmd, "--db", str(db)], input="")
        assert result.exit_code == 2
        assert "is not an SQLite database" in result.output
    assert db.read_bytes() == b"my precious notes\n" * 10


def test_stats_json_after_session(bank_root, db_path):
    run(["quiz", "--db", str(db_path)], input="b\n0.2\n\n3\nq\n")
    result = run(["stats", "--db", str(db_path), "--format", "json"])
    stats = json.loads(result.output)
    assert stats["total_reviews"] == 3
    assert stats["reviews_today"] == 3
    assert stats["streak_days"] == 1
    assert stats["unseen"] == 3
    assert stats["retention"] is None  # no question was seen twice yet
    tags = {t["tag"]: t for t in stats["tags"]}
    assert tags["batchnorm"]["questions"] == 3 and tags["batchnorm"]["seen"] == 2
    assert 0 < tags["batchnorm"]["mastery"] <= 1
    assert tags["layernorm"]["mastery"] == 0  # unseen counts as 0
    text = run(["stats", "--db", str(db_path)]).output
    assert "reviews:              3 (3 today)" in text
    assert "streak:               1 day\n" in text


def test_export_csv(bank_root, db_path, tmp_path):
    run(["quiz", "--db", str(db_path)], input="c\n0.1\n\n2\nq\n")
    result = run(["export", "csv", "--db", str(db_path)])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["question_id"], r["rating_name"], r["correct"]) for r in rows] == [
        ("fx-choice", "Again", "0"),
        ("fx-numeric", "Good", "1"),
        ("fx-open", "Hard", ""),
    ]
    out = tmp_path / "history.csv"
    run(["export", "csv", str(out), "--db", str(db_path)])
    assert out.read_text("utf-8") == result.output


def test_export_anki_requires_apkg(bank_root, tmp_path):
    result = CliRunner().invoke(cli, ["export", "anki", str(tmp_path / "deck.zip")])
    assert result.exit_code == 2


@pytest.mark.parametrize("flag", ["--help"])
def test_help_lists_keys(flag):
    result = run(["quiz", flag])
    assert "q quit, u undo" in result.output


def test_rating_prompt_previews_fsrs_intervals(bank_root, db_path):
    result = run(["quiz", "--db", str(db_path), "--kind", "open"], input="\n3\n")
    # a new card under FSRS-6 defaults, no fuzz: learning steps 1m and 10m; Easy graduates
    assert "1 Again (1m) · 2 Hard (6m) · 3 Good (10m) · 4 Easy (8d)" in result.output
    assert "Good — next review in 10m" in result.output
    cram = run(["quiz", "--db", str(db_path), "--kind", "open", "--cram"], input="\n3\n")
    assert "1 Again · 2 Hard · 3 Good · 4 Easy  (u undo" in cram.output  # no schedule, no preview
    assert "next review" not in cram.output


def test_stale_translation_notice(bank_root, db_path):
    path = bank_root / "questions" / "batchnorm" / "fx-open.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["locales"]["en"]["prompt"] = "Write x-hat for batch norm, with epsilon."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = run(["quiz", "--db", str(db_path), "--kind", "open", "--lang", "zh-Hans"], input="q\n")
    assert "(this translation predates the latest en text)" in result.output
    result = run(["quiz", "--db", str(db_path), "--kind", "open"], input="q\n")
    assert "predates" not in result.output


def test_stats_and_export_do_not_create_a_database(bank_root, tmp_path):
    db = tmp_path / "nothing-yet.sqlite3"
    stats = json.loads(run(["stats", "--db", str(db), "--format", "json"]).output)
    assert stats["total_reviews"] == 0 and stats["unseen"] == 6 and stats["streak_days"] == 0
    assert run(["export", "csv", "--db", str(db)]).output.startswith("review_id,question_id")
    assert not db.exists()


def test_colours_only_when_forced(bank_root, db_path):
    plain = run(["quiz", "--db", str(db_path), "--kind", "open"], input="q\n")
    assert "\x1b[" not in plain.output
    assert not [line for line in plain.output.splitlines() if line.endswith(" ")]
    forced = run(
        ["quiz", "--db", str(db_path), "--kind", "open"], input="q\n", env={"FORCE_COLOR": "1"}
    )
    assert "\x1b[" in forced.output


def test_undo_after_another_session_wrote_is_refused_cleanly(bank_root, db_path, monkeypatch):
    """Two sessions on one file: undo must not take back the other session's review."""
    from mlprep.quiz import _store

    original = _store.ProgressStore.record

    def record_then_other_session_writes(self, qid, **kwargs):
        rid = original(self, qid, **kwargs)
        original(self, "someone-else", **{**kwargs, "before": None})
        return rid

    monkeypatch.setattr(_store.ProgressStore, "record", record_then_other_session_writes)
    result = run(["quiz", "--db", str(db_path), "--kind", "choice"], input="b\nu\nq\n")
    assert result.exit_code == 0
    assert "cannot undo: only the most recent review can be undone" in result.output
    assert [r[0] for r in reviews(db_path)] == ["fx-choice", "someone-else"]
