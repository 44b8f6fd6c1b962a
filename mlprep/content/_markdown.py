"""Markdown and math as the bank writes them: CommonMark + tables + ``$…$`` / ``$$…$$`` math.

One parser serves the checker, the quiz and the site, so what passes ``mlprep check`` is exactly
what they render. Raw HTML is parsed (so the checker can point at it) but never rendered as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
    return md


@dataclass(frozen=True)
class Math:
    latex: str
    display: bool
    line: int  # 0-based line within the Markdown text


def walk(tokens: list[Token]):
    for tok in tokens:
        yield tok
        if tok.children:
            yield from walk(tok.children)


def tokens(text: str) -> tuple[Token, ...]:
    """The parse of ``text``, shared by its consumers: in a site build the checker scans a text and
    the renderer turns the same tokens into HTML right after, so each text is parsed once.

    The tokens are cached: read them, never modify them (copy a token to change it)."""
    return _tokens(text)


@lru_cache(maxsize=1024)  # a site build renders an entry right after checking it: ~40 texts
def _tokens(text: str) -> tuple[Token, ...]:
    runs = plain_runs(text)
    if runs is not None:
        return _paragraph(text, runs)
    return tuple(parser().parse(text))


# Most texts of a bank are one line of plain words and $…$ formulas (titles, options, key points,
# misconceptions): parsing those with the full parser cost ~22 µs each, a tenth of a site build's
# work. ``plain_runs`` recognises them, and ``_paragraph`` builds the very tokens the parser
# gives them (tests/content/test_markdown_fast.py checks every text of the bank and generated
# ones); anything it is not sure of goes to the parser.
_SYNTAX = re.compile(r"[*_~\[\]!<>&\\`|\n\r\0]")  # outside formulas: Markdown, entities, HTML
_BLOCK_START = re.compile(r"[\s#>+\-*=_`~<\[|]|\d{1,9}[.)]|\$\$")  # lists, headings, code...


@lru_cache(maxsize=1024)  # asked by the checker, then by the renderer right after (see _tokens)
def plain_runs(text: str) -> tuple[tuple[str, bool], ...] | None:
    """``text`` as runs of (plain text, False) and (LaTeX, True) if it is a single line of plain
    text and single-dollar formulas that the math rule takes as written; None otherwise."""
    if not text or text != text.strip() or "$$" in text or _BLOCK_START.match(text):
        return None
    runs: list[tuple[str, bool]] = []
    i = 0
    while True:
        o = text.find("$", i)
        plain = text[i:] if o < 0 else text[i:o]
        if _SYNTAX.search(plain):
            return None
        if plain:
            runs.append((plain, False))
        if o < 0:
            return tuple(runs)
        e = text.find("$", o + 1)
        if e < 0:
            return None
        # the math rule's own conditions (mdit_py_plugins.dollarmath, allow_digits=False): no
        # digit before the opening "$" (at the start it reads the text's last character), none
        # after the closing one, and the closing one not escaped
        if text[o - 1].isdigit() or text[e - 1] == "\\" or text[e + 1 : e + 2].isdigit():
            return None
        runs.append((text[o + 1 : e], True))
        i = e + 1


def _paragraph(text: str, runs: tuple[tuple[str, bool], ...]) -> tuple[Token, ...]:
    children = []
    for content, math in runs:
        if math:
            children.append(Token("math_inline", "math", 0, content=content, markup="$"))
        else:
            children.append(Token("text", "", 0, content=content))
    return (
        Token("paragraph_open", "p", 1, map=[0, 1], block=True),
        Token("inline", "", 0, map=[0, 1], level=1, children=children, content=text, block=True),
        Token("paragraph_close", "p", -1, block=True),
    )


def scan(text: str) -> tuple[list[Math], list[tuple[str, int]]]:
    """Return the math in ``text`` and any raw HTML as ``(snippet, line)``."""
    maths, html = _scan(text)
    return list(maths), list(html)


@lru_cache(maxsize=65536)  # small results; texts recur (shared sentences, and check then build)
def _scan(text: str) -> tuple[tuple[Math, ...], tuple[tuple[str, int], ...]]:
    if "$" not in text and "<" not in text:
        return (), ()  # math starts with "$" and HTML with "<": nothing to parse for
    runs = plain_runs(text)
    if runs is not None:  # one line of words and formulas, no HTML: what the walk below finds
        return tuple(Math(part, False, 0) for part, math in runs if math), ()
    return _walk_for_math_and_html(text)


def _walk_for_math_and_html(text: str) -> tuple[tuple[Math, ...], tuple[tuple[str, int], ...]]:
    maths: list[Math] = []
    html: list[tuple[str, int]] = []
    line = 0
    for tok in tokens(text):
        if tok.map:
            line = tok.map[0]
        for t in (tok, *walk(tok.children)) if tok.children else (tok,):
            kind = t.type
            if kind in _MATH:
                maths.append(Math(t.content, _MATH[kind], t.map[0] if t.map else line))
            elif kind in _HTML:
                html.append((t.content.strip()[:60], t.map[0] if t.map else line))
    return tuple(maths), tuple(html)


_MATH = {  # math token -> whether it is display math
    "math_inline": False,
    "math_inline_double": True,
    "math_block": True,
    "math_block_label": True,
}
_HTML = frozenset({"html_block", "html_inline"})


class MathError(ValueError):
    pass


@lru_cache(maxsize=4096)
def to_mathml(latex: str, display: bool = False) -> str:
    """Convert LaTeX to MathML; raise MathError for syntax errors and unknown commands.

    math-core converts to MathML Core, the part of MathML that browsers render. Its output is
    safe to put in a page whatever the LaTeX holds: text is escaped, and commands that would act
    outside the formula (``\\href``, ``\\style``, raw HTML) are unknown to it, so they are errors."""
    from math_core import LatexError

    try:
        return _converter().convert_with_local_state(latex, displaystyle=display)
    except LatexError as exc:
        message = " ".join(str(exc).split())  # one line: messages are printed as problems
        at = _POSITION.match(message)  # math-core starts with the byte offset: "9: Expected ..."
        if at:
            message = f"{at.group(2)} (at character {at.group(1)})"
        unknown = _UNKNOWN_CMD.search(message)
        if unknown:
            raise MathError(f"unknown LaTeX command {unknown.group(1)} in ${latex}$") from None
        raise MathError(f"cannot convert ${latex}$: {message}") from None


_UNKNOWN_CMD = re.compile(r'Unknown (?:command|environment) "([^"]+)"')
_POSITION = re.compile(r"^(\d+): (.*)$")


@lru_cache(maxsize=1)
def _converter():
    from math_core import LatexToMathML

    return LatexToMathML(fancy_error=False)


# Links inside the site: relative URLs, fragments and these schemes are kept; everything else
# (javascript:, data:, vbscript:, file:, ...) loses its link. The scheme is read the way browsers
# read it, ignoring control characters and whitespace ("java\tscript:").
_SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")


def safe_url(url: str) -> bool:
    """True for relative URLs, fragments and http(s)/mailto links; the scheme is read the way
    browsers read it, ignoring control characters and whitespace ("java\tscript:")."""
    m = _SCHEME.match(_IGNORED_IN_URLS.sub("", url))
    return m is None or m.group(1).lower() in _SAFE_SCHEMES
