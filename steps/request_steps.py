"""Given and When steps: which request is built, and sending it."""

from collections.abc import Callable

from pytest_bdd import given, when

from gpc_assure.config import DocumentExpectation, ProviderConfig
from gpc_assure.evidence import Exchange
from gpc_assure.request import RetrieveRequest, valid_request


@given("a valid request for the configured document", target_fixture="retrieve_request")
def request_for_configured_document(
    provider_config: ProviderConfig, configured_document: DocumentExpectation
) -> RetrieveRequest:
    return valid_request(provider_config, configured_document.id)


@given("a valid request for a document that does not exist", target_fixture="retrieve_request")
def request_for_unknown_document(provider_config: ProviderConfig) -> RetrieveRequest:
    return valid_request(provider_config, provider_config.unknown_document_id)


@when("the request is sent", target_fixture="exchange")
def request_is_sent(
    send: Callable[[RetrieveRequest], Exchange], retrieve_request: RetrieveRequest
) -> Exchange:
    return send(retrieve_request)
