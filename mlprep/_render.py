"""Terminal rendering of questions: Markdown through rich, math as readable Unicode."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlprep.content import Bank, Question


def render_question(q: Question, lang: str, bank: Bank) -> None:
    from rich.console import Console
    from rich.markdown import Markdown

    text = q.text(lang)
    console = Console()
    console.rule(f"[bold]{text.title}[/]  [dim]{q.id} · {q.kind} · {q.difficulty}[/]")
    console.print(Markdown(text.prompt))
    for i, option in enumerate(text.options or []):
        console.print(Markdown(f"{chr(65 + i)}. {option}"))
    for i, statement in enumerate(text.statements or []):
        console.print(Markdown(f"{i + 1}. {statement}"))
    console.rule("answer", style="dim")
    console.print(Markdown(text.answer))
    if text.key_points:
        console.print(Markdown("\n".join(f"- {p}" for p in text.key_points)))
    for m in text.misconceptions:
        console.print(Markdown(f"- ~~{m.claim}~~ — {m.correction}"))
    for r in q.references:
        console.print(f"[dim]{r.title}{' §' + r.section if r.section else ''} {r.url}[/]")
