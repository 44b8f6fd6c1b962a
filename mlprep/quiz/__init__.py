"""The spaced-repetition quiz: FSRS scheduling, a SQLite progress store, and the session loop.

Public surface (pinned by tests/quiz/test_public_api.py); everything else is private.
"""

from mlprep.quiz._review import Rated, Reviewer
from mlprep.quiz._schedule import answer_hash, make_scheduler, rating_for, utc_now
from mlprep.quiz._select import build_queue, matching
from mlprep.quiz._session import Session, Summary
from mlprep.quiz._store import ProgressStore, default_db_path, open_store
from mlprep.quiz._terminal import Terminal, TtyTerminal, open_terminal

__all__ = [
    "ProgressStore",
    "Rated",
    "Reviewer",
    "Session",
    "Summary",
    "Terminal",
    "TtyTerminal",
    "answer_hash",
    "build_queue",
    "default_db_path",
    "make_scheduler",
    "matching",
    "open_store",
    "open_terminal",
    "rating_for",
    "utc_now",
]
