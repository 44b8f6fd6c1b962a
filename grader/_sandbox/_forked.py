"""``ForkedSandbox``: the same isolation, without a fresh interpreter per submission.

One zygote process (``_zygote.py``), started under bubblewrap when the probe found it working
(else as a plain limited process), imports numpy (and torch) once and forks a child per
submission; the child applies the limits, moves into its own directory and runs the harness.
A batch pays interpreter start-up and the numpy import once per worker, not per learner.

Isolation between submissions: one job at a time per zygote; the job directory and, under
bubblewrap, the private /tmp are wiped between jobs; the zygote kills every process the job
left (it is a child subreaper); the harness and driver sit in a directory bound read-only.
If a submission kills the zygote, the grader kills what is left (``_tree``), that submission
fails ("crashed"), and the next one gets a fresh zygote.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from grader._sandbox import _seccomp, _tree
from grader._sandbox._base import Job, Plan, Running, RunResult, Sandbox
from grader._sandbox._process import DRIVER, HARNESS, _env, _head, _outer_limits, run_result

ZYGOTE = Path(__file__).resolve().parent / "_zygote.py"
REPLY_SLACK_S = 10.0  # the zygote enforces the time limit; this only catches a stuck zygote


def _wipe(path: Path) -> None:
    """Remove everything in ``path``, even what a submission made unreadable."""

    def fix(func, p, _exc):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)

    for entry in list(path.iterdir()) if path.is_dir() else []:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, onerror=fix)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()


def _write_inputs(path: Path, plan: Plan) -> dict[str, int]:
    """The plan's arrays as consecutive .npy records (the driver's ``Inputs``), by offset."""
    import numpy as np

    offsets: dict[str, int] = {}
    with open(path, "wb") as f:
        for name, arr in plan.arrays.items():
            offsets[name] = f.tell()
            np.lib.format.write_array(f, np.asarray(arr), allow_pickle=False)
    return offsets


class Zygote:
    """One pre-forked worker; jobs run one at a time."""

    def __init__(self, allowed: tuple[str, ...], torch: bool, bwrap: bool):
        self.key = (allowed, torch)
        self.code = Path(tempfile.mkdtemp(prefix="mlprep-zcode-"))
        self.jobs = Path(tempfile.mkdtemp(prefix="mlprep-zjobs-"))
        for f in (HARNESS, DRIVER, ZYGOTE):
            shutil.copyfile(f, self.code / f.name)
        self.token = _tree.new_token()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        prefix: list[str] = []
        fds = [theirs.fileno()]
        if bwrap:
            from grader._sandbox._bwrap import bwrap_argv

            sfd = _seccomp.program_fd()
            prefix = bwrap_argv(self.jobs, allowed + (("torch",) if torch else ()), sfd)
            prefix[-1:-1] = ["--ro-bind", str(self.code), str(self.code)]  # before "--"
            fds += [] if sfd is None else [sfd]
        env = _env(self.token)
        if torch:
            env["ZYGOTE_TORCH"] = "1"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        if os.environ.get("MLPREP_ZYGOTE_LOG"):  # debugging the zygote itself
            self.log = open(os.environ["MLPREP_ZYGOTE_LOG"], "ab")  # noqa: SIM115
        _tree.become_subreaper()
        self.proc = subprocess.Popen(
            [
                *prefix,
                sys.executable,
                "-I",
                "-B",
                str(self.code / ZYGOTE.name),
                str(self.code),
                str(self.jobs),
                str(theirs.fileno()),
                "1" if bwrap else "0",
            ],
            cwd=self.jobs,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            pass_fds=tuple(fds),
            start_new_session=True,
            preexec_fn=_outer_limits,
        )
        for fd in fds[1:]:
            os.close(fd)
        theirs.close()
        self.sock = ours
        self.buf = b""
        self.bwrap = bwrap
        self._arrays: dict | None = None  # the plan arrays written to self.code/in (bwrap only)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def _reply(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(1 << 16)
            except (TimeoutError, OSError):
                return None
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except ValueError:
            return None
        return reply if isinstance(reply, dict) else None

    def run(
        self, job: Job, source: str, plan: Plan, meanwhile: Callable[[], None] | None, level: str
    ) -> RunResult:
        t0 = time.perf_counter()
        lim = job.limits
        jobdir = Path(tempfile.mkdtemp(dir=self.jobs, prefix="j"))
        out_files = [tempfile.TemporaryFile() for _ in range(2)]  # noqa: SIM115 - not in its view
        try:
            (jobdir / "job").mkdir()
            (jobdir / "out").mkdir()
            (jobdir / "submission.py").write_text(source, encoding="utf-8")
            if self.bwrap:  # inputs are the same for the whole batch: written once, read-only
                shared, offsets = self._shared_inputs(plan)
                os.symlink(shared, jobdir / "job" / "in.npys")
            else:  # no read-only view without bwrap: each job gets its own copy
                offsets = _write_inputs(jobdir / "job" / "in.npys", plan)
            plan_json = json.dumps({"steps": plan.steps, "arrays": offsets})
            (jobdir / "job" / "plan.json").write_text(plan_json)
            header = job.header()
            msg = json.dumps({"job": jobdir.name, "header": header}).encode() + b"\n"
            with contextlib.suppress(OSError):  # a dead zygote: no reply, the run "crashed"
                socket.send_fds(self.sock, [msg], [f.fileno() for f in out_files])
            if meanwhile is not None:
                meanwhile()
            reply = self._reply(lim.time_s + REPLY_SLACK_S)
            if reply is None or reply.get("job") != jobdir.name:
                self._kill()  # stuck, or killed by the submission: the next job gets a new one
                rc, timed_out = None, False
            else:
                rc = reply.get("rc") if isinstance(reply.get("rc"), int) else None
                timed_out = reply.get("timed_out") is True
            cap = lim.output_kb * 1024
            return run_result(
                jobdir / "out",
                rc,
                timed_out,
                _head(out_files[0], cap).replace(str(jobdir) + os.sep, ""),
                _head(out_files[1], cap).replace(str(jobdir) + os.sep, ""),
                lim.time_s,
                t0,
                level,
            )
        finally:
            for f in out_files:
                f.close()
            if self.alive:
                _wipe(self.jobs)
            else:
                self.close()

    def _shared_inputs(self, plan: Plan) -> tuple[Path, dict[str, int]]:
        """``self.code/in.npys``, holding ``plan``'s arrays; the code dir is bound read-only,
        so no submission can change what the next one is given."""
        inputs = self.code / "in.npys"
        if self._arrays is not plan.arrays:
            self._offsets = _write_inputs(inputs, plan)
            self._arrays = plan.arrays
        return inputs, self._offsets

    def _kill(self) -> None:
        if self.proc.returncode is None:  # not reaped: its pid is still its own
            _tree.kill_tree(self.proc.pid, self.token)
            self.proc.wait()
        _tree.kill_tree(None, self.token)  # anything that outlived a killed zygote

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
        if self.proc.returncode is None:
            with contextlib.suppress(subprocess.TimeoutExpired):  # EOF: the zygote exits
                self.proc.wait(timeout=2)
        self._kill()
        self.log.close()
        for d in (self.jobs, self.code):
            _wipe(d)
            shutil.rmtree(d, ignore_errors=True)


class ForkedRunning(Running):
    def __init__(self, sandbox: ForkedSandbox, source: str):
        self.sandbox = sandbox
        self.source = source
        self.job: Job | None = None

    def configure(self, job: Job) -> None:
        self.job = job

    def finish(self, plan: Plan, meanwhile: Callable[[], None] | None = None) -> RunResult:
        assert self.job is not None, "configure() first"
        zygote = self.sandbox.zygote(self.job)
        return zygote.run(self.job, self.source, plan, meanwhile, self.sandbox.level)


class ForkedSandbox(Sandbox):
    """Submissions forked from a pre-started worker; not thread-safe: one per thread."""

    def __init__(self, bwrap: bool | None = None):
        if bwrap is None:
            from grader._sandbox._probe import probe

            bwrap = probe().level != "process"
        self.bwrap = bwrap
        if bwrap:
            from grader._sandbox._bwrap import level

            self.level = level()
        else:
            self.level = "process"
        self._zygote: Zygote | None = None

    def zygote(self, job: Job) -> Zygote:
        key = (tuple(job.allowed_imports), job.torch)
        z = self._zygote
        if z is None or not z.alive or z.key != key:
            if z is not None:
                z.close()
            z = self._zygote = Zygote(key[0], key[1], self.bwrap)
        return z

    def start(self, source: str) -> ForkedRunning:
        return ForkedRunning(self, source)

    def close(self) -> None:
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None

    def __enter__(self) -> ForkedSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
