"""The bubblewrap binds are cached on disk, and a cache file can never widen what is bound."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader._sandbox import _bwrap

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLPREP_CACHE_DIR", str(tmp_path))
    _bwrap.package_entries.cache_clear()
    yield tmp_path / "sandbox-binds.json"
    _bwrap.package_entries.cache_clear()


def test_cached_answer_equals_the_computed_one(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _bwrap.package_entries(("numpy",))
    assert cache.is_file() and any(p.name == "numpy" for p in fresh)
    _bwrap.package_entries.cache_clear()
    monkeypatch.setattr(
        _bwrap, "_package_entries_now", lambda allowed: pytest.fail("not served from the cache")
    )
    assert _bwrap.package_entries(("numpy",)) == fresh


@pytest.mark.parametrize(
    "planted",
    [
        str(REPO / "reference"),  # outside site-packages
        "/etc",
        "SITE/reference",  # a grader package, even inside site-packages
        "SITE/distutils-precedence.pth",
        "SITE/does-not-exist",
    ],
)
def test_a_poisoned_cache_is_ignored(cache: Path, planted: str) -> None:
    honest = _bwrap.package_entries(("numpy",))
    site = str(_bwrap._site_dirs()[0].resolve())
    data = json.loads(cache.read_text())
    ((key, entries),) = data.items()
    data[key] = [*entries, planted.replace("SITE", site)]
    cache.write_text(json.dumps(data))
    _bwrap.package_entries.cache_clear()
    assert _bwrap.package_entries(("numpy",)) == honest


def test_a_corrupt_cache_is_ignored(cache: Path) -> None:
    cache.write_text("{not json")
    assert any(p.name == "numpy" for p in _bwrap.package_entries(("numpy",)))
