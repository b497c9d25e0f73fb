"""The Allure results, written from the assurance report built from records and evidence files:
labels, links, severity, statuses and categories, readable parameters, clean messages, bounded
attachments, no secrets, and the same ids in every run."""

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gpc_assure.config.provider_config import load_config
from gpc_assure.report.allure import (
    ATTACHED_BODY_CHARS,
    CATEGORIES,
    RESULTS_DIR,
    environment,
    write_allure,
)
from gpc_assure.report.assurance import build_report
from gpc_assure.report.records import ScenarioRecord
from gpc_assure.run.session import RunOptions, RunSession

MUST = "GPC-DOC-NF-001"
SHOULD = "GPC-DOC-ERR-005"
MAY = "GPC-DOC-JWT-010"
ASID = "200000000115"
NOT_FOUND = {
    "requirement": MUST,
    "level": "MUST",
    "verdict": "failed",
    "expected": "HTTP 404",
    "observed": "HTTP 400",
}
NO_DIAGNOSTICS = {
    "requirement": SHOULD,
    "level": "SHOULD",
    "verdict": "warning",
    "expected": "issue.diagnostics describing the error",
    "observed": "no diagnostics",
}
MESSAGE = f"{MUST} (A document id that cannot be found is answered 404): expected HTTP 404; "
MESSAGE += "observed HTTP 400"


def record(node: str, outcome: str = "passed", **fields: Any) -> ScenarioRecord:
    base = ScenarioRecord(
        id=f"steps/test_conformance.py::{node}",
        feature="Retrieve a document that does not exist",
        name="An unknown document id is answered 404",
        tags=[f"req:{MUST}"],
        requirements=[MUST],
        outcome=outcome,
        message="",
        feature_file="features/unknown_document.feature",
        line=14,
        duration=0.25,
        started_at="2026-01-02T03:04:05.678+00:00",
    )
    return replace(base, **fields)


def evidence(folder: Path, node: str, **parts: Any) -> str:
    """An evidence file as the plugin writes it; its path relative to the report folder."""
    relative = f"evidence/{node}.json"
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"steps": [], "findings": [], "exchanges": [], "tls_probes": [], **parts}
    path.write_text(json.dumps(data), encoding="utf-8")
    return relative


def step(text: str, status: str = "passed", **extra: Any) -> dict[str, Any]:
    return {
        "keyword": "Then",
        "text": text,
        "status": status,
        "line": 15,
        "duration": 0.002,
        **extra,
    }


def results_of(folder: Path, records: list[ScenarioRecord], error: str | None = None) -> Path:
    """The Allure results of `records` (with their evidence files in `folder`)."""
    config = load_config(None, {}, {"base_url": "https://127.0.0.1:9/fhir"})
    report = build_report(
        report_dir=folder,
        config=config,
        records=records,
        embedded=False,
        started_at="2026-01-02T03:04:00+00:00",
        finished_at="2026-01-02T03:05:00+00:00",
        error=error,
    )
    return write_allure(folder / RESULTS_DIR, report)


def by_name(results: Path) -> dict[str, dict[str, Any]]:
    loaded = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    return {r["name"]: r for r in loaded}


