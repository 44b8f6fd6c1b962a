"""``ProcessSandbox``: the submission runs in a child process the grader controls.

Isolation it gives: a fresh temp working dir holding only the submission and the trusted harness
and driver; an empty environment (thread-count variables excepted); ``python -I`` (no user site,
no PYTHON* variables, script dir not on sys.path); stdin closed; a new session so the whole
process group is killed at the end; rlimits set before exec (CPU seconds, address space, file
size, open files, no core dumps); stdout/stderr captured to files and read back up to a cap; a
wall-clock timeout. It does not hide the file system or the network: that is the bubblewrap layer.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader._sandbox._base import Job, Limits, Plan, Running, RunResult, Sandbox, SubmissionError
from grader._sandbox._decode import _error, decode_steps, read_manifest

HERE = Path(__file__).resolve().parent
HARNESS = HERE / "_harness.py"
DRIVER = HERE / "_driver.py"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Address space the libraries themselves map before the submission allocates anything
# (measured: numpy + OpenBLAS ~0.4 GiB of mappings, torch ~2.5 GiB); the exercise's memory_mb
# comes on top of it.
BASE_AS_MB = {False: 1024, True: 4096}
MAX_FILE_MB = 256
STATUSES = {"ok", "error", "syntax", "missing", "forbidden", "memory"}


def _env() -> dict[str, str]:
    env = {k: os.environ[k] for k in THREAD_VARS if k in os.environ}
    for k in THREAD_VARS:
        env.setdefault(k, "1")  # one thread: deterministic sums and no oversubscription
    env["PYTHONHASHSEED"] = "0"
    env["LANG"] = "C.UTF-8"
    return env


def _limiter(limits: Limits, torch: bool):
    cpu = int(limits.time_s) + 1
    address = (BASE_AS_MB[torch] + limits.memory_mb) << 20

    def preexec() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (address, address))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_MB << 20, MAX_FILE_MB << 20))
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return preexec


def _head(f, cap: int) -> str:
    f.seek(0)
    data = f.read(cap + 1)
    text = data[:cap].decode("utf-8", "replace")
    return text + ("\n… (output cut)" if len(data) > cap else "")


class ProcessRunning(Running):
    def __init__(self, job: Job, level: str):
        self.job = job
        self.level = level
        self.t0 = time.perf_counter()
        self.dir = Path(tempfile.mkdtemp(prefix="mlprep-grade-"))
        (self.dir / "job" / "in").mkdir(parents=True)
        (self.dir / "out").mkdir()
        shutil.copyfile(job.submission, self.dir / "submission.py")
        shutil.copyfile(HARNESS, self.dir / "_harness.py")
        shutil.copyfile(DRIVER, self.dir / "_driver.py")
        header = {
            "submission": "submission.py",
            "driver": "_driver.py",
            "entry_points": list(job.entry_points),
            "allowed": list(job.allowed_imports),
            "torch": job.torch,
        }
        import json

        (self.dir / "job" / "header.json").write_text(json.dumps(header))
        self.stdout = tempfile.TemporaryFile()
        self.stderr = tempfile.TemporaryFile()
        read_fd, self.ctrl = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-B", str(self.dir / "_harness.py"), str(self.dir), str(read_fd)],
            cwd=self.dir,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=self.stdout,
            stderr=self.stderr,
            pass_fds=(read_fd,),
            start_new_session=True,
            preexec_fn=_limiter(job.limits, job.torch),
            close_fds=True,
        )
        os.close(read_fd)

    def finish(self, plan: Plan) -> RunResult:
        import numpy as np

        try:
            for name, arr in plan.arrays.items():
                np.save(self.dir / "job" / "in" / f"{name}.npy", arr, allow_pickle=False)
            import json

            (self.dir / "job" / "plan.json").write_text(json.dumps({"steps": plan.steps}))
            try:
                os.write(self.ctrl, b"go")
            except OSError:  # the child is gone already (syntax error, crash): nothing to send
                pass
            os.close(self.ctrl)
            self.ctrl = -1
            timed_out = self._wait()
            return self._collect(timed_out)
        finally:
            self.cancel()

    def _wait(self) -> bool:
        remaining = self.job.limits.time_s - (time.perf_counter() - self.t0)
        try:
            self.proc.wait(timeout=max(remaining, 0.1))
            return False
        except subprocess.TimeoutExpired:
            return True

    def _collect(self, timed_out: bool) -> RunResult:
        self._kill()
        cap = self.job.limits.output_kb * 1024
        rc = self.proc.returncode
        data = read_manifest(self.dir / "out") or {}
        raw_status = data.get("status")
        if timed_out or rc == -signal.SIGXCPU:
            status = "timeout"
        elif raw_status in STATUSES and (raw_status != "ok" or rc == 0):
            status = raw_status
        else:
            status = "crashed"
        result = RunResult(
            status=status,
            steps=decode_steps(data, self.dir / "out"),
            error=_error(data.get("error")),
            missing=[str(m)[:80] for m in data.get("missing", [])][:20]
            if isinstance(data.get("missing"), list)
            else [],
            forbidden=[str(m)[:80] for m in data.get("forbidden", [])][:20]
            if isinstance(data.get("forbidden"), list)
            else [],
            stdout=_head(self.stdout, cap),
            stderr=_head(self.stderr, cap),
            duration_s=time.perf_counter() - self.t0,
            level=self.level,
        )
        if status == "crashed":
            why = f"killed by signal {-rc}" if rc is not None and rc < 0 else f"exit code {rc}"
            if "MemoryError" in result.stderr or rc == -signal.SIGKILL:  # OOM killer
                result.status = "memory"
            result.error = SubmissionError("Crash", f"the process ended early ({why})")
        elif status == "timeout":
            result.error = SubmissionError(
                "Timeout", f"no result within {self.job.limits.time_s:g} s"
            )
        return result

    def _kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()

    def cancel(self) -> None:
        if self.ctrl >= 0:
            os.close(self.ctrl)
            self.ctrl = -1
        if self.proc.returncode is None:
            self._kill()
        self.stdout.close()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class ProcessSandbox(Sandbox):
    """A child process with rlimits, a clean environment and a temp dir; see the module doc."""

    level = "process"

    def start(self, job: Job) -> ProcessRunning:
        return ProcessRunning(job, self.level)
