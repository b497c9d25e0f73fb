"""The run session: one configuration, one claimed folder, records redacted as they arrive and
every result file written from them, then sealed."""

import json
from pathlib import Path

import pytest

from gpc_assure.config.provider_config import load_config
from gpc_assure.report.integrity import check
from gpc_assure.report.records import ScenarioRecord
from gpc_assure.run.session import RunOptions, RunSession, SessionError, Verdict


def session(tmp_path: Path, **options: object) -> RunSession:
    config = load_config(
        None, {}, {"base_url": "http://127.0.0.1:9/fhir", "consumer_asid": "200000000115"}
    )
    return RunSession(config, RunOptions(report_dir=tmp_path / "report", **options))  # type: ignore[arg-type]


def record(message: str) -> ScenarioRecord:
    return ScenarioRecord(
        id="steps/test_conformance.py::test_a",
        feature="Spine Secure Proxy headers",
        name="A missing Ssp-From is refused",
        tags=[],
        requirements=["GPC-DOC-HDR-001"],
        outcome="failed",
        message=message,
    )


def test_a_session_writes_every_result_file_from_its_records_and_seals_them(
    tmp_path: Path,
) -> None:
    run = session(tmp_path, redact=("Ssp-From",))
    run.claim_folder()
    run.add(record("expected 400; observed 200 for Ssp-From 200000000115"))
    run.write_reports()
    run.seal()

    written = {p.name for p in run.report_dir.iterdir()}
    assert {
        "summary.json",
        "assurance-report.json",
        "assurance-report.html",
        "junit.xml",
    } <= written
    assert {"cucumber.json", "records.jsonl", "resolved-config.json", "SHA256SUMS"} <= written
    for path in run.report_dir.rglob("*"):
        if path.is_file():
            assert "200000000115" not in path.read_text(encoding="utf-8"), path.name
    summary = json.loads((run.report_dir / "summary.json").read_text())
    assert (
        summary["scenarios"][0]["message"] == "expected 400; observed 200 for Ssp-From [redacted]"
    )
    assert check(run.report_dir).problems == []


def test_a_stopped_run_says_why_in_its_folder(tmp_path: Path) -> None:
    run = session(tmp_path)
    run.claim_folder()
    run.write_reports(error="unreachable: connection refused")
    summary = json.loads((run.report_dir / "summary.json").read_text())
    assert summary["error"] == "unreachable: connection refused"
    assert (run.report_dir / "junit.xml").is_file()


def test_a_value_too_short_to_mask_is_a_usage_error(tmp_path: Path) -> None:
    config = load_config(None, {}, {"base_url": "http://127.0.0.1:9/fhir", "consumer_asid": "1"})
    run = RunSession(config, RunOptions(report_dir=tmp_path / "r", redact=("Ssp-From",)))
    with pytest.raises(SessionError, match="cannot be masked safely"):
        run.check_set_up()


def test_a_used_folder_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "notes.txt").write_text("mine")
    with pytest.raises(SessionError, match="report"):
        session(tmp_path).claim_folder()
    assert (tmp_path / "report" / "notes.txt").read_text() == "mine"


def test_the_session_repr_shows_no_configuration_value(tmp_path: Path) -> None:
    assert "200000000115" not in repr(session(tmp_path))


@pytest.mark.parametrize(
    ("status", "warnings", "gate", "fails"),
    [
        ("conformant", 0, "failure", False),
        ("conformant", 2, "failure", False),
        ("conformant", 2, "incomplete", False),
        ("conformant", 2, "warning", True),
        ("incomplete", 0, "failure", False),
        ("incomplete", 0, "incomplete", True),
        ("incomplete", 0, "warning", True),
        ("non-conformant", 0, "failure", True),
    ],
)
def test_the_gate_fails_a_verdict_at_or_past_its_level(
    status: str, warnings: int, gate: str, fails: bool
) -> None:
    verdict = Verdict(status, "why", 3, 0, warnings, 0)
    assert verdict.fails(gate) is fails
