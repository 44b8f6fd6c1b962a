"""``ProcessSandbox``: the submission runs in a child process the grader controls.

Isolation it gives: a fresh temp working dir holding only the submission and the trusted harness
and driver; an empty environment (thread-count variables excepted); ``python -I`` (no user site,
no PYTHON* variables, script dir not on sys.path); stdin closed; a new session so the whole
process group is killed at the end; rlimits set before exec (CPU seconds, address space, file
size, open files, no core dumps); stdout/stderr captured to files and read back up to a cap; a
wall-clock timeout; at the end, the whole process tree is killed (``_tree``: the grader is a
child subreaper and every sandbox process carries a token, so setsid and double forks do not
escape). It does not hide the file system or the network: that is the bubblewrap layer
(``BwrapSandbox``, a subclass that only changes how the child is started).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from grader._sandbox import _tree
from grader._sandbox._base import Job, Plan, Running, RunResult, Sandbox, SubmissionError

HERE = Path(__file__).resolve().parent
HARNESS = HERE / "_harness.py"
DRIVER = HERE / "_driver.py"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
MAX_CPU_S = 660  # backstops only: the per-exercise limits are set by the harness itself
MAX_AS_MB = 24 << 10
MAX_FILE_MB = 256
STATUSES = {"ok", "error", "syntax", "missing", "forbidden", "memory"}


def _env(token: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in THREAD_VARS if k in os.environ}
    env[_tree.TOKEN_VAR] = token  # finds the tree's processes wherever they go (not a secret)
    for k in THREAD_VARS:
        env.setdefault(k, "1")  # one thread: deterministic sums and no oversubscription
    env["PYTHONHASHSEED"] = "0"
    env["LANG"] = "C.UTF-8"
    return env


def _outer_limits() -> None:
    """Backstop limits set between fork and exec; the harness lowers them per exercise before
    it imports the submission (it knows what numpy and torch mapped by then)."""
    resource.setrlimit(resource.RLIMIT_CPU, (MAX_CPU_S, MAX_CPU_S + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MAX_AS_MB << 20, MAX_AS_MB << 20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_MB << 20, MAX_FILE_MB << 20))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _head(f, cap: int) -> str:
    f.seek(0)
    data = f.read(cap + 1)
    text = data[:cap].decode("utf-8", "replace")
    return text + ("\n… (output cut)" if len(data) > cap else "")


class ProcessRunning(Running):
    """Starts the harness at once (it imports numpy while the grader loads the exercise);
    a subclass that needs the job to build its command sets ``defer`` and spawns in configure."""

    defer = False

    def __init__(self, source: str, level: str):
        self.level = level
        self.job: Job | None = None
        self.proc: subprocess.Popen | None = None
        self.ctrl = -1
        self.token = _tree.new_token()
        self.t0 = time.perf_counter()
        self.dir = Path(tempfile.mkdtemp(prefix="mlprep-grade-"))
        (self.dir / "job" / "in").mkdir(parents=True)
        (self.dir / "out").mkdir()
        (self.dir / "submission.py").write_text(source, encoding="utf-8")
        shutil.copyfile(HARNESS, self.dir / "_harness.py")
        shutil.copyfile(DRIVER, self.dir / "_driver.py")
        self.stdout = tempfile.TemporaryFile()  # noqa: SIM115 - closed in cancel()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115
        if not self.defer:
            self._spawn(None)

    def _prefix(self, job: Job | None) -> tuple[list[str], list[int]]:
        """The command wrapping the interpreter, and fds it needs open (none here)."""
        return [], []

    def _spawn(self, job: Job | None) -> None:
        _tree.become_subreaper()
        prefix, extra_fds = self._prefix(job)
        read_fd, self.ctrl = os.pipe()
        self.proc = subprocess.Popen(
            [
                *prefix,
                sys.executable,
                "-I",
                "-B",
                str(self.dir / "_harness.py"),
                str(self.dir),
                str(read_fd),
            ],
            cwd=self.dir,
            env=_env(self.token),
            stdin=subprocess.DEVNULL,
            stdout=self.stdout,
            stderr=self.stderr,
            pass_fds=(read_fd, *extra_fds),
            start_new_session=True,
            preexec_fn=_outer_limits,
            close_fds=True,
        )
        for fd in (read_fd, *extra_fds):
            os.close(fd)

    def configure(self, job: Job) -> None:
        self.job = job
        if self.proc is None:
            self._spawn(job)
        self.t_limit = time.perf_counter()  # the time limit counts from here
        self._send(json.dumps(job.header()).encode() + b"\n")

    def _send(self, data: bytes) -> None:
        with contextlib.suppress(OSError):  # the child is gone already (it crashed): no one reads
            os.write(self.ctrl, data)

    def finish(self, plan: Plan, meanwhile: Callable[[], None] | None = None) -> RunResult:
        import numpy as np

        assert self.job is not None, "configure() first"
        try:
            offsets: dict[str, int] = {}
            with open(self.dir / "job" / "in.npys", "wb") as f:
                for name, arr in plan.arrays.items():
                    offsets[name] = f.tell()
                    np.lib.format.write_array(f, np.asarray(arr), allow_pickle=False)
            plan_json = json.dumps({"steps": plan.steps, "arrays": offsets})
            (self.dir / "job" / "plan.json").write_text(plan_json)
            self._send(b"go")
            os.close(self.ctrl)
            self.ctrl = -1
            if meanwhile is not None:
                meanwhile()
            timed_out = self._wait()
            return self._collect(timed_out)
        finally:
            self.cancel()

    def _wait(self) -> bool:
        """Block until the child ends or the wall clock runs out (a timer kills the group)."""
        assert self.job is not None
        remaining = self.job.limits.time_s - (time.perf_counter() - self.t_limit)
        fired = threading.Event()

        def expire() -> None:
            fired.set()
            self._killpg()

        timer = threading.Timer(max(remaining, 0.1), expire)
        timer.start()
        try:  # blocking, no polling latency; WNOWAIT: not reaped, so its pid cannot be reused
            os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOWAIT)  # before the tree is killed
        finally:
            timer.cancel()
            timer.join()
        return fired.is_set()

    def _collect(self, timed_out: bool) -> RunResult:
        self._kill()
        cap = self.job.limits.output_kb * 1024
        return run_result(
            self.dir / "out",
            self._signalled(self.proc.returncode),
            timed_out,
            _head(self.stdout, cap).replace(str(self.dir) + os.sep, ""),  # paths as the learner's
            _head(self.stderr, cap).replace(str(self.dir) + os.sep, ""),
            self.job.limits.time_s,
            self.t0,
            self.level,
        )

    def _signalled(self, rc: int | None) -> int | None:
        """The exit status as Popen reports it: negative for a signal."""
        return rc

    def _killpg(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        _tree.kill_tree(self.proc.pid, self.token)

    def _kill(self) -> None:
        self._killpg()
        self.proc.wait()

    def cancel(self) -> None:
        if self.ctrl >= 0:
            os.close(self.ctrl)
            self.ctrl = -1
        if self.proc is not None and self.proc.returncode is None:
            self._kill()
        elif self.proc is not None:  # reaped already: only the token finds what it left
            _tree.kill_tree(None, self.token)
        self.stdout.close()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class ProcessSandbox(Sandbox):
    """A child process with rlimits, a clean environment and a temp dir; see the module doc."""

    level = "process"

    def start(self, source: str) -> ProcessRunning:
        return ProcessRunning(source, self.level)


def run_result(
    out: Path,
    rc: int | None,
    timed_out: bool,
    stdout: str,
    stderr: str,
    time_s: float,
    t0: float,
    level: str,
) -> RunResult:
    """The run's result from what the sandbox left in ``out`` (untrusted, validated) and how the
    process ended (negative rc: killed by that signal). The exit code alone never says "ok":
    it takes a complete manifest *and* a clean exit."""
    from grader._sandbox._decode import _error, decode_steps, read_manifest, read_steps

    # a submission that swapped its output folder for a link (to another learner's outputs, to
    # a host folder) gets nothing read through it; its processes are all dead by now
    refused = out.is_symlink() or out.parent.is_symlink()
    data = {} if refused else read_manifest(out) or {}
    raw_status = data.get("status")
    if timed_out or rc == -signal.SIGXCPU:
        status = "timeout"
    elif raw_status in STATUSES and (raw_status != "ok" or rc == 0):
        status = raw_status
    else:
        status = "crashed"
    result = RunResult(
        status=status,
        steps={} if refused else decode_steps(read_steps(out), out),
        error=_error(data.get("error")),
        missing=[str(m)[:80] for m in data.get("missing", [])][:20]
        if isinstance(data.get("missing"), list)
        else [],
        forbidden=[str(m)[:80] for m in data.get("forbidden", [])][:20]
        if isinstance(data.get("forbidden"), list)
        else [],
        stdout=stdout,
        stderr=stderr,
        duration_s=time.perf_counter() - t0,
        level=level,
    )
    if status == "crashed":
        why = f"killed by signal {-rc}" if rc is not None and rc < 0 else f"exit code {rc}"
        if "MemoryError" in result.stderr or rc == -signal.SIGKILL:  # OOM killer
            result.status = "memory"
        result.error = SubmissionError("Crash", f"the process ended early ({why})")
    elif status == "timeout":
        result.error = SubmissionError("Timeout", f"no result within {time_s:g} s")
    return result
