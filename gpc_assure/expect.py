"""One function per expectation. Each looks at a recorded exchange and returns an Observation;
deciding what an unmet expectation means (failure or warning) is the verdict module's job."""

import base64
import binascii
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gpc_assure.evidence import Exchange
from gpc_assure.schema_validation import validate
from gpc_assure.spine_codes import SPINE_SYSTEMS, display_accepted


@dataclass(frozen=True)
class Observation:
    """What was expected and what was observed; `met` is None when it could not be evaluated."""

    met: bool | None
    expected: str
    observed: str


class Unobservable(Exception):
    """The exchange does not contain what the expectation needs to look at."""


def _status(exchange: Exchange) -> int:
    if exchange.response is None:
        raise Unobservable(f"no response ({exchange.error})")
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
