"""cucumber.json as Cucumber's formatter lays it out (real uri and lines, one unique name per
example row, step durations in nanoseconds), with what a reporter shows: requirement tags, a
warning that stays visible without failing, steps agreeing with the outcome, the findings and
exchanges as bounded text that a page can show unescaped."""

import base64
import json
from pathlib import Path
from typing import Any

from gpc_assure.checks.verdict import VERDICTS
from gpc_assure.report.cucumber import (
    MAX_TEXT_CHARS,
    cucumber_features,
    findings_text,
    write_cucumber,
)

REQUIREMENTS = [
    {"id": "GPC-DOC-RD-001", "level": "MUST", "summary": "A read answers 200"},
    {"id": "GPC-DOC-HTTP-007", "level": "SHOULD", "summary": "XML is supported"},
]
BINARY_EXCHANGE = {
    "elapsed_ms": 1.5,
    "request": {
        "method": "GET",
        "url": "https://127.0.0.1:9/Binary/doc-1",
        "query": [["_format", "json"]],
        "headers": [["Accept", "application/fhir+json"], ["Ssp-From", "200000000115"]],
    },
    "response": {
        "status": 500,
        "http_version": "HTTP/1.1",
        "headers": [["Content-Type", "application/fhir+json"], ["Server", "x"]],
        "body": {
            "format": "json",
            "size": 948,
            "json": {
                "resourceType": "Binary",
                "contentType": "application/pdf",
                "content": {
                    "redacted": "document content",
                    "sha256": "6dec81",
                    "size": 621,
                    "detected_type": "pdf",
                },
            },
        },
    },
}


def scenario(node: str, outcome: str = "passed", **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": f"steps/test_conformance.py::{node}",
        "feature": "Retrieve a document",
        "name": "An existing document is returned",
        "tags": ["req:GPC-DOC-RD-001"],
        "requirements": ["GPC-DOC-RD-001"],
        "outcome": outcome,
        "message": "" if outcome == "passed" else "GPC-DOC-RD-001: expected 200; observed 500",
        "steps": [
            {
                "keyword": "given",
                "text": "a valid request",
                "status": "passed",
                "line": 8,
                "duration": 0.001,
            },
            {
                "keyword": "then",
                "text": "the status is 200 (GPC-DOC-RD-001)",
                "status": "failed" if outcome == "failed" else "passed",
                "line": 9,
                "duration": 0.0025,
            },
        ],
        "feature_file": "features/retrieve_document.feature",
        "line": 7,
        "evidence": f"evidence/{node}.json",
        "findings": [],
        "exchanges": [],
        "tls_probes": [],
    }
    fields.update(extra)
    return fields


def finding(requirement: str, verdict: str, observed: str = "500") -> dict[str, str]:
    level = "SHOULD" if verdict == "warning" else "MUST"
    return {
        "requirement": requirement,
        "level": level,
        "verdict": verdict,
        "expected": "200",
        "observed": observed,
    }


def elements(*scenarios: dict[str, Any]) -> list[dict[str, Any]]:
    [feature] = cucumber_features({"scenarios": list(scenarios), "requirements": REQUIREMENTS})
    found: list[dict[str, Any]] = feature["elements"]
    return found


def texts(step: dict[str, Any]) -> list[str]:
    return [base64.b64decode(e["data"]).decode() for e in step.get("embeddings", [])]


def statuses(element: dict[str, Any]) -> list[str]:
    return [step["result"]["status"] for step in element["steps"]]


def tags(element: dict[str, Any]) -> list[str]:
    return [tag["name"] for tag in element["tags"]]


def test_each_example_row_is_a_uniquely_named_scenario_of_its_real_feature_file() -> None:
    report = {"scenarios": [scenario("test_x[doc-1]"), scenario("test_x[doc-2]")]}
    [feature] = cucumber_features(report)
    assert feature["uri"] == "features/retrieve_document.feature"
    assert feature["line"] == 1
    names = [element["name"] for element in feature["elements"]]
    assert names == [
        "An existing document is returned [doc-1]",
        "An existing document is returned [doc-2]",
    ]
    assert len({element["id"] for element in feature["elements"]}) == 2
    step = feature["elements"][0]["steps"][1]
    assert (step["keyword"], step["line"]) == ("Then ", 9)
    assert step["result"] == {"status": "passed", "duration": 2_500_000}


