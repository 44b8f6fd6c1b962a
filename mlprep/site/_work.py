"""Check and render in parallel: the bank is split into shards by entry, one per worker process.

A worker checks its entries (``check_bank``) one at a time and renders each entry's changed pages
right after its check, in memory; nothing is written until the parent has seen every shard's
problems. Checking converts every formula to MathML, and the converter's cache is per process and
bounded, so rendering an entry while its formulas are fresh converts each formula once. Workers are forked, so they inherit the loaded bank and the
planned pages instead of receiving them pickled; where fork is unavailable, one process does it all.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

from mlprep.content import Bank, Problem, check_bank
from mlprep.site._pages import Page

Renderer = Callable[[Page, Bank], str]
Result = tuple[list[Problem], list[tuple[str, bytes]]]

Work = tuple[list[tuple[str, str]], dict[tuple[str, str], list[int]], list[int]]
_STATE: tuple[Bank, list[Page], list[Work], Renderer] | None = None  # set before forking


def is_stale_problem(problem: Problem) -> bool:
    """A stale translation is the one error the site publishes anyway: it is a known state of the
    translation work, not broken content, and every stale page says so in its banner and in the
    language switcher. ``mlprep check`` still reports it as an error for vetted entries."""
    # mlprep.content._check words every staleness problem this way (pinned by a test)
    return " is stale: " in problem.message and problem.message.startswith("locale '")


def blocking(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a build."""
    return [p for p in problems if p.severity == "error" and not is_stale_problem(p)]


def default_jobs(bank: Bank) -> int:
    # Forking costs ~50 ms a worker; worth it only when there is real work to split.
    if len(bank.questions) < 200 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def check_and_render(
    bank: Bank, pages: list[Page], dirty: list[int], render: Renderer, jobs: int
) -> Result:
    """Every problem in the bank, and ``(path, html)`` for each page index in ``dirty``."""
    global _STATE
    entries = [("q", qid) for qid in sorted(bank.questions)]
    entries += [("x", xid) for xid in sorted(bank.exercises)]
    shard_of = {entry: i % jobs for i, entry in enumerate(entries)}
    own: dict[
        tuple[str, str], list[int]
    ] = {}  # an entry's changed pages, rendered right after its check
    rest: list[list[int]] = [[] for _ in range(jobs)]  # lists, home, search: spread evenly
    for n, i in enumerate(dirty):
        data = pages[i].data
        kind = "q" if "q" in data else "x" if "x" in data else None
        if kind is None:
            rest[n % jobs].append(i)
        else:
            own.setdefault((kind, data[kind]["id"]), []).append(i)
    work = [
        ([e for e in entries if shard_of[e] == k], {e: own.get(e, []) for e in entries}, rest[k])
        for k in range(jobs)
    ]
    _STATE = (bank, pages, work, render)
    try:
        if jobs == 1:
            results = [_shard(0)]
        else:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(jobs) as pool:
                results = pool.map(_shard, range(jobs))
    finally:
        _STATE = None
    problems = [p for r in results for p in r[0]]
    rendered = [page for r in results for page in r[1]]
    return sorted(problems), rendered


def _shard(k: int) -> Result:
    assert _STATE is not None
    bank, pages, work, render = _STATE
    entries, own, rest = work[k]
    problems: list[Problem] = []
    rendered: list[tuple[str, bytes]] = []
    for kind, entry_id in entries:
        # Check one entry, then render its pages while its formulas are in the MathML cache.
        if kind == "q":
            found = check_bank(bank, question_ids=[entry_id], exercise_ids=[])
        else:
            found = check_bank(bank, question_ids=[], exercise_ids=[entry_id])
        problems += found
        if blocking(problems):
            continue  # the build will stop: keep checking (to report everything), stop rendering
        for i in own[(kind, entry_id)]:
            rendered.append((pages[i].path, render(pages[i], bank).encode()))
    if not blocking(problems):
        rendered += [(pages[i].path, render(pages[i], bank).encode()) for i in rest]
    return problems, rendered
