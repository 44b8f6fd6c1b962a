"""Grader fixtures: a bank holding every exercise the grader has checks for.

When the repository's bank has the exercise, tests grade against it (the real exercise.yaml,
starter and trusted solution); an exercise not written yet gets a stand-in exercise.yaml here,
with the same entry points, so the machinery is tested either way.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
collect_ignore = ["corpus", "golden"]  # learner files, not tests
CORPUS = Path(__file__).with_name("corpus")

ENTRY_POINTS = {
    "batchnorm-forward": ["batchnorm_forward"],
    "batchnorm-backward": ["batchnorm_forward", "batchnorm_backward"],
    "spatial-batchnorm": ["spatial_batchnorm_forward", "spatial_batchnorm_backward"],
    "layernorm": ["layernorm_forward", "layernorm_backward"],
    "groupnorm": ["spatial_groupnorm_forward", "spatial_groupnorm_backward"],
    "bn-fold": ["fold_bn_into_conv"],
}

STAND_IN = """\
id: {id}
kind: numpy-function
tags: [batchnorm]
difficulty: medium
locales:
  en: {{title: {id}, statement: statement.en.md}}
entry_points: [{entry}]
allowed_imports: [numpy]
limits: {{time_s: 10, memory_mb: 512}}
"""


@pytest.fixture
def grader_bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(REPO / "questions", root / "questions")
    if (REPO / "exercises").is_dir():
        shutil.copytree(REPO / "exercises", root / "exercises")
    for xid, entry in ENTRY_POINTS.items():
        folder = root / "exercises" / xid
        if not (folder / "exercise.yaml").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "exercise.yaml").write_text(STAND_IN.format(id=xid, entry=", ".join(entry)))
            (folder / "statement.en.md").write_text(f"# {xid}\n")
    monkeypatch.setenv("MLPREP_BANK", str(root))
    return root


@pytest.fixture(scope="session")
def reference():
    return pytest.importorskip(
        "reference", reason="the reference implementations are not on this branch yet"
    )
