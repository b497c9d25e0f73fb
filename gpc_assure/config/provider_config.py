"""Provider configuration: what to test and how to reach it.

Each field (see :data:`gpc_assure.config.fields.FIELDS`) is taken from, in falling order of
precedence, a CLI flag, an environment variable, a TOML file, and its default. The client
key password is never configured here: it is read by whoever loads the key, from the
environment variable named by ``TlsSettings.key_password_env``.
"""

from __future__ import annotations

import argparse
import re
import tomllib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePath
from typing import Any

from gpc_assure.config.fields import (
    DOCUMENTS,
    FIELDS,
    FIELDS_BY_PATH,
    GROUPS,
    KEY_PASSWORD_ENV,
    PATH,
    FieldDef,
    Invalid,
    check_service_url,
    closest,
    did_you_mean,
    type_name,
)

__all__ = [
    "ConfigError",
    "ConsumerIdentity",
    "DocumentExpectation",
    "ProviderConfig",
    "TlsSettings",
    "add_config_arguments",
    "from_resolved_dict",
    "load_config",
    "overrides_from_args",
    "to_resolved_dict",
]

_RESOLVED = "resolved config"
_RESOLVED_EXTRAS = frozenset(
    {
        "tls.key_password_env",
        "tls.key_password_set",
        "unknown_document_id_generated",
        "transport_assured",
    }
)


class ConfigError(Exception):
    """A configuration value was rejected; ``str()`` is one line naming field and source."""

    def __init__(self, field: str, given: object, expected: str, source: str | None = None):
        super().__init__(field, given, expected, source)
        self.field = field
        self.given = given
        self.expected = expected
        self.source = source

    def __str__(self) -> str:
        where = f" (from {self.source})" if self.source else ""
        message = f"config error: {self.field}: got {self.given!r}; expected {self.expected}{where}"
        return " ".join(message.splitlines())


@dataclass(frozen=True)
class DocumentExpectation:
    """A document the provider holds, and optionally what its content must be."""

    id: str
    content_type: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class ConsumerIdentity:
    """Who the suite claims to be in the JWT and Spine headers."""

    iss: str
    ods_code: str
    organisation_name: str
    device_system: str
    device_value: str
    device_model: str
    device_version: str
    practitioner_id: str
    practitioner_family: str
    practitioner_given: str
    practitioner_prefix: str
    sds_user_id: str
    sds_role_profile_id: str
    local_user_system: str
    local_user_value: str


@dataclass(frozen=True)
class TlsSettings:
    """TLS material paths. The key password is only named, never held.

    ``key_password_set`` records whether ``key_password_env`` was set (non-empty) when the
    configuration was loaded; only then should the key loader read and use it.
    """

    ca: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    key_password_env: str = KEY_PASSWORD_ENV
    key_password_set: bool = False
    expired_client_cert: Path | None = None
    expired_client_key: Path | None = None
    other_host_client_cert: Path | None = None
    other_host_client_key: Path | None = None


@dataclass(frozen=True)
class ProviderConfig:
    """A fully resolved and validated provider configuration."""

    base_url: str | None
    proxy_url: str | None
    spec: str
    provider_asid: str
    consumer_asid: str
    consumer: ConsumerIdentity
    documents: tuple[DocumentExpectation, ...]
    unknown_document_id: str
    oversize_document_id: str | None
    large_document_id: str | None
    tls: TlsSettings
    connect_timeout: float
    read_timeout: float
    max_response_bytes: int
    nhs_numbers: tuple[str, ...] = ()
    """Test patients whose documents are found by searching the provider (Modulus 11 valid)."""
    unknown_document_id_generated: bool = False

    @property
    def transport_assured(self) -> bool:
        """False when any configured URL is plain ``http://``."""
        urls = (self.base_url, self.proxy_url)
        return not any(url is not None and url.startswith("http://") for url in urls)

    def with_embedded(
        self,
        base_url: str,
        ca: Path,
        client_cert: Path,
        client_key: Path,
        provider_asid: str,
        documents: tuple[DocumentExpectation, ...],
        expired_client: tuple[Path, Path] | None = None,
        other_host_client: tuple[Path, Path] | None = None,
    ) -> ProviderConfig:
        """A copy pointed straight (no proxy) at the embedded reference provider.

        User-configured documents are kept; if there are none, ``documents`` is used.
        ``expired_client`` and ``other_host_client`` are (certificate, key) pairs the
        provider must refuse.
        """
        try:
            url = check_service_url(base_url)
        except Invalid as err:
            raise ConfigError("base_url", base_url, err.expected, "with_embedded") from None
        expired = expired_client or (None, None)
        other_host = other_host_client or (None, None)
        tls = TlsSettings(
            ca,
            client_cert,
            client_key,
            self.tls.key_password_env,
            expired_client_cert=expired[0],
            expired_client_key=expired[1],
            other_host_client_cert=other_host[0],
            other_host_client_key=other_host[1],
        )
        return replace(
            self,
            base_url=url,
            proxy_url=None,
            provider_asid=provider_asid,
            tls=tls,
            documents=self.documents or tuple(documents),
        )


