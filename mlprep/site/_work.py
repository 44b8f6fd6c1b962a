"""Check and render in parallel: entries are split into small batches run by worker processes.

A worker checks each entry of its batch (``check_bank``) and renders that entry's changed pages
right after, in memory; checking converts every formula to MathML and the converter's cache is per
process and bounded, so rendering while an entry's formulas are fresh converts each formula once.
Batches stream back to the parent, which writes pages into the build's private staging folder
while the workers go on. The first blocking problem stops all writing, and the build then deletes
the staging folder: content with errors never reaches the published site. Workers are forked, so
they inherit the loaded bank and the planned pages instead of receiving them pickled; where fork
is unavailable, or the bank is small, the parent does it all.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

from mlprep.content import Bank, Problem, check_bank
from mlprep.content._check import STALE
from mlprep.site._pages import Page

Renderer = Callable[[Page, Bank], str]
Sink = Callable[[str, bytes], None]
Task = tuple[list[tuple[str, str]], list[int]]  # entries to check (with their pages), other pages
Result = tuple[list[Problem], list[tuple[str, bytes]]]

_BATCH = 25  # entries per task: small enough to stream, large enough to amortize the hand-off
_STATE: tuple[Bank, list[Page], dict[tuple[str, str], list[int]], Renderer] | None = None


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
    bank: Bank, pages: list[Page], dirty: list[int], render: Renderer, jobs: int, sink: Sink
) -> tuple[list[Problem], int]:
    """Check every entry and render each page index in ``dirty``, handing pages to ``sink`` until
    a blocking problem appears. Returns every problem and the number of pages handed over."""
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
    tasks: list[Task] = [(entries[i : i + _BATCH], []) for i in range(0, len(entries), _BATCH)]
    tasks += [([], rest[i : i + _BATCH * 4]) for i in range(0, len(rest), _BATCH * 4)]

    problems: list[Problem] = []
    handed = 0
    _STATE = (bank, pages, own, render)
    try:
        if jobs == 1:
            results = map(_run, tasks)
            handed = _drain(results, problems, sink)
        else:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(jobs) as pool:
                handed = _drain(pool.imap_unordered(_run, tasks), problems, sink)
    finally:
        _STATE = None
    return sorted(problems), handed


def _drain(results, problems: list[Problem], sink: Sink) -> int:
    handed = 0
    for found, rendered in results:
        problems += found
        if blocking(problems):
            continue  # keep collecting problems to report them all; write nothing more
        for path, html in rendered:
            sink(path, html)
            handed += 1
    return handed


def _run(task: Task) -> Result:
    assert _STATE is not None
    bank, pages, own, render = _STATE
    entries, others = task
    problems: list[Problem] = []
    rendered: list[tuple[str, bytes]] = []
    for kind, entry_id in entries:
        qids, xids = ([entry_id], []) if kind == "q" else ([], [entry_id])
        problems += check_bank(bank, question_ids=qids, exercise_ids=xids)
        if blocking(problems):
            continue  # the build will stop: keep checking, stop rendering
        for i in own.get((kind, entry_id), []):
            rendered.append((pages[i].path, render(pages[i], bank).encode()))
    if not blocking(problems):
        rendered += [(pages[i].path, render(pages[i], bank).encode()) for i in others]
    return problems, rendered