def test_a_failed_scenario_shows_its_findings_exchanges_and_evidence_file_on_its_failed_step(
    tmp_path: Path,
) -> None:
    failed = scenario(
        "test_bad",
        "failed",
        findings=[finding("GPC-DOC-HTTP-001", "met"), finding("GPC-DOC-RD-001", "failed")],
        exchanges=[BINARY_EXCHANGE],
    )
    failed["steps"].append({"keyword": "and", "text": "more", "status": "not-run", "line": 10})
    report = {"scenarios": [failed], "requirements": REQUIREMENTS}
    [bad] = json.loads(write_cucumber(tmp_path, report).read_text())[0]["elements"]
    assert statuses(bad) == ["passed", "failed", "skipped"]
    assert tags(bad) == ["@req:GPC-DOC-RD-001"]
    assert bad["description"] == (
        "GPC-DOC-RD-001: A read answers 200\nFailed: GPC-DOC-RD-001: expected 200; observed 500"
    )
    step = bad["steps"][1]
    assert step["result"]["error_message"] == "GPC-DOC-RD-001: expected 200; observed 500"
    findings, exchanges, path = texts(step)
    assert findings == (
        "Findings:\n"
        "Failed: GPC-DOC-RD-001 MUST (A read answers 200)\n  expected: 200\n  observed: 500\n"
        "Met: GPC-DOC-HTTP-001 MUST\n  expected: 200\n  observed: 500"
    )
    assert exchanges.splitlines()[1:] == [
        "#1 GET https://127.0.0.1:9/Binary/doc-1?_format=json",
        "  Accept: application/fhir+json",
        "  answered HTTP/1.1 500 in 1.5 ms",
        "  Content-Type: application/fhir+json",
        "  body: json, 948 bytes, Binary (contentType application/pdf; document of 621 bytes, "
        "sha256 6dec81, detected type pdf)",
    ]
    assert path == "Evidence file (in the report folder): evidence/test_bad.json"
    assert all(texts(s) == [] for s in (bad["steps"][0], bad["steps"][2]))


def test_a_warning_passes_tagged_and_described_so_that_no_gate_fails_on_it() -> None:
    warned = scenario(
        "test_xml",
        "warning",
        findings=[finding("GPC-DOC-HTTP-007", "warning", observed="HTTP 415")],
    )
    [feature] = cucumber_features(
        {"scenarios": [warned, scenario("test_ok")], "requirements": REQUIREMENTS}
    )
    element = feature["elements"][0]
    assert statuses(element) == ["passed", "passed"]
    assert all("error_message" not in step["result"] for step in element["steps"])
    assert tags(element) == ["@req:GPC-DOC-RD-001", "@warning"]
    warning = "Warning: GPC-DOC-HTTP-007 SHOULD (XML is supported): expected 200; observed HTTP 415"
    assert element["description"].splitlines()[1] == warning
    findings, _ = texts(element["steps"][-1])
    assert findings.splitlines()[1] == "Warning: GPC-DOC-HTTP-007 SHOULD (XML is supported)"
    assert feature["description"].startswith("1 scenario(s) passed with a SHOULD warning")
    assert "@warning" not in tags(feature["elements"][1])


def test_every_step_agrees_with_the_outcome_so_that_a_reporter_counts_as_the_run_did() -> None:
    errored = scenario("test_error", "error", message="teardown: connection reset")
    skipped = scenario("test_skip", "skipped", message="no XML document configured", steps=[])
    halted = scenario("test_setup", "error", message="setup failed")
    halted["steps"] = [{**step, "status": "not-run"} for step in halted["steps"]]
    found = elements(errored, skipped, halted)
    assert statuses(found[0]) == ["passed", "failed"]  # its steps all passed: the last fails
    assert tags(found[0]) == ["@req:GPC-DOC-RD-001", "@error"]
    assert found[0]["steps"][1]["result"]["error_message"] == "teardown: connection reset"
    assert statuses(found[1]) == ["skipped"]  # no step recorded: one stands for the scenario
    assert found[1]["description"].endswith("Skipped: no XML document configured")
    assert statuses(found[2]) == ["failed", "skipped"]
    assert texts(found[2]["steps"][0])  # the evidence file's path, on the step that failed


def test_findings_read_failures_and_warnings_first() -> None:
    findings = [finding(f"R-{verdict}", verdict) for verdict in reversed(VERDICTS)]
    headings = [line.split(":")[0] for line in findings_text(findings, {}).splitlines()[::3]]
    assert headings == ["Failed", "Warning", "Reported", "Not evaluated", "Met"]


HOSTILE = '<script>alert("x")</script>\x1b]0;owned\x07'


def test_provider_text_can_go_into_a_page_unescaped_and_is_bounded(tmp_path: Path) -> None:
    exchange = json.loads(json.dumps(BINARY_EXCHANGE))
    exchange["response"]["headers"] = [["ETag", HOSTILE * 100]] * 3
    hostile = scenario(
        "test_hostile",
        "failed",
        message=f"GPC-DOC-RD-001: observed {HOSTILE}",
        findings=[finding("GPC-DOC-RD-001", "failed", observed=HOSTILE * 1000)] * 8,
        exchanges=[exchange] * 50,
    )
    report = {"scenarios": [hostile], "requirements": REQUIREMENTS}
    [element] = json.loads(write_cucumber(tmp_path, report).read_text())[0]["elements"]
    step = element["steps"][1]
    shown = [element["description"], step["result"]["error_message"], *texts(step)]
    for text in shown:
        assert not {"<", ">", "\x1b", "\x07"} & set(text), text[:200]
        assert len(text) < MAX_TEXT_CHARS + 100
    assert "\u2039script\u203a" in step["result"]["error_message"]
    assert "\\x1b]0;owned\\x07" in step["result"]["error_message"]
    exchanges = texts(step)[1]
    assert exchanges.count("answered HTTP/1.1 500") < 50
