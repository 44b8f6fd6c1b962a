"""``mlprep grade``: judge a submission and explain every failure.

Exit codes: 0 passed; 1 failed (a failing check, a crash, a timeout, a limit, a forbidden
import); 2 could not grade (unknown exercise, unreadable file, an error of the grader itself).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from mlprep._errors import GradingError, MlprepError

FORMATS = ("text", "json", "gradescope", "junit")
LANGS = ("en", "zh-Hans", "zh-Hant")
SUFFIXES = (".py", ".ipynb")


def _grade_one(exercise: str, path: Path, fmt: str, lang: str, seed: int | None) -> int:
    from grader._grade import grade
    from grader._report import render

    try:
        result = grade(exercise, path, seed=seed, lang=lang)
    except MlprepError:
        raise
    except Exception as exc:  # a bug of the grader: still one clean line and exit 2
        raise GradingError(f"internal error while grading: {type(exc).__name__}: {exc}") from exc
    color = None if fmt == "text" and sys.stdout.isatty() else False
    click.echo(render(result, fmt, color=color), nl=False)
    return 0 if result.passed else 1


def _batch(exercise: str, folder: Path, fmt: str, lang: str, seed: int | None) -> int:
    from grader._grade import grade_batch
    from grader._report import render

    files = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    if not files:
        raise GradingError(f"{folder} holds no .py or .ipynb files")
    results = grade_batch(exercise, files, seed=seed, lang=lang)
    for r in results:
        if fmt == "json":
            click.echo(r.model_dump_json())
        else:
            click.echo(render(r, fmt, color=False), nl=False)
    return 0 if all(r.passed for r in results) else 1


def _watch(exercise: str, path: Path, fmt: str, lang: str, seed: int | None) -> int:
    code = 2
    try:
        while True:
            try:
                mtime = path.stat().st_mtime_ns
            except OSError:
                mtime = None
            if mtime is not None:
                click.clear() if fmt == "text" and sys.stdout.isatty() else None
                try:
                    code = _grade_one(exercise, path, fmt, lang, seed)
                except GradingError as exc:  # e.g. a half-saved file: say so and keep watching
                    click.secho(f"error: {exc}", err=True, fg="red")
                    code = 2
            click.secho(f"watching {path} (Ctrl-C to stop)", err=True, dim=True)
            while True:
                time.sleep(0.3)
                try:
                    if path.stat().st_mtime_ns != mtime:
                        break
                except OSError:
                    continue
    except KeyboardInterrupt:
        return code


@click.command("grade")
@click.argument("exercise")
@click.argument("submission", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people; json, gradescope (results.json) or junit (XML) for tools.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default="en",
    show_default=True,
    help="Language of messages and hints.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the random inputs (printed in every result) to reproduce a run.",
)
@click.option("--watch", is_flag=True, help="Grade again whenever the file is saved.")
def grade_cmd(
    exercise: str, submission: Path, fmt: str, lang: str, seed: int | None, watch: bool
) -> None:
    """Grade SUBMISSION (a .py file, a .ipynb notebook, or a folder of them) on EXERCISE.

    The submission runs in a separate, limited process; its outputs are compared with the
    reference on random inputs (reproducible with --seed), and every failed check says which
    output, where, by how much, and names the likely mistake. Exit code: 0 passed, 1 failed,
    2 could not grade.
    """
    if not submission.exists():
        raise GradingError(f"{submission}: no such file or folder")
    if submission.is_dir():
        if watch:
            raise GradingError("--watch needs a file, not a folder")
        code = _batch(exercise, submission, fmt, lang, seed)
    elif watch:
        code = _watch(exercise, submission, fmt, lang, seed)
    else:
        code = _grade_one(exercise, submission, fmt, lang, seed)
    click.get_current_context().exit(code)