# --- reading sources -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Given:
    """One source's raw value for a field."""

    value: object
    source: str
    textual: bool
    base_dir: Path
    locate: Callable[[str], str] | None = None

    def where(self, field: str) -> str:
        """Where ``field`` (or a part of it) came from, as precisely as known."""
        return self.locate(field) if self.locate else self.source


_TABLE_HEADER = re.compile(r"\[\[\s*([^\]]+?)\s*\]\]|\[\s*([^\]]+?)\s*\]")
_KEY_LINE = re.compile(r"""([A-Za-z0-9_\-."' ]+?)\s*=""")


def _key_lines(text: str) -> dict[str, int]:
    """Best-effort map from dotted key (``documents[1].id``) to its first line number."""

    def norm(key: str) -> str:
        return ".".join(part.strip().strip("\"'") for part in key.split("."))

    lines: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = _TABLE_HEADER.match(stripped)
        if header and header.group(1):
            name = norm(header.group(1))
            table = f"{name}[{counts.get(name, 0)}]"
            counts[name] = counts.get(name, 0) + 1
            lines.setdefault(table, number)
        elif header:
            table = norm(header.group(2))
            lines.setdefault(table, number)
        elif key := _KEY_LINE.match(stripped):
            lines.setdefault(f"{table}.{norm(key.group(1))}".lstrip("."), number)
    return lines


def _locator(label: str, lines: Mapping[str, int]) -> Callable[[str], str]:
    def locate(field: str) -> str:
        key, parent = field, ""
        while key != parent:
            if key in lines:
                return f"{label} line {lines[key]}"
            key, parent = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", key), key
        return label

    return locate


def _flatten(
    table: Mapping[str, object], extras: frozenset[str], locate: Callable[[str], str]
) -> dict[str, object]:
    """Nested tables to ``{dotted path: value}``, rejecting anything unknown."""
    known = set(FIELDS_BY_PATH) | extras
    everything = sorted(known | GROUPS)
    flat: dict[str, object] = {}

    def walk(node: Mapping[str, object], prefix: str) -> None:
        for key, value in node.items():
            path = prefix + str(key)
            if path in known:
                flat[path] = value
            elif path in GROUPS:
                if not isinstance(value, Mapping):
                    expected = f"a table, not {type_name(value)}"
                    raise ConfigError(path, value, expected, locate(path))
                walk(value, path + ".")
            else:
                here = [p[len(prefix) :] for p in everything if p.startswith(prefix)]
                here = [p for p in here if "." not in p]
                sibling = closest(str(key), here)
                match = prefix + sibling if sibling else closest(path, everything)
                hint = f"; did you mean {match!r}?" if match else "; known here: " + ", ".join(here)
                raise ConfigError(path, key, "a known field" + hint, locate(path))

    walk(table, "")
    return flat


def _read_file(config_file: Path) -> dict[str, _Given]:
    label = str(config_file)
    try:
        raw = config_file.read_bytes()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise ConfigError("config_file", label, f"a readable TOML file ({reason})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("config_file", label, "a UTF-8 encoded TOML file") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError("config_file", label, f"valid TOML: {err}") from None
    locate = _locator(label, _key_lines(text))
    base_dir = config_file.resolve().parent
    flat = _flatten(document, frozenset(), locate)
    return {path: _Given(v, label, False, base_dir, locate) for path, v in flat.items()}


def _read_env(env: Mapping[str, str]) -> dict[str, _Given]:
    cwd = Path.cwd()
    return {
        field.path: _Given(env[field.env], field.env, True, cwd)
        for field in FIELDS
        if env.get(field.env, "") != ""
    }


def _is_text(field: FieldDef, value: object) -> bool:
    if isinstance(value, str):
        return True
    return (
        field.repeatable
        and isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(item, str) for item in value)
    )


