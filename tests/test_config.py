"""Tests for provider configuration: precedence, validation, CLI flags, resolved dicts."""

from __future__ import annotations

import argparse
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gpc_assure.config.fields import FIELDS, FIELDS_BY_PATH, KEY_PASSWORD_ENV
from gpc_assure.config.provider_config import (
    ConfigError,
    ConsumerIdentity,
    DocumentExpectation,
    ProviderConfig,
    TlsSettings,
    add_config_arguments,
    from_resolved_dict,
    load_config,
    overrides_from_args,
    to_resolved_dict,
)
from gpc_assure.spec.paths import FIXTURES_DIR

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SHA_A = "A" * 64
BASE = "https://provider.test/B82617/STU3/1/gpconnect/documents"


def parse_flags(flags: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser()
    add_config_arguments(parser)
    return overrides_from_args(parser.parse_args(flags))


def write(tmp_path: Path, text: str, name: str = "providers.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def pem_files(tmp_path: Path) -> dict[str, Path]:
    files = {name: tmp_path / f"{name}.pem" for name in ("ca", "cert", "key")}
    for path in files.values():
        path.write_text("-----BEGIN PLACEHOLDER-----\n", encoding="ascii")
    return files


# --- precedence ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("use_file", "use_env", "use_flag", "expected"),
    [
        (False, False, False, "1.6"),
        (True, False, False, "1.0"),
        (True, True, False, "draft"),
        (True, True, True, "1.6"),
        (False, True, False, "draft"),
        (False, False, True, "1.6"),
    ],
)
def test_scalar_precedence(
    tmp_path: Path, use_file: bool, use_env: bool, use_flag: bool, expected: str
) -> None:
    config_file = write(tmp_path, 'spec = "1.0"\n') if use_file else None
    env = {"GPC_ASSURE_SPEC": "draft"} if use_env else {}
    overrides = parse_flags(["--spec", "1.6"] if use_flag else [])
    assert load_config(config_file, env, overrides).spec == expected


@pytest.mark.parametrize(
    ("use_file", "use_env", "use_flag", "expected"),
    [
        (False, False, False, "A1001"),
        (True, False, False, "B82617"),
        (True, True, False, "C11111"),
        (True, True, True, "D22222"),
    ],
)
def test_nested_consumer_precedence(
    tmp_path: Path, use_file: bool, use_env: bool, use_flag: bool, expected: str
) -> None:
    config_file = write(tmp_path, '[consumer]\nods_code = "B82617"\n') if use_file else None
    env = {"GPC_ASSURE_CONSUMER_ODS_CODE": "C11111"} if use_env else {}
    overrides = parse_flags(["--consumer-ods-code", "D22222"] if use_flag else [])
    assert load_config(config_file, env, overrides).consumer.ods_code == expected


DOCUMENTS_FILE = f"""
[[documents]]
id = "doc-a"
content_type = "{PDF}"
sha256 = "{SHA_A}"

[[documents]]
id = "doc-b"
content_type = "{DOCX}"
"""


def test_documents_from_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, DOCUMENTS_FILE), {}, {})
    assert config.documents == (
        DocumentExpectation("doc-a", PDF, SHA_A.lower()),
        DocumentExpectation("doc-b", DOCX),
    )


def test_documents_env_replaces_file_but_keeps_expectations(tmp_path: Path) -> None:
    env = {"GPC_ASSURE_DOCUMENT_IDS": "doc-b, doc-c"}
    config = load_config(write(tmp_path, DOCUMENTS_FILE), env, {})
    assert config.documents == (DocumentExpectation("doc-b", DOCX), DocumentExpectation("doc-c"))


def test_documents_flags_beat_env_and_keep_file_expectations(tmp_path: Path) -> None:
    env = {"GPC_ASSURE_DOCUMENT_IDS": "doc-b"}
    overrides = parse_flags(["--document-id", "doc-c", "--document-id", "doc-a"])
    config = load_config(write(tmp_path, DOCUMENTS_FILE), env, overrides)
    assert config.documents == (
        DocumentExpectation("doc-c"),
        DocumentExpectation("doc-a", PDF, SHA_A.lower()),
    )


def test_documents_flags_without_file() -> None:
    config = load_config(None, {}, parse_flags(["--document-id", "x1"]))
    assert config.documents == (DocumentExpectation("x1"),)


