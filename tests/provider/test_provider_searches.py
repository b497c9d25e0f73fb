"""The conformant provider's Find a Patient and DocumentReference search: each test patient's
answers, the chain from attachment.url to the Binary, the errors, and the checks the searches
share with the Binary read (Spine headers, JWT, TLS, per-endpoint interaction ids)."""

from __future__ import annotations

import base64
import http.client
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from provider_testkit import (
    DOCUMENT_SEARCH,
    FHIR_JSON,
    INCLUDES,
    LARGE_PDF,
    LETTER_DOCX,
    NHS_NUMBER_SYSTEM,
    NOTE_TXT,
    OVERSIZE_PDF,
    PATIENT_1,
    PATIENT_2,
    PATIENT_3,
    PATIENT_SEARCH,
    RELEASED_INTERACTION,
    SMALL_PDF,
    UNREGISTERED_NHS_NUMBER,
    Probe,
    bearer,
    client_context,
    issue,
    reference_id,
    resources,
    running,
    spine_code,
    valid_claims,
)

from gpc_assure.provider import ServedDocument
from gpc_assure.spec.schema_validation import validate

pytestmark = pytest.mark.e2e
NS = "{http://hl7.org/fhir}"
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
PROFILES = "https://fhir.nhs.uk/STU3/StructureDefinition/"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
DOCUMENTS_OF = {
    PATIENT_1[1]: (SMALL_PDF, LETTER_DOCX, LARGE_PDF, OVERSIZE_PDF),
    PATIENT_2[1]: (NOTE_TXT,),
    PATIENT_3[1]: (),
}


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    with running(spec="1.6") as p:
        yield p


def _served(p: Probe, doc_id: str) -> ServedDocument:
    return next(doc for doc in p.provider.documents if doc.id == doc_id)


def _assert_searchset(bundle: Mapping[str, Any], base_url: str) -> None:
    """A GPConnect-Searchset-Bundle-1: profile, type, and entries of an absolute fullUrl naming
    the resource, each resource with a FHIR id; nothing else (no Bundle.id, total or link)."""
    assert set(bundle) <= {"resourceType", "meta", "type", "entry"}
    assert bundle["resourceType"] == "Bundle"
    assert bundle["meta"] == {"profile": [PROFILES + "GPConnect-Searchset-Bundle-1"]}
    assert bundle["type"] == "searchset"
    if "entry" in bundle:
        assert bundle["entry"]  # FHIR JSON has no empty arrays
    for entry in bundle.get("entry", []):
        assert set(entry) == {"fullUrl", "resource"}
        resource = entry["resource"]
        assert FHIR_ID.fullmatch(resource["id"])
        assert entry["fullUrl"] == f"{base_url}/{resource['resourceType']}/{resource['id']}"
        assert resource["meta"]["profile"][0].startswith(PROFILES + "CareConnect-GPC-")


def _assert_references_resolve(bundle: Mapping[str, Any]) -> None:
    """Every reference inside the Bundle names a resource of the Bundle."""
    present = {f"{r['resourceType']}/{r['id']}" for r in resources(bundle)}

    def walk(value: object) -> Iterator[str]:
        if isinstance(value, dict):
            if isinstance(value.get("reference"), str):
                yield value["reference"]
            for child in value.values():
                yield from walk(child)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    named = set(walk(resources(bundle)))
    assert named
    assert named <= present