def _read_overrides(overrides: Mapping[str, object]) -> dict[str, _Given]:
    cwd = Path.cwd()
    layer: dict[str, _Given] = {}
    for path, value in overrides.items():
        field = FIELDS_BY_PATH.get(path)
        if field is None:
            expected = "a known field" + did_you_mean(path, FIELDS_BY_PATH)
            raise ConfigError(path, value, expected, "overrides")
        if value is not None:
            layer[path] = _Given(value, field.flag, _is_text(field, value), cwd)
    return layer


# --- resolving -----------------------------------------------------------------------------


def _convert(field: FieldDef, given: _Given) -> object:
    """Parse, type-check and validate one source's value for a field."""
    value = given.value
    try:
        if value is None:
            if field.optional:
                return None
            raise Invalid(f"{field.kind.description}, not null")
        if given.textual:
            value = field.kind.from_text(value)
        elif not field.kind.accepts_native(value):
            raise Invalid(f"{field.kind.description}, not {type_name(value)}")
        if field.kind is PATH:
            if not isinstance(value, str | PurePath) or not str(value):
                raise Invalid("a file path")
            value = given.base_dir / Path(value).expanduser()
        return field.check(value)
    except Invalid as err:
        name = field.path + err.suffix
        shown = given.value if err.given is ... else err.given
        raise ConfigError(name, shown, err.expected, given.where(name)) from None


def _plaintext_first_hop(values: Mapping[str, object]) -> bool:
    hop = values.get("proxy_url") or values.get("base_url")
    return isinstance(hop, str) and hop.startswith("http://")


def _resolve(
    layers: list[dict[str, _Given]], file_layer: Mapping[str, _Given]
) -> tuple[dict[str, object], dict[str, str]]:
    """Pick each field's winning source (later layers win) and convert it."""
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for field in FIELDS:
        winner = next(
            (layer[field.path] for layer in reversed(layers) if field.path in layer), None
        )
        if field.group == "tls" and _plaintext_first_hop(values):
            values[field.path], sources[field.path] = None, "ignored for plain http"
            continue
        given = winner or _Given(field.default, "default", False, Path.cwd())
        values[field.path] = _convert(field, given)
        sources[field.path] = given.where(field.path)
        if field.kind is DOCUMENTS and given.textual and field.path in file_layer:
            from_file = _convert(field, file_layer[field.path])
            assert isinstance(from_file, tuple)
            known = {document["id"]: document for document in from_file}
            chosen = values[field.path]
            assert isinstance(chosen, tuple)
            values[field.path] = tuple(known.get(doc["id"], doc) for doc in chosen)
    return values, sources


def _build(
    values: Mapping[str, object],
    sources: Mapping[str, str],
    *,
    key_password_set: bool,
    unknown_document_id_generated: bool,
) -> ProviderConfig:
    """Cross-check resolved values and assemble the config objects.

    An unset ``unknown_document_id`` is generated here (and flagged as generated);
    otherwise ``unknown_document_id_generated`` is recorded as given.
    """
    for prefix in ("tls.", "tls.expired_", "tls.other_host_"):
        cert_path, key_path = f"{prefix}client_cert", f"{prefix}client_key"
        cert, key = values[cert_path], values[key_path]
        if (cert is None) != (key is None):
            missing, present = (key_path, cert_path) if key is None else (cert_path, key_path)
            expected = f"a file path too, since {present} is set"
            raise ConfigError(missing, None, expected, sources[present])
    if values["proxy_url"] is not None and values["base_url"] is None:
        expected = "no proxy_url without base_url (the embedded provider is reached directly)"
        raise ConfigError("proxy_url", values["proxy_url"], expected, sources["proxy_url"])
    documents = values["documents"]
    assert isinstance(documents, tuple)
    unknown = values["unknown_document_id"]
    if unknown is not None and unknown in {document["id"] for document in documents}:
        expected = "an id that is not one of the configured documents"
        raise ConfigError("unknown_document_id", unknown, expected, sources["unknown_document_id"])

    parts: dict[str, dict[str, Any]] = {"provider": {}, "consumer": {}, "tls": {}}
    for field in FIELDS:
        parts[field.group][field.attribute] = values[field.path]
    provider = parts["provider"]
    provider["documents"] = tuple(DocumentExpectation(**document) for document in documents)
    generated = unknown_document_id_generated
    if provider["unknown_document_id"] is None:
        provider["unknown_document_id"], generated = str(uuid.uuid4()), True
    return ProviderConfig(
        **provider,
        consumer=ConsumerIdentity(**parts["consumer"]),
        tls=TlsSettings(**parts["tls"], key_password_set=key_password_set),
        unknown_document_id_generated=generated,
    )


