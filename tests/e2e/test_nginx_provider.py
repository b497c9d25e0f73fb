"""The transport-security feature against a real nginx, configured as a provider's TLS front.

nginx serves one document's Binary JSON and a GPConnect OperationOutcome for anything else,
with mutual TLS from the reference provider's throwaway PKI, the approved ciphers, TLS 1.2 (and
a variant with TLS 1.3 too) and HSTS. nginx answers a missing or untrusted client certificate
with `400 No required SSL certificate was sent` / `400 The SSL certificate error` after the
handshake: the suite must count that as refused. Then nginx is broken one way at a time, and
each break must fail the scenario of the requirement it breaks, and only that.

Skipped, saying so, where nginx is not installed (`.ci/run` installs nginx-light as root).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from e2e.harness import TRANSPORT_SCENARIOS, run_cli, transport_run
from gpc_assure.provider.certs import SSP_HOST, Pki, generate_pki
from gpc_assure.provider.tls import APPROVED_CIPHERS, unlisted_cipher
from gpc_assure.transport.tls_probe import can_offer, self_signed_client

NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
)
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        NGINX is None, reason="nginx is not installed (apt-get install nginx-light)"
    ),
]

BASE = "/B82617/STU3/1/gpconnect/documents"
DOCUMENT = "nginx-doc-1"
PROVIDER_ASID = "200000000116"
START_SECONDS = 5.0
WEAK_CIPHER = "ECDHE-ECDSA-AES128-SHA"
SSP_PATTERN = SSP_HOST.replace(".", "\\.")

TLS_001 = "A request without a client certificate is refused"
TLS_002 = "A client certificate outside the chain of trust is refused"
TLS_003 = "TLS 1.2 with the client certificate is accepted; TLS 1.3 is reported, not judged"
TLS_005_APPROVED = "The approved TLS 1.2 ciphers are accepted"
TLS_005_ALL = (
    "Every TLS 1.2 cipher suite the local TLS library has outside the approved list is refused"
)
TLS_006 = "Responses carry Strict-Transport-Security"
TLS_008 = "The provider's certificate chains to the configured CA and names its host"
TLS_010 = "A client certificate naming a host other than the Spine Secure Proxy is refused"


@dataclass(frozen=True)
class Front:
    """How nginx is configured; the defaults are a conformant provider front."""

    protocols: str = "TLSv1.2"
    ciphers: str = APPROVED_CIPHERS
    verify_client: str = "on"
    hsts: bool = True
    wrong_host: bool = False
    rsa_key: bool = False
    checks_client_host: bool = True


def _binary() -> bytes:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return json.dumps(
        {
            "resourceType": "Binary",
            "id": DOCUMENT,
            "meta": {"versionId": "1"},
            "contentType": "application/pdf",
            "content": base64.b64encode(pdf).decode(),
        }
    ).encode()


NOT_FOUND = {
    "resourceType": "OperationOutcome",
    "meta": {
        "profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"]
    },
    "issue": [
        {
            "severity": "error",
            "code": "not-found",
            "details": {
                "coding": [
                    {
                        "system": "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1",
                        "code": "NO_RECORD_FOUND",
                        "display": "No record found",
                    }
                ]
            },
        }
    ],
}


def nginx_conf(front: Front, pki: Pki, root: Path, port: int) -> str:
    """nginx.conf for `front`: everything under `root`, listening on 127.0.0.1:`port`."""
    if front.wrong_host:
        cert, key = pki.wrong_host_cert, pki.wrong_host_key
    elif front.rsa_key:
        assert pki.rsa_server_cert is not None
        assert pki.rsa_server_key is not None
        cert, key = pki.rsa_server_cert, pki.rsa_server_key
    else:
        cert, key = pki.server_cert, pki.server_key
    headers = 'add_header Cache-Control "no-store" always;\n'
    if front.hsts:
        headers += 'add_header Strict-Transport-Security "max-age=31536000" always;\n'
    user = "user root;\n" if os.geteuid() == 0 else ""
    host_check = ""
    if front.checks_client_host:
        # The security guidance: the FQDN in the client certificate is the SSP's.
        host_check = "if ($gpc_client_host_ok = 0) { return 403; }\n"
    temp = "\n".join(
        f"{name}_temp_path {root / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi")
    )
    return f"""
{user}worker_processes 1;
daemon off;
pid {root / "nginx.pid"};
error_log {root / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  {temp}
  scgi_temp_path {root / "scgi"};
  map $ssl_client_s_dn $gpc_client_host_ok {{
    "" 1;
    "~^CN={SSP_PATTERN}(,|$)" 1;
    default 0;
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_client_certificate {pki.ca_cert};
    ssl_verify_client {front.verify_client};
    ssl_verify_depth 2;
    ssl_protocols {front.protocols};
    ssl_ciphers "{front.ciphers}";
    ssl_prefer_server_ciphers on;
    {headers}
    {host_check}
    error_page 404 /oo/404.json;
    location = {BASE}/Binary/{DOCUMENT} {{
      {headers}
      add_header ETag 'W/"1"' always;
      etag off;
      default_type "application/fhir+json;charset=utf-8";
      alias {root / "binary.json"};
    }}
    location = /oo/404.json {{
      internal;
      {headers}
      default_type "application/fhir+json;charset=utf-8";
      alias {root / "404.json"};
    }}
    location / {{ return 404; }}
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Nginx:
    """nginx running in the foreground from its own prefix; stop() ends it."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}{BASE}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def start_nginx(front: Front, pki: Pki, root: Path) -> Nginx:
    root.mkdir(parents=True, exist_ok=True)
    (root / "binary.json").write_bytes(_binary())
    (root / "404.json").write_text(json.dumps(NOT_FOUND), encoding="utf-8")
    assert NGINX is not None
    port = _free_port()
    conf = root / "nginx.conf"
    conf.write_text(nginx_conf(front, pki, root, port), encoding="utf-8")
    process = subprocess.Popen(
        [NGINX, "-p", str(root), "-e", str(root / "error.log"), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = (
                (root / "error.log").read_text(errors="replace")
                if (root / "error.log").exists()
                else ""
            )
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            pytest.fail(f"nginx did not start: {stderr} {error}".strip())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return Nginx(root, port, process)
        except OSError:
            time.sleep(0.02)
    process.kill()
    pytest.fail(f"nginx did not listen on 127.0.0.1:{port} within {START_SECONDS:g} s")


def config_toml(nginx: Nginx, pki: Pki) -> str:
    return f"""
base_url = "{nginx.base_url}"
provider_asid = "{PROVIDER_ASID}"

[tls]
ca = "{pki.ca_cert}"
client_cert = "{pki.client_cert}"
client_key = "{pki.client_key}"
expired_client_cert = "{pki.expired_client_cert}"
expired_client_key = "{pki.expired_client_key}"
other_host_client_cert = "{pki.other_host_client_cert}"
other_host_client_key = "{pki.other_host_client_key}"

[[documents]]
id = "{DOCUMENT}"
content_type = "application/pdf"
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return generate_pki(tmp_path_factory.mktemp("nginx-pki"), rsa_server=True)


@dataclass(frozen=True)
class Outcomes:
    by_name: dict[str, str]
    failed_requirements: set[str]

    def not_passed(self) -> dict[str, str]:
        return {name: outcome for name, outcome in self.by_name.items() if outcome != "passed"}

    def failed(self) -> set[str]:
        return {name for name, outcome in self.by_name.items() if outcome == "failed"}


def run_against(front: Front, pki: Pki, tmp_path: Path) -> Outcomes:
    """The transport feature against nginx configured as `front`."""
    nginx = start_nginx(front, pki, tmp_path / "nginx")
    try:
        config = tmp_path / "provider.toml"
        config.write_text(config_toml(nginx, pki), encoding="utf-8")
        result = transport_run(config, tmp_path)
    finally:
        nginx.stop()
    assert result.code in (0, 1), result.stdout + result.stderr
    scenarios = result.summary["scenarios"]
    assert len(scenarios) == TRANSPORT_SCENARIOS, result.stderr
    failed = {
        finding["requirement"]
        for scenario in scenarios
        for finding in scenario["findings"]
        if finding["verdict"] == "failed"
    }
    return Outcomes({s["name"]: s["outcome"] for s in scenarios}, failed)


@pytest.fixture(scope="module")
def started_ok(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> None:
    """nginx starts quickly with the conformant front (a broken set-up fails once, here)."""
    started = time.perf_counter()
    nginx = start_nginx(Front(), pki, tmp_path_factory.mktemp("nginx-start"))
    seconds = time.perf_counter() - started
    nginx.stop()
    assert seconds < 1.0, f"nginx took {seconds:.2f} s to start"


@pytest.mark.parametrize("protocols", ["TLSv1.2", "TLSv1.2 TLSv1.3"])
def test_a_conformant_nginx_front_passes_every_transport_scenario(
    started_ok: None, pki: Pki, tmp_path: Path, protocols: str
) -> None:
    outcomes = run_against(Front(protocols=protocols), pki, tmp_path)
    assert outcomes.not_passed() == {}


BROKEN = {
    # name: (the front, the requirements that must fail, the scenarios that must fail)
    "client certificate optional": (
        Front(verify_client="optional"),
        {"GPC-DOC-TLS-001"},
        {TLS_001},
    ),
    # nginx still refuses an expired certificate with optional_no_ca
    "any client certificate from any CA, for any host": (
        Front(verify_client="optional_no_ca", checks_client_host=False),
        {"GPC-DOC-TLS-001", "GPC-DOC-TLS-002", "GPC-DOC-TLS-010"},
        {TLS_001, TLS_002, TLS_010},
    ),
    "TLS 1.1 allowed": (
        Front(protocols="TLSv1.1 TLSv1.2", ciphers=f"{APPROVED_CIPHERS}:@SECLEVEL=0"),
        {"GPC-DOC-TLS-004"},
        {"TLS 1.1 is refused"},
    ),
    "a weak cipher added": (
        Front(ciphers=f"{APPROVED_CIPHERS}:{WEAK_CIPHER}"),
        {"GPC-DOC-TLS-005"},
        {TLS_005_ALL, f"The non-approved TLS 1.2 cipher {WEAK_CIPHER} offered alone is refused"},
    ),
    "an ARIA, CAMELLIA or CHACHA20 suite added": (
        Front(
            ciphers=f"{APPROVED_CIPHERS}:{unlisted_cipher()}",
            rsa_key=unlisted_cipher().startswith("ECDHE-RSA-"),
        ),
        {"GPC-DOC-TLS-005"},
        {TLS_005_ALL},  # only the all-but-approved probe offers it
    ),
    "no HSTS": (Front(hsts=False), {"GPC-DOC-TLS-006"}, {TLS_006}),
    "client certificate host not checked": (
        Front(checks_client_host=False),
        {"GPC-DOC-TLS-010"},
        {TLS_010},
    ),
    "certificate for another host": (Front(wrong_host=True), {"GPC-DOC-TLS-008"}, {TLS_008}),
    "certificate for another host, client certificate optional": (
        Front(wrong_host=True, verify_client="optional"),
        {"GPC-DOC-TLS-008", "GPC-DOC-TLS-001"},
        {TLS_008, TLS_001},
    ),
}
# What a certificate for another host leaves unjudged: the probes that verify the provider.
UNVERIFIABLE = {TLS_003, TLS_005_APPROVED, TLS_006}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_each_break_fails_the_requirement_it_breaks_and_only_that(
    started_ok: None, pki: Pki, tmp_path: Path, broken: str
) -> None:
    front, requirements, scenarios = BROKEN[broken]
    if "TLSv1.1" in front.protocols and not can_offer(ssl.TLSVersion.TLSv1_1):
        pytest.skip("the local OpenSSL cannot offer TLS 1.1")
    outcomes = run_against(front, pki, tmp_path)
    assert outcomes.failed_requirements == requirements, outcomes.not_passed()
    assert outcomes.failed() == scenarios, outcomes.not_passed()
    errors = {name for name, outcome in outcomes.by_name.items() if outcome == "error"}
    assert errors == (UNVERIFIABLE if front.wrong_host else set()), outcomes.not_passed()


@pytest.mark.parametrize("mistake", ["wrong CA", "no client certificate", "untrusted client"])
def test_the_testers_own_mistakes_stop_the_run_before_nginx_is_judged(
    started_ok: None, pki: Pki, tmp_path: Path, mistake: str
) -> None:
    """nginx completes the handshake and answers 400: that is the tester's set-up, not nginx."""
    other, other_key = self_signed_client(tmp_path / "other")
    tls = {
        "wrong CA": ("--ca", str(other), "--client-cert", str(pki.client_cert),
                     "--client-key", str(pki.client_key)),
        "no client certificate": ("--ca", str(pki.ca_cert)),
        "untrusted client": ("--ca", str(pki.ca_cert), "--client-cert", str(other),
                             "--client-key", str(other_key)),
    }[mistake]  # fmt: skip
    nginx = start_nginx(Front(), pki, tmp_path / "nginx")
    try:
        result = run_cli(
            "run", "--base-url", nginx.base_url, "--document-id", DOCUMENT, *tls, cwd=tmp_path
        )
    finally:
        nginx.stop()
    assert result.code == 3, result.stdout + result.stderr
    line, *rest = result.stderr.strip().splitlines()
    assert not rest, result.stderr
    expected = "--ca (tls.ca)" if mistake == "wrong CA" else "--client-cert/--client-key"
    assert expected in line
    if mistake != "wrong CA":
        assert "HTTP 400" in line  # nginx refuses after the handshake
    assert result.summary["error"].startswith("tester set-up: ")
    assert result.summary["scenarios"] == []
