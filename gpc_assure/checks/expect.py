"""One function per expectation. Each looks at a recorded exchange and returns an Observation;
deciding what an unmet expectation means (failure or warning) is the verdict module's job."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gpc_assure.spec.base64_text import decode_base64
from gpc_assure.spec.fhir_xml import FhirXmlError, parse_fhir_xml
from gpc_assure.spec.json_reading import BeyondBounds, PartialList
from gpc_assure.spec.schema_validation import validate
from gpc_assure.spec.spine_codes import (
    ISSUE_TYPES,
    SPINE_SYSTEMS,
    accepted_displays,
    display_accepted,
    issue_type_fit,
)
from gpc_assure.transport.exchange import MAX_MESSAGE_CHARS, Exchange, bounded_text
from gpc_assure.transport.tls_probe import hsts_max_age


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


# Spine Secure Proxy errors (error-handling guidance, "Spine Secure Proxy (SSP) errors"): the
# proxy answers these itself, with an OperationOutcome that carries no Spine coding.
SSP_OWN_STATUSES = frozenset({403, 405, 415, 502, 504})


class ProxyAnswer(Unobservable):
    """The Spine Secure Proxy answered in the provider's place: nothing to judge the provider on."""


def _status(exchange: Exchange) -> int:
    if exchange.response is None:
        raise NoResponse(f"no response: {exchange.error}")
    status = exchange.response.status
    proxied = exchange.request.via_proxy and status in SSP_OWN_STATUSES
    if proxied and not _has_spine_coding(exchange):
        raise ProxyAnswer(
            f"HTTP {status} without a GP Connect OperationOutcome: the Spine Secure Proxy "
            "answered itself, so the provider's answer is not known"
        )
    return status


def _has_spine_coding(exchange: Exchange) -> bool:
    try:
        body = exchange.json_body
    except (ValueError, UnicodeDecodeError):
        return False
    issues = body.get("issue") if isinstance(body, dict) else None
    for issue in issues if isinstance(issues, list) else []:
        details = issue.get("details") if isinstance(issue, dict) else None
        codings = details.get("coding") if isinstance(details, dict) else None
        for coding in codings if isinstance(codings, list) else []:
            if isinstance(coding, dict) and coding.get("system") in SPINE_SYSTEMS:
                return True
    return False


