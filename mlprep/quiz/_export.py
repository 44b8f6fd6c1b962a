"""Exports: the bank as an Anki deck (genanki), the review history as CSV.

Anki: one note per question. Its fields are the id, kind and tags, then for every locale of the
bank its title, prompt (with the options or statements) and answer (with the key, key points and
misconceptions), as HTML with math in MathJax delimiters ``\\(…\\)`` / ``\\[…\\]``, which Anki
typesets. The card shows one locale (``--lang``). Note GUIDs come from the question id, and the
model and deck ids from fixed names, so re-importing an updated export updates notes in place
instead of duplicating them.
"""

from __future__ import annotations

import csv
import hashlib
import html
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import IO

from mlprep._render import label, letter
from mlprep.content import Bank, Question
from mlprep.quiz._schedule import RATING_NAMES
from mlprep.quiz._store import ReviewRow

DECK_NAME = "mlprep"


def stable_id(name: str) -> int:
    """A 31-bit id from a name: Anki wants ints, and the same name must give the same id."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") >> 1


@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    def math(content: str, opts: dict) -> str:
        text = html.escape(content)
        return f"\\[{text}\\]" if opts.get("display_mode") else f"\\({text}\\)"

    md = MarkdownIt("commonmark", {"html": False})  # raw HTML in content is shown, not run
    md.enable("table").enable("strikethrough")
    md.use(
        dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True, renderer=math
    )
    return md


def to_html(markdown: str) -> str:
    return _md().render(markdown).strip()


def _prompt_html(q: Question, lang: str) -> str:
    text = q.text(lang)
    parts = [to_html(text.prompt)]
    if text.options:
        items = "".join(
            f"<li><b>{letter(i)}.</b> {to_html(o)}</li>" for i, o in enumerate(text.options)
        )
        parts.append(f'<ul class="options">{items}</ul>')
    if text.statements:
        items = "".join(f"<li>{to_html(s)}</li>" for s in text.statements)
        parts.append(f'<ol class="statements">{items}</ol>')
    if q.exercise:
        parts.append(f"<p><code>mlprep grade {html.escape(q.exercise)} FILE</code></p>")
    return "\n".join(parts)


def _answer_html(q: Question, lang: str) -> str:
    text = q.text(lang)
    parts = []
    if q.choice:
        parts.append(f"<p><b>→ {', '.join(letter(i) for i in q.choice.correct)}</b></p>")
    if q.numeric:
        unit = f" {html.escape(q.numeric.unit)}" if q.numeric.unit else ""
        parts.append(f"<p><b>→ {q.numeric.value:g}{unit}</b> (±{q.numeric.tolerance:g})</p>")
    if q.spot:
        parts.append(f"<p><b>→ {', '.join(str(i + 1) for i in q.spot.wrong)}</b></p>")
    parts.append(to_html(text.answer))
    if text.key_points:
        parts.append(f"<h4>{label('key_points', lang)}</h4>")
        parts.append(to_html("\n".join(f"- {p}" for p in text.key_points)))
    if text.misconceptions:
        parts.append(f"<h4>{label('misconceptions', lang)}</h4>")
        for m in text.misconceptions:
            parts.append(
                to_html(
                    f"- **{label('claim', lang)}:** {m.claim}\n\n  **{label('correction', lang)}:** {m.correction}"
                )
            )
    return "\n".join(parts)


def anki_fields(locales: list[str]) -> list[str]:
    fields = ["Id", "Kind", "Tags"]
    for code in locales:
        fields += [f"Title ({code})", f"Prompt ({code})", f"Answer ({code})"]
    return fields


def export_anki(
    bank: Bank, path: Path, lang: str, questions: Iterable[Question] | None = None
) -> int:
    """Write ``path`` (.apkg); return the number of notes."""
    import genanki

    locales = bank.config.locale_codes
    fields = anki_fields(locales)
    model = genanki.Model(
        stable_id(f"mlprep-model|{lang}|{'|'.join(fields)}"),
        f"mlprep question ({lang})",
        fields=[{"name": f} for f in fields],
        templates=[
            {
                "name": f"Recall ({lang})",
                "qfmt": f"<h3>{{{{Title ({lang})}}}}</h3>{{{{Prompt ({lang})}}}}",
                "afmt": f"{{{{FrontSide}}}}<hr id=answer>{{{{Answer ({lang})}}}}",
            }
        ],
        css=".card { font-family: sans-serif; text-align: left; } .options { list-style: none; }",
        sort_field_index=0,
    )
    deck = genanki.Deck(stable_id(f"mlprep-deck|{DECK_NAME}"), DECK_NAME)
    n = 0
    for q in (
        questions if questions is not None else sorted(bank.questions.values(), key=lambda q: q.id)
    ):
        values = [q.id, q.kind, " ".join(q.tags)]
        for code in locales:
            values += [
                _md().renderInline(q.text(code).title),
                _prompt_html(q, code),
                _answer_html(q, code),
            ]
        tags = [t.replace(" ", "_") for t in q.tags] + [f"kind::{q.kind}", f"level::{q.difficulty}"]
        deck.add_note(
            genanki.Note(
                model=model, fields=values, tags=tags, guid=genanki.guid_for("mlprep", q.id)
            )
        )
        n += 1
    genanki.Package(deck).write_to_file(str(path))
    return n


CSV_COLUMNS = [
    "review_id", "question_id", "reviewed_at", "rating", "rating_name", "kind", "lang",
    "correct", "cram", "duration_ms", "answer_hash",
]  # fmt: skip


def export_csv(reviews: list[ReviewRow], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in reviews:
        writer.writerow(
            [
                r.id,
                r.question_id,
                r.reviewed_at.isoformat(),
                r.rating,
                RATING_NAMES[r.rating],
                r.kind,
                r.lang,
                "" if r.correct is None else int(r.correct),
                int(r.cram),
                "" if r.duration_ms is None else r.duration_ms,
                r.answer_hash,
            ]  # fmt: skip
        )
    return len(reviews)
