"""The chain's expectations: each met by the conformant answer, unmet by the defect it names,
and not judged where the answer is another requirement's to judge."""

import base64
import json

import pytest
from discovery_testkit import (
    BASE,
    FakeProvider,
    answer,
    attachment,
    document_reference,
    exchange,
    make_config,
    patient,
    searchset,
)

from gpc_assure.checks import chain
from gpc_assure.discovery.chain import FoundDocument, discover
from gpc_assure.request.retrieve import valid_request
from gpc_assure.transport.exchange import Exchange

NHS = "9690937278"
LIMIT = 5_000_000


def found(
    binary_id: str | None = None,
    content_type: str = "application/pdf",
    size: object = 1000,
    **extra: object,
) -> FoundDocument:
    """The one document a fake provider lists with this attachment."""
    config = make_config()
    listed = attachment(binary_id, content_type, size, **extra)
    bundle = searchset(document_reference("ref-1", "p1", listed))
    provider = FakeProvider(config).finds(NHS, searchset(patient("p1", NHS))).holds("p1", bundle)
    (document,) = discover(provider.send, config, [NHS]).documents
    return document


def binary_answer(data: bytes, content_type: str = "application/pdf") -> Exchange:
    binary = {
        "resourceType": "Binary",
        "id": "doc-1",
        "contentType": content_type,
        "content": base64.b64encode(data).decode(),
    }
    return exchange(valid_request(make_config(), "doc-1"), 200, json.dumps(binary).encode())


def test_a_searchset_is_met_and_a_collection_is_not() -> None:
    assert chain.searchset_bundle(answer(200, searchset(patient("p1", NHS)))).met is True
    collection = {**searchset(patient("p1", NHS)), "type": "collection"}
    observation = chain.searchset_bundle(answer(200, collection))
    assert observation.met is False
    assert "collection" in observation.observed


def test_the_patient_is_found_or_the_number_is_not_judged() -> None:
    assert chain.patient_with_nhs_number(answer(200, searchset(patient("p1", NHS))), NHS).met
    empty = chain.patient_with_nhs_number(answer(200, searchset()), NHS)
    assert empty.met is None
    assert "not judged" in empty.observed


@pytest.mark.parametrize(
    ("status", "body", "met"),
    [
        (422, b"", True),
        (400, b"", True),
        (200, searchset(), True),
        (200, searchset(patient("p1", NHS)), False),
    ],
)
def test_another_identifier_system_finds_no_patient(status: int, body: object, met: bool) -> None:
    assert chain.no_patient_through_other_system(answer(status, body), NHS).met is met


def test_an_absolute_binary_url_is_met_and_a_relative_one_is_not() -> None:
    assert chain.attachment_names_binary(found(binary_id="doc-1"), LIMIT).met is True
    relative = found(url="Binary/doc-1")
    assert chain.attachment_names_binary(relative, LIMIT).met is False
    assert (
        chain.attachment_on_service_root(
            relative,
        ).met
        is None
    )


def test_a_placeholder_is_not_judged_for_its_url_but_a_bare_entry_is() -> None:
    titled = found(title="Not available: over 5 MB")
    assert chain.attachment_names_binary(titled, LIMIT).met is None
    oversize = found(size=6_000_000)
    assert chain.attachment_names_binary(oversize, LIMIT).met is None
    assert chain.attachment_names_binary(found(), LIMIT).met is False


def test_a_url_on_another_root_is_unmet_on_the_service_root() -> None:
    foreign = found(url="https://elsewhere.example/fhir/Binary/doc-1")
    assert chain.attachment_names_binary(foreign, LIMIT).met is True
    assert chain.attachment_on_service_root(foreign).met is False
    assert chain.attachment_on_service_root(found(binary_id="doc-1")).met is True
    assert BASE.startswith("https://provider.example")


def test_the_binary_matches_the_attachments_type_and_size() -> None:
    document = found(binary_id="doc-1", content_type="application/pdf", size=5)
    retrieved = binary_answer(b"%PDF-")
    assert chain.binary_content_type_is_attachments(retrieved, document).met is True
    assert chain.binary_size_is_attachments(retrieved, document).met is True
    other = binary_answer(b"%PDF-1", content_type="image/png")
    assert chain.binary_content_type_is_attachments(other, document).met is False
    assert chain.binary_size_is_attachments(other, document).met is False


def test_the_size_is_not_judged_without_a_binary_to_measure() -> None:
    document = found(binary_id="doc-1", size=5)
    not_binary = exchange(valid_request(make_config(), "doc-1"), 200, b"[]")
    assert chain.binary_size_is_attachments(not_binary, document).met is None


def test_a_placeholder_says_why_with_a_title() -> None:
    assert chain.placeholder_says_why(found(size=6_000_000, title="Too large")).met is True
    assert chain.placeholder_says_why(found(size=6_000_000)).met is False
    assert chain.placeholder_offers_no_url(found(size=6_000_000)).met is None
