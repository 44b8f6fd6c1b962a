"""The corpus: buggy submissions fail with the right diagnosis; correct variants all pass.

Each file in corpus/<exercise>/ starts with ``# expect: <diagnosis id>``, ``# expect: pass`` or
``# expect: status:<status>``. A fixed seed keeps failures reproducible; the property that must
hold for every seed is checked by test_seeds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader._diagnose._catalog import BY_ID

CORPUS = Path(__file__).with_name("corpus")
FILES = sorted(CORPUS.glob("*/*.py"))


def expectation(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ").strip()


def test_the_corpus_is_large_and_every_expected_diagnosis_exists():
    diagnosed = [p for p in FILES if expectation(p) not in ("pass",) and ":" not in expectation(p)]
    assert len(diagnosed) >= 40
    for p in diagnosed:
        assert expectation(p) in BY_ID, p


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_corpus_submission(path: Path, grader_bank, reference):
    from grader import grade

    expect = expectation(path)
    result = grade(path.parent.name, path, seed=1234)
    if expect == "pass":
        failing = [(c.id, c.message) for c in result.checks if not c.passed]
        assert result.status == "passed", failing
        assert result.score == 1.0
        return
    assert result.status != "passed"
    if expect.startswith("status:"):
        assert result.status == expect.removeprefix("status:"), result.message
        return
    found = {c.diagnosis for c in result.checks if not c.passed}
    assert expect in found, [(c.id, c.diagnosis, c.message) for c in result.checks if not c.passed]
    wrong = found - {expect, None}
    assert not wrong, f"also diagnosed as {wrong}"