def _assert_patient(resource: Mapping[str, Any], nhs_number: str, patient_id: str) -> None:
    assert resource["resourceType"] == "Patient"
    assert resource["id"] == patient_id
    assert resource["meta"] == {
        "versionId": "1",
        "profile": [PROFILES + "CareConnect-GPC-Patient-1"],
    }
    assert resource["identifier"] == [{"system": NHS_NUMBER_SYSTEM, "value": nhs_number}]
    names = resource["name"]
    assert len(names) == 1
    assert names[0]["use"] == "official"
    assert names[0]["family"]
    assert names[0]["given"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", resource["birthDate"])
    assert resource["gender"] in ("male", "female", "other", "unknown")
    assert resource["managingOrganization"]["reference"].startswith("Organization/")


def _assert_error(response: httpx.Response, status: int, issue_code: str, spine: str) -> str:
    """*response* is a valid GPConnect OperationOutcome; its diagnostics."""
    assert response.status_code == status
    assert response.headers["Content-Type"] == FHIR_JSON
    assert response.headers["Cache-Control"] == "no-store"
    assert validate("GPConnect-OperationOutcome-1", response.json()) == []
    first = issue(response)
    assert first["code"] == issue_code
    assert spine_code(response) == spine
    diagnostics: str = first["diagnostics"]
    return diagnostics


# -- Find a Patient ---------------------------------------------------------------------------


@pytest.mark.parametrize(("nhs_number", "patient_id"), [PATIENT_1, PATIENT_2, PATIENT_3])
def test_find_a_patient_finds_each_test_patient(
    probe: Probe, nhs_number: str, patient_id: str
) -> None:
    response = probe.find_nhs_number(nhs_number)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == FHIR_JSON
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    bundle = response.json()
    _assert_searchset(bundle, probe.base_url)
    [patient] = resources(bundle)
    _assert_patient(patient, nhs_number, patient_id)


@pytest.mark.parametrize("nhs_number", [UNREGISTERED_NHS_NUMBER, "9000000009", "9999999999"])
def test_a_valid_nhs_number_of_no_patient_is_an_empty_searchset(
    probe: Probe, nhs_number: str
) -> None:
    response = probe.find_nhs_number(nhs_number)
    assert response.status_code == 200
    bundle = response.json()
    _assert_searchset(bundle, probe.base_url)
    assert "entry" not in bundle


def test_a_literal_pipe_finds_the_patient_too(probe: Probe) -> None:
    """httpx would encode the pipe: this request goes out byte for byte as written."""
    target = (
        urlsplit(probe.base_url).path + f"/Patient?identifier={NHS_NUMBER_SYSTEM}|{PATIENT_2[0]}"
    )
    headers = probe.headers(Ssp_InteractionID=PATIENT_SEARCH, Accept="application/fhir+json")
    context = client_context(probe.provider.pki)
    connection = http.client.HTTPSConnection("127.0.0.1", probe.provider.port, context=context)
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200
    assert b'"id":"gpc-patient-2"' in body


@pytest.mark.parametrize(
    "identifier",
    [
        None,
        "",
        f"https://example.org/other%7C{PATIENT_1[0]}",
        f"%7C{PATIENT_1[0]}",
        PATIENT_1[0],
        f"{NHS_NUMBER_SYSTEM.upper()}%7C{PATIENT_1[0]}",
        f"{NHS_NUMBER_SYSTEM}%7C{PATIENT_1[0]}&identifier={NHS_NUMBER_SYSTEM}%7C{PATIENT_2[0]}",
    ],
    ids=["absent", "empty", "other-system", "empty-system", "no-system", "system-case", "twice"],
)
def test_a_wrong_identifier_is_invalid_parameter(probe: Probe, identifier: str | None) -> None:
    diagnostics = _assert_error(probe.find_patient(identifier), 422, "invalid", "INVALID_PARAMETER")
    assert "identifier" in diagnostics


@pytest.mark.parametrize(
    "nhs_number",
    ["9476719932", "1234567890", "947671993", "96909372781", "969093727X", "", "9690 93727"],
)
def test_an_invalid_nhs_number_is_invalid_nhs_number(probe: Probe, nhs_number: str) -> None:
    response = probe.find_nhs_number(nhs_number.replace(" ", "%20"))
    diagnostics = _assert_error(response, 400, "value", "INVALID_NHS_NUMBER")
    assert "NHS number" in diagnostics
    if nhs_number:
        assert nhs_number not in diagnostics  # not echoed


# -- DocumentReference search -----------------------------------------------------------------


@pytest.mark.parametrize(("nhs_number", "patient_id"), [PATIENT_1, PATIENT_2])
def test_the_search_lists_each_document_of_the_patient(
    probe: Probe, nhs_number: str, patient_id: str
) -> None:
    response = probe.search_documents(patient_id)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == FHIR_JSON
    assert response.headers["Cache-Control"] == "no-store"
    bundle = response.json()
    _assert_searchset(bundle, probe.base_url)
    _assert_references_resolve(bundle)
    types = [resource["resourceType"] for resource in resources(bundle)]
    listed = DOCUMENTS_OF[patient_id]
    assert types == [
        "Patient",
        *["DocumentReference"] * len(listed),
        "Organization",
        "Practitioner",
        "PractitionerRole",
    ]
    _assert_patient(resources(bundle, "Patient")[0], nhs_number, patient_id)
    [organization] = resources(bundle, "Organization")
    assert organization["identifier"] == [{"system": ODS, "value": "B82617"}]
    [role] = resources(bundle, "PractitionerRole")
    [practitioner] = resources(bundle, "Practitioner")
    assert role["practitioner"] == {"reference": f"Practitioner/{practitioner['id']}"}
    references = resources(bundle, "DocumentReference")
    assert [r["id"] for r in references] == [reference_id(doc_id) for doc_id in listed]
    for reference, doc_id in zip(references, listed, strict=True):
        _assert_document_reference(probe, reference, patient_id, _served(probe, doc_id))


def _assert_document_reference(
    p: Probe, reference: Mapping[str, Any], patient_id: str, document: ServedDocument
) -> None:
    assert set(reference) == {
        "resourceType",
        "id",
        "meta",
        "identifier",
        "status",
        "type",
        "subject",
        "created",
        "indexed",
        "author",
        "custodian",
        "description",
        "content",
    }
    assert reference["meta"] == {"profile": [PROFILES + "CareConnect-GPC-DocumentReference-1"]}
    assert reference["identifier"][0]["system"].startswith("https://")
    assert reference["identifier"][0]["value"]
    assert reference["status"] == "current"
    assert reference["type"].get("text") or reference["type"]["coding"][0]["code"]
    assert reference["subject"] == {"reference": f"Patient/{patient_id}"}
    assert len(reference["author"]) == 1
    assert reference["custodian"]["reference"].startswith("Organization/")
    assert reference["indexed"] >= reference["created"]
    [content] = reference["content"]
    attachment = content["attachment"]
    assert attachment["contentType"] == document.content_type
    assert attachment["size"] == document.size
    if document.oversize:
        assert set(attachment) == {"contentType", "size", "title"}
        assert "5MB" in attachment["title"]
        return
    assert set(attachment) == {"contentType", "url", "size"}
    assert attachment["url"] == f"{p.base_url}/Binary/{document.id}"
    _assert_the_url_gives_the_document(p, attachment)


def _assert_the_url_gives_the_document(p: Probe, attachment: Mapping[str, Any]) -> None:
    """The chain's last link: the url's Binary, read from the service root, is the document
    the attachment describes."""
    binary_id = attachment["url"].rsplit("/Binary/", 1)[1]
    response = p.get(binary_id)
    assert response.status_code == 200
    binary = response.json()
    assert binary["id"] == binary_id
    assert binary["contentType"] == attachment["contentType"]
    assert len(base64.b64decode(binary["content"], validate=True)) == attachment["size"]


def test_a_patient_without_documents_has_an_empty_searchset(probe: Probe) -> None:
    response = probe.search_documents(PATIENT_3[1])
    assert response.status_code == 200
    bundle = response.json()
    _assert_searchset(bundle, probe.base_url)
    assert "entry" not in bundle


@pytest.mark.parametrize("left_out", range(len(INCLUDES)))
def test_each_mandatory_include_is_required(probe: Probe, left_out: int) -> None:
    params = [param for index, param in enumerate(INCLUDES) if index != left_out]
    response = probe.search_documents(PATIENT_1[1], params)
    diagnostics = _assert_error(response, 422, "invalid", "INVALID_PARAMETER")
    name, value = INCLUDES[left_out]
    assert f"{name}={value}" in diagnostics
    assert diagnostics.count("=") == 1


def test_a_search_without_parameters_names_all_five(probe: Probe) -> None:
    diagnostics = _assert_error(
        probe.search_documents(PATIENT_1[1], ()), 422, "invalid", "INVALID_PARAMETER"
    )
    assert all(f"{name}={value}" in diagnostics for name, value in INCLUDES)


def test_the_includes_may_come_in_any_order_beside_other_parameters(probe: Probe) -> None:
    params = [("_count", "5"), *reversed(INCLUDES), ("unknown", "x")]
    response = probe.search_documents(PATIENT_1[1], params)
    assert response.status_code == 200
    assert len(resources(response.json(), "DocumentReference")) == 4


@pytest.mark.parametrize("patient_id", ["gpc-patient-9", "GPC-PATIENT-1", PATIENT_1[0]])
def test_an_unknown_patient_id_is_patient_not_found(probe: Probe, patient_id: str) -> None:
    response = probe.search_documents(patient_id)
    _assert_error(response, 404, "not-found", "PATIENT_NOT_FOUND")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("created", "ge2024-02-01")], (LETTER_DOCX, LARGE_PDF, OVERSIZE_PDF)),
        ([("created", "le2024-02-20")], (SMALL_PDF, LETTER_DOCX)),
        ([("created", "ge2024-02-01"), ("created", "le2024-03-31")], (LETTER_DOCX, LARGE_PDF)),
        ([("created", "ge2024-03-10T00:00:00+00:00")], (LARGE_PDF, OVERSIZE_PDF)),
        ([("created", "le2024")], (SMALL_PDF, LETTER_DOCX, LARGE_PDF, OVERSIZE_PDF)),
        ([("author", f"{ODS}|B82617")], (SMALL_PDF, LARGE_PDF, OVERSIZE_PDF)),
        ([("author", f"{ODS}|X99999")], ()),
        ([("description", "DISCHARGE")], (LETTER_DOCX,)),
        ([("description", "scanned")], (LARGE_PDF, OVERSIZE_PDF)),
    ],
)
def test_the_optional_parameters_narrow_the_search(
    probe: Probe, params: list[tuple[str, str]], expected: tuple[str, ...]
) -> None:
    response = probe.search_documents(PATIENT_1[1], [*INCLUDES, *params])
    assert response.status_code == 200
    listed = [r["id"] for r in resources(response.json(), "DocumentReference")]
    assert listed == [reference_id(doc_id) for doc_id in expected]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("created", "2024-01-01"),
        ("created", "gt2024-01-01"),
        ("created", "ge01/02/2024"),
        ("author", "https://example.org/other|B82617"),
        ("author", "B82617"),
        ("author", f"{ODS}|"),
    ],
)
def test_an_unusable_optional_parameter_is_invalid_parameter(
    probe: Probe, name: str, value: str
) -> None:
    response = probe.search_documents(PATIENT_1[1], [*INCLUDES, (name, value)])
    diagnostics = _assert_error(response, 422, "invalid", "INVALID_PARAMETER")
    assert f"{name} parameter" in diagnostics


