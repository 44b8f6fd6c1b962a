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
    from grader._grade import grade_record
    from grader._report import render

    def warm() -> None:  # import the renderer while the submission runs
        if fmt == "text":
            import rich.console  # noqa: F401
        else:
            import grader._report._formats  # noqa: F401  (pydantic)

    try:
        # a record, not the pydantic document: the text report never imports pydantic
        result = grade_record(exercise, path, seed=seed, lang=lang, while_running=warm)
    except MlprepError:
        raise
    except Exception as exc:  # a bug of the grader: still one clean line and exit 2
        raise GradingError(f"internal error while grading: {type(exc).__name__}: {exc}") from exc
    color = None if fmt == "text" and sys.stdout.isatty() else False
    click.echo(render(result, fmt, color=color), nl=False)
    return 0 if result.passed else 1


def _batch(
    exercise: str,
    folder: Path,
    fmt: str,
    lang: str,
    seed: int | None,
    jobs: int,
    csv_path: Path | None,
    scheduler: str | None,
) -> int:
    """Every learner in FOLDER (grader._batch); json: one object per line, in name order."""
    from grader._batch import iter_grades, learners, prepare, printable
    from grader._report import render

    subs = learners(folder)
    if not subs:
        raise GradingError(f"{folder} holds no .py or .ipynb files and no sub-folders")
    if scheduler:
        from grader._distributed import grade_distributed

        results = grade_distributed(exercise, subs, scheduler, seed=seed, lang=lang)
    else:
        results = iter_grades(prepare(exercise, seed), subs, jobs=jobs, lang=lang)
    done = []
    for r in results:
        done.append(r)
        if fmt == "json":
            click.echo(r.model_dump_json())
        elif fmt == "text":
            line = f"{r.submission}: {r.status} {r.points:g}/{r.max_points:g}  {r.message}"
            click.echo(printable(line))
        else:
            click.echo(render(r, fmt, color=False), nl=False)
    if csv_path is not None:
        from grader._batch import write_csv

        write_csv(csv_path, done)
    return 0 if all(r.passed for r in done) else 1


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
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Folder: grade this many submissions at a time.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Folder: also write one summary row per submission to this CSV file.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Folder: grade on a Dask cluster (e.g. tcp://10.0.0.5:8786) instead of locally.",
)
def grade_cmd(
    exercise: str,
    submission: Path,
    fmt: str,
    lang: str,
    seed: int | None,
    watch: bool,
    jobs: int,
    csv_path: Path | None,
    scheduler: str | None,
) -> None:
    """Grade SUBMISSION (a .py file, a .ipynb notebook, or a folder of them) on EXERCISE.

    A folder is a class: each .py/.ipynb file, or each sub-folder, is one learner; all are
    graded with the same seed, --jobs at a time (or on a Dask cluster with --scheduler).

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
        code = _batch(exercise, submission, fmt, lang, seed, jobs, csv_path, scheduler)
    elif watch:
        code = _watch(exercise, submission, fmt, lang, seed)
    else:
        if csv_path is not None or scheduler is not None:
            raise GradingError("--csv and --scheduler need a folder of submissions")
        code = _grade_one(exercise, submission, fmt, lang, seed)
    click.get_current_context().exit(code)
