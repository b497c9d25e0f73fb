"""Before any scenario: can the provider be reached, and does the tester's own TLS set-up work?

Two reasons stop a run before its scenarios, so that the provider is not judged on a problem
that is not its own:

* the provider cannot be reached at all (no TCP connection, or no TLS handshake);
* the tester's set-up cannot complete one valid request: the provider's certificate does not
  chain to the configured CA although a handshake without verification completes (check
  ``--ca``), or the provider refuses the configured client certificate, or demands one and
  none is configured (check ``--client-cert``/``--client-key``).

A provider certificate that chains to the configured CA but names another host, or has
expired, is the provider's defect (GPC-DOC-TLS-008): the scenarios run and report it.
"""

import os
import socket
import ssl
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.request.retrieve import valid_request
from gpc_assure.transport.tls_probe import ProbeResult, Verify, probe

# The provider refuses a client certificate with these TLS alerts (RFC 8446, 6.2).
_CERTIFICATE_ALERTS = frozenset(
    {
        "bad_certificate",
        "unsupported_certificate",
        "certificate_revoked",
        "certificate_expired",
        "certificate_unknown",
        "unknown_ca",
        "access_denied",
        "certificate_required",
    }
)
# OpenSSL X509_V_ERR_CERT_NOT_YET_VALID, _CERT_HAS_EXPIRED: a chain that is complete but out of
# date is the provider's certificate's defect, not a wrong CA bundle.
_OUT_OF_DATE = frozenset({9, 10})
CA_FILES = "--ca (tls.ca)"
CLIENT_FILES = "--client-cert/--client-key (tls.client_cert, tls.client_key)"


@dataclass(frozen=True)
class Stop:
    """Why the run stops before its scenarios: `reason` is one line."""

    kind: Literal["unreachable", "set-up", "discovery"]
    reason: str

    @property
    def error(self) -> str:
        """The error recorded in summary.json and the assurance report."""
        prefix = {
            "unreachable": "provider unreachable",
            "set-up": "tester set-up",
            "discovery": "no document to retrieve was found from the NHS numbers",
        }[self.kind]
        return f"{prefix}: {self.reason}"


def first_hop(config: ProviderConfig) -> str:
    """The URL the suite connects to: the Spine Secure Proxy when one is configured."""
    assert config.base_url is not None
    return config.proxy_url or config.base_url


def check_before_run(config: ProviderConfig) -> Stop | None:
    """None when the scenarios can run; else why not."""
    url = urlsplit(first_hop(config))
    host = url.hostname or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    reason = _tcp_problem(host, port, config.connect_timeout)
    if reason is not None:
        return Stop("unreachable", reason)
    if url.scheme != "https":
        return None
    return _tls_problem(config, host, port)


def _tcp_problem(host: str, port: int, timeout: float) -> str | None:
    where = f"{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except socket.gaierror as exc:
        return f"host name {host!r} not found ({exc.strerror})"
    except ConnectionRefusedError:
        return f"connection refused by {where}"
    except TimeoutError:
        return f"no answer from {where} within {timeout:g} s (connect time-out)"
    except OSError as exc:
        return f"cannot connect to {where} ({exc.strerror or exc})"
    return None


def _valid_probe(config: ProviderConfig, host: str, port: int, verify: Verify) -> ProbeResult:
    """The valid request for the first configured document, over the tester's own set-up."""
    tls = config.tls
    document = config.documents[0].id if config.documents else config.unknown_document_id
    request = valid_request(config, document)
    password = os.environ.get(tls.key_password_env) if tls.key_password_set else None
    return probe(
        host,
        port,
        server_name=host,
        ca=tls.ca,
        client_cert=tls.client_cert,
        client_key=tls.client_key,
        key_password=password,
        verify=verify,
        timeout=config.connect_timeout + config.read_timeout,
        http_path=urlsplit(request.url).path,
        headers=request.headers,
    )


def _tls_problem(config: ProviderConfig, host: str, port: int) -> Stop | None:
    result = _valid_probe(config, host, port, "full")
    if result.server_verified is False:
        chain = _valid_probe(config, host, port, "chain")
        if chain.server_verified or chain.verify_code in _OUT_OF_DATE:
            result = chain if chain.server_verified else _valid_probe(config, host, port, "none")
        else:
            relaxed = _valid_probe(config, host, port, "none")
            if relaxed.handshake:
                bundle = f"the CA bundle {config.tls.ca}" if config.tls.ca else "the system CAs"
                why = chain.verify_error
                return Stop(
                    "set-up",
                    f"the provider's certificate does not chain to {bundle} ({why}), yet a "
                    f"handshake without verification completes: check {CA_FILES}",
                )
            result = relaxed
    problem = _client_certificate_problem(config, result)
    if problem is not None:
        return Stop("set-up", problem)
    if not result.handshake:
        return Stop("unreachable", f"TLS handshake with {host}:{port} failed ({result.detail})")
    return None


def _certificate_alerts(config: ProviderConfig) -> frozenset[str]:
    """The alerts that refuse the tester's client certificate; without one configured, a
    TLS 1.2 server demanding one answers handshake_failure too."""
    if config.tls.client_cert is None:
        return _CERTIFICATE_ALERTS | {"handshake_failure"}
    return _CERTIFICATE_ALERTS


def _client_certificate_problem(config: ProviderConfig, result: ProbeResult) -> str | None:
    """One line naming the tester's client-certificate files, when the provider refused them."""
    configured = config.tls.client_cert is not None
    if result.alert in _certificate_alerts(config):
        evidence = f"TLS alert {result.alert}"
    elif result.status is not None and result.certificate_complaint:
        evidence = f"a valid request answered {result.detail.split(': ', 1)[-1]}"
    else:
        return None
    if not configured:
        return (
            f"the provider demands a client certificate and none is configured ({evidence}): "
            f"set {CLIENT_FILES}"
        )
    return (
        f"the provider refuses the configured client certificate {config.tls.client_cert} "
        f"({evidence}): check {CLIENT_FILES}"
    )


def unloadable_refused_clients(config: ProviderConfig) -> str | None:
    """A configuration error when a configured expired or other-host client certificate
    cannot be loaded with its key (one line naming the fields); None when all load."""
    tls = config.tls
    password = os.environ.get(tls.key_password_env) or ""
    pairs = (
        ("tls.expired_client_cert/tls.expired_client_key", tls.expired_client_cert,
         tls.expired_client_key),
        ("tls.other_host_client_cert/tls.other_host_client_key", tls.other_host_client_cert,
         tls.other_host_client_key),
    )  # fmt: skip
    for fields, cert, key in pairs:
        if cert is None or key is None:
            continue
        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(
                str(cert), str(key), password=lambda: password
            )
        except (ssl.SSLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
            return (
                f"{fields}: cannot load the certificate with its key ({reason}; "
                f"encrypted key? its password is read from {tls.key_password_env})"
            )
    return None
