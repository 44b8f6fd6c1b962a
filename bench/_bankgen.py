"""Generate a synthetic bank of N seed-sized questions (for benchmarks)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def make_bank(root: Path, n: int, topics: int = 20) -> Path:
    """Write ``n`` valid, vetted questions in three locales under ``root``; return ``root``."""
    (root / "questions").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "questions" / "_bank.yaml", root / "questions" / "_bank.yaml")
    from mlprep.content import LocaleText

    answer = (
        "For a feature with values $x_1,\\dots,x_m$ the batch mean is "
        "$\\mu = \\frac{1}{m}\\sum_i x_i$ and the variance $\\sigma^2$.\n\n"
        "$$\\hat{x}_i = \\frac{x_i-\\mu}{\\sqrt{\\sigma^2+\\epsilon}}$$\n\n"
        + "More explanation. "
        * 40
    )
    for i in range(n):
        topic = root / "questions" / f"topic-{i % topics}"
        topic.mkdir(exist_ok=True)
        src = {
            "title": f"Question number {i}",
            "prompt": f"Explain item {i} with $\\gamma$ and $\\beta$.",
            "answer": answer,
            "key_points": ["first point", "second point", "third point"],
            "misconceptions": [{"claim": "a wrong claim", "correction": "the correction"}],
        }
        digest = LocaleText.model_validate(src).source_hash()
        doc = {
            "id": f"q-{i}",
            "kind": "open",
            "tags": ["batchnorm", "fundamentals"],
            "difficulty": "medium",
            "source_locale": "en",
            "references": [
                {"kind": "paper", "title": "BN", "url": "https://arxiv.org/abs/1502.03167"}
            ],
            "vetting": {"status": "vetted", "date": "2026-11-22", "checked": "synthetic"},
            "locales": {
                "en": src,
                "zh-Hans": {**src, "title": f"问题 {i}", "translated_from": digest},
                "zh-Hant": {**src, "title": f"問題 {i}", "translated_from": digest},
            },
        }
        (topic / f"q-{i}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8"
        )
    return root
