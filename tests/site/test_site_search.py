"""The search bundle: Pagefind runs once per language and the bundles are merged; the result must
be what one Pagefind run over every page writes, file for file."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from mlprep._errors import SiteError
from mlprep.site import _search


def _bundle(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "pagefind-entry.json"
    }


def test_merged_bundle_is_what_one_run_over_all_languages_writes(
    built_site: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # every search document the build indexes, in the folder layout of one Pagefind run; made in
    # sorted order in memory-backed storage, which lists files in the order they were made, so
    # Pagefind numbers the pages as the build has it do (see _search._move_sorted)
    if _search._fast_tmp() is None:
        pytest.skip("needs memory-backed storage (/dev/shm) to control Pagefind's page order")
    docs = Path(tempfile.mkdtemp(dir=_search._fast_tmp())) / "docs"
    request.addfinalizer(lambda: shutil.rmtree(docs.parent, ignore_errors=True))
    pages = sorted(
        p
        for p in built_site.rglob("*.html")
        if p.parent.name in ("questions", "exercises") and p.name != "index.html"
    )
    for page in pages:
        doc = _search.search_document(page.read_text("utf-8"))
        if doc is not None:
            target = docs / page.relative_to(built_site)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(doc, "utf-8")
    one = tmp_path / "one"
    subprocess.run(
        [str(_search.executable()), "--site", str(docs), "--output-path", str(one), "--silent"],
        check=True,
        capture_output=True,
    )
    for pattern in _search._UNUSED:
        for path in one.glob(pattern):
            path.unlink()

    merged = built_site / "pagefind"
    expected = _bundle(one)
    assert _bundle(merged) == expected
    assert any(name.startswith("index/zh-hans_") for name in expected)  # every language is there
    assert any(name.startswith("fragment/en_") for name in expected)
    entry = json.loads((merged / "pagefind-entry.json").read_text("utf-8"))
    assert entry == json.loads((one / "pagefind-entry.json").read_text("utf-8"))
    assert list(entry["languages"]) == sorted(entry["languages"])  # reproducible order


def test_merge_refuses_a_language_indexed_twice(tmp_path: Path) -> None:
    for name in ("a", "b"):
        part = tmp_path / name
        part.mkdir()
        entry = {"version": "1", "languages": {"en": {"hash": name, "page_count": 1}}}
        (part / "pagefind-entry.json").write_text(json.dumps(entry), "utf-8")
    with pytest.raises(SiteError, match="indexed twice"):
        _search._merge([tmp_path / "a", tmp_path / "b"], tmp_path / "out")


def test_documents_are_staged_per_language() -> None:
    written: dict[str, bytes] = {}
    html = (
        '<!doctype html><html lang="zh-Hans"><body>'
        "<main data-pagefind-body><p>批归一化</p><math><mi>x</mi></math></main></body></html>"
    )
    assert _search.stage(written.__setitem__, "zh-Hans/questions/q.html", html)
    assert list(written) == ["zh-hans/zh-Hans/questions/q.html"]
    doc = written["zh-hans/zh-Hans/questions/q.html"].decode()
    assert "批归一化" in doc and "<math" not in doc
    assert not _search.stage(written.__setitem__, "x.html", "<html lang='en'><p>no body</p>")


def test_without_memory_backed_storage_the_bundle_holds_the_same_pages(
    bank: Path, tmp_path: Path, built_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # staged on disk beside the site, the bundles are renamed into place instead of copied. A
    # disk lists files in its own order, which numbers Pagefind's pages differently (so index
    # chunks differ); the pages, their fragments and every language are the same.
    monkeypatch.setattr(_search, "_fast_tmp", lambda: str(tmp_path))
    from mlprep.site import build_site

    build_site(tmp_path / "site", search=True)
    ours, theirs = _bundle(tmp_path / "site" / "pagefind"), _bundle(built_site / "pagefind")
    fragments = {k: v for k, v in theirs.items() if k.startswith("fragment/")}
    assert fragments and {k: v for k, v in ours.items() if k.startswith("fragment/")} == fragments
    assert {k for k in ours if "/" not in k and "_" not in k} == {
        k for k in theirs if "/" not in k and "_" not in k
    }  # the scripts and WebAssembly
    counts = {}
    for site in (tmp_path / "site", built_site):
        entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
        counts[site] = {lang: v["page_count"] for lang, v in entry["languages"].items()}
    assert counts[tmp_path / "site"] == counts[built_site]
    assert set(counts[built_site]) == {"en", "zh-hans", "zh-hant"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("mlprep-search-")] == []


def test_the_binary_is_found_where_pagefind_looks_and_must_be_the_extended_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _search.executable()  # from the pagefind_bin_extended package
    assert real.is_file() and "extended" in real.name
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(real))
    assert _search.executable() == real
    plain = tmp_path / "pagefind"
    plain.write_bytes(b"")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(plain))
    with pytest.raises(SiteError, match="not Pagefind's extended build"):
        _search.executable()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing"))
    with pytest.raises(SiteError, match="needs the Pagefind binary"):
        _search.executable()
