"""Process-tree control: when grading ends, nothing the submission started survives.

A submission can leave its process group (``setsid``) and its parent (double fork), so neither
``killpg`` nor "the children of the child" finds everything. Three nets, used together:

- the grader becomes a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``): an orphan is
  re-parented to the grader instead of init, so it stays in the grader's tree;
- every sandbox process carries a random token in its environment (``SANDBOX_JOB``); a double-
  forked daemon inherits it, and ``/proc/PID/environ`` shows it wherever the daemon went;
- the whole tree under the sandbox's root process, walked through ``/proc``.

Under bubblewrap the PID namespace does this by itself (when its init dies the kernel kills
every process in it); these nets are what the plain-process layer has. Linux only; elsewhere
they find nothing and the caller falls back on ``killpg``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
TOKEN_VAR = "SANDBOX_JOB"

_subreaper: bool | None = None
ISSUED: set[str] = set()  # every token this process handed out (tests look for survivors)


def new_token() -> str:
    token = os.urandom(12).hex()  # what secrets.token_hex does, without hashlib/hmac (~3 ms)
    ISSUED.add(token)
    return token


def prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (once per process)."""
    global _subreaper
    if _subreaper is None:
        _subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1)
    return _subreaper


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, start time) of pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2 :].split()  # the command name may hold spaces and ')'
    return int(fields[1]), int(fields[19])


def _pids() -> list[int]:
    try:
        return [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []


def descendants(root: int) -> set[int]:
    """Every process below ``root`` in the parent tree (``root`` excluded)."""
    children: dict[int, list[int]] = {}
    for pid in _pids():
        st = _stat(pid)
        if st is not None:
            children.setdefault(st[0], []).append(pid)
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def tagged(token: str) -> set[int]:
    """Processes whose initial environment holds ``SANDBOX_JOB=token``."""
    needle = f"{TOKEN_VAR}={token}".encode()
    me = os.getpid()
    found = set()
    for pid in _pids():
        if pid == me:
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read(1 << 16)
        except OSError:
            continue
        if needle in env.split(b"\0"):
            found.add(pid)
    return found


def kill_tree(root: int | None, token: str | None = None, rounds: int = 20) -> int:
    """SIGKILL ``root``'s descendants and every process tagged with ``token``, until none is
    left (a process may fork while we look), then reap the ones re-parented to us.

    ``root`` itself is signalled but not reaped: its owner (``Popen``) waits for it. The caller
    must not have reaped it yet (else its pid may belong to another process by now): pass None.
    Returns how many processes were killed.
    """
    killed: set[int] = set()
    if root is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(root, signal.SIGKILL)
    for _ in range(rounds):
        found = (descendants(root) if root is not None else set()) | (
            tagged(token) if token else set()
        )
        found -= {root or 0, os.getpid()}
        killed |= found  # zombies too: those re-parented to us must be reaped below
        alive = {p for p in found if _alive(p)}
        if not alive:
            break
        for pid in alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    _reap(killed)
    return len(killed)


def _reap(pids: set[int], wait_s: float = 1.0) -> None:
    """Reap those of ``pids`` that are our children (orphans re-parented to the subreaper)."""
    import time

    deadline = time.monotonic() + wait_s
    todo = set(pids)
    while todo and time.monotonic() < deadline:
        for pid in list(todo):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child (or reaped already): its parent reaps it
                done = pid
            if done == pid:
                todo.discard(pid)
        if todo:
            time.sleep(0.005)


def _alive(pid: int) -> bool:
    """True unless pid is gone or a zombie (a zombie runs nothing and only waits to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return False
    return data[data.rfind(b")") + 2 : data.rfind(b")") + 3] not in (b"Z", b"X")
