"""Incremental builds and atomic replacement: unchanged pages are not rendered again, a failed
build leaves the previous site untouched."""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path

import pytest

from mlprep._errors import SiteError
from mlprep.site import SiteContentError, build_site
from mlprep.site._build import MANIFEST


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_second_build_renders_nothing_and_one_edit_renders_only_its_pages(
    bank: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    first = build_site(out, search=False)
    assert len(first.rendered) == first.pages > 40

    second = build_site(out, search=False)
    assert second.rendered == [] and second.pages == first.pages

    # Editing the English answer of a question whose translations are already stale changes
    # its English page and nothing else.
    _edit(bank / "questions/layernorm/ln-draft-stale.yaml", "of each example", "of every example")
    third = build_site(out, search=False)
    assert third.rendered == ["en/questions/ln-draft-stale.html"]
    assert "every example" in (out / "en/questions/ln-draft-stale.html").read_text()

    # Editing a vetted question's English makes its translations stale: its three pages change,
    # and so does every Chinese list that shows it (they mark it outdated); English lists do not.
    _edit(
        bank / "questions/batchnorm/bn-param-count.yaml", "one $\\gamma$ and", "one $\\gamma$ plus"
    )
    fourth = build_site(out, search=False)
    zh = [
        "questions/bn-param-count.html",
        "questions/index.html",
        "tags/batchnorm.html",
        "tags/parameters.html",
        "levels/easy.html",
        "references.html",
    ]
    expected = ["en/questions/bn-param-count.html"] + [
        f"{loc}/{rel}" for loc in ("zh-Hans", "zh-Hant") for rel in zh
    ]
    assert sorted(fourth.rendered) == sorted(expected)
    assert "此译文可能已过时" in (out / "zh-Hans/questions/bn-param-count.html").read_text()

    # A title edit in one translation reaches every list that shows that title in that locale.
    _edit(
        bank / "questions/batchnorm/bn-param-count.yaml",
        "BatchNorm2d(64) 有多少可学习参数？",
        "BN 参数几何？",
    )
    fifth = build_site(out, search=False)
    assert fifth.rendered and all(p.startswith("zh-Hans/") for p in fifth.rendered)
    assert "zh-Hans/questions/bn-param-count.html" in fifth.rendered
    assert "zh-Hans/questions/index.html" in fifth.rendered
    assert "zh-Hans/levels/easy.html" in fifth.rendered
    assert "zh-Hans/levels/hard.html" not in fifth.rendered
    assert "BN 参数几何？" in (out / "zh-Hans/tags/parameters.html").read_text()


def test_unchanged_page_files_are_not_rewritten(bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(out, search=False)
    page = out / "en/questions/bn-running-momentum.html"
    inode = page.stat().st_ino
    build_site(out, search=False)
    # the new site holds a hard link to the previous build's file: same inode, no new write
    assert page.stat().st_ino == inode


def test_a_template_change_rerenders_everything(bank: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "site"
    first = build_site(out, search=False)
    from mlprep.site import _build

    monkeypatch.setattr(_build, "source_fingerprint", lambda: "a different template")
    again = build_site(out, search=False)
    assert len(again.rendered) == first.pages


def test_removed_entry_removes_its_pages(bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(out, search=False)
    (bank / "questions/layernorm/ln-draft-stale.yaml").unlink()
    result = build_site(out, search=False)
    assert "en/questions/ln-draft-stale.html" in result.removed
    assert not (out / "en/questions/ln-draft-stale.html").exists()
    assert not (out / "en/tags/layernorm.html").exists()


def test_invalid_content_leaves_the_previous_site_intact(bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(out, search=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    _edit(bank / "questions/batchnorm/bn-spot-eval.yaml", "- batchnorm", "- no-such-tag")
    with pytest.raises(SiteContentError) as info:
        build_site(out, search=False)
    assert "unknown tag 'no-such-tag'" in str(info.value)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["bank", "site"] or "cache" in {
        p.name for p in tmp_path.iterdir()
    }
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]  # no temp left


def test_a_render_failure_midway_leaves_the_previous_site_intact(
    bank: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "site"
    build_site(out, search=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    _edit(
        bank / "questions/batchnorm/bn-param-count.yaml", "one $\\gamma$ and", "one $\\gamma$ plus"
    )
    from mlprep.site import _build

    def explode(page):
        raise SiteError("boom")

    monkeypatch.setattr(_build, "render_page", explode)
    with pytest.raises(SiteError, match="boom"):
        build_site(out, search=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_refuses_to_replace_a_folder_it_did_not_build(bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(SiteError, match="not built by"):
        build_site(out, search=False)
    assert (out / "precious.txt").read_text() == "keep me"


def test_manifest_records_every_page(bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = build_site(out, search=False)
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["pages"]) == sorted(result.rendered)
    assert all((out / page).is_file() for page in manifest["pages"])


def test_zip_bundle_holds_the_site(bank: Path, tmp_path: Path) -> None:
    import zipfile

    result = build_site(tmp_path / "site", search=False, zip_bundle=True)
    assert result.zip_path == tmp_path / "site.zip"
    names = set(zipfile.ZipFile(result.zip_path).namelist())
    assert "site/index.html" in names and "site/en/questions/bn-param-count.html" in names
    assert "site/files/bn-forward-numpy/starter.py" in names
    assert f"site/{MANIFEST}" not in names


def test_a_content_error_during_a_search_build_leaves_nothing_behind(
    bank: Path, tmp_path: Path
) -> None:
    from mlprep.site import _search

    out = tmp_path / "site"
    build_site(out, search=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    staged = set(Path(_search._fast_tmp() or tempfile.gettempdir()).glob("mlprep-search-*"))
    # the last entry in check order is broken: pages of earlier entries are already rendered when
    # the error appears (test_site_workers covers search folders already handed to Pagefind)
    _edit(bank / "questions/layernorm/ln-draft-stale.yaml", "- layernorm", "- no-such-tag")
    with pytest.raises(SiteContentError):
        build_site(out, search=True)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert set(Path(_search._fast_tmp() or tempfile.gettempdir()).glob("mlprep-search-*")) == staged
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    assert not [t for t in threading.enumerate() if t.name == "pagefind"]


def test_public_surface() -> None:
    import mlprep.site

    assert mlprep.site.__all__ == ["BuildResult", "SiteContentError", "build_site", "serve"]


def test_search_index_is_rebuilt_only_when_pages_change(bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(out, search=False)
    with_search = build_site(out, search=True)
    assert with_search.rendered == [] and with_search.indexed  # same pages, index added
    assert (out / "pagefind/pagefind.js").is_file()
    again = build_site(out, search=True)
    assert again.rendered == [] and not again.indexed
    assert (out / "pagefind/pagefind.js").is_file()  # carried over from the previous build
