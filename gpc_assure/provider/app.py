"""The provider's request handling as a pure function: a parsed request in, a reply out.

Three interactions: the Binary read, Find a Patient and the DocumentReference search. Checks run
in a fixed order (method, path, Spine headers, JWT, format, then the interaction's own); every
fault is an explicit `Fault.X in self.faults` test, and every reading a `Reading.X in
self.readings` test, at the one place it bends behaviour.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, unquote, urlsplit

from .attachments import AttachmentRules
from .bodies import BinaryBodies, compress, encode
from .documents import LARGE_PDF_ID, StoredDocument
from .faults import Fault
from .fhir import Format, Resource, operation_outcome
from .jwt_rules import JwtProblem, authorization_problem
from .negotiation import accepts_gzip, negotiate
from .readings import Reading
from .searches import Refusal, Searches
from .settings import Interaction, ProviderSettings, interaction_id_for
from .spine_headers import check_spine_headers, header_value, unexpected_header

READ_METHODS = frozenset({"GET", "HEAD"})
# The fault switch under which each other verb is served as a read.
_SERVED_BY_FAULT = {
    "POST": Fault.SERVE_POST,
    "PUT": Fault.ACCEPT_OTHER_METHODS,
    "PATCH": Fault.ACCEPT_OTHER_METHODS,
    "DELETE": Fault.ACCEPT_OTHER_METHODS,
}
_CONTENT_TYPES: dict[Format, str] = {"json": "application/fhir+json", "xml": "application/fhir+xml"}
_LEGACY_CONTENT_TYPES: dict[Format, str] = {
    "json": "application/json+fhir",
    "xml": "application/xml+fhir",
}


@dataclass(frozen=True)
class Request:
    """One HTTP request as received; the repr leaves out headers (they carry the JWT)."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = field(repr=False)


@dataclass(frozen=True)
class Route:
    """The interaction a path names, and the id in it (document or patient; empty for Find a
    Patient)."""

    interaction: Interaction
    target: str = ""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = field(repr=False)
    is_error: bool = False


def with_headers(reply: Reply, *headers: tuple[str, str]) -> Reply:
    """*reply* with *headers* added."""
    return replace(reply, headers=reply.headers + headers)


def strip_proxy_prefix(path: str) -> str:
    """`/https://host:port/base/...` (Spine Secure Proxy form) -> `/base/...`."""
    for prefix in ("/https://", "/http://", "https://", "http://"):
        if path[: len(prefix)].lower() == prefix:
            rest = path[len(prefix) :]
            slash = rest.find("/")
            return rest[slash:] if slash >= 0 else "/"
    return path


