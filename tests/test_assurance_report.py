"""The assurance report document: each requirement's status says what actually happened, and
the document stays valid against its schema."""

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from gpc_assure.config.provider_config import load_config
from gpc_assure.report import discovery_section as section_module
from gpc_assure.report.assurance import build_report, requirement_status, selection_words
from gpc_assure.report.discovery_section import MAX_DOCUMENTS, MAX_STEPS, summary_of
from gpc_assure.report.records import ScenarioRecord
from gpc_assure.spec.catalogue import catalogue
from gpc_assure.spec.paths import SCHEMAS_DIR

XML_VALID = "GPC-DOC-HTTP-008"
UNKNOWN_ID = "GPC-DOC-NF-001"


def scenario(
    name: str, outcome: str, requirements: list[str], message: str = "", **finding: str
) -> dict[str, Any]:
    """A scenario as build_report shapes it; with `finding` (requirement, verdict, observed),
    one finding."""
    findings = (
        [{"level": "MUST", "expected": "something", "observed": "", **finding}] if finding else []
    )
    return {
        "id": f"steps/test_conformance.py::test_{name.replace(' ', '_')}",
        "name": name,
        "requirements": requirements,
        "outcome": outcome,
        "message": message,
        "findings": findings,
    }


def status(
    requirement_id: str, scenarios: list[dict[str, Any]], spec: str = "1.6", **kwargs: Any
) -> tuple[str, str]:
    return requirement_status(catalogue()[requirement_id], spec, scenarios, **kwargs)


def test_a_skipped_scenario_gives_its_skip_message() -> None:
    skipped = scenario("large", "skipped", [XML_VALID], "no large_document_id is configured")
    assert status(XML_VALID, [skipped]) == (
        "not-tested",
        "skipped: no large_document_id is configured",
    )


def test_an_unevaluated_finding_gives_what_was_observed() -> None:
    stopped = scenario(
        "xml",
        "failed",
        [XML_VALID],
        requirement=XML_VALID,
        verdict="not evaluated",
        observed="no XML returned (HTTP 202)",
    )
    assert status(XML_VALID, [stopped, stopped]) == (
        "not-tested",
        "not evaluated: no XML returned (HTTP 202)",
    )


def test_a_scenario_that_stopped_first_gives_its_message() -> None:
    stopped = scenario("xml answer", "failed", [XML_VALID], "GPC-DOC-RD-001: expected 200")
    assert status(XML_VALID, [stopped]) == (
        "not-tested",
        "xml answer stopped before checking it: GPC-DOC-RD-001: expected 200",
    )
    silent = scenario("xml answer", "passed", [XML_VALID])
    assert status(XML_VALID, [silent]) == ("not-tested", "xml answer passed without checking it")


def test_reasons_are_listed_once_and_bounded() -> None:
    skips = [scenario(f"s{n}", "skipped", [XML_VALID], f"reason {n % 5}") for n in range(10)]
    _, reason = status(XML_VALID, skips)
    assert reason == ("skipped: reason 0; skipped: reason 1; skipped: reason 2; and 2 more")


def test_a_requirement_left_out_by_the_selection_says_so() -> None:
    selection = {"families": ["transport_security"], "keyword": "tls"}
    assert status(UNKNOWN_ID, [], selection=selection) == (
        "not-tested",
        "not selected: this run was limited to --family transport_security, -k tls",
    )


def test_a_run_that_never_started_gives_its_error() -> None:
    error = "cannot reach the provider at https://provider.example: connection refused"
    assert status(UNKNOWN_ID, [], error=error) == ("not-tested", f"not run: {error}")
    assert status(UNKNOWN_ID, []) == ("not-tested", "no scenario checks it in this run")


def test_another_spec_version_says_which() -> None:
    assert status("GPC-DOC-HTTP-014", []) == (
        "not-applicable",
        "not part of spec 1.6: applies to spec draft, 1.0 only",
    )


def test_a_scenario_in_error_gives_its_message() -> None:
    broken = scenario("unknown id", "error", [UNKNOWN_ID], "no response: connection reset")
    assert status(UNKNOWN_ID, [broken]) == (
        "error",
        "a scenario could not be completed: unknown id: no response: connection reset",
    )


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        ("failed", ("failed", "unmet in 2 check(s)")),
        ("met", ("passed", "met in 2 check(s)")),
    ],
)
def test_judged_requirements_count_their_checks(verdict: str, expected: tuple[str, str]) -> None:
    judged = scenario("unknown id", "failed", [UNKNOWN_ID], requirement=UNKNOWN_ID, verdict=verdict)
    assert status(UNKNOWN_ID, [judged, judged]) == expected


def test_selection_words_name_the_options() -> None:
    assert selection_words({}) == ""
    assert selection_words({"requirements": ["GPC-DOC-TLS-004", "GPC-DOC-TLS-005"]}) == (
        "--requirement GPC-DOC-TLS-004, --requirement GPC-DOC-TLS-005"
    )


