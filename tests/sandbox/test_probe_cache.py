"""The sandbox probe remembers a success across processes, and only while nothing it depends on changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader._sandbox import _probe


@pytest.fixture
def fresh_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MLPREP_CACHE_DIR", str(tmp_path))
    _probe.probe.cache_clear()
    yield tmp_path / _probe._CACHE_FILE
    _probe.probe.cache_clear()


def test_success_is_remembered_and_reused(
    fresh_probe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if _probe._fingerprint() is None:
        pytest.skip("bubblewrap is not installed")
    calls = []
    monkeypatch.setattr(_probe, "_probe_now", lambda: calls.append(1) or _probe.Probe("bwrap", ""))
    assert _probe.probe().level == "bwrap" and calls == [1]
    assert json.loads(fresh_probe.read_text())["level"] == "bwrap"
    _probe.probe.cache_clear()  # a new process
    assert _probe.probe().level == "bwrap" and calls == [1]  # served from the file


def test_a_changed_fingerprint_probes_again(
    fresh_probe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fingerprint = _probe._fingerprint()
    if fingerprint is None:
        pytest.skip("bubblewrap is not installed")
    fresh_probe.write_text(
        json.dumps({"fingerprint": {**fingerprint, "kernel": "other"}, "level": "bwrap"})
    )
    monkeypatch.setattr(
        _probe, "_probe_now", lambda: _probe.Probe("process", "bwrap does not work here: test")
    )
    assert _probe.probe().level == "process"
    # a failure is not remembered: the stale success is left as it was, never replaced by a failure
    assert json.loads(fresh_probe.read_text())["fingerprint"]["kernel"] == "other"


@pytest.mark.parametrize("content", ["not json", "[]", '{"fingerprint": null, "level": "root"}'])
def test_a_corrupt_cache_is_ignored(
    fresh_probe: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    if _probe._fingerprint() is None:
        pytest.skip("bubblewrap is not installed")
    fresh_probe.write_text(content)
    monkeypatch.setattr(_probe, "_probe_now", lambda: _probe.Probe("process", "test"))
    assert _probe.probe().level == "process"
