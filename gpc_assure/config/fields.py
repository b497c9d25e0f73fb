"""The provider configuration field table, and the value checks it uses.

Every field is defined once, in :data:`FIELDS`. The TOML reader, the environment reader,
the argparse flags and the resolved-dict round trip in
:mod:`gpc_assure.config.provider_config` are all derived from that table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path, PurePath
from typing import Any, Literal
from urllib.parse import urlsplit

from gpc_assure import __version__
from gpc_assure.spec.nhs_number import nhs_number_problem
from gpc_assure.spec.versions import SPEC_VERSIONS

ENV_PREFIX = "GPC_ASSURE_"
KEY_PASSWORD_ENV = "GPC_ASSURE_CLIENT_KEY_PASSWORD"
SPECS: tuple[str, ...] = tuple(SPEC_VERSIONS)
MAX_TIMEOUT_SECONDS = 600.0


class Invalid(ValueError):
    """A value failed a check; ``expected`` says what would have been accepted.

    ``suffix`` extends the field name (``[2].sha256``) and ``given`` replaces the offending
    value in the message (for example a redacted URL) when they are set.
    """

    def __init__(self, expected: str, *, suffix: str = "", given: object = ...) -> None:
        super().__init__(expected)
        self.expected = expected
        self.suffix = suffix
        self.given = given


def type_name(value: object) -> str:
    """Name a value's type the way a TOML author would."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


# --- value checks: take a typed value, return it normalised, or raise Invalid -------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ASID = re.compile(r"[0-9]{1,20}")
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_ODS_CODE = re.compile(r"[A-Za-z0-9]{1,10}")
_MIME_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MIME = re.compile(rf"{_MIME_NAME}/{_MIME_NAME}")
_SHA256 = re.compile(r"[0-9A-Fa-f]{64}")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")
_SIZE = re.compile(r"([0-9]+)\s*([KMG]i?B|B)?", re.IGNORECASE)
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
}
_SIZE_EXPECTED = "a positive byte count: an integer or a string such as '16MiB', '10MB', '512KiB'"


def check_text(value: object) -> str:
    """A non-empty, single-line string (surrounding whitespace removed)."""
    expected = "a non-empty single-line string"
    if not isinstance(value, str) or not value.strip() or _CONTROL.search(value):
        raise Invalid(expected)
    return value.strip()


def _redact_userinfo(value: str, netloc: str) -> str:
    userinfo = netloc.rpartition("@")[0]
    return value.replace(userinfo + "@", "***@", 1)


def _check_url(value: object, *, strip_slash: bool) -> str:
    expected = (
        "an absolute http:// or https:// URL with a host and no spaces, credentials, "
        "query or fragment"
    )
    if not isinstance(value, str) or not value or _CONTROL.search(value):
        raise Invalid(expected)
    if any(c.isspace() for c in value):
        raise Invalid(expected)
    parts = urlsplit(value)
    if "@" in parts.netloc:
        raise Invalid(expected, given=_redact_userinfo(value, parts.netloc))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(expected)
    if "?" in value or "#" in value:
        raise Invalid(expected)
    try:
        parts.port  # noqa: B018 - evaluated for its ValueError on a bad port
    except ValueError:
        raise Invalid(expected) from None
    url = parts.scheme + value[len(parts.scheme) :]
    return url.rstrip("/") if strip_slash else url


def check_service_url(value: object) -> str:
    """An http(s) URL with a host, no query/fragment/credentials; trailing ``/`` stripped."""
    return _check_url(value, strip_slash=True)


def check_endpoint_url(value: object) -> str:
    """An http(s) URL with a host, no query/fragment/credentials; kept exactly as given."""
    return _check_url(value, strip_slash=False)


def check_uri(value: object) -> str:
    """An absolute URI (``scheme:rest``), such as an identifier system."""
    if not isinstance(value, str) or not _URI.fullmatch(value):
        raise Invalid("an absolute URI such as 'https://example.org/Id/x' or 'urn:oid:1.2.3'")
    return value


def check_spec(value: object) -> str:
    """One of the specification versions the suite knows."""
    if not isinstance(value, str) or value not in SPECS:
        raise Invalid("one of " + ", ".join(repr(s) for s in SPECS) + " (as a string)")
    return value


