"""Every output format validates against its schema: ours, Gradescope's, JUnit's XSD."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from grader import render
from grader._result import GradeResult

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
CORPUS = Path(__file__).with_name("corpus")

CASES = [
    ("batchnorm-forward", REPO / "reference" / "solutions" / "batchnorm_forward.py"),
    ("batchnorm-forward", CORPUS / "batchnorm-forward" / "wrong_axis.py"),
    ("batchnorm-forward", CORPUS / "batchnorm-forward" / "syntax_error.py"),
    ("batchnorm-backward", CORPUS / "batchnorm-backward" / "missing_backward.py"),
]


@pytest.fixture(scope="module")
def results(reference) -> list[GradeResult]:
    import os

    from grader import grade

    old = os.environ.pop("MLPREP_BANK", None)
    try:
        return [grade(x, p, seed=11) for x, p in CASES]
    finally:
        if old is not None:
            os.environ["MLPREP_BANK"] = old


def test_result_schema_file_is_generated_from_the_model():
    on_disk = json.loads((SCHEMAS / "result.schema.json").read_text())
    generated = GradeResult.model_json_schema()
    on_disk.pop("$schema"), on_disk.pop("$id")
    assert on_disk == generated, "run the snippet in grader/_result.py's docstring to regenerate"


def test_json_validates(results):
    schema = json.loads((SCHEMAS / "result.schema.json").read_text())
    for r in results:
        jsonschema.validate(json.loads(render(r, "json")), schema)
    statuses = {r.status for r in results}
    assert statuses == {"passed", "failed", "error"}


def test_gradescope_validates_and_scores_add_up(results):
    schema = json.loads((SCHEMAS / "gradescope-results.schema.json").read_text())
    for r in results:
        doc = json.loads(render(r, "gradescope"))
        jsonschema.validate(doc, schema)
        assert doc["score"] == pytest.approx(sum(t["score"] for t in doc["tests"]))
        assert all(t["status"] in ("passed", "failed") for t in doc["tests"])


def test_gradescope_schema_rejects_what_gradescope_rejects():
    schema = json.loads((SCHEMAS / "gradescope-results.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"tests": [{"name": "x", "status": "ok", "score": 1}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": "10"}, schema)


def test_junit_validates_against_the_xsd(results):
    xmlschema = pytest.importorskip("xmlschema")
    xsd = xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))
    for r in results:
        xml = render(r, "junit")
        xsd.validate(xml)
        assert ("<failure" in xml or "<error" in xml) == (r.status != "passed")


def test_junit_xsd_rejects_a_malformed_report():
    xmlschema = pytest.importorskip("xmlschema")
    xsd = xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))
    assert not xsd.is_valid("<testsuites><testsuite name='x'><testcase/></testsuite></testsuites>")


def test_text_is_short_and_coloured_only_when_asked(results):
    failed = next(r for r in results if r.status == "failed")
    plain = render(failed, "text", color=False)
    assert "\x1b[" not in plain
    assert len(plain.splitlines()) < 30
    assert "\x1b[" in render(failed, "text", color=True)


def test_results_built_without_validation_are_valid(results):
    """build_result uses model_construct (fast); every result must still pass validation."""
    for r in results:
        again = GradeResult.model_validate_json(r.model_dump_json())
        assert again == GradeResult.model_validate(r.model_dump())
        assert 0.0 <= again.score <= 1.0


def test_records_mirror_the_result_models_field_for_field():
    """The text report renders a ``grader._record`` record, every other format the pydantic
    document made from it: both must have the same fields, in the same order, same defaults."""
    import dataclasses

    from grader import _record, _result

    pairs = [
        (_record.GradeRecord, _result.GradeResult),
        (_record.CheckRecord, _result.CheckResult),
        (_record.WhereRecord, _result.Where),
        (_record.ErrorRecord, _result.SubmissionErrorInfo),
    ]
    for record, model in pairs:
        fields = {f.name: f for f in dataclasses.fields(record)}
        assert set(fields) == set(model.model_fields), record.__name__
        for name, info in model.model_fields.items():
            f = fields[name]
            if info.is_required():
                assert f.default is dataclasses.MISSING, (record.__name__, name)
                assert f.default_factory is dataclasses.MISSING, (record.__name__, name)
            elif info.default_factory is not None:
                assert f.default_factory() == info.default_factory(), (record.__name__, name)
            else:
                assert f.default == info.default, (record.__name__, name)


def test_text_of_the_record_is_the_text_of_the_document(reference):
    """The CLI renders the record (no pydantic); the API's document must read the same."""
    import os

    from grader._grade import grade_record
    from grader._record import to_result

    old = os.environ.pop("MLPREP_BANK", None)
    try:
        records = [grade_record(x, p, seed=11) for x, p in CASES]
    finally:
        if old is not None:
            os.environ["MLPREP_BANK"] = old
    for rec in records:
        doc = to_result(rec)
        GradeResult.model_validate(doc.model_dump())  # the document is valid
        for color in (False, True):
            text = render(rec, "text", color=color)
            assert text == render(doc, "text", color=color)
        # json of a record is the json of its document (render converts it)
        a, b = json.loads(render(rec, "json")), json.loads(render(doc, "json"))
        assert a == b
    assert {r.status for r in records} == {"passed", "failed", "error"}
