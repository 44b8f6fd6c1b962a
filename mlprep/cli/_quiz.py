"""Quiz commands: quiz (spaced repetition), stats, export anki|csv."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlprep.cli._params import check_lang
from mlprep.content import load_bank

if TYPE_CHECKING:
    from mlprep.content import Bank

KINDS = click.Choice(["open", "choice", "numeric", "spot-the-error", "exercise"])

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Progress database (default: $MLPREP_DB, else progress.sqlite3 in the user data dir).",
)


def _check_filters(bank: Bank, lang: str, tags: tuple[str, ...]) -> None:
    check_lang(bank, lang)
    unknown = [t for t in tags if t not in bank.config.tags]
    if unknown:
        raise click.BadParameter(f"unknown tag '{unknown[0]}'", param_hint="--tag")


@click.command("quiz")
@click.option("--lang", default="en", show_default=True, help="Locale: en, zh-Hans, zh-Hant.")
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=KINDS, help="Only this kind (repeatable).")
@click.option(
    "--count",
    default=20,
    show_default=True,
    type=click.IntRange(1),
    help="Most questions in this session.",
)
@click.option(
    "--new",
    "new",
    default=10,
    show_default=True,
    type=click.IntRange(0),
    help="Most unseen questions mixed in with the due ones.",
)
@click.option(
    "--cram",
    is_flag=True,
    help="Ignore the schedule: ask matching questions, least recently seen first; reviews are logged but do not move due dates.",
)
@db_option
def quiz_cmd(
    lang: str,
    tags: tuple[str, ...],
    kinds: tuple[str, ...],
    count: int,
    new: int,
    cram: bool,
    db_path: Path | None,
) -> None:
    """Review questions with spaced repetition (FSRS).

    Choice, numeric and spot-the-error questions are graded at once (correct counts as Good,
    wrong as Again); for open questions you reveal the answer and rate yourself 1-4
    (Again/Hard/Good/Easy). Keys at any prompt: q quit, u undo the previous rating, s skip,
    ? help. Every answer is saved as you give it.
    """
    from mlprep.quiz import Reviewer, Session, build_queue, matching, open_store, open_terminal
    from mlprep.quiz._schedule import utc_now

    bank = load_bank(records=True)  # no pydantic on a warm start: see mlprep.content._records
    _check_filters(bank, lang, tags)
    with open_store(db_path) as store:
        now = utc_now()
        cards = store.cards()
        picked = build_queue(
            matching(bank, tags, kinds), cards, now, count=count, new=new, cram=cram
        )
        queue = [bank.questions[h.id] for h in picked]  # only these get fully validated
        term = open_terminal()
        if store.backup is not None:
            term.console.print(
                f"progress database upgraded; the old file is kept as {store.backup}", style="dim"
            )
        if not queue:
            _nothing_due(term.console, store, bank)
            return
        n_new = sum(q.id not in cards for q in queue)
        plan = "cram: the schedule is ignored" if cram else f"{len(queue) - n_new} due, {n_new} new"
        term.console.print(
            f"{len(queue)} question{'s' if len(queue) != 1 else ''} ({plan}). "
            "Keys: q quit · u undo · s skip · ? help",
            style="dim",
            markup=False,
        )
        summary = Session(bank, Reviewer(store, lang, cram=cram), term, queue).run()
    console = term.console
    graded = f", {summary.correct}/{summary.graded} auto-graded correct" if summary.graded else ""
    end = "interrupted" if summary.interrupted else "stopped" if summary.quit else "done"
    console.print(
        f"Session {end}: {summary.answered} answered{graded}; every answer is saved.", markup=False
    )
    if summary.interrupted:
        sys.exit(130)


def _nothing_due(console, store, bank: Bank) -> None:
    cards = [c for qid, c in store.cards().items() if qid in bank.questions]
    if cards:
        nxt = min(c.due for c in cards).astimezone()
        console.print(f"Nothing due now; the next card is due {nxt:%Y-%m-%d %H:%M}.", markup=False)
    else:
        console.print("No questions match.", markup=False)
    console.print("Use --new N for unseen questions or --cram to review regardless.", markup=False)


@click.command("stats")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@db_option
def stats_cmd(fmt: str, db_path: Path | None) -> None:
    """Show your progress: due today, reviews, retention, streak and mastery per tag.

    Retention is the share of recall attempts (reviews of a question seen before) rated Good or
    Easy. Mastery of a tag is FSRS's mean predicted recall now over its questions, unseen ones
    counting 0. The streak counts consecutive days with reviews up to today (or yesterday, until
    today ends).
    """
    import json
    from datetime import datetime

    from mlprep.quiz import open_store
    from mlprep.quiz._schedule import utc_now
    from mlprep.quiz._stats import compute_stats

    bank = load_bank(records=True)
    with open_store(db_path, create=False) as store:
        stats = compute_stats(bank, store, utc_now(), datetime.now().astimezone().tzinfo)
    if fmt == "json":
        click.echo(json.dumps(stats.to_json(), ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.0f}%"

    console = Console(highlight=False)
    days = f"{stats.streak_days} day{'s' if stats.streak_days != 1 else ''}"
    lines = [
        ("due now", str(stats.due_now)),
        ("due today", str(stats.due_today)),
        ("never seen", str(stats.unseen)),
        ("reviews", f"{stats.total_reviews} ({stats.reviews_today} today)"),
        ("retention", f"{pct(stats.retention)} of {stats.recall_attempts} recall attempts"),
        ("predicted recall now", pct(stats.mean_retrievability)),
        ("streak", days),
    ]
    for name, value in lines:
        console.print(f"{name + ':':<22}{value}", markup=False)
    console.print()
    table = Table(box=None, pad_edge=False)
    for col, justify in (("tag", "left"), ("seen", "right"), ("mastery", "right")):
        table.add_column(col, justify=justify)
    for t in stats.tags:
        table.add_row(t.tag, f"{t.seen}/{t.questions}", pct(t.mastery))
    console.print(table)


@click.group("export")
def export_group() -> None:
    """Export the bank to Anki, or your review history to CSV."""


@export_group.command("anki")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help="The locale the cards show; every locale is stored in the note's fields.",
)
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag (repeatable).")
def export_anki_cmd(file: Path, lang: str, tags: tuple[str, ...]) -> None:
    """Write the bank as an Anki package (FILE.apkg): one note per question, all locales as fields.

    Re-importing a newer export updates the notes in place (stable note, model and deck ids).
    """
    from mlprep.quiz import matching
    from mlprep.quiz._export import export_anki

    bank = load_bank()
    _check_filters(bank, lang, tags)
    if file.suffix != ".apkg":
        raise click.BadParameter("the file name must end in .apkg", param_hint="FILE")
    chosen = [bank.questions[h.id] for h in matching(bank, tags)] if tags else None
    n = export_anki(bank, file, lang, chosen)
    click.echo(f"wrote {n} notes to {file}", err=True)


@export_group.command("csv")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@db_option
def export_csv_cmd(file: Path | None, db_path: Path | None) -> None:
    """Write your review history as CSV to FILE (default: standard output)."""
    from mlprep.quiz import open_store
    from mlprep.quiz._export import export_csv

    with open_store(db_path, create=False) as store:
        reviews = store.reviews()
    if file is None:
        export_csv(reviews, sys.stdout)
        return
    with file.open("w", encoding="utf-8", newline="") as out:
        n = export_csv(reviews, out)
    click.echo(f"wrote {n} reviews to {file}", err=True)