# -- checks shared with the Binary read -------------------------------------------------------


def _search(p: Probe, kind: str, **options: Any) -> httpx.Response:
    if kind == "find":
        return p.find_nhs_number(PATIENT_1[0], **options)
    return p.search_documents(PATIENT_1[1], **options)


@pytest.mark.parametrize("kind", ["find", "search"])
@pytest.mark.parametrize(
    "wrong", ["binary", "other search"], ids=["binary-interaction", "other-search-interaction"]
)
def test_each_endpoint_takes_its_own_interaction_id(probe: Probe, kind: str, wrong: str) -> None:
    other = {"find": DOCUMENT_SEARCH, "search": PATIENT_SEARCH}[kind]
    interaction = RELEASED_INTERACTION if wrong == "binary" else other
    response = _search(probe, kind, interaction=interaction)
    diagnostics = _assert_error(response, 400, "invalid", "BAD_REQUEST")
    assert "Ssp-InteractionID" in diagnostics


@pytest.mark.parametrize("interaction", [PATIENT_SEARCH, DOCUMENT_SEARCH])
def test_the_binary_read_refuses_the_search_interaction_ids(probe: Probe, interaction: str) -> None:
    response = probe.get(headers=probe.headers(Ssp_InteractionID=interaction))
    assert _assert_error(response, 400, "invalid", "BAD_REQUEST")