NHS_A, NHS_B, NHS_C = "9690937278", "9690937286", "9476719931"


@pytest.mark.parametrize(
    ("use_file", "use_env", "flags", "expected"),
    [
        (False, False, [], ()),
        (True, False, [], (NHS_A,)),
        (True, True, [], (NHS_B, NHS_C)),
        (True, True, [NHS_C], (NHS_C,)),
        (False, False, [NHS_A, NHS_B], (NHS_A, NHS_B)),
    ],
)
def test_nhs_numbers_precedence(
    tmp_path: Path, use_file: bool, use_env: bool, flags: list[str], expected: tuple[str, ...]
) -> None:
    config_file = write(tmp_path, f'nhs_numbers = ["{NHS_A}"]\n') if use_file else None
    env = {"GPC_ASSURE_NHS_NUMBERS": f" {NHS_B} ,{NHS_C}"} if use_env else {}
    overrides = parse_flags([arg for n in flags for arg in ("--nhs-number", n)])
    assert load_config(config_file, env, overrides).nhs_numbers == expected


def test_nhs_numbers_survive_the_resolved_dict_and_the_embedded_provider(
    pem_files: dict[str, Path],
) -> None:
    config = load_config(None, {"GPC_ASSURE_NHS_NUMBERS": f"{NHS_A},{NHS_B}"}, {})
    resolved = to_resolved_dict(config)
    assert resolved["nhs_numbers"] == [NHS_A, NHS_B]
    assert from_resolved_dict(json.loads(json.dumps(resolved))) == config
    embedded = config.with_embedded(
        "https://127.0.0.1:8443/fhir", pem_files["ca"], pem_files["cert"], pem_files["key"],
        "999", (),
    )  # fmt: skip
    assert embedded.nhs_numbers == (NHS_A, NHS_B)


def test_empty_env_values_count_as_unset(tmp_path: Path) -> None:
    env = {"GPC_ASSURE_SPEC": "", "GPC_ASSURE_DOCUMENT_IDS": ""}
    config = load_config(write(tmp_path, 'spec = "1.0"\n' + DOCUMENTS_FILE), env, {})
    assert config.spec == "1.0"
    assert len(config.documents) == 2


def test_defaults() -> None:
    config = load_config(None, {}, {})
    assert config.base_url is None
    assert config.proxy_url is None
    assert (config.provider_asid, config.consumer_asid) == ("200000000116", "200000000115")
    assert (config.connect_timeout, config.read_timeout) == (5.0, 30.0)
    assert config.max_response_bytes == 16 * 1024 * 1024
    assert config.tls == TlsSettings(None, None, None, KEY_PASSWORD_ENV, False)
    assert config.consumer.iss == "https://consumer.gpc-assure.invalid/"
    assert config.consumer.device_version
    assert config.oversize_document_id is None
    assert config.nhs_numbers == ()
    assert config.transport_assured


# --- values ----------------------------------------------------------------------------------


def test_trailing_slashes_are_stripped() -> None:
    overrides = {"base_url": BASE + "/", "proxy_url": "https://proxy.test/"}
    config = load_config(None, {}, overrides)
    assert config.base_url == BASE
    assert config.proxy_url == "https://proxy.test"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("16MiB", 16 * 2**20),
        ("10MB", 10_000_000),
        ("512KiB", 512 * 1024),
        ("1 GiB", 2**30),
        ("2048", 2048),
        (4096, 4096),
    ],
)
def test_size_values(tmp_path: Path, given: object, expected: int) -> None:
    text = f"[limits]\nmax_response_bytes = {json.dumps(given)}\n"
    assert load_config(write(tmp_path, text), {}, {}).max_response_bytes == expected
    env = {"GPC_ASSURE_LIMITS_MAX_RESPONSE_BYTES": str(given)}
    assert load_config(None, env, {}).max_response_bytes == expected


def test_numeric_values_from_env_and_flags() -> None:
    env = {"GPC_ASSURE_TIMEOUTS_CONNECT": "2.5"}
    config = load_config(None, env, parse_flags(["--read-timeout", "600"]))
    assert (config.connect_timeout, config.read_timeout) == (2.5, 600.0)


