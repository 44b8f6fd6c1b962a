"""MathML from LaTeX: latex2mathml's conversion, serialized so that no formula can carry markup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import latex2mathml.converter
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprep.content import load_bank, scan
from mlprep.content._markdown import MathError, _serialize, to_mathml

MATHML = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mstyle", "mtable", "mtr",
    "mtd", "menclose", "mpadded", "mphantom", "merror", "mmultiscripts", "mprescripts", "none",
}  # fmt: skip


def _bank_formulas() -> list[tuple[str, bool]]:
    bank = load_bank()
    found: set[tuple[str, bool]] = set()
    for q in bank.questions.values():
        for text in q.locales.values():
            fields = [text.title, text.prompt, text.answer, *text.key_points]
            fields += [m.claim for m in text.misconceptions]
            fields += [m.correction for m in text.misconceptions]
            fields += [*(text.options or []), *(text.statements or [])]
            for field in fields:
                found.update((m.latex, m.display) for m in scan(field)[0])
    return sorted(found)


def test_every_formula_of_the_bank_converts_as_latex2mathml_writes_it() -> None:
    # The bank's formulas hold no markup characters in text, so the output must be exactly
    # latex2mathml's own; this also pins ElementTree's details (empty elements, attribute order).
    formulas = _bank_formulas()
    assert len(formulas) > 200
    for latex, display in formulas:
        theirs = latex2mathml.converter.convert(latex, display="block" if display else "inline")
        assert to_mathml(latex, display) == theirs, latex


HOSTILE = [
    r"\text{<script>alert(1)</script>}",
    r"\text{<img/src=x/onerror=alert(1)>}",
    r"\text{</math><img/src=x/onerror=alert(1)>}",
    r"\mbox{<iframe src=https://evil.example>}",
    r"\fbox{<b>x</b>}",
    r"\verb|<svg/onload=alert(1)>|",
    r"\text{&lt;script&gt;}",
    r"\href{javascript:alert(1)}{x}",
    r"\href{ JaVa\tScRiPt:alert(1)}{x}",
    r"\style{background:url(https://evil.example/x.png)}{x}",
    r'\color{red" onmouseover="alert(1)}{x}',
    r'\class{a" onclick="alert(1)}{x}',
]


def _elements(mathml: str) -> list[ET.Element]:
    """Every element, tags without their namespace; ``mathml`` must be well-formed XML."""
    elements = list(ET.fromstring(mathml).iter())
    for e in elements:
        e.tag = e.tag.split("}")[-1]
    return elements


@pytest.mark.parametrize("latex", HOSTILE)
def test_markup_in_a_formula_stays_text(latex: str) -> None:
    out = to_mathml(latex)
    elements = _elements(out)
    assert {e.tag for e in elements} <= MATHML, out
    for e in elements:
        assert "style" not in e.attrib
        assert not any(name.startswith("on") for name in e.attrib)
        assert "javascript" not in e.attrib.get("href", "").lower().replace("\t", "")
    lowered = out.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<iframe" not in lowered
    assert "<svg" not in lowered and "<b>" not in lowered


def test_text_keeps_what_the_author_wrote() -> None:
    (mtext,) = [e for e in _elements(to_mathml(r"\text{a<b & c>d}")) if e.tag == "mtext"]
    assert mtext.text == "a<b\xa0&\xa0c>d"  # latex2mathml turns spaces in \text into no-break
    # an author's own entity is text too, not a character: "&amp;" shows as "&amp;"
    (mtext,) = [e for e in _elements(to_mathml(r"\text{&amp;}")) if e.tag == "mtext"]
    assert mtext.text == "&amp;"


def test_safe_links_and_colors_are_kept() -> None:
    assert 'href="https://arxiv.org/abs/1502.03167"' in to_mathml(
        r"\href{https://arxiv.org/abs/1502.03167}{x}"
    )
    assert 'mathcolor="red"' in to_mathml(r"\color{red}{x}")


def test_symbols_stay_character_references() -> None:
    out = to_mathml(r"\gamma < \beta")
    assert "<mi>&#x003B3;</mi>" in out and "<mo>&#x0003C;</mo>" in out


def test_unknown_commands_and_bad_latex_are_errors() -> None:
    with pytest.raises(MathError, match=r"unknown LaTeX command \\nosuchcommand"):
        to_mathml(r"x + \nosuchcommand")
    with pytest.raises(MathError, match="cannot convert"):
        to_mathml(r"\frac{1}{")


def test_the_serializer_matches_elementtree_on_plain_trees() -> None:
    root = ET.Element("math", {"xmlns": "http://www.w3.org/1998/Math/MathML", "b": 'q"\n\t'})
    ET.SubElement(root, "mo")  # empty: "<mo />"
    child = ET.SubElement(root, "mi", {"z": "1", "a": "2"})  # attribute order kept
    child.text, child.tail = "x", "tail"
    assert _serialize(root) == ET.tostring(root, encoding="unicode")


@settings(max_examples=300, deadline=None)
@given(
    command=st.sampled_from(["\\text", "\\mbox", "\\fbox", "\\mathrm", "\\textbf", "\\href"]),
    body=st.text(
        alphabet=st.sampled_from(list("<>\"'&;#x0123/=:abcdefjsvript ()!{}$")), max_size=40
    ),
)
def test_no_generated_formula_produces_markup(command: str, body: str) -> None:
    latex = f"{command}{{{body}}}" + ("{x}" if command == "\\href" else "")
    try:
        out = to_mathml(latex)
    except MathError:
        return
    elements = _elements(out)
    assert {e.tag for e in elements} <= MATHML, (latex, out)
    for e in elements:
        assert not any(name.startswith("on") or name == "style" for name in e.attrib)
        href = e.attrib.get("href")
        if href is not None:
            assert not re.match(r"\s*[a-z]*script:", href.lower().replace("\t", "")), href
