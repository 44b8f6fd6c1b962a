"""The built site: every page exists, carries its content, loads nothing from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlprep.site import SiteContentError, build_site


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text("utf-8")


def test_pages_per_locale_tag_level_question_and_exercise(built_site: Path) -> None:
    for loc in ("en", "zh-Hans", "zh-Hant"):
        for rel in (
            "index.html",
            "search.html",
            "references.html",
            "questions/index.html",
            "questions/bn-running-momentum.html",
            "questions/bn-normalize-step.html",
            "tags/batchnorm.html",
            "tags/layernorm.html",
            "levels/easy.html",
            "levels/medium.html",
            "levels/hard.html",
            "exercises/bn-forward-numpy.html",
        ):
            html = read(built_site, f"{loc}/{rel}")
            assert f'<html lang="{loc}">' in html, rel
            assert len(re.findall(r"<h1[ >]", html)) == 1, rel
    assert (built_site / "files/bn-forward-numpy/starter.py").read_text().startswith("import numpy")
    # a tag no question uses gets no page (and no dead link)
    assert not (built_site / "en/tags/rmsnorm.html").exists()


def test_question_page_has_collapsible_answer_key_points_and_references(built_site: Path) -> None:
    html = read(built_site, "en/questions/bn-normalize-step.html")
    answer = html.split('<details class="answer">', 1)[1].split("</details>", 1)[0]
    assert "biased one (divide by" in answer
    assert '<details class="key-points">' in html and '<details class="misconceptions">' in html
    assert 'href="https://arxiv.org/abs/1502.03167"' in html
    # math is MathML made at build time; the LaTeX source is not shipped for a client to typeset
    assert "<math" in answer and "\\frac" not in html


def test_choice_numeric_and_spot_items_get_a_self_test_form(built_site: Path) -> None:
    choice = read(built_site, "en/questions/bn-running-momentum.html")
    assert 'data-kind="choice" data-correct="1"' in choice
    assert choice.count('type="radio"') == 3
    assert "Correct answer: B" in choice
    numeric = read(built_site, "en/questions/bn-param-count.html")
    assert 'data-kind="numeric" data-value="128.0"' in numeric
    assert '<label for="numeric-answer">' in numeric
    spot = read(built_site, "zh-Hans/questions/bn-spot-eval.html")
    assert 'data-kind="spot" data-correct="0"' in spot and spot.count('type="checkbox"') == 2
    open_q = read(built_site, "en/questions/bn-normalize-step.html")
    assert "selftest" not in open_q.split("<main", 1)[1]


def test_exercise_page_has_statement_starter_and_grade_command(built_site: Path) -> None:
    html = read(built_site, "zh-Hant/exercises/bn-forward-numpy.html")
    assert "實作 <code>batchnorm_forward(x, gamma, beta, eps)</code>" in html
    assert 'href="../../files/bn-forward-numpy/starter.py" download="starter.py"' in html
    assert "<code>mlprep grade bn-forward-numpy starter.py</code>" in html
    linked = read(built_site, "en/questions/bn-forward-exercise.html")
    assert 'href="../exercises/bn-forward-numpy.html"' in linked


def test_language_switcher_stays_on_the_page_and_marks_stale_translations(built_site: Path) -> None:
    html = read(built_site, "zh-Hans/questions/ln-draft-stale.html")
    nav = html.split('<nav class="lang"', 1)[1].split("</nav>", 1)[0]
    assert 'href="../../en/questions/ln-draft-stale.html"' in nav
    assert 'href="ln-draft-stale.html" hreflang="zh-Hans" lang="zh-Hans" aria-current="page"' in nav
    assert nav.count('class="badge stale"') == 2  # both translations are older than the English
    assert "This translation may be out of date" not in html  # zh page speaks Chinese
    assert "此译文可能已过时" in html
    fresh = read(built_site, "zh-Hans/questions/bn-running-momentum.html")
    assert "badge stale" not in fresh and "此译文可能已过时" not in fresh


# Resource loads: anything a browser fetches by itself. Plain <a href> links to papers are fine.
_LOADS = [
    re.compile(
        r"""<(?:script|img|iframe|audio|video|source|embed|track|input)\b[^>]*\s(?:src|srcset)=["']?\s*(?:https?:)?//""",
        re.I,
    ),
    re.compile(
        r"""<link\b(?=[^>]*\brel=["']?(?:stylesheet|preload|prefetch|modulepreload|icon|manifest|dns-prefetch|preconnect))[^>]*\bhref=["']?\s*(?:https?:)?//""",
        re.I,
    ),
    re.compile(r"""<(?:object)\b[^>]*\sdata=["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""\b(?:import|fetch|importScripts)\(\s*["'`]\s*(?:https?:)?//""", re.I),
]
_HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"', re.I)


