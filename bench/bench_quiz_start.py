"""How long until ``mlprep quiz`` shows its first question, against ``import pydantic, rich, click``.

Target: the first question appears within 2x the baseline, on the same machine in the same run.
Everything is timed as a fresh process, from spawn to the moment the quiz's first answer prompt
reaches its stdout (``--cram``, so a question is always there); the baseline and the references
to their exit. Rounds interleave all measurements so a busy machine slows them alike; medians.

Reported beside the ratio, to say where the time goes:
- ``from pydantic import BaseModel; from rich.console import Console``: ``import pydantic`` and
  ``import rich`` are lazy facades, so the baseline pays for neither library's real machinery.
- content import + load_bank alone: what loading the bank costs before quiz code runs (as the
  quiz loads it: records from the content cache, no pydantic on a warm cache); quiz minus this is
  the quiz's own cost.
- in-process split of one run: imports, ``load_bank``, opening the progress file + queue.

Banks: the repository's bank; N renamed copies of its questions with a progress file holding a
card for each (warm content cache); the same without the content cache (a first run: YAML parsed,
pydantic validation, Markdown parsed with markdown-it since no parsed tree is cached either).
"Warm" means a run after the first on this machine: the content cache holds the validated entries
and the parsed Markdown of what earlier sessions showed or prefetched.

    python bench/bench_quiz_start.py [--runs 9] [--copies 2]
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
FLOOR = "import mlprep.cli, mlprep.content; mlprep.content.load_bank(records=True)"


def timed(code: str, env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run([PY, "-c", code], check=True, env=env, cwd=REPO)
    return time.perf_counter() - t0


def baseline() -> float:
    return timed(BASELINE)


def first_question(env: dict[str, str]) -> float:
    """Seconds from spawn until the first answer prompt is printed."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-m", "mlprep", "quiz", "--cram"],  # progress and caches where a user's are
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


def warm_up(env: dict[str, str]) -> None:
    """One session quit at its first prompt, as a learner would (the timed runs are killed at the
    prompt, so they never get to store the Markdown they parsed: only a run that ends does)."""
    subprocess.run(
        [PY, "-m", "mlprep", "quiz", "--cram"],
        input=b"q\n",
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )


def breakdown(env: dict[str, str]) -> tuple[float, float, float, int]:
    """In one process: seconds for imports, load_bank, store+queue; and the bank's size."""
    code = """
import time
t0 = time.perf_counter()
import mlprep.cli, mlprep.content, mlprep.cli._quiz, mlprep.quiz, mlprep._render, mlprep._mdterm
import rich.console, rich.table
t1 = time.perf_counter()
bank = mlprep.content.load_bank(records=True)
t2 = time.perf_counter()
from mlprep.quiz import open_store, build_queue, matching, utc_now
with open_store() as s:
    q = build_queue(matching(bank), s.cards(), utc_now(), count=20, new=10, cram=True)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, len(bank.questions))
"""
    out = subprocess.run([PY, "-c", code], env=env, cwd=REPO, capture_output=True, text=True)
    a, b, c, n = out.stdout.split()
    return float(a), float(b), float(c), int(n)


def reviewed(env: dict[str, str]) -> None:
    """The user's progress file: every question of the bank reviewed once."""
    code = """
from fsrs import Rating
from mlprep.content import load_bank
from mlprep.quiz import Reviewer, open_store
bank = load_bank()
with open_store() as store:
    r = Reviewer(store, "en")
    for q in bank.questions.values():
        r.rate(q, Rating.Good)
"""
    subprocess.run([PY, "-c", code], env=env, cwd=REPO, check=True)


def ms(seconds: float) -> str:
    return f"{1e3 * seconds:6.0f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--copies", type=int, default=2)
    args = ap.parse_args()
    # PYTHONDONTWRITEBYTECODE (set on some machines) would make every run compile mlprep's modules
    # from source, while pydantic, rich and click load the .pyc files pip wrote when it installed
    # them: not what a user pays from the second run on
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    tmp = Path(tempfile.mkdtemp(prefix="mlprep-bench-"))
    try:
        big = synthetic_bank(tmp / "big", args.copies)
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("MLPREP_")}

        def home(name: str, bank: Path) -> dict[str, str]:
            """A user's default places (platformdirs: XDG folders), so their cost is counted."""
            xdg = {"XDG_CACHE_HOME": str(tmp / name / "cache"), "XDG_DATA_HOME": str(tmp / name)}
            return {**base_env, **xdg, "MLPREP_BANK": str(bank)}

        repo_env = home("repo", REPO)
        big_env = home("big", big)
        cold_env = {**big_env, "MLPREP_NO_CACHE": "1"}
        n = len(list((big / "questions").rglob("*-copy-*.yaml")))
        cases = {  # name -> (environment, progress file)
            "repo bank, new learner": repo_env,
            f"{n}-question bank, warm cache, {n} cards": big_env,
            f"{n}-question bank, no content cache": cold_env,
        }
        reviewed(big_env)
        for env in (repo_env, big_env):  # a first session that ends normally: warm caches, .pyc
            warm_up(env)
        # rounds interleave every measurement, so a busy machine slows all of them alike
        times: dict[str, list[float]] = {"base": [], "used": []}
        for name in cases:
            times[name], times[name + "/floor"], times[name + "/parts"] = [], [], []
        for _ in range(args.runs):
            times["base"].append(baseline())
            times["used"].append(timed(USED))
            for name, env in cases.items():
                times[name + "/floor"].append(timed(FLOOR, env))
                times[name].append(first_question(env))
                times[name + "/parts"].append(breakdown(env))  # type: ignore[arg-type]
        base = statistics.median(times["base"])
        used = statistics.median(times["used"])
        load = os.getloadavg()[0]
        print(
            f"{args.runs} interleaved rounds, medians; load average {load:.1f}, {os.cpu_count()} CPUs"
        )
        print(f"baseline  python -c '{BASELINE}': {ms(base)}")
        print(f"  reference '{USED}': {ms(used)} ({used / base:.2f}x)")
        for name in cases:
            t = statistics.median(times[name])
            floor = statistics.median(times[name + "/floor"])
            parts = times[name + "/parts"]
            imp, load_bank, store = (statistics.median(p[i] for p in parts) for i in range(3))
            print(f"quiz first question, {name}: {ms(t)}  ratio {t / base:.2f}x")
            print(
                f"    content import + load_bank alone (no quiz code): {ms(floor)} ({floor / base:.2f}x)"
            )
            print(
                f"    in-process: imports {ms(imp)}, load_bank {ms(load_bank)}, store+queue {ms(store)}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