def test_unknown_document_id_generated_once_per_config() -> None:
    first, second = load_config(None, {}, {}), load_config(None, {}, {})
    assert uuid.UUID(first.unknown_document_id).version == 4
    assert first.unknown_document_id == first.unknown_document_id
    assert first.unknown_document_id != second.unknown_document_id
    assert first.unknown_document_id_generated


def test_unknown_document_id_configured() -> None:
    config = load_config(None, {"GPC_ASSURE_UNKNOWN_DOCUMENT_ID": "nope-1"}, {})
    assert config.unknown_document_id == "nope-1"
    assert not config.unknown_document_id_generated


def test_tls_paths_resolved_relative_to_file(tmp_path: Path, pem_files: dict[str, Path]) -> None:
    text = '[tls]\nca = "ca.pem"\nclient_cert = "cert.pem"\nclient_key = "key.pem"\n'
    config = load_config(write(tmp_path, text), {KEY_PASSWORD_ENV: "s3cret"}, {})
    assert config.tls.ca == pem_files["ca"]
    assert config.tls.client_cert == pem_files["cert"]
    assert config.tls.client_key == pem_files["key"]
    assert config.tls.key_password_set
    assert config.tls.key_password_env == KEY_PASSWORD_ENV


def test_plain_http_ignores_tls_and_is_not_assured(tmp_path: Path) -> None:
    overrides = {"base_url": "http://provider.test/fhir", "tls.ca": str(tmp_path / "missing")}
    config = load_config(None, {}, overrides)
    assert config.tls.ca is None
    assert not config.transport_assured


def test_password_never_stored_or_shown(pem_files: dict[str, Path]) -> None:
    secret = "hunter2-very-secret"
    overrides = {
        "base_url": BASE,
        "tls.client_cert": str(pem_files["cert"]),
        "tls.client_key": str(pem_files["key"]),
    }
    config = load_config(None, {KEY_PASSWORD_ENV: secret}, overrides)
    assert secret not in repr(config)
    assert secret not in json.dumps(to_resolved_dict(config))
    assert config.tls.key_password_set


def test_credentials_in_url_are_redacted_in_error() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"GPC_ASSURE_BASE_URL": "https://user:pa55@provider.test/x"}, {})
    assert "pa55" not in str(caught.value)
    assert caught.value.field == "base_url"


# --- bad input -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """One bad-input case: what is wrong, the inputs, and the field/source the error names."""

    description: str
    field_path: str
    toml: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    source: str | None = None
    contains: str = ""