def check_asid(value: object) -> str:
    """A Spine ASID: a string of 1 to 20 digits."""
    if not isinstance(value, str) or not _ASID.fullmatch(value):
        raise Invalid("a string of 1 to 20 digits (quote it in TOML)")
    return value


def check_fhir_id(value: object) -> str:
    """A FHIR resource id: 1 to 64 of ``A-Z a-z 0-9 - .``."""
    if not isinstance(value, str) or not _FHIR_ID.fullmatch(value):
        raise Invalid("a non-empty FHIR id: 1 to 64 characters from A-Z a-z 0-9 - .")
    return value


def check_ods_code(value: object) -> str:
    """An ODS organisation code: 1 to 10 letters or digits."""
    if not isinstance(value, str) or not _ODS_CODE.fullmatch(value):
        raise Invalid("an ODS code: 1 to 10 letters or digits")
    return value


def check_content_type(value: object) -> str:
    """A MIME type ``type/subtype`` without parameters, lower-cased."""
    if not isinstance(value, str) or not _MIME.fullmatch(value):
        raise Invalid("a MIME type such as 'application/pdf' (type/subtype, no parameters)")
    return value.lower()


def check_sha256(value: object) -> str:
    """A SHA-256 digest: 64 hex characters, lower-cased."""
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise Invalid("a SHA-256 digest: 64 hexadecimal characters")
    return value.lower()


def check_seconds(value: object) -> float:
    """A timeout: a number of seconds, more than 0 and at most 600."""
    expected = f"a number of seconds, more than 0 and at most {MAX_TIMEOUT_SECONDS:g}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(expected)
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_TIMEOUT_SECONDS:
        raise Invalid(expected)
    return seconds


def parse_size(text: str) -> int:
    """Parse ``'16MiB'``, ``'10MB'``, ``'512KiB'`` or ``'1024'`` into a byte count."""
    match = _SIZE.fullmatch(text.strip())
    if not match:
        raise Invalid(_SIZE_EXPECTED)
    return int(match.group(1)) * _SIZE_UNITS[(match.group(2) or "").lower()]