# --------------------------------------------------------------------------------------------
# The whole document


def record(name: str, outcome: str, requirement: str, verdict: str) -> ScenarioRecord:
    return ScenarioRecord(
        id=f"steps/test_conformance.py::test_{name}",
        feature="Retrieve a document",
        name=name,
        tags=[f"req:{requirement}"],
        requirements=[requirement],
        outcome=outcome,
        message=f"{requirement}: expected 200; observed 202" if outcome == "failed" else "",
        findings=[
            {
                "requirement": requirement,
                "level": "MUST",
                "verdict": verdict,
                "expected": "HTTP 200",
                "observed": "HTTP 202",
            }
        ],
    )


def report(tmp_path: Path, nhs_numbers: tuple[str, ...] = (), **kwargs: Any) -> dict[str, Any]:
    settings = {"base_url": "https://provider.example/fhir", "nhs_numbers": list(nhs_numbers)}
    return build_report(
        report_dir=tmp_path,
        config=load_config(None, {}, settings),
        records=[
            record("small", "failed", "GPC-DOC-RD-001", "failed"),
            record("letter", "failed", "GPC-DOC-RD-007", "failed"),
            record("unknown", "passed", UNKNOWN_ID, "met"),
        ],
        embedded=False,
        started_at="2026-01-01T10:00:00+00:00",
        finished_at="2026-01-01T10:01:00+00:00",
        **kwargs,
    )


