"""From a test patient's NHS number to assured documents, against a separately started
reference provider: the NHS number alone finds every document and runs every scenario; a broken
chain fails naming the document and the requirement; a number with no patient ends with exit 3."""

import json
from pathlib import Path

import pytest

from e2e.harness import run_cli
from gpc_assure.provider import Fault, ProviderSettings, ReferenceProvider
from gpc_assure.provider.suite_config import suite_config_toml

pytestmark = pytest.mark.e2e

WITH_DOCUMENTS = "9690937278"
NOT_REGISTERED = "9690937308"  # passes Modulus 11; no patient has it


def nhs_number_only_config(provider: ReferenceProvider, path: Path) -> Path:
    """The provider's configuration with no document id at all: only its service root, ASID,
    TLS material and the NHS numbers of its test patients."""
    text = suite_config_toml(provider, nhs_numbers=True).split("[[documents]]")[0]
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith(("large_document_id", "oversize_document_id"))
    ]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def test_the_nhs_number_alone_finds_every_document_and_runs_every_scenario(
    tmp_path: Path,
) -> None:
    with ReferenceProvider(ProviderSettings()) as provider:
        config = nhs_number_only_config(provider, tmp_path / "provider.toml")
        result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert result.code == 0, result.stdout + result.stderr
    discovery = json.loads((result.report_dir / "discovery.json").read_text())
    parts = {d["binary_id"]: d["part"] for d in discovery["documents"]}
    assert parts == {
        "gpc-doc-small-pdf": "ordinary",
        "gpc-doc-letter-docx": "ordinary",
        "gpc-doc-large-pdf": "large",
        None: "oversize",  # the conformant placeholder offers no url
        "gpc-doc-note-txt": "ordinary",
    }
    outcomes = result.summary["totals"]
    assert outcomes["failed"] == outcomes["error"] == outcomes["warning"] == 0
    by_id = {s["id"].split("::")[-1]: s for s in result.summary["scenarios"]}
    large = by_id["test_a_document_just_under_the_5_mb_limit_is_returned_whole"]
    assert large["outcome"] == "passed"
    placeholder = [s for s in by_id.values() if "placeholder" in s["name"]]
    assert [s["outcome"] for s in placeholder] == ["passed"]
    assert "Retrieve a document that does not exist" in {s["feature"] for s in by_id.values()}


def test_a_broken_chain_fails_naming_the_document_and_the_requirement(tmp_path: Path) -> None:
    settings = ProviderSettings(faults=frozenset({Fault.ATTACHMENT_SIZE_MISMATCH}))
    with ReferenceProvider(settings) as provider:
        config = nhs_number_only_config(provider, tmp_path / "provider.toml")
        result = run_cli("run", "--config", str(config), "--family", "document_chain", cwd=tmp_path)
    assert result.code == 1, result.stdout + result.stderr
    assert "gpc-assure: MUST failed: GPC-DOC-CHAIN-005" in result.stdout
    failed = [s for s in result.summary["scenarios"] if s["outcome"] == "failed"]
    assert {s["id"].split("[")[-1].rstrip("]") for s in failed} == {
        "gpc-doc-small-pdf",
        "gpc-doc-letter-docx",
        "gpc-doc-large-pdf",
        "gpc-doc-note-txt",
    }
    assert all("GPC-DOC-CHAIN-005" in s["message"] for s in failed)


def test_a_number_with_no_patient_ends_with_exit_3_and_its_reason(tmp_path: Path) -> None:
    with ReferenceProvider(ProviderSettings()) as provider:
        config = nhs_number_only_config(provider, tmp_path / "provider.toml")
        result = run_cli(
            "run", "--config", str(config), "--nhs-number", NOT_REGISTERED, cwd=tmp_path
        )
    assert result.code == 3, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("gpc-assure: no document to retrieve was found from the NHS numbers")
    assert NOT_REGISTERED in line
    assert "Traceback" not in result.stdout + result.stderr
    assert result.summary["error"].startswith("no document to retrieve was found")
    assert (result.report_dir / "discovery.json").is_file()


def test_an_invalid_nhs_number_is_a_usage_error_before_any_request(tmp_path: Path) -> None:
    result = run_cli(
        "run", "--base-url", "https://127.0.0.1:9/fhir", "--nhs-number", "9690937279", cwd=tmp_path
    )
    assert result.code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "9690937279" in line
    assert "Modulus 11" in line
    assert not (tmp_path / "report").exists()
