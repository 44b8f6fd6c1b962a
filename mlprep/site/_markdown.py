"""Markdown to safe HTML for the site: the shared parser, a renderer that trusts nothing.

The bank's parser (``mlprep.content._markdown.parser``) keeps raw HTML as tokens so the checker can
point at it; this renderer turns those tokens back into escaped text instead of HTML, converts math
to MathML at build time, and keeps only links whose scheme is known to be harmless. The shared
parser instance is never modified: we parse with it and render the tokens ourselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from mlprep.content._markdown import MathError, parser, plain_runs, safe_url, to_mathml
from mlprep.content._markdown import tokens as shared_parse


class SiteRenderError(ValueError):
    """A formula in a field could not be converted (the pipeline adds file and line)."""


class _SafeRenderer(RendererHTML):
    """Raw HTML becomes text, math becomes MathML, unsafe links become their text."""

    def html_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType):
        return f"<p>{escapeHtml(tokens[idx].content.rstrip())}</p>\n"

    def html_inline(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType):
        return escapeHtml(tokens[idx].content)

    def math_inline(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType):
        return _math(tokens[idx].content, display=False)

    def math_inline_double(self, tokens, idx, options, env):
        return _math(tokens[idx].content, display=True)

    def math_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType):
        return f'<div class="math">{_math(tokens[idx].content, display=True)}</div>\n'

    def math_block_label(self, tokens, idx, options, env):
        label = escapeHtml(tokens[idx].info)
        body = _math(tokens[idx].content, display=True)
        return (
            f'<div class="math" id="eq-{label}">{body}<span class="eqno">({label})</span></div>\n'
        )

    def heading_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType):
        return f"<h{env['levels'][tokens[idx].tag]}>"

    def heading_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType):
        return f"</h{env['levels'][tokens[idx].tag]}>\n"

    def softbreak(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType):
        # A line break inside Chinese text is not a word space: browsers would show one.
        before = tokens[idx - 1].content[-1:] if idx > 0 else ""
        after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
        return "" if _is_cjk(before) or _is_cjk(after) else "\n"

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType):
        # Images would be loaded from elsewhere (the site loads nothing it does not ship):
        # a safe https image becomes a link to it, anything else just its description.
        tok = tokens[idx]
        alt = escapeHtml(self.renderInlineAsText(tok.children or [], options, env)) or "image"
        src = str(tok.attrGet("src") or "")
        if src.startswith("https://") and safe_url(src):
            return f'<a href="{escapeHtml(src)}">{alt}</a>'
        return alt


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _is_cjk(char: str) -> bool:
    return bool(char) and _CJK.match(char) is not None


def _heading_levels(tokens: list[Token]) -> dict[str, int]:
    """Content sits under the page's h1 and a section's h2, whatever levels its author used: the
    distinct levels it uses become h3, h4, ... in order, so headings never skip a level."""
    used = sorted({t.tag for t in tokens if t.type == "heading_open"})
    return {tag: min(3 + rank, 6) for rank, tag in enumerate(used)}


def _math(latex: str, display: bool) -> str:
    try:
        return to_mathml(latex, display)
    except MathError as exc:
        raise SiteRenderError(str(exc)) from None


def _drop_unsafe_links(tokens: Sequence[Token]) -> list[Token]:
    """Remove link_open/link_close pairs whose href is unsafe, keeping the link text.

    The tokens come from the shared parse cache: a token whose children change is copied, never
    modified."""
    out: list[Token] = []
    dropping = False
    for tok in tokens:
        if tok.children:
            children = _drop_unsafe_links(tok.children)
            if len(children) != len(tok.children):
                tok = tok.copy(children=children)
        if tok.type == "link_open" and not safe_url(str(tok.attrGet("href") or "")):
            dropping = True  # links do not nest in CommonMark, so the next close is its own
            continue
        if tok.type == "link_close" and dropping:
            dropping = False
            continue
        out.append(tok)
    return out


_RENDERER = _SafeRenderer()


def render(text: str, *, inline: bool = False) -> str:
    """Render bank Markdown to HTML that is safe to insert into a page.

    ``inline`` drops the surrounding paragraph for one-paragraph fields such as titles and options.
    Raises SiteRenderError when a formula cannot be converted.
    """
    runs = plain_runs(text)
    if runs is not None:  # one line of words and formulas: what the renderer makes of its tokens
        body = "".join(
            _math(part, display=False) if math else escapeHtml(part) for part, math in runs
        )
        return body.strip() if inline else f"<p>{body}</p>\n"
    return _render_tokens(text, inline)


def _render_tokens(text: str, inline: bool) -> str:
    md = parser()
    parsed = _drop_unsafe_links(shared_parse(text))  # the parse the checker already made
    env: dict[str, Any] = {"levels": _heading_levels(parsed)}
    if inline and _single_paragraph(parsed):
        return _RENDERER.render(parsed[1:-1], md.options, env).strip()
    return _RENDERER.render(parsed, md.options, env)


def _single_paragraph(tokens: list[Token]) -> bool:
    return (
        len(tokens) == 3
        and tokens[0].type == "paragraph_open"
        and tokens[1].type == "inline"
        and tokens[2].type == "paragraph_close"
    )
