"""`gpc-assure run` end to end, against live HTTPS providers on 127.0.0.1."""

import json
import socket
from pathlib import Path

import pytest

from e2e.harness import CliResult, provider_config_file, run_cli
from gpc_assure.provider import Fault, ProviderSettings, ReferenceProvider
from gpc_assure.spec.versions import spec_version

pytestmark = pytest.mark.e2e


def assert_all_passed(result: CliResult) -> None:
    """Exit 0, scenarios ran, and none failed, warned or errored (some may not apply)."""
    assert result.code == 0, result.stdout + result.stderr
    outcomes = result.outcomes()
    assert "passed" in outcomes.values(), "no scenario passed"
    assert set(outcomes.values()) <= {"passed", "skipped"}, outcomes


def test_no_provider_configured_runs_against_the_embedded_provider(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert_all_passed(result)
    summary = result.summary
    assert summary["provider"]["embedded_reference_provider"] is True
    assert summary["spec_version"] == "1.6"
    assert {s["name"] for s in summary["scenarios"]} >= {
        "An existing document is returned as a Binary",
        "An unknown document id is answered 404 with NO_RECORD_FOUND",
    }
    assert (result.report_dir / "junit.xml").is_file()
    assert any((result.report_dir / "allure-results").iterdir())
    assert str(result.report_dir) in result.stdout


def test_every_documented_flag_against_a_separate_provider(
    tmp_path: Path, conformant_provider: ReferenceProvider
) -> None:
    p = conformant_provider
    documents = [arg for d in p.documents if not d.oversize for arg in ("--document-id", d.id)]
    result = run_cli(
        "run",
        "--base-url",
        p.base_url,
        *documents,
        "--provider-asid",
        p.provider_asid,
        "--consumer-asid",
        "200000000999",
        "--ca",
        str(p.pki.ca_cert),
        "--client-cert",
        str(p.pki.client_cert),
        "--client-key",
        str(p.pki.client_key),
        "--spec",
        "1.6",
        cwd=tmp_path,
    )
    assert_all_passed(result)
    assert result.summary["provider"]["base_url"] == p.base_url
    each_document = [o for o in result.outcomes() if "existing_document_is_returned" in o]
    assert len(each_document) == len(documents) // 2


def test_config_file_with_digests(tmp_path: Path, conformant_provider: ReferenceProvider) -> None:
    config = provider_config_file(conformant_provider, tmp_path / "provider.toml")
    result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert_all_passed(result)
    digests = [
        f["observed"]
        for s in result.summary["scenarios"]
        for f in s["findings"]
        if f["requirement"] == "GPC-DOC-RD-006"
    ]
    assert len(digests) == sum(not d.oversize for d in conformant_provider.documents)
    assert all(d.startswith("SHA-256 ") for d in digests)


def test_through_the_spine_secure_proxy_url_form(
    tmp_path: Path, conformant_provider: ReferenceProvider
) -> None:
    config = provider_config_file(conformant_provider, tmp_path / "provider.toml")
    origin = conformant_provider.base_url.split("/B82617")[0]
    result = run_cli("run", "--config", str(config), "--proxy-url", origin, cwd=tmp_path)
    assert_all_passed(result)
    evidence_dir = result.report_dir / "evidence"
    evidence = json.loads(next(evidence_dir.glob("test_an_existing_document*small*")).read_text())
    assert evidence["exchanges"][0]["request"]["url"].startswith(f"{origin}/https://")


def test_plain_pytest_with_a_provider_config(
    tmp_path: Path, conformant_provider: ReferenceProvider
) -> None:
    import subprocess
    import sys

    from e2e.harness import ROOT

    config = provider_config_file(conformant_provider, tmp_path / "provider.toml")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "steps" / "test_conformance.py"),
            "--provider-config",
            str(config),
            "--report-dir",
            str(tmp_path / "r"),
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["totals"]["failed"] == summary["totals"]["error"] == 0
    assert summary["totals"]["passed"] >= 70


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--base-url", "ftp://provider.example/base"], "base_url"),
        (["--base-url", "not a url"], "base_url"),
        (["--spec", "2.0"], "spec"),
        (["--provider-asid", "ABC"], "provider_asid"),
        (["--nhs-number", "9476719932"], "nhs_numbers[0]"),
        (["--ca", "/nonexistent/ca.pem", "--base-url", "https://127.0.0.1:9/x"], "tls.ca"),
        (["--config", "/nonexistent/provider.toml"], "config"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], field: str) -> None:
    result = run_cli("run", *args, cwd=tmp_path)
    assert result.code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert field in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_unreachable_provider_exits_3_and_says_why(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli("run", "--base-url", f"https://127.0.0.1:{port}/base", cwd=tmp_path)
    assert result.code == 3, result.stdout + result.stderr
    assert "connection refused" in result.stderr
    assert "Traceback" not in result.stderr
    assert "unreachable" in result.summary["error"]


def test_report_holds_no_document_bytes(
    tmp_path: Path, conformant_provider: ReferenceProvider
) -> None:
    import base64

    config = provider_config_file(conformant_provider, tmp_path / "provider.toml")
    result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert result.code == 0
    served = conformant_provider.documents[0]
    assert served.id == "gpc-doc-small-pdf"
    from gpc_assure.provider.documents import stored_documents

    data = next(d for d in stored_documents() if d.info.id == served.id).data
    fragment = base64.b64encode(data).decode()[100:160]
    for path in result.report_dir.rglob("*"):
        if path.is_file():
            assert fragment not in path.read_text(errors="replace"), path


def test_plain_http_is_marked_not_assured(tmp_path: Path) -> None:
    settings = ProviderSettings(tls=False)
    with ReferenceProvider(settings) as provider:
        result = run_cli("run", "--base-url", provider.base_url, cwd=tmp_path)
    assert result.code == 0, result.stdout + result.stderr
    assert result.summary["provider"]["transport_assured"] is False
    assert "NOT assured" in result.summary["provider"]["transport"]
    assert "NOT assured" in result.stdout
    transport = [s for s in result.summary["scenarios"] if s["feature"] == "Transport security"]
    assert transport
    assert all(s["outcome"] == "skipped" for s in transport)
    assert all("transport security is not assured" in s["message"] for s in transport)


@pytest.mark.parametrize("spec", ["1.0", "draft"])
def test_other_spec_versions_against_the_embedded_provider(tmp_path: Path, spec: str) -> None:
    result = run_cli("run", "--spec", spec, cwd=tmp_path)
    assert_all_passed(result)
    assert result.summary["spec_version"] == spec
    evidence_dir = result.report_dir / "evidence"
    evidence = json.loads(next(evidence_dir.glob("test_an_existing_document*small*")).read_text())
    headers = dict(evidence["exchanges"][0]["request"]["headers"])
    assert headers["Ssp-InteractionID"] == spec_version(spec).binary_read_interaction


def test_a_response_over_the_size_cap_fails_with_the_reason(tmp_path: Path) -> None:
    result = run_cli("run", "--max-response-bytes", "1MiB", cwd=tmp_path)
    assert result.code == 1
    failed = [s for s in result.summary["scenarios"] if s["outcome"] == "error"]
    assert {s["name"] for s in failed} == {
        "An existing document is returned as a Binary",
        "A document just under the 5 MB limit is returned whole",
        "gzip is used when the consumer accepts it",
        "A found document is retrieved as the Binary its attachment describes",
    }
    assert all("size cap" in s["message"] for s in failed)


def test_a_should_breakage_warns_without_failing_the_run(tmp_path: Path) -> None:
    with ReferenceProvider(ProviderSettings(faults=frozenset({Fault.XML_UNSUPPORTED}))) as provider:
        config = provider_config_file(provider, tmp_path / "provider.toml")
        result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert result.code == 0, result.stdout + result.stderr
    warned = [s for s in result.summary["scenarios"] if s["outcome"] == "warning"]
    assert [s["name"] for s in warned] == [
        "Accept application/fhir+xml gives a valid FHIR XML Binary"
    ]
    assert warned[0]["message"].startswith("GPC-DOC-HTTP-007")
    assert result.summary["totals"]["warning"] == 1
    assert "1 warning" in result.stdout
    assert "GPC-DOC-HTTP-007" in result.stdout
    junit = (result.report_dir / "junit.xml").read_text()
    assert "warning: GPC-DOC-HTTP-007 (SHOULD)" in junit


@pytest.mark.parametrize("spec", ["1.0", "draft"])
def test_post_served_is_a_warning_where_the_retrieve_page_shows_post(
    tmp_path: Path, spec: str
) -> None:
    """1.0.1 and the draft show POST in the absolute request: serving it warns, never fails."""
    settings = ProviderSettings(spec=spec, faults=frozenset({Fault.SERVE_POST}))  # type: ignore[arg-type]
    with ReferenceProvider(settings) as provider:
        config = provider_config_file(provider, tmp_path / "provider.toml")
        result = run_cli("run", "--config", str(config), "--spec", spec, cwd=tmp_path)
    assert result.code == 0, result.stdout + result.stderr
    warned = {
        s["name"]: s["message"] for s in result.summary["scenarios"] if s["outcome"] == "warning"
    }
    assert list(warned) == [
        "POST on Binary/[id] is refused, although the retrieve page's absolute request shows POST"
    ]
    assert "GPC-DOC-HTTP-014" in next(iter(warned.values()))
    assert {s["outcome"] for s in result.summary["scenarios"]} <= {"passed", "warning", "skipped"}


def test_the_last_line_is_the_verdict_and_fail_on_gates_the_exit_code(tmp_path: Path) -> None:
    partial = run_cli("run", "-k", "plain", cwd=tmp_path)
    assert partial.code == 0, partial.stderr
    last = partial.stdout.strip().splitlines()[-1]
    assert last.startswith("gpc-assure: Incomplete: 2 MUST met, 0 failed"), last
    assert last.endswith(str((partial.report_dir / "assurance-report.html").resolve()))
    assert partial.summary["verdict"]["status"] == "incomplete"

    gated = run_cli("run", "-k", "plain", "--fail-on", "incomplete", "--force", cwd=tmp_path)
    assert gated.code == 1, gated.stdout + gated.stderr


def test_the_closing_lines_name_the_failed_requirements_before_the_verdict(
    tmp_path: Path,
) -> None:
    settings = ProviderSettings(faults=frozenset({Fault.UNKNOWN_ID_STATUS_400}))
    with ReferenceProvider(settings) as provider:
        config = provider_config_file(provider, tmp_path / "provider.toml")
        result = run_cli(
            "run", "--config", str(config), "--family", "unknown_document", cwd=tmp_path
        )
    assert result.code == 1, result.stderr
    *_, named, last = result.stdout.strip().splitlines()
    assert named == "gpc-assure: MUST failed: GPC-DOC-NF-001", result.stdout
    assert last.startswith("gpc-assure: Non-conformant: "), last
    assert " 1 failed," in last


def test_scenarios_are_chosen_by_requirement_id_and_family(tmp_path: Path) -> None:
    for name in ("k", "q", "w"):
        (tmp_path / name).mkdir()
    by_k = run_cli("run", "-k", "GPC-DOC-TLS-004", cwd=tmp_path / "k")
    assert by_k.code == 0, by_k.stderr
    assert {r for s in by_k.summary["scenarios"] for r in s["requirements"]} == {"GPC-DOC-TLS-004"}

    quiet = run_cli(
        "run",
        "--family",
        "transport_security",
        "--requirement",
        "GPC-DOC-TLS-008",
        "-q",
        cwd=tmp_path / "q",
    )
    assert quiet.code == 0, quiet.stderr
    assert len(quiet.stdout.strip().splitlines()) == 1, quiet.stdout
    assert [s["requirements"] for s in quiet.summary["scenarios"]] == [["GPC-DOC-TLS-008"]]
    report = json.loads((quiet.report_dir / "assurance-report.json").read_text())
    assert report["run"]["selection"] == {
        "requirements": ["GPC-DOC-TLS-008"],
        "families": ["transport_security"],
    }
    reasons = {r["id"]: r["status_reason"] for r in report["requirements"]}
    assert reasons["GPC-DOC-NF-001"] == (
        "not selected: this run was limited to --requirement GPC-DOC-TLS-008, "
        "--family transport_security"
    )
    by_k_report = json.loads((by_k.report_dir / "assurance-report.json").read_text())
    assert by_k_report["run"]["selection"] == {"keyword": "GPC-DOC-TLS-004"}

    wrong = run_cli("run", "--family", "transport", cwd=tmp_path / "w")
    assert wrong.code == 2
    assert wrong.stderr.strip() == (
        "gpc-assure: --family transport: not a scenario family (did you mean transport_security?)"
    )


def test_tls_material_from_pem_environment_variables_leaves_no_file_behind(
    tmp_path: Path,
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with ReferenceProvider(ProviderSettings()) as provider:
        pki = provider.pki
        env = {
            "TMPDIR": str(scratch),
            "GPC_ASSURE_BASE_URL": provider.base_url,
            "GPC_ASSURE_PROVIDER_ASID": provider.provider_asid,
            "GPC_ASSURE_TLS_CA_PEM": pki.ca_cert.read_text(),
            "GPC_ASSURE_TLS_CLIENT_CERT_PEM": pki.client_cert.read_text(),
            "GPC_ASSURE_TLS_CLIENT_KEY_PEM": pki.client_key.read_text(),
            "GPC_ASSURE_DOCUMENT_IDS": provider.documents[0].id,
        }
        key_body = pki.client_key.read_text().splitlines()[1]
        result = run_cli("run", "--family", "transport_security", cwd=tmp_path, env=env)
    assert result.code == 0, result.stdout + result.stderr
    totals = result.summary["totals"]
    assert (totals["failed"], totals["error"]) == (0, 0)
    passed = {
        r
        for s in result.summary["scenarios"]
        if s["outcome"] == "passed"
        for r in s["requirements"]
    }
    assert {"GPC-DOC-TLS-001", "GPC-DOC-TLS-008"} <= passed  # mutual TLS from the PEM texts
    assert list(scratch.iterdir()) == []
    for path in result.report_dir.rglob("*"):
        if path.is_file():
            assert key_body not in path.read_text(encoding="utf-8", errors="replace")
