"""Given and When steps: which request is built, how it is varied, and sending it.

Every request starts as the one valid request (`gpc_assure.request.retrieve.valid_request`); each
variant step changes one thing about it and hands the result on as `retrieve_request`.
"""

from collections.abc import Callable

import pytest
from pytest_bdd import given, parsers, when

from gpc_assure.config.provider_config import DocumentExpectation, ProviderConfig
from gpc_assure.request.refused import Refused, refused_request
from gpc_assure.request.retrieve import RetrieveRequest, valid_request
from gpc_assure.request.variants import (
    SPINE_HEADERS,
    IdShape,
    OtherInteraction,
    other_interaction_id,
    recased_headers,
    swapped_case,
    unknown_id,
    unknown_id_request,
)
from gpc_assure.transport.exchange import Exchange

REQUEST = "retrieve_request"


@given("a valid request for the configured document", target_fixture=REQUEST)
def request_for_configured_document(
    provider_config: ProviderConfig, configured_document: DocumentExpectation
) -> RetrieveRequest:
    return valid_request(provider_config, configured_document.id)


@given("a valid request for the first configured document", target_fixture=REQUEST)
def request_for_first_document(provider_config: ProviderConfig) -> RetrieveRequest:
    if not provider_config.documents:
        pytest.skip("no document is configured (documents / --document-id)")
    return valid_request(provider_config, provider_config.documents[0].id)


@given(
    "a valid request for the first configured document with its id in other letter case",
    target_fixture=REQUEST,
)
def request_for_recased_document(provider_config: ProviderConfig) -> RetrieveRequest:
    if not provider_config.documents:
        pytest.skip("no document is configured (documents / --document-id)")
    recased = swapped_case(provider_config.documents[0].id)
    if recased is None:
        pytest.skip("the first configured document id has no letters to change the case of")
    return valid_request(provider_config, recased)


@given(
    parsers.re(r"a valid request for the (?P<which>large|oversize) document"),
    target_fixture=REQUEST,
)
def request_for_named_document(provider_config: ProviderConfig, which: str) -> RetrieveRequest:
    field = {"large": "large_document_id", "oversize": "oversize_document_id"}[which]
    document_id: str | None = getattr(provider_config, field)
    if document_id is None:
        pytest.skip(f"no {field} is configured")
    return valid_request(provider_config, document_id)


@given("a valid request for the largest configured document", target_fixture=REQUEST)
def request_for_largest_document(provider_config: ProviderConfig) -> RetrieveRequest:
    """The large_document_id when configured (compression is worth most there), else the first."""
    if provider_config.large_document_id:
        return valid_request(provider_config, provider_config.large_document_id)
    return request_for_first_document(provider_config)


@given("a valid request for a document that does not exist", target_fixture=REQUEST)
def request_for_unknown_document(provider_config: ProviderConfig) -> RetrieveRequest:
    return valid_request(provider_config, provider_config.unknown_document_id)


@given(
    parsers.parse("a valid request for an unknown document id that is {shape}"),
    target_fixture=REQUEST,
)
def request_for_unknown_shape(provider_config: ProviderConfig, shape: str) -> RetrieveRequest:
    id_shape = IdShape(shape)
    return unknown_id_request(provider_config, id_shape, unknown_id(id_shape))


@given(parsers.parse("a request the provider must refuse: {kind}"), target_fixture=REQUEST)
def request_to_refuse(provider_config: ProviderConfig, kind: str) -> RetrieveRequest:
    return refused_request(provider_config, Refused(kind))


@given(parsers.parse("the request has no {header} header"), target_fixture=REQUEST)
def without_header(retrieve_request: RetrieveRequest, header: str) -> RetrieveRequest:
    return retrieve_request.without_header(header)


@given(parsers.parse("the request's {header} header is empty"), target_fixture=REQUEST)
def empty_header(retrieve_request: RetrieveRequest, header: str) -> RetrieveRequest:
    return retrieve_request.with_header(header, "")


@given(parsers.parse('the request\'s {header} header is "{value}"'), target_fixture=REQUEST)
def header_value(retrieve_request: RetrieveRequest, header: str, value: str) -> RetrieveRequest:
    return retrieve_request.with_header(header, value)


@given("the request's Ssp-To header names another ASID", target_fixture=REQUEST)
def other_asid(
    retrieve_request: RetrieveRequest, provider_config: ProviderConfig
) -> RetrieveRequest:
    other = "999999999999" if provider_config.provider_asid != "999999999999" else "888888888888"
    return retrieve_request.with_header("Ssp-To", other)


@given(
    parsers.parse("the request's Ssp-InteractionID is the {interaction} interaction id"),
    target_fixture=REQUEST,
)
def other_interaction(
    retrieve_request: RetrieveRequest, provider_config: ProviderConfig, interaction: str
) -> RetrieveRequest:
    value = other_interaction_id(OtherInteraction(interaction), provider_config.spec)
    return retrieve_request.with_header("Ssp-InteractionID", value)


@given(
    parsers.parse("the request's Spine header names are in {case} letters"),
    target_fixture=REQUEST,
)
def recased_spine_headers(retrieve_request: RetrieveRequest, case: str) -> RetrieveRequest:
    return recased_headers(retrieve_request, SPINE_HEADERS, case)


@given(parsers.parse('the request asks for "{media}" with _format'), target_fixture=REQUEST)
def format_parameter(retrieve_request: RetrieveRequest, media: str) -> RetrieveRequest:
    return retrieve_request.with_query("_format", media)


@given(parsers.parse("the request method is {method}"), target_fixture=REQUEST)
def request_method(retrieve_request: RetrieveRequest, method: str) -> RetrieveRequest:
    """The verb changes, nothing else: no body is added, so a refusal is about the verb."""
    return retrieve_request.with_method(method)


@given(
    parsers.parse('the request\'s resource type in the URL is "{resource_type}"'),
    target_fixture=REQUEST,
)
def resource_type_in_url(retrieve_request: RetrieveRequest, resource_type: str) -> RetrieveRequest:
    return retrieve_request.with_resource_type(resource_type)


@when("the request is sent", target_fixture="exchange")
def request_is_sent(
    send: Callable[[RetrieveRequest], Exchange], retrieve_request: RetrieveRequest
) -> Exchange:
    return send(retrieve_request)