@pytest.mark.parametrize("kind", ["find", "search"])
@pytest.mark.parametrize(
    "broken",
    ["no-trace-id", "wrong-ssp-to", "no-token", "expired-token", "wrong-scope"],
)
def test_the_searches_check_spine_headers_and_the_token(
    probe: Probe, kind: str, broken: str
) -> None:
    interaction = PATIENT_SEARCH if kind == "find" else DOCUMENT_SEARCH
    headers = probe.headers(Ssp_InteractionID=interaction)
    if broken == "no-trace-id":
        del headers["Ssp-TraceID"]
    elif broken == "wrong-ssp-to":
        headers["Ssp-To"] = "999999999999"
    elif broken == "no-token":
        del headers["Authorization"]
    elif broken == "expired-token":
        headers["Authorization"] = bearer(valid_claims(1_600_000_000))
    else:
        headers["Authorization"] = bearer(valid_claims(requested_scope="patient/*.write"))
    _assert_error(_search(probe, kind, headers=headers), 400, "invalid", "BAD_REQUEST")


@pytest.mark.parametrize("kind", ["find", "search"])
def test_the_searches_require_a_client_certificate(probe: Probe, kind: str) -> None:
    path = "/Patient" if kind == "find" else f"/Patient/{PATIENT_1[1]}/DocumentReference"
    context = client_context(probe.provider.pki, cert=False)
    with httpx.Client(verify=context, timeout=5) as client, pytest.raises(httpx.TransportError):
        client.get(probe.base_url + path, headers=probe.headers())


