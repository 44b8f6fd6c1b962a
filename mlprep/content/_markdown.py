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


def _line_of(tok: Token, parent_line: int) -> int:
    return tok.map[0] if tok.map else parent_line


def tokens(text: str) -> tuple[Token, ...]:
    """The parse of ``text``, shared by its consumers: in a site build the checker scans a text and
    the renderer turns the same tokens into HTML right after, so each text is parsed once.

    The tokens are cached: read them, never modify them (copy a token to change it)."""
    return _tokens(text)


@lru_cache(maxsize=1024)  # a site build renders an entry right after checking it: ~40 texts
def _tokens(text: str) -> tuple[Token, ...]:
    return tuple(parser().parse(text))


def scan(text: str) -> tuple[list[Math], list[tuple[str, int]]]:
    """Return the math in ``text`` and any raw HTML as ``(snippet, line)``."""
    maths, html = _scan(text)
    return list(maths), list(html)


@lru_cache(maxsize=65536)  # small results; texts recur (shared sentences, and check then build)
def _scan(text: str) -> tuple[tuple[Math, ...], tuple[tuple[str, int], ...]]:
    maths: list[Math] = []
    html: list[tuple[str, int]] = []
    line = 0
    for tok in tokens(text):
        line = _line_of(tok, line)
        for t in [tok, *walk(tok.children or [])]:
            if t.type in ("math_inline", "math_inline_double"):
                maths.append(Math(t.content, t.type == "math_inline_double", line))
            elif t.type in ("math_block", "math_block_label"):
                maths.append(Math(t.content, True, _line_of(t, line)))
            elif t.type in ("html_block", "html_inline"):
                html.append((t.content.strip()[:60], _line_of(t, line)))
    return tuple(maths), tuple(html)


_UNKNOWN_CMD = re.compile(r">(\\[A-Za-z]+)<")


class MathError(ValueError):
    pass


@lru_cache(maxsize=4096)
def to_mathml(latex: str, display: bool = False) -> str:
    """Convert LaTeX to MathML; raise MathError for syntax errors and unknown commands.

    The MathML is safe to put in a page whatever the LaTeX holds (see ``_serialize``)."""
    from latex2mathml.converter import convert_to_element

    try:
        tree = convert_to_element(latex, display="block" if display else "inline")
        out = _serialize(tree)
    except Exception as exc:  # latex2mathml raises a zoo of exception types on bad input
        raise MathError(f"cannot convert ${latex}$: {type(exc).__name__} {exc}".strip()) from None
    unknown = _UNKNOWN_CMD.search(out)
    if unknown:
        raise MathError(f"unknown LaTeX command {unknown.group(1)} in ${latex}$")
    return out


# latex2mathml writes symbols as character references in the text of its elements ("&#x003B3;")
# and turns its serialized tree back with xml.sax.saxutils.unescape, which also unescapes every
# "<", ">" and "&" the LaTeX itself held: \text{<script>…</script>} came out as a live script
# tag. Its tree is serialized here instead: those references are kept, and everything else is
# escaped. Attributes that would act outside the formula are dropped: "style" (\style{…}, which
# could load remote images or cover the page) and "href" (\href{…}) unless its URL is one the
# site keeps in Markdown links too. For every formula without such characters or attributes the
# output is the same as latex2mathml's own (tests/content/test_mathml.py).
_REF = re.compile(r"&#(?:x[0-9A-Fa-f]+|[0-9]+);")
_SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#09;",
    }
)


def safe_url(url: str) -> bool:
    """True for relative URLs, fragments and http(s)/mailto links; the scheme is read the way
    browsers read it, ignoring control characters and whitespace ("java\tscript:")."""
    m = _SCHEME.match(_IGNORED_IN_URLS.sub("", url))
    return m is None or m.group(1).lower() in _SAFE_SCHEMES


def _escape(text: str, table: dict[int, str]) -> str:
    if "&" not in text:
        return text.translate(table)
    out: list[str] = []
    start = 0
    for ref in _REF.finditer(text):
        out += (text[start : ref.start()].translate(table), ref.group())
        start = ref.end()
    out.append(text[start:].translate(table))
    return "".join(out)


def _serialize(element) -> str:  # an xml.etree.ElementTree.Element
    out: list[str] = []
    _write(element, out)
    return "".join(out)


def _write(element, out: list[str]) -> None:
    tag = element.tag
    out.append("<" + tag)
    for name, value in element.attrib.items():
        if name == "style" or (name == "href" and not safe_url(value)):
            continue
        out.append(f' {name}="{_escape(value, _ATTR_ESCAPES)}"')
    if not element.text and not len(element):
        out.append(" />")  # as ElementTree writes an empty element
        return
    out.append(">")
    if element.text:
        out.append(_escape(element.text, _TEXT_ESCAPES))
    for child in element:
        _write(child, out)
        if child.tail:
            out.append(_escape(child.tail, _TEXT_ESCAPES))
    out.append(f"</{tag}>")
