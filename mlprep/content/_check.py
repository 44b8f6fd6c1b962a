"""Checks across a loaded bank: tags, locales, staleness, math, raw HTML, links between entries.

Schema errors are found while loading (``_loader``); these need the whole bank or the Markdown.
Every problem points at the offending key: ``path:line:col: severity: message``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mlprep.content import _yaml
from mlprep.content._loader import Bank, exercise_source_hash, positions_for
from mlprep.content._markdown import MathError, scan, to_mathml
from mlprep.content._models import Exercise, LocaleText, Question
from mlprep.content._problems import STALE, Problem, Severity


class _Reporter:
    def __init__(self, bank: Bank, path: Path):
        self.bank, self.path = bank, path
        self.rel = str(path.relative_to(bank.root)) if path.is_relative_to(bank.root) else str(path)
        self.problems: list[Problem] = []

    def __call__(
        self, loc: tuple, severity: Severity, message: str, code: str | None = None
    ) -> None:
        line, col = _yaml.locate(positions_for(self.bank, self.path), loc)
        self.problems.append(Problem(self.rel, line, col, severity, message, code))


def _markdown_fields(text: LocaleText) -> Iterator[tuple[tuple, str]]:
    yield ("title",), text.title
    yield ("prompt",), text.prompt
    yield ("answer",), text.answer
    for i, point in enumerate(text.key_points):
        yield ("key_points", i), point
    for i, mis in enumerate(text.misconceptions):
        yield ("misconceptions", i, "claim"), mis.claim
        yield ("misconceptions", i, "correction"), mis.correction
    for name in ("options", "statements"):
        for i, item in enumerate(getattr(text, name) or []):
            yield (name, i), item


def check_markdown(report: _Reporter, loc: tuple, markdown: str) -> None:
    maths, html = scan(markdown)
    for math in maths:
        try:
            to_mathml(math.latex, math.display)
        except MathError as exc:
            report(loc, "error", str(exc))
    for snippet, _line in html:
        report(loc, "error", f"raw HTML is not allowed in Markdown: {snippet}")


def check_question(bank: Bank, q: Question) -> list[Problem]:
    report = _Reporter(bank, bank.question_path(q.id))
    cfg = bank.config
    for i, tag in enumerate(q.tags):
        if tag not in cfg.tags:
            report(
                ("tags", i), "error", f"unknown tag '{tag}' (declare it in questions/_bank.yaml)"
            )
    known = set(cfg.locale_codes)
    for code in q.locales:
        if code not in known:
            report(
                ("locales", code),
                "error",
                f"unknown locale '{code}' (declare it in questions/_bank.yaml)",
            )
    severity: Severity = "error" if q.vetting.status == "vetted" else "warning"
    stale = q.stale_locales()
    for code in cfg.required_locales:
        if code not in q.locales:
            report(("locales",), severity, f"missing locale '{code}'")
        elif code in stale:
            report(
                ("locales", code, "translated_from"),
                severity,
                f"locale '{code}' is stale: the {q.source_locale} text changed since it was translated "
                f"(now {q.source.source_hash()}); update it, then run 'mlprep stamp'",
                STALE,
            )
    for code, text in q.locales.items():
        for name in ("options", "statements"):
            mine, source = getattr(text, name), getattr(q.source, name)
            if mine is not None and source is not None and len(mine) != len(source):
                report(
                    ("locales", code, name),
                    "error",
                    f"'{name}' has {len(mine)} items, the source has {len(source)}",
                )
        if len(text.key_points) != len(q.source.key_points) and code != q.source_locale:
            report(
                ("locales", code, "key_points"),
                "warning",
                "key points differ in number from the source locale",
            )
        for loc, markdown in _markdown_fields(text):
            check_markdown(report, ("locales", code, *loc), markdown)
    if q.exercise is not None and q.exercise not in bank.exercises:
        report(("exercise",), "error", f"links exercise '{q.exercise}', which does not exist")
    return report.problems


def check_exercise(bank: Bank, ex: Exercise) -> list[Problem]:
    folder = bank.exercise_dir(ex.id)
    report = _Reporter(bank, Path(bank.paths[f"x:{ex.id}"]))
    cfg = bank.config
    for i, tag in enumerate(ex.tags):
        if tag not in cfg.tags:
            report(
                ("tags", i), "error", f"unknown tag '{tag}' (declare it in questions/_bank.yaml)"
            )
    if not (folder / ex.starter).is_file():
        report(("starter",), "error", f"starter file '{ex.starter}' not found")
    for code in cfg.required_locales:
        if code not in ex.locales:
            report(("locales",), "error", f"missing locale '{code}'")
    source = ex.locales[ex.source_locale]
    source_hash = exercise_source_hash(bank, ex, source)
    for code, text in ex.locales.items():
        path = folder / text.statement
        if not path.is_file():
            report(
                ("locales", code, "statement"),
                "error",
                f"statement file '{text.statement}' not found",
            )
            continue
        try:
            statement = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            report(
                ("locales", code, "statement"), "error", f"cannot read '{text.statement}': {exc}"
            )
            continue
        check_markdown(report, ("locales", code, "statement"), statement)
        for i, hint in enumerate(text.hints):
            check_markdown(report, ("locales", code, "hints", i), hint)
        if code != ex.source_locale:
            if text.translated_from is None:
                report(
                    ("locales", code),
                    "error",
                    f"locale '{code}': a translation needs 'translated_from'",
                )
            elif text.translated_from != source_hash:
                report(
                    ("locales", code, "translated_from"),
                    "error",
                    f"locale '{code}' is stale: the {ex.source_locale} text changed (now {source_hash})",
                    STALE,
                )
    for i, qid in enumerate(ex.related_questions):
        if qid not in bank.questions:
            report(("related_questions", i), "error", f"related question '{qid}' does not exist")
    return report.problems


def check_bank(bank: Bank, question_ids=None, exercise_ids=None) -> list[Problem]:
    """Every cross-entry problem in the bank (or in the given entries)."""
    problems: list[Problem] = []
    for qid in question_ids if question_ids is not None else bank.questions:
        problems += check_question(bank, bank.questions[qid])
    for xid in exercise_ids if exercise_ids is not None else bank.exercises:
        problems += check_exercise(bank, bank.exercises[xid])
    return sorted(problems)