def test_the_searches_are_served_through_the_proxy_prefix(probe: Probe) -> None:
    host = urlsplit(probe.base_url).netloc
    proxied = f"https://{host}/{probe.base_url}"
    find = probe.client.get(
        f"{proxied}/Patient",
        params={"identifier": f"{NHS_NUMBER_SYSTEM}|{PATIENT_2[0]}"},
        headers=probe.headers(Ssp_InteractionID=PATIENT_SEARCH),
    )
    assert find.status_code == 200
    [patient] = resources(find.json())
    search = probe.client.get(
        f"{proxied}/Patient/{patient['id']}/DocumentReference",
        params=INCLUDES,
        headers=probe.headers(Ssp_InteractionID=DOCUMENT_SEARCH),
    )
    assert search.status_code == 200
    [reference] = resources(search.json(), "DocumentReference")
    # The url names the provider's own service root, never the proxy's.
    assert reference["content"][0]["attachment"]["url"] == f"{probe.base_url}/Binary/{NOTE_TXT}"


def test_the_searches_answer_in_xml_with_nested_resources(probe: Probe) -> None:
    response = probe.search_documents(PATIENT_1[1])
    xml = probe.search_documents(
        PATIENT_1[1],
        headers=probe.headers(Ssp_InteractionID=DOCUMENT_SEARCH, Accept="application/fhir+xml"),
    )
    assert xml.status_code == 200
    assert xml.headers["Content-Type"] == "application/fhir+xml;charset=utf-8"
    root = ET.fromstring(xml.content)
    assert root.tag == f"{NS}Bundle"
    entries = root.findall(f"{NS}entry")
    assert len(entries) == len(response.json()["entry"])
    kinds = [entry.find(f"{NS}resource/*") for entry in entries]
    assert [kind.tag.removeprefix(NS) for kind in kinds if kind is not None] == [
        r["resourceType"] for r in resources(response.json())
    ]
    attachment = root.find(
        f"{NS}entry/{NS}resource/{NS}DocumentReference/{NS}content/{NS}attachment"
    )
    assert attachment is not None
    assert [child.tag.removeprefix(NS) for child in attachment] == ["contentType", "url", "size"]


@pytest.mark.parametrize(
    "path",
    [
        f"/Patient/{PATIENT_1[1]}",
        f"/Patient/{PATIENT_1[1]}/DocumentReference/x",
        "/Patient//DocumentReference",
        "/patient",
        f"/Patient/{PATIENT_1[1]}/documentreference",
        "/DocumentReference",
    ],
)
def test_other_paths_are_still_no_record_found(probe: Probe, path: str) -> None:
    response = probe.get(path=path, headers=probe.headers(Ssp_InteractionID=DOCUMENT_SEARCH))
    _assert_error(response, 404, "not-found", "NO_RECORD_FOUND")


@pytest.mark.parametrize("fault", ["serve-post", "accept-other-methods", "serve-options"])
def test_the_method_faults_bend_the_binary_read_only(fault: str) -> None:
    method = {"serve-post": "POST", "accept-other-methods": "PUT", "serve-options": "OPTIONS"}
    with running(faults=frozenset({fault})) as p:
        assert p.get(method=method[fault]).status_code == 200
        refused = p.find_nhs_number(PATIENT_1[0], method=method[fault])
        _assert_error(refused, 400, "invalid", "BAD_REQUEST")


# -- other spec versions ----------------------------------------------------------------------


def test_spec_1_0_has_no_size_limit_so_the_oversize_document_is_listed_with_its_url() -> None:
    with running(spec="1.0") as p:
        bundle = p.search_documents(PATIENT_1[1]).json()
        references = resources(bundle, "DocumentReference")
        assert len(references) == 4
        for reference, doc_id in zip(references, DOCUMENTS_OF[PATIENT_1[1]], strict=True):
            _assert_document_reference(p, reference, PATIENT_1[1], _served_available(p, doc_id))


def _served_available(p: Probe, doc_id: str) -> ServedDocument:
    """The document as spec 1.0 serves it: nothing is over a size limit."""
    return replace(_served(p, doc_id), oversize=False)


def test_the_draft_spec_takes_its_own_search_interaction_ids() -> None:
    with running(spec="draft") as p:
        assert p.find_nhs_number(PATIENT_2[0]).status_code == 200
        assert p.search_documents(PATIENT_2[1]).status_code == 200
        released = p.headers(Ssp_InteractionID=PATIENT_SEARCH)
        refused = p.find_nhs_number(PATIENT_2[0], headers=released)
        _assert_error(refused, 400, "invalid", "BAD_REQUEST")
        assert "Ssp-InteractionID" in issue(refused)["diagnostics"]
