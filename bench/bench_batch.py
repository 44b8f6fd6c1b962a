"""What does one submission cost in a batch, against one cold single grade?

Target (issue 5): in a batch of 200, the cost per submission is at most 1/5 of one cold single
grade on the same machine. Both are measured in this run, the way a user pays them: the single
grade is ``mlprep grade EXERCISE FILE`` in a fresh interpreter (median of several runs, content
cache warm, as after any first use); the batch is ``mlprep grade EXERCISE DIR --jobs N`` over a
class of copies of the reference solution and of the starter (half passing, half failing), in
one fresh interpreter, start-up included. The sandbox level is printed: both use the same one.

    python bench/bench_batch.py [--n 200] [--jobs 2] [--runs 3] [--exercise batchnorm-forward]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _mlprep(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "mlprep", "grade", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    return time.perf_counter() - t0, r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--exercise", default="batchnorm-forward")
    a = ap.parse_args()
    solution = REPO / "reference" / "solutions" / (a.exercise.replace("-", "_") + ".py")
    starter = REPO / "exercises" / a.exercise / "starter.py"
    with tempfile.TemporaryDirectory(prefix="mlprep-bench-") as d:
        klass = Path(d) / "class"
        klass.mkdir()
        for i in range(a.n):
            shutil.copyfile(solution if i % 2 == 0 else starter, klass / f"learner{i:04d}.py")
        _mlprep(a.exercise, str(solution))  # fills the content cache, as any earlier use does
        singles = []
        level = "?"
        for _ in range(a.runs):
            t, r = _mlprep(a.exercise, str(solution), "--format", "json", "--seed", "1")
            assert r.returncode == 0, r.stderr
            level = json.loads(r.stdout)["sandbox"]
            singles.append(t)
        cold = statistics.median(singles)
        t_batch, r = _mlprep(
            a.exercise, str(klass), "--jobs", str(a.jobs), "--format", "json", "--seed", "1"
        )
        results = [json.loads(line) for line in r.stdout.splitlines()]
        assert len(results) == a.n, r.stderr[-2000:]
        passed = sum(x["passed"] for x in results)
        assert passed == (a.n + 1) // 2, f"{passed} passed: the batch graded wrongly"
        levels = {x["sandbox"] for x in results}
    per = t_batch / a.n
    print(f"exercise {a.exercise}, sandbox {level} (single) / {', '.join(sorted(levels))} (batch)")
    print(f"cold single grade:      {cold * 1000:8.1f} ms  (median of {a.runs}, fresh interpreter)")
    print(f"batch of {a.n}, --jobs {a.jobs}: {t_batch:8.2f} s total, start-up included")
    print(f"per submission:         {per * 1000:8.1f} ms")
    print(f"ratio per-submission / cold single: {per / cold:.3f}  (target <= 0.200)")


if __name__ == "__main__":
    main()
