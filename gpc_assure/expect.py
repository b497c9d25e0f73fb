"""One function per expectation. Each looks at a recorded exchange and returns an Observation;
deciding what an unmet expectation means (failure or warning) is the verdict module's job."""

import base64
import binascii
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gpc_assure.evidence import Exchange
from gpc_assure.fhir_xml import FhirXmlError, parse_fhir_xml
from gpc_assure.schema_validation import validate
from gpc_assure.spine_codes import ISSUE_TYPES, SPINE_SYSTEMS, display_accepted
from gpc_assure.tls_probe import hsts_max_age


@dataclass(frozen=True)
class Observation:
    """What was expected and what was observed; `met` is None when it could not be evaluated."""

    met: bool | None
    expected: str
    observed: str
    no_response: bool = False
    """True when the provider gave no usable HTTP response (time-out, reset, not HTTP)."""


class Unobservable(Exception):
    """The exchange does not contain what the expectation needs to look at."""


class NoResponse(Unobservable):
    """No usable HTTP response came back: the scenario ends in error, not in a verdict."""


def _status(exchange: Exchange) -> int:
    if exchange.response is None:
        raise NoResponse(f"no response: {exchange.error}")
    return exchange.response.status


def _json(exchange: Exchange) -> Any:
    _status(exchange)
    try:
        return exchange.json_body
    except (ValueError, UnicodeDecodeError) as exc:
        assert exchange.response is not None
        content_type = exchange.response.header("Content-Type") or "no Content-Type"
        raise Unobservable(f"a body that is not JSON ({content_type}; {exc})") from None


def _resource(exchange: Exchange, resource_type: str) -> dict[str, Any]:
    body = _json(exchange)
    if not isinstance(body, dict) or body.get("resourceType") != resource_type:
        kind = body.get("resourceType") if isinstance(body, dict) else type(body).__name__
        raise Unobservable(f"a body that is not a {resource_type} (resourceType {kind!r})")
    return body


Check = Callable[[], tuple[bool | None, str]]


def observe(expected: str, check: Check) -> Observation:
    """Run `check`, turning an unobservable exchange into an unmet observation."""
    try:
        met, observed = check()
    except NoResponse as exc:
        return Observation(False, expected, str(exc), no_response=True)
    except Unobservable as exc:
        return Observation(False, expected, str(exc))
    return Observation(met, expected, observed)


def status_is(exchange: Exchange, status: int) -> Observation:
    return status_in(exchange, (status,))


def status_in(exchange: Exchange, statuses: tuple[int, ...]) -> Observation:
    expected = "HTTP " + " or ".join(str(s) for s in statuses)

    def check() -> tuple[bool, str]:
        status = _status(exchange)
        return status in statuses, f"HTTP {status}"

    return observe(expected, check)


def schema_valid(exchange: Exchange, schema: str) -> Observation:
    def check() -> tuple[bool, str]:
        problems = validate(schema, _json(exchange))  # type: ignore[arg-type]
        if not problems:
            return True, "valid"
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        return False, "; ".join(problems[:3]) + more

    return observe(f"a body valid against {schema}.schema.json", check)


def binary_id_is(exchange: Exchange, document_id: str) -> Observation:
    def check() -> tuple[bool, str]:
        observed = _resource(exchange, "Binary").get("id")
        return observed == document_id, f"id {observed!r}"

    return observe(f"id {document_id!r}", check)