def check_size(value: object) -> int:
    """A positive byte count, given as an integer or a size string."""
    if isinstance(value, str):
        value = parse_size(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Invalid(_SIZE_EXPECTED)
    return value


def check_file(value: object) -> Path:
    """An existing, readable regular file."""
    expected = "an existing, readable file"
    if not isinstance(value, Path):
        raise Invalid(expected)
    try:
        with value.open("rb"):
            pass
    except OSError:
        raise Invalid(expected) from None
    if not value.is_file():
        raise Invalid(expected)
    return value


DOCUMENT_KEYS: Mapping[str, Callable[[object], str]] = {
    "id": check_fhir_id,
    "content_type": check_content_type,
    "sha256": check_sha256,
}


def check_documents(value: object) -> tuple[dict[str, str], ...]:
    """A list of ``{id, content_type?, sha256?}`` tables with unique ids, normalised."""
    if not isinstance(value, list | tuple):
        raise Invalid("an array of [[documents]] tables")
    documents: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise Invalid("a table with id, content_type?, sha256?", suffix=f"[{index}]")
        unknown = [key for key in item if key not in DOCUMENT_KEYS]
        if unknown:
            raise Invalid(
                "one of " + ", ".join(DOCUMENT_KEYS) + did_you_mean(str(unknown[0]), DOCUMENT_KEYS),
                suffix=f"[{index}].{unknown[0]}",
                given=unknown[0],
            )
        if item.get("id") is None:
            raise Invalid("a table with an id", suffix=f"[{index}]", given=dict(item))
        document: dict[str, str] = {}
        for key, check in DOCUMENT_KEYS.items():
            if item.get(key) is None:
                continue
            try:
                document[key] = check(item[key])
            except Invalid as err:
                raise Invalid(err.expected, suffix=f"[{index}].{key}", given=item[key]) from None
        if document["id"] in seen:
            raise Invalid(
                "unique document ids (this id is listed twice)",
                suffix=f"[{index}].id",
                given=document["id"],
            )
        seen.add(document["id"])
        documents.append(document)
    return tuple(documents)


def split_document_ids(value: str | Sequence[str]) -> list[dict[str, object]]:
    """Comma-separated (env) or repeated (CLI) documents as ``{id, ...}`` tables: each id may
    be followed by its expectations, ``ID,content_type=application/pdf,sha256=...`` (an id
    never holds ``=``, so a ``key=value`` part belongs to the id before it)."""
    items = [value] if isinstance(value, str) else list(value)
    documents: list[dict[str, object]] = []
    for part in (part.strip() for item in items for part in item.split(",")):
        key, equals, expected = part.partition("=")
        if not equals:
            documents.append({"id": part})
        elif documents:
            documents[-1][key.strip()] = expected.strip()
        else:
            raise Invalid("a document id before its expectations", given=part)
    return documents


MAX_NHS_NUMBERS = 20
"""Test patients searched in one run (each costs up to four searches before the scenarios)."""


def check_nhs_numbers(value: object) -> tuple[str, ...]:
    """A list of distinct NHS numbers, each ten digits passing the Modulus 11 check."""
    if not isinstance(value, list | tuple):
        raise Invalid("an array of NHS numbers (strings of 10 digits)")
    if len(value) > MAX_NHS_NUMBERS:
        raise Invalid(f"at most {MAX_NHS_NUMBERS} NHS numbers (got {len(value)})")
    numbers: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            expected = f"an NHS number as a string of 10 digits, not {type_name(item)}"
            raise Invalid(expected + " (quote it in TOML)", suffix=f"[{index}]", given=item)
        problem = nhs_number_problem(item)
        if problem is not None:
            expected = f"an NHS number: 10 digits passing the Modulus 11 check ({problem})"
            raise Invalid(expected, suffix=f"[{index}]", given=item)
        if item in numbers:
            expected = "distinct NHS numbers (this one is listed twice)"
            raise Invalid(expected, suffix=f"[{index}]", given=item)
        numbers.append(item)
    return tuple(numbers)


def split_list(value: str | Sequence[str]) -> list[str]:
    """Comma-separated (env) or repeated (CLI) values, each stripped of surrounding spaces."""
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in items for part in item.split(",")]


def closest(name: str, candidates: Sequence[str] | Mapping[str, object]) -> str | None:
    """The candidate that contains ``name`` (if 3+ characters), else the closest by difflib."""
    options = list(candidates)
    if len(name) >= 3:
        containing = sorted((c for c in options if name.lower() in c.lower()), key=len)
        if containing:
            return containing[0]
    close = get_close_matches(name, options, n=1)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Sequence[str] | Mapping[str, object]) -> str:
    """A ``; did you mean 'x'?`` hint, or an empty string when nothing is close."""
    match = closest(name, candidates)
    return f"; did you mean {match!r}?" if match else ""


# --- the table ------------------------------------------------------------------------------

KindName = Literal["text", "number", "size", "path", "documents", "list"]


@dataclass(frozen=True)
class Kind:
    """How a field's value is written: the TOML types accepted, and how text is parsed."""

    name: KindName
    description: str
    native: tuple[type, ...]
    from_text: Callable[[Any], object]

    def accepts_native(self, value: object) -> bool:
        """Whether a value from TOML (or a resolved dict) has an acceptable type."""
        if isinstance(value, bool):
            return bool in self.native
        return isinstance(value, self.native)


