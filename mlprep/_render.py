"""Terminal rendering of questions: Markdown through rich, math as readable Unicode.

Math is converted before rich sees the Markdown: inline ``$…$`` becomes Unicode (escaped, so a
subscript's ``_`` is not read as emphasis), display ``$$…$$`` becomes its own indented line. Code
spans and fenced code are left alone. Without a terminal (pipes, tests) rich prints no colours and
no control codes, so the same functions serve both.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mlprep._latex import latex_to_unicode

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from mlprep.content import Bank, LocaleText, Question

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?$\n?(?:.*?\n)*?^ {0,3}\1[`~]*[ \t]*$\n?", re.M)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$"  # display math, may span lines
    r"|(?<![\\$\w])\$(?![\s$])(?P<inline>(?:\\.|[^$\\\n])+?)(?<!\s)\$(?!\d)",  # $x$, not $5 or \$
    re.S,
)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")

LABELS: dict[str, dict[str, str]] = {
    "en": {"answer": "Answer", "key_points": "Key points", "misconceptions": "Misconceptions",
           "claim": "Claim", "correction": "Correction", "references": "References"},
    "zh-Hans": {"answer": "答案", "key_points": "要点", "misconceptions": "常见误解",
                "claim": "误解", "correction": "更正", "references": "参考资料"},
    "zh-Hant": {"answer": "答案", "key_points": "要點", "misconceptions": "常見誤解",
                "claim": "誤解", "correction": "更正", "references": "參考資料"},
}  # fmt: skip


def label(key: str, lang: str) -> str:
    return LABELS.get(lang, LABELS["en"]).get(key) or LABELS["en"][key]


def _inline_math(text: str) -> list[tuple[str, str]]:
    """Split Markdown without code into ("md", text) and ("math", latex) display parts."""
    parts: list[tuple[str, str]] = []
    pos = 0
    for m in _MATH.finditer(text):
        if m.group("display") is not None:
            parts.append(("md", text[pos : m.start()]))
            parts.append(("math", m.group("display")))
        else:
            uni = _MD_SPECIAL.sub(r"\\\1", latex_to_unicode(m.group("inline")))
            parts.append(("md", text[pos : m.start()] + uni))
        pos = m.end()
    parts.append(("md", text[pos:]))
    return parts


def split_math(text: str) -> list[tuple[str, str]]:
    """Markdown → parts: ("md", Markdown with inline math as Unicode) and ("math", display latex).

    Fenced code and code spans are kept verbatim (a ``$`` in code is not math).
    """
    parts: list[tuple[str, str]] = []
    pos = 0
    protected = [m.span() for m in _FENCE.finditer(text)]
    spans: list[tuple[int, int]] = []
    for start, end in [*protected, (len(text), len(text))]:
        for m in _CODE_SPAN.finditer(text, pos, start):
            spans.append(m.span())
        spans.append((start, end))
        pos = end
    pos = 0
    for start, end in spans:
        parts.extend(_inline_math(text[pos:start]))
        parts.append(("md", text[start:end]))
        pos = end
    merged: list[tuple[str, str]] = []
    for kind, chunk in parts:
        if merged and kind == "md" and merged[-1][0] == "md":
            merged[-1] = ("md", merged[-1][1] + chunk)
        else:
            merged.append((kind, chunk))
    return [(k, c) for k, c in merged if k == "math" or c.strip()]


def markdown(text: str) -> RenderableType:
    """A rich renderable for bank Markdown with math."""
    from rich.console import Group
    from rich.markdown import Markdown
    from rich.padding import Padding
    from rich.text import Text

    items: list[RenderableType] = []
    for kind, chunk in split_math(text):
        if kind == "math":
            items.append(Padding(Text(latex_to_unicode(chunk), style="bold"), (0, 0, 0, 4)))
        else:
            items.append(Markdown(chunk, hyperlinks=False))
    return Group(*items)


def plain_math(text: str) -> str:
    """One-line text (a title, an option) with its math as Unicode, no Markdown rendering."""
    return _MATH.sub(
        lambda m: latex_to_unicode(m.group("display") or m.group("inline") or ""), text
    )


def letter(i: int) -> str:
    return chr(ord("A") + i)


# ---------------------------------------------------------------------------- question parts


def header(q: Question, text: LocaleText, position: str = "") -> RenderableType:
    from rich.text import Text

    title = Text(plain_math(text.title), style="bold")
    meta = f"{q.id} · {q.kind} · {q.difficulty}"
    return Text.assemble((position + "  " if position else "", "dim"), title, "  ", (meta, "dim"))


def prompt(q: Question, text: LocaleText) -> RenderableType:
    """The question as asked: prompt, then the options or the statements to judge."""
    from rich.console import Group

    items = [markdown(text.prompt)]
    for i, option in enumerate(text.options or []):
        items.append(markdown(f"**{letter(i)}.** {option}"))
    for i, statement in enumerate(text.statements or []):
        items.append(markdown(f"**[{i + 1}]** {statement}"))
    return Group(*items)


def answer(q: Question, text: LocaleText, lang: str, references: bool = False) -> RenderableType:
    """The vetted answer with key points and misconceptions (and, for ``show``, the sources)."""
    from rich.console import Group
    from rich.rule import Rule
    from rich.text import Text

    items: list[RenderableType] = [Rule(label("answer", lang), style="dim")]
    if q.choice is not None:
        picks = ", ".join(letter(i) for i in q.choice.correct)
        items.append(Text(f"→ {picks}", style="bold green"))
    if q.numeric is not None:
        n = q.numeric
        tol = f"±{n.tolerance:g}" + (" (relative)" if n.relative else "")
        items.append(Text(f"→ {n.value:g}{' ' + n.unit if n.unit else ''}  ({tol})", "bold green"))
    if q.spot is not None:
        wrong = ", ".join(f"[{i + 1}]" for i in q.spot.wrong)
        items.append(Text(f"→ {wrong}", style="bold green"))
    items.append(markdown(text.answer))
    if text.key_points:
        items.append(Text(""))
        items.append(Text(label("key_points", lang), style="bold"))
        items.append(markdown("\n".join(f"- {p}" for p in text.key_points)))
    if text.misconceptions:
        items.append(Text(""))
        items.append(Text(label("misconceptions", lang), style="bold"))
        for m in text.misconceptions:
            claim, fix = label("claim", lang), label("correction", lang)
            items.append(markdown(f"- **{claim}:** {m.claim}  \n  **{fix}:** {m.correction}"))
    if references and q.references:
        items.append(Text(""))
        items.append(Text(label("references", lang), style="bold"))
        for r in q.references:
            where = f" §{r.section}" if r.section else ""
            items.append(Text(f"  {r.title}{where}  {r.url}", style="dim"))
    return Group(*items)


def render_question(q: Question, lang: str, bank: Bank, console: Console | None = None) -> None:
    """``mlprep show``: the whole entry, question then answer."""
    from rich.console import Console

    console = console or Console()
    text = q.text(lang)
    console.print(header(q, text))
    if lang in q.locales and q.is_stale(lang):
        console.print("(this translation is older than the source text)", style="yellow")
    console.print(prompt(q, text))
    if q.exercise:
        console.print(f"exercise: {q.exercise}   mlprep grade {q.exercise} FILE", style="dim")
    console.print(answer(q, text, lang, references=True))
