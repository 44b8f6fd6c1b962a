"""Small parts: submission reading, safe array loading, messages, the public surface."""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader._i18n import LOCALES, MESSAGES, TITLES
from grader._sandbox import Bad, load_npy
from grader._submission import read_submission

REPO = Path(__file__).resolve().parents[2]


def test_public_surface():
    import grader

    assert sorted(grader.__all__) == sorted(
        [
            "RESULT_VERSION",
            "CheckResult",
            "GradeResult",
            "Job",
            "ProcessSandbox",
            "RunResult",
            "Sandbox",
            "grade",
            "grade_batch",
            "render",
        ]
    )
    for name in grader.__all__:
        assert getattr(grader, name) is not None


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64, np.int64, np.bool_, np.complex128]),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=5),
    )
)
def test_numeric_arrays_round_trip(tmp_path_factory, arr):
    path = tmp_path_factory.mktemp("npy") / "o1.npy"
    np.save(path, arr, allow_pickle=False)
    back = load_npy(path)
    assert isinstance(back, np.ndarray) and back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)  # exact: a file round trip


def test_unsafe_or_broken_arrays_are_refused(tmp_path):
    obj = tmp_path / "o1.npy"
    np.save(obj, np.array([{}, 1], dtype=object), allow_pickle=True)
    assert isinstance(load_npy(obj), Bad)
    big = tmp_path / "o2.npy"
    np.save(big, np.zeros(1000))
    assert isinstance(load_npy(big, max_elements=10), Bad)
    short = tmp_path / "o3.npy"
    short.write_bytes(big.read_bytes()[:-8])
    assert isinstance(load_npy(short), Bad)
    (tmp_path / "o4.npy").write_bytes(b"not an array at all")
    assert isinstance(load_npy(tmp_path / "o4.npy"), Bad)
    (tmp_path / "o5.npy").symlink_to(big)
    assert isinstance(load_npy(tmp_path / "o5.npy"), Bad)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet=string.ascii_letters + " =%!()", max_size=12), max_size=4),
        min_size=1,
        max_size=5,
    )
)
def test_notebook_lines_map_back_to_their_cells(tmp_path_factory, cells):
    nb = {
        "cells": [{"cell_type": "code", "source": "\n".join(lines)} for lines in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path_factory.mktemp("nb") / "n.ipynb"
    path.write_text(json.dumps(nb))
    src = read_submission(path)
    code_lines = src.text.split("\n")
    for c, lines in enumerate(cells, start=1):
        if lines and lines[0].lstrip().startswith("%%"):
            continue
        for i, line in enumerate(lines, start=1):
            if line.lstrip().startswith(("%", "!")):
                continue
            start = next(s for s, n in src.lines.cells if n == c)
            assert src.lines.locate(start + i - 1) == (c, i)
            assert code_lines[start + i - 2] == line


def test_invalid_notebook_is_a_grading_error(tmp_path):
    from mlprep._errors import GradingError

    path = tmp_path / "x.ipynb"
    path.write_text("{not json")
    with pytest.raises(GradingError, match="not a valid Jupyter notebook"):
        read_submission(path)


def test_every_message_and_title_exists_in_every_locale_with_the_same_fields():
    for key, table in MESSAGES.items():
        assert set(table) == set(LOCALES), key
        fields = {f for _, f, _, _ in string.Formatter().parse(table["en"]) if f}
        for lang in LOCALES:
            assert {f for _, f, _, _ in string.Formatter().parse(table[lang]) if f} == fields
    for title, table in TITLES.items():
        assert set(table) == {"zh-Hans", "zh-Hant"}, title


def test_every_check_title_is_translated(reference):
    from grader._checks import Suite, spec_for
    from grader._checks._check import Check  # noqa: F401

    for xid in (
        "batchnorm-forward",
        "batchnorm-backward",
        "spatial-batchnorm",
        "layernorm",
        "groupnorm",
        "bn-fold",
        "bn-inference-fix",
        "syncbn-stats",
    ):
        suite = Suite()
        spec_for(xid).build(suite, np.random.default_rng(0))
        for c in suite.checks:
            base = c.title.removesuffix(" (alt)")
            assert base in TITLES, (xid, c.title)


def _texts(lang: str) -> list[str]:
    from grader._diagnose._catalog import MISTAKES
    from grader._report._text import LABELS

    out = [t[lang] for t in MESSAGES.values()] + [v[lang] for v in TITLES.values()]
    out += [" ".join(m.text[lang]) for m in MISTAKES] + list(LABELS[lang].values())
    return out


def test_zh_hant_messages_follow_the_glossary():
    """Same rule as tests/content/test_glossary.py: no forbidden rendering, once the preferred
    terms that contain one (平均值 contains 均值) are taken out."""
    import yaml

    glossary = yaml.safe_load((REPO / "questions" / "_glossary.yaml").read_text())["zh-Hant"]
    allowed = sorted(
        {*glossary["preferred"].values(), *glossary.get("allowed", [])}, key=len, reverse=True
    )
    for text in _texts("zh-Hant"):
        for bad in glossary["forbidden"]:
            cleaned = text
            for good in allowed:
                if bad in good:
                    cleaned = cleaned.replace(good, "\0")
            assert bad not in cleaned, (bad, text)


def test_chinese_messages_use_the_right_script():
    opencc = pytest.importorskip("opencc")
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    for text in _texts("zh-Hans"):
        assert t2s.convert(text) == text, text
    for text in _texts("zh-Hant"):
        assert s2t.convert(text) == text, text


def test_every_mistake_has_three_locales_and_a_real_question():
    from grader._diagnose._catalog import MISTAKES
    from mlprep.content import collect

    bank, _ = collect(REPO)
    linked = 0
    for m in MISTAKES:
        assert set(m.text) == set(LOCALES), m.id
        if m.question is not None:
            assert m.question in bank.questions, (m.id, m.question)
            linked += 1
    assert linked >= len(MISTAKES) - 6  # a few generic ones (dtype, in-place) have no question


def test_variants_with_no_knobs_agree_with_the_reference(reference):
    """The diagnosis library is the reference plus one mistake: with none, it is the reference."""
    from grader._diagnose._variants import Knobs, namespace

    v = namespace(Knobs())
    rng = np.random.default_rng(0)
    x, g, b, dout = (
        rng.normal(size=(9, 4)),
        rng.normal(size=4),
        rng.normal(size=4),
        rng.normal(size=(9, 4)),
    )
    p1, p2 = {"mode": "train"}, {"mode": "train"}
    o1, c1 = reference.batchnorm_forward(x, g, b, p1)
    o2, c2 = v.batchnorm_forward(x, g, b, p2)
    # rtol 1e-12: two float64 implementations of the same formulas, different summation order
    np.testing.assert_allclose(o1, o2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(p1["running_var"], p2["running_var"], rtol=1e-12)
    for a, bb in zip(
        reference.batchnorm_backward(dout, c1), v.batchnorm_backward(dout, c2), strict=True
    ):
        np.testing.assert_allclose(a, bb, rtol=1e-10, atol=1e-12)


def test_grading_a_numpy_exercise_never_imports_torch(reference):
    code = (
        "import sys\nfrom pathlib import Path\nfrom grader import grade\n"
        f"r = grade('batchnorm-backward', Path({str(REPO / 'reference/solutions/batchnorm_backward.py')!r}), seed=1)\n"
        "assert r.passed, r.message\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert out.stdout.strip() == "False"


def test_the_text_report_of_a_cold_grade_never_imports_pydantic(reference, tmp_path):
    """The CLI's default path renders a ``grader._record`` record: pydantic (~90 ms to import,
    a third of a cold grade) is left for json and the other document formats."""
    sol = REPO / "reference/solutions/batchnorm_backward.py"
    code = (
        "import sys\nfrom mlprep.cli import main\n"
        "try:\n"
        f"    main(['grade', 'batchnorm-backward', {str(sol)!r}, '--seed', '1'])\n"
        "except SystemExit as e:\n"
        "    print('exit', e.code)\n"
        "print('pydantic' in sys.modules, 'torch' in sys.modules)\n"
    )
    env = {**os.environ, "MLPREP_CACHE_DIR": str(tmp_path)}  # a warm exercise cache, as a
    env.pop("MLPREP_BANK", None)  # learner's second grade has: the first goes through the loader
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env
        )
    lines = out.stdout.strip().splitlines()
    assert "All checks passed" in out.stdout, out.stdout + out.stderr
    assert lines[-2:] == ["exit 0", "False False"], out.stdout + out.stderr


def test_bank_root_follows_the_loader(monkeypatch, tmp_path):
    from grader._exercise import bank_root
    from mlprep.content import default_root

    assert bank_root() == default_root()
    monkeypatch.setenv("MLPREP_BANK", str(tmp_path))
    assert bank_root() == default_root() == tmp_path


def test_exercise_cache_is_keyed_by_the_file(grader_bank):
    """A second load comes from the cache without the loader; an edit is seen at once."""
    import sys

    from grader._exercise import load_exercise

    first = load_exercise("batchnorm-forward")
    assert load_exercise("batchnorm-forward") == first
    path = grader_bank / "exercises" / "batchnorm-forward" / "exercise.yaml"
    text = path.read_text()
    path.write_text(text + "\n# edited\n")
    assert load_exercise("batchnorm-forward") == first  # same content, new bytes: reloaded, equal
    path.write_text("id: batchnorm-forward\nkind: nonsense\n")
    from mlprep._errors import ContentError

    with pytest.raises(ContentError):
        load_exercise("batchnorm-forward")
    assert "mlprep.content" in sys.modules  # the invalid file went through the loader


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
        elements=st.floats(-1e3, 1e3),
    ),
    st.floats(1e-12, 1e-3),
    st.data(),
)
def test_compare_finds_the_worst_element_and_respects_the_tolerance(want, atol, data):
    from grader._checks._compare import Tolerance, compare

    tol = Tolerance(atol=atol, measured=0.0)
    flat = data.draw(st.integers(0, want.size - 1))
    idx = np.unravel_index(flat, want.shape)
    inside = want.copy()
    inside[idx] += atol * 0.5
    assert compare("out", inside, want, tol) is None
    outside = want.copy()
    outside[idx] += atol * 4
    m = compare("out", outside, want, tol)
    assert m is not None and m.kind == "value"
    assert m.index == tuple(int(i) for i in idx)
    assert m.abs_err == pytest.approx(atol * 4, rel=1e-3, abs=1e-9)  # float64 rounding of x + d
    assert compare("out", want.astype(np.float32), want, tol).kind == "dtype"
    column = want.reshape(-1, 1)
    if column.shape != want.shape:
        assert compare("out", column, want, tol).kind == "shape"
