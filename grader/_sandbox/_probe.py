"""Pick the strongest sandbox that works here, once per process.

``MLPREP_SANDBOX`` overrides the choice: ``process`` forces the plain-process layer (to test it,
or where namespaces misbehave); ``bwrap`` demands bubblewrap and fails loudly without it.
The probe starts the real command line (same binds, same seccomp filter) on a trivial program
and checks that it ran as the unprivileged uid: a half-working bwrap (no user namespaces in a
container) must not be taken for a sandbox.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader._sandbox._base import Sandbox

ENV_VAR = "MLPREP_SANDBOX"


@dataclass(frozen=True)
class Probe:
    level: str  # "bwrap+seccomp", "bwrap" or "process"
    reason: str  # why not stronger (empty when bwrap works)


@functools.cache
def probe() -> Probe:
    if not sys.platform.startswith("linux"):
        return Probe("process", f"bubblewrap needs Linux (this is {sys.platform})")
    from grader._sandbox import _bwrap, _seccomp

    if _bwrap.bwrap_path() is None:
        return Probe("process", "bwrap is not installed")
    with tempfile.TemporaryDirectory(prefix="mlprep-probe-") as d:
        fd = _seccomp.program_fd()
        argv = _bwrap.bwrap_argv(Path(d), ("numpy",), fd)
        code = "import os, socket; print(os.getuid())"
        try:
            r = subprocess.run(
                [*argv, sys.executable, "-I", "-S", "-c", code],
                pass_fds=() if fd is None else (fd,),
                capture_output=True,
                text=True,
                timeout=20,
                env={},
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Probe("process", f"bwrap did not start: {exc}")
        finally:
            if fd is not None:
                os.close(fd)
    if r.returncode != 0 or r.stdout.strip() != str(_bwrap.NOBODY):
        why = (r.stderr.strip().splitlines() or [f"exit code {r.returncode}"])[-1]
        return Probe("process", f"bwrap does not work here: {why[:200]}")
    return Probe(_bwrap.level(), "")


def default_sandbox(kind: str | None = None) -> Sandbox:
    """The sandbox to grade with: ``kind`` (or ``$MLPREP_SANDBOX``) or the strongest probed."""
    from grader._sandbox._process import ProcessSandbox

    kind = kind or os.environ.get(ENV_VAR) or "auto"
    if kind == "process":
        return ProcessSandbox()
    p = probe()
    if p.level == "process":
        if kind == "bwrap":
            from mlprep._errors import GradingError

            raise GradingError(f"{ENV_VAR}=bwrap but {p.reason}")
        return ProcessSandbox()
    from grader._sandbox._bwrap import BwrapSandbox

    return BwrapSandbox()