def _json(exchange: Exchange) -> Any:
    _status(exchange)
    try:
        return exchange.json_body
    except BeyondBounds as exc:
        raise Unobservable(f"a JSON body beyond what the suite reads: {exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        assert exchange.response is not None
        content_type = exchange.response.header("Content-Type") or "no Content-Type"
        raise Unobservable(f"a body that is not JSON ({content_type}; {exc})") from None


def _any(exchange: Exchange, found: bool, observed: str) -> tuple[bool | None, str]:
    """The verdict of an expectation that any one item (issue, coding) can meet. When the body
    had more items than the suite judges (see json_reading) and none of those judged meets it,
    it is not judged: the others may."""
    note = _unjudged(exchange)
    if note is None:
        return found, observed
    if found:
        return True, f"{observed} ({note})"
    return None, f"{observed} ({note}; the others may meet it)"


def _every(exchange: Exchange, met: bool, observed: str) -> tuple[bool, str]:
    """The verdict of an expectation that every item must meet, saying when only the first
    items were judged (the count alone never fails a provider: the spec sets no limit)."""
    note = _unjudged(exchange)
    return met, observed if note is None else f"{observed} ({note})"


def _unjudged(exchange: Exchange) -> str | None:
    """Which items of the body's long arrays the checks did not see, or None."""
    try:
        return exchange.json_read.note()
    except ValueError:
        return None


def _resource(exchange: Exchange, resource_type: str) -> dict[str, Any]:
    body = _json(exchange)
    if not isinstance(body, dict) or body.get("resourceType") != resource_type:
        raise Unobservable(f"a body that is not a {resource_type} (resourceType {_kind(body)!r})")
    return body


def _kind(body: Any) -> object:
    if isinstance(body, dict):
        return body.get("resourceType")
    return "list" if isinstance(body, list) else type(body).__name__  # a PartialList is a list


Check = Callable[[], tuple[bool | None, str]]
OBSERVED_CHARS = MAX_MESSAGE_CHARS - 64
"""The most of an observation kept: a long provider value quoted in it must not be held in
every finding for the whole run. (Below the report's own bound, so it is cut once.)"""


def observe(expected: str, check: Check, *, subject_owned_elsewhere: bool = False) -> Observation:
    """Run `check`, turning an unobservable exchange into an unmet observation (or, when what
    is missing is another requirement's to judge, into one not judged)."""
    try:
        met, observed = check()
        observed = bounded_text(observed, OBSERVED_CHARS)
    except NoResponse as exc:
        return Observation(False, expected, str(exc), no_response=True)
    except ProxyAnswer as exc:
        return Observation(None, expected, str(exc))
    except Unobservable as exc:
        if subject_owned_elsewhere:
            return Observation(None, expected, f"cannot be judged: {exc}")
        return Observation(False, expected, str(exc))
    return Observation(met, expected, observed)


def judged_on(expected: str, check: Check) -> Observation:
    """Like `observe`, for a check of something the exchange may not hold because another
    requirement failed (no Binary to read, no OperationOutcome): then this one is not judged,
    so that one defect is counted once, against the requirement it breaks."""
    return observe(expected, check, subject_owned_elsewhere=True)


def precondition_status(
    exchange: Exchange, wanted: Callable[[int], bool], what: str
) -> Observation:
    """The answer a scenario needs before it can judge its requirement: met, or not judged."""

    def check() -> tuple[bool | None, str]:
        status = _status(exchange)
        if wanted(status):
            return True, f"HTTP {status}"
        return None, f"HTTP {status}{_spine_summary(exchange)}: not {what}, so not judged here"

    return observe(what, check)


def status_is(exchange: Exchange, status: int) -> Observation:
    return status_in(exchange, (status,))


def status_in(exchange: Exchange, statuses: tuple[int, ...]) -> Observation:
    expected = "HTTP " + " or ".join(str(s) for s in statuses)

    def check() -> tuple[bool, str]:
        status = _status(exchange)
        return status in statuses, f"HTTP {status}"

    return observe(expected, check)


def schema_valid(exchange: Exchange, schema: str) -> Observation:
    def check() -> tuple[bool | None, str]:
        problems = validate(schema, _json(exchange))  # type: ignore[arg-type]
        if not problems:
            return _every(exchange, True, "valid")
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        return _every(exchange, False, "; ".join(problems[:3]) + more)

    return observe(f"a body valid against {schema}.schema.json", check)


def binary_id_is(exchange: Exchange, document_id: str) -> Observation:
    def check() -> tuple[bool, str]:
        observed = _resource(exchange, "Binary").get("id")
        return observed == document_id, f"id {observed!r}"

    return judged_on(f"id {document_id!r}", check)


def binary_has_version_id(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        meta = _resource(exchange, "Binary").get("meta")
        version = meta.get("versionId") if isinstance(meta, dict) else None
        if isinstance(version, str) and version.strip():
            return True, f"meta.versionId {version!r}"
        return False, "no meta element" if meta is None else f"meta.versionId {version!r}"

    return judged_on("a non-empty meta.versionId", check)


def _media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


def binary_content_type_is(exchange: Exchange, content_type: str | None) -> Observation:
    def check() -> tuple[bool | None, str]:
        observed = _resource(exchange, "Binary").get("contentType")
        if content_type is None:
            return None, f"contentType {observed!r}; no expected content type is configured"
        met = isinstance(observed, str) and _media_type(observed) == _media_type(content_type)
        return met, f"contentType {observed!r}"

    return judged_on(f"contentType {content_type!r}", check)


def binary_content_digest_is(exchange: Exchange, sha256: str | None) -> Observation:
    def check() -> tuple[bool | None, str]:
        content = _resource(exchange, "Binary").get("content")
        if not isinstance(content, str):
            return False, f"content of type {type(content).__name__}"
        decoded = decode_base64(content)
        if decoded.data is None:
            return False, "content that is not valid base64"
        digest = decoded.sha256
        observed = f"SHA-256 {digest} ({len(decoded.data)} bytes)"
        if sha256 is None:
            return None, f"{observed}; no expected digest is configured"
        return digest == sha256.lower(), observed

    return judged_on(f"SHA-256 {sha256}", check)


def _issues(exchange: Exchange) -> list[dict[str, Any]]:
    issues = _resource(exchange, "OperationOutcome").get("issue")
    if isinstance(issues, PartialList):  # issues beyond those judged: none may be judged
        return [i for i in issues if isinstance(i, dict)]
    if not isinstance(issues, list) or not any(isinstance(i, dict) for i in issues):
        raise Unobservable("an OperationOutcome without issues")
    return [i for i in issues if isinstance(i, dict)]


def _codings(issue: dict[str, Any]) -> list[dict[str, Any]]:
    details = issue.get("details")
    codings = details.get("coding") if isinstance(details, dict) else None
    if not isinstance(codings, list):
        return []
    return [c for c in codings if isinstance(c, dict)]


def _spine_codings(exchange: Exchange) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (issue, coding) pair of the OperationOutcome, in order: the expected Spine code
    may sit in any issue, not only the first."""
    return [(issue, coding) for issue in _issues(exchange) for coding in _codings(issue)]


@dataclass(frozen=True)
class ErrorJudgement:
    """An error answer judged three ways: what the requirement allows, whether it is exactly
    as the error tables print it (GPC-DOC-ERR-006, a SHOULD), and, for a 422, whether it
    carries the diagnostics the 422 codes require (GPC-DOC-ERR-007)."""

    allowed: Observation
    as_tabled: Observation
    diagnostics: Observation | None = None


def issue_severity_is(exchange: Exchange, severity: str) -> Observation:
    def check() -> tuple[bool | None, str]:
        observed = [i.get("severity") for i in _issues(exchange)]
        return _any(exchange, severity in observed, "severity " + ", ".join(map(repr, observed)))

    return judged_on(f"an issue of severity {severity!r}", check)


def issue_code_is(exchange: Exchange, code: str) -> ErrorJudgement:
    """An issue of type `code`, or of a type one below it in the IssueType hierarchy."""

    def check() -> tuple[bool | None, str]:
        observed = [str(i.get("code")) for i in _issues(exchange)]
        fits = {issue_type_fit(o, code) for o in observed}
        shown = "issue code " + ", ".join(map(repr, observed))
        return _any(exchange, "exact" in fits or "narrower" in fits, shown)

    def exact() -> tuple[bool | None, str]:
        observed = [str(i.get("code")) for i in _issues(exchange)]
        return _any(exchange, code in observed, "issue code " + ", ".join(map(repr, observed)))

    return ErrorJudgement(
        judged_on(f"issue code {code!r} (or one below it in the FHIR IssueType hierarchy)", check),
        judged_on(f"issue code {code!r} exactly, as the error tables give it", exact),
    )


def spine_code_is(exchange: Exchange, code: str) -> Observation:
    def check() -> tuple[bool | None, str]:
        codes = [c.get("code") for _, c in _spine_codings(exchange)]
        shown = "Spine codes " + (", ".join(map(repr, codes)) or "none")
        return _any(exchange, code in codes, shown)

    return observe(f"Spine code {code!r}", check)


def _coding_text(coding: dict[str, Any]) -> str:
    return (
        f"system {coding.get('system')!r}, code {coding.get('code')!r}, "
        f"display {coding.get('display')!r}"
    )


def spine_coding_is_well_formed(exchange: Exchange, spec: str) -> ErrorJudgement:
    """Every coding names a Spine code system, a code and a display; and (the SHOULD) each
    display is one the selected version's tables or the CodeSystem give for its code."""

    def check() -> tuple[bool | None, str]:
        codings = [c for _, c in _spine_codings(exchange)]
        if not codings:
            return _any(exchange, False, "no issue.details.coding")
        wrong = [
            _coding_text(c)
            for c in codings
            if c.get("system") not in SPINE_SYSTEMS
            or not str(c.get("code") or "").strip()
            or not str(c.get("display") or "").strip()
        ]
        if wrong:
            return _every(exchange, False, "; ".join(wrong))
        shown = f"{len(codings)} Spine coding(s) with system, code and display"
        return _every(exchange, True, shown)

    def displays() -> tuple[bool | None, str]:
        codings = [c for _, c in _spine_codings(exchange)]
        if not codings:
            return None, "no issue.details.coding"
        return _every(exchange, *_displays_as_tabled(codings, spec))

    return ErrorJudgement(
        judged_on("codings with a Spine code system, a code and a display", check),
        judged_on(f"each display as spec {spec}'s tables or the CodeSystem give it", displays),
    )


def _displays_as_tabled(codings: list[dict[str, Any]], spec: str) -> tuple[bool, str]:
    odd = [
        f"{c.get('code')} display {c.get('display')!r} (the spec gives "
        + " or ".join(map(repr, accepted_displays(str(c.get("code")), spec)))
        + ")"
        for c in codings
        if not display_accepted(str(c.get("code")), str(c.get("display") or ""), spec)
    ]
    if odd:
        return False, "; ".join(odd)
    return True, ", ".join(f"{c.get('code')} {c.get('display')!r}" for c in codings)


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


def parse_rejections(text: str) -> tuple[Rejection, ...]:
    """'HTTP 400 BAD_REQUEST or HTTP 401' -> the acceptable rejections."""
    alternatives = []
    for part in text.split(" or "):
        words = part.split(maxsplit=2)
        if len(words) < 2 or words[0] != "HTTP" or not words[1].isdigit():
            raise ValueError(
                f"cannot read rejection {part!r}: expected 'HTTP <status> [CODE[/CODE]]'"
            )
        codes = frozenset(words[2].split("/")) if len(words) == 3 else frozenset()
        alternatives.append(Rejection(int(words[1]), codes))
    return tuple(alternatives)


_BEARER_CHALLENGE = re.compile(r"(?:^|,)\s*bearer(?:\s|,|$)", re.IGNORECASE)


def rejected_with(
    exchange: Exchange, alternatives: tuple[Rejection, ...], spec: str
) -> ErrorJudgement:
    """Refused in one of the allowed ways, each with a valid GPConnect OperationOutcome.

    Where an alternative names Spine codes, one issue (any) must carry one of them, with
    severity error and the code's issue type from the error tables (or one below it). A 401
    must challenge with `WWW-Authenticate: Bearer` (RFC 6750 section 3). Judged alongside:
    whether the issue type and display are exactly as the tables print them, and a 422's
    diagnostics.
    """
    expected = " or ".join(map(str, alternatives)) + ", with a GPConnect OperationOutcome"
    matched: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def check() -> tuple[bool | None, str]:
        status = _status(exchange)
        allowed = [a for a in alternatives if a.status == status]
        if not allowed:
            return False, f"HTTP {status}" + _spine_summary(exchange)
        assert exchange.response is not None
        if status == 401:
            challenges = exchange.response.header_values("WWW-Authenticate")
            if not any(_BEARER_CHALLENGE.search(c) for c in challenges):
                shown = ", ".join(challenges) or "none"
                return False, f"HTTP 401 without a WWW-Authenticate: Bearer challenge ({shown})"
        problems = validate("GPConnect-OperationOutcome-1", _json(exchange))
        if problems:
            shown = f"HTTP {status} with an invalid OperationOutcome: {problems[0]}"
            return _every(exchange, False, shown)
        wanted = frozenset().union(*(a.spine_codes for a in allowed))
        pairs = _spine_codings(exchange)
        matched.extend(p for p in pairs if not wanted or p[1].get("code") in wanted)
        if not matched:
            shown = f"HTTP {status}" + (_spine_summary(exchange) or " with no Spine code")
            return _any(exchange, False, shown)
        if not wanted:
            shown = f"HTTP {status} with an OperationOutcome" + _spine_summary(exchange)
            return _any(exchange, True, shown)
        return _any(exchange, *_issue_allowed(status, matched))

    def as_tabled() -> tuple[bool | None, str]:
        errors = [(i, c) for i, c in matched if i.get("severity") == "error"] or matched
        if not errors:
            return None, "no Spine code to compare"
        named = any(a.spine_codes for a in alternatives)
        findings = [_as_tabled(issue, coding, spec, check_type=named) for issue, coding in errors]
        exact = next((text for ok, text in findings if ok), None)
        if exact is not None:
            return _any(exchange, True, exact)
        return _any(exchange, False, "; ".join(text for _, text in findings))

    allowed = observe(expected, check)
    tabled = observe(
        f"the issue code and display as spec {spec}'s error tables give them", as_tabled
    )
    diagnostics = None
    if exchange.response is not None and exchange.response.status == 422:
        diagnostics = observe("diagnostics with the 422 error", lambda: _has_diagnostics(exchange))
    return ErrorJudgement(allowed, tabled, diagnostics)


def _has_diagnostics(exchange: Exchange) -> tuple[bool | None, str]:
    if any(_diagnostics(issue) for issue in _issues(exchange)):
        return _any(exchange, True, "diagnostics present")
    return _any(exchange, False, "no diagnostics")


def _as_tabled(
    issue: dict[str, Any], coding: dict[str, Any], spec: str, *, check_type: bool
) -> tuple[bool, str]:
    """One issue's Spine coding against the tables: its display, and (when the rejection named
    its codes) the issue type the tables pair with the code."""
    code = str(coding.get("code"))
    tabled = ISSUE_TYPES.get(code)
    if check_type and tabled is not None and issue.get("code") != tabled:
        return False, f"{code} with issue code {issue.get('code')!r} (the tables give {tabled!r})"
    return _displays_as_tabled([coding], spec)


def _diagnostics(issue: dict[str, Any]) -> bool:
    diagnostics = issue.get("diagnostics")
    return isinstance(diagnostics, str) and bool(diagnostics.strip())


def _issue_allowed(
    status: int, matched: list[tuple[dict[str, Any], dict[str, Any]]]
) -> tuple[bool, str]:
    """Severity error and the tabled issue type (or one below it) on a matching issue."""
    described = []
    for issue, coding in matched:
        code = str(coding.get("code"))
        tabled = ISSUE_TYPES.get(code)
        fits = tabled is None or issue_type_fit(str(issue.get("code")), tabled) != "wrong"
        text = (
            f"HTTP {status} {code} ({coding.get('display')!r}), severity "
            f"{issue.get('severity')!r}, issue code {issue.get('code')!r}"
        )
        if issue.get("severity") == "error" and fits:
            return True, text
        described.append(text + (f" (the tables give {tabled!r})" if not fits else ""))
    return False, "; ".join(described)


def document_not_served(exchange: Exchange) -> Observation:
    """No document came back: any answer but a 2xx counts (which error is another matter)."""

    def check() -> tuple[bool, str]:
        status = _status(exchange)
        return not 200 <= status < 300, f"HTTP {status}" + _spine_summary(exchange)

    return observe("the document not served (an error status)", check)


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
        codes = [str(c.get("code")) for _, c in _spine_codings(exchange)]
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
    def check() -> tuple[bool | None, str]:
        etag = _header(exchange, "ETag")
        meta = _resource(exchange, "Binary").get("meta")
        version = meta.get("versionId") if isinstance(meta, dict) else None
        if etag is None:
            return False, "no ETag header"
        if not isinstance(version, str) or not version:
            return None, f"ETag: {etag}, but no meta.versionId to compare it with"
        expected = f'W/"{version}"'
        return version is not None and etag.strip() == expected, (
            f"ETag: {etag} with meta.versionId {version!r}"
        )

    return judged_on('ETag: W/"<meta.versionId>"', check)


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

    return judged_on("no securityContext element", check)


def binary_only_listed_elements(exchange: Exchange) -> Observation:
    def check() -> tuple[bool, str]:
        extra = sorted(
            key.lstrip("_")
            for key in _resource(exchange, "Binary")
            if key.lstrip("_") not in LISTED_BINARY_ELEMENTS
        )
        return not extra, ("also " + ", ".join(extra)) if extra else "only listed elements"

    return judged_on("only id, meta, contentType and content", check)


def issue_has_diagnostics(exchange: Exchange) -> Observation:
    return judged_on("issue.diagnostics describing the error", lambda: _has_diagnostics(exchange))


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
