"""grader.grade_batch: the public batch entry point uses the pooled workers and keeps order."""

from __future__ import annotations

import shutil
from pathlib import Path

import grader

REPO = Path(__file__).resolve().parents[2]


def test_grade_batch_keeps_order_and_isolates(tmp_path: Path) -> None:
    good = tmp_path / "a_good.py"
    shutil.copy(REPO / "reference" / "solutions" / "batchnorm_forward.py", good)
    starter = tmp_path / "b_starter.py"
    shutil.copy(REPO / "exercises" / "batchnorm-forward" / "starter.py", starter)
    crash = tmp_path / "c_crash.py"
    crash.write_text("import os\nos.abort()\n", "utf-8")
    results = grader.grade_batch("batchnorm-forward", [good, starter, crash, good], jobs=2, seed=7)
    assert [r.passed for r in results] == [True, False, False, True]
    assert results[2].status != "passed" and all(r.seed == 7 for r in results)
