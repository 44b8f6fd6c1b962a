"""``mlprep site build`` and ``mlprep site serve`` from the command line and as functions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
import weakref
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlprep.cli import cli


def test_site_help_lists_build_and_serve() -> None:
    result = CliRunner().invoke(cli, ["site", "--help"])
    assert result.exit_code == 0
    assert re.search(r"^\s+build\s", result.output, re.M)
    assert re.search(r"^\s+serve\s", result.output, re.M)


def test_build_writes_site_zip_and_canonical_links(bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = CliRunner().invoke(
        cli,
        [
            "site",
            "build",
            "--out",
            str(out),
            "--no-search",
            "--zip",
            "--base-url",
            "https://example.org/prep",
        ],
    )
    assert result.exit_code == 0, result.output
    assert re.search(
        r"built .*public: \d+ pages, \d+ rendered, 0 removed in [\d.]+s", result.output
    )
    assert "offline bundle: " in result.output and (tmp_path / "public.zip").is_file()
    html = (out / "en/questions/bn-param-count.html").read_text()
    assert (
        '<link rel="canonical" href="https://example.org/prep/en/questions/bn-param-count.html">'
        in html
    )


def test_build_with_bad_content_prints_problems_and_exits_2(bank: Path, tmp_path: Path) -> None:
    path = bank / "questions/batchnorm/bn-param-count.yaml"
    path.write_text(path.read_text("utf-8").replace("difficulty: easy", "difficulty: trivial"))
    result = CliRunner().invoke(cli, ["site", "build", "--out", str(tmp_path / "o"), "--no-search"])
    assert result.exit_code == 2
    assert re.search(r"questions/batchnorm/bn-param-count\.yaml:\d+:\d+: error: ", result.output)
    assert "error: the site was not built" in result.output
    assert not (tmp_path / "o").exists()


def _mlprep(*args: str, bank: Path) -> subprocess.CompletedProcess[str]:
    """The real command, as a user runs it (``python -m mlprep`` is the console script's code)."""
    env = {**os.environ, "MLPREP_BANK": str(bank)}
    return subprocess.run(
        [sys.executable, "-m", "mlprep", *args], capture_output=True, text=True, env=env
    )


def test_the_command_ends_at_once_with_its_output_and_status(bank: Path, tmp_path: Path) -> None:
    # 'site build' leaves without the interpreter's teardown (mlprep._entry._leave): what it
    # printed must still arrive, and its exit status must be the command's
    done = _mlprep("site", "build", "--out", str(tmp_path / "ok"), "--no-search", "-v", bank=bank)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^built .*ok: \d+ pages, \d+ rendered", done.stdout, re.M)
    assert re.search(
        r"^stages \(s\): load [\d.]+, plan [\d.]+, check\+render\+write", done.stdout, re.M
    )
    assert (tmp_path / "ok/en/index.html").is_file()

    path = bank / "questions/batchnorm/bn-param-count.yaml"
    path.write_text(path.read_text("utf-8").replace("difficulty: easy", "difficulty: trivial"))
    done = _mlprep("site", "build", "--out", str(tmp_path / "bad"), "--no-search", bank=bank)
    assert done.returncode == 2
    assert "bn-param-count.yaml" in done.stderr and "the site was not built" in done.stderr
    assert not (tmp_path / "bad").exists()


def test_serve_previews_and_rebuilds_on_change(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlprep.site import _build, build_site, serve

    banks: list[weakref.ref] = []  # each build's bank: a long session must not keep them all
    load = _build._load
    monkeypatch.setattr(_build, "_load", lambda *args: _remember(load(*args), banks))
    out = tmp_path / "site"
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=serve,
        args=(out, 0, lambda: build_site(out, search=False)),
        kwargs={"root": bank, "interval": 0.1, "echo": lines.append, "stop": stop},
        daemon=True,
    )
    thread.start()
    try:
        url = _wait_for(lambda: _served_url(lines))
        page = f"{url}en/questions/bn-param-count.html"
        assert "BatchNorm2d(64)" in urllib.request.urlopen(page, timeout=5).read().decode()
        path = bank / "questions/batchnorm/bn-param-count.yaml"
        path.write_text(
            path.read_text("utf-8").replace("Count the learnable", "Count all learnable")
        )
        _wait_for(
            lambda: "Count all learnable" in urllib.request.urlopen(page, timeout=5).read().decode()
        )
        _wait_for(lambda: any(line.startswith("rebuilt: ") for line in lines))
        _wait_for(lambda: banks[0]() is None)  # the first build's bank is freed after the second

        # a broken edit keeps the last good site online and says why
        path.write_text(path.read_text("utf-8").replace("difficulty: easy", "difficulty: trivial"))
        _wait_for(lambda: any("build failed" in line for line in lines))
        assert "Count all learnable" in urllib.request.urlopen(page, timeout=5).read().decode()
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


def _remember(bank, banks: list[weakref.ref]):
    banks.append(weakref.ref(bank))
    return bank


def _served_url(lines: list[str]) -> str | None:
    for line in lines:
        m = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        if m:
            return m.group(1)
    return None


def _wait_for(probe, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")
