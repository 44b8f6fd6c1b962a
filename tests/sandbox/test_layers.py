"""What each layer promises, seen from inside: uid, file system, network, syscalls, names."""

from __future__ import annotations

import errno
import sysconfig
import textwrap
from pathlib import Path

import pytest

from grader._sandbox import Job, Limits, Plan, ProcessSandbox
from grader._sandbox._forked import ForkedSandbox
from grader._sandbox._probe import default_sandbox, probe

REPO = Path(__file__).resolve().parent.parent.parent
SITE = sysconfig.get_paths()["purelib"]
HAS_BWRAP = probe().level != "process"
needs_bwrap = pytest.mark.skipif(not HAS_BWRAP, reason=f"no bubblewrap here: {probe().reason}")


def run(sandbox, source: str, allowed=("numpy",), torch=False, forbidden=()):
    job = Job(
        source=textwrap.dedent(source),
        entry_points=("f",),
        allowed_imports=allowed,
        forbidden=forbidden,
        torch=torch,
        limits=Limits(time_s=30 if torch else 10, memory_mb=512),
        plan=Plan([{"id": "s", "op": "call", "fn": "f", "args": []}], {}),
    )
    return sandbox.run(job)


LOOK_AROUND = f"""
    import os, sys
    import numpy as np

    def f():
        return {{
            "uid": os.getuid(),
            "gid": os.getgid(),
            "site": sorted(os.listdir({SITE!r})),
            # the checkout's own files; a virtual environment inside it (.venv, as CI makes) is bound
            # read-only at its path, so the folder itself may exist as an empty mount point
            "repo": sorted(os.listdir({str(REPO)!r})) if os.path.isdir({str(REPO)!r}) else [],
            "torch": os.path.exists({SITE!r} + "/torch"),
            "on_path": [p for p in sys.path if os.path.exists(p + "/grader")
                        or os.path.exists(p + "/reference") or os.path.exists(p + "/mlprep")],
            "pid": os.getpid(),
        }}
"""


@needs_bwrap
@pytest.mark.parametrize("forked", [False, True], ids=["oneshot", "forked"])
def test_bwrap_runs_as_nobody_and_sees_only_numpy(forked: bool) -> None:
    from grader._sandbox._bwrap import BwrapSandbox, package_entries

    sb = ForkedSandbox(bwrap=True) if forked else BwrapSandbox()
    try:
        r = run(sb, LOOK_AROUND, allowed=("numpy", "os", "sys"))
    finally:
        getattr(sb, "close", lambda: None)()
    assert r.status == "ok", (r.error, r.stderr)
    seen = r.steps["s"].ret
    assert (seen["uid"], seen["gid"]) == (65534, 65534)  # the grader runs as root here
    assert set(seen["site"]) == {p.name for p in package_entries(("numpy", "os", "sys"))}
    assert "numpy" in seen["site"] and not seen["torch"]
    assert set(seen["repo"]) <= {".venv"} and seen["on_path"] == []
    assert seen["pid"] < 10  # its own PID namespace
    assert r.level == probe().level


def test_the_process_layer_hides_nothing_but_keeps_the_guard() -> None:
    """The fallback, for contrast: same uid as the grader, the checkout visible (which is why
    the attacks that need isolation only run under bwrap), imports still guarded."""
    import os

    r = run(ProcessSandbox(), LOOK_AROUND, allowed=("numpy", "os", "sys"))
    assert r.status == "ok" and r.level == "process"
    assert r.steps["s"].ret["uid"] == os.getuid()
    assert "grader" in r.steps["s"].ret["repo"]  # the contrast: the plain layer shows the checkout
    blocked = run(ProcessSandbox(), "import grader\ndef f(): return 1\n")
    assert blocked.status == "forbidden"


