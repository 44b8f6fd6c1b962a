"""Check and render in parallel: entries are split into small batches run by worker processes.

A worker checks each entry of its batch (``check_bank``) and renders that entry's changed pages
right after, in memory; checking converts every formula to MathML and the converter's cache is per
process and bounded, so rendering while an entry's formulas are fresh converts each formula once.
A batch without problems is written by its worker, straight into the build's private staging
folder, and the search document of each indexed page into the indexer's staging folder
(``Staging``); the parent only collects problems and the paths written. The first blocking
problem raises a flag that stops every worker's writing, and the build then deletes the staging
folder: content with errors never reaches the published site. Workers are forked, so they inherit
the loaded bank and the planned pages instead of receiving them pickled; where fork is
unavailable, or the bank is small, the parent does it all.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mlprep.content import Bank, Problem
from mlprep.content._problems import STALE
from mlprep.site import _fs, _search
from mlprep.site._pages import Page
from mlprep.site._render import rendered_inline, seed_inline

Renderer = Callable[[Page, Bank], str]
OnBatch = Callable[[list[str]], None]  # the pages a batch wrote
# entries to check (with their pages), other pages, titles rendered elsewhere (see _tasks)
Task = tuple[list[tuple[str, str]], list[int], dict[str, str]]
Result = tuple[list[Problem], list[str], dict[str, str]]  # problems, pages written, titles

_BATCH = 25  # entries per task: small enough to stream, large enough to amortize the hand-off
# Pages of no single entry (home, lists of every question) are few but heavy and queued last: in
# small tasks, all workers share them instead of one finishing the build alone.
_LISTS = 4


@dataclass(frozen=True)
class Staging:
    """Where workers write: ``site`` is the build's private folder (``seeded`` when it holds
    links to the previous build); search documents of ``indexed`` pages go under ``search``
    (None: no index this build)."""

    site: Path
    seeded: bool
    search: Path | None
    indexed: frozenset[str]


_STATE: tuple[Bank, list[Page], dict[tuple[str, str], list[int]], Renderer, Staging, object] | None
_STATE = None
_SEEDED: list[bool] = []  # whether this process has taken the titles of this build's entries


def is_stale_problem(problem: Problem) -> bool:
    """A stale translation is the one error the site publishes anyway: it is a known state of the
    translation work, not broken content, and every stale page says so in its banner and in the
    language switcher. ``mlprep check`` still reports it as an error for vetted entries."""
    return problem.code == STALE


def blocking(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a build."""
    return [p for p in problems if p.severity == "error" and not is_stale_problem(p)]


def default_jobs(bank: Bank) -> int:
    # Forking costs ~50 ms a worker; worth it only when there is real work to split.
    if len(bank.questions) < 200 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def check_and_render(
    bank: Bank,
    pages: list[Page],
    dirty: list[int],
    render: Renderer,
    jobs: int,
    staging: Staging,
    on_batch: OnBatch,
    meanwhile: Callable[[], None] = lambda: None,
    on_entries: Callable[[], None] = lambda: None,
) -> tuple[list[Problem], int]:
    """Check every entry and render and write each page index in ``dirty``, until a blocking
    problem appears. ``on_batch`` hears, in the parent and in the order of the tasks (entries
    in id order, questions first), of the pages each batch wrote;
    ``meanwhile`` runs in the parent once the workers have their tasks (before any task when
    there are none), and ``on_entries`` once every entry's batch has been heard of without a
    blocking problem (while the pages of no single entry may still render). Returns every
    problem and the number of pages written."""
    global _STATE
    entries = [("q", qid) for qid in sorted(bank.questions)]
    entries += [("x", xid) for xid in sorted(bank.exercises)]
    own: dict[tuple[str, str], list[int]] = {}
    rest: list[int] = []  # home, lists, search: not tied to one entry
    for i in dirty:
        data = pages[i].data
        kind = "q" if "q" in data else "x" if "x" in data else None
        if kind is None:
            rest.append(i)
        else:
            own.setdefault((kind, data[kind]["id"]), []).append(i)
    batches: list[Task] = [
        (entries[i : i + _BATCH], [], {}) for i in range(0, len(entries), _BATCH)
    ]
    lists = [rest[i : i + _LISTS] for i in range(0, len(rest), _LISTS)]
    drain = _Drain(len(batches), on_batch, on_entries)
    _SEEDED.clear()

    try:
        if jobs == 1:
            stop = threading.Event()
            _STATE = (bank, pages, own, render, staging, stop)
            meanwhile()
            drain(map(_run, _tasks(batches, lists, drain)), stop)
        else:
            ctx = multiprocessing.get_context("fork")
            stop = ctx.Event()
            _STATE = (bank, pages, own, render, staging, stop)
            with ctx.Pool(jobs) as pool:  # forked: no cycle collection, like the build's
                try:
                    # results in task order (see check_and_render); the pool's feeder thread
                    # takes the tasks from _tasks, and waits there for the titles of every entry
                    results = pool.imap(_run, _tasks(batches, lists, drain))
                    meanwhile()
                    drain(results, stop)
                finally:
                    drain.entries_done.set()  # never leave the feeder waiting
    finally:
        _STATE = None
    return sorted(drain.problems), drain.handed