_TLS = '[tls]\nca = "{tmp}/ca.pem"\n'
BAD_INPUTS = [
    Bad("config file missing", "config_file", toml="<missing>"),
    Bad("config file is a directory", "config_file", toml="<directory>"),
    Bad("config file not UTF-8", "config_file", toml="<binary>"),
    Bad("invalid TOML", "config_file", toml='spec = "1.6\n', contains="(at line 1, column"),
    Bad("duplicate TOML key", "config_file", toml='spec = "1.6"\nspec = "1.0"\n'),
    Bad("unknown top-level field", "base_ur", toml='base_ur = "x"\n', source="line 1",
        contains="did you mean 'base_url'?"),
    Bad("unknown consumer field", "consumer.ods", toml='[consumer]\nods = "A1"\n',
        contains="did you mean 'consumer.ods_code'?"),
    Bad("unknown table", "consumr", toml='[consumr]\nods_code = "A1"\n',
        contains="did you mean 'consumer'?"),
    Bad("unknown key in a document", "documents[0].sha", toml='[[documents]]\nid="a"\nsha="b"\n',
        contains="did you mean 'sha256'?"),
    Bad("unknown tls field", "tls.cert", toml='[tls]\ncert = "x"\n',
        contains="did you mean 'tls.client_cert'?"),
    Bad("string where number expected", "timeouts.connect", toml='[timeouts]\nconnect = "5"\n'),
    Bad("table where string expected", "base_url", toml="base_url = { a = 1 }\n"),
    Bad("number where string expected", "spec", toml="spec = 1.6\n"),
    Bad("string where table expected", "tls", toml='tls = "x"\n'),
    Bad("boolean where number expected", "timeouts.read", toml="[timeouts]\nread = true\n"),
    Bad("documents not an array", "documents", toml='documents = "a"\n'),
    Bad("document not a table", "documents[0]", toml='documents = ["a"]\n'),
    Bad("document without id", "documents[0]", toml='[[documents]]\ncontent_type = "a/b"\n'),
    Bad("URL with bad scheme", "base_url", toml='base_url = "ftp://provider.test/x"\n'),
    Bad("URL without scheme", "base_url", env={"GPC_ASSURE_BASE_URL": "provider.test/fhir"}),
    Bad("URL missing host", "base_url", flags=["--base-url", "https:///fhir"]),
    Bad("URL with query", "base_url", flags=["--base-url", "https://p.test/x?a=1"]),
    Bad("URL with fragment", "base_url", flags=["--base-url", "https://p.test/x#f"]),
    Bad("URL with spaces", "base_url", flags=["--base-url", "https://p.test/a b"]),
    Bad("URL with bad port", "base_url", flags=["--base-url", "https://p.test:99999/x"]),
    Bad("empty URL flag", "base_url", flags=["--base-url", ""]),
    Bad("proxy URL bad", "proxy_url", env={"GPC_ASSURE_PROXY_URL": "proxy"}),
    Bad("proxy without base_url", "proxy_url", flags=["--proxy-url", "https://proxy.test"]),
    Bad("bad spec in file", "spec", toml='spec = "2.0"\n', source="providers.toml line 1"),
    Bad("bad spec in env", "spec", env={"GPC_ASSURE_SPEC": "1.5"}, source="GPC_ASSURE_SPEC"),
    Bad("bad spec flag", "spec", flags=["--spec", "latest"], source="--spec"),
    Bad("ASID with letters", "provider_asid", flags=["--provider-asid", "20000x"]),
    Bad("ASID too long", "consumer_asid", env={"GPC_ASSURE_CONSUMER_ASID": "1" * 21}),
    Bad("ASID as TOML integer", "provider_asid", toml="provider_asid = 200000000116\n"),
    Bad("ASID empty", "provider_asid", toml='provider_asid = ""\n'),
    Bad("sha256 too short", "documents[0].sha256", toml='[[documents]]\nid="a"\nsha256="ab"\n'),
    Bad(
        "sha256 not hex",
        "documents[0].sha256",
        toml=f'[[documents]]\nid="a"\nsha256="{"g" * 64}"\n',
        source="line 3",
    ),
    Bad(
        "bad content type",
        "documents[1].content_type",
        toml='[[documents]]\nid="a"\n[[documents]]\nid="b"\ncontent_type="pdf"\n',
        source="providers.toml line 5",
    ),
    Bad("content type with params", "documents[0].content_type",
        toml='[[documents]]\nid="a"\ncontent_type="text/plain; charset=utf-8"\n'),
    Bad("empty document id in file", "documents[0].id", toml='[[documents]]\nid=""\n'),
    Bad("empty document id in env", "documents[1].id", env={"GPC_ASSURE_DOCUMENT_IDS": "a,,b"}),
    Bad("empty document id flag", "documents[0].id", flags=["--document-id", ""]),
    Bad("document id with slash", "documents[0].id", flags=["--document-id", "a/b"]),
    Bad("duplicate ids in file", "documents[1].id",
        toml='[[documents]]\nid="a"\n[[documents]]\nid="a"\n'),
    Bad("duplicate ids in env", "documents[1].id", env={"GPC_ASSURE_DOCUMENT_IDS": "a,a"},
        source="GPC_ASSURE_DOCUMENT_IDS"),
    Bad("unknown id is a configured document", "unknown_document_id",
        flags=["--document-id", "a", "--unknown-document-id", "a"]),
    Bad("bad oversize id", "oversize_document_id", flags=["--oversize-document-id", "a b"]),
    Bad("NHS number check digit", "nhs_numbers[0]", flags=["--nhs-number", "9476719932"],
        source="--nhs-number", contains="got '9476719932'; expected an NHS number: 10 digits "
        "passing the Modulus 11 check (check digit 2, Modulus 11 gives 1)"),
    Bad("NHS number too short in env", "nhs_numbers[1]",
        env={"GPC_ASSURE_NHS_NUMBERS": "9690937278,947671993"}, source="GPC_ASSURE_NHS_NUMBERS",
        contains="(not 10 digits)"),
    Bad("NHS number empty in env", "nhs_numbers[1]",
        env={"GPC_ASSURE_NHS_NUMBERS": "9690937278,,9690937286"}, contains="(not 10 digits)"),
    Bad("NHS number with no check digit", "nhs_numbers[0]", toml='nhs_numbers = ["1234567890"]\n',
        source="providers.toml line 1", contains="Modulus 11 gives 10"),
    Bad("NHS number as TOML integer", "nhs_numbers[0]", toml="nhs_numbers = [9690937278]\n",
        contains="quote it in TOML"),
    Bad("NHS numbers not an array", "nhs_numbers", toml='nhs_numbers = "9690937278"\n'),
    Bad("NHS number listed twice", "nhs_numbers[1]",
        flags=["--nhs-number", "9690937278", "--nhs-number", "9690937278"],
        contains="listed twice"),
    Bad("more NHS numbers than a run searches", "nhs_numbers",
        toml="nhs_numbers = [" + ", ".join(['"9690937278"'] * 21) + "]\n",
        contains="at most 20 NHS numbers (got 21)"),
    Bad("missing CA file", "tls.ca", flags=["--ca", "{tmp}/nope.pem"], source="--ca"),
    Bad("CA path is a directory", "tls.ca", env={"GPC_ASSURE_TLS_CA": "{tmp}"}),
    Bad("CA empty in file", "tls.ca", toml='[tls]\nca = ""\n'),
    Bad("cert without key", "tls.client_key", flags=["--client-cert", "{tmp}/cert.pem"]),
    Bad("key without cert", "tls.client_cert", toml='[tls]\nclient_key = "{tmp}/key.pem"\n'),
    Bad("missing key file", "tls.client_key", toml=_TLS + 'client_key = "nope.pem"\n'),
    Bad("zero timeout", "timeouts.connect", flags=["--connect-timeout", "0"]),
    Bad("negative timeout", "timeouts.read", toml="[timeouts]\nread = -1\n"),
    Bad("timeout over 600", "timeouts.read", env={"GPC_ASSURE_TIMEOUTS_READ": "601"}),
    Bad("timeout not a number", "timeouts.connect", env={"GPC_ASSURE_TIMEOUTS_CONNECT": "abc"},
        source="GPC_ASSURE_TIMEOUTS_CONNECT"),
    Bad("timeout nan", "timeouts.connect", flags=["--connect-timeout", "nan"]),
    Bad("timeout inf in TOML", "timeouts.connect", toml="[timeouts]\nconnect = inf\n"),
    Bad("bad size unit", "limits.max_response_bytes", flags=["--max-response-bytes", "16XB"]),
    Bad("size zero", "limits.max_response_bytes", toml="[limits]\nmax_response_bytes = 0\n"),
    Bad("size negative string", "limits.max_response_bytes",
        env={"GPC_ASSURE_LIMITS_MAX_RESPONSE_BYTES": "-1"}),
    Bad("size fractional", "limits.max_response_bytes", flags=["--max-response-bytes", "1.5MiB"]),
    Bad("size as float", "limits.max_response_bytes", toml="[limits]\nmax_response_bytes = 1.5\n"),
    Bad("consumer iss not a URL", "consumer.iss", env={"GPC_ASSURE_CONSUMER_ISS": "consumer"}),
    Bad("consumer ods code bad", "consumer.ods_code", flags=["--consumer-ods-code", "A 1"]),
    Bad("consumer name blank", "consumer.organisation_name",
        toml='[consumer]\norganisation_name = "  "\n'),
    Bad("consumer system not a URI", "consumer.device_system",
        toml='[consumer]\ndevice_system = "no scheme"\n'),
    Bad("consumer field as table", "consumer.practitioner_given",
        toml="[consumer.practitioner_given]\nx = 1\n"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[case.description for case in BAD_INPUTS])
def test_bad_input_is_a_one_line_config_error(
    tmp_path: Path, pem_files: dict[str, Path], case: Bad
) -> None:
    def fill(text: str) -> str:
        return text.replace("{tmp}", str(tmp_path))

    config_file: Path | None = None
    if case.toml == "<missing>":
        config_file = tmp_path / "missing.toml"
    elif case.toml == "<directory>":
        config_file = tmp_path
    elif case.toml == "<binary>":
        config_file = tmp_path / "providers.toml"
        config_file.write_bytes(b'spec = "\xff\xfe"\n')
    elif case.toml is not None:
        config_file = write(tmp_path, fill(case.toml))
    env = {name: fill(value) for name, value in case.env.items()}
    overrides = parse_flags([fill(flag) for flag in case.flags])

    with pytest.raises(ConfigError) as caught:
        load_config(config_file, env, overrides)

    message = str(caught.value)
    assert caught.value.field == case.field_path
    assert message.startswith(f"config error: {case.field_path}: got ")
    assert "; expected " in message
    assert "\n" not in message
    assert case.contains in message
    if case.source is not None:
        assert re.search(rf"\(from [^)]*{re.escape(case.source)}\)$", message), message


def test_invalid_toml_message_names_file_and_position(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, 'spec = "1.6"\nbase_url = \n'), {}, {})
    assert "providers.toml" in str(caught.value)
    assert "line 2" in str(caught.value)