@needs_bwrap
def test_seccomp_refuses_ptrace_mount_and_inet_sockets_but_not_unix_ones() -> None:
    if probe().level != "bwrap+seccomp":
        pytest.skip("libseccomp is not available")
    from grader._sandbox._bwrap import BwrapSandbox

    r = run(
        BwrapSandbox(),
        """
        import numpy as np
        ct = np.ctypeslib.ctypes
        libc = ct.CDLL(None, use_errno=True)

        def call(fn, *args):
            ct.set_errno(0)
            rc = fn(*args)
            return rc, ct.get_errno()

        def f():
            return {
                "ptrace": call(libc.ptrace, 0, 0, 0, 0),  # PTRACE_TRACEME
                "inet": call(libc.socket, 2, 1, 0),
                "inet6": call(libc.socket, 10, 1, 0),
                "unix": call(libc.socket, 1, 1, 0),
                "mount": call(libc.mount, b"none", b"/tmp", b"tmpfs", 0, None),
            }
        """,
    )
    got = r.steps["s"].ret
    for name in ("ptrace", "inet", "inet6", "mount"):
        assert tuple(got[name]) == (-1, errno.EPERM), (name, got[name])
    assert got["unix"][0] >= 0  # AF_UNIX still works: the filter is aimed, not blanket


def test_forced_fallback_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader._grade import grade

    monkeypatch.setenv("MLPREP_SANDBOX", "process")
    assert type(default_sandbox()) is ProcessSandbox
    r = grade("batchnorm-forward", REPO / "reference" / "solutions" / "batchnorm_forward.py")
    assert r.passed and r.sandbox == "process"
    monkeypatch.setenv("MLPREP_SANDBOX", "auto")
    r = grade("batchnorm-forward", REPO / "reference" / "solutions" / "batchnorm_forward.py")
    assert r.passed and r.sandbox == probe().level


FORBIDDEN = ("torch.nn.functional.batch_norm", "torch.nn.BatchNorm2d", "torch.batch_norm")


@pytest.fixture(scope="module")
def torch_sandbox():
    sb = ForkedSandbox(bwrap=HAS_BWRAP)  # one zygote imports torch once for all four runs
    yield sb
    sb.close()


@pytest.mark.parametrize(
    ("body", "status", "name"),
    [
        ("F.batch_norm(x, None, None, training=True)", "forbidden", "functional.batch_norm"),
        ("getattr(F, 'batch_' + 'norm')(x, None, None, training=True)", "forbidden", "batch_norm"),
        ("torch.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False)", "forbidden", ""),
        ("type('M', (nn.BatchNorm2d,), {})(3)(x)", "forbidden", "BatchNorm2d"),
        ("nn.BatchNorm1d(3)(x.flatten(2))", "ok", ""),  # allowed, and it calls F.batch_norm
        ("nn.LayerNorm(4)(x)", "ok", ""),
    ],
)
def test_forbidden_names_refuse_the_submission_not_torch_itself(
    torch_sandbox, body: str, status: str, name: str
) -> None:
    r = run(
        torch_sandbox,
        f"""
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        def f():
            x = torch.randn(2, 3, 4, 4)
            y = {body}
            return float(y.sum())
        """,
        allowed=("torch",),
        torch=True,
        forbidden=FORBIDDEN,
    )
    step = r.steps["s"]
    if status == "ok":
        assert r.status == "ok" and step.ok, (step.error, r.stderr[-500:])
    else:
        assert r.status == "forbidden" and not step.ok
        assert "not allowed" in step.error.message and name in step.error.message


@pytest.mark.parametrize("layer", ["process", "bwrap"])
def test_the_submission_can_start_threads_but_no_processes(layer: str) -> None:
    if layer == "bwrap" and not HAS_BWRAP:
        pytest.skip("no bubblewrap here")
    from grader._sandbox._bwrap import BwrapSandbox

    r = run(
        BwrapSandbox() if layer == "bwrap" else ProcessSandbox(),
        """
        import threading
        import numpy as np
        ct = np.ctypeslib.ctypes
        libc = ct.CDLL(None, use_errno=True)

        def f():
            box = []
            t = threading.Thread(target=lambda: box.append(int(np.ones(3).sum())))
            t.start()
            t.join()
            ct.set_errno(0)
            pid = libc.fork()
            if pid == 0:
                libc._exit(0)
            fork_errno = ct.get_errno()
            rc_system = libc.system(b"true")
            return box, pid, fork_errno, rc_system
        """,
        allowed=("numpy", "threading"),
    )
    assert r.status == "ok", (r.error, r.stderr[-500:])
    box, pid, fork_errno, rc_system = r.steps["s"].ret
    assert box == [3]  # threads work: numpy and torch may use them
    assert (pid, fork_errno) == (-1, errno.EPERM)
    assert rc_system != 0  # no shell either
