"""Terminal rendering of questions: Markdown through rich, math as readable Unicode.

Markdown is parsed by the bank's own parser (the one ``mlprep check`` validates with) and drawn by
``mlprep._mdterm``; math becomes Unicode (``mlprep._latex``): inline math in the line, display math
on its own indented line. Without a terminal (pipes, tests) rich prints no colours and no control
codes, so the same functions serve both.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from mlprep.content import Bank, LocaleText, Question

LABELS: dict[str, dict[str, str]] = {
    "en": {"answer": "Answer", "key_points": "Key points", "misconceptions": "Misconceptions",
           "claim": "Claim", "correction": "Correction", "references": "References"},
    "zh-Hans": {"answer": "答案", "key_points": "要点", "misconceptions": "常见误解",
                "claim": "误解", "correction": "更正", "references": "参考资料"},
    "zh-Hant": {"answer": "答案", "key_points": "要點", "misconceptions": "常見誤解",
                "claim": "誤解", "correction": "更正", "references": "參考資料"},
}  # fmt: skip


class _PlainStdout:
    """sys.stdout (looked up at each write, as click's test runner swaps it) without the trailing
    spaces rich pads lines with, so piped output diffs and greps cleanly."""

    def write(self, text: str) -> int:
        sys.stdout.write(re.sub(r"[ \t]+\n", "\n", text))
        return len(text)

    def flush(self) -> None:
        sys.stdout.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return getattr(sys.stdout, "encoding", None) or "utf-8"


def console_for_stdout() -> Console:
    """A console on stdout; without a terminal, lines lose rich's trailing padding."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(highlight=False)
    return Console(file=_PlainStdout(), highlight=False)


def label(key: str, lang: str) -> str:
    return LABELS.get(lang, LABELS["en"]).get(key) or LABELS["en"][key]


def markdown(text: str) -> RenderableType:
    """A rich renderable for bank Markdown with math."""
    from mlprep._mdterm import render_markdown

    return render_markdown(text)


def inline(text: str) -> Text:
    """One-line Markdown (a title, an option) with its math as Unicode."""
    from mlprep._mdterm import render_inline

    return render_inline(text)


def flush() -> None:
    """Keep the Markdown parsed so far in the content cache (done at exit too)."""
    from mlprep._mdtree import flush

    flush()


def letter(i: int) -> str:
    return chr(ord("A") + i)


# ---------------------------------------------------------------------------- question parts


def header(q: Question, text: LocaleText, position: str = "") -> RenderableType:
    from rich.text import Text

    title = inline(text.title)
    title.stylize("bold")
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
        claim, fix = label("claim", lang), label("correction", lang)
        items.append(
            markdown(
                "\n".join(
                    f"- **{claim}:** {m.claim}  \n  **{fix}:** {m.correction}"
                    for m in text.misconceptions
                )
            )
        )
    if references and q.references:
        items.append(Text(""))
        items.append(Text(label("references", lang), style="bold"))
        for r in q.references:
            where = f" §{r.section}" if r.section else ""
            items.append(Text(f"  {r.title}{where}  {r.url}", style="dim"))
    return Group(*items)


def render_question(q: Question, lang: str, bank: Bank, console: Console | None = None) -> None:
    """``mlprep show``: the whole entry, question then answer."""
    console = console or console_for_stdout()
    text = q.text(lang)
    console.print(header(q, text))
    if lang in q.locales and q.is_stale(lang):
        console.print("(this translation is older than the source text)", style="yellow")
    console.print(prompt(q, text))
    if q.exercise:
        console.print(f"exercise: {q.exercise}   mlprep grade {q.exercise} FILE", style="dim")
    console.print(answer(q, text, lang, references=True))
