"""Bank Markdown → rich renderables, through the bank's own parser (``mlprep.content._markdown``).

Why not ``rich.markdown``: it parses with its own markdown-it setup, which knows nothing of
``$…$`` math (so math had to be found with regexes beside the parser), and it pulls in pygments
for code highlighting, ~60–100 ms of the quiz's start-up. Walking the trees of the parser the
checker uses means the quiz sees exactly the math ``mlprep check`` validated; ``_mdtree`` keeps
those trees in the content cache, so a start-up that shows known texts does not import the parser.

Covered: paragraphs, headings, emphasis, strong, strikethrough, code, links (text then URL), lists
(nested, ordered), block quotes, fenced code (verbatim, indented), tables, rules, inline and display
math (as Unicode), and raw HTML (shown as text, never interpreted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlprep._latex import latex_to_unicode
from mlprep._mdtree import Node, parse

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

INLINE_STYLES = {"em": "italic", "strong": "bold", "s": "strike", "link": "underline"}


def _inline(node: Node, out: Text, style: str = "") -> None:
    for child in node.children:
        kind = child.type
        if kind == "text":
            out.append(child.content, style)
        elif kind == "softbreak":  # a line break in CJK text joins without a space
            out.append("" if out.plain[-1:] >= "\u2e80" else " ", style)
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "code_inline":
            out.append(child.content, f"{style} bold cyan".strip())
        elif kind in ("math_inline", "math_inline_double"):
            out.append(latex_to_unicode(child.content), f"{style} italic".strip())
        elif kind == "html_inline":
            out.append(child.content, style)
        elif kind == "image":
            out.append(f"[{child.content or child.attrs.get('alt', '')}]", style)
        elif kind in INLINE_STYLES:
            _inline(child, out, f"{style} {INLINE_STYLES[kind]}".strip())
            href = str(child.attrs.get("href", "")) if kind == "link" else ""
            if href and href != _plain(child):
                out.append(f" ({href})", "dim")
        else:  # anything new in markdown-it: keep its text
            _inline(child, out, style)


def _plain(node: Node) -> str:
    return "".join(c.content if c.type == "text" else _plain(c) for c in node.children)


def inline_text(node: Node) -> Text:
    from rich.text import Text

    out = Text()
    for child in node.children:  # a block's single "inline" child holds the spans
        if child.type == "inline":
            _inline(child, out)
    return out


def _blocks(nodes: list[Node], tight: bool = False) -> list[RenderableType]:
    from rich.text import Text

    out: list[RenderableType] = []
    for i, node in enumerate(nodes):
        if i and not tight:
            out.append(Text(""))
        out.append(_block(node))
    return out


def _block(node: Node) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding
    from rich.rule import Rule
    from rich.text import Text

    kind = node.type
    if kind == "paragraph":
        return inline_text(node)
    if kind == "heading":
        text = inline_text(node)
        text.stylize("bold underline" if node.tag == "h1" else "bold")
        return text
    if kind in ("math_block", "math_block_label"):
        return Padding(Text(latex_to_unicode(node.content), style="bold"), (0, 0, 0, 4))
    if kind in ("fence", "code_block"):
        return Padding(Text(node.content.rstrip("\n"), style="cyan"), (0, 0, 0, 4))
    if kind == "html_block":
        return Text(node.content.rstrip("\n"))
    if kind == "hr":
        return Rule(style="dim")
    if kind == "blockquote":
        return Padding(Group(*_blocks(node.children)), (0, 0, 0, 2), style="italic")
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "table":
        return _table(node)
    return Group(*_blocks(node.children))


def _list(node: Node) -> RenderableType:
    from rich.console import Group
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column()
    start = int(node.attrs.get("start", 1) or 1)
    for i, item in enumerate(node.children):
        mark = f"{start + i}." if node.type == "ordered_list" else "•"
        grid.add_row(mark, Group(*_blocks(item.children, tight=True)))
    return grid


def _table(node: Node) -> RenderableType:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    rows: list[list[Text]] = []
    for section in node.children:
        for tr in section.children:
            cells = [inline_text(cell) for cell in tr.children]
            if section.type == "thead":
                for cell in cells:
                    table.add_column(cell)
            else:
                rows.append(cells)
    for row in rows:
        table.add_row(*row)
    return table


def render_inline(text: str) -> Text:
    """One line of Markdown (a title, an option) as styled text; no block structure."""
    from rich.text import Text

    out = Text()
    _inline(parse(text, inline=True), out)
    return out


def render_markdown(text: str) -> RenderableType:
    """A rich renderable for one Markdown text of the bank."""
    from rich.console import Group

    return Group(*_blocks(parse(text).children))
