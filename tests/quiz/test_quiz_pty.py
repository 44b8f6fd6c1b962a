"""The quiz in a real pseudo-terminal (pexpect): keys, undo, q, Ctrl-C, and resuming without loss.

Also: the quiz path never imports numpy or torch.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

PY = sys.executable
REPO = Path(__file__).resolve().parents[2]


def _env(bank_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "MLPREP_DB")}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="40")
    return env  # MLPREP_BANK and MLPREP_CACHE_DIR come from the bank_root fixture


def _spawn(db: Path, env: dict[str, str], *args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        PY,
        ["-m", "mlprep", "quiz", "--db", str(db), *args],
        env=env,
        cwd=str(REPO),
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
    )
    return child


def _reviews(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT question_id, rating, correct FROM review ORDER BY id").fetchall()


def _cards(db: Path) -> set[str]:
    with sqlite3.connect(db) as con:
        return {r[0] for r in con.execute("SELECT question_id FROM card")}


def test_pty_session_undo_quit_interrupt_resume(bank_root, db_path):
    env = _env(bank_root)
    child = _spawn(db_path, env)
    # fx-choice: typed answer, then the "next" key prompt (a single key, no Enter needed)
    child.expect("Your answer")
    child.sendline("b")
    child.expect("Correct")
    child.expect("Enter: next")
    child.send("x")  # a wrong key is refused with a message
    child.expect("press Enter for the next question")
    child.send("\r")
    # fx-numeric: answer, then undo from the "next" prompt; it is asked again
    child.expect("Your answer \\(a number")
    child.sendline("7")
    child.expect("Not quite")
    child.expect("Enter: next")
    child.send("u")
    child.expect("undid your rating of fx-numeric")
    child.expect("Your answer \\(a number")
    child.sendline("0.1")
    child.expect("Correct")
    child.expect("Enter: next")
    child.send("\r")
    # fx-open: reveal, then rate with a single key
    child.expect("Enter to reveal")
    child.sendline("")
    child.expect("Rate your recall")
    child.send("9")
    child.expect("press 1, 2, 3 or 4")
    child.send("4")
    # fx-spot: quit with q at the line prompt
    child.expect("Which statements are wrong")
    child.sendline("q")
    child.expect("Session stopped: 3 answered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert _reviews(db_path) == [("fx-choice", 3, 1), ("fx-numeric", 3, 1), ("fx-open", 4, None)]

    # resume: the three unseen questions remain; Ctrl-C at a line prompt keeps what was answered
    child = _spawn(db_path, env)
    child.expect(r"\[1/3\]")
    child.expect("Which statements are wrong")
    child.sendline("2")
    child.expect("Enter: next")
    child.send("\r")
    child.expect("several allowed")
    child.sendintr()
    child.expect("Session interrupted: 1 answered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert _reviews(db_path)[-1] == ("fx-spot", 3, 1)

    # resume again; Ctrl-C while a single-key prompt waits (cbreak mode)
    child = _spawn(db_path, env)
    child.expect("several allowed")
    child.sendline("a c")
    child.expect("Enter: next")
    child.sendintr()
    child.expect("Session interrupted: 1 answered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert [r[0] for r in _reviews(db_path)] == [
        "fx-choice",
        "fx-numeric",
        "fx-open",
        "fx-spot",
        "fx-multi",
    ]
    assert _cards(db_path) == {"fx-choice", "fx-numeric", "fx-open", "fx-spot", "fx-multi"}


def test_pty_uses_rich_styling_and_survives_a_killed_terminal(bank_root, db_path):
    child = _spawn(db_path, _env(bank_root))
    child.expect("Your answer")
    assert "\x1b[" in child.before  # a real terminal gets rich's colours
    child.sendline("b")
    child.expect("Enter: next")
    child.kill(signal.SIGHUP)  # the terminal window closes
    child.expect(pexpect.EOF)
    child.close()
    assert _reviews(db_path) == [("fx-choice", 3, 1)]
    with sqlite3.connect(db_path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("command", [["quiz", "--count", "1"], ["stats"]])
def test_quiz_path_never_imports_numpy_or_torch(bank_root, db_path, command):
    proc = subprocess.run(
        [PY, "-X", "importtime", "-m", "mlprep", *command, "--db", str(db_path)],
        input="b\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "MLPREP_DB"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "mlprep.quiz" in imported or command[0] == "stats"
    assert not {m for m in imported if m.split(".")[0] in ("numpy", "torch")}


HEAVY = ("pydantic", "fsrs", "markdown_it", "numpy", "torch")


def test_a_warm_start_shows_the_first_question_without_pydantic_fsrs_or_markdown_it(
    bank_root, db_path
):
    """Issue #6's start-up budget: once the content cache holds the validated entries and the
    parsed Markdown (after one run), nothing heavy is imported before the first question; the
    learner quits at the first prompt, so everything imported was imported to show it."""
    env = {k: v for k, v in os.environ.items() if k != "MLPREP_DB"}

    def run() -> tuple[set[str], str]:
        proc = subprocess.run(
            [PY, "-X", "importtime", "-m", "mlprep", "quiz", "--cram", "--db", str(db_path)],
            input="q\n",
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        modules = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
        return {m for m in modules if m.split(".")[0] in HEAVY}, proc.stdout

    first, shown = run()  # cold: validates with pydantic, parses and caches the Markdown
    assert "pydantic" in first and "markdown_it" in first and "Your answer" in shown
    warm, shown_again = run()
    assert warm == set() and shown_again == shown
