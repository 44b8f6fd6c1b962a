"""``map_in_two``: a list map shared with a forked child, for CPU-bound start-up work.

Loading a bank that the content cache does not hold (a first run, a changed model, a build with
the cache off) parses and validates every file, all before anything else can start, while the
machine's other cores wait. Forking one child costs a few milliseconds and needs no pool, no
pickled function and no imports in the child: it inherits everything and sends back its results.

The two processes share the items as they go: this process takes them from the front, the child
from the back, each claiming an item before computing it, until they meet. So the split adapts to
how fast each one runs and to what else it does (sending results costs the child time, receiving
them costs this process time). The claims are two counters in a shared page, each written by one
process only (``_Claims``): at the meeting point both may compute the same item, never neither,
and the result keeps one of the two.

The child writes its results as it goes, in pickled chunks, to a memory-backed file that this
process reads once the child has left: the child never waits for a reader, and after the meeting
only its last chunk remains to be pickled. The file belongs to a child of this process, so pickle
is safe here (the content cache itself stores JSON, never pickle). If the child fails in any way,
this process computes its part itself: the result is always ``[func(x) for x in items]``, in
order, and any exception is the one ``func`` raises in this process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 128  # below this, forking costs more than it saves (~0.5 ms of work per file)


def can_fork() -> bool:
    """Whether a second core is available and forking is safe: on Linux (macOS's system libraries
    are not fork-safe), with no other thread running (a fork copies locks held by other threads,
    which could then never be released in the child)."""
    import threading  # here: the quiz's start-up imports the loader, and never forks

    if sys.platform != "linux" or threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except OSError:  # pragma: no cover - no affinity information
        return (os.cpu_count() or 1) > 1


def map_in_two(
    func: Callable[[T], R], items: Sequence[T], meanwhile: Callable[[], object] | None = None
) -> list[R]:
    """``[func(x) for x in items]``, shared with a forked child when that pays.

    ``meanwhile``, work of this process's own, runs here once the child has started on the items,
    which it then covers for (before the map when there is no child)."""
    if len(items) < MIN_ITEMS or not can_fork():
        if meanwhile is not None:
            meanwhile()
        return [func(x) for x in items]
    claims = _Claims(len(items))
    child = _Child(func, items, claims)
    try:
        if meanwhile is not None:
            meanwhile()
        mine: list[R] = []
        for i in range(len(items)):
            if not claims.take_front(i):
                break
            mine.append(func(items[i]))
        start, theirs = child.result()
    finally:
        child.close()
        claims.close()
    # this process computed items[:end], the child items[start:]: they overlap by an item or so at
    # most, and leave a gap only when the child failed (start is then len(items))
    end = len(mine)
    missing = [func(x) for x in items[end:start]]
    return mine + missing + theirs[max(0, end - start) :]


class _Claims:
    """Two counters in memory shared with the child: ``front``, the number of items this process
    has claimed, and ``back``, the first item the child has claimed (it goes down from the end).

    Each process claims its next item only if it does not see the other's claim on it, then
    records its own. Either may see the other's counter late, so both may claim the item where
    they meet; but a process stops only on seeing the other's claim on its very next item, and
    each claims its items one after another, so no item is left unclaimed. Aligned word-sized
    stores and loads are atomic on every platform Python forks on."""

    def __init__(self, n: int) -> None:
        import mmap

        self._map = mmap.mmap(-1, mmap.PAGESIZE)  # anonymous and shared: inherited by the fork
        self._counters = memoryview(self._map).cast("l")
        self._counters[0] = 0  # front
        self._counters[1] = n  # back

    def take_front(self, i: int) -> bool:
        if i >= self._counters[1]:
            return False
        self._counters[0] = i + 1
        return True

    def take_back(self, j: int) -> bool:
        if j < self._counters[0]:
            return False
        self._counters[1] = j
        return True

    def close(self) -> None:
        self._counters.release()
        self._map.close()


class _Child:
    """The forked child: it computes items from the back, down to where this process got, and
    writes each ``CHUNK`` of results to ``_file`` as soon as it has them."""

    CHUNK = 16

    def __init__(self, func: Callable[[T], R], items: Sequence[T], claims: _Claims) -> None:
        import pickle  # here: the quiz's start-up imports the loader, and never forks
        import tempfile

        self._n = len(items)
        self._file = tempfile.TemporaryFile(dir=_memory_dir())  # noqa: SIM115 - see close()
        sys.stdout.flush()  # the child never flushes: nothing buffered is written twice
        sys.stderr.flush()
        self._pid = os.fork()
        if self._pid == 0:  # the child: compute, write, and leave without running any cleanup
            status = 1
            try:
                chunk: list = []
                j = len(items) - 1
                while j >= 0 and claims.take_back(j):
                    chunk.append(func(items[j]))
                    j -= 1
                    if len(chunk) == self.CHUNK:
                        pickle.dump(chunk, self._file, pickle.HIGHEST_PROTOCOL)
                        chunk = []
                pickle.dump(chunk, self._file, pickle.HIGHEST_PROTOCOL)
                pickle.dump(j + 1, self._file, pickle.HIGHEST_PROTOCOL)  # where its part starts
                self._file.flush()
                status = 0
            except BaseException:  # noqa: BLE001 - the parent redoes the work and reports
                pass
            finally:
                os._exit(status)

    def result(self) -> tuple[int, list]:
        """Where the child's results start, and the results; ``(len(items), [])`` if it failed."""
        import pickle

        failed: tuple[int, list] = (self._n, [])
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if status != 0:
            return failed
        self._file.seek(0)  # the child has left: the file and its offset are this process's now
        done: list = []
        try:
            while not isinstance(part := pickle.load(self._file), int):  # noqa: S301 - see above
                done += part
        except Exception:  # noqa: BLE001 - a truncated file: redo the work
            return failed
        done.reverse()  # the child went backwards
        if part + len(done) != self._n:
            return failed
        return part, done

    def close(self) -> None:
        """Remove the file, and reap the child if ``result`` was not reached (an exception here)."""
        self._file.close()
        if self._pid:
            try:
                os.kill(self._pid, 9)
                os.waitpid(self._pid, 0)
            except OSError:  # pragma: no cover - already gone
                pass
            self._pid = 0


def _memory_dir() -> str | None:
    """/dev/shm where it can be written (the child's results never touch a disk), else the
    system's temporary folder."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None
