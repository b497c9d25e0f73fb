"""Steps that probe the provider's TLS endpoint directly."""

import ssl
from collections.abc import Callable

import pytest
from pytest_bdd import given, parsers, then, when

from gpc_assure.checks import transport as transport_checks
from gpc_assure.checks.verdict import Judge
from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.transport import probes
from gpc_assure.transport.probes import ALL_BUT_APPROVED, TLS12, Attempt, ProbeTarget
from gpc_assure.transport.tls_probe import APPROVED_TLS12_CIPHERS, ProbeResult

# The connections the Gherkin names, each as the typed attempt the probe makes.
ATTEMPTS: dict[str, Attempt] = {
    "with the client certificate": Attempt(verify="full"),
    "with the client certificate over TLS 1.2": Attempt(version=TLS12, verify="full"),
    "with the client certificate over TLS 1.3": Attempt(
        version=ssl.TLSVersion.TLSv1_3, informational=True
    ),
    "without a client certificate": Attempt(cert="none"),
    "with a self-signed client certificate": Attempt(cert="self-signed"),
    "with the expired client certificate": Attempt(cert="expired"),
    "with the client certificate naming another host": Attempt(cert="other host"),
    "with the client certificate over TLS 1.1": Attempt(version=ssl.TLSVersion.TLSv1_1),
    "with the client certificate over TLS 1.0": Attempt(version=ssl.TLSVersion.TLSv1),
    f"with the client certificate offering {ALL_BUT_APPROVED}": Attempt(ciphers=ALL_BUT_APPROVED),
    "with the client certificate offering only the approved TLS 1.2 ciphers": Attempt(
        ciphers=APPROVED_TLS12_CIPHERS, verify="full"
    ),
}
ONE_CIPHER = "with the client certificate offering only the TLS 1.2 cipher "


def attempt_named(how: str) -> Attempt:
    """The attempt a When line names: a row of ATTEMPTS, or ONE_CIPHER + an OpenSSL name."""
    if how.startswith(ONE_CIPHER):
        return Attempt(ciphers=how.removeprefix(ONE_CIPHER))
    if how not in ATTEMPTS:
        known = "; ".join([*ATTEMPTS, ONE_CIPHER + "<OpenSSL name>"])
        raise ValueError(f"unknown connection {how!r}; known: {known}")
    return ATTEMPTS[how]


@pytest.fixture
def probe_target(provider_config: ProviderConfig) -> ProbeTarget:
    target = probes.probe_target(provider_config)
    if isinstance(target, str):
        pytest.skip(target)
    return target


@given("the provider is reached directly over HTTPS")
def reached_over_https(probe_target: ProbeTarget) -> None:
    """Skips the scenario (saying why) over plain HTTP or through a proxy."""


@when(parsers.parse("a TLS connection is attempted {how}"), target_fixture="probe_result")
def connection_attempt(
    probe_target: ProbeTarget, record_probe: Callable[[str, ProbeResult], None], how: str
) -> ProbeResult:
    result = probes.attempt(probe_target, attempt_named(how))
    if isinstance(result, str):
        pytest.skip(result)
    record_probe(how, result)
    return result


PLAIN_HTTP = "a plain-HTTP request to the TLS port"


@when("a plain-HTTP request is sent to the provider's port", target_fixture="plain_http")
def plain_http_request(
    probe_target: ProbeTarget, record_probe: Callable[[str, ProbeResult], None]
) -> ProbeResult:
    result = probes.plain_http_attempt(probe_target)
    record_probe(PLAIN_HTTP, result)
    return result


@then(parsers.parse("the connection is accepted over {version} ({req})"))
def accepted(judge: Judge, probe_result: ProbeResult, version: str, req: str) -> None:
    judge(req, transport_checks.connection_accepted(probe_result, version))


@then(parsers.parse("whether TLS 1.3 is accepted is reported, not judged ({req})"))
def tls13_reported(judge: Judge, probe_result: ProbeResult, req: str) -> None:
    judge(req, transport_checks.tls13_reported(probe_result))


@then(
    parsers.parse(
        "the provider's certificate was verified against the configured CA and host name ({req})"
    )
)
def certificate_verified(judge: Judge, probe_result: ProbeResult, req: str) -> None:
    judge(req, transport_checks.certificate_verified(probe_result))


@then(
    parsers.parse(
        "the request is refused, in the handshake or by an answer without the document ({req})"
    )
)
def refused(judge: Judge, probe_result: ProbeResult, req: str) -> None:
    judge(req, transport_checks.connection_refused(probe_result))


@then(parsers.parse("no document is served over it ({req})"))
def not_served(judge: Judge, plain_http: ProbeResult, req: str) -> None:
    judge(req, transport_checks.no_document_over_plain_http(plain_http))
