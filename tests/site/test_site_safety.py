"""Hostile content: raw HTML, script links and markup in plain-text fields never reach a page as
markup. The renderer is tested directly (content that `mlprep check` would reject must still be
safe) and through a full build (content that passes the checker)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprep.content._markdown import parser, scan, tokens
from mlprep.site import build_site
from mlprep.site._markdown import SiteRenderError, render, safe_url
from tests.site._bank import write_question

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<iframe src=https://evil.example></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<div onclick=alert(1)>block</div>\n\nafter",
    '[ok](https://example.org/"onmouseover="alert(1))',
    r"$\text{<script>alert(1)</script>}$",  # markup inside a formula stays text
]
# formulas that do not convert stop the build (with file and line): nothing reaches a page
HOSTILE_MATH = [
    r"$$\mbox{</math><img/src=x/onerror=alert(1)>}$$",
    r"$\href{javascript:alert(1)}{x}$",
]


def _tags(html: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


ALLOWED = {
    "p",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "br",
    "s",
    "del",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",
    "span",
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "msup",
    "msub",
    "mfrac",
    "msqrt",
    "mover",
    "munder",
    "msubsup",
    "mtext",
    "mspace",
    "mstyle",
    "mtable",
    "mtr",
    "mtd",
}


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_renders_as_inert_text(text: str) -> None:
    html = render(text)
    assert _tags(html) <= ALLOWED, html
    assert not re.search(
        r"\son\w+\s*=", html.replace("&quot;", '"').split(">", 1)[0] if "<a" not in html else ""
    )
    for href in re.findall(r'href="([^"]*)"', html):
        assert safe_url(href), href
    lowered = html.lower()
    assert "javascript:" not in re.sub(
        r"&[a-z]+;|[^a-z:]", "", " ".join(re.findall(r'href="[^"]*"', lowered))
    )
    assert "<script" not in lowered and "<img" not in lowered and "<iframe" not in lowered


@pytest.mark.parametrize("text", HOSTILE_MATH)
def test_hostile_formulas_stop_the_build(text: str) -> None:
    with pytest.raises(SiteRenderError, match="unknown LaTeX command"):
        render(text)


def test_raw_html_shows_as_text() -> None:
    assert render("<b>bold</b>", inline=True) == "&lt;b&gt;bold&lt;/b&gt;"
    assert "&lt;div onclick=alert(1)&gt;block&lt;/div&gt;" in render(
        "<div onclick=alert(1)>block</div>"
    )


def test_safe_links_survive() -> None:
    assert render("[p](https://arxiv.org/abs/1502.03167)", inline=True) == (
        '<a href="https://arxiv.org/abs/1502.03167">p</a>'
    )
    assert render("[r](../x.html#s)", inline=True) == '<a href="../x.html#s">r</a>'
    assert render("[j](javascript:alert(1))", inline=True) == "[j](javascript:alert(1))" or (
        "href" not in render("[j](javascript:alert(1))")
    )


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://x.org", True),
        ("http://x.org", True),
        ("mailto:a@b.c", True),
        ("../a.html", True),
        ("#frag", True),
        ("javascript:alert(1)", False),
        (" JAVASCRIPT:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("data:text/html,x", False),
        ("vbscript:x", False),
        ("file:///etc/passwd", False),
    ],
)
def test_safe_url(url: str, ok: bool) -> None:
    assert safe_url(url) is ok


def test_the_shared_parser_is_not_modified() -> None:
    md = parser()
    before = (md.options["html"], dict(md.renderer.rules), md.validateLink)
    render("<b>x</b> [j](javascript:alert(1)) $x^2$")
    assert (md.options["html"], dict(md.renderer.rules), md.validateLink) == before
    assert md.render("<b>x</b>") == "<p><b>x</b></p>\n"  # still the checker's parser, raw HTML kept


def test_rendering_leaves_the_shared_parse_as_the_checker_sees_it() -> None:
    # The checker and the renderer share one cached parse per text; dropping an unsafe link must
    # copy the tokens it changes, or the next reader of the cache would see a doctored parse.
    text = "[j](ftp://x.org/a) and <b>x</b> and $x^2$"  # ftp: parses as a link, the site drops it
    before = [t.as_dict() for t in tokens(text)]
    first = render(text)
    assert "href" not in first and "&lt;b&gt;" in first
    assert [t.as_dict() for t in tokens(text)] == before
    assert any(c.type == "link_open" for t in tokens(text) for c in t.children or [])
    assert render(text) == first
    maths, html = scan(text)
    assert [m.latex for m in maths] == ["x^2"] and [h for h, _ in html] == ["<b>", "</b>"]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'&/=:[]()!`$ ajvscripthonerdiv\n")), max_size=60))
def test_no_generated_input_produces_markup(text: str) -> None:
    try:
        html = render(text)
    except ValueError:  # a formula that does not convert is a build error, not output
        return
    assert _tags(html) <= ALLOWED, (text, html)
    for href in re.findall(r'href="([^"]*)"', html):
        assert safe_url(href), (text, href)


def test_hostile_fields_that_pass_the_checker_are_escaped_in_the_built_site(
    bank: Path, tmp_path: Path
) -> None:
    # Tag labels, reference titles, authors and notes are plain text (the checker does not read
    # them as Markdown); links in Markdown pass the checker whatever their scheme.
    cfg = bank / "questions/_bank.yaml"
    cfg.write_text(
        cfg.read_text("utf-8").replace(
            "layernorm: {en: Layer normalization,",
            "layernorm: {en: '<script>alert(\"tag\")</script>',",
        ),
        "utf-8",
    )
    write_question(
        bank,
        "xss-probe",
        {
            "kind": "open",
            "tags": ["layernorm"],
            "difficulty": "easy",
            "vetting": {"status": "draft"},
            "references": [
                {
                    "kind": "docs",
                    "title": '"><script>alert("ref")</script>',
                    "authors": "<img src=x onerror=alert(1)>",
                    "note": "</li><script>alert(2)</script>",
                    "url": 'https://example.org/"onmouseover="alert(3)',
                }
            ],
            "locales": {
                "en": {
                    "title": "Probe [t](javascript:alert(4))",
                    "prompt": "See [this](javascript:alert(5)) and [that](vbscript:x) and "
                    "[data](data:text/html;base64,PHNjcmlwdD4=).",
                    "answer": "Fine.",
                }
            },
        },
        topic="layernorm",
    )
    out = tmp_path / "site"
    build_site(out, search=False)
    for path in out.rglob("*.html"):
        html = path.read_text("utf-8")
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert not re.search(r'href="\s*(javascript|vbscript|data):', html, re.I), path
        assert 'onmouseover="alert' not in html, path
    page = (out / "en/questions/xss-probe.html").read_text("utf-8")
    assert "&lt;script&gt;alert(&#34;ref&#34;)&lt;/script&gt;" in page
    assert 'href="https://example.org/&#34;onmouseover=&#34;alert(3)"' in page
    tag_page = (out / "en/tags/layernorm.html").read_text("utf-8")
    assert "<h1>&lt;script&gt;alert(&#34;tag&#34;)&lt;/script&gt;</h1>" in tag_page


def test_content_headings_continue_the_page_outline_without_gaps() -> None:
    html = render("## Training\n\ntext\n\n#### Detail\n\n## Test")
    assert re.findall(r"<(h\d)>", html) == ["h3", "h4", "h3"]
