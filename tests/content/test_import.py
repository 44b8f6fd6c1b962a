"""`mlprep import`: seed-shaped Markdown becomes loadable drafts; nothing is ever overwritten."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from mlprep.cli import cli
from mlprep.content import collect, scan
from mlprep.content._import import detect_locale, fix_katex_debris, normalise_math, parse_document

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt")) or sorted(
    Path("/work/shared/seeds").glob("*.txt")
)

DOC = """# Notes

### 1. **什么是 BN？**
   **回答**：
   BN 使用参数 γ\\gammaγ 和 β\\betaβ，公式 y=γx^+βy = \\gamma \\hat{x} + \\betay=γx^+β。
   ![[figure.png]]

### 2. 如何调整 \\( \\gamma \\)？

**题目：** 请解释如何调整 \\( \\gamma \\) 和 \\( \\beta \\)。

**答案：** 见下式：

\\[ y = \\gamma \\hat{x} + \\beta \\]

```python
# 这是代码注释，不是标题
x = 1
```

## 二、编程题

### 1. 实现 BN

**题目：** 写代码。

**答案：** 略。
"""


def test_parse_markers_math_and_debris() -> None:
    drafts = parse_document(DOC)
    assert [d.title for d in drafts] == ["什么是 BN？", "如何调整 $\\gamma$？", "实现 BN"]
    first, second, third = drafts
    assert "$\\gamma$" in first.answer and "$y = \\gamma \\hat{x} + \\beta$" in first.answer
    assert "γ\\gamma" not in first.answer and "figure.png" in first.notes[0]
    assert second.prompt == "请解释如何调整 $\\gamma$ 和 $\\beta$。"
    assert "$$y = \\gamma \\hat{x} + \\beta$$" in second.answer
    assert "# 这是代码注释" in second.answer  # a comment inside a code fence is not a heading
    assert "编程题" not in second.answer and third.answer == "略。"
    assert (first.line, second.line, third.line) == (3, 8, 23)


@given(
    rendered=st.text(alphabet="abcxyzγβμσ^+=_0123", min_size=1, max_size=8),
    latex=st.sampled_from(
        [
            "\\gamma",
            "\\beta_1",
            "\\hat{x} + \\beta",
            "\\mu_\\mathcal{B}",
            "\\sqrt{\\sigma^2+\\epsilon}",
        ]
    ),
)
def test_katex_debris_property(rendered: str, latex: str) -> None:
    line = f"参数 {rendered}{latex}{rendered} 的作用"
    assert fix_katex_debris(line) == f"参数 ${latex}$ 的作用"


def test_math_in_code_is_untouched() -> None:
    text = "```\nprint('\\\\(x\\\\)')\n```\n"
    assert normalise_math(text) == text


def test_locale_detection() -> None:
    assert detect_locale("批量归一化的参数") == "zh-Hans"
    assert detect_locale("批量歸一化的參數") == "zh-Hant"
    assert detect_locale("batch normalization") == "en"


@pytest.mark.skipif(not SEEDS, reason="the seed documents are not beside the checkout")
def test_seeds_import_into_a_loadable_bank(tmp_path: Path) -> None:
    root = tmp_path / "bank"
    (root / "questions").mkdir(parents=True)
    shutil.copy(REPO / "questions" / "_bank.yaml", root / "questions")
    out = root / "questions" / "imported"
    runner = CliRunner()
    total = 0
    for seed in SEEDS:
        result = runner.invoke(cli, ["import", str(seed), "--out", str(out)])
        if "no numbered question headings" in result.output:
            continue  # a seed organised as an article, not as numbered questions
        assert result.exit_code == 0, result.output
        total += len(re.findall(r"^wrote ", result.stdout, re.MULTILINE))
    assert total >= 30
    bank, problems = collect(root)
    assert bank is not None and len(bank.questions) == total
    assert [p for p in problems if p.severity == "error"] == []
    for q in bank.questions.values():
        assert q.vetting.status == "draft" and q.origin in {s.name for s in SEEDS}
        text = q.source
        maths, html = scan(text.answer)
        assert not re.search(
            r"(?<!\$)\\(gamma|beta|hat)\b(?![^$]*\$)", text.answer.split("```")[0]
        ), q.id
        assert "![[" not in text.answer


def test_never_overwrites(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(DOC, "utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["import", str(doc), "--out", str(out), "--prefix", "t"]).exit_code == 0
    )
    target = out / "t-q01.yaml"
    target.write_text("my edits", "utf-8")
    result = runner.invoke(cli, ["import", str(doc), "--out", str(out), "--prefix", "t"])
    assert result.exit_code == 0
    assert target.read_text("utf-8") == "my edits"
    assert "skipped" in result.output and "0 drafts written, 3 skipped" in result.output


def test_document_without_questions_is_a_clean_error(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("# Just an article\n\nNo questions here.\n", "utf-8")
    result = CliRunner().invoke(cli, ["import", str(doc), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "no numbered question headings" in result.output
    assert not (tmp_path / "o").exists()
