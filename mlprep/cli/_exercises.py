"""``mlprep exercises``: list the coding exercises, show one, start one in a folder."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mlprep import _exercises
from mlprep.cli._params import check_lang
from mlprep.content import load_bank

lang_option = click.option(
    "--lang", default="en", show_default=True, help="Locale code, e.g. en, zh-Hans, zh-Hant."
)


@click.group("exercises")
def exercises_group() -> None:
    """Coding exercises graded against trusted implementations."""


@exercises_group.command("list")
@lang_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def list_cmd(lang: str, fmt: str) -> None:
    """List the exercises, easiest first."""
    bank = load_bank()
    check_lang(bank, lang)
    exercises = _exercises.ordered(bank)
    if fmt == "json":
        records = [_exercises.summary(ex) for ex in exercises]
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("id", "kind", "level", "points", "title"):
        table.add_column(col, overflow="fold")
    for ex in exercises:
        title = _exercises.locale_text(ex, lang).title
        table.add_row(ex.id, ex.kind, ex.difficulty, f"{ex.points:g}", title)
    console = Console(soft_wrap=False)
    console.print(table)
    console.print(
        f"{len(exercises)} exercises · mlprep exercises show ID · mlprep exercises start ID",
        style="dim",
    )


@exercises_group.command("show")
@click.argument("exercise_id", metavar="ID")
@lang_option
def show_cmd(exercise_id: str, lang: str) -> None:
    """Show an exercise's statement and hints, and how to start and grade it."""
    bank = load_bank()
    check_lang(bank, lang)
    ex = _exercises.get_exercise(bank, exercise_id)
    text = _exercises.locale_text(ex, lang)
    statement = _exercises.statement(bank, ex, lang)

    from rich.console import Console
    from rich.markdown import Markdown

    console = Console()
    console.rule(f"[bold]{text.title}[/]  [dim]{ex.id} · {ex.kind} · {ex.difficulty}[/]")
    console.print(Markdown(_exercises.terminal_markdown(statement)))
    if text.hints:
        console.rule("hints", style="dim")
        hints = "\n".join(f"{i}. {h}" for i, h in enumerate(text.hints, 1))
        console.print(Markdown(_exercises.terminal_markdown(hints)))
    console.rule(style="dim")
    entry = ", ".join(ex.entry_points)
    optional = (
        f" (optional: {', '.join(ex.optional_entry_points)})" if ex.optional_entry_points else ""
    )
    console.print(f"define: {entry}{optional}", markup=False)
    console.print(f"allowed imports: {', '.join(ex.allowed_imports)}", markup=False)
    console.print(f"points: {ex.points:g}", markup=False)
    console.print(f"start:  mlprep exercises start {ex.id}", markup=False)
    console.print(f"grade:  {_exercises.grade_command(ex, 'FILE')}", markup=False)


@exercises_group.command("start")
@click.argument("exercise_id", metavar="ID")
@click.argument("folder", metavar="[DIR]", required=False, type=click.Path(path_type=Path))
@lang_option
def start_cmd(exercise_id: str, folder: Path | None, lang: str) -> None:
    """Create DIR (default ./ID) with the starter code and the statement.

    Writes DIR/submission.py (edit this) and DIR/statement.md (in --lang). Never overwrites an
    existing file: if either exists, nothing is written and the command fails.
    """
    bank = load_bank()
    check_lang(bank, lang)
    ex = _exercises.get_exercise(bank, exercise_id)
    started = _exercises.start(bank, ex, folder or Path(ex.id), lang)
    for path in started.files:
        click.echo(f"wrote {path}")
    click.echo("")
    click.echo("next steps:")
    click.echo(f"  1. read {started.folder / _exercises.STATEMENT_FILE}")
    click.echo(f"  2. implement {', '.join(ex.entry_points)} in {started.submission}")
    click.echo(f"  3. {_exercises.grade_command(ex, started.submission)}")
