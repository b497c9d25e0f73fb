"""cucumber.json as Cucumber's formatter lays it out: real uri and lines, one unique name per
example row, step durations in nanoseconds, evidence embedded."""

import base64
import json
from pathlib import Path
from typing import Any

from gpc_assure.report.cucumber import cucumber_features, write_cucumber


def scenario(node: str, outcome: str = "passed", **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": f"steps/test_conformance.py::{node}",
        "feature": "Retrieve a document",
        "name": "An existing document is returned",
        "tags": ["req:GPC-DOC-RD-001"],
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
                "status": "passed" if outcome == "passed" else "failed",
                "line": 9,
                "duration": 0.0025,
            },
        ],
        "feature_file": "features/retrieve_document.feature",
        "line": 7,
        "evidence": f"evidence/{node}.json",
        "findings": [],
    }
    fields.update(extra)
    return fields


def test_each_example_row_is_a_uniquely_named_scenario_of_its_real_feature_file(
    tmp_path: Path,
) -> None:
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


def test_a_failed_scenario_embeds_its_findings_and_every_one_its_evidence_path(
    tmp_path: Path,
) -> None:
    finding = {"requirement": "GPC-DOC-RD-001", "verdict": "failed", "expected": "200"}
    report = {
        "scenarios": [
            scenario("test_bad", "failed", findings=[finding]),
            scenario("test_good", findings=[]),
        ]
    }
    written = json.loads(write_cucumber(tmp_path, report).read_text())
    bad, good = written[0]["elements"]
    findings, path = bad["steps"][-1]["embeddings"]
    assert findings["mime_type"] == "application/json"
    assert json.loads(base64.b64decode(findings["data"])) == [finding]
    assert base64.b64decode(path["data"]) == b"evidence/test_bad.json"
    assert bad["steps"][-1]["result"]["error_message"].startswith("GPC-DOC-RD-001")
    [pointer] = good["steps"][-1]["embeddings"]
    assert base64.b64decode(pointer["data"]) == b"evidence/test_good.json"
