"""Start the sandbox of ``mlprep grade EXERCISE FILE`` before the CLI itself has loaded.

A cold grade waits mostly for the sandboxed child: bubblewrap, an interpreter, numpy, then the
submission. ``mlprep._entry`` calls ``prestart`` first thing, before click and the command modules
are imported, so the child starts ~30 ms sooner; ``grade_record`` then ``claim``s that launch
when it is asked for the same exercise and file. Everything here is best effort: on any doubt
(an option it does not know, a folder, --watch, --help, an unreadable file, an unknown
exercise) it starts nothing and the command runs exactly as without it, reporting any error
itself. A launch nobody claims (click rejected an option) is cancelled when the process exits.

The launch is the one ``grader._grade.launch`` makes (same sandbox choice, binds, limits);
the source it read is the one the checks and the static forbidden-name pass then see.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader._grade import Launch

# grade's options that take a value and that a single-file grade accepts; any other option
# (--watch, --jobs, --csv, --scheduler, --help, or one click would reject) means: do nothing
_VALUE_OPTIONS = ("--format", "--lang", "--seed")

_pending: dict[tuple[str, str], Launch | Exception] = {}


def _positionals(args: list[str]) -> list[str] | None:
    """EXERCISE and SUBMISSION from grade's arguments; None when unsure."""
    out: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in _VALUE_OPTIONS:
            i += 2
            continue
        if a.startswith("-"):
            if a.split("=", 1)[0] in _VALUE_OPTIONS and "=" in a:
                i += 1
                continue
            return None  # a flag, "--", or an option this fast path does not handle
        out.append(a)
        i += 1
    return out if len(out) == 2 and i == len(args) else None


def prestart(args: list[str]) -> None:
    """``args``: what follows ``grade`` on the command line."""
    picked = _positionals(args)
    if picked is None or os.environ.get("MLPREP_NO_PRESTART"):
        return
    exercise_id, file = picked
    if not Path(file).is_file():
        return
    from grader._grade import launch
    from mlprep._errors import MlprepError

    key = (exercise_id, os.path.abspath(file))
    try:
        _pending[key] = launch(exercise_id, Path(file))
    except MlprepError as exc:  # e.g. an unknown exercise: said once, when the command runs
        _pending[key] = exc
    except Exception:  # noqa: BLE001 - a bug: the command meets it again and reports it
        return
    atexit.register(_cancel_unclaimed)


def claim(exercise_id: str, submission: Path) -> Launch | None:
    """The launch made for this exercise and file, once (or the error it met); else None."""
    if not _pending:
        return None
    started = _pending.pop((exercise_id, os.path.abspath(submission)), None)
    if isinstance(started, BaseException):
        raise started
    return started


def _cancel_unclaimed() -> None:
    while _pending:
        _, started = _pending.popitem()
        if not isinstance(started, BaseException):
            started.running.cancel()


def prestart_command_line() -> None:
    """``prestart`` for this process's own command line, when it is ``mlprep grade ...``: the
    console script, or ``python -m mlprep`` (``mlprep._entry`` calls this; a program that calls
    it under another name starts nothing)."""
    import sys

    import mlprep

    argv = sys.argv
    if len(argv) < 3 or argv[1] != "grade":
        return
    prog = Path(argv[0])
    main = Path(mlprep.__file__).resolve().parent / "__main__.py"
    if prog.name == "mlprep" or (prog.name == "__main__.py" and prog.resolve() == main):
        prestart(argv[2:])
