"""How long does loading a bank of 10,000 entries take, cold (no cache) and warm (cache filled)?

Target (issue 2): warm load under 1 s. Each figure is the median of several runs in fresh
interpreters, so import costs are included as a user would pay them; the baseline is a bare
interpreter that only imports the loader, measured in the same run.

    python bench/bench_bank_load.py [--entries 10000] [--runs 5]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._bankgen import make_bank  # noqa: E402

LOAD = "from mlprep.content import load_bank; b = load_bank(); assert len(b.questions) == {n}"
IMPORT_ONLY = "from mlprep.content import load_bank"


def timed(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = make_bank(Path(tmp) / "bank", args.entries)
        cache = Path(tmp) / "cache"
        env = {
            **os.environ,
            "MLPREP_BANK": str(root),
            "MLPREP_CACHE_DIR": str(cache),
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        code = LOAD.format(n=args.entries)
        cold = timed(code, {**env, "MLPREP_NO_CACHE": "1"})
        timed(code, env)  # fills the cache
        warm = statistics.median(timed(code, env) for _ in range(args.runs))
        base = statistics.median(timed(IMPORT_ONLY, env) for _ in range(args.runs))
    print(f"entries:                 {args.entries}")
    print(f"import only (baseline):  {base:.3f} s")
    print(f"cold load (no cache):    {cold:.3f} s")
    print(f"warm load (cache):       {warm:.3f} s   (target < 1 s)")
    print(f"warm load minus import:  {warm - base:.3f} s")
    print(f"cold / warm:             {cold / warm:.1f}x")


if __name__ == "__main__":
    main()
