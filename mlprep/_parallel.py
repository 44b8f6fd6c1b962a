"""``map_in_two``: a list map whose last part runs in a forked child, for CPU-bound start-up work.

Loading a bank that the content cache does not hold (a first run, a changed model, a build with
the cache off) parses and validates every file, all before anything else can start, while the
machine's other cores wait. Forking one child costs a few milliseconds and needs no pool, no
pickled function and no imports in the child: it inherits everything and sends back its results.

The results travel through a private pipe from a child of this process, so pickle is safe here
(the content cache itself stores JSON, never pickle). If the child fails in any way, the parent
computes that part itself: the result is always ``[func(x) for x in items]``, in order, and any
exception is the one ``func`` raises in the parent.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 128  # below this, forking costs more than it saves (~0.5 ms of work per file)
# The child's share: it pickles what it computes and first touches the memory it inherits
# (copy-on-write), and the parent unpickles; on a 1,000-file bank, loads ended soonest with the
# parent doing 60% (the whole map: ~0.32 s, against ~0.37 s for an even split).
CHILD_SHARE = 0.4


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


def map_in_two(func: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[func(x) for x in items]``, the last part (``CHILD_SHARE``) computed in a forked child
    when that pays."""
    if len(items) < MIN_ITEMS or not can_fork():
        return [func(x) for x in items]
    mine_n = split(len(items))
    theirs = _Child(func, items[mine_n:])
    try:
        mine = [func(x) for x in items[:mine_n]]
        done = theirs.result()
    finally:
        theirs.close()
    if done is None:  # the child failed: do its part here (raising what it raised, if anything)
        done = [func(x) for x in items[mine_n:]]
    return mine + done


def split(n: int) -> int:
    """How many of ``n`` items this process computes; the child computes the rest."""
    return n - int(n * CHILD_SHARE)


class _Child:
    def __init__(self, func: Callable[[T], R], items: Sequence[T]) -> None:
        import pickle  # here: the quiz's start-up imports the loader, and never forks

        self._n = len(items)
        read, write = os.pipe()
        sys.stdout.flush()  # the child never flushes: nothing buffered is written twice
        sys.stderr.flush()
        self._pid = os.fork()
        if self._pid == 0:  # the child: compute, send, and leave without running any cleanup
            status = 1
            try:
                os.close(read)
                data = pickle.dumps([func(x) for x in items], pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            except BaseException:  # noqa: BLE001 - the parent redoes the work and reports
                pass
            finally:
                os._exit(status)
        os.close(write)
        self._pipe = os.fdopen(read, "rb")

    def result(self) -> list | None:
        """The child's results, or None if it failed."""
        import pickle

        data = self._pipe.read()  # the child blocks on a full pipe until this reads
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if status != 0:
            return None
        try:
            done = pickle.loads(data)  # noqa: S301 - our own child, through a private pipe
        except Exception:  # noqa: BLE001 - a truncated message: redo the work
            return None
        return done if isinstance(done, list) and len(done) == self._n else None

    def close(self) -> None:
        """Reap the child if ``result`` was not reached (an exception in the parent)."""
        self._pipe.close()
        if self._pid:
            try:
                os.kill(self._pid, 9)
                os.waitpid(self._pid, 0)
            except OSError:  # pragma: no cover - already gone
                pass
            self._pid = 0
