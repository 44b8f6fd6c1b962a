"""list / show / schema / stamp through the CLI, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from mlprep.cli import cli
from mlprep.content import load_bank

EXAMPLE = "questions/batchnorm/bn-normalize-step.yaml"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_list_json_fields() -> None:
    result = invoke("list", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    bank = load_bank()
    assert len(items) == len(bank.questions)
    for item in items:
        for key in ("id", "kind", "tags", "locales", "status", "references", "origin"):
            assert key in item
        q = bank.questions[item["id"]]
        assert item["locales"] == [
            c for c in bank.config.locale_codes if c in q.locales and not q.is_stale(c)
        ]
        assert len(item["references"]) == len(q.references)


def test_list_filters() -> None:
    everything = json.loads(invoke("list", "--format", "json").stdout)
    tag = everything[0]["tags"][0]
    tagged = json.loads(invoke("list", "--format", "json", "--tag", tag).stdout)
    assert tagged and all(tag in item["tags"] for item in tagged)
    kinds = {item["kind"] for item in everything}
    absent = next(
        k
        for k in ("open", "choice", "numeric", "spot-the-error", "exercise")
        if k not in kinds or len(kinds) > 1
    )
    filtered = json.loads(invoke("list", "--format", "json", "--kind", absent).stdout)
    assert all(item["kind"] == absent for item in filtered)


def test_list_unknown_lang_is_clean_error() -> None:
    result = invoke("list", "--lang", "xx")
    assert result.exit_code == 2
    assert "unknown locale 'xx'" in result.output and "Traceback" not in result.output


def test_show_json_and_text() -> None:
    data = json.loads(invoke("show", "bn-normalize-step", "--format", "json").stdout)
    assert data["id"] == "bn-normalize-step" and data["stale_locales"] == []
    text = invoke("show", "bn-normalize-step", "--lang", "zh-Hant")
    assert text.exit_code == 0
    assert load_bank().questions["bn-normalize-step"].locales["zh-Hant"].title in text.output


def test_show_unknown_id() -> None:
    result = invoke("show", "nope")
    assert result.exit_code == 2
    assert "no question with id 'nope'" in result.output


def as_editor_sees(path: Path) -> dict:
    """YAML as a JSON-schema-validating editor sees it: dates are strings."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text("utf-8")), default=str))


def test_schema_validates_the_bank(tmp_path: Path) -> None:
    out = tmp_path / "question.schema.json"
    assert invoke("schema", "--out", str(out)).exit_code == 0
    schema = json.loads(out.read_text("utf-8"))
    repo = Path(__file__).resolve().parents[2]
    for path in (repo / "questions").rglob("*.yaml"):
        if not path.name.startswith("_"):
            jsonschema.validate(as_editor_sees(path), schema)
    bad = as_editor_sees(repo / EXAMPLE) | {"level": 3}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("schema accepted an unknown key")


def test_committed_schemas_are_current() -> None:
    repo = Path(__file__).resolve().parents[2]
    for kind in ("question", "exercise", "bank"):
        assert invoke("schema", "--kind", kind).stdout == (
            repo / "schemas" / f"{kind}.schema.json"
        ).read_text("utf-8"), kind


def test_stamp_marks_translations_current(bank_copy: Path) -> None:
    path = bank_copy / EXAMPLE
    path.write_text(
        path.read_text("utf-8").replace("Mean and biased variance", "Mean and the biased variance"),
        "utf-8",
    )
    assert invoke("check", str(bank_copy)).exit_code == 1
    result = invoke("stamp", "bn-normalize-step")
    assert result.exit_code == 0, result.output
    assert invoke("check", str(bank_copy)).exit_code == 0
    q = load_bank().questions["bn-normalize-step"]
    assert q.locales["zh-Hans"].translated_from == q.source.source_hash()
    # only the hash lines changed
    assert path.read_text("utf-8").count("translated_from:") == 2
