"""The shortcut for one-line texts of plain words and $…$ formulas (``_markdown.plain_runs``) must
give exactly the tokens markdown-it gives, and must leave every other text to markdown-it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mlprep.content import _markdown, collect
from mlprep.content._check import _markdown_fields

REPO = Path(__file__).resolve().parents[2]


def _dump(tokens) -> list[dict]:  # noqa: ANN001
    return [t.as_dict(children=True) for t in tokens]


def _parser_tokens(text: str) -> list[dict]:
    return _dump(_markdown.parser().parse(text))


def _shortcut_tokens(text: str) -> list[dict] | None:
    runs = _markdown.plain_runs(text)
    return None if runs is None else _dump(_markdown._paragraph(text, runs))


def test_every_text_of_the_bank_gets_the_parsers_tokens() -> None:
    bank, _ = collect(REPO)
    assert bank is not None
    texts = {
        markdown
        for q in bank.questions.values()
        for text in q.locales.values()
        for _, markdown in _markdown_fields(text)
    }
    taken = 0
    for text in texts:
        fast = _shortcut_tokens(text)
        if fast is not None:
            taken += 1
            assert fast == _parser_tokens(text), text
    assert taken > len(texts) // 3  # the shortcut serves most texts, or it is not worth having


@pytest.mark.parametrize(
    "text",
    [
        "Plain words only",
        "The scale $\\gamma$ and the shift $\\beta$ are learned",
        "$x$ starts it",
        "ends with a formula $y^2$",
        "a $ $ space is a formula too",
        "CJK 批归一化 $\\mu_B$ 的均值",
    ],
)
def test_texts_it_takes(text: str) -> None:
    assert _shortcut_tokens(text) == _parser_tokens(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " leading space",
        "trailing space ",
        "two\nlines",
        "# a heading",
        "- a list item",
        "1. an ordered item",
        "> a quote",
        "*emphasis*",
        "a [link](http://x)",
        "an &amp; entity",
        "raw <b>html</b>",
        "an escaped \\$ dollar",
        "$$display$$",
        "costs 5$ and $x$",  # a digit before an opening dollar
        "$x$1",  # a digit after a closing one
        "$x$ ends in 2",  # at the start the math rule reads the last character
        "unclosed $x",
        "escaped close $x\\$ y",
        "`code`",
    ],
)
def test_texts_it_leaves_to_the_parser(text: str) -> None:
    assert _markdown.plain_runs(text) is None


_CHARS = st.sampled_from(list("ab xyz019²٣中$\\*_#-+.)[]!<>&`~|=\t\n"))
_WORDS = st.text(st.sampled_from(list("ab xyz,.;:?'\"()/-=+%^{}中²")), min_size=0, max_size=12)
_LATEX = st.text(st.sampled_from(list("x^2_{}\\alpha +-*[]<>&")), min_size=0, max_size=8)


@st.composite
def _prose_and_formulas(draw) -> str:  # noqa: ANN001
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        parts.append(draw(_WORDS))
        if draw(st.booleans()):
            parts.append("$" + draw(_LATEX) + "$")
    return "".join(parts)


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(_CHARS, max_size=20), _prose_and_formulas()))
@example("$a$$b$")
@example("$x$ 2$y$")
@example("x $\\\\$ y")
def test_whenever_it_takes_a_text_it_gives_the_parsers_tokens(text: str) -> None:
    fast = _shortcut_tokens(text)
    if fast is not None:
        assert fast == _parser_tokens(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(_CHARS, max_size=20), _prose_and_formulas()))
def test_the_site_renders_a_text_it_takes_as_it_renders_the_parsers_tokens(text: str) -> None:
    from mlprep.site import _markdown as site

    if _markdown.plain_runs(text) is None:
        return
    for inline in (False, True):
        try:
            expected = site._render_tokens(text, inline)
        except site.SiteRenderError:
            with pytest.raises(site.SiteRenderError):
                site.render(text, inline=inline)
            continue
        assert site.render(text, inline=inline) == expected


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(_CHARS, max_size=20), _prose_and_formulas()))
def test_the_checker_finds_in_a_text_it_takes_what_the_token_walk_finds(text: str) -> None:
    if _markdown.plain_runs(text) is None:
        return
    _markdown._scan.cache_clear()
    assert _markdown._scan(text) == _markdown._walk_for_math_and_html(text)
