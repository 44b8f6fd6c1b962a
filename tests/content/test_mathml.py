"""MathML from LaTeX (math-core): every formula of the bank converts, and none can carry markup."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprep.content import load_bank, scan
from mlprep.content._markdown import MathError, to_mathml

# MathML Core's elements (https://www.w3.org/TR/mathml-core/#mathml-elements-and-attributes)
MATHML = {
    "math", "annotation", "annotation-xml", "maction", "merror", "mfrac", "mi", "mmultiscripts",
    "mn", "mo", "mover", "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace",
    "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder",
    "munderover", "none", "semantics", "menclose",
}  # fmt: skip


class _Elements(HTMLParser):
    """Tags, attributes and text of an HTML fragment, as a browser's parser reads them."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


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


# math-core writes \textbf, \texttt, \textsf ... as HTML phrasing inside <mtext>, and spacing
# and \color as inline styles: its own markup, never the author's.
TEXT_STYLES = {"b", "i", "em", "code", "span"}
STYLE = re.compile(r"^(?:(?:color:#[0-9A-Fa-f]{3,8}|[a-z-]+:-?[0-9.]+em);)+$")


def _inert(mathml: str) -> _Elements:
    """Check that ``mathml`` is one formula made of MathML (and math-core's text styles) only,
    with no attribute that runs script, loads anything, or carries the author's CSS; return
    what it holds."""
    parsed = _Elements(mathml)
    assert parsed.tags and parsed.tags[0][0] == "math", mathml
    for tag, attrs in parsed.tags:
        assert tag in MATHML or tag in TEXT_STYLES, mathml
        assert not [a for a in attrs if a.startswith("on") or a in ("href", "src")], mathml
        assert attrs.get("class", "math-core-").startswith("math-core-"), mathml
        style = attrs.get("style")
        assert style is None or STYLE.match(style), mathml
    return parsed


def test_every_formula_of_the_bank_converts_to_mathml_core() -> None:
    formulas = _bank_formulas()
    assert len(formulas) > 200
    for latex, display in formulas:
        out = to_mathml(latex, display)
        _inert(out)
        assert out.startswith('<math display="block">' if display else "<math>"), latex


HOSTILE = [
    r"\text{<script>alert(1)</script>}",
    r"\text{<img/src=x/onerror=alert(1)>}",
    r"\text{</math><img/src=x/onerror=alert(1)>}",
    r"\fbox{<b>x</b>}",
    r"\mbox{<iframe src=https://evil.example>}",
    r"\verb|<svg/onload=alert(1)>|",
    r"\href{javascript:alert(1)}{x}",
    r"\style{background:url(https://evil.example/x.png)}{x}",
    r'\color{red" onmouseover="alert(1)}{x}',
    r'\class{a" onclick="alert(1)}{x}',
    r"\unicode{x3C}",
]


@pytest.mark.parametrize("latex", HOSTILE)
def test_markup_in_a_formula_is_text_or_an_error(latex: str) -> None:
    try:
        out = to_mathml(latex)
    except MathError:
        return  # the build stops with the file and line: nothing reaches a page
    lowered = out.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<iframe" not in lowered
    assert "<b>" not in lowered and "<svg" not in lowered
    _inert(out)


def test_text_in_a_formula_keeps_what_the_author_wrote() -> None:
    parsed = _inert(to_mathml(r"\text{<img/src=x/onerror=alert(1)>}"))
    assert "".join(parsed.text) == "<img/src=x/onerror=alert(1)>"
    assert "&lt;img" in to_mathml(r"\text{<img>}")


def test_colors_and_symbols() -> None:
    assert _inert(to_mathml(r"\color{red}{x}")).tags[1][1] == {"style": "color:#FF0000;"}
    parsed = _inert(to_mathml(r"\gamma < \beta"))
    assert html.unescape("".join(parsed.text)) == "γ<β"


def test_unknown_commands_and_bad_latex_are_errors_on_one_line() -> None:
    with pytest.raises(MathError, match=r"unknown LaTeX command \\nosuchcommand in \$"):
        to_mathml(r"x + \nosuchcommand")
    with pytest.raises(MathError, match=r"cannot convert \$\\frac\{1\}\{\$: ") as exc:
        to_mathml(r"\frac{1}{")
    assert "\n" not in str(exc.value) and "\x1b" not in str(exc.value)  # no terminal colours


@settings(max_examples=300, deadline=None)
@given(
    command=st.sampled_from(["\\text", "\\mathrm", "\\textbf", "\\fbox", "\\operatorname", ""]),
    body=st.text(
        alphabet=st.sampled_from(list("<>\"'&;#x0123/=:abcdefjsvript ()!{}$\\")), max_size=40
    ),
)
def test_no_generated_formula_produces_markup(command: str, body: str) -> None:
    latex = f"{command}{{{body}}}" if command else body
    try:
        out = to_mathml(latex)
    except MathError:
        return
    _inert(out)
