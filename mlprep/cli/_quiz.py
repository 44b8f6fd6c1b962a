"""Quiz commands: quiz (spaced repetition), stats, export anki|csv."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mlprep.content import Bank, load_bank

KINDS = click.Choice(["open", "choice", "numeric", "spot-the-error", "exercise"])

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Progress database (default: $MLPREP_DB, else progress.sqlite3 in the user data dir).",
)


def _check_filters(bank: Bank, lang: str, tags: tuple[str, ...]) -> None:
    if lang not in bank.config.locale_codes:
        raise click.BadParameter(
            f"unknown locale '{lang}' (known: {', '.join(bank.config.locale_codes)})",
            param_hint="--lang",
        )
    unknown = [t for t in tags if t not in bank.config.tags]
    if unknown:
        raise click.BadParameter(f"unknown tag '{unknown[0]}'", param_hint="--tag")


@click.command("quiz")
@click.option("--lang", default="en", show_default=True, help="Locale: en, zh-Hans, zh-Hant.")
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=KINDS, help="Only this kind (repeatable).")
@click.option("--count", default=20, show_default=True, type=click.IntRange(1), help="Most questions in this session.")
@click.option("--new", "new", default=10, show_default=True, type=click.IntRange(0), help="Most unseen questions mixed in with the due ones.")
@click.option("--cram", is_flag=True, help="Ignore the schedule: ask matching questions, least recently seen first; reviews are logged but do not move due dates.")
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

    bank = load_bank()
    _check_filters(bank, lang, tags)
    with open_store(db_path) as store:
        now = utc_now()
        queue = build_queue(matching(bank, tags, kinds), store.cards(), now, count=count, new=new, cram=cram)
        term = open_terminal()
        if store.backup is not None:
            term.console.print(f"progress database upgraded; the old file is kept as {store.backup}", style="dim")
        if not queue:
            _nothing_due(term.console, store, bank)
            return
        summary = Session(bank, Reviewer(store, lang, cram=cram), term, queue).run()
    console = term.console
    graded = f", {summary.correct}/{summary.graded} auto-graded correct" if summary.graded else ""
    end = "interrupted" if summary.interrupted else "stopped" if summary.quit else "done"
    console.print(f"Session {end}: {summary.answered} answered{graded}; every answer is saved.", markup=False)
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
