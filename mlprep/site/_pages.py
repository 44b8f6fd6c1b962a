"""Plan the site: every output page with the plain data it is rendered from.

A page's data is JSON (strings, numbers, lists, dicts) holding everything its HTML depends on, so
hashing it tells an incremental build whether the page must be rendered again. Markdown stays
Markdown here; it is rendered inside the templates, and only for pages that changed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlprep.content import DIFFICULTIES, Bank, Exercise, Question


@dataclass(frozen=True)
class Page:
    path: str  # output path relative to the site root, always with "/" separators
    template: str
    locale: str
    data: dict[str, Any] = field(hash=False)


@dataclass(frozen=True)
class Asset:
    """A file copied verbatim into the site (exercise starters)."""

    path: str
    source: Path


def question_path(locale: str, qid: str) -> str:
    return f"{locale}/questions/{qid}.html"


def exercise_path(locale: str, xid: str) -> str:
    return f"{locale}/exercises/{xid}.html"


def _sorted_questions(bank: Bank) -> list[Question]:
    return sorted(bank.questions.values(), key=lambda q: (bank.topic(q.id), q.id))


# Lists ask each question many times per build which of its translations are stale, and
# answering hashes the source text: once per question and build.
_STALE: dict[str, set[str]] = {}


def _stale_locales(q: Question) -> set[str]:
    if q.id not in _STALE:
        _STALE[q.id] = q.stale_locales()
    return _STALE[q.id]


def _is_stale(q: Question, locale: str) -> bool:
    return locale in _stale_locales(q)


_ITEM: dict[tuple[str, str], dict[str, Any]] = {}


def _item(q: Question, locale: str) -> dict[str, Any]:
    """A question as it appears in a list (the same dict in every list: pages only read it)."""
    key = (q.id, locale)
    if key not in _ITEM:
        _ITEM[key] = _make_item(q, locale)
    return _ITEM[key]


def _make_item(q: Question, locale: str) -> dict[str, Any]:
    return {
        "id": q.id,
        "title": q.text(locale).title,
        "kind": q.kind,
        "difficulty": q.difficulty,
        "stale": _is_stale(q, locale),
        "missing": locale not in q.locales,
        "draft": q.vetting.status == "draft",
        "path": question_path(locale, q.id),
    }


def _alternates(
    bank: Bank, path_of, locales: Collection[str] | None = None, stale: Collection[str] = ()
) -> list[dict[str, Any]]:
    """The same page in every locale, flagged when that locale is ``stale`` or, for an entry
    translated only into ``locales``, missing."""
    return [
        {
            "code": info.code,
            "name": info.name,
            "path": path_of(info.code),
            "stale": info.code in stale,
            "missing": locales is not None and info.code not in locales,
        }
        for info in bank.config.locales
    ]


def plan(
    bank: Bank,
    statements: dict[tuple[str, str], str],
    stale_exercises: set[tuple[str, str]],
    base_url: str | None,
) -> tuple[list[Page], list[Asset]]:
    """Every page of the site. ``statements`` maps (exercise id, locale) to statement Markdown."""
    caches = (_STALE, _HEADER, _ITEM, _SWITCHER)
    for cache in caches:
        cache.clear()
    try:
        return _plan(bank, statements, stale_exercises, base_url)
    finally:
        for cache in caches:
            cache.clear()


def _plan(
    bank: Bank,
    statements: dict[tuple[str, str], str],
    stale_exercises: set[tuple[str, str]],
    base_url: str | None,
) -> tuple[list[Page], list[Asset]]:
    cfg = bank.config
    questions = _sorted_questions(bank)
    exercises = sorted(bank.exercises.values(), key=lambda x: x.id)
    pages: list[Page] = []
    assets: list[Asset] = []
    common = {"base_url": base_url, "locales": [i.model_dump() for i in cfg.locales]}

    pages.append(Page("index.html", "root.html", cfg.locales[0].code, {**common, "alternates": []}))

    by_tag: dict[str, list[Question]] = {tag: [] for tag in cfg.tags}
    for q in questions:
        for tag in dict.fromkeys(q.tags):
            if tag in by_tag:
                by_tag[tag].append(q)
    by_level = {d: [q for q in questions if q.difficulty == d] for d in DIFFICULTIES}

    for info in cfg.locales:
        loc = info.code
        tags = [
            {"tag": tag, "label": cfg.tag_label(tag, loc), "path": f"{loc}/tags/{tag}.html"}
            for tag in cfg.tags
        ]
        nav = {"locale": loc, **common}

        def simple(path: str, template: str, data: dict[str, Any], nav=nav) -> Page:
            return _simple(bank, nav, path, template, data)

        pages.append(
            simple(
                f"{loc}/index.html",
                "home.html",
                {
                    "tags": [
                        {**t, "count": len(by_tag[t["tag"]])} for t in tags if by_tag[t["tag"]]
                    ],
                    "levels": [
                        {"level": d, "count": len(by_level[d]), "path": f"{loc}/levels/{d}.html"}
                        for d in DIFFICULTIES
                    ],
                    "n_questions": len(questions),
                    "all_path": f"{loc}/questions/index.html",
                    "exercises": [
                        {
                            "id": x.id,
                            "title": _ex_text(x, loc).title,
                            "path": exercise_path(loc, x.id),
                        }
                        for x in exercises
                    ],
                },
            )
        )
        for t in tags:
            if by_tag[t["tag"]]:
                items = [_item(q, loc) for q in by_tag[t["tag"]]]
                pages.append(
                    simple(t["path"], "list.html", {"heading": t["label"], "items": items})
                )
        for d in DIFFICULTIES:
            items = [_item(q, loc) for q in by_level[d]]
            pages.append(
                simple(f"{loc}/levels/{d}.html", "list.html", {"heading_key": d, "items": items})
            )
        pages.append(
            simple(
                f"{loc}/questions/index.html",
                "list.html",
                {"heading_key": "all_questions", "items": [_item(q, loc) for q in questions]},
            )
        )
        pages.append(simple(f"{loc}/search.html", "search.html", {}))
        pages.append(
            simple(f"{loc}/references.html", "references.html", _references(bank, questions, loc))
        )

        labels = {t["tag"]: t for t in tags}
        for q in questions:
            pages.append(_question_page(bank, q, loc, nav, labels))
        for x in exercises:
            pages.append(_exercise_page(bank, x, loc, nav, statements, stale_exercises, by_tag))

    for x in exercises:
        assets.append(
            Asset(f"files/{x.id}/{Path(x.starter).name}", bank.exercise_dir(x.id) / x.starter)
        )
    return pages, assets


def _simple(
    bank: Bank, nav: dict[str, Any], path: str, template: str, data: dict[str, Any]
) -> Page:
    """A page that exists in every locale at the same place (home, lists, search)."""
    rel = path.split("/", 1)[1]
    alts = _alternates(bank, lambda code: f"{code}/{rel}")
    return Page(path, template, nav["locale"], {**nav, **data, "alternates": alts})


# A question's data without its texts is the same on each locale's page: dumped once per build
# (the pages only read it).
_HEADER: dict[str, dict[str, Any]] = {}


def _header(q: Question) -> dict[str, Any]:
    if q.id not in _HEADER:
        _HEADER[q.id] = q.model_dump(mode="json", exclude={"locales"})
    return _HEADER[q.id]


# A question's language switcher is the same on each of its locale pages: made once per build.
_SWITCHER: dict[str, list[dict[str, Any]]] = {}


def _question_alternates(bank: Bank, q: Question) -> list[dict[str, Any]]:
    if q.id not in _SWITCHER:
        _SWITCHER[q.id] = _alternates(
            bank, lambda code: question_path(code, q.id), q.locales, _stale_locales(q)
        )
    return _SWITCHER[q.id]


def _question_page(
    bank: Bank, q: Question, loc: str, nav: dict[str, Any], labels: dict[str, dict[str, Any]]
) -> Page:
    exercise = None
    if q.exercise is not None and q.exercise in bank.exercises:
        x = bank.exercises[q.exercise]
        exercise = {"id": x.id, "title": _ex_text(x, loc).title, "path": exercise_path(loc, x.id)}
    data = {
        **nav,
        "q": _header(q),
        "text": q.text(loc).model_dump(mode="json"),
        "topic": bank.topic(q.id),
        "stale": _is_stale(q, loc),
        "missing": loc not in q.locales,
        "source_path": question_path(q.source_locale, q.id),
        "tags": [labels[t] for t in q.tags if t in labels],
        "level_path": f"{loc}/levels/{q.difficulty}.html",
        "exercise": exercise,
        "wrong_numbers": ", ".join(str(i + 1) for i in q.spot.wrong) if q.spot else "",
        "alternates": _question_alternates(bank, q),
    }
    return Page(question_path(loc, q.id), "question.html", loc, data)


def _ex_text(x: Exercise, loc: str):
    return x.locales.get(loc) or x.locales[x.source_locale]


def _exercise_page(
    bank: Bank,
    x: Exercise,
    loc: str,
    nav: dict[str, Any],
    statements: dict[tuple[str, str], str],
    stale_exercises: set[tuple[str, str]],
    by_tag: dict[str, list[Question]],
) -> Page:
    text_loc = loc if loc in x.locales else x.source_locale
    related = [
        _item(bank.questions[qid], loc) for qid in x.related_questions if qid in bank.questions
    ]
    related += [
        _item(q, loc)
        for q in _sorted_questions(bank)
        if q.exercise == x.id and q.id not in x.related_questions
    ]
    stale = {code for code in x.locales if (x.id, code) in stale_exercises}
    alts = _alternates(bank, lambda code: exercise_path(code, x.id), x.locales, stale)
    data = {
        **nav,
        "x": x.model_dump(mode="json", exclude={"locales"}),
        "text": _ex_text(x, loc).model_dump(mode="json"),
        "statement": statements[(x.id, text_loc)],
        "stale": (x.id, loc) in stale_exercises,
        "missing": loc not in x.locales,
        "source_path": exercise_path(x.source_locale, x.id),
        "starter_path": f"files/{x.id}/{Path(x.starter).name}",
        "starter_name": Path(x.starter).name,
        "tags": [
            {
                "tag": t,
                "label": bank.config.tag_label(t, loc),
                "path": f"{loc}/tags/{t}.html" if by_tag.get(t) else None,  # no page, no link
            }
            for t in x.tags
        ],
        "related": related,
        "alternates": alts,
    }
    return Page(exercise_path(loc, x.id), "exercise.html", loc, data)


def _references(bank: Bank, questions: list[Question], loc: str) -> dict[str, Any]:
    """Every reference once (by URL), with the questions that cite it."""
    refs: dict[str, dict[str, Any]] = {}
    for q in questions:
        for r in q.references:
            if r.url not in refs:  # dumped once per URL: most questions cite the same few
                refs[r.url] = {**r.model_dump(mode="json"), "cited_by": []}
            refs[r.url]["cited_by"].append(_item(q, loc))
    ordered = sorted(refs.values(), key=lambda r: (r["kind"], r["title"].lower()))
    return {"references": ordered}