def test_unknown_field_suggests_close_match(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, '[consumer]\nods_cod = "A1"\n'), {}, {})
    assert "did you mean 'consumer.ods_code'?" in str(caught.value)
    assert "(from " in str(caught.value)
    assert "line 2" in str(caught.value)


def test_unknown_override_key() -> None:
    with pytest.raises(ConfigError, match="did you mean 'spec'"):
        load_config(None, {}, {"spek": "1.6"})


def test_config_error_format() -> None:
    error = ConfigError("spec", "2\n0", "one of '1.6'", "GPC_ASSURE_SPEC")
    assert (
        str(error)
        == "config error: spec: got '2\\n0'; expected one of '1.6' (from GPC_ASSURE_SPEC)"
    )
    assert str(ConfigError("spec", 1, "x")) == "config error: spec: got 1; expected x"


# --- resolved dict ---------------------------------------------------------------------------


def full_config(tmp_path: Path, pem_files: dict[str, Path]) -> ProviderConfig:
    text = f"""
base_url = "{BASE}"
proxy_url = "https://proxy.test"
spec = "draft"
provider_asid = "1"
consumer_asid = "2"
unknown_document_id = "missing-1"
oversize_document_id = "big-1"
nhs_numbers = ["9690937278", "9476719931"]
[consumer]
ods_code = "B82617"
[tls]
ca = "ca.pem"
client_cert = "cert.pem"
client_key = "key.pem"
[timeouts]
connect = 1
read = 2.5
[limits]
max_response_bytes = "1MiB"
{DOCUMENTS_FILE}
"""
    return load_config(write(tmp_path, text), {KEY_PASSWORD_ENV: "pw"}, {})


