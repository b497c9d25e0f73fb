"""TLS material as PEM text in environment variables: a private folder, removed afterwards."""

import stat
from pathlib import Path

import pytest

from gpc_assure.config.pem_env import PemFiles, pem_variables
from gpc_assure.config.provider_config import ConfigError, load_config

CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nsecret-key-body\n-----END PRIVATE KEY-----\n"


def test_every_tls_file_field_has_a_pem_twin() -> None:
    assert pem_variables()["GPC_ASSURE_TLS_CLIENT_CERT_PEM"].path == "tls.client_cert"
    assert pem_variables()["GPC_ASSURE_TLS_CA_PEM"].path == "tls.ca"
    assert "GPC_ASSURE_TLS_EXPIRED_CLIENT_KEY_PEM" in pem_variables()


def test_pem_text_becomes_private_files_the_configuration_points_at() -> None:
    files, env = PemFiles.from_env(
        {"GPC_ASSURE_TLS_CLIENT_CERT_PEM": CERT, "GPC_ASSURE_TLS_CLIENT_KEY_PEM": KEY}
    )
    try:
        assert files.folder is not None
        assert stat.S_IMODE(files.folder.stat().st_mode) == 0o700
        key = Path(env["GPC_ASSURE_TLS_CLIENT_KEY"])
        assert key.parent == files.folder
        assert key.read_text() == KEY
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        config = load_config(None, env, {"base_url": "https://127.0.0.1:9/fhir"})
        assert config.tls.client_cert == Path(env["GPC_ASSURE_TLS_CLIENT_CERT"])
    finally:
        folder = files.folder
        files.remove()
    assert folder is not None
    assert not folder.exists()


def test_escaped_newlines_of_a_one_line_secret_are_restored() -> None:
    files, env = PemFiles.from_env({"GPC_ASSURE_TLS_CA_PEM": CERT.replace("\n", "\\n")})
    try:
        assert Path(env["GPC_ASSURE_TLS_CA"]).read_text() == CERT
    finally:
        files.remove()


def test_no_pem_variable_writes_nothing() -> None:
    files, env = PemFiles.from_env({"GPC_ASSURE_BASE_URL": "https://x"})
    assert files.folder is None
    assert env == {"GPC_ASSURE_BASE_URL": "https://x"}


def test_a_path_and_its_pem_twin_together_are_refused() -> None:
    with pytest.raises(ConfigError, match="only one of them"):
        PemFiles.from_env({"GPC_ASSURE_TLS_CA": "/ca.pem", "GPC_ASSURE_TLS_CA_PEM": CERT})


def test_text_that_is_not_pem_is_refused_without_repeating_it() -> None:
    with pytest.raises(ConfigError) as caught:
        PemFiles.from_env({"GPC_ASSURE_TLS_CLIENT_KEY_PEM": "hunter2-not-a-key"})
    assert "hunter2" not in str(caught.value)
    assert "GPC_ASSURE_TLS_CLIENT_KEY_PEM" in str(caught.value)
