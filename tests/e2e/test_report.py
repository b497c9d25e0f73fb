"""The report folder end to end: assurance report (JSON and HTML), machine formats,
integrity manifest and signature, diff between runs, and redaction."""

import base64
import datetime
import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID
from jsonschema import Draft202012Validator

from e2e.harness import CliResult, provider_config_file, run_cli
from gpc_assure.provider import Fault, ProviderSettings, ReferenceProvider
from gpc_assure.provider.documents import stored_documents
from gpc_assure.report.integrity import sign_manifest, write_manifest
from gpc_assure.spec.catalogue import catalogue
from gpc_assure.spec.paths import SCHEMAS_DIR

pytestmark = pytest.mark.e2e


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def passing(tmp_path_factory: pytest.TempPathFactory) -> CliResult:
    return run_cli("run", cwd=tmp_path_factory.mktemp("passing"))


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> CliResult:
    work = tmp_path_factory.mktemp("failing")
    settings = ProviderSettings(faults=frozenset({Fault.UNKNOWN_ID_WRONG_SPINE_CODE}))
    with ReferenceProvider(settings) as provider:
        config = provider_config_file(provider, work / "provider.toml")
        return run_cli("run", "--config", str(config), cwd=work)


def report(result: CliResult) -> dict[str, object]:
    data: dict[str, object] = json.loads((result.report_dir / "assurance-report.json").read_text())
    return data


def test_assurance_report_json_validates_and_says_conformant(passing: CliResult) -> None:
    data = report(passing)
    schema = json.loads((SCHEMAS_DIR / "assurance-report.schema.json").read_text())
    Draft202012Validator(schema).validate(data)
    verdict = data["verdict"]
    assert isinstance(verdict, dict)
    assert verdict["status"] == "conformant"
    requirements = data["requirements"]
    assert isinstance(requirements, list)
    assert {r["status"] for r in requirements} <= {"passed", "manual", "not-applicable"}
    not_applicable = {r["id"] for r in requirements if r["status"] == "not-applicable"}
    by_version_or_case = {
        r.id for r in catalogue().values() if r.applies_when or "1.6" not in r.versions
    }
    assert not_applicable <= by_version_or_case


def test_the_html_says_how_each_document_was_found(passing: CliResult) -> None:
    """The embedded provider's test patients are searched by default: the page shows each
    document's path from its NHS number; discovery.json and summary.json agree."""
    page = (passing.report_dir / "assurance-report.html").read_text()
    start = page.index('<section id="discovery"')
    section = page[start : page.index("</section>", start)]
    text = html.unescape(re.sub(r"<[^>]*>", "", section))
    assert (
        "NHS number 9690937278 -> Patient gpc-patient-1 -> DocumentReference gpc-docref-small-pdf"
        " -> Binary gpc-doc-small-pdf"
    ) in text
    assert "the large document" in text
    assert "oversize: a placeholder" in text
    discovery = report(passing)["discovery"]
    assert isinstance(discovery, dict)
    assert len(discovery["documents"]) == 5
    summary = json.loads((passing.report_dir / "summary.json").read_text())
    assert summary["discovery"] == {
        "nhs_numbers": 2,
        "patients": 2,
        "documents": 5,
        "problems": 0,
        "stop_reason": None,
    }
    assert (passing.report_dir / "discovery.json").is_file()


def test_failing_run_is_non_conformant_and_names_the_requirement(failing: CliResult) -> None:
    assert failing.code == 1
    data = report(failing)
    verdict = data["verdict"]
    assert isinstance(verdict, dict)
    assert verdict["status"] == "non-conformant"
    requirements = data["requirements"]
    assert isinstance(requirements, list)
    statuses = {r["id"]: r["status"] for r in requirements}
    assert statuses["GPC-DOC-NF-001"] == "failed"
    html = (failing.report_dir / "assurance-report.html").read_text()
    assert "Non-conformant" in html
    assert "GPC-DOC-NF-001" in html


@pytest.mark.parametrize("which", ["passing", "failing"])
def test_html_is_self_contained(which: str, request: pytest.FixtureRequest) -> None:
    result: CliResult = request.getfixturevalue(which)
    parser = _Tags()
    parser.feed((result.report_dir / "assurance-report.html").read_text())
    tags = {tag for tag, _ in parser.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    for _, attrs in parser.tags:
        assert "src" not in attrs
        href = attrs.get("href")
        assert href is None or href.startswith(("#", "https://developer.nhs.uk/"))


def test_machine_formats_are_written(passing: CliResult) -> None:
    folder = passing.report_dir
    cucumber = json.loads((folder / "cucumber.json").read_text())
    assert isinstance(cucumber, list)
    assert cucumber
    junit = (folder / "junit.xml").read_text()
    assert 'name="An unknown document id is answered 404 with NO_RECORD_FOUND"' in junit
    assert "requirement: GPC-DOC-NF-001" in junit
    assert any((folder / "allure-results").glob("*-attachment.json"))


def test_verify_passes_untouched_and_names_any_changed_file(passing: CliResult) -> None:
    folder = passing.report_dir
    untouched = run_cli("verify", str(folder), cwd=folder.parent)
    assert untouched.code == 0
    assert "intact, unsigned (integrity only" in untouched.stdout
    for name in ("summary.json", "assurance-report.html", "junit.xml"):
        path = folder / name
        original = path.read_bytes()
        path.write_bytes(original[:100] + bytes([original[100] ^ 1]) + original[101:])
        try:
            result = run_cli("verify", str(folder), cwd=folder.parent)
            assert result.code == 1
            assert name in result.stdout
            assert ": intact" not in result.stdout
        finally:
            path.write_bytes(original)


def test_sha256sum_checks_an_untouched_report_folder(passing: CliResult) -> None:
    result = subprocess.run(
        ["sha256sum", "--check", "--strict", "--quiet", "SHA256SUMS"],
        cwd=passing.report_dir,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _key_files(folder: Path, name: str) -> tuple[Path, Path]:
    """A new Ed25519 key (PEM, with a self-signed certificate) and that certificate."""
    key = ed25519.Ed25519PrivateKey.generate()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, None)
        .public_bytes(serialization.Encoding.PEM)
    )
    key_file, cert_file = folder / f"{name}.pem", folder / f"{name}.cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + certificate
    )
    cert_file.write_bytes(certificate)
    return key_file, cert_file


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[CliResult, Path]:
    work = tmp_path_factory.mktemp("signed")
    key_file, cert_file = _key_files(work, "release-signer")
    result = run_cli("run", "--sign-key", str(key_file), cwd=work)
    assert result.code == 0, result.stderr
    return result, cert_file