def labels(result: dict[str, Any], name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


def test_a_scenario_names_its_requirements_in_labels_and_links(tmp_path: Path) -> None:
    checked = record(
        "test_unknown_id",
        "failed",
        message=MESSAGE,
        findings=[NOT_FOUND, {**NO_DIAGNOSTICS, "verdict": "met"}],
        tags=[f"req:{MUST}", "smoke"],
    )
    result = by_name(results_of(tmp_path, [checked]))["An unknown document id is answered 404"]

    assert labels(result, "story") == [SHOULD, MUST]  # tagged, and judged in a finding
    assert labels(result, "requirement") == [SHOULD, MUST]
    assert labels(result, "tag") == [f"req:{MUST}", "smoke"]
    assert labels(result, "feature") == ["Retrieve a document that does not exist"]
    assert labels(result, "parentSuite") == ["Retrieve a document that does not exist"]
    assert labels(result, "suite") == ["unknown_document"]
    assert labels(result, "framework") == ["gpc-assure"]
    assert labels(result, "host")
    links = {link["name"]: link for link in result["links"]}
    assert set(links) == {MUST, SHOULD}
    assert links[MUST]["type"] == "tms"
    assert links[MUST]["url"].startswith("https://developer.nhs.uk/apis/gpconnect-1-6-0/")
    assert links[MUST]["url"].endswith("#error-handling")
    assert result["fullName"] == "features/unknown_document.feature::test_unknown_id"
    assert "**GPC-DOC-NF-001** (MUST)" in result["description"]


@pytest.mark.parametrize(
    ("requirements", "severity"),
    [([MUST, SHOULD], "critical"), ([SHOULD], "normal"), ([MAY], "minor"), ([], "minor")],
)
def test_severity_is_the_strongest_requirement_level(
    tmp_path: Path, requirements: list[str], severity: str
) -> None:
    checked = record("test_a", requirements=requirements, tags=[])
    (result,) = by_name(results_of(tmp_path, [checked])).values()
    assert labels(result, "severity") == [severity]


def _category(result: dict[str, Any]) -> list[str]:
    """The categories Allure puts a result in: each whose status and whole message match."""
    return [
        category["name"]
        for category in CATEGORIES
        if result["status"] in category["matchedStatuses"]
        and re.fullmatch(
            category.get("messageRegex", ".*"), result["statusDetails"]["message"], re.S
        )
    ]


def test_statuses_and_categories_tell_failures_warnings_and_errors_apart(tmp_path: Path) -> None:
    records = [
        record("test_passed", name="passed"),
        record("test_failed", "failed", name="failed", message=MESSAGE, findings=[NOT_FOUND]),
        record(
            "test_warned",
            "warning",
            name="warned",
            message=f"{SHOULD}: expected issue.diagnostics describing the error; observed no "
            "diagnostics",
            findings=[NO_DIAGNOSTICS],
        ),
        record("test_error", "error", name="error", message="no response: read timed out"),
        record("test_skipped", "skipped", name="skipped", message="not in spec 1.0.1"),
    ]
    results = by_name(results_of(tmp_path, records))

    assert {name: r["status"] for name, r in results.items()} == {
        "passed": "passed",
        "failed": "failed",
        "warned": "broken",
        "error": "broken",
        "skipped": "skipped",
    }
    assert "statusDetails" not in results["passed"]
    assert results["failed"]["statusDetails"]["message"] == MESSAGE
    assert results["warned"]["statusDetails"]["message"] == (
        f"{SHOULD} (SHOULD): expected issue.diagnostics describing the error; "
        "observed no diagnostics"
    )
    assert results["skipped"]["statusDetails"]["message"] == "not in spec 1.0.1"
    assert _category(results["failed"]) == ["MUST failures"]
    assert _category(results["warned"]) == ["SHOULD warnings"]
    assert _category(results["error"]) == ["Provider unreachable / run errors"]
    written = json.loads((tmp_path / RESULTS_DIR / "categories.json").read_text())
    assert [c["name"] for c in written] == [c["name"] for c in CATEGORIES]


def test_messages_carry_no_exception_class_or_traceback(tmp_path: Path) -> None:
    second = {**NOT_FOUND, "expected": "Spine code NO_RECORD_FOUND", "observed": "BAD_REQUEST"}
    failed = record("test_a", "failed", message=MESSAGE, findings=[NOT_FOUND, second])
    (result,) = by_name(results_of(tmp_path, [failed])).values()
    details = result["statusDetails"]
    assert details["message"] == MESSAGE
    assert details["trace"].splitlines() == [
        f"{MUST} (MUST): expected HTTP 404; observed HTTP 400",
        f"{MUST} (MUST): expected Spine code NO_RECORD_FOUND; observed BAD_REQUEST",
    ]
    shown = json.dumps(result)
    assert "Traceback" not in shown
    assert not re.search(r"\w+(Error|Failure|Exception): ", shown)


def test_steps_and_parameters_are_the_scenarios_own_words(tmp_path: Path) -> None:
    path = evidence(
        tmp_path,
        "test_row",
        findings=[NO_DIAGNOSTICS],
        steps=[
            step(
                "the response status is 404 (GPC-DOC-NF-001)",
                started_at="2026-01-02T03:04:05.700+00:00",
                arguments={"status": "404", "req": MUST},
            ),
            step("the OperationOutcome gives diagnostics (GPC-DOC-ERR-005)", findings=[0]),
            step("the Spine error code is NO_RECORD_FOUND (GPC-DOC-NF-001)", "not-run"),
        ],
    )
    row = record(
        "test_row[iss]",
        "warning",
        message="warned",
        findings=[NO_DIAGNOSTICS],
        evidence=path,
        parameters={"claim": "iss", "document": "gpc-doc-small-pdf"},
    )
    result = by_name(results_of(tmp_path, [row]))["An unknown document id is answered 404 [iss]"]

    assert result["parameters"] == [
        {"name": "claim", "value": "iss"},
        {"name": "document", "value": "gpc-doc-small-pdf"},
    ]
    first, warned, not_run = result["steps"]
    assert first["name"] == "Then the response status is 404 (GPC-DOC-NF-001)"
    assert first["parameters"] == [
        {"name": "status", "value": "404"},
        {"name": "req", "value": MUST},
    ]
    assert first["start"] == 1767323045700
    assert first["stop"] == first["start"] + 2
    assert warned["status"] == "broken"  # the step that found the SHOULD unmet
    assert warned["statusDetails"]["message"].startswith(f"{SHOULD} (SHOULD): expected")
    assert warned["start"] == first["stop"]
    assert not_run["status"] == "skipped"
    assert result["start"] == 1767323045678
    assert result["stop"] == 1767323045678 + 250
    assert labels(result, "subSuite") == ["An unknown document id is answered 404"]
    for text in ("<function", "object at 0x", "ProviderConfig(", "Judge("):
        assert text not in json.dumps(result)


def test_history_ids_are_the_same_in_every_run_and_rows_share_a_test_case(
    tmp_path: Path,
) -> None:
    rows = [record("test_claim[iss]", name="claim"), record("test_claim[sub]", name="claim")]
    first = by_name(results_of(tmp_path / "1", rows))
    second = by_name(results_of(tmp_path / "2", rows))

    assert len(first) == 2
    for name, result in first.items():
        again = second[name]
        assert (result["historyId"], result["testCaseId"]) == (
            again["historyId"],
            again["testCaseId"],
        )
        assert result["uuid"] != again["uuid"]  # each execution its own
    assert len({r["historyId"] for r in first.values()}) == 2  # one per row
    assert len({r["testCaseId"] for r in first.values()}) == 1  # one outline


def test_evidence_is_attached_with_each_body_bounded(tmp_path: Path) -> None:
    huge = {"format": "json", "size": 300_000, "json": {"issue": ["x" * 100] * 2_000}}
    small = {"format": "empty", "size": 0}
    exchange = {
        "started_at": "2026-01-02T03:04:05.700+00:00",
        "elapsed_ms": 1.0,
        "request": {"method": "GET", "url": "https://127.0.0.1:9/fhir/Binary/x", "body": small},
        "response": {"status": 400, "headers": [], "body": huge},
    }
    path = evidence(tmp_path, "test_a", exchanges=[exchange, exchange])
    failed = record("test_a", "failed", message=MESSAGE, findings=[NOT_FOUND], evidence=path)
    results = results_of(tmp_path, [failed])
    (result,) = by_name(results).values()

    names = [a["name"] for a in result["attachments"]]
    assert names == ["findings", f"evidence ({path})"]
    findings = json.loads((results / result["attachments"][0]["source"]).read_text())
    assert findings == [NOT_FOUND]
    attached = json.loads((results / result["attachments"][1]["source"]).read_text())
    assert attached["evidence_file"] == path
    body = attached["exchanges"][0]["response"]["body"]
    assert len(body["excerpt"]) == ATTACHED_BODY_CHARS
    assert body["whole_in"] == path
    assert attached["exchanges"][0]["request"]["body"] == small
    total = sum(p.stat().st_size for p in results.glob("*-attachment.json"))
    assert total < 3 * ATTACHED_BODY_CHARS


def test_a_run_that_judged_nothing_says_why(tmp_path: Path) -> None:
    results = results_of(tmp_path, [], error="provider unreachable: connection refused")
    (result,) = by_name(results).values()
    assert result["status"] == "broken"
    assert result["statusDetails"]["message"] == "provider unreachable: connection refused"
    assert _category(result) == ["Provider unreachable / run errors"]
    assert (results / "environment.properties").is_file()


def test_environment_properties_are_escaped_for_java(tmp_path: Path) -> None:
    results = results_of(tmp_path, [record("test_a")])
    text = (results / "environment.properties").read_bytes().decode("ascii")
    assert "spec_version=1.6\n" in text
    assert "provider=https://127.0.0.1:9/fhir\n" in text
    assert text.startswith("verdict=")
    report: dict[str, Any] = {
        "verdict": {"status": "incomplete", "reason": "caf\u00e9\nline \\ two"},
        "spec_version": "1.6",
        "provider": {"base_url": None, "transport": "plain HTTP"},
        "suite": {"version": "0", "build": "b"},
        "run": {"id": "r"},
    }
    assert environment(report)["provider"] == "embedded reference provider"
    write_allure(tmp_path / "env", {**report, "scenarios": [], "requirements": []})
    line = (tmp_path / "env" / "environment.properties").read_text("ascii").splitlines()[0]
    assert line == "verdict=incomplete: caf\\u00e9\\nline \\\\ two"


def test_a_redacted_value_reaches_no_allure_file(tmp_path: Path) -> None:
    config = load_config(None, {}, {"base_url": "https://127.0.0.1:9/fhir", "consumer_asid": ASID})
    run = RunSession(config, RunOptions(report_dir=tmp_path / "report", redact=("Ssp-From",)))
    run.claim_folder()
    planted = f"expected 400; observed 200 for Ssp-From {ASID}"
    run.add(
        record(
            "test_a",
            "failed",
            message=planted,
            findings=[{**NOT_FOUND, "observed": planted}],
            parameters={"asid": ASID},
        )
    )
    run.write_reports()

    results = run.report_dir / RESULTS_DIR
    files = list(results.iterdir())
    assert any(p.name.endswith("-result.json") for p in files)
    for path in files:
        assert ASID not in path.read_text(encoding="utf-8"), path.name
    (result,) = by_name(results).values()
    assert result["parameters"] == [{"name": "asid", "value": "[redacted]"}]