class ProviderApp:
    """Answers Binary reads for the stored documents, and the searches leading to them, under
    the configured settings; *service_root* is the provider's [base] as consumers reach it."""

    def __init__(
        self,
        settings: ProviderSettings,
        documents: Sequence[StoredDocument],
        bodies: BinaryBodies,
        service_root: str,
    ) -> None:
        self.settings = settings
        self.faults = settings.faults
        self.readings = settings.readings
        self.documents = {doc.info.id: doc for doc in documents}
        self.bodies = bodies
        self._binary_prefix = settings.base_path + "/Binary/"
        self._patient_path = settings.base_path + "/Patient"
        rules = AttachmentRules(
            service_root=service_root,
            base_path=settings.base_path,
            size_limited=settings.spec == "1.6",
            faults=self.faults,
            readings=self.readings,
        )
        self.searches = Searches({doc.info.id: doc.info for doc in documents}, rules)

    def __repr__(self) -> str:
        return (
            f"ProviderApp(spec={self.settings.spec!r}, faults={sorted(self.faults)}, "
            f"readings={sorted(self.readings)})"
        )

    # -- helpers ---------------------------------------------------------------------------

    def document_id(self, path: str) -> str | None:
        """The percent-decoded id when *path* is `[base]/Binary/[id]`, else None."""
        prefix = path[: len(self._binary_prefix)]
        if Fault.CASE_INSENSITIVE_RESOURCE_TYPE in self.faults:
            prefix, expected = prefix.lower(), self._binary_prefix.lower()
        else:
            expected = self._binary_prefix
        if prefix != expected:
            return None
        segment = path[len(self._binary_prefix) :]
        if not segment or "/" in segment:
            return None
        return unquote(segment)

    def route(self, path: str) -> Route | None:
        """The interaction *path* names: `[base]/Binary/[id]`, `[base]/Patient` or
        `[base]/Patient/[id]/DocumentReference`; None for any other path."""
        doc_id = self.document_id(path)
        if doc_id is not None:
            return Route("binary", doc_id)
        if path == self._patient_path:
            return Route("patient-search")
        prefix = self._patient_path + "/"
        if path.startswith(prefix):
            patient_id, _, rest = path[len(prefix) :].partition("/")
            if patient_id and rest == "DocumentReference":
                return Route("document-search", unquote(patient_id))
        return None

    def _content_type(self, fmt: Format) -> str:
        if Fault.CONTENT_TYPE_TEXT_PLAIN in self.faults:
            return "text/plain;charset=utf-8"
        legacy = Reading.JSON_FHIR_LEGACY_MEDIA_TYPE in self.readings
        media_type = (_LEGACY_CONTENT_TYPES if legacy else _CONTENT_TYPES)[fmt]
        if Fault.CONTENT_TYPE_NO_CHARSET in self.faults:
            return media_type
        if Reading.CHARSET_UTF_8 in self.readings:
            return f"{media_type}; charset=UTF-8"
        return f"{media_type};charset=utf-8"

    def _common_headers(self, *, error: bool) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = []
        omit = Fault.NO_CACHE_CONTROL_ON_ERRORS if error else Fault.NO_CACHE_CONTROL
        if omit not in self.faults:
            extra_directives = Reading.CACHE_CONTROL_NO_CACHE in self.readings
            value = "no-cache, no-store, must-revalidate" if extra_directives else "no-store"
            headers.append(("Cache-Control", value))
        if self.settings.tls and Fault.TLS_NO_HSTS not in self.faults:
            headers.append(("Strict-Transport-Security", "max-age=31536000"))
        return headers

    def _gzip(self, request: Request) -> bool:
        wanted = accepts_gzip(header_value(request.headers, "Accept-Encoding"))
        return wanted and Fault.NO_GZIP not in self.faults

    def _reply(
        self,
        request: Request,
        status: int,
        body: bytes,
        content_type: str,
        *,
        error: bool,
        extra: Sequence[tuple[str, str]] = (),
        gzipped_body: bytes | None = None,
    ) -> Reply:
        headers = [*self._common_headers(error=error), ("Content-Type", content_type), *extra]
        if self._gzip(request):
            body = compress(body) if gzipped_body is None else gzipped_body
            headers.append(("Content-Encoding", "gzip"))
        return Reply(status, tuple(headers), body, error)

    def _error(
        self,
        request: Request,
        fmt: Format,
        status: int,
        issue_code: str,
        spine_code: str,
        diagnostics: str,
        **coding: str,
    ) -> Reply:
        if Fault.NO_DIAGNOSTICS in self.faults:
            diagnostics = ""
        outcome = operation_outcome(
            issue_code=issue_code,
            spine_code=spine_code,
            diagnostics=diagnostics,
            readings=self.readings,
            **coding,
        )
        body = encode(outcome, fmt, self.faults)
        return self._reply(request, status, body, self._content_type(fmt), error=True)

    def _bad_request(self, request: Request, fmt: Format, diagnostics: str) -> Reply:
        """400 BAD_REQUEST (error handling guidance, Malformed request errors)."""
        issue_code = "invalid"
        if Reading.ISSUE_TYPE_SUBTYPE in self.readings:
            issue_code = "required" if "missing" in diagnostics else "value"
        return self._error(request, fmt, 400, issue_code, "BAD_REQUEST", diagnostics)

    def _method_refused(self, request: Request, fmt: Format) -> Reply:
        """Another verb: 400 BAD_REQUEST (Malformed request errors: invalid HTTP verb)."""
        diagnostics = f"HTTP method {request.method} is not supported: use GET"
        if Reading.METHODS_405 in self.readings:
            code = "INVALID_REQUEST_TYPE"
            reply = self._error(request, fmt, 405, "not-supported", code, diagnostics)
            return with_headers(reply, ("Allow", "GET, HEAD"))
        if Reading.METHODS_501 in self.readings:
            return self._error(request, fmt, 501, "not-supported", "NOT_IMPLEMENTED", diagnostics)
        return self._bad_request(request, fmt, diagnostics)

    def _token_refused(self, request: Request, fmt: Format, problem: JwtProblem) -> Reply:
        """400 BAD_REQUEST (Malformed request errors: JWT claims), or a reading's answer."""
        readings, diagnostics = self.readings, problem.diagnostics
        rfc_6750 = Reading.TOKEN_ERRORS_401 in readings
        if problem.kind == "scope" and (Reading.SCOPE_403 in readings or rfc_6750):
            reply = self._error(request, fmt, 403, "forbidden", "ACCESS DENIED", diagnostics)
            challenge = 'Bearer error="insufficient_scope", scope="patient/*.read"'
            return with_headers(reply, ("WWW-Authenticate", challenge))
        if rfc_6750:
            reply = self._error(request, fmt, 401, "invalid", "BAD_REQUEST", diagnostics)
            # RFC 6750 section 3.1: no error code when no bearer token was sent (none at all,
            # or another scheme).
            challenge = "Bearer" if problem.kind == "missing" else 'Bearer error="invalid_token"'
            return with_headers(reply, ("WWW-Authenticate", challenge))
        if Fault.TOKEN_ERRORS_401_WITHOUT_CHALLENGE in self.faults and problem.kind != "scope":
            return self._error(request, fmt, 401, "invalid", "BAD_REQUEST", diagnostics)
        if problem.kind == "resource" and Fault.CLAIM_TYPE_422_WITHOUT_DIAGNOSTICS in self.faults:
            return self._error(request, fmt, 422, "invalid", "INVALID_RESOURCE", "")
        if problem.kind == "resource" and Reading.CLAIM_TYPE_422 in readings:
            return self._error(request, fmt, 422, "invalid", "INVALID_RESOURCE", diagnostics)
        if problem.kind == "conflict" and Reading.SUB_MISMATCH_CONFLICTING_VALUES in readings:
            return self._error(request, fmt, 400, "invalid", "CONFLICTING_VALUES", diagnostics)
        return self._bad_request(request, fmt, diagnostics)

    def _not_found(self, request: Request, fmt: Format, diagnostics: str) -> Reply:
        return self._error(request, fmt, 404, "not-found", "NO_RECORD_FOUND", diagnostics)

    def _unknown_document(self, request: Request, fmt: Format) -> Reply:
        """404 NO_RECORD_FOUND (retrieve page, Error handling), bent by the B faults."""
        faults = self.faults
        if Fault.UNKNOWN_ID_PLAIN_TEXT in faults:
            return self._reply(request, 404, b"Not found", "text/plain;charset=utf-8", error=True)
        coding: dict[str, str] = {}
        if Fault.UNKNOWN_ID_WRONG_SEVERITY in faults:
            coding["severity"] = "warning"
        if Fault.UNKNOWN_ID_WRONG_SPINE_SYSTEM in faults:
            coding["system"] = "http://example.org/codes"
        if Fault.UNKNOWN_ID_WRONG_SPINE_DISPLAY in faults:
            coding["display"] = "Not found"
        return self._error(
            request,
            fmt,
            400 if Fault.UNKNOWN_ID_STATUS_400 in faults else 404,
            "processing" if Fault.UNKNOWN_ID_WRONG_ISSUE_CODE in faults else "not-found",
            "INVALID_RESOURCE"
            if Fault.UNKNOWN_ID_WRONG_SPINE_CODE in faults
            else "NO_RECORD_FOUND",
            "No document was found with the id provided",
            **coding,
        )

    def _negotiate(self, request: Request, query: str) -> Format | None:
        params = parse_qs(query, keep_blank_values=True)
        format_param = params.get("_format", [None])[0]
        accept = header_value(request.headers, "Accept")
        content_type = header_value(request.headers, "Content-Type")
        on_get = request.method == "GET" and content_type is not None
        if on_get and Fault.REFUSE_CONTENT_TYPE_ON_GET in self.faults:
            return None
        if format_param and not accept and Fault.FORMAT_PARAM_ALONE_REFUSED in self.faults:
            return None
        fmt = negotiate(
            format_param,
            accept,
            content_type,
            honour_format_param=Fault.IGNORE_FORMAT_PARAM not in self.faults,
            honour_content_type=Fault.IGNORE_CONTENT_TYPE not in self.faults,
            default="xml" if Fault.XML_DEFAULT in self.faults else "json",
        )
        if fmt == "xml" and (
            Fault.XML_UNSUPPORTED in self.faults or Reading.NO_XML in self.readings
        ):
            fmt = None
        accept = header_value(request.headers, "Accept") or ""
        if Fault.FHIR_JSON_ACCEPT_ANSWERED_XML in self.faults and "application/fhir+json" in accept:
            fmt = "xml"
        if fmt is None and Fault.ACCEPT_UNSUPPORTED_FORMAT in self.faults:
            return "json"
        return fmt

    # -- the interaction -------------------------------------------------------------------

    def handle(self, request: Request, now: float | None = None) -> Reply:
        split = urlsplit(strip_proxy_prefix(request.target))
        fmt = self._negotiate(request, split.query)
        out: Format = fmt or "json"
        route = self.route(split.path)
        binary = route is not None and route.interaction == "binary"
        if request.method == "OPTIONS" and binary and Fault.SERVE_OPTIONS in self.faults:
            allow = ("Allow", "GET, HEAD")
            return Reply(200, (*self._common_headers(error=False), allow), b"")
        served_by = _SERVED_BY_FAULT.get(request.method)
        if request.method not in READ_METHODS and not (binary and served_by in self.faults):
            return self._method_refused(request, out)
        if route is None:
            if Fault.UNKNOWN_PATH_PLAIN_TEXT in self.faults:
                return self._reply(request, 404, b"Not Found", "text/plain", error=True)
            return self._not_found(request, out, "No resource exists at the requested path")
        problem = (
            unexpected_header(request.headers)
            if Fault.REFUSE_UNKNOWN_HEADERS in self.faults
            else None
        )
        if problem is not None:
            return self._error(request, out, 400, "invalid", "BAD_REQUEST", problem)
        problem = check_spine_headers(
            request.headers,
            provider_asid=self.settings.provider_asid,
            interaction_id=interaction_id_for(self.settings.spec, route.interaction),
            faults=self.faults,
        )
        if problem is not None:
            if Fault.HEADER_ERROR_WRONG_SPINE_CODE in self.faults:
                return self._error(request, out, 422, "invalid", "INVALID_PARAMETER", problem)
            return self._bad_request(request, out, problem)
        token_problem = authorization_problem(
            header_value(request.headers, "Authorization"),
            spec=self.settings.spec,
            faults=self.faults,
            now=time.time() if now is None else now,
        )
        if token_problem is not None and not (
            token_problem.kind == "scope" and Reading.ORGANISATION_SCOPE_SERVED in self.readings
        ):
            return self._token_refused(request, out, token_problem)
        if fmt is None:
            # General API guidance, Wire format representations: unsupported format -> 415.
            diagnostics = "The requested format is not supported by this server"
            spine = "BAD_REQUEST"
            if Reading.SPINE_415_UNSUPPORTED_MEDIA_TYPE in self.readings:
                spine = "UNSUPPORTED_MEDIA_TYPE"
            return self._error(request, "json", 415, "not-supported", spine, diagnostics)
        if route.interaction == "patient-search":
            return self._searched(request, fmt, self.searches.find_patient(split.query))
        if route.interaction == "document-search":
            answer = self.searches.patient_documents(route.target, split.query)
            return self._searched(request, fmt, answer)
        return self._read(request, route.target, fmt)

    def _searched(self, request: Request, fmt: Format, answer: Resource | Refusal) -> Reply:
        if isinstance(answer, Refusal):
            return self._error(
                request,
                fmt,
                answer.status,
                answer.issue_code,
                answer.spine_code,
                answer.diagnostics,
            )
        body = encode(answer, fmt, self.faults)
        return self._reply(request, 200, body, self._content_type(fmt), error=False)

    def _read(self, request: Request, doc_id: str, fmt: Format) -> Reply:
        if Fault.CASE_INSENSITIVE_IDS in self.faults:
            doc_id = doc_id.lower()
        doc = self.documents.get(doc_id)
        if doc is None:
            return self._unknown_document(request, fmt)
        too_big = doc.info.oversize and self.settings.spec == "1.6"
        served_anyway = {Fault.SERVE_OVERSIZE, Fault.OVERSIZE_OFFERED_WITH_URL_SERVED}
        if too_big and not served_anyway & self.faults:
            return self._not_found(request, fmt, "The document exceeds the 5MB file size limit")
        if doc_id == LARGE_PDF_ID and Fault.REFUSE_LARGE_DOCUMENT in self.faults:
            return self._not_found(request, fmt, "The document exceeds the 5MB file size limit")
        version = doc.info.version_id
        extra: list[tuple[str, str]] = []
        if Fault.NO_ETAG not in self.faults:
            etag_version = f"{version}9" if Fault.ETAG_MISMATCH in self.faults else version
            weak = "" if Fault.STRONG_ETAG in self.faults else "W/"
            extra.append(("ETag", f'{weak}"{etag_version}"'))
        gzipped = self._gzip(request)
        return self._reply(
            request,
            202 if Fault.SUCCESS_STATUS_202 in self.faults else 200,
            self.bodies.body(doc_id, fmt, gzipped=False),
            self._content_type(fmt),
            error=False,
            extra=extra,
            gzipped_body=self.bodies.body(doc_id, fmt, gzipped=True) if gzipped else None,
        )