def _tasks(batches: list[Task], lists: list[list[int]], drain: _Drain) -> Iterator[Task]:
    """The entries' batches, then the pages of no single entry (home, lists of every question).

    Those list every question by its title, rendered from Markdown, and each worker has rendered
    only the titles of its own batches: rendering the others' again for the lists took about as
    long as the lists themselves. So the list tasks wait until every batch is done, and carry the
    titles the batches rendered."""
    yield from batches
    if lists:
        drain.entries_done.wait()
        for pages in lists:
            yield ([], pages, drain.titles)


class _Drain:
    """Collects the results, in task order: problems, pages written (``on_batch``), titles."""

    def __init__(
        self, n_batches: int, on_batch: OnBatch, on_entries: Callable[[], None] = lambda: None
    ) -> None:
        self.n_batches, self.on_batch, self.on_entries = n_batches, on_batch, on_entries
        self.problems: list[Problem] = []
        self.handed = 0
        self.received = 0
        self.titles: dict[str, str] = {}
        self.entries_done = threading.Event()
        if n_batches == 0:
            self.entries_done.set()

    def __call__(self, results: Iterable[Result], stop) -> None:
        for found, written, titles in results:
            self.titles.update(titles)
            self.received += 1
            last = self.received == self.n_batches
            if last:
                self.entries_done.set()
            self.problems += found
            if blocking(self.problems):
                stop.set()  # every worker stops writing; the build deletes what was written
                continue  # keep collecting problems to report them all
            self.handed += len(written)
            self.on_batch(written)
            if last:
                self.on_entries()


def _run(task: Task) -> Result:
    from mlprep.content import check_bank  # the checker's Markdown and LaTeX load in the workers

    assert _STATE is not None
    bank, pages, own, render, staging, stop = _STATE
    entries, others, titles = task
    problems: list[Problem] = []
    rendered: list[tuple[str, str]] = []
    mine: list[str] = []  # the titles of the entry pages rendered here
    for kind, entry_id in entries:
        qids, xids = ([entry_id], []) if kind == "q" else ([], [entry_id])
        problems += check_bank(bank, question_ids=qids, exercise_ids=xids)
        if blocking(problems):
            continue  # the build will stop: keep checking, stop rendering
        for i in own.get((kind, entry_id), []):
            rendered.append((pages[i].path, render(pages[i], bank)))
            if kind == "q":
                mine.append(pages[i].data["text"]["title"])
    if blocking(problems) or stop.is_set():
        return problems, [], {}
    if titles and not _SEEDED:  # every list task carries them: take them once
        seed_inline(titles)
        _SEEDED.append(True)
    rendered += [(pages[i].path, render(pages[i], bank)) for i in others]
    write = _fs.Writer(staging.site, staging.seeded)
    stage = _fs.Writer(staging.search, seeded=False) if staging.search is not None else None
    written: list[str] = []
    for path, html in rendered:
        if stop.is_set():  # another batch found a blocking problem: the build is stopping
            break
        write(path, html.encode())
        written.append(path)
        if stage is not None and path in staging.indexed:
            _search.stage(stage, path, html)
    return problems, written, rendered_inline(mine)
