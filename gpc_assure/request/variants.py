"""Derived requests: unknown ids of several shapes, other interaction ids, header letter case."""

import random
import uuid
from dataclasses import replace
from enum import Enum

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.request.retrieve import RetrieveRequest, binary_url, valid_request
from gpc_assure.spec.versions import (
    DOCUMENT_SEARCH,
    DRAFT_BINARY_READ,
    METADATA_READ,
    RELEASED_BINARY_READ,
)

SPINE_HEADERS = ("Ssp-TraceID", "Ssp-From", "Ssp-To", "Ssp-InteractionID")
FHIR_ID_MAX = 64


class IdShape(Enum):
    """Shapes of unknown ids; each value is how a scenario names it."""

    LONG = "64 characters long"
    DOTS_AND_DASHES = "made of dots and dashes"
    NUMERIC = "numeric"
    PERCENT_ENCODED = "percent-encoded in the URL"


class OtherInteraction(Enum):
    """Interaction ids that do not belong to this endpoint; values as scenarios name them."""

    DOCUMENT_SEARCH = "DocumentReference search"
    METADATA_READ = "metadata read"
    OTHER_BINARY_READ = "other specification's binary read"


def unknown_id(shape: IdShape) -> str:
    """A fresh id of the given shape that no provider holds."""
    token = uuid.uuid4().hex
    if shape is IdShape.LONG:
        return ("gpc-assure-missing-" + token + token)[:FHIR_ID_MAX]
    if shape is IdShape.DOTS_AND_DASHES:
        return f"gpc.assure-missing.{token[:8]}-{token[8:12]}.v1"
    if shape is IdShape.NUMERIC:
        return str(random.SystemRandom().randrange(10**17, 10**18))
    return f"gpc-assure-missing-{token}"


def unknown_id_request(config: ProviderConfig, shape: IdShape, document_id: str) -> RetrieveRequest:
    request = valid_request(config, document_id)
    if shape is not IdShape.PERCENT_ENCODED:
        return request
    plain = binary_url(config, document_id)
    head, _, _ = plain.rpartition("/")
    # RFC 3986 makes %67 and "g" the same character: the provider must decode before lookup.
    encoded = "".join(f"%{ord(c):02X}" for c in document_id[:6]) + document_id[6:]
    return replace(request, url=f"{head}/{encoded}")


def other_interaction_id(interaction: OtherInteraction, spec: str) -> str:
    """An interaction id that does not belong to this endpoint for `spec`."""
    if interaction is OtherInteraction.DOCUMENT_SEARCH:
        return DOCUMENT_SEARCH
    if interaction is OtherInteraction.METADATA_READ:
        return METADATA_READ
    return RELEASED_BINARY_READ if spec == "draft" else DRAFT_BINARY_READ


def recased_headers(request: RetrieveRequest, names: tuple[str, ...], case: str) -> RetrieveRequest:
    """The same request with the named headers' names in `lower` or `upper` case."""
    change = {"lower": str.lower, "upper": str.upper}[case]
    for name in names:
        value = request.header(name)
        if value is not None:
            request = request.with_header(change(name), value)
    return request


def swapped_case(document_id: str) -> str | None:
    """The id with every letter's case swapped, or None when that changes nothing."""
    swapped = document_id.swapcase()
    return None if swapped == document_id else swapped
