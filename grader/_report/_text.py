"""What a learner reads in a terminal: short, coloured, the first failure explained in full."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader._record import GradeRecord
    from grader._result import GradeResult

LABELS = {
    "en": {
        "score": "score",
        "hint": "hint",
        "see": "see question",
        "more": "{n} more failing check(s) above",
        "seed": "seed",
        "out": "output of your code",
    },
    "zh-Hans": {
        "score": "得分",
        "hint": "提示",
        "see": "参见题目",
        "more": "另有 {n} 项检查未通过（见上）",
        "seed": "随机种子",
        "out": "你的代码的输出",
    },
    "zh-Hant": {
        "score": "得分",
        "hint": "提示",
        "see": "參見題目",
        "more": "另有 {n} 項檢查未通過（見上）",
        "seed": "隨機種子",
        "out": "你的程式碼的輸出",
    },
}


def render_text(
    result: GradeResult | GradeRecord, color: bool | None = None, width: int = 100
) -> str:
    """Reads only attributes, which the document and the record share (no pydantic needed)."""
    from rich.console import Console
    from rich.markup import escape

    lab = LABELS.get(result.lang, LABELS["en"])
    console = Console(
        record=True,
        width=width,
        force_terminal=color,
        no_color=color is False,
        file=_Null(),
        highlight=False,
    )
    ok = result.passed
    mark = "[bold green]✓[/]" if ok else "[bold red]✗[/]"
    console.print(
        f"{mark} [bold]{escape(result.exercise)}[/] — {escape(result.message)}  "
        f"[dim]{lab['score']} {result.points:g}/{result.max_points:g} · "
        f"{lab['seed']} {result.seed}[/]"
    )
    failing = [c for c in result.checks if not c.passed]
    if result.status != "failed" and all(not c.where and c.error is None for c in failing):
        failing = []  # nothing ran (syntax error, forbidden import…): the header says it all
    for c in result.checks if failing or result.passed else []:
        sym = "[dim]·[/]" if c.max_points == 0 else "[green]✓[/]" if c.passed else "[red]✗[/]"
        console.print(f"  {sym} {escape(c.title)} [dim]({c.id})[/]")
    if failing:
        first = failing[0]
        console.print()
        console.print(f"[bold red]{escape(first.title)}[/]")
        console.print(f"  {escape(first.message)}")
        if first.hint:
            console.print(f"  [yellow]{lab['hint']}:[/] {escape(first.hint)}")
        if first.question:
            console.print(f"  [cyan]{lab['see']}:[/] {escape(first.question)}")
        if len(failing) > 1:
            console.print(f"  [dim]{lab['more'].format(n=len(failing) - 1)}[/]")
    if not ok and result.stdout.strip():
        console.print(f"[dim]{lab['out']}:[/]")
        console.print(escape("\n".join(result.stdout.rstrip().splitlines()[-10:])))
    return console.export_text(styles=bool(color)).rstrip("\n") + "\n"


class _Null:
    def write(self, s: str) -> int:
        return len(s)

    def flush(self) -> None:
        return None
