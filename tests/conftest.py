"""Shared fixtures: every test gets its own content cache and progress database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's cache or progress database from a test."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("MLPREP_CACHE_DIR", str(state / "cache"))
    monkeypatch.setenv("MLPREP_DB", str(state / "progress.sqlite3"))
    monkeypatch.delenv("MLPREP_BANK", raising=False)


@pytest.fixture
def bank_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the repository's bank, selected through MLPREP_BANK."""
    root = tmp_path / "bank"
    shutil.copytree(REPO / "questions", root / "questions")
    if (REPO / "exercises").is_dir():
        shutil.copytree(REPO / "exercises", root / "exercises")
    monkeypatch.setenv("MLPREP_BANK", str(root))
    return root
