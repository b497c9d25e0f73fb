"""The client TLS context: trust anchors, client chain, key password from the environment."""

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gpc_assure.config.provider_config import TlsSettings
from gpc_assure.transport.tls_context import TlsSetupError, client_ssl_context

PASSWORD_ENV = "GPC_ASSURE_CLIENT_KEY_PASSWORD"


@pytest.fixture
def encrypted_client(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "client.pem", tmp_path / "client.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"s3cret"),
        )
    )
    return cert_path, key_path


def test_encrypted_key_loads_with_the_password_from_the_environment(
    encrypted_client: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    cert, key = encrypted_client
    context = client_ssl_context(TlsSettings(client_cert=cert, client_key=key))
    assert context.minimum_version.name == "TLSv1_2"


@pytest.mark.parametrize("password", ["wrong", None])
def test_a_key_that_cannot_be_opened_is_one_clear_line(
    encrypted_client: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, password: str | None
) -> None:
    if password is None:
        monkeypatch.delenv(PASSWORD_ENV, raising=False)
    else:
        monkeypatch.setenv(PASSWORD_ENV, password)
    cert, key = encrypted_client
    with pytest.raises(TlsSetupError) as raised:
        client_ssl_context(TlsSettings(client_cert=cert, client_key=key))
    message = str(raised.value)
    assert "\n" not in message
    assert "s3cret" not in message
    assert ("wrong key password" if password else PASSWORD_ENV) in message


def test_a_ca_file_that_is_not_pem_is_one_clear_line(tmp_path: Path) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(TlsSetupError, match=r"tls\.ca"):
        client_ssl_context(TlsSettings(ca=bogus))