def load_config(
    config_file: Path | None, env: Mapping[str, str], overrides: Mapping[str, object]
) -> ProviderConfig:
    """Resolve the configuration: overrides (CLI) > env > file > defaults.

    Empty environment variables count as unset. Relative paths in the file are relative to
    the file; elsewhere, to the working directory.
    """
    file_layer: dict[str, _Given] = {}
    if config_file is not None:
        file_layer = _read_file(Path(config_file))
    layers = [file_layer, _read_env(env), _read_overrides(overrides)]
    values, sources = _resolve(layers, file_layer)
    return _build(
        values,
        sources,
        key_password_set=bool(env.get(KEY_PASSWORD_ENV)),
        unknown_document_id_generated=False,
    )


# --- argparse --------------------------------------------------------------------------------


def _describe_default(field: FieldDef) -> str:
    if field.repeatable:
        return "none"
    if field.default is None:
        return {
            "base_url": "the embedded reference provider",
            "unknown_document_id": "a fresh UUID",
        }.get(field.path, "unset")
    return str(field.default)


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one flag per configuration field (values are parsed later, by load_config)."""
    group = parser.add_argument_group(
        "provider configuration",
        "Each flag beats its environment variable, which beats the config file.",
    )
    for field in FIELDS:
        env = f"{field.env} (comma-separated)" if field.repeatable else field.env
        help_text = f"{field.help} [env {env}; default: {_describe_default(field)}]"
        group.add_argument(
            field.flag,
            dest=field.dest,
            action="append" if field.repeatable else "store",
            default=argparse.SUPPRESS,
            metavar=field.metavar,
            help=help_text.replace("%", "%%"),
        )


def overrides_from_args(ns: argparse.Namespace) -> dict[str, object]:
    """The configuration flags the user actually gave, keyed by dotted field path."""
    return {field.path: getattr(ns, field.dest) for field in FIELDS if hasattr(ns, field.dest)}


# --- resolved dict ---------------------------------------------------------------------------


def _jsonable(value: object) -> object:
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, tuple):
        return [asdict(item) if isinstance(item, DocumentExpectation) else item for item in value]
    return value


def to_resolved_dict(config: ProviderConfig) -> dict[str, object]:
    """The complete resolved configuration as JSON-ready nested data (no secrets)."""
    objects: dict[str, object] = {
        "provider": config,
        "consumer": config.consumer,
        "tls": config.tls,
    }
    out: dict[str, Any] = {}
    for field in FIELDS:
        node = out
        *parents, leaf = field.path.split(".")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = _jsonable(getattr(objects[field.group], field.attribute))
    out["tls"]["key_password_env"] = config.tls.key_password_env
    out["tls"]["key_password_set"] = config.tls.key_password_set
    out["unknown_document_id_generated"] = config.unknown_document_id_generated
    out["transport_assured"] = config.transport_assured
    return out


def _resolved_flag(flat: Mapping[str, object], path: str) -> bool:
    value = flat.get(path, False)
    if not isinstance(value, bool):
        raise ConfigError(path, value, f"a boolean, not {type_name(value)}", _RESOLVED)
    return value


def from_resolved_dict(d: Mapping[str, object]) -> ProviderConfig:
    """Rebuild a config from :func:`to_resolved_dict` output, validating it; no env merging."""
    if not isinstance(d, Mapping):
        raise ConfigError(_RESOLVED, d, f"a mapping, not {type_name(d)}")
    flat = _flatten(d, _RESOLVED_EXTRAS, lambda _: _RESOLVED)
    cwd = Path.cwd()
    layer = {
        path: _Given(value, _RESOLVED, False, cwd)
        for path, value in flat.items()
        if path in FIELDS_BY_PATH
    }
    values, sources = _resolve([layer], {})
    password_env = flat.get("tls.key_password_env", KEY_PASSWORD_ENV)
    if password_env != KEY_PASSWORD_ENV:
        raise ConfigError("tls.key_password_env", password_env, repr(KEY_PASSWORD_ENV), _RESOLVED)
    config = _build(
        values,
        sources,
        key_password_set=_resolved_flag(flat, "tls.key_password_set"),
        unknown_document_id_generated=_resolved_flag(flat, "unknown_document_id_generated"),
    )
    assured = flat.get("transport_assured", config.transport_assured)
    if assured != config.transport_assured:
        expected = f"{config.transport_assured} (it follows from base_url and proxy_url)"
        raise ConfigError("transport_assured", assured, expected, _RESOLVED)
    return config
