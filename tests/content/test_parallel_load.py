"""Loading in two processes (``mlprep._parallel``) gives exactly what loading in one gives."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from mlprep import _parallel
from mlprep.content import collect

EXAMPLE = "questions/batchnorm/bn-normalize-step.yaml"

needs_two_cores = pytest.mark.skipif(
    not _parallel.can_fork(), reason="needs Linux and two usable cores"
)


def _pid(_: int) -> int:
    return os.getpid()


def _slow_pid(_: int) -> int:
    time.sleep(0.001)  # enough for both processes to get going
    return os.getpid()


@needs_two_cores
def test_the_items_are_shared_the_child_taking_them_from_the_back() -> None:
    n = 2 * _parallel.MIN_ITEMS
    pids = _parallel.map_in_two(_slow_pid, range(n))
    here = os.getpid()
    cut = next(i for i, pid in enumerate(pids) if pid != here)  # the child's first item
    assert set(pids[:cut]) == {here}
    (child,) = set(pids[cut:])
    assert n // 8 < cut < n - n // 8  # each did a fair share of work that takes both as long


@needs_two_cores
def test_the_faster_process_takes_more_items() -> None:
    here = os.getpid()

    def slower_here(_: int) -> int:
        time.sleep(0.004 if os.getpid() == here else 0.001)
        return os.getpid()

    n = 2 * _parallel.MIN_ITEMS
    pids = _parallel.map_in_two(slower_here, range(n))
    assert 0 < pids.count(here) < n // 2  # no fixed split: the child, four times faster, did most


def test_small_inputs_and_threads_stay_in_this_process() -> None:
    assert set(_parallel.map_in_two(_pid, range(_parallel.MIN_ITEMS - 1))) == {os.getpid()}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # another thread may hold a lock the child would inherit forever: no fork
        assert not _parallel.can_fork()
        assert set(_parallel.map_in_two(_pid, range(4 * _parallel.MIN_ITEMS))) == {os.getpid()}
    finally:
        stop.set()
        other.join()


@needs_two_cores
def test_a_failing_child_is_redone_here() -> None:
    parent = os.getpid()

    def only_here(x: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return x * x

    n = 3 * _parallel.MIN_ITEMS
    assert _parallel.map_in_two(only_here, range(n)) == [x * x for x in range(n)]


@needs_two_cores
def test_an_error_in_the_childs_part_is_raised_here() -> None:
    def bad(x: int) -> int:
        if x == 2 * _parallel.MIN_ITEMS - 1:  # the last item: the child's part
            raise ValueError(f"item {x}")
        return x

    with pytest.raises(ValueError, match=f"item {2 * _parallel.MIN_ITEMS - 1}"):
        _parallel.map_in_two(bad, range(2 * _parallel.MIN_ITEMS))


def _grow(root: Path, n: int) -> None:
    """``n`` more valid questions, copies of the example with their own ids."""
    text = (root / EXAMPLE).read_text("utf-8")
    folder = root / "questions" / "zz-extra"
    folder.mkdir()
    for i in range(n):
        qid = f"extra-{i:04d}"
        body = text.replace("id: bn-normalize-step", f"id: {qid}")
        (folder / f"{qid}.yaml").write_text(body, "utf-8")


@needs_two_cores
def test_a_bank_loads_the_same_in_one_process_and_in_two(
    bank_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLPREP_NO_CACHE", "1")  # every file parsed, every time
    _grow(bank_copy, 2 * _parallel.MIN_ITEMS)
    # faults in both halves (files load in path order): bad YAML early, a schema error and a
    # duplicate id late, the duplicate's first copy in the first half
    early = bank_copy / "questions" / "backward" / "a-broken.yaml"
    early.write_text("id: a-broken\nkind: [unclosed\n", "utf-8")
    late = bank_copy / "questions" / "zz-extra" / "extra-0100.yaml"
    late.write_text(late.read_text("utf-8").replace("kind: open", "kind: essay"), "utf-8")
    twin = bank_copy / "questions" / "zz-extra" / "zz-twin"
    twin.mkdir()
    (twin / "bn-normalize-step.yaml").write_text((bank_copy / EXAMPLE).read_text("utf-8"))

    forks: list[int] = []
    real = _parallel._Child.__init__

    def counting(self, *args) -> None:  # noqa: ANN001
        forks.append(1)
        real(self, *args)

    monkeypatch.setattr(_parallel._Child, "__init__", counting)
    two, two_problems = collect()
    assert forks, "the load did not use a second process"
    monkeypatch.setattr(_parallel, "MIN_ITEMS", 10**9)
    one, one_problems = collect()

    assert two is not None and one is not None
    assert two_problems == one_problems
    messages = "\n".join(p.format() for p in two_problems)
    assert "a-broken.yaml:3:1: error: YAML syntax" in messages
    assert "extra-0100.yaml:3:1: error: kind" in messages
    assert "duplicate id 'bn-normalize-step'" in messages
    assert list(two.questions) == list(one.questions)
    assert all(two.questions[q] == one.questions[q] for q in one.questions)
    assert two.headers == one.headers
    assert two.exercises == one.exercises
    assert two.paths == one.paths
    assert two.positions == one.positions