def test_resolved_dict_round_trip(tmp_path: Path, pem_files: dict[str, Path]) -> None:
    for config in (load_config(None, {}, {}), full_config(tmp_path, pem_files)):
        resolved = to_resolved_dict(config)
        assert from_resolved_dict(json.loads(json.dumps(resolved))) == config
        assert to_resolved_dict(from_resolved_dict(resolved)) == resolved


def test_resolved_dict_is_complete(tmp_path: Path, pem_files: dict[str, Path]) -> None:
    resolved = to_resolved_dict(full_config(tmp_path, pem_files))
    tls = resolved["tls"]
    assert isinstance(tls, dict)
    assert tls["ca"] == str(pem_files["ca"])
    assert tls["key_password_set"] is True
    assert resolved["timeouts"] == {"connect": 1.0, "read": 2.5}
    assert resolved["limits"] == {"max_response_bytes": 2**20}
    assert resolved["transport_assured"] is True
    consumer = resolved["consumer"]
    assert isinstance(consumer, dict)
    assert set(consumer) == set(ConsumerIdentity.__dataclass_fields__)


def test_from_resolved_dict_does_not_merge_env(monkeypatch: pytest.MonkeyPatch) -> None:
    resolved = to_resolved_dict(load_config(None, {}, {}))
    monkeypatch.setenv("GPC_ASSURE_SPEC", "draft")
    assert from_resolved_dict(resolved).spec == "1.6"