def _tampered_copy(signed: tuple[CliResult, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(signed[0].report_dir, copy)
    (copy / "summary.json").write_text('{"totals": {"passed": 1}}\n')
    return copy


def test_signed_report_verifies_with_the_certificate(signed: tuple[CliResult, Path]) -> None:
    result, cert_file = signed
    assert (result.report_dir / "manifest.sig").is_file()
    verified = run_cli(
        "verify", str(result.report_dir), "--cert", str(cert_file), cwd=cert_file.parent
    )
    assert verified.code == 0, verified.stdout + verified.stderr
    assert "intact, signed by CN=release-signer (key SHA256:" in verified.stdout
    assert f"verified against {cert_file}" in verified.stdout
    untrusted = run_cli("verify", str(result.report_dir), cwd=cert_file.parent)
    assert untrusted.code == 0
    assert "NOT verified against a trusted certificate (integrity only)" in untrusted.stdout


def test_stripped_signature_is_reported(signed: tuple[CliResult, Path], tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(signed[0].report_dir, copy)
    (copy / "manifest.sig").unlink()
    result = run_cli("verify", str(copy), cwd=tmp_path)
    assert result.code == 1
    assert "manifest.sig: signature missing" in result.stdout
    assert ": intact" not in result.stdout


def test_forged_unsigned_manifest_is_unsigned_and_fails_against_the_certificate(
    signed: tuple[CliResult, Path], tmp_path: Path
) -> None:
    copy = _tampered_copy(signed, tmp_path)
    write_manifest(copy)
    untrusted = run_cli("verify", str(copy), cwd=tmp_path)
    assert untrusted.code == 0
    assert "intact, unsigned (integrity only" in untrusted.stdout
    trusted = run_cli("verify", str(copy), "--cert", str(signed[1]), cwd=tmp_path)
    assert trusted.code == 1
    assert "unsigned, so it cannot be verified against" in trusted.stdout


def test_re_signature_names_the_other_signer(
    signed: tuple[CliResult, Path], tmp_path: Path
) -> None:
    copy = _tampered_copy(signed, tmp_path)
    other_key, _ = _key_files(tmp_path, "someone-else")
    write_manifest(copy)
    sign_manifest(copy, other_key)
    untrusted = run_cli("verify", str(copy), cwd=tmp_path)
    assert untrusted.code == 0
    assert "signed by CN=someone-else" in untrusted.stdout
    assert "NOT verified against a trusted certificate" in untrusted.stdout
    trusted = run_cli("verify", str(copy), "--cert", str(signed[1]), cwd=tmp_path)
    assert trusted.code == 1
    assert "signed by CN=someone-else" in trusted.stdout
    assert "expected CN=release-signer" in trusted.stdout


def test_diff_exits_1_on_regression_and_0_otherwise(passing: CliResult, failing: CliResult) -> None:
    cwd = passing.report_dir.parent
    regressed = run_cli("diff", str(passing.report_dir), str(failing.report_dir), cwd=cwd)
    assert regressed.code == 1
    assert "GPC-DOC-NF-001" in regressed.stdout
    fixed = run_cli("diff", str(failing.report_dir), str(passing.report_dir), cwd=cwd)
    assert fixed.code == 0


def test_no_document_bytes_anywhere_in_the_report_folder(passing: CliResult) -> None:
    fragments = [base64.b64encode(doc.data).decode()[200:260] for doc in stored_documents()]
    for path in passing.report_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert not any(f in text for f in fragments), path


def test_redact_masks_chosen_values_everywhere(tmp_path: Path) -> None:
    result = run_cli(
        "run",
        "--consumer-asid",
        "918273645546",
        "--redact",
        "Ssp-From",
        "--redact",
        "requesting_organization.identifier.value",
        cwd=tmp_path,
    )
    assert result.code == 0, result.stderr
    for path in result.report_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert "918273645546" not in text, path
            assert '"A1001"' not in text, path
    assert run_cli("verify", str(result.report_dir), cwd=tmp_path).code == 0


def test_unknown_redact_name_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("run", "--redact", "No-Such-Thing", cwd=tmp_path)
    assert result.code == 2
    assert "No-Such-Thing" in result.stderr
    assert "Traceback" not in result.stderr
