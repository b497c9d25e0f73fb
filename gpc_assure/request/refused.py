"""Requests every provider must refuse, one of each kind of error: for the checks that hold for
every error response (caching and media-type headers), whatever the error."""

from enum import Enum

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.request.retrieve import RetrieveRequest, valid_request


class Refused(Enum):
    """Kinds of request every provider refuses; each value is how a scenario names it."""

    UNKNOWN_DOCUMENT = "a document that does not exist"
    NO_TRACE_ID = "no Ssp-TraceID header"
    NO_AUTHORIZATION = "no Authorization header"
    UNSUPPORTED_FORMAT = "an unsupported format"
    DELETE = "the DELETE method"


def refused_request(config: ProviderConfig, kind: Refused) -> RetrieveRequest:
    """A request of `kind` for an otherwise valid read."""
    if kind is Refused.UNKNOWN_DOCUMENT:
        return valid_request(config, config.unknown_document_id)
    document = config.documents[0].id if config.documents else config.unknown_document_id
    request = valid_request(config, document)
    if kind is Refused.NO_TRACE_ID:
        return request.without_header("Ssp-TraceID")
    if kind is Refused.NO_AUTHORIZATION:
        return request.without_header("Authorization")
    if kind is Refused.UNSUPPORTED_FORMAT:
        return request.with_header("Accept", "application/fhir+turtle")
    return request.with_method("DELETE")
