"""Worker processes: forked workers write the same site as the parent alone, and a blocking problem
in any batch leaves nothing behind. The fixture bank is small, so batches of one entry make it take
the paths a large bank takes."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pytest

from mlprep.site import SiteContentError, _search, _work, build_site


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # forked workers inherit the patched module, so they split the work the same way
    monkeypatch.setattr(_work, "_BATCH", 1)


def _files(root: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.relative_to(root).as_posix().startswith(skip)
    }


def _staged() -> set[Path]:
    return set(Path(_search._fast_tmp() or tempfile.gettempdir()).glob("mlprep-search-*"))


def test_workers_write_the_same_site_as_one_process(
    bank: Path, tmp_path: Path, small_batches: None
) -> None:
    one = build_site(tmp_path / "one", jobs=1, search=True)
    two = build_site(tmp_path / "two", jobs=2, search=True)
    assert sorted(one.rendered) == sorted(two.rendered) and one.indexed and two.indexed
    pages = _files(tmp_path / "one")
    assert pages == _files(tmp_path / "two")  # search index included: builds are reproducible
    assert len(pages) > 40
    meta = {p.name.split("_")[0] for p in (tmp_path / "two" / "pagefind").glob("*.pf_meta")}
    assert meta == {"pagefind.en", "pagefind.zh-hans", "pagefind.zh-hant"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_blocking_problem_in_a_middle_batch_leaves_nothing_behind(
    bank: Path, tmp_path: Path, small_batches: None, jobs: int
) -> None:
    out = tmp_path / "site"
    build_site(out, search=False)
    before = _files(out)
    staged = _staged()
    # bn-spot-eval is the fourth entry in check order: with batches of one entry, earlier batches
    # have written their pages and search documents before the problem shows up
    path = bank / "questions/batchnorm/bn-spot-eval.yaml"
    path.write_text(path.read_text("utf-8").replace("- batchnorm", "- no-such-tag", 1), "utf-8")
    with pytest.raises(SiteContentError, match="unknown tag 'no-such-tag'"):
        build_site(out, jobs=jobs, search=True)
    assert _files(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    assert _staged() == staged
    assert not [t for t in threading.enumerate() if t.name == "pagefind"]


def test_an_incremental_build_indexes_as_a_fresh_build_does(
    bank: Path, tmp_path: Path, small_batches: None
) -> None:
    # A fresh build hands each batch's search documents to Pagefind's folder as it ends; an
    # incremental one stages the unchanged pages' documents from the previous site at the end.
    # Both must give Pagefind the same documents in the same order, hence the same index.
    out = tmp_path / "site"
    build_site(out, jobs=2, search=True)
    path = bank / "questions/batchnorm/bn-spot-eval.yaml"
    text = path.read_text("utf-8")
    level = next(line for line in text.splitlines() if line.startswith("difficulty: "))
    other = "difficulty: hard" if level != "difficulty: hard" else "difficulty: easy"
    path.write_text(text.replace(level, other, 1), "utf-8")
    again = build_site(out, jobs=2, search=True)
    assert 0 < len(again.rendered) < again.pages and again.indexed  # incremental, reindexed
    build_site(tmp_path / "fresh", jobs=2, search=True)
    assert _files(out / "pagefind") == _files(tmp_path / "fresh" / "pagefind")


def test_list_tasks_wait_for_every_batch_and_carry_the_titles_it_rendered() -> None:
    # Lists show every question's title: a worker renders them only for its own batches, so the
    # list tasks are held back until every batch has reported the titles it rendered.
    written: list[list[str]] = []
    drain = _work._Drain(2, written.append)
    batches: list[_work.Task] = [([("q", "a")], [], {}), ([("q", "b")], [], {})]
    tasks = _work._tasks(batches, [[7], [8]], drain)
    assert [next(tasks), next(tasks)] == batches
    got: list[_work.Task] = []
    feeder = threading.Thread(target=lambda: got.append(next(tasks)))
    feeder.start()
    feeder.join(0.2)
    assert feeder.is_alive() and not got  # no batch has reported yet
    drain(iter([([], ["a.html"], {"A": "<em>A</em>"})]), threading.Event())
    feeder.join(0.2)
    assert feeder.is_alive() and not got  # one of two
    drain(iter([([], ["b.html"], {"B": "B"})]), threading.Event())
    feeder.join(5)
    assert got == [([], [7], {"A": "<em>A</em>", "B": "B"})]
    assert next(tasks) == ([], [8], {"A": "<em>A</em>", "B": "B"})
    assert written == [["a.html"], ["b.html"]] and drain.handed == 2


def test_titles_rendered_elsewhere_are_not_rendered_again() -> None:
    from mlprep.site import _render

    text = "A title with $x^2$ and *emphasis*"
    mine = _render.rendered_inline([text])  # rendered here, as a worker does for its batches
    assert "<math" in mine[text] and "<em>" in mine[text]
    _render._INLINE.clear()  # another process
    _render.seed_inline({text: "<b>as handed over</b>"})
    assert str(_render._md_inline(text)) == "<b>as handed over</b>"
    _render._INLINE.clear()
    assert str(_render._md_inline(text)) == mine[text]


def test_a_fresh_build_starts_pagefind_once_every_indexed_page_is_staged(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    present: set[str] = set()
    real = _search.Indexer.start

    def start(self: _search.Indexer) -> None:
        site = self._output.parent  # the build's staging folder
        if not present:  # the first call starts it; finish() calls it again, to no effect
            present.update(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
        real(self)

    monkeypatch.setattr(_search.Indexer, "start", start)
    out = tmp_path / "site"
    build_site(out, jobs=1, search=True)  # one process: the lists render after the entries
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    indexed = {p for p in pages if "/questions/" in p or "/exercises/" in p} - {
        p for p in pages if p.endswith("/index.html")
    }
    assert indexed and indexed <= present  # every indexed page was there for Pagefind
    assert "en/questions/index.html" not in present  # while the lists were still to come


def test_a_failure_after_pagefind_started_stops_it_and_leaves_nothing_behind(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlprep._errors import SiteError
    from mlprep.site import _build

    started: list = []
    real_start = _search._start

    def spy(command: list[str], siblings: int):  # noqa: ANN202
        proc = real_start(command, siblings)
        started.append(proc)
        return proc

    real_render = _build._render

    def render(page, bank):  # noqa: ANN001, ANN202 - a list page fails, after the entries
        if page.template == "list.html":
            raise SiteError("a list failed")
        return real_render(page, bank)

    monkeypatch.setattr(_search, "_start", spy)
    monkeypatch.setattr(_build, "_render", render)
    staged = _staged()
    with pytest.raises(SiteError, match="a list failed"):
        build_site(tmp_path / "site", jobs=1, search=True)
    assert started and all(proc.poll() is not None for proc in started)
    assert not (tmp_path / "site").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]
    assert _staged() == staged
