from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.site._bank import make_bank


@pytest.fixture(scope="session")
def bank_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture bank, written and stamped once per session; tests copy it before editing."""
    root = tmp_path_factory.mktemp("bank-template")
    cache = tmp_path_factory.mktemp("cache")
    env = {"MLPREP_BANK": str(root), "MLPREP_CACHE_DIR": str(cache)}
    mp = pytest.MonkeyPatch()
    for key, value in env.items():
        mp.setenv(key, value)
    try:
        make_bank(root, env)
    finally:
        mp.undo()
    return root


@pytest.fixture
def bank(bank_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, editable copy of the fixture bank, selected through MLPREP_BANK."""
    root = tmp_path / "bank"
    shutil.copytree(bank_template, root)
    monkeypatch.setenv("MLPREP_BANK", str(root))
    monkeypatch.setenv("MLPREP_CACHE_DIR", str(tmp_path / "cache"))
    return root


@pytest.fixture(scope="session")
def built_site(bank_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture bank built once, with search, for tests that only read the output."""
    from mlprep.site import build_site

    out = tmp_path_factory.mktemp("built") / "site"
    mp = pytest.MonkeyPatch()
    mp.setenv("MLPREP_CACHE_DIR", str(tmp_path_factory.mktemp("cache2")))
    try:
        build_site(out, root=bank_template)
    finally:
        mp.undo()
    return out
