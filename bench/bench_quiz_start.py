"""How long until ``mlprep quiz`` shows its first question, against ``import pydantic, rich, click``.

Target: the first question appears within 2x the baseline, measured on the same machine in the
same run. Both are timed as fresh processes from spawn to the moment the quiz's first answer
prompt reaches its stdout (the baseline: to process exit). Several runs each; medians reported.

Banks: the repository's bank, and a synthetic bank of N copies of its questions (renamed ids), with
a warm content cache (the usual case: the loader caches validated entries) and a cold one.
A breakdown in-process (imports, bank load, FSRS + store) says where the time goes.

    /work/venv/bin/python bench/bench_quiz_start.py [--runs 7] [--copies 300]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
PROMPT = re.compile(rb"(Your answer|Rate your recall|Which statements)[^\n]*> ")


BASELINE = "import pydantic, rich, click"
# `import pydantic` and `import rich` are lazy facades: using BaseModel or a Console costs more
USED = "from pydantic import BaseModel; from rich.console import Console; import click"
# what any command that loads the bank pays before quiz code runs (content package + load_bank)
FLOOR = "import mlprep.cli, mlprep.content; mlprep.content.load_bank()"


def timed(code: str, env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run([PY, "-c", code], check=True, env=env, cwd=REPO)
    return time.perf_counter() - t0


def baseline() -> float:
    return timed(BASELINE)


def first_question(env: dict[str, str], db: Path) -> float:
    """Seconds from spawn until the first answer prompt is printed."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-m", "mlprep", "quiz", "--db", str(db), "--cram"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    assert proc.stdout is not None
    seen = b""
    while not PROMPT.search(seen):
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"quiz ended before its first prompt:\n{seen.decode()}\n{err}")
        seen += chunk
    elapsed = time.perf_counter() - t0
    proc.kill()
    proc.wait()
    return elapsed


def synthetic_bank(root: Path, copies: int) -> Path:
    """``copies`` renamed copies of every question in the repository's bank."""
    (root / "questions" / "bench").mkdir(parents=True)
    shutil.copy(REPO / "questions" / "_bank.yaml", root / "questions" / "_bank.yaml")
    sources = [p for p in (REPO / "questions").rglob("*.yaml") if not p.name.startswith("_")]
    for i in range(copies):
        for src in sources:
            qid = f"{src.stem}-copy-{i:04d}"
            text = src.read_text("utf-8").replace(f"id: {src.stem}\n", f"id: {qid}\n", 1)
            (root / "questions" / "bench" / f"{qid}.yaml").write_text(text, "utf-8")
    return root


def breakdown(env: dict[str, str]) -> str:
    code = r"""
import time
t0 = time.perf_counter()
import mlprep.cli, mlprep.content, mlprep.quiz, mlprep._render, rich.markdown
t1 = time.perf_counter()
bank = mlprep.content.load_bank()
t2 = time.perf_counter()
import tempfile, pathlib
from mlprep.quiz import open_store, build_queue, matching, utc_now
with open_store(pathlib.Path(tempfile.mkdtemp()) / "p.db") as s:
    q = build_queue(matching(bank), s.cards(), utc_now(), count=20, new=10)
t3 = time.perf_counter()
print(f"imports {1e3*(t1-t0):.0f} ms, load_bank {1e3*(t2-t1):.0f} ms "
      f"({len(bank.questions)} questions), store+queue {1e3*(t3-t2):.0f} ms")
"""
    out = subprocess.run([PY, "-c", code], env=env, cwd=REPO, capture_output=True, text=True)
    return out.stdout.strip() or out.stderr.strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--copies", type=int, default=300)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mlprep-bench-"))
    try:
        big = synthetic_bank(tmp / "big", args.copies)
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("MLPREP_")}
        cases = {
            "repo bank": {
                **base_env,
                "MLPREP_BANK": str(REPO),
                "MLPREP_CACHE_DIR": str(tmp / "c1"),
            },
            f"{args.copies}x bank, warm cache": {
                **base_env,
                "MLPREP_BANK": str(big),
                "MLPREP_CACHE_DIR": str(tmp / "c2"),
            },
        }
        for env in cases.values():  # warm the content cache and the .pyc files
            first_question(env, tmp / "warm.db")
        cold_env = {**base_env, "MLPREP_BANK": str(big), "MLPREP_NO_CACHE": "1"}
        base = statistics.median(baseline() for _ in range(args.runs))
        used = statistics.median(timed(USED) for _ in range(args.runs))
        load = os.getloadavg()[0]
        print(f"median of {args.runs} runs each; load average {load:.1f} on {os.cpu_count()} CPUs")
        print(f"baseline  python -c '{BASELINE}': {1e3 * base:6.0f} ms")
        print(f"  for reference: '{USED}': {1e3 * used:6.0f} ms ({used / base:.2f}x)")
        for name, env in cases.items():
            floor = statistics.median(timed(FLOOR, env) for _ in range(args.runs))
            t = statistics.median(first_question(env, tmp / f"{i}.db") for i in range(args.runs))
            print(f"quiz first question, {name:<24}: {1e3 * t:6.0f} ms  ratio {t / base:.2f}x")
            print(
                f"    content import + load_bank alone: {1e3 * floor:6.0f} ms ({floor / base:.2f}x)"
            )
            print(f"    breakdown: {breakdown(env)}")
        t = statistics.median(first_question(cold_env, tmp / f"cold{i}.db") for i in range(3))
        print(
            f"quiz first question, {args.copies}x bank, no cache    : {1e3 * t:6.0f} ms  ratio {t / base:.2f}x (median of 3)"
        )
        print(f"    breakdown: {breakdown(cold_env)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