@pytest.mark.parametrize(
    ("change", "field_name"),
    [
        ({"spec": "9"}, "spec"),
        ({"bogus": 1}, "bogus"),
        ({"timeouts": {"connect": 0}}, "timeouts.connect"),
        ({"documents": [{"id": "a"}, {"id": "a"}]}, "documents[1].id"),
        ({"nhs_numbers": ["9476719932"]}, "nhs_numbers[0]"),
        ({"tls": {"ca": "/definitely/not/here.pem"}}, "tls.ca"),
        ({"transport_assured": False}, "transport_assured"),
        ({"unknown_document_id_generated": "yes"}, "unknown_document_id_generated"),
    ],
)
def test_from_resolved_dict_validates(change: dict[str, object], field_name: str) -> None:
    resolved = to_resolved_dict(load_config(None, {}, {}))
    for key, value in change.items():
        current = resolved.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            current.update(value)
        else:
            resolved[key] = value
    with pytest.raises(ConfigError) as caught:
        from_resolved_dict(resolved)
    assert caught.value.field == field_name


# --- with_embedded ---------------------------------------------------------------------------


EMBEDDED_DOCS = (DocumentExpectation("gpc-doc-small-pdf", PDF),)


def test_with_embedded_uses_given_documents_when_none_configured(
    pem_files: dict[str, Path],
) -> None:
    config = load_config(None, {}, {}).with_embedded(
        "https://127.0.0.1:8443/fhir/",
        pem_files["ca"],
        pem_files["cert"],
        pem_files["key"],
        "999",
        EMBEDDED_DOCS,
    )
    assert config.base_url == "https://127.0.0.1:8443/fhir"
    assert config.documents == EMBEDDED_DOCS
    assert config.provider_asid == "999"
    assert config.tls.ca == pem_files["ca"]
    assert config.transport_assured


def test_with_embedded_keeps_user_documents(pem_files: dict[str, Path]) -> None:
    user = load_config(None, {}, {"documents": ["mine"], "proxy_url": None})
    config = user.with_embedded(
        "https://127.0.0.1:1/x", pem_files["ca"], pem_files["cert"], pem_files["key"], "9", ()
    )
    assert config.documents == (DocumentExpectation("mine"),)
    assert config.proxy_url is None


# --- shipped fixtures ------------------------------------------------------------------------


def test_example_toml_loads() -> None:
    config = load_config(FIXTURES_DIR / "providers" / "example.toml", {}, {})
    assert config.base_url == "https://provider.example.nhs.uk/B82617/STU3/1/gpconnect/documents"
    assert config.documents
    assert not config.unknown_document_id_generated


def test_example_toml_with_optional_lines_enabled(
    tmp_path: Path, pem_files: dict[str, Path]
) -> None:
    """Uncommenting the documented "# key = value" lines gives a valid config."""
    text = (FIXTURES_DIR / "providers" / "example.toml").read_text(encoding="utf-8")
    enabled = re.sub(r"^# ([a-z_]+ = .*)$", r"\1", text, flags=re.MULTILINE)
    pairs = [("ca", "ca"), ("client_cert", "cert"), ("client_key", "key")]
    pairs += [(f"{kind}_client_{part}", name) for kind in ("expired", "other_host")
              for part, name in (("cert", "cert"), ("key", "key"))]  # fmt: skip
    for key, name in pairs:
        enabled = re.sub(
            rf'^{key} = ".*"$', f"{key} = {json.dumps(str(pem_files[name]))}", enabled, flags=re.M
        )
    assert enabled.count("\n# ") < text.count("\n# ")
    config = load_config(write(tmp_path, enabled), {}, {})
    assert config.proxy_url is not None
    assert config.tls.ca == pem_files["ca"]
    assert config.tls.client_key == pem_files["key"]
    assert config.tls.expired_client_cert == pem_files["cert"]
    assert config.tls.other_host_client_key == pem_files["key"]
    assert config.nhs_numbers == ("9690937278",)


@pytest.mark.parametrize("kind", ["expired", "other_host"])
def test_refused_client_certificates_come_in_pairs_from_any_source(
    tmp_path: Path, pem_files: dict[str, Path], kind: str
) -> None:
    cert = f"tls.{kind}_client_cert"
    with pytest.raises(ConfigError, match=f"tls.{kind}_client_key"):
        load_config(None, {}, {cert: str(pem_files["cert"])})
    env = {
        f"GPC_ASSURE_TLS_{kind.upper()}_CLIENT_CERT": str(pem_files["cert"]),
        f"GPC_ASSURE_TLS_{kind.upper()}_CLIENT_KEY": str(pem_files["key"]),
    }
    config = load_config(None, env, {})
    assert getattr(config.tls, f"{kind}_client_cert") == pem_files["cert"]
    assert getattr(config.tls, f"{kind}_client_key") == pem_files["key"]
    flag = "--" + cert.removeprefix("tls.").replace("_", "-")
    assert FIELDS_BY_PATH[cert].flag == flag
    assert from_resolved_dict(to_resolved_dict(config)) == config


