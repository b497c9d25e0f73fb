"""What each kind of probe result means for a transport requirement (cases as data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gpc_assure.checks.expect import Observation
from gpc_assure.checks.transport import (
    certificate_verified,
    connection_accepted,
    connection_refused,
    no_document_over_plain_http,
    tls13_reported,
)
from gpc_assure.config.provider_config import load_config
from gpc_assure.transport.probes import ProbeTarget, attempt, probe_target
from gpc_assure.transport.tls_probe import ProbeResult
from steps.transport_steps import ATTEMPTS, attempt_named

SESSION = {"connected": True, "handshake": True, "tls_version": "TLSv1.2", "cipher": "X"}


def result(**fields: Any) -> ProbeResult:
    values: dict[str, Any] = {
        "connected": False,
        "handshake": False,
        "accepted": False,
        "tls_version": None,
        "cipher": None,
        "detail": "what happened",
    }
    values.update(fields)
    return ProbeResult(**values)


SERVED = result(**SESSION, accepted=True, status=200, document=True, server_verified=True)
HTTP_400 = result(
    **SESSION, refusal="http", status=400, certificate_complaint=True, server_verified=None
)
HTTP_404 = result(**SESSION, refusal="http", status=404, server_verified=True)
HANDSHAKE = result(connected=True, refusal="handshake", alert="handshake_failure")
ALERT_AFTER = {**SESSION, "tls_version": "TLSv1.3"}
TLS13_ALERT = result(**ALERT_AFTER, refusal="handshake", alert="certificate_required")
CLOSED = result(**SESSION, refusal="closed", server_verified=True)
UNVERIFIED = result(connected=True, server_verified=False, verify_code=62)
NO_TCP = result()
TIMED_OUT = result(**SESSION, server_verified=True)
LOCAL = result(unsupported_locally=True)
TLS13 = result(**{**SESSION, "tls_version": "TLSv1.3"}, accepted=True, status=200)


def accepted_12(probe_result: ProbeResult) -> Observation:
    return connection_accepted(probe_result, "TLSv1.2")


Case = tuple[str, Callable[[ProbeResult], Observation], ProbeResult, bool | None, bool]
CASES: list[Case] = [
    # description, check, result, met, ends the scenario in error
    ("served without a certificate fails", connection_refused, SERVED, False, False),
    ("nginx's 400 page is a refusal", connection_refused, HTTP_400, True, False),
    ("a 404 without the document is a refusal", connection_refused, HTTP_404, True, False),
    ("a handshake alert is a refusal", connection_refused, HANDSHAKE, True, False),
    ("a TLS 1.3 alert after the handshake", connection_refused, TLS13_ALERT, True, False),
    ("a close before any answer", connection_refused, CLOSED, True, False),
    ("no TCP connection cannot be judged", connection_refused, NO_TCP, None, True),
    ("no answer in time cannot be judged", connection_refused, TIMED_OUT, None, True),
    ("our own verification is no refusal", connection_refused, UNVERIFIED, None, True),
    ("TLS 1.2 served is accepted", accepted_12, SERVED, True, False),
    ("a 404 is no transport refusal", accepted_12, HTTP_404,
     True, False),
    ("an HTTP answer refusing the certificate", accepted_12,
     HTTP_400, False, False),
    ("a handshake refused is not accepted", accepted_12,
     HANDSHAKE, False, False),
    ("another version is not accepted", accepted_12, TLS13,
     False, False),
    ("unverified: the question cannot be asked", accepted_12,
     UNVERIFIED, None, True),
    ("no answer after the handshake is still accepted", accepted_12,
     TIMED_OUT, True, False),
    ("a verified certificate", certificate_verified, SERVED, True, False),
    ("a certificate naming another host", certificate_verified, UNVERIFIED, False, False),
    ("a handshake refused before verifying", certificate_verified, HANDSHAKE, None, True),
    ("TLS 1.3 accepted is reported", tls13_reported, TLS13, None, False),
    ("TLS 1.3 refused is reported", tls13_reported, HANDSHAKE, None, False),
    ("TLS 1.3 not offered here is reported", tls13_reported, LOCAL, None, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("check", "probe_result", "met", "error"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_what_a_probe_result_shows(
    check: Callable[[ProbeResult], Observation],
    probe_result: ProbeResult,
    met: bool | None,
    error: bool,
) -> None:
    observation = check(probe_result)
    assert observation.met is met
    assert observation.no_response is error
    assert probe_result.detail in observation.observed
    assert "\n" not in observation.observed


def test_refusals_say_which_kind() -> None:
    assert "in the TLS handshake" in connection_refused(HANDSHAKE).observed
    assert "session ended unanswered" in connection_refused(CLOSED).observed
    assert "HTTP answer that is not 2xx" in connection_refused(HTTP_400).observed


def test_tls13_is_named_when_accepted() -> None:
    assert tls13_reported(TLS13).observed.startswith("TLS 1.3 accepted")
    assert tls13_reported(HANDSHAKE).observed.startswith("TLS 1.3 not accepted")


def test_refusal_probes_do_not_verify_and_acceptance_probes_do() -> None:
    accepting = {
        "with the client certificate",
        "with the client certificate over TLS 1.2",
        "with the client certificate offering only the approved TLS 1.2 ciphers",
    }
    for how, way in ATTEMPTS.items():
        assert way.verify == ("full" if how in accepting else "none"), how


def test_refusals_are_not_probed_without_a_configured_document() -> None:
    config = load_config(None, {}, {"base_url": "https://127.0.0.1:9/base"})
    target = probe_target(config)
    assert isinstance(target, ProbeTarget)
    reason = attempt(target, attempt_named("without a client certificate"))
    assert isinstance(reason, str)
    assert "no document is configured" in reason


def test_unconfigured_refused_client_certificates_skip_their_scenario() -> None:
    config = load_config(None, {}, {"base_url": "https://127.0.0.1:9/base", "documents": ["d"]})
    target = probe_target(config)
    assert isinstance(target, ProbeTarget)
    assert "tls.expired_client_cert" in str(
        attempt(target, attempt_named("with the expired client certificate"))
    )
    reason = attempt(target, attempt_named("with the client certificate naming another host"))
    assert "tls.other_host_client_cert" in str(reason)


@pytest.mark.parametrize(
    ("status", "met"),
    [(200, False), (400, True), (None, True), (301, True)],
)
def test_plain_http_is_refused_unless_answered_200(status: int | None, met: bool) -> None:
    answered = result(connected=True, accepted=status == 200, status=status, detail="HTTP/1.1 x")
    assert no_document_over_plain_http(answered).met is met
