"""Steps of the consumer's path to a document: Find a Patient, the document search, and what a
found DocumentReference's attachment says about the Binary it names."""

from collections.abc import Callable

from pytest_bdd import given, parsers, then

from gpc_assure.checks import chain
from gpc_assure.checks.verdict import Judge
from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.discovery.chain import FoundDocument
from gpc_assure.request.retrieve import RetrieveRequest, valid_request
from gpc_assure.request.search import (
    OTHER_IDENTIFIER_SYSTEM,
    document_search_request,
    patient_search_request,
)
from gpc_assure.spec.versions import spec_version
from gpc_assure.transport.exchange import Exchange
from steps.response_steps import request_rejected

REQUEST = "retrieve_request"


@given("a Find a Patient request for the NHS number", target_fixture=REQUEST)
def find_patient_request(provider_config: ProviderConfig, nhs_number: str) -> RetrieveRequest:
    return patient_search_request(provider_config, nhs_number)


@given(
    "a Find a Patient request for the NHS number under another identifier system",
    target_fixture=REQUEST,
)
def find_patient_other_system(provider_config: ProviderConfig, nhs_number: str) -> RetrieveRequest:
    return patient_search_request(provider_config, nhs_number, system=OTHER_IDENTIFIER_SYSTEM)


@given("a document search request for the found patient", target_fixture=REQUEST)
def document_search(
    provider_config: ProviderConfig, found_patient: tuple[str, str]
) -> RetrieveRequest:
    return document_search_request(provider_config, found_patient[1])


@given("a valid request for the Binary the found document names", target_fixture=REQUEST)
def request_for_found_binary(
    provider_config: ProviderConfig, found_document: FoundDocument
) -> RetrieveRequest:
    assert found_document.binary_id is not None, "retrievable found documents name a Binary"
    return valid_request(provider_config, found_document.binary_id)


@given("the found document")
def the_found_document(found_document: FoundDocument) -> None:
    """The document the scenario judges (its discovery is in discovery.json)."""


@then(parsers.parse("the response is a searchset Bundle ({req})"))
def searchset_bundle(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, chain.searchset_bundle(exchange))


@then(parsers.parse("the Bundle holds a Patient with the NHS number ({req})"))
def patient_found(judge: Judge, exchange: Exchange, nhs_number: str, req: str) -> None:
    judge(req, chain.patient_with_nhs_number(exchange, nhs_number))


@then(parsers.parse("no Patient is found through the other system ({req})"))
def no_patient_other_system(judge: Judge, exchange: Exchange, nhs_number: str, req: str) -> None:
    judge(req, chain.no_patient_through_other_system(exchange, nhs_number))


@then(parsers.parse("its attachment url is the full URL of a Binary ({req})"))
def url_names_binary(
    judge: Judge, provider_config: ProviderConfig, found_document: FoundDocument, req: str
) -> None:
    limit = spec_version(provider_config.spec).size_limit_bytes
    judge(req, chain.attachment_names_binary(found_document, limit))


@then(parsers.parse("its attachment url is on the searched service root ({req})"))
def url_on_service_root(judge: Judge, found_document: FoundDocument, req: str) -> None:
    judge(req, chain.attachment_on_service_root(found_document))


@then(parsers.parse("the Binary contentType is the attachment's ({req})"))
def content_type_is_attachments(
    judge: Judge, exchange: Exchange, found_document: FoundDocument, req: str
) -> None:
    judge(req, chain.binary_content_type_is_attachments(exchange, found_document))


@then(parsers.parse("the Binary's decoded size is the attachment's size ({req})"))
def size_is_attachments(
    judge: Judge, exchange: Exchange, found_document: FoundDocument, req: str
) -> None:
    judge(req, chain.binary_size_is_attachments(exchange, found_document))


@then(parsers.parse("its attachment has a title saying why it is not offered ({req})"))
def placeholder_title(judge: Judge, found_document: FoundDocument, req: str) -> None:
    judge(req, chain.placeholder_says_why(found_document))


@then(parsers.parse("a url it still carries answers {alternatives} ({req})"))
def kept_url_refused(
    judge: Judge,
    send: Callable[[RetrieveRequest], Exchange],
    provider_config: ProviderConfig,
    found_document: FoundDocument,
    alternatives: str,
    req: str,
) -> None:
    """A placeholder that keeps its url: that Binary is refused as a document over the limit."""
    if found_document.binary_id is None:
        judge(req, chain.placeholder_offers_no_url(found_document))
        return
    exchange = send(valid_request(provider_config, found_document.binary_id))
    request_rejected(judge, exchange, provider_config, alternatives, req)
