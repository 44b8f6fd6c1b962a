"""Reading and grading answers to the auto-graded kinds. Pure functions: text in, verdict out.

A reply that cannot be read raises ``BadAnswer`` with a message that says what would be accepted;
the session shows it and asks again. Nothing here prints or reads the terminal.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlprep.content import Question


class BadAnswer(ValueError):
    """The reply is not a well-formed answer; the message says what is expected."""


def letters(n: int) -> str:
    return "".join(chr(ord("A") + i) for i in range(n))


def parse_choice(reply: str, n_options: int, multiple: bool) -> set[int]:
    """'b' -> {1}; 'a c' / 'a,c' / 'AC' -> {0, 2} (only when several may be picked)."""
    valid = letters(n_options)
    picked = re.sub(r"[\s,;]+", "", reply).upper()
    span = f"{valid[0]}–{valid[-1]}"
    if not picked or any(ch not in valid for ch in picked):
        if multiple:
            raise BadAnswer(f"answer with the letters of every correct option ({span}), e.g. 'A C'")
        raise BadAnswer(f"answer with one letter, {span}")
    if len(set(picked)) != len(picked):
        raise BadAnswer("each letter once, please")
    if not multiple and len(picked) != 1:
        raise BadAnswer(f"exactly one option is correct: answer with one letter, {span}")
    return {ord(ch) - ord("A") for ch in picked}


_FRACTION = re.compile(r"^\s*([-+]?[\d.eE+-]+)\s*/\s*([-+]?[\d.eE+-]+)\s*$")


def parse_number(reply: str, unit: str | None = None) -> float:
    """A decimal, scientific ('1e-5') or fraction ('1/3') number; a trailing unit is ignored."""
    text = reply.strip()
    if unit and text.endswith(unit):
        text = text[: -len(unit)].strip()
    try:
        m = _FRACTION.match(text)
        value = float(m.group(1)) / float(m.group(2)) if m else float(text)
    except (ValueError, ZeroDivisionError):
        raise BadAnswer("answer with a number, e.g. 0.5, -3, 1e-5 or 1/3") from None
    if not math.isfinite(value):
        raise BadAnswer("answer with a finite number")
    return value


def parse_statements(reply: str, n_statements: int) -> set[int]:
    """'2 4' / '2,4' -> {1, 3} (0-based indices of the statements the learner calls wrong)."""
    parts = [p for p in re.split(r"[\s,;]+", reply.strip()) if p]
    hint = f"list the numbers of the wrong statements (1–{n_statements}), e.g. '2' or '1 3'"
    if not parts or not all(re.fullmatch(r"[0-9]+", p) for p in parts):  # not isdigit(): "²"
        raise BadAnswer(hint)
    picked = [int(p) for p in parts]
    if any(not 1 <= i <= n_statements for i in picked):
        raise BadAnswer(hint)
    return {i - 1 for i in picked}


def grade(q: Question, reply: str, lang: str) -> tuple[bool, object]:
    """Parse ``reply`` to ``q`` as shown in ``lang``; return (correct, the parsed answer)."""
    text = q.text(lang)
    if q.kind == "choice":
        assert q.choice is not None and text.options is not None
        picked = parse_choice(reply, len(text.options), q.choice.multiple)
        return picked == set(q.choice.correct), picked
    if q.kind == "numeric":
        assert q.numeric is not None
        value = parse_number(reply, q.numeric.unit)
        return q.numeric.accepts(value), value
    if q.kind == "spot-the-error":
        assert q.spot is not None and text.statements is not None
        picked = parse_statements(reply, len(text.statements))
        return picked == set(q.spot.wrong), picked
    raise ValueError(f"kind '{q.kind}' is not auto-graded")
