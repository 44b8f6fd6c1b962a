"""One quiz session: ask each queued question, grade or let the learner rate it, save, move on.

Every rating is committed before the next question is shown, so leaving at any point (q, Ctrl-C,
end of input, a killed terminal) loses nothing already answered. At any prompt: ``q`` quits,
``u`` undoes the previous rating and asks that question again, ``?`` shows the keys. A reply that
cannot be read is answered with what would be accepted, and the prompt is asked again.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlprep import _render
from mlprep._errors import ProgressError
from mlprep.quiz._grade import BadAnswer, grade, letters
from mlprep.quiz._review import Reviewer
from mlprep.quiz._schedule import RATING_NAMES, rating_for, short_interval
from mlprep.quiz._terminal import Terminal

if TYPE_CHECKING:
    from mlprep.content import Bank, Question

RATE_PROMPT = "{what}: {options}  (u undo, s skip, q quit) > "
HELP = (
    "keys: q quit (your answers are saved) · u undo the previous rating · s skip this question"
    " · ? this help"
)


class _Quit(Exception):
    pass


class _Undo(Exception):
    pass


class _Skip(Exception):
    pass


@dataclass
class Summary:
    answered: int = 0
    correct: int = 0
    graded: int = 0
    skipped: int = 0
    undone: int = 0
    interrupted: bool = False
    quit: bool = False
    ratings: dict[str, int] = field(default_factory=dict)


class Session:
    def __init__(self, bank: Bank, reviewer: Reviewer, term: Terminal, queue: list[Question]):
        self.bank = bank
        self.reviewer = reviewer
        self.term = term
        self.console = term.console
        self.lang = reviewer.lang
        self.queue: deque[Question] = deque(queue)
        self.total = len(queue)
        self.asked = 0
        self.summary = Summary()
        self._stack: list[Question] = []  # questions rated this session, to re-ask on undo

    # ------------------------------------------------------------------------ the loop

    def run(self) -> Summary:
        self.term.when_idle(self._prefetch)
        try:
            self._drain()
            while self._offer_undo():
                self._drain()
        except (_Quit, EOFError):
            self.summary.quit = True
        except KeyboardInterrupt:
            self.summary.interrupted = True
            self.console.print()
        return self.summary

    def _drain(self) -> None:
        while self.queue:
            q = self.queue.popleft()
            try:
                self._ask(q)
            except _Undo:  # asked while q was unanswered: q goes back behind the undone one
                self.queue.appendleft(q)
                self.asked -= 1
                self._undo()
            except _Skip:
                self.summary.skipped += 1
                self.console.print(f"skipped {q.id}", style="dim")

    def _offer_undo(self) -> bool:
        """At the end: a last chance to undo. True when a rating was undone (ask it again)."""
        while self.reviewer.can_undo():
            try:
                reply = self.term.key("Done. Enter: finish · u: undo the last rating > ")
            except EOFError:  # a script that ends with the last answer: a normal finish
                return False
            if reply == "u":
                self._undo()
                return True
            if reply in ("", "q"):
                return False
            self.console.print("✗ press Enter to finish, or u to undo", style="yellow")
        return False

    def _undo(self) -> None:
        if not self.reviewer.can_undo():
            self.console.print("nothing to undo in this session", style="yellow")
            return
        try:
            rated = self.reviewer.undo()
        except ProgressError as exc:  # e.g. another session has reviewed since
            self.console.print(f"cannot undo: {exc}", style="yellow", markup=False)
            return
        q = self._stack.pop()
        self.summary.answered -= 1
        self.summary.undone += 1
        if rated.correct is not None:
            self.summary.graded -= 1
            self.summary.correct -= rated.correct
        name = RATING_NAMES[rated.rating]
        self.summary.ratings[name] -= 1
        self.asked -= 1
        self.console.print(
            f"↶ undid your rating of {q.id} ({name}); asking it again", style="yellow"
        )
        self.queue.appendleft(q)

    def _prefetch(self) -> None:
        """While the learner reads the first question: build (and drop) what every queued
        question will show, so its Markdown is parsed now and kept in the cache (``_mdtree``)
        for this session and the next ones."""
        for q in self.queue:
            text = q.text(self.lang)
            _render.header(q, text)
            _render.prompt(q, text)
            _render.answer(q, text, self.lang)
        _render.flush()

    # ------------------------------------------------------------------------ one question

    def _ask(self, q: Question) -> None:
        self.asked += 1
        text = q.text(self.lang)
        self.console.print()
        self.console.rule(style="dim")
        self.console.print(_render.header(q, text, f"[{self.asked}/{self.total}]"))
        if self.lang in q.locales and q.is_stale(self.lang):
            self.console.print(
                f"(this translation predates the latest {q.source_locale} text)", style="yellow"
            )
        if self.reviewer.answer_changed(q):
            self.console.print("⚠ answer updated since your last review", style="bold yellow")
        self.console.print(_render.prompt(q, text))
        started = time.monotonic()
        if q.kind == "exercise":
            self._exercise(q)
            rating, correct = self._rate(q), None
        elif q.auto_gradable:
            correct = self._graded(q)
            rating = rating_for(correct)
        else:
            typed = self._line("Your answer (type it, or think it), Enter to reveal > ")
            if typed.strip():
                self.console.print(f"you wrote: {typed.strip()}", style="dim", markup=False)
            self.console.print(_render.answer(q, text, self.lang))
            rating, correct = self._rate(q), None
        duration = int((time.monotonic() - started) * 1000)
        rated = self.reviewer.rate(q, rating, correct=correct, duration_ms=duration)
        self._stack.append(q)
        if rated.due_in is not None:
            self.console.print(
                f"{RATING_NAMES[rating]} — next review in {short_interval(rated.due_in)}",
                style="dim",
                markup=False,
            )
        s = self.summary
        s.answered += 1
        s.ratings[RATING_NAMES[rating]] = s.ratings.get(RATING_NAMES[rating], 0) + 1
        if correct is not None:
            s.graded += 1
            s.correct += correct
        if self.term.interactive and q.auto_gradable and self.queue:
            self._pause()

    def _command(self, reply: str) -> bool:
        """Act on a one-letter command. q, u and s leave the question (by raising); ? and an
        impossible undo return True (ask again); any other reply returns False: it is an answer."""
        word = reply.strip().lower()
        if word == "q":
            raise _Quit
        if word == "s":
            raise _Skip
        if word == "u":
            if self.reviewer.can_undo():
                raise _Undo
            self.console.print("nothing to undo in this session", style="yellow")
            return True
        if word == "?":
            self.console.print(HELP, style="dim")
            return True
        return False

    def _line(self, prompt: str) -> str:
        while True:
            reply = self.term.line(prompt)
            if not self._command(reply):
                return reply

    def _graded(self, q: Question) -> bool:
        text = q.text(self.lang)
        if q.kind == "choice":
            assert q.choice is not None and text.options is not None
            span = letters(len(text.options))
            ask = f"Your answer ({span[0]}–{span[-1]}{', several allowed' if q.choice.multiple else ''}) > "
        elif q.kind == "numeric":
            unit = q.numeric.unit if q.numeric else None
            ask = f"Your answer (a number{' in ' + unit if unit else ''}) > "
        else:
            ask = "Which statements are wrong? (their numbers, e.g. 2 or 1 3) > "
        while True:
            reply = self._line(ask)
            try:
                correct, _ = grade(q, reply, self.lang)
                break
            except BadAnswer as exc:
                self.console.print(f"✗ not understood: {exc}", style="yellow")
        if correct:
            self.console.print("✓ Correct", style="bold green")
        else:
            self.console.print(
                f"✗ Not quite (you answered {reply.strip()})", style="bold red", markup=False
            )
        self.console.print(_render.answer(q, text, self.lang))
        return correct

    def _exercise(self, q: Question) -> None:
        xid = q.exercise or ""
        ex = self.bank.exercises.get(xid)
        title = ex.locales.get(self.lang, ex.locales[ex.source_locale]).title if ex else xid
        self.console.print("Exercise: ", _render.inline(title), style="bold", sep="")
        if ex is not None:
            loc = ex.locales.get(self.lang, ex.locales[ex.source_locale])
            self.console.print(
                f"statement: {self.bank.exercise_dir(xid) / loc.statement}",
                style="dim",
                markup=False,
            )
        self.console.print(f"grade your solution with:  mlprep grade {xid} FILE", markup=False)

    def _rate(self, q: Question) -> int:
        due_in = self.reviewer.preview(q)
        options = " · ".join(
            f"{int(r)} {name}" + (f" ({short_interval(due_in[r])})" if r in due_in else "")
            for r, name in RATING_NAMES.items()
        )
        what = "Rate your attempt" if q.kind == "exercise" else "Rate your recall"
        prompt = RATE_PROMPT.format(what=what, options=options)
        while True:
            reply = self.term.key(prompt)
            if reply in ("1", "2", "3", "4"):
                return int(reply)
            if self._command(reply):
                continue
            self.console.print("✗ press 1, 2, 3 or 4 (or u to undo, q to quit)", style="yellow")

    def _pause(self) -> None:
        while True:
            reply = self.term.key("Enter: next · u: undo · q: quit > ")
            if reply in ("", " "):
                return
            if reply == "q":
                raise _Quit
            if reply == "u":  # the question just graded: undo it here, it is asked again next
                self._undo()
                return
            self.console.print(
                "✗ press Enter for the next question (u undo, q quit)", style="yellow"
            )
