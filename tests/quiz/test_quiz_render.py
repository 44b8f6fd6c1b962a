"""LaTeX to Unicode, and Markdown with math for the terminal."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from mlprep._dirs import CONTENT_CACHE
from mlprep._latex import latex_to_unicode
from mlprep._render import inline, markdown, render_question


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\hat{x}_i = \frac{x_i-\mu_\mathcal{B}}{\sqrt{\sigma_\mathcal{B}^2+\epsilon}}",
         "x̂ᵢ = (xᵢ−μ_ℬ)/√(σ_ℬ²+ε)"),
        (r"\frac{1}{m}\sum_{i=1}^m x_i", "1/m ∑ᵢ₌₁ᵐ xᵢ"),
        (r"y_i = \gamma\,\hat{x}_i + \beta", "yᵢ = γ x̂ᵢ + β"),
        (r"\frac{\partial L}{\partial x}", "∂L/∂x"),
        (r"x_{\text{new}}", "x_(new)"),
        (r"\left( x \right)", "( x )"),
        (r"\log p + \operatorname{Var}[x]", "log p + Var[x]"),
        (r"\lVert x \rVert_2", "‖ x ‖₂"),
        (r"\mathbb{R}^{N\times C}", "ℝ^(N×C)"),
        (r"10^{-5}", "10⁻⁵"),
        (r"W^\top x", "Wᵀ x"),
        (r"x_1,\dots,x_m", "x₁,…,xₘ"),
        (r"\unknowncommand", "unknowncommand"),
    ],
)  # fmt: skip
def test_latex_to_unicode(latex, text):
    assert latex_to_unicode(latex) == text


def test_root_placement_stays_distinguishable():
    # the misconception sqrt(var) + eps must not read like the correct sqrt(var + eps)
    wrong = latex_to_unicode(r"\sqrt{\sigma^2}+\epsilon")
    right = latex_to_unicode(r"\sqrt{\sigma^2+\epsilon}")
    assert wrong == "√(σ²)+ε" and right == "√(σ²+ε)"


@given(st.text(alphabet=st.sampled_from(list("\\{}^_$ abx12+-frac sqrt left")), max_size=40))
def test_latex_never_raises(latex):
    assert isinstance(latex_to_unicode(latex), str)


def _text(markdown_text: str) -> str:
    return _render(markdown(markdown_text))


def test_code_is_not_math():
    out = _text("Cost is `$x$` in code, $x_1$ in math.\n\n```\n$$not math$$\n```\n\n$$a^2$$\n")
    assert "$x$" in out and "$$not math$$" in out  # verbatim inside code
    assert "x₁ in math" in out
    assert "    a²" in out  # display math on its own indented line


def test_subscripts_do_not_turn_into_emphasis():
    assert _text(r"$\mu_\mathcal{B}$ and $\sigma_\mathcal{B}$").strip() == "μ_ℬ and σ_ℬ"


def test_dollar_amounts_are_not_math():
    assert _text("costs $5 and $6 today").strip() == "costs $5 and $6 today"


def test_blocks_render():
    src = "# Title\n\n- one\n- two\n  1. nested\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n[PyTorch](https://pytorch.org) <b>raw</b>"
    out = _text(src)
    for piece in (
        "Title",
        "• one",
        "• two",
        "1. nested",
        "quoted",
        "PyTorch (https://pytorch.org)",
        "<b>raw</b>",
    ):
        assert piece in out
    assert "a" in out and "1" in out and "2" in out


def test_cjk_line_breaks_join_without_space():
    assert _text("批归一化\n是按特征").strip() == "批归一化是按特征"
    assert _text("batch\nnorm").strip() == "batch norm"


def _render(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(renderable)
    return out.getvalue()


def test_markdown_renders_math_and_emphasis():
    out = _render(
        markdown(
            r"**Bold** and $\mu_\mathcal{B}$ then $\sigma_\mathcal{B}$." "\n\n$$\\frac{a}{b}$$"
        )
    )
    assert "Bold and μ_ℬ then σ_ℬ." in out
    assert "    a/b" in out
    assert "**" not in out and "$" not in out


def test_inline_title():
    assert inline(r"Where does $\epsilon$ go?").plain == "Where does ε go?"


def test_show_renders_the_whole_entry(bank):
    out = io.StringIO()
    render_question(bank.question("fx-choice"), "en", bank, Console(file=out, width=100))
    text = out.getvalue()
    for piece in ("fx-choice · choice · easy", "A. Batch statistics", "→ B", "Key points",
                  "Claim: A wrong claim.", "Correction: Why it is wrong."):  # fmt: skip
        assert piece in text


def test_show_cli_uses_the_renderer(bank_root):
    from click.testing import CliRunner

    from mlprep.cli import cli

    result = CliRunner().invoke(cli, ["show", "fx-open", "--lang", "zh-Hans"])
    assert result.exit_code == 0
    assert "ε 放在哪里？" in result.output and "√(σ²+ε)" in result.output
    assert "答案" in result.output and "要点" in result.output


def test_without_unicodeit_math_degrades_to_names(monkeypatch):
    import sys

    from mlprep import _latex

    monkeypatch.setitem(sys.modules, "unicodeit.data", None)  # import fails
    _latex._tables.cache_clear()
    _latex.latex_to_unicode.cache_clear()
    try:
        assert _latex.latex_to_unicode(r"\alpha + \frac{x^2}{2}") == "alpha + x^2/2"
    finally:
        _latex._tables.cache_clear()
        _latex.latex_to_unicode.cache_clear()


# ---------------------------------------------------------------------------- parsed-Markdown cache


def _render_all(texts: list[str]) -> str:
    console = Console(file=io.StringIO(), width=72, force_terminal=True, color_system="truecolor")
    for text in texts:
        console.print(markdown(text))
        console.print(inline(text.splitlines()[0]))
    return console.file.getvalue()  # type: ignore[attr-defined]


def _bank_texts() -> list[str]:
    from mlprep.content import load_bank

    bank = load_bank()
    out = []
    for qid in bank.questions:
        q = bank.questions[qid]
        for text in q.locales.values():
            out += [text.title, text.prompt, text.answer, *text.key_points, *(text.options or [])]
            out += [*(text.statements or []), *(m.claim for m in text.misconceptions)]
    return out


def test_cached_trees_render_exactly_like_a_fresh_parse(monkeypatch):
    from mlprep import _mdtree

    texts = _bank_texts()
    monkeypatch.setattr(_mdtree, "_memory", {})
    monkeypatch.setattr(_mdtree, "_store", None)
    fresh = _render_all(texts)
    _mdtree.flush()
    monkeypatch.setattr(_mdtree, "_memory", {})  # a new process: only the cache file is left
    monkeypatch.setattr(_mdtree, "_store", None)

    def no_parser(text, inline):
        raise AssertionError(f"parsed again: {text[:40]!r}")

    monkeypatch.setattr(_mdtree, "_parse", no_parser)
    assert _render_all(texts) == fresh
    assert "\x1b[" in fresh and len(texts) > 1000


def test_another_parser_version_gets_its_own_table_and_old_trees_go(monkeypatch, tmp_path):
    import sqlite3

    from mlprep import _mdtree

    monkeypatch.setenv("MLPREP_CACHE_DIR", str(tmp_path))
    tables = lambda: {  # noqa: E731
        name
        for (name,) in sqlite3.connect(tmp_path / CONTENT_CACHE).execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'mdtree_%'"
        )
    }
    for version in ("aaaa", "bbbb"):
        monkeypatch.setattr(_mdtree, "_fingerprint", lambda v=version: v)
        store = _mdtree._Store()
        store.put("b:*x*", _mdtree._parse("*x*", inline=False))
        store.flush()
        assert tables() == {f"mdtree_{version}"}
        assert store.get("b:*x*").children[0].type == "paragraph"


def test_a_broken_cache_means_parsing_not_failing(monkeypatch, tmp_path):
    from mlprep import _mdtree

    (tmp_path / CONTENT_CACHE).write_bytes(b"this is not an SQLite file" * 100)
    monkeypatch.setenv("MLPREP_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_mdtree, "_memory", {})
    monkeypatch.setattr(_mdtree, "_store", None)
    assert inline("**bold** $x^2$").plain == "bold x²"
    _mdtree.flush()
