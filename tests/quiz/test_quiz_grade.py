"""Reading replies to auto-graded questions."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlprep.quiz._grade import BadAnswer, grade, parse_choice, parse_number, parse_statements


@pytest.mark.parametrize(
    ("reply", "multiple", "want"),
    [("b", False, {1}), (" B ", False, {1}), ("a c", True, {0, 2}), ("A,C", True, {0, 2}),
     ("ca", True, {0, 2}), ("c", True, {2})],
)  # fmt: skip
def test_parse_choice(reply, multiple, want):
    assert parse_choice(reply, 4, multiple) == want


@pytest.mark.parametrize(
    ("reply", "multiple", "message"),
    [("", False, "one letter, A–D"), ("e", False, "A–D"), ("1", False, "one letter"),
     ("ab", False, "exactly one"), ("aa", True, "each letter once"), ("a z", True, "every correct")],
)  # fmt: skip
def test_parse_choice_rejects(reply, multiple, message):
    with pytest.raises(BadAnswer, match=message):
        parse_choice(reply, 4, multiple)


@pytest.mark.parametrize(
    ("reply", "want"),
    [("0.1", 0.1), (" -3 ", -3.0), ("1e-5", 1e-5), ("1/4", 0.25), ("2 ms", 2.0)],
)
def test_parse_number(reply, want):
    # exact: each of these parses to the float literal on the right
    assert parse_number(reply, unit="ms") == want


@pytest.mark.parametrize("reply", ["", "abc", "1/0", "inf", "nan", "0.1.2"])
def test_parse_number_rejects(reply):
    with pytest.raises(BadAnswer):
        parse_number(reply)


def test_parse_statements():
    assert parse_statements("2", 3) == {1}
    assert parse_statements("1, 3", 3) == {0, 2}
    for bad in ("", "0", "4", "x", "1 x"):
        with pytest.raises(BadAnswer, match="1–3"):
            parse_statements(bad, 3)


def test_grade_each_kind(bank):
    assert grade(bank.question("fx-choice"), "b", "en") == (True, {1})
    assert grade(bank.question("fx-choice"), "a", "en")[0] is False
    assert grade(bank.question("fx-multi"), "a c", "en")[0] is True
    assert grade(bank.question("fx-multi"), "a", "en")[0] is False  # partly right is wrong
    assert grade(bank.question("fx-numeric"), "0.1", "en")[0] is True
    assert grade(bank.question("fx-numeric"), "0.1000001", "en")[0] is False  # tolerance 1e-9
    assert grade(bank.question("fx-spot"), "2", "en")[0] is True
    assert grade(bank.question("fx-spot"), "2 3", "en")[0] is False
    with pytest.raises(ValueError):
        grade(bank.question("fx-open"), "x", "en")


@given(st.text(max_size=20))
def test_any_reply_is_parsed_or_rejected_cleanly(reply):
    for parse in (
        lambda r: parse_choice(r, 3, True),
        lambda r: parse_number(r),
        lambda r: parse_statements(r, 5),
    ):
        with contextlib.suppress(BadAnswer):
            parse(reply)


def test_superscript_digit_is_not_a_statement_number():
    # found by hypothesis: "²".isdigit() is True but int("²") raises
    with pytest.raises(BadAnswer):
        parse_statements("²", 3)
