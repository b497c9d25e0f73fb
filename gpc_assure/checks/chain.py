"""Expectations on the consumer's path to a document: the two searches' answers and what a
found DocumentReference's attachment says about the Binary it names. Each returns an
Observation, as `expect` does; an answer the path cannot use is unmet, never an exception."""

from gpc_assure.checks.expect import (
    Observation,
    Unobservable,
    binary_content_type_is,
    judged_on,
    observe,
)
from gpc_assure.discovery.attachment import UrlForm
from gpc_assure.discovery.bundle import DiscoveryProblem, Searchset, read_searchset
from gpc_assure.discovery.chain import FoundDocument
from gpc_assure.spec.base64_text import decode_base64
from gpc_assure.spec.json_reading import PartialList
from gpc_assure.transport.exchange import Exchange

OTHER_SYSTEM_REFUSALS = {422: "INVALID_PARAMETER", 400: "INVALID_IDENTIFIER_SYSTEM"}
"""How a provider may refuse an identifier of another system: the Find a Patient page's error
table (422 INVALID_PARAMETER) or the error-handling guidance (400 INVALID_IDENTIFIER_SYSTEM)."""


def _searchset(exchange: Exchange) -> Searchset:
    read = read_searchset(exchange)
    if isinstance(read, DiscoveryProblem):
        raise Unobservable(read.reason)
    return read


def searchset_bundle(exchange: Exchange) -> Observation:
    """HTTP 200 with a Bundle of type searchset (patients or documents found or not)."""

    def check() -> tuple[bool | None, str]:
        searchset = _searchset(exchange)
        return True, (
            f"a searchset Bundle of {searchset.entries} entries ({len(searchset.patients)} "
            f"Patient, {len(searchset.documents)} DocumentReference)"
        )

    return observe("HTTP 200 and a Bundle of type searchset", check)


def patient_with_nhs_number(exchange: Exchange, nhs_number: str) -> Observation:
    """The searchset holds a Patient with a logical id whose identifier carries the number."""

    def check() -> tuple[bool | None, str]:
        searchset = _searchset(exchange)
        matching = [p for p in searchset.patients if nhs_number in p.nhs_numbers]
        with_id = [p for p in matching if p.id is not None]
        if with_id:
            return True, f"{len(with_id)} Patient(s) with this NHS number, id {with_id[0].id!r}"
        if matching:
            return False, "a Patient with this NHS number but no usable id: " + "; ".join(
                matching[0].remarks
            )
        if searchset.patients:
            return False, f"{len(searchset.patients)} Patient(s), none carrying the NHS number"
        return None, (
            f"no Patient carries NHS number {nhs_number} ({len(searchset.patients)} Patient "
            "entries): it may not be a patient registered here, so the provider is not judged"
        )

    return judged_on(f"a Patient with an id and NHS number {nhs_number}", check)


def no_patient_through_other_system(exchange: Exchange, nhs_number: str) -> Observation:
    """The number under another identifier system finds no Patient: refused, or none found."""
    expected = (
        "HTTP 422 INVALID_PARAMETER, HTTP 400 INVALID_IDENTIFIER_SYSTEM, or a searchset with no "
        f"Patient carrying {nhs_number}"
    )

    def check() -> tuple[bool | None, str]:
        if exchange.response is None:
            raise Unobservable(f"no answer: {exchange.error}")
        status = exchange.response.status
        if status in OTHER_SYSTEM_REFUSALS:
            return True, f"HTTP {status}"
        searchset = _searchset(exchange)
        found = [p for p in searchset.patients if nhs_number in p.nhs_numbers]
        if found:
            return False, f"{len(found)} Patient(s) found through the other system"
        return True, "a searchset with no Patient carrying the number"

    return observe(expected, check)


def attachment_names_binary(document: FoundDocument, size_limit: int | None) -> Observation:
    """An available document's url is absolute and names a Binary; a placeholder (no url, and a
    title or a size over `size_limit`) is not judged here."""
    expected = "attachment.url the full URL of a Binary ([service root]/Binary/[id])"
    if document.url_form in (UrlForm.SAME_ROOT, UrlForm.OTHER_ROOT):
        return Observation(True, expected, f"url {document.url!r}")
    if document.url_form is UrlForm.ABSENT:
        if document.title:
            return Observation(None, expected, f"a placeholder: no url, title {document.title!r}")
        if size_limit is not None and document.size is not None and document.size > size_limit:
            return Observation(
                None, expected, f"no url for a document of {document.size:,} bytes, over the limit"
            )
        return Observation(False, expected, "no url and no title saying why")
    return Observation(False, expected, f"url {document.url!r}: {document.url_reason}")


def attachment_on_service_root(document: FoundDocument) -> Observation:
    """The url lies on the service root the search was sent to (judged on absolute Binary urls)."""
    expected = "attachment.url on the searched service root"
    if document.url_form is UrlForm.SAME_ROOT:
        return Observation(True, expected, f"url {document.url!r}")
    if document.url_form is UrlForm.OTHER_ROOT:
        return Observation(False, expected, f"url {document.url!r}: {document.url_reason}")
    return Observation(None, expected, f"not an absolute Binary url ({document.url_form})")


def binary_content_type_is_attachments(exchange: Exchange, document: FoundDocument) -> Observation:
    """The Binary's contentType is the attachment's, compared as media types."""
    if document.content_type is None:
        return Observation(None, "the attachment's contentType", "the attachment gives none")
    return binary_content_type_is(exchange, document.content_type)


def binary_size_is_attachments(exchange: Exchange, document: FoundDocument) -> Observation:
    """The Binary's decoded content is attachment.size bytes long."""
    expected = f"{document.size} bytes of decoded content (attachment.size)"

    def check() -> tuple[bool | None, str]:
        if document.size is None:
            return None, "the attachment gives no size"
        try:
            body = exchange.json_body
        except ValueError as exc:
            raise Unobservable(f"a body that is not JSON: {exc}") from None
        content = body.get("content") if isinstance(body, dict) else None
        if isinstance(body, PartialList) or not isinstance(content, str):
            raise Unobservable("no Binary content to measure")
        decoded = decode_base64(content)
        if decoded.data is None:
            raise Unobservable("Binary content that is not valid base64")
        return len(decoded.data) == document.size, f"{len(decoded.data)} bytes"

    return judged_on(expected, check)


def placeholder_says_why(document: FoundDocument) -> Observation:
    """A document over the limit carries a title (its wording is not judged)."""
    expected = "attachment.title saying the document was not returned because of its size"
    if document.title:
        return Observation(True, expected, f"title {document.title!r}")
    return Observation(False, expected, "no title")


def placeholder_offers_no_url(document: FoundDocument) -> Observation:
    """A placeholder with no url offers nothing to retrieve: the refusal does not arise."""
    return Observation(
        None,
        "a kept url answered 404 NO_RECORD_FOUND",
        f"the placeholder offers no url ({document.provenance}): nothing to retrieve",
    )
