"""Content commands: list, show, check, schema, stamp."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from mlprep.cli._params import check_lang
from mlprep.content import (
    Bank,
    Problem,
    Question,
    check_bank,
    collect,
    default_root,
    exercise_source_hash,
    load_bank,
)
from mlprep.content._loader import BANK_CONFIG, positions_for
from mlprep.content._models import BankConfig, Exercise

FORMATS = click.Choice(["text", "json"])


def _complete_locales(q: Question, bank: Bank) -> list[str]:
    return [code for code in bank.config.locale_codes if code in q.locales and not q.is_stale(code)]


def question_summary(bank: Bank, q: Question, lang: str) -> dict:
    return {
        "id": q.id,
        "kind": q.kind,
        "title": q.text(lang).title,
        "topic": bank.topic(q.id),
        "tags": q.tags,
        "difficulty": q.difficulty,
        "locales": _complete_locales(q, bank),
        "status": q.vetting.status,
        "auto_gradable": q.auto_gradable,
        "references": [r.model_dump(mode="json", exclude_none=True) for r in q.references],
        "origin": q.origin,
        "exercise": q.exercise,
    }


def _filter(bank: Bank, tags: tuple[str, ...], kinds: tuple[str, ...]) -> list[Question]:
    out = []
    for q in sorted(bank.questions.values(), key=lambda q: (bank.topic(q.id), q.id)):
        if tags and not set(tags) & set(q.tags):
            continue
        if kinds and q.kind not in kinds:
            continue
        out.append(q)
    return out


lang_option = click.option(
    "--lang", default="en", show_default=True, help="Locale code, e.g. en, zh-Hans, zh-Hant."
)
tag_option = click.option(
    "--tag", "tags", multiple=True, help="Only questions with this tag (repeatable)."
)
kind_option = click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["open", "choice", "numeric", "spot-the-error", "exercise"]),
    help="Only questions of this kind (repeatable).",
)


@click.command("list")
@lang_option
@tag_option
@kind_option
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def list_cmd(lang: str, tags: tuple[str, ...], kinds: tuple[str, ...], fmt: str) -> None:
    """List the questions in the bank."""
    bank = load_bank()
    check_lang(bank, lang)
    questions = _filter(bank, tags, kinds)
    if fmt == "json":
        click.echo(
            json.dumps(
                [question_summary(bank, q, lang) for q in questions], ensure_ascii=False, indent=1
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("id", "kind", "level", "title"):
        table.add_column(col, overflow="fold")
    for q in questions:
        table.add_row(q.id, q.kind, q.difficulty, q.text(lang).title)
    console = Console(soft_wrap=False)
    console.print(table)
    console.print(f"{len(questions)} questions", style="dim")


@click.command("show")
@click.argument("qid")
@lang_option
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def show_cmd(qid: str, lang: str, fmt: str) -> None:
    """Show one question with its answer, key points and misconceptions."""
    bank = load_bank()
    check_lang(bank, lang)
    q = bank.question(qid)
    if fmt == "json":
        data = q.model_dump(mode="json", exclude_none=True)
        data["topic"] = bank.topic(q.id)
        data["stale_locales"] = [c for c in q.locales if q.is_stale(c)]
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    from mlprep._render import render_question

    render_question(q, lang, bank)


def _bank_root_of(path: Path) -> Path | None:
    for candidate in [path, *path.parents]:
        if (candidate / "questions" / BANK_CONFIG).is_file():
            return candidate
    return None


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, no summary.")
def check_cmd(paths: tuple[Path, ...], quiet: bool) -> None:
    """Validate questions and exercises: the bundled bank, a bank folder, or files inside one.

    Each problem is printed as PATH:LINE:COL: error|warning: MESSAGE. Exit 1 on any error.
    """
    targets: list[tuple[Path, Path | None]] = []  # (bank root, file or folder to report on)
    for target in (p.resolve() for p in paths):
        root = _bank_root_of(target if target.is_dir() else target.parent)
        if root is None:
            raise click.UsageError(
                f"{target} is not inside a bank (no questions/{BANK_CONFIG} above it)"
            )
        targets.append((root, None if target == root else target))
    if not targets:
        targets.append((default_root().resolve(), None))
    n_errors = n_warnings = n_entries = 0
    for root in dict.fromkeys(r for r, _ in targets):
        scopes = [s for r, s in targets if r == root]
        bank, problems = collect(root)
        if bank is not None:
            problems += check_bank(bank)
            n_entries += len(bank.questions) + len(bank.exercises)
        for p in sorted(set(problems)):
            full = root / p.path
            if None not in scopes and not any(full == s or s in full.parents for s in scopes):
                continue
            click.echo(Problem(str(_display(full)), p.line, p.col, p.severity, p.message).format())
            n_errors += p.severity == "error"
            n_warnings += p.severity == "warning"
    if not quiet:
        click.echo(
            f"checked {n_entries} entries: {n_errors} errors, {n_warnings} warnings", err=True
        )
    if n_errors:
        sys.exit(1)


def _display(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


SCHEMAS = {"question": Question, "exercise": Exercise, "bank": BankConfig}


@click.command("schema")
@click.option("--kind", type=click.Choice(sorted(SCHEMAS)), default="question", show_default=True)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file instead of stdout.",
)
def schema_cmd(kind: str, out: Path | None) -> None:
    """Print the JSON Schema of a content file, for editors that validate YAML as you type."""
    schema = SCHEMAS[kind].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    if out:
        out.write_text(text, "utf-8")
    else:
        click.echo(text, nl=False)


_HASH_LINE = re.compile(r"^(\s*translated_from:\s*)(['\"]?)[0-9a-f]*\2(\s*(#.*)?)$")


@click.command("stamp")
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--locale",
    "locales",
    multiple=True,
    help="Only these locales (repeatable); default: all translations.",
)
def stamp_cmd(ids: tuple[str, ...], locales: tuple[str, ...]) -> None:
    """Mark translations of questions or exercises as up to date with their source text.

    Run it after you have updated a translation: it writes the source text's current hash into
    each translation's 'translated_from'. IDS are question or exercise ids.
    """
    bank = load_bank()
    for entry_id in ids:
        if entry_id in bank.questions:
            q = bank.questions[entry_id]
            path, want = bank.question_path(entry_id), q.source.source_hash()
            codes = [c for c in q.locales if c != q.source_locale]
        elif entry_id in bank.exercises:
            ex = bank.exercises[entry_id]
            path = Path(bank.paths[f"x:{entry_id}"])
            want = exercise_source_hash(bank, ex, ex.locales[ex.source_locale])
            codes = [c for c in ex.locales if c != ex.source_locale]
        else:
            raise click.BadParameter(f"no question or exercise '{entry_id}'", param_hint="IDS")
        positions = positions_for(bank, path)
        lines = path.read_text("utf-8").splitlines(keepends=True)
        changed = []
        for code in codes:
            if locales and code not in locales:
                continue
            pos = positions.get(("locales", code, "translated_from"))
            if pos is None:
                raise click.ClickException(
                    f"{path}: locale '{code}' has no 'translated_from' key to stamp"
                )
            i = pos[0] - 1
            m = _HASH_LINE.match(lines[i].rstrip("\n"))
            if m is None:
                raise click.ClickException(
                    f"{path}:{pos[0]}: cannot rewrite this 'translated_from' line"
                )
            eol = "\n" if lines[i].endswith("\n") else ""
            lines[i] = (
                f'{m.group(1)}"{want}"{m.group(3)}{eol}'  # quoted: YAML reads an all-digit hash as int
            )
            changed.append(code)
        path.write_text("".join(lines), "utf-8")
        click.echo(f"{entry_id}: stamped {', '.join(changed) or 'nothing'} with {want}")
