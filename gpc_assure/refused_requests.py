"""Requests every provider must refuse, one of each kind of error: for the checks that hold for
every error response (caching and media-type headers), whatever the error."""

from gpc_assure.config import ProviderConfig
from gpc_assure.request import RetrieveRequest, valid_request

REFUSED_KINDS = (
    "a document that does not exist",
    "no Ssp-TraceID header",
    "no Authorization header",
    "an unsupported format",
    "the DELETE method",
)


def refused_request(config: ProviderConfig, kind: str) -> RetrieveRequest:
    """A request of `kind` (one of REFUSED_KINDS) for an otherwise valid read."""
    if kind == "a document that does not exist":
        return valid_request(config, config.unknown_document_id)
    document = config.documents[0].id if config.documents else config.unknown_document_id
    request = valid_request(config, document)
    if kind == "no Ssp-TraceID header":
        return request.without_header("Ssp-TraceID")
    if kind == "no Authorization header":
        return request.without_header("Authorization")
    if kind == "an unsupported format":
        return request.with_header("Accept", "application/fhir+turtle")
    if kind == "the DELETE method":
        return request.with_method("DELETE")
    raise ValueError(f"unknown kind of refused request {kind!r}; known: {', '.join(REFUSED_KINDS)}")
