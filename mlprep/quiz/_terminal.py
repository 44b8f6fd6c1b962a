"""Reading the learner's replies: a real terminal, or plain lines from a pipe.

``Terminal`` is the swap point the session talks to. In a terminal (stdin and stdout both TTYs)
single-key prompts (ratings, "next") read one key in cbreak mode, which keeps Ctrl-C working as
SIGINT; line prompts go through ``input`` so editing keys work. Otherwise every prompt reads one
line from stdin and echoes it, so a transcript of a piped session reads like a dialogue; rich then
emits no colours or control codes unless forced (FORCE_COLOR). End of input raises ``EOFError``.

``when_idle`` queues work for the moment a prompt is on screen and the learner is reading: it runs
once, after the prompt is flushed and before the reply is read (the session prefetches the parsed
Markdown of the questions to come there, so the first question does not wait for it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


class Terminal:
    """Line-based prompts on stdin/stdout: what pipes, scripts and tests get."""

    interactive = False

    def __init__(self, console: Console):
        self.console = console
        self._idle: list[Callable[[], None]] = []

    def when_idle(self, job: Callable[[], None]) -> None:
        """Run ``job`` once, the next time a prompt is shown and the reply not yet read."""
        self._idle.append(job)

    def _prompted(self) -> None:
        """The prompt is printed: flush it, then do the queued idle work before reading."""
        self.console.file.flush()
        while self._idle:
            self._idle.pop(0)()

    def line(self, prompt: str) -> str:
        self.console.print(prompt, end="", markup=False, highlight=False, soft_wrap=True)
        self._prompted()
        reply = sys.stdin.readline()
        if not reply:
            self.console.print()
            raise EOFError
        reply = reply.rstrip("\r\n")
        self.console.print(reply, markup=False, highlight=False)
        return reply

    def key(self, prompt: str) -> str:
        """One choice from a short menu; here a line, stripped and lower-cased."""
        return self.line(prompt).strip().lower()


class TtyTerminal(Terminal):
    """A real terminal: keys without Enter for menus, readline editing for typed answers."""

    interactive = True

    def line(self, prompt: str) -> str:
        self.console.print(f"[bold cyan]{prompt}[/]", end="", soft_wrap=True)
        self._prompted()
        return input()  # after a prompt printed by rich, as Console.input does; readline edits

    def key(self, prompt: str) -> str:
        try:
            import termios
            import tty
        except ImportError:  # no termios (Windows): menus take a line, like in a pipe
            return self.line(prompt).strip().lower()

        self.console.print(f"[bold cyan]{prompt}[/]", end="", soft_wrap=True)
        self._prompted()
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)  # no echo, no line buffering, but Ctrl-C still raises SIGINT
            data = os.read(fd, 32)  # an arrow key arrives as one multi-byte read
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        text = data.decode("utf-8", "replace")
        if text in ("\x04", ""):  # Ctrl-D
            self.console.print()
            raise EOFError
        key = text.strip()
        if not key and text.strip(" ") in ("\r", "\n", "\r\n", ""):
            self.console.print()
            return ""  # Enter (or a space)
        shown = key if key.isprintable() else repr(text)
        self.console.print(shown, markup=False, highlight=False)
        return key.lower() if key.isprintable() else text


def open_terminal() -> Terminal:
    """A ``TtyTerminal`` when stdin and stdout are both terminals, else a plain ``Terminal``."""
    from rich.console import Console

    from mlprep._render import console_for_stdout

    if sys.stdin.isatty() and sys.stdout.isatty():
        return TtyTerminal(Console(highlight=False))
    return Terminal(console_for_stdout())
