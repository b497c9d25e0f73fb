"""Shared helpers for the reference-provider tests: TLS client contexts, valid requests, a probe."""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from gpc_assure.provider import Pki, ProviderSettings, ReferenceProvider

SMALL_PDF = "gpc-doc-small-pdf"
LETTER_DOCX = "gpc-doc-letter-docx"
LARGE_PDF = "gpc-doc-large-pdf"
OVERSIZE_PDF = "gpc-doc-oversize-pdf"
NOTE_TXT = "gpc-doc-note-txt"
RELEASED_INTERACTION = "urn:nhs:names:services:gpconnect:documents:fhir:rest:read:binary-1"
DRAFT_INTERACTION = "urn:nhs:names:services:gpconnect-documents:fhir:rest:read:binary-1"
PATIENT_SEARCH = "urn:nhs:names:services:gpconnect:documents:fhir:rest:search:patient-1"
DOCUMENT_SEARCH = "urn:nhs:names:services:gpconnect:documents:fhir:rest:search:documentreference-1"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
# The test patients: NHS number -> Patient id.
PATIENT_1 = ("9690937278", "gpc-patient-1")
PATIENT_2 = ("9690937286", "gpc-patient-2")
PATIENT_3 = ("9690937294", "gpc-patient-3")
UNREGISTERED_NHS_NUMBER = "9476719931"  # valid (Modulus 11), no patient of the provider
# The search page's mandatory parameters, in the order consumers send them.
INCLUDES: tuple[tuple[str, str], ...] = (
    ("_include", "DocumentReference:subject:Patient"),
    ("_include", "DocumentReference:custodian:Organization"),
    ("_include", "DocumentReference:author:Organization"),
    ("_include", "DocumentReference:author:Practitioner"),
    ("_revinclude:recurse", "PractitionerRole:practitioner"),
)
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
SDS_USER = "https://fhir.nhs.uk/Id/sds-user-id"
SDS_ROLE = "https://fhir.nhs.uk/Id/sds-role-profile-id"
SPINE_SYSTEM = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1"
OO_PROFILE = "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"
FHIR_JSON = "application/fhir+json;charset=utf-8"
FHIR_XML = "application/fhir+xml;charset=utf-8"