def _float_from_text(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise Invalid(
            f"a number of seconds, more than 0 and at most {MAX_TIMEOUT_SECONDS:g}"
        ) from None


TEXT = Kind("text", "a string", (str,), str)
NUMBER = Kind("number", "a number", (int, float), _float_from_text)
SIZE = Kind("size", "an integer or a size string", (int, str), parse_size)
PATH = Kind("path", "a file path string", (str, PurePath), str)
DOCUMENTS = Kind("documents", "an array of [[documents]] tables", (list, tuple), split_document_ids)
TEXT_LIST = Kind("list", "an array of strings", (list, tuple), split_list)


@dataclass(frozen=True)
class FieldDef:
    """One configuration field: where it lives, how it is read and checked, its default."""

    path: str
    kind: Kind
    default: object
    check: Callable[[object], object]
    help: str
    metavar: str
    attr: str = ""
    flag_name: str = ""
    env_name: str = ""
    repeatable: bool = False

    @property
    def optional(self) -> bool:
        """Whether the field may be left unset (its default is None)."""
        return self.default is None

    @property
    def env(self) -> str:
        """The environment variable: ``GPC_ASSURE_`` + path upper-cased, ``.`` -> ``_``."""
        return self.env_name or ENV_PREFIX + self.path.upper().replace(".", "_")

    @property
    def flag(self) -> str:
        """The CLI flag: ``--`` + path with ``.`` and ``_`` -> ``-``, unless overridden."""
        return self.flag_name or "--" + self.path.replace(".", "-").replace("_", "-")

    @property
    def dest(self) -> str:
        """The argparse destination, namespaced so it cannot clash with other options."""
        return "gpc_config__" + self.path.replace(".", "__")

    @property
    def group(self) -> Literal["provider", "consumer", "tls"]:
        """Which object the resolved value lands in."""
        head = self.path.split(".", 1)[0]
        if head == "consumer":
            return "consumer"
        return "tls" if head == "tls" else "provider"

    @property
    def attribute(self) -> str:
        """The attribute name on that object."""
        return self.attr or self.path.rsplit(".", 1)[-1]


def _default_device_version() -> str:
    return "0.1.0" if __version__.startswith("0.0.0") else __version__


def _consumer(name: str, default: str, check: Callable[[object], object], help: str) -> FieldDef:
    return FieldDef(f"consumer.{name}", TEXT, default, check, help, name.upper())


FIELDS: tuple[FieldDef, ...] = (
    FieldDef(
        "base_url", TEXT, None, check_service_url,
        "FHIR service root URL of the provider; unset means the embedded reference provider",
        "URL", flag_name="--base-url",
    ),
    FieldDef(
        "proxy_url", TEXT, None, check_service_url,
        "Spine Secure Proxy URL; requests then go to PROXY/BASE_URL/Binary/ID",
        "URL", flag_name="--proxy-url",
    ),
    FieldDef(
        "spec", TEXT, "1.6", check_spec,
        "specification version to check against: 1.6, 1.0 or draft",
        "VERSION", flag_name="--spec",
    ),
    FieldDef(
        "provider_asid", TEXT, "200000000116", check_asid,
        "the provider system's ASID (Ssp-To)", "ASID", flag_name="--provider-asid",
    ),
    FieldDef(
        "consumer_asid", TEXT, "200000000115", check_asid,
        "the consumer system's ASID (Ssp-From)", "ASID", flag_name="--consumer-asid",
    ),
    FieldDef(
        "unknown_document_id", TEXT, None, check_fhir_id,
        "an id that does not exist on the provider; unset means a fresh UUID per run",
        "ID", flag_name="--unknown-document-id",
    ),
    FieldDef(
        "oversize_document_id", TEXT, None, check_fhir_id,
        "id of a document over 5 MB on the provider (spec 1.6 tests)",
        "ID", flag_name="--oversize-document-id",
    ),
    FieldDef(
        "large_document_id", TEXT, None, check_fhir_id,
        "id of a document just under the 5 MB limit (spec 1.6 size tests)",
        "ID", flag_name="--large-document-id",
    ),
    FieldDef(
        "documents", DOCUMENTS, (), check_documents,
        "a document id to retrieve, optionally with its expectations: "
        "ID[,content_type=TYPE][,sha256=HEX] (repeatable); replaces the file's [[documents]] list",
        "ID", flag_name="--document-id", env_name="GPC_ASSURE_DOCUMENT_IDS", repeatable=True,
    ),
    FieldDef(
        "nhs_numbers", TEXT_LIST, (), check_nhs_numbers,
        "NHS number of a test patient whose documents are found by searching the provider "
        "(Find a Patient, then the patient's DocumentReferences); 10 digits passing the "
        "Modulus 11 check (repeatable)",
        "N", flag_name="--nhs-number", repeatable=True,
    ),
    _consumer("iss", "https://consumer.gpc-assure.invalid/", check_endpoint_url,
              "JWT iss: the consumer system's Spine endpoint URL"),
    _consumer("ods_code", "A1001", check_ods_code, "ODS code of the requesting organisation"),
    _consumer("organisation_name", "GPC Assure Consumer", check_text,
              "name of the requesting organisation"),
    _consumer("device_system", "https://gpc-assure.invalid/Id/device-identifier", check_uri,
              "identifier system of the requesting device"),
    _consumer("device_value", "GPC-ASSURE", check_text,
              "identifier value of the requesting device"),
    _consumer("device_model", "gpc-assure", check_text, "model of the requesting device"),
    _consumer("device_version", _default_device_version(), check_text,
              "version of the requesting device"),
    _consumer("practitioner_id", "gpc-assure-user", check_text,
              "resource id of the requesting practitioner"),
    _consumer("practitioner_family", "Assure", check_text, "practitioner family name"),
    _consumer("practitioner_given", "Test", check_text, "practitioner given name"),
    _consumer("practitioner_prefix", "Dr", check_text, "practitioner name prefix"),
    _consumer("sds_user_id", "111222333444", check_text,
              "practitioner SDS user id (UNK without an NHS smartcard)"),
    _consumer("sds_role_profile_id", "444555666777", check_text,
              "practitioner SDS role profile id (UNK without an NHS smartcard)"),
    _consumer("local_user_system", "https://gpc-assure.invalid/Id/user-id", check_uri,
              "identifier system of the local user id"),
    _consumer("local_user_value", "gpc-assure-user", check_text, "the local user id"),
    FieldDef(
        "tls.ca", PATH, None, check_file,
        "CA bundle (PEM) that the provider's certificate must chain to", "PEM",
        flag_name="--ca",
    ),
    FieldDef(
        "tls.client_cert", PATH, None, check_file,
        "client certificate (PEM); needs tls.client_key", "PEM", flag_name="--client-cert",
    ),
    FieldDef(
        "tls.client_key", PATH, None, check_file,
        f"client private key (PEM); its password comes only from ${KEY_PASSWORD_ENV}", "PEM",
        flag_name="--client-key",
    ),
    FieldDef(
        "tls.expired_client_cert", PATH, None, check_file,
        "an expired client certificate from the provider's trusted chain (PEM), which it "
        "must refuse; needs tls.expired_client_key; unset skips that scenario", "PEM",
        flag_name="--expired-client-cert",
    ),
    FieldDef(
        "tls.expired_client_key", PATH, None, check_file,
        f"the expired client certificate's private key (PEM; password from ${KEY_PASSWORD_ENV})",
        "PEM", flag_name="--expired-client-key",
    ),
    FieldDef(
        "tls.other_host_client_cert", PATH, None, check_file,
        "a client certificate from the provider's trusted chain naming a host that is not the "
        "Spine Secure Proxy (PEM), which it must refuse; needs tls.other_host_client_key; "
        "unset skips that scenario", "PEM", flag_name="--other-host-client-cert",
    ),
    FieldDef(
        "tls.other_host_client_key", PATH, None, check_file,
        f"that certificate's private key (PEM; password from ${KEY_PASSWORD_ENV})", "PEM",
        flag_name="--other-host-client-key",
    ),
    FieldDef(
        "timeouts.connect", NUMBER, 5.0, check_seconds,
        "connect timeout in seconds (0 < s <= 600)", "SECONDS",
        attr="connect_timeout", flag_name="--connect-timeout",
    ),
    FieldDef(
        "timeouts.read", NUMBER, 30.0, check_seconds,
        "read timeout in seconds (0 < s <= 600)", "SECONDS",
        attr="read_timeout", flag_name="--read-timeout",
    ),
    FieldDef(
        "limits.max_response_bytes", SIZE, 16 * 2**20, check_size,
        "largest response body read, in bytes or as '16MiB', '10MB', '512KiB'", "SIZE",
        flag_name="--max-response-bytes",
    ),
)  # fmt: skip

FIELDS_BY_PATH: Mapping[str, FieldDef] = {field.path: field for field in FIELDS}
GROUPS: frozenset[str] = frozenset(
    field.path.rsplit(".", 1)[0] for field in FIELDS if "." in field.path
)
