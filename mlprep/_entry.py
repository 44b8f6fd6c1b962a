"""The ``mlprep`` command's entry point (console script and ``python -m mlprep``).

One thing happens before the CLI (click and the command modules) is imported: a plain
``mlprep grade EXERCISE FILE`` starts its sandbox, so the sandboxed interpreter boots while the
rest loads (issue #4's cold-start budget; see ``grader/_early.py``). Importing ``mlprep.cli``
itself has no such side effect.

And one thing happens after: ``mlprep site build`` leaves without the interpreter's teardown
(``_leave``), as mypy does, once its output is flushed.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["grade"]:
        from grader._early import prestart_command_line

        prestart_command_line()
    from mlprep.cli import main as cli_main

    if sys.argv[1:3] == ["site", "build"]:
        _leave(cli_main)
    cli_main()


def _leave(run) -> None:
    """Run the command, then end the process at once with its exit status.

    A site build leaves a large heap behind (the bank, its pages, the parsed Markdown of every
    text): freeing it in the interpreter's teardown, most of it in a final cycle collection,
    took ~0.2 s of a 1,000-entry build that takes ~4 s. Nothing the build opened needs that
    teardown: it writes and closes its files, joins its workers and removes its temporary
    folders itself (on failure too), so the process can end as soon as the standard streams are
    flushed. Exceptions other than the exit still go through the normal path (traceback,
    teardown)."""
    try:
        run()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # sys.exit("message") prints it and fails, as the interpreter would
            print(exc.code, file=sys.stderr)
            code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
