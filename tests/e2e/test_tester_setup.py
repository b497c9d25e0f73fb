"""The tester's own TLS set-up is checked before any scenario, and transport failures are
attributed to the requirement they break.

A wrong CA bundle, a missing client certificate or one the provider does not trust stops the
run with exit 3, one line naming the files to check, and a report folder saying why: the
provider is not judged. A provider certificate that chains to the configured CA but names
another host is the provider's defect: the scenarios run and GPC-DOC-TLS-008 fails.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.harness import (
    TRANSPORT_SCENARIOS,
    CliResult,
    provider_config_file,
    run_cli,
    transport_run,
)
from gpc_assure.provider import Fault, ProviderSettings, Reading, ReferenceProvider
from gpc_assure.transport.tls_probe import self_signed_client

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def http_400_provider() -> Iterator[ReferenceProvider]:
    settings = ProviderSettings(readings=frozenset({Reading.TLS_REFUSE_WITH_HTTP_400}))
    with ReferenceProvider(settings) as provider:
        yield provider


def _run(provider: ReferenceProvider, tmp_path: Path, *tls: str) -> CliResult:
    return run_cli(
        "run",
        "--base-url",
        provider.base_url,
        "--document-id",
        provider.documents[0].id,
        "--connect-timeout",
        "3",
        "--read-timeout",
        "3",
        *tls,
        cwd=tmp_path,
    )


def _assert_stopped(result: CliResult, *words: str) -> None:
    assert result.code == 3, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "tester set-up" in lines[0]
    assert "the provider was not judged" in lines[0]
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    summary = result.summary
    assert summary["scenarios"] == []
    assert summary["error"].startswith("tester set-up: ")
    assert (result.report_dir / "assurance-report.json").is_file()


def test_a_wrong_ca_bundle_names_the_ca_option(
    conformant_provider: ReferenceProvider, tmp_path: Path
) -> None:
    other_ca, _ = self_signed_client(tmp_path / "other")
    pki = conformant_provider.pki
    result = _run(
        conformant_provider,
        tmp_path,
        *("--ca", str(other_ca), "--client-cert", str(pki.client_cert)),
        *("--client-key", str(pki.client_key)),
    )
    _assert_stopped(result, "--ca (tls.ca)", "does not chain")


@pytest.mark.parametrize("reading", [False, True], ids=["handshake alert", "HTTP 400 page"])
def test_a_missing_client_certificate_names_the_client_options(
    conformant_provider: ReferenceProvider,
    http_400_provider: ReferenceProvider,
    tmp_path: Path,
    reading: bool,
) -> None:
    provider = http_400_provider if reading else conformant_provider
    result = _run(provider, tmp_path, "--ca", str(provider.pki.ca_cert))
    _assert_stopped(result, "--client-cert/--client-key", "none is configured")
    if reading:
        assert "HTTP 400" in result.stderr


def test_an_untrusted_client_certificate_names_the_client_options(
    conformant_provider: ReferenceProvider, tmp_path: Path
) -> None:
    pki = conformant_provider.pki
    result = _run(
        conformant_provider,
        tmp_path,
        *("--ca", str(pki.ca_cert), "--client-cert", str(pki.untrusted_client_cert)),
        *("--client-key", str(pki.untrusted_client_key)),
    )
    _assert_stopped(result, "--client-cert/--client-key", "unknown_ca")


def _transport_run(
    tmp_path: Path,
    faults: frozenset[Fault] = frozenset(),
    readings: frozenset[Reading] = frozenset(),
) -> dict[str, str]:
    """The outcome of each transport scenario (by name) against the provider so switched."""
    with ReferenceProvider(ProviderSettings(faults=faults, readings=readings)) as provider:
        config = provider_config_file(provider, tmp_path / "provider.toml")
        result = transport_run(config, tmp_path)
    scenarios = result.summary["scenarios"]
    assert len(scenarios) == TRANSPORT_SCENARIOS, result.stderr
    assert {s["feature"] for s in scenarios} == {"Transport security"}
    return {s["name"]: s["outcome"] for s in scenarios}


def _not_passed(outcomes: dict[str, str]) -> dict[str, str]:
    return {name: outcome for name, outcome in outcomes.items() if outcome != "passed"}


def test_a_server_certificate_for_another_host_fails_tls_008_alone(tmp_path: Path) -> None:
    outcomes = _transport_run(tmp_path, faults=frozenset({Fault.TLS_WRONG_HOST_CERT}))
    assert _not_passed(outcomes) == {
        "The provider's certificate chains to the configured CA and names its host": "failed",
        # acceptance probes verify the provider: the question cannot be asked
        "TLS 1.2 with the client certificate is accepted; TLS 1.3 is reported, not judged": (
            "error"
        ),
        "The approved TLS 1.2 ciphers are accepted": "error",
        # an HTTP request that cannot verify the provider
        "Responses carry Strict-Transport-Security": "error",
    }


def test_a_wrong_host_certificate_does_not_hide_optional_client_certificates(
    tmp_path: Path,
) -> None:
    faults = frozenset({Fault.TLS_WRONG_HOST_CERT, Fault.TLS_CLIENT_CERT_UNVERIFIED})
    failed = {n for n, o in _transport_run(tmp_path, faults=faults).items() if o == "failed"}
    assert failed == {
        "The provider's certificate chains to the configured CA and names its host",
        "A request without a client certificate is refused",
        "A client certificate outside the chain of trust is refused",
        "An expired client certificate from the chain of trust is refused",
        "A client certificate naming a host other than the Spine Secure Proxy is refused",
    }


def test_the_http_400_reading_passes_every_transport_scenario(tmp_path: Path) -> None:
    readings = frozenset({Reading.TLS_REFUSE_WITH_HTTP_400})
    assert _not_passed(_transport_run(tmp_path, readings=readings)) == {}
