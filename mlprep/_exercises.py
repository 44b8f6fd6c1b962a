"""Coding exercises for the CLI: summaries, statements, and a learner's starting folder.

Everything here receives the loaded ``Bank``; the exercise's own files (starter, statements) are
read from ``bank.exercise_dir(id)``. Starting an exercise never overwrites a learner's file: the
whole plan is checked before the first byte is written, and files are created exclusively.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from mlprep._errors import MlprepError, NotFoundError
from mlprep.content import Bank, Exercise, ExerciseLocale

SUBMISSION_FILE = "submission.py"  # the starter, copied: the file the learner edits and grades
STATEMENT_FILE = "statement.md"  # the statement in the chosen language

_DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}

# The one line of the workspace's statement file that is not content: how to grade.
_GRADE_LINE = {
    "en": "Grade your solution with:",
    "zh-Hans": "用以下命令给你的解答评分：",
    "zh-Hant": "用以下指令為你的解答評分：",
}


def ordered(bank: Bank) -> list[Exercise]:
    """Exercises in study order: easiest first, then by id."""
    return sorted(bank.exercises.values(), key=lambda x: (_DIFFICULTY_ORDER[x.difficulty], x.id))


def get_exercise(bank: Bank, xid: str) -> Exercise:
    """The exercise ``xid``, or a NotFoundError that suggests the closest ids."""
    if xid in bank.exercises:
        return bank.exercises[xid]
    close = difflib.get_close_matches(xid, list(bank.exercises), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise NotFoundError(
        f"no exercise with id '{xid}'{hint}; 'mlprep exercises list' shows them all"
    )


def locale_text(ex: Exercise, lang: str) -> ExerciseLocale:
    """The exercise's text in ``lang``, falling back to its source locale."""
    return ex.locales.get(lang) or ex.locales[ex.source_locale]


def summary(ex: Exercise) -> dict:
    """The JSON record of ``mlprep exercises list --format json``."""
    return {
        "id": ex.id,
        "kind": ex.kind,
        "title": {code: text.title for code, text in ex.locales.items()},
        "difficulty": ex.difficulty,
        "tags": list(ex.tags),
        "points": ex.points,
        "entry_points": list(ex.entry_points),
        "optional_entry_points": list(ex.optional_entry_points),
        "allowed_imports": list(ex.allowed_imports),
        "needs_torch": ex.needs_torch,
        "limits": ex.limits.model_dump(),
        "related_questions": list(ex.related_questions),
        "locales": list(ex.locales),
    }


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MlprepError(f"cannot read {path}: {exc}") from None


def statement(bank: Bank, ex: Exercise, lang: str) -> str:
    """The statement's Markdown in ``lang`` (or the source locale)."""
    return _read(bank.exercise_dir(ex.id) / locale_text(ex, lang).statement)


def starter(bank: Bank, ex: Exercise) -> str:
    """The starter file's source, exactly as the learner receives it."""
    return _read(bank.exercise_dir(ex.id) / ex.starter)


# Terminal rendering: rich's Markdown has no math, and CommonMark would eat LaTeX's backslash
# escapes (``\,`` becomes ``,``). Math is shown as literal LaTeX in code spans instead.
_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
_DISPLAY_LINE = re.compile(r"^([ \t]*)\$\$(.+?)\$\$[ \t]*$", re.M | re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)([^$\n]+?)(?<!\\)\$(?!\$)")


def _code(latex: str) -> str:
    latex = " ".join(latex.split())
    return f"`` {latex} ``" if "`" in latex else f"`{latex}`"


def _math_to_code(prose: str) -> str:
    def block(m: re.Match[str]) -> str:
        indent, latex = m.group(1), m.group(2).strip()
        return f"{indent}```\n{indent}{' '.join(latex.split())}\n{indent}```"

    prose = _DISPLAY_LINE.sub(block, prose)
    prose = _DISPLAY.sub(lambda m: _code(m.group(1)), prose)
    return _INLINE.sub(lambda m: _code(m.group(1)), prose)


def terminal_markdown(markdown: str) -> str:
    """``markdown`` with its ``$…$`` / ``$$…$$`` math turned into code, for rich's renderer."""
    out, pos = [], 0
    for fence in _FENCE.finditer(markdown):
        out.append(_outside_code_spans(markdown[pos : fence.start()]))
        out.append(fence.group(0))
        pos = fence.end()
    out.append(_outside_code_spans(markdown[pos:]))
    return "".join(out)


def _outside_code_spans(text: str) -> str:
    out, pos = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_math_to_code(text[pos : span.start()]))
        out.append(span.group(0))
        pos = span.end()
    out.append(_math_to_code(text[pos:]))
    return "".join(out)


def grade_command(ex: Exercise, path: str | Path = SUBMISSION_FILE) -> str:
    return f"mlprep grade {ex.id} {path}"


def workspace_statement(bank: Bank, ex: Exercise, lang: str) -> str:
    """The statement file written into a learner's folder: title, statement, how to grade."""
    text = locale_text(ex, lang)
    code = lang if lang in ex.locales else ex.source_locale
    grade_line = _GRADE_LINE.get(code, _GRADE_LINE["en"])
    body = statement(bank, ex, lang).rstrip("\n")
    return f"# {text.title}\n\n{body}\n\n---\n\n{grade_line}\n\n```\n{grade_command(ex)}\n```\n"


@dataclass(frozen=True)
class Started:
    folder: Path
    files: list[Path]
    submission: Path


def start(bank: Bank, ex: Exercise, folder: Path, lang: str) -> Started:
    """Write the starter and the statement into ``folder``, creating it.

    Refuses (MlprepError, nothing written) when either file already exists, so a learner's work
    is never overwritten.
    """
    if folder.exists() and not folder.is_dir():
        raise MlprepError(f"{folder} exists and is not a folder")
    contents = {
        folder / SUBMISSION_FILE: starter(bank, ex),
        folder / STATEMENT_FILE: workspace_statement(bank, ex, lang),
    }
    existing = [path for path in contents if path.exists() or path.is_symlink()]
    if existing:
        names = " and ".join(str(p) for p in existing)
        verb, pronoun = ("exist", "them") if len(existing) > 1 else ("exists", "it")
        raise MlprepError(
            f"{names} already {verb}; not overwriting {pronoun} (nothing was written). "
            "Pick another folder, or move the file away first."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MlprepError(f"cannot create {folder}: {exc.strerror}") from None
    written: list[Path] = []
    for path, text in contents.items():
        try:
            with path.open("x", encoding="utf-8") as fh:  # "x": fail rather than overwrite
                fh.write(text)
        except FileExistsError:  # created between the check and now
            raise MlprepError(f"{path} already exists; not overwriting it") from None
        except OSError as exc:
            raise MlprepError(f"cannot write {path}: {exc.strerror}") from None
        written.append(path)
    return Started(folder=folder, files=written, submission=folder / SUBMISSION_FILE)
