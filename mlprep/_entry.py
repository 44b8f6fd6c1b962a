"""The ``mlprep`` command's entry point (console script and ``python -m mlprep``).

One thing happens before the CLI (click and the command modules) is imported: a plain
``mlprep grade EXERCISE FILE`` starts its sandbox, so the sandboxed interpreter boots while the
rest loads (issue #4's cold-start budget; see ``grader/_early.py``). Importing ``mlprep.cli``
itself has no such side effect.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["grade"]:
        from grader._early import prestart_command_line

        prestart_command_line()
    from mlprep.cli import main as cli_main

    cli_main()
