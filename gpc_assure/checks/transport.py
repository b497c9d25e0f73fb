"""What the transport-security probes must show: one judgement per question, on the typed
result of each connection attempt (`gpc_assure.transport.probes`)."""

from gpc_assure.checks.expect import Observation
from gpc_assure.transport.tls_probe import ProbeResult


def _not_judged(expected: str, result: ProbeResult, why: str = "") -> Observation:
    """The question could not be asked: the scenario ends in error, never passes."""
    observed = f"{result.detail}{why}"
    return Observation(None, expected, observed, no_response=True)


_UNVERIFIED = "; the provider's certificate is judged by GPC-DOC-TLS-008"


def connection_accepted(result: ProbeResult, version: str) -> Observation:
    """The handshake completed over `version` with the client certificate, and the session
    was not refused: no alert or close before the answer, no HTTP answer refusing the
    certificate (any other HTTP answer is not a transport matter)."""
    expected = f"a completed handshake over {version}, the request not refused"
    if result.server_verified is False:
        return _not_judged(expected, result, _UNVERIFIED)
    if result.refusal in ("handshake", "closed") or result.certificate_complaint:
        return Observation(False, expected, result.detail)
    if not result.handshake:
        return _not_judged(expected, result)
    return Observation(result.tls_version == version, expected, result.detail)


def certificate_verified(result: ProbeResult) -> Observation:
    """The server certificate chained to the configured CA and named the host."""
    expected = "a server certificate from the configured CA, valid for the host name"
    if result.server_verified is False:
        return Observation(False, expected, result.detail)
    if result.handshake and result.server_verified:
        return Observation(True, expected, f"verified ({result.detail})")
    return _not_judged(expected, result)


_REFUSED = {
    "handshake": "refused in the TLS handshake",
    "closed": "refused, the session ended unanswered",
    "http": "refused by an HTTP answer that is not 2xx and carries no document",
}


def connection_refused(result: ProbeResult) -> Observation:
    """The request was refused: in the handshake, by ending the session unanswered, or by an
    HTTP answer that is not 2xx and carries no document. Served means it failed; anything
    else (no connection, no answer in time, not HTTP) could not be judged."""
    expected = "the request refused (a failed handshake, or an answer not 2xx without the document)"
    if result.refusal is not None:
        return Observation(True, expected, f"{_REFUSED[result.refusal]}: {result.detail}")
    if result.accepted:
        return Observation(False, expected, result.detail)
    return _not_judged(expected, result)


def tls13_reported(result: ProbeResult) -> Observation:
    """Whether TLS 1.3 is accepted, recorded for the reader and never judged."""
    expected = "reported only: the guidance names TLS 1.2 and does not forbid TLS 1.3"
    if result.unsupported_locally:
        observed = f"TLS 1.3 not offered: {result.detail}"
    elif result.tls_version == "TLSv1.3" and result.refusal not in ("handshake", "closed"):
        observed = f"TLS 1.3 accepted ({result.cipher}): {result.detail}"
    else:
        observed = f"TLS 1.3 not accepted: {result.detail}"
    return Observation(None, expected, observed)


def no_document_over_plain_http(result: ProbeResult) -> Observation:
    """A valid request sent over plain HTTP to the TLS port must not be served (a 200)."""
    return Observation(not result.accepted, "no document served", result.detail)
