"""Chinese text uses the right script and, for zh-Hant, Taiwan terminology.

OpenCC is used as a detector, not a translator: zh-Hans text must be a fixed point of t2s (no
traditional characters) and zh-Hant text a fixed point of s2t (no simplified characters). The
glossary's forbidden renderings (what s2twp and mainland usage produce) must never appear.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import opencc
import pytest
import yaml

from mlprep.content import load_bank

REPO = Path(__file__).resolve().parents[2]
GLOSSARY = yaml.safe_load((REPO / "questions" / "_glossary.yaml").read_text("utf-8"))
FORBIDDEN: dict[str, str] = GLOSSARY["zh-Hant"]["forbidden"]
# Correct terms that contain a forbidden one (平均值 contains 均值) are removed before searching.
ALLOWED = sorted(
    {*GLOSSARY["zh-Hant"]["preferred"].values(), *GLOSSARY["zh-Hant"].get("allowed", [])},
    key=len,
    reverse=True,
)


def forbidden_in(text: str) -> list[str]:
    found = []
    for bad in FORBIDDEN:
        cleaned = text
        for good in ALLOWED:
            if bad in good:
                cleaned = cleaned.replace(good, "\0")
        if bad in cleaned:
            found.append(bad)
    return found


def texts(locale: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text in ``locale``: questions, exercise metadata and statements."""
    bank = load_bank()
    for q in bank.questions.values():
        t = q.locales.get(locale)
        if t is None:
            continue
        parts = [
            t.title,
            t.prompt,
            t.answer,
            *t.key_points,
            *(t.options or []),
            *(t.statements or []),
        ]
        parts += [m.claim for m in t.misconceptions] + [m.correction for m in t.misconceptions]
        for part in parts:
            yield q.id, part
    for ex in bank.exercises.values():
        t = ex.locales.get(locale)
        if t is None:
            continue
        yield ex.id, t.title
        for hint in t.hints:
            yield ex.id, hint
        yield ex.id, (bank.exercise_dir(ex.id) / t.statement).read_text("utf-8")


def test_forbidden_list_catches_opencc_drafts() -> None:
    # The reason the glossary exists: s2twp's draft contains forbidden renderings.
    draft = opencc.OpenCC("s2twp").convert("参数和激活函数")
    assert any(bad in draft for bad in FORBIDDEN)


def test_allowed_terms_do_not_hide_real_hits() -> None:
    assert forbidden_in("平均值與變異數") == []
    assert sorted(forbidden_in("均值與方差")) == sorted(["均值", "方差"])


def test_zh_hant_has_no_forbidden_renderings() -> None:
    hits = [
        (where, bad, FORBIDDEN[bad])
        for where, text in texts("zh-Hant")
        for bad in forbidden_in(text)
    ]
    assert not hits, "\n".join(f"{w}: '{b}' -> use '{g}'" for w, b, g in hits)


@pytest.mark.parametrize(("locale", "config"), [("zh-Hans", "t2s"), ("zh-Hant", "s2t")])
def test_script_is_consistent(locale: str, config: str) -> None:
    converter = opencc.OpenCC(config)
    wrong = []
    for where, text in texts(locale):
        converted = converter.convert(text)
        if converted != text:
            diff = [(a, b) for a, b in zip(text, converted, strict=False) if a != b][:5]
            wrong.append(f"{where}: {diff}")
    assert not wrong, "\n".join(wrong)


def test_every_vetted_entry_is_complete_in_every_locale() -> None:
    bank = load_bank()
    required = bank.config.required_locales
    for q in bank.questions.values():
        if q.vetting.status == "vetted":
            assert set(required) <= set(q.locales), q.id
            assert not [c for c in required if q.is_stale(c)], q.id