def assert_valid(document: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS_DIR / "assurance-report.schema.json").read_text("utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(document)] == []


def test_the_verdict_names_the_failed_requirements(tmp_path: Path) -> None:
    document = report(tmp_path)
    assert_valid(document)
    assert document["verdict"]["status"] == "non-conformant"
    assert document["verdict"]["reason"] == (
        "2 MUST requirement(s) failed: GPC-DOC-RD-001, GPC-DOC-RD-007"
    )
    assert "selection" not in document["run"]


def test_the_selection_is_recorded_and_explains_what_was_left_out(tmp_path: Path) -> None:
    selection = {"requirements": ["GPC-DOC-RD-001"], "families": [], "keyword": ""}
    document = report(tmp_path, selection=selection)
    assert_valid(document)
    assert document["run"]["selection"] == {"requirements": ["GPC-DOC-RD-001"]}
    reasons = {r["id"]: r["status_reason"] for r in document["requirements"]}
    assert reasons["GPC-DOC-HDR-001"] == (
        "not selected: this run was limited to --requirement GPC-DOC-RD-001"
    )
    not_tested = {item["id"]: item["reason"] for item in document["not_tested"]}
    assert not_tested["GPC-DOC-HDR-001"] == reasons["GPC-DOC-HDR-001"]


@pytest.mark.parametrize(
    "selection",
    [
        {"requirements": []},
        {"families": ["transport_security"], "colour": "blue"},
        {"keyword": ""},
        {"requirements": ["not-an-id"]},
    ],
)
def test_the_schema_refuses_a_malformed_selection(tmp_path: Path, selection: Any) -> None:
    document = report(tmp_path)
    document["run"]["selection"] = selection
    schema = json.loads((SCHEMAS_DIR / "assurance-report.schema.json").read_text("utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(document))


def test_every_catalogued_requirement_is_in_the_document(tmp_path: Path) -> None:
    document = report(tmp_path)
    assert [r["id"] for r in document["requirements"]] == list(catalogue())


# --------------------------------------------------------------------------------------------
# How the documents were found, read back from discovery.json

NHS_1 = "9690937278"
HOSTILE = "<script>alert(1)</script>\u202e"


def step(n: int = 0, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "Find a Patient",
        "nhs_number": NHS_1,
        "patient_id": None,
        "exchange_index": n,
        "outcome": "1 Patient with this NHS number: gpc-patient-1",
        "ok": True,
        "notes": [],
        "asked": f"NHS number {NHS_1}",
        **fields,
    }


def found(n: int = 0, **fields: Any) -> dict[str, Any]:
    """A document as discovery.json has it (with the fields the section leaves out)."""
    return {
        "nhs_number": NHS_1,
        "patient_id": "gpc-patient-1",
        "document_reference_id": f"docref-{n}",
        "subject": "Patient/gpc-patient-1",
        "content_index": 0,
        "url": f"https://provider.example/fhir/Binary/doc-{n}",
        "url_form": "the configured service root's Binary",
        "url_reason": None,
        "binary_id": f"doc-{n}",
        "content_type": "application/pdf",
        "size": 621,
        "title": None,
        "step_index": 1,
        "remarks": [],
        "provenance": f"NHS number {NHS_1} -> Patient gpc-patient-1 -> "
        f"DocumentReference docref-{n} -> Binary doc-{n}",
        "part": "ordinary",
        "set_aside_because": None,
        **fields,
    }


def write_discovery_file(folder: Path, **fields: Any) -> None:
    written = {
        "patients": [{"nhs_number": NHS_1, "patient_id": "gpc-patient-1"}],
        "steps": [step(0), step(1, kind="DocumentReference search", patient_id="gpc-patient-1")],
        "documents": [found()],
        "problems": [],
        "notes": [],
        "stop_reason": None,
        "exchanges": [{"request": {"method": "GET", "url": "https://provider.example/fhir"}}],
        **fields,
    }
    (folder / "discovery.json").write_text(json.dumps(written), encoding="utf-8")


def test_the_discovery_is_read_back_without_its_exchanges(tmp_path: Path) -> None:
    write_discovery_file(tmp_path)
    document = report(tmp_path, (NHS_1,))
    assert_valid(document)
    discovery = document["discovery"]
    assert discovery["file"] == "discovery.json"
    assert discovery["nhs_numbers"] == [NHS_1]
    assert "exchanges" not in discovery
    assert [s["exchange_index"] for s in discovery["steps"]] == [0, 1]
    (only,) = discovery["documents"]
    assert only["provenance"] == (
        f"NHS number {NHS_1} -> Patient gpc-patient-1 -> DocumentReference docref-0 -> Binary doc-0"
    )
    assert only["part"] == "ordinary"
    assert "subject" not in only
    assert discovery["stop_reason"] is None
    assert summary_of(discovery) == {
        "nhs_numbers": 1,
        "patients": 1,
        "documents": 1,
        "problems": 0,
        "stop_reason": None,
    }


def test_a_run_without_nhs_numbers_has_no_discovery_section(tmp_path: Path) -> None:
    assert "discovery" not in report(tmp_path)


def test_nhs_numbers_the_run_stopped_before_searching_say_so(tmp_path: Path) -> None:
    document = report(tmp_path, (NHS_1,), error="provider unreachable: connection refused")
    assert_valid(document)
    discovery = document["discovery"]
    assert discovery["file"] is None
    assert discovery["steps"] == discovery["documents"] == []
    assert discovery["notes"] == ["nothing was searched for: the run stopped first"]


def test_the_stop_reason_and_problems_are_kept(tmp_path: Path) -> None:
    reason = f"no patient found: NHS number {NHS_1}: the Bundle's type is 'collection'"
    write_discovery_file(
        tmp_path,
        patients=[],
        documents=[],
        steps=[step(ok=False, outcome="the Bundle's type is 'collection'")],
        problems=[f"Find a Patient for NHS number {NHS_1}: the Bundle's type is 'collection'"],
        stop_reason=reason,
    )
    document = report(tmp_path, (NHS_1,), error=f"no document to retrieve: {reason}")
    assert_valid(document)
    discovery = document["discovery"]
    assert discovery["stop_reason"] == reason
    assert discovery["steps"][0]["ok"] is False
    assert summary_of(discovery)["problems"] == 1


def test_provider_strings_stay_data_and_everything_is_bounded(tmp_path: Path) -> None:
    long = HOSTILE + "x" * 5000
    write_discovery_file(
        tmp_path,
        steps=[step(n, outcome=long, notes=[HOSTILE] * 50) for n in range(MAX_STEPS + 50)],
        documents=[
            found(n, title=long, url=HOSTILE, remarks=[HOSTILE] * 50, part="<b>")
            for n in range(MAX_DOCUMENTS + 20)
        ],
    )
    document = report(tmp_path, (NHS_1,))
    assert_valid(document)
    discovery = document["discovery"]
    assert len(discovery["steps"]) == MAX_STEPS
    assert len(discovery["documents"]) == MAX_DOCUMENTS
    assert discovery["notes"] == [
        f"the report lists the first {MAX_STEPS} of {MAX_STEPS + 50} steps; "
        "discovery.json holds them all",
        f"the report lists the first {MAX_DOCUMENTS} of {MAX_DOCUMENTS + 20} documents; "
        "discovery.json holds them all",
    ]
    first = discovery["documents"][0]
    assert first["url"] == HOSTILE
    assert first["title"].startswith(HOSTILE)
    assert len(first["title"]) == section_module.MAX_TEXT_CHARS
    assert len(first["remarks"]) == len(discovery["steps"][0]["notes"]) == 10
    assert first["part"] == "none"
    assert len(json.dumps(discovery)) < 1_000_000


@pytest.mark.parametrize(
    ("content", "note"),
    [
        ("{not json", "discovery.json could not be read back: it is not JSON"),
        ("[]", "discovery.json could not be read back: it is not a JSON object"),
        ("x" * 65, "discovery.json is larger than the 0 MiB the report reads back: see the file"),
    ],
)
def test_an_unreadable_discovery_file_is_a_note_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, note: str
) -> None:
    monkeypatch.setattr(section_module, "MAX_FILE_BYTES", 64)
    (tmp_path / "discovery.json").write_text(content, encoding="utf-8")
    document = report(tmp_path, (NHS_1,))
    assert_valid(document)
    assert document["discovery"]["notes"][0].startswith(note)
    assert document["discovery"]["file"] is None