def test_nothing_is_loaded_from_elsewhere(built_site: Path) -> None:
    scanned = 0
    for path in built_site.rglob("*"):
        if path.suffix not in (".html", ".css", ".js", ".json"):
            continue
        text = path.read_text("utf-8", errors="replace")
        for pattern in _LOADS:
            m = pattern.search(text)
            assert m is None, f"{path.relative_to(built_site)}: {m and m.group(0)}"
        for href in _HREF.findall(text):  # links: to this site, or https pages the reader opens
            assert href.startswith("https://") or not re.match(
                r"^\s*([a-z][a-z0-9+.-]*:|//)", href, re.I
            ), href
        scanned += 1
    assert scanned > 40


def test_the_scan_catches_external_loads() -> None:
    bad = [
        '<script src="https://cdn.example/x.js"></script>',
        '<link rel="stylesheet" href="//fonts.example/css">',
        "body { background: url('https://x.example/a.png') }",
        "@import url(https://fonts.example/a.css);",
        '<img alt="" src="http://x.example/a.png">',
        'import("https://x.example/mod.js")',
    ]
    for snippet in bad:
        assert any(p.search(snippet) for p in _LOADS), snippet


def test_invalid_math_fails_the_build_with_file_and_line(bank: Path, tmp_path: Path) -> None:
    path = bank / "questions/batchnorm/bn-param-count.yaml"
    text = path.read_text("utf-8").replace("$2 \\times 64 = 128$", "$\\frac{1}{$", 1)
    assert text != path.read_text("utf-8")
    path.write_text(text, "utf-8")
    with pytest.raises(SiteContentError) as info:
        build_site(tmp_path / "out", search=False)
    problem = info.value.problems[0]
    assert problem.path == "questions/batchnorm/bn-param-count.yaml"
    assert problem.line > 1 and "frac" in problem.message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "target,page",
    [
        ("assets/style.css", "en/questions/x.html"),
        ("en/questions/y.html", "en/questions/x.html"),
        ("zh-Hans/questions/x.html", "en/questions/x.html"),
        ("en/index.html", "index.html"),
        ("index.html", "en/tags/a.html"),
        ("files/ex/starter.py", "zh-Hant/exercises/ex.html"),
    ],
)
def test_relative_links_match_posixpath(target: str, page: str) -> None:
    import posixpath

    from mlprep.site._render import relative

    here = page.split("/")[:-1]
    assert relative(target, here) == posixpath.relpath(target, posixpath.dirname(page) or ".")


def test_every_page_has_landmarks_one_h1_ordered_headings_and_labelled_inputs(
    built_site: Path,
) -> None:
    pages = [p for p in built_site.rglob("*.html") if "pagefind" not in p.parts]
    assert len(pages) > 40
    for path in pages:
        html = path.read_text("utf-8")
        where = path.relative_to(built_site)
        assert html.count("<main") == 1, where
        if path.name != "index.html" or path.parent != built_site:  # the root chooser is bare
            assert "<header" in html and "<footer" in html and "<nav" in html, where
            assert 'class="skip" href="#main"' in html, where
        levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", html)]
        assert levels[0] == 1 and levels.count(1) == 1, where
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{where}: h{before} then h{after}"
        for tag in re.findall(r"<input\b[^>]*>", html):
            ident = re.search(r'\bid="([^"]+)"', tag)
            assert ident and f'<label for="{ident.group(1)}"' in html, f"{where}: {tag}"
        assert re.search(r'<html lang="[^"]+">', html), where


def test_untranslated_entry_shows_the_source_text_marked_with_its_language(
    bank: Path, tmp_path: Path
) -> None:
    from tests.site._bank import write_question

    write_question(
        bank,
        "en-only-draft",
        {
            "kind": "open",
            "tags": ["batchnorm"],
            "difficulty": "easy",
            "vetting": {"status": "draft"},
            "locales": {"en": {"title": "Only English", "prompt": "P?", "answer": "A."}},
        },
    )
    build_site(tmp_path / "site", search=False)
    html = read(tmp_path / "site", "zh-Hant/questions/en-only-draft.html")
    assert "尚未翻譯，顯示原文。" in html
    assert '<article lang="en">' in html and "<h1>Only English</h1>" in html
    switcher = html.split('<nav class="lang"', 1)[1].split("</nav>", 1)[0]
    assert 'href="../../zh-Hans/questions/en-only-draft.html"' in switcher


def test_the_repository_bank_builds(tmp_path: Path) -> None:
    from mlprep.content import load_bank
    from tests.site._bank import REPO

    bank = load_bank(REPO)
    result = build_site(tmp_path / "site", root=REPO, search=False)
    for code in bank.config.locale_codes:
        for qid in bank.questions:
            assert (tmp_path / "site" / code / "questions" / f"{qid}.html").is_file()
        for xid in bank.exercises:
            assert (tmp_path / "site" / code / "exercises" / f"{xid}.html").is_file()
    assert result.pages > len(bank.questions) * len(bank.config.locale_codes)
