"""Machine formats of a GradeResult: our JSON, Gradescope's results.json, JUnit XML.

Gradescope: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (score,
execution_time, output, tests[] with name/score/max_score/status/output). JUnit: the common
Ant/Jenkins dialect (testsuites > testsuite > testcase > failure|error|skipped, system-out).
Schemas for all three are in schemas/ and tests validate against them.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from grader._result import CheckResult, GradeResult


def to_json(result: GradeResult, indent: int | None = 2) -> str:
    return result.model_dump_json(indent=indent)


def _check_output(c: CheckResult) -> str:
    lines = [c.message] if c.message else []
    if c.hint:
        lines.append(c.hint)
    if c.question:
        lines.append(f"question: {c.question}")
    if c.tolerance:
        lines.append(f"tolerance: {c.tolerance}")
    return "\n".join(lines)


def to_gradescope(result: GradeResult) -> str:
    scale = 1.0
    tests = [
        {
            "name": f"{c.id}: {c.title}",
            "number": str(i),
            "score": round(c.points * scale, 6),
            "max_score": round(c.max_points * scale, 6),
            "status": "passed" if c.passed else "failed",
            "output": _check_output(c),
            "output_format": "text",
            "visibility": "visible",
        }
        for i, c in enumerate(result.checks, start=1)
    ]
    doc = {
        "score": round(result.points, 6),
        "execution_time": round(result.duration_s, 3),
        "output": f"{result.status}: {result.message}\nseed {result.seed}; {result.tolerance_rule}",
        "output_format": "text",
        "stdout_visibility": "hidden",
        "visibility": "visible",
        "extra_data": {
            "mlprep_version": result.version,
            "seed": result.seed,
            "status": result.status,
            "sandbox": result.sandbox,
        },
        "tests": tests,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def to_junit(result: GradeResult) -> str:
    failures = sum(1 for c in result.checks if not c.passed and c.error is None)
    errors = sum(1 for c in result.checks if not c.passed and c.error is not None)
    suites = ET.Element(
        "testsuites",
        name="mlprep",
        tests=str(len(result.checks)),
        failures=str(failures),
        errors=str(errors),
        time=f"{result.duration_s:.3f}",
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=result.exercise,
        tests=str(len(result.checks)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{result.duration_s:.3f}",
    )
    props = ET.SubElement(suite, "properties")
    for k, v in (
        ("seed", result.seed),
        ("status", result.status),
        ("score", result.score),
        ("sandbox", result.sandbox),
        ("version", result.version),
    ):
        ET.SubElement(props, "property", name=k, value=str(v))
    if not result.checks or result.status not in ("passed", "failed"):
        case = ET.SubElement(
            suite, "testcase", classname=result.exercise, name="submission", time="0"
        )
        if result.status != "passed":
            el = ET.SubElement(case, "error", type=result.status, message=result.message[:500])
            el.text = result.message
    for c in result.checks:
        case = ET.SubElement(suite, "testcase", classname=result.exercise, name=c.id, time="0")
        if not c.passed:
            tag = "error" if c.error is not None else "failure"
            el = ET.SubElement(case, tag, type=c.diagnosis or tag, message=c.message[:500])
            el.text = _check_output(c)
    if result.stdout:
        ET.SubElement(suite, "system-out").text = result.stdout
    if result.stderr:
        ET.SubElement(suite, "system-err").text = result.stderr
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")
