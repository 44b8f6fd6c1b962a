"""``mlprep export anki``: one note per question, every locale in its fields, stable ids."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

from click.testing import CliRunner

from mlprep.cli import cli
from mlprep.quiz._export import anki_fields, to_html


def _notes(apkg: Path, tmp: Path) -> tuple[list[tuple[str, list[str]]], dict, dict]:
    with zipfile.ZipFile(apkg) as z:
        z.extract("collection.anki2", tmp)
    con = sqlite3.connect(tmp / "collection.anki2")
    notes = [(g, f.split("\x1f")) for g, f in con.execute("SELECT guid, flds FROM notes")]
    models, decks = (json.loads(x) for x in con.execute("SELECT models, decks FROM col").fetchone())
    con.close()
    return notes, models, decks


def test_anki_export(bank_root, tmp_path):
    out = tmp_path / "deck.apkg"
    result = CliRunner().invoke(cli, ["export", "anki", str(out)])
    assert result.exit_code == 0, result.output
    notes, models, decks = _notes(out, tmp_path / "a")
    assert len(notes) == 6
    fields = anki_fields(["en", "zh-Hans", "zh-Hant"])
    by_id = {f[0]: dict(zip(fields, f, strict=True)) for _, f in notes}
    q = by_id["fx-open"]
    assert r"\(\epsilon\)</span> 放在哪里？" in q["Title (zh-Hans)"]
    assert r"\[\hat{x}_i = \frac{x_i-\mu}{\sqrt{\sigma^2+\epsilon}}\]" in q["Answer (en)"]
    assert "在平方根之内" in q["Answer (zh-Hans)"]
    assert q["Answer (zh-Hant)"]  # no zh-Hant text: the source locale stands in
    assert (
        "<b>B.</b>" in by_id["fx-choice"]["Prompt (en)"]
        and "→ B" in by_id["fx-choice"]["Answer (en)"]
    )
    assert "mlprep grade fx-bn-forward FILE" in by_id["fx-exercise"]["Prompt (en)"]

    again = tmp_path / "again.apkg"
    CliRunner().invoke(cli, ["export", "anki", str(again)])
    notes2, models2, decks2 = _notes(again, tmp_path / "b")
    assert sorted(g for g, _ in notes) == sorted(g for g, _ in notes2)  # stable note guids
    assert set(models) == set(models2) and set(decks) == set(decks2)  # stable model and deck ids


def test_html_is_escaped():
    assert "&lt;script&gt;" in to_html("<script>alert(1)</script>")
    assert to_html("$a<b$") == r'<p><span class="math inline">\(a&lt;b\)</span></p>'