def client_context(
    pki: Pki,
    *,
    cert: bool = True,
    untrusted: bool = False,
    tls_max: ssl.TLSVersion | None = None,
    ciphers: str | None = None,
) -> ssl.SSLContext:
    """One client SSLContext: trusts the throwaway CA and presents a client certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=pki.ca_cert)
    if cert:
        chain = (
            (pki.untrusted_client_cert, pki.untrusted_client_key)
            if untrusted
            else (pki.client_cert, pki.client_key)
        )
        context.load_cert_chain(*chain)
    if tls_max is not None:
        with warnings.catch_warnings():  # TLS 1.1 is deprecated, which is the point of the probe
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = min(tls_max, ssl.TLSVersion.TLSv1_2)
            context.maximum_version = tls_max
    if ciphers is not None:
        context.set_ciphers(ciphers)
    return context


def valid_claims(now: int | None = None, /, **overrides: Any) -> dict[str, Any]:
    """A conformant JWT payload; a claim overridden with ... is removed."""
    iat = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": "https://consumer.example.test/",
        "sub": "10019",
        "aud": "https://provider.example.test/B82617/STU3/1",
        "exp": iat + 300,
        "iat": iat,
        "reason_for_request": "directcare",
        "requested_scope": "patient/*.read",
        "requesting_device": {
            "resourceType": "Device",
            "identifier": [{"system": "https://consumer.example.test/Id/device", "value": "X"}],
            "model": "tests",
            "version": "1.0",
        },
        "requesting_organization": {
            "resourceType": "Organization",
            "identifier": [{"system": ODS_SYSTEM, "value": "A1001"}],
            "name": "Test Hospital",
        },
        "requesting_practitioner": {
            "resourceType": "Practitioner",
            "id": "10019",
            "identifier": [
                {"system": SDS_USER, "value": "111222333444"},
                {"system": SDS_ROLE, "value": "444555666777"},
                {"system": "https://consumer.example.test/Id/user", "value": "u-1"},
            ],
            "name": [{"family": "Jones", "given": ["Claire"], "prefix": ["Dr"]}],
        },
    }
    for key, value in overrides.items():
        if value is ...:
            claims.pop(key, None)
        else:
            claims[key] = value
    return claims


def practitioner(*identifiers: tuple[str, str], pid: str = "10019") -> dict[str, Any]:
    """A named practitioner with exactly the given (system, value) identifiers."""
    return {
        "resourceType": "Practitioner",
        "id": pid,
        "identifier": [{"system": system, "value": value} for system, value in identifiers],
        "name": [{"family": "Jones", "given": ["Claire"]}],
    }


def bearer(claims: Mapping[str, Any]) -> str:
    # PyJWT's annotations leave out None, the key that algorithm "none" requires.
    return "Bearer " + jwt.encode(dict(claims), key=None, algorithm="none")  # type: ignore[arg-type]


def raw_bearer(claims: Mapping[str, Any]) -> str:
    """Like bearer(), for payloads PyJWT refuses to encode (such as a non-string iss)."""

    def part(data: Mapping[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"Bearer {part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class Probe:
    """An httpx client bound to one provider, building valid requests unless told otherwise."""

    def __init__(
        self,
        provider: ReferenceProvider,
        *,
        context: ssl.SSLContext | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.provider = provider
        self.base_url = provider.base_url
        verify: ssl.SSLContext | bool = False
        if provider.settings.tls:
            verify = context if context is not None else client_context(provider.pki)
        self.client = httpx.Client(verify=verify, timeout=timeout)

    def close(self) -> None:
        self.client.close()

    def headers(
        self,
        *,
        drop: tuple[str, ...] = (),
        claims: Mapping[str, Any] | None = None,
        **extra: str,
    ) -> dict[str, str]:
        """Valid request headers; *extra* uses underscores for dashes (Ssp_To=...)."""
        settings = self.provider.settings
        interaction = DRAFT_INTERACTION if settings.spec == "draft" else RELEASED_INTERACTION
        headers = {
            "Ssp-TraceID": str(uuid.uuid4()),
            "Ssp-From": "200000000115",
            "Ssp-To": settings.provider_asid,
            "Ssp-InteractionID": interaction,
            "Authorization": bearer(valid_claims() if claims is None else claims),
        }
        for name, value in extra.items():
            headers[name.replace("_", "-")] = value
        return {name: value for name, value in headers.items() if name not in drop}

    def interaction(self, released: str) -> str:
        """*released* (an interaction id) as this provider's spec names it."""
        if self.provider.settings.spec == "draft":
            return released.replace("gpconnect:documents", "gpconnect-documents")
        return released

    def find_patient(
        self, identifier: str | None, *, interaction: str = PATIENT_SEARCH, **options: Any
    ) -> httpx.Response:
        """Find a Patient; *identifier* goes into the query as given (None: no parameter)."""
        query = "" if identifier is None else f"?identifier={identifier}"
        headers = options.pop("headers", None) or self.headers(
            Ssp_InteractionID=self.interaction(interaction)
        )
        return self.get(path=f"/Patient{query}", headers=headers, **options)

    def find_nhs_number(self, nhs_number: str, **options: Any) -> httpx.Response:
        """Find a Patient by NHS number, the pipe percent-encoded (as consumers send it)."""
        return self.find_patient(f"{NHS_NUMBER_SYSTEM}%7C{nhs_number}", **options)

    def search_documents(
        self,
        patient_id: str,
        params: Sequence[tuple[str, str]] = INCLUDES,
        *,
        interaction: str = DOCUMENT_SEARCH,
        **options: Any,
    ) -> httpx.Response:
        """The DocumentReference search of *patient_id* (by default with the five includes)."""
        query = urlencode(params, safe=":/|")
        headers = options.pop("headers", None) or self.headers(
            Ssp_InteractionID=self.interaction(interaction)
        )
        path = f"/Patient/{patient_id}/DocumentReference" + (f"?{query}" if query else "")
        return self.get(path=path, headers=headers, **options)

    def unknown(self) -> httpx.Response:
        """A valid request for an id no provider holds."""
        return self.get("no-such-document")

    def get(
        self,
        doc_id: str = SMALL_PDF,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        path: str | None = None,
        content: bytes | None = None,
        no_accept: bool = False,
    ) -> httpx.Response:
        """One request; *no_accept* removes the Accept header httpx adds by default."""
        url = self.base_url + (path if path is not None else f"/Binary/{doc_id}")
        request = self.client.build_request(
            method,
            url,
            headers=self.headers() if headers is None else dict(headers),
            params=params,
            content=content,
        )
        if no_accept:
            del request.headers["Accept"]
        return self.client.send(request)


@contextmanager
def running(settings: ProviderSettings | None = None, **kwargs: Any) -> Iterator[Probe]:
    """A started provider (settings from *kwargs*) with a Probe; both closed afterwards."""
    with ReferenceProvider(settings or ProviderSettings(**kwargs)) as provider:
        probe = Probe(provider)
        try:
            yield probe
        finally:
            probe.close()


def issue(response: httpx.Response) -> dict[str, Any]:
    """The single issue of an OperationOutcome response."""
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    issues = body["issue"]
    assert isinstance(issues, list)
    assert len(issues) == 1
    first: dict[str, Any] = issues[0]
    return first


def spine_code(response: httpx.Response) -> str:
    code: str = issue(response)["details"]["coding"][0]["code"]
    return code


def stops_within(provider: ReferenceProvider, seconds: float) -> bool:
    """Stop the provider from another thread; whether it had stopped after `seconds` (a
    liveness guard against a hang, not a speed measurement)."""
    stopper = threading.Thread(target=provider.stop, daemon=True)
    stopper.start()
    stopper.join(seconds)
    return not stopper.is_alive()


def resources(bundle: Mapping[str, Any], resource_type: str | None = None) -> list[dict[str, Any]]:
    """The resources of a Bundle's entries (of *resource_type* only, when given)."""
    found: list[dict[str, Any]] = [entry["resource"] for entry in bundle.get("entry", [])]
    if resource_type is None:
        return found
    return [resource for resource in found if resource["resourceType"] == resource_type]


def reference_id(document_id: str) -> str:
    """The id of the DocumentReference listing served document *document_id*."""
    return document_id.replace("gpc-doc-", "gpc-docref-", 1)


def attachment_of(p: Probe, document_id: str) -> dict[str, Any]:
    """The attachment the DocumentReference search of its patient gives for *document_id*."""
    patient_id = PATIENT_2[1] if document_id == NOTE_TXT else PATIENT_1[1]
    bundle = p.search_documents(patient_id).json()
    listed = next(
        resource
        for resource in resources(bundle, "DocumentReference")
        if resource["id"] == reference_id(document_id)
    )
    attachment: dict[str, Any] = listed["content"][0]["attachment"]
    return attachment