def binary_has_version_id(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        meta = _resource(exchange, "Binary").get("meta")
        version = meta.get("versionId") if isinstance(meta, dict) else None
        if isinstance(version, str) and version.strip():
            return True, f"meta.versionId {version!r}"
        return False, "no meta element" if meta is None else f"meta.versionId {version!r}"

    return observe("a non-empty meta.versionId", check)


def _media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


def binary_content_type_is(exchange: Exchange, content_type: str | None) -> Observation:
    def check() -> tuple[bool | None, str]:
        observed = _resource(exchange, "Binary").get("contentType")
        if content_type is None:
            return None, f"contentType {observed!r}; no expected content type is configured"
        met = isinstance(observed, str) and _media_type(observed) == _media_type(content_type)
        return met, f"contentType {observed!r}"

    return observe(f"contentType {content_type!r}", check)


def binary_content_digest_is(exchange: Exchange, sha256: str | None) -> Observation:
    def check() -> tuple[bool | None, str]:
        content = _resource(exchange, "Binary").get("content")
        if not isinstance(content, str):
            return False, f"content of type {type(content).__name__}"
        try:
            data = base64.b64decode("".join(content.split()), validate=True)
        except (binascii.Error, ValueError):
            return False, "content that is not valid base64"
        digest = hashlib.sha256(data).hexdigest()
        observed = f"SHA-256 {digest} ({len(data)} bytes)"
        if sha256 is None:
            return None, f"{observed}; no expected digest is configured"
        return digest == sha256.lower(), observed

    return observe(f"SHA-256 {sha256}", check)


def _first_issue(exchange: Exchange) -> dict[str, Any]:
    issues = _resource(exchange, "OperationOutcome").get("issue")
    if not isinstance(issues, list) or not issues or not isinstance(issues[0], dict):
        raise Unobservable("an OperationOutcome without issues")
    return issues[0]


def _spine_codings(exchange: Exchange) -> list[dict[str, Any]]:
    details = _first_issue(exchange).get("details")
    codings = details.get("coding") if isinstance(details, dict) else None
    if not isinstance(codings, list):
        return []
    return [c for c in codings if isinstance(c, dict)]


def issue_severity_is(exchange: Exchange, severity: str) -> Observation:
    def check() -> tuple[bool, str]:
        observed = _first_issue(exchange).get("severity")
        return observed == severity, f"severity {observed!r}"

    return observe(f"severity {severity!r}", check)


def issue_code_is(exchange: Exchange, code: str) -> Observation:
    def check() -> tuple[bool, str]:
        observed = _first_issue(exchange).get("code")
        return observed == code, f"issue code {observed!r}"

    return observe(f"issue code {code!r}", check)


def spine_code_is(exchange: Exchange, code: str) -> Observation:
    def check() -> tuple[bool, str]:
        codes = [c.get("code") for c in _spine_codings(exchange)]
        return code in codes, "Spine codes " + (", ".join(map(repr, codes)) or "none")

    return observe(f"Spine code {code!r}", check)


def spine_coding_is_well_formed(exchange: Exchange) -> Observation:
    """Every coding names a Spine code system and a display the spec gives for its code."""

    def check() -> tuple[bool, str]:
        codings = _spine_codings(exchange)
        if not codings:
            return False, "no issue.details.coding"
        wrong = [
            f"system {c.get('system')!r}, code {c.get('code')!r}, display {c.get('display')!r}"
            for c in codings
            if c.get("system") not in SPINE_SYSTEMS
            or not display_accepted(str(c.get("code")), str(c.get("display") or ""))
        ]
        if wrong:
            return False, "; ".join(wrong)
        return True, f"{len(codings)} Spine coding(s) with system and display"

    return observe("codings with a Spine code system and the code's display", check)


# --- rejections and acceptance -------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    """One acceptable way to refuse a request: a status, and the Spine codes allowed with it
    (empty: any Spine code, the body must still be an OperationOutcome)."""

    status: int
    spine_codes: frozenset[str] = frozenset()

    def __str__(self) -> str:
        codes = "/".join(sorted(self.spine_codes))
        return f"HTTP {self.status}" + (f" {codes}" if codes else "")


def rejected_with(exchange: Exchange, alternatives: tuple[Rejection, ...]) -> Observation:
    """Refused in one of the allowed ways, each with a valid GPConnect OperationOutcome.

    Where an alternative names Spine codes, the issue must also be as the error-handling
    tables give it: severity error, the code's issue type, and a display given for the code.
    """
    expected = " or ".join(map(str, alternatives)) + ", with a GPConnect OperationOutcome"

    def check() -> tuple[bool, str]:
        status = _status(exchange)
        allowed = [a for a in alternatives if a.status == status]
        if not allowed:
            return False, f"HTTP {status}" + _spine_summary(exchange)
        problems = validate("GPConnect-OperationOutcome-1", _json(exchange))
        if problems:
            return False, f"HTTP {status} with an invalid OperationOutcome: {problems[0]}"
        wanted = frozenset().union(*(a.spine_codes for a in allowed))
        if not wanted:
            return True, f"HTTP {status} with an OperationOutcome" + _spine_summary(exchange)
        matching = [c for c in _spine_codings(exchange) if c.get("code") in wanted]
        if not matching:
            return False, f"HTTP {status}" + (_spine_summary(exchange) or " with no Spine code")
        return _issue_as_tabled(exchange, status, matching[0])

    return observe(expected, check)


def _issue_as_tabled(exchange: Exchange, status: int, coding: dict[str, Any]) -> tuple[bool, str]:
    code, display = str(coding.get("code")), str(coding.get("display") or "")
    issue = _first_issue(exchange)
    observed = (
        f"HTTP {status} {code} ({display!r}), severity {issue.get('severity')!r}, "
        f"issue code {issue.get('code')!r}"
    )
    issue_type = ISSUE_TYPES.get(code)
    met = (
        issue.get("severity") == "error"
        and (issue_type is None or issue.get("code") == issue_type)
        and display_accepted(code, display)
    )
    return met, observed


def accepted_with_binary(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        status = _status(exchange)
        if status != 200:
            return False, f"HTTP {status}" + _spine_summary(exchange)
        _resource(exchange, "Binary")
        return True, "HTTP 200 with a Binary"

    return observe("HTTP 200 with a Binary", check)


def _spine_summary(exchange: Exchange) -> str:
    try:
        codes = [str(c.get("code")) for c in _spine_codings(exchange)]
    except Unobservable:
        return ""
    return f" ({', '.join(codes)})" if codes else ""


# --- headers -------------------------------------------------------------------------------

FHIR_JSON_TYPES = frozenset({"application/fhir+json", "application/json+fhir"})
FHIR_XML_TYPES = frozenset({"application/fhir+xml", "application/xml+fhir"})


def _header(exchange: Exchange, name: str) -> str | None:
    _status(exchange)
    assert exchange.response is not None
    return exchange.response.header(name)


def _directives(value: str) -> set[str]:
    return {part.split("=")[0].strip().lower() for part in value.split(",") if part.strip()}


def cache_control_no_store(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        values = _header_values(exchange, "Cache-Control")
        if not values:
            return False, "no Cache-Control header"
        return "no-store" in _directives(",".join(values)), f"Cache-Control: {', '.join(values)}"

    return observe("Cache-Control: no-store", check)


def weak_etag_matches_version(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        etag = _header(exchange, "ETag")
        meta = _resource(exchange, "Binary").get("meta")
        version = meta.get("versionId") if isinstance(meta, dict) else None
        if etag is None:
            return False, "no ETag header"
        expected = f'W/"{version}"'
        return version is not None and etag.strip() == expected, (
            f"ETag: {etag} with meta.versionId {version!r}"
        )

    return observe('ETag: W/"<meta.versionId>"', check)


def _media_and_charset(value: str) -> tuple[str, str | None]:
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip('"').lower()
    return media.strip().lower(), charset


def content_type_is_fhir(exchange: Exchange, wire_format: str) -> Observation:
    allowed = FHIR_JSON_TYPES if wire_format == "JSON" else FHIR_XML_TYPES

    def check() -> tuple[bool, str]:
        value = _header(exchange, "Content-Type")
        if value is None:
            return False, "no Content-Type header"
        media, charset = _media_and_charset(value)
        return media in allowed and charset == "utf-8", f"Content-Type: {value}"

    return observe(f"Content-Type: {sorted(allowed)[0]};charset=utf-8", check)


def is_json_binary(exchange: Exchange) -> Observation:
    """Status 200 and a JSON Binary (any JSON media type: the exact type is GPC-DOC-HTTP-003)."""

    def check() -> tuple[bool, str]:
        status = _status(exchange)
        value = _header(exchange, "Content-Type") or "no Content-Type"
        if status != 200 or "json" not in _media_and_charset(value)[0]:
            return False, f"HTTP {status}, {value}"
        _resource(exchange, "Binary")
        return True, f"HTTP 200, {value}, a Binary"

    return observe("HTTP 200 with a JSON Binary", check)


def _is_xml(exchange: Exchange) -> bool:
    value = _header(exchange, "Content-Type") or ""
    return _status(exchange) == 200 and "xml" in _media_and_charset(value)[0]


def is_xml(exchange: Exchange, *, or_unsupported: bool) -> Observation:
    """FHIR XML came back; with `or_unsupported`, a 415 counts as honouring the request."""
    expected = "HTTP 200 with FHIR XML" + (" or HTTP 415" if or_unsupported else "")

    def check() -> tuple[bool, str]:
        status = _status(exchange)
        value = _header(exchange, "Content-Type") or "no Content-Type"
        met = _is_xml(exchange) or (or_unsupported and status == 415)
        return met, f"HTTP {status}, {value}"

    return observe(expected, check)


def xml_binary_is_valid(exchange: Exchange, document_id: str) -> Observation:
    def check() -> tuple[bool | None, str]:
        if not _is_xml(exchange):
            return None, f"no XML returned (HTTP {_status(exchange)})"
        assert exchange.response is not None
        try:
            document = parse_fhir_xml(exchange.response.body)
        except FhirXmlError as exc:
            return False, f"XML that is not a FHIR resource: {exc}"
        problems = validate("Binary", document)
        if problems:
            return False, f"an XML Binary that fails the Binary checks: {problems[0]}"
        if document.get("id") != document_id:
            return False, f"an XML Binary with id {document.get('id')!r}"
        return True, "a valid FHIR XML Binary of the requested document"

    return observe("a valid FHIR XML Binary of the requested document", check)


def gzip_encoded(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        value = _header(exchange, "Content-Encoding")
        if value is None:
            return False, "no Content-Encoding header"
        return "gzip" in _directives(value), f"Content-Encoding: {value}"

    return observe("Content-Encoding: gzip", check)


# --- Binary elements -----------------------------------------------------------------------

LISTED_BINARY_ELEMENTS = frozenset({"resourceType", "id", "meta", "contentType", "content"})


def binary_without_security_context(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        binary = _resource(exchange, "Binary")
        if "securityContext" in binary:
            return False, f"securityContext {binary['securityContext']!r}"
        return True, "no securityContext"

    return observe("no securityContext element", check)


def binary_only_listed_elements(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        extra = sorted(
            key.lstrip("_")
            for key in _resource(exchange, "Binary")
            if key.lstrip("_") not in LISTED_BINARY_ELEMENTS
        )
        return not extra, ("also " + ", ".join(extra)) if extra else "only listed elements"

    return observe("only id, meta, contentType and content", check)


def issue_has_diagnostics(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        diagnostics = _first_issue(exchange).get("diagnostics")
        if isinstance(diagnostics, str) and diagnostics.strip():
            return True, "diagnostics present"
        return False, "no diagnostics"

    return observe("issue.diagnostics describing the error", check)


def hsts_present(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        values = _header_values(exchange, "Strict-Transport-Security")
        if not values:
            return False, "no Strict-Transport-Security header"
        max_age = hsts_max_age(values[0])
        return bool(max_age), f"Strict-Transport-Security: {values[0]}"

    return observe("Strict-Transport-Security with a positive max-age", check)


def _header_values(exchange: Exchange, name: str) -> list[str]:
    _status(exchange)
    assert exchange.response is not None
    return exchange.response.header_values(name)
