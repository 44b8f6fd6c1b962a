"""Synthetic content for bench_site.py: seed-sized entries with math, in three locales, written
both as an mlprep bank and as MkDocs Material projects holding the same pages."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from mlprep.content import LocaleText, load_bank

REPO = Path(__file__).resolve().parents[1]
LOCALES = ("en", "zh-Hans", "zh-Hant")
KINDS = ("open", "choice", "numeric", "spot-the-error")
TAGS = ("batchnorm", "layernorm", "groupnorm", "running-stats", "train-vs-eval", "backward")
LEVELS = ("easy", "medium", "hard")
MKDOCS_LANG = {"en": "en", "zh-Hans": "zh", "zh-Hant": "zh-Hant"}


def _seed() -> dict[str, Any]:
    return yaml.safe_load((REPO / "questions/batchnorm/bn-normalize-step.yaml").read_text("utf-8"))


def _vary(text: str, i: int) -> str:
    # distinct formulas per entry, so no converter cache makes the benchmark easy
    return text.replace("\\epsilon", f"\\epsilon_{{{i}}}").replace("x_i", f"x_{{i,{i % 97}}}")


def _locale(seed: dict[str, Any], loc: str, i: int, kind: str) -> dict[str, Any]:
    text = dict(seed["locales"][loc])
    text.pop("translated_from", None)
    text["title"] = f"{text['title']} #{i}"
    for key in ("prompt", "answer"):
        text[key] = _vary(text[key], i)
    text["key_points"] = [_vary(p, i) for p in text["key_points"]]
    text["misconceptions"] = [
        {"claim": _vary(m["claim"], i), "correction": _vary(m["correction"], i)}
        for m in text["misconceptions"]
    ]
    if kind == "choice":
        text["options"] = [f"$\\gamma_{{{i}}} = {k}$ and $\\beta = {k + 1}$" for k in range(4)]
    if kind == "spot-the-error":
        text["statements"] = list(text["key_points"][:3])  # already varied above
    return text


def entry(seed: dict[str, Any], i: int) -> dict[str, Any]:
    kind = KINDS[i % len(KINDS)]
    locales = {loc: _locale(seed, loc, i, kind) for loc in LOCALES}
    source_hash = LocaleText(**locales["en"]).source_hash()
    for loc in LOCALES[1:]:
        locales[loc] = {"translated_from": source_hash, **locales[loc]}
    data: dict[str, Any] = {
        "id": f"synthetic-{i:04d}",
        "kind": kind,
        "tags": [TAGS[i % len(TAGS)], TAGS[(i // len(TAGS)) % len(TAGS)]]
        if (i // len(TAGS)) % len(TAGS) != i % len(TAGS)
        else [TAGS[i % len(TAGS)]],
        "difficulty": LEVELS[i % 3],
        "references": seed["references"],
        "vetting": {"status": "vetted", "date": "2026-11-22", "checked": "synthetic"},
        "locales": locales,
    }
    if kind == "choice":
        data["choice"] = {"correct": [i % 4]}
    elif kind == "numeric":
        data["numeric"] = {"value": 0.5 + i, "tolerance": 0.01, "relative": True}
    elif kind == "spot-the-error":
        data["spot"] = {"wrong": [i % 3]}
    return data


def write_bank(root: Path, n: int) -> None:
    seed = _seed()
    (root / "questions" / "synthetic").mkdir(parents=True)
    shutil.copy(REPO / "questions/_bank.yaml", root / "questions/_bank.yaml")
    for i in range(n):
        data = entry(seed, i)
        path = root / "questions" / "synthetic" / f"{data['id']}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


# ---------------------------------------------------------------------------- MkDocs projects


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.splitlines())


def _question_md(q, loc: str) -> str:
    t = q.text(loc)
    out = [f"# {t.title}", "", t.prompt, ""]
    for k, option in enumerate(t.options or []):
        out.append(f"{k + 1}. {option}")
    for k, statement in enumerate(t.statements or []):
        out.append(f"{k + 1}. {statement}")
    out += ["", '??? note "Answer"', "", _indent(t.answer), ""]
    out += ['??? note "Key points"', ""] + [f"    - {p}" for p in t.key_points] + [""]
    out += ['??? note "Misconceptions"', ""]
    out += [f"    - ~~{m.claim}~~ {m.correction}" for m in t.misconceptions] + [""]
    out += ["## References", ""] + [f"- [{r.title}]({r.url})" for r in q.references]
    return "\n".join(out) + "\n"


def write_mkdocs(bank_root: Path, base: Path, loc: str) -> Path:
    """One MkDocs Material project for ``loc`` with the same pages as our site's locale."""
    project = base / loc
    if project.exists():
        shutil.rmtree(project)
    _write_docs(load_bank(bank_root), project / "docs", loc)
    _write_config(project, f"mlprep ({loc})", MKDOCS_LANG[loc], ["en"] if loc == "en" else ["zh"])
    return project


def write_mkdocs_single(bank_root: Path, base: Path) -> Path:
    """One MkDocs Material project holding every locale's pages, each under its own folder."""
    project = base / "all"
    if project.exists():
        shutil.rmtree(project)
    bank = load_bank(bank_root)
    for loc in LOCALES:
        _write_docs(bank, project / "docs" / loc, loc)
    home = ["# mlprep", ""] + [f"- [{loc}]({loc}/index.md)" for loc in LOCALES]
    (project / "docs" / "index.md").write_text("\n".join(home) + "\n", "utf-8")
    _write_config(project, "mlprep", "en", ["en", "zh"])
    return project


def _write_docs(bank, docs: Path, loc: str) -> None:
    (docs / "questions").mkdir(parents=True)
    (docs / "tags").mkdir()
    (docs / "levels").mkdir()
    cfg = bank.config
    qs = sorted(bank.questions.values(), key=lambda q: q.id)
    home = ["# mlprep", "", "## Levels", ""]
    home += [f"- [{d}](levels/{d}.md)" for d in LEVELS] + ["", "## Topics", ""]
    used = sorted({t for q in qs for t in q.tags})
    home += [f"- [{cfg.tag_label(t, loc)}](tags/{t}.md)" for t in used]
    (docs / "index.md").write_text("\n".join(home) + "\n", "utf-8")
    for tag in used:
        lines = [f"# {cfg.tag_label(tag, loc)}", ""]
        lines += [f"- [{q.text(loc).title}](../questions/{q.id}.md)" for q in qs if tag in q.tags]
        (docs / "tags" / f"{tag}.md").write_text("\n".join(lines) + "\n", "utf-8")
    for level in LEVELS:
        lines = [f"# {level}", ""]
        lines += [
            f"- [{q.text(loc).title}](../questions/{q.id}.md)" for q in qs if q.difficulty == level
        ]
        (docs / "levels" / f"{level}.md").write_text("\n".join(lines) + "\n", "utf-8")
    for q in qs:
        (docs / "questions" / f"{q.id}.md").write_text(_question_md(q, loc), "utf-8")


def _write_config(project: Path, name: str, language: str, search_langs: list[str]) -> None:
    config = {
        "site_name": name,
        "docs_dir": "docs",
        "site_dir": "site",
        "theme": {"name": "material", "language": language, "font": False},
        "plugins": [{"search": {"lang": search_langs}}],
        "markdown_extensions": [
            "admonition",
            "pymdownx.details",
            "pymdownx.superfences",
            {"pymdownx.arithmatex": {"generic": True}},
        ],
    }
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
