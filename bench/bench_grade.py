"""How long does a cold ``mlprep grade batchnorm-backward sol.py`` take, against ``import numpy``?

Target (issue 4): at most 4x a bare ``python -c "import numpy"`` on the same machine. Both are
timed as a user pays them: fresh interpreters, median of several runs, interleaved so that load
on the machine hits both alike. The content cache is warmed once first (a learner's second run
onwards); the very first, cache-cold run is printed separately.

Bytecode: an installed mlprep has its modules compiled (pip writes the .pyc files, and so does
a checkout's first run), as numpy has. The headline ratio is timed that way: the grade runs get
a bytecode cache of their own (PYTHONPYCACHEPREFIX, filled by the warm-up run), whatever
PYTHONDONTWRITEBYTECODE says here. The same command without any bytecode cache (every mlprep
and grader module compiled on every run, which no user pays) is timed in the same loop and
printed too, for comparison with figures taken that way.

    python bench/bench_grade.py [--runs 7] [--exercise batchnorm-backward]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"{cmd} failed ({proc.returncode}):\n{proc.stdout.decode()}{proc.stderr.decode()}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--exercise", default="batchnorm-backward")
    args = ap.parse_args()
    solution = REPO / "reference" / "solutions" / (args.exercise.replace("-", "_") + ".py")
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as pyc:
        env = {**os.environ, "MLPREP_CACHE_DIR": cache, "PYTHONPATH": str(REPO)}
        env.pop("MLPREP_BANK", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        compiled = {**env, "PYTHONPYCACHEPREFIX": pyc}
        uncached = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
        uncached.pop("PYTHONPYCACHEPREFIX", None)
        grade = [
            sys.executable,
            "-m",
            "mlprep",
            "grade",
            args.exercise,
            str(solution),
            "--seed",
            "1",
        ]
        numpy = [sys.executable, "-c", "import numpy"]
        first = timed(grade, compiled)  # fills the content cache and the bytecode cache
        g, u, n = [], [], []
        for _ in range(args.runs):
            n.append(timed(numpy, env))
            g.append(timed(grade, compiled))
            u.append(timed(grade, uncached))
    med_g, med_u, med_n = statistics.median(g), statistics.median(u), statistics.median(n)
    name = f"mlprep grade {args.exercise}"
    print(f"{'python -c import numpy':<34} median {med_n * 1000:7.1f} ms  ({args.runs} runs)")
    print(f"{name:<34} median {med_g * 1000:7.1f} ms  ({args.runs} runs)")
    print(f"  first run (empty content and bytecode caches) {first * 1000:7.1f} ms")
    print(f"  no bytecode cache (every module compiled)     {med_u * 1000:7.1f} ms  (median)")
    print(f"ratio grade / import numpy: {med_g / med_n:.2f}  (target <= 4)")
    print(f"  without any bytecode cache: {med_u / med_n:.2f}")


if __name__ == "__main__":
    main()