def test_example_toml_documents_every_field() -> None:
    text = (FIXTURES_DIR / "providers" / "example.toml").read_text(encoding="utf-8")
    for definition in FIELDS:
        leaf = definition.path.rsplit(".", 1)[-1]
        if definition.path == "documents":
            assert "[[documents]]" in text
        else:
            assert re.search(rf"^(# )?{leaf} = ", text, flags=re.MULTILINE), definition.path


def test_embedded_toml_loads() -> None:
    config = load_config(FIXTURES_DIR / "providers" / "embedded.toml", {}, {})
    assert config.base_url is None
    assert config.documents == (
        DocumentExpectation("gpc-doc-small-pdf", PDF),
        DocumentExpectation("gpc-doc-letter-docx", DOCX),
        DocumentExpectation("gpc-doc-large-pdf", PDF),
    )


# --- argparse --------------------------------------------------------------------------------

REQUIRED_FLAGS = [
    "--base-url",
    "--proxy-url",
    "--document-id",
    "--provider-asid",
    "--consumer-asid",
    "--ca",
    "--client-cert",
    "--client-key",
    "--spec",
    "--unknown-document-id",
    "--oversize-document-id",
    "--connect-timeout",
    "--read-timeout",
    "--max-response-bytes",
]


def test_flags_exist_with_exact_names() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    add_config_arguments(parser)
    options = {option for action in parser._actions for option in action.option_strings}
    assert set(REQUIRED_FLAGS) <= options
    assert "--consumer-ods-code" in options
    assert "--timeouts-connect" not in options
    assert options == {definition.flag for definition in FIELDS}
    assert parser.format_help()


def test_overrides_only_include_given_flags() -> None:
    assert parse_flags([]) == {}
    assert parse_flags(["--spec", "1.0", "--document-id", "a", "--document-id", "b"]) == {
        "spec": "1.0",
        "documents": ["a", "b"],
    }


def test_field_table_names_follow_the_rules() -> None:
    envs = [definition.env for definition in FIELDS]
    flags = [definition.flag for definition in FIELDS]
    assert len(set(envs)) == len(envs)
    assert len(set(flags)) == len(flags)
    by_path = {definition.path: definition for definition in FIELDS}
    assert by_path["tls.ca"].env == "GPC_ASSURE_TLS_CA"
    assert by_path["consumer.ods_code"].env == "GPC_ASSURE_CONSUMER_ODS_CODE"
    assert by_path["timeouts.connect"].env == "GPC_ASSURE_TIMEOUTS_CONNECT"
    assert by_path["documents"].env == "GPC_ASSURE_DOCUMENT_IDS"
    assert KEY_PASSWORD_ENV not in envs


def test_a_document_id_on_the_command_line_may_carry_its_expectations() -> None:
    sha = "ab" * 32
    config = load_config(
        None,
        {},
        {
            "base_url": "https://127.0.0.1:9/fhir",
            "documents": [f"doc-1,content_type=application/pdf,sha256={sha}", "doc-2"],
        },
    )
    assert [(d.id, d.content_type, d.sha256) for d in config.documents] == [
        ("doc-1", "application/pdf", sha),
        ("doc-2", None, None),
    ]


def test_the_environment_lists_documents_with_their_expectations() -> None:
    env = {"GPC_ASSURE_DOCUMENT_IDS": "doc-1,content_type=application/pdf,doc-2"}
    config = load_config(None, env, {"base_url": "https://127.0.0.1:9/fhir"})
    assert [(d.id, d.content_type) for d in config.documents] == [
        ("doc-1", "application/pdf"),
        ("doc-2", None),
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("doc-1,content=application/pdf", "content_type"),
        ("content_type=application/pdf", "a document id before its expectations"),
        ("doc-1,sha256=xyz", "sha256"),
    ],
)
def test_a_wrong_document_expectation_is_one_clear_error(given: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_config(None, {}, {"base_url": "https://127.0.0.1:9/fhir", "documents": [given]})
