"""A search answer read as a searchset Bundle into plain values: its Patients (id, NHS numbers)
and its DocumentReferences (id, subject, each content[] attachment).

The body is read by `Exchange.json_read` (within the bounds of `spec.json_reading`: each array's
first MAX_ENTRIES items, limited depth and size); strings kept from it are shortened. An answer
that is not a 200 searchset Bundle is a `DiscoveryProblem` with a one-line reason, never an
exception. A value present but unusable (a size that is not a whole number, an id that is not a
FHIR id) is kept as a remark on its resource rather than dropping the resource.
"""

from dataclasses import dataclass
from typing import Any

from gpc_assure.config.fields import Invalid, check_fhir_id
from gpc_assure.spec.json_reading import MAX_ARRAY_ITEMS, PartialList
from gpc_assure.spec.nhs_number import NHS_NUMBER_SYSTEM
from gpc_assure.spec.spine_codes import SPINE_SYSTEMS
from gpc_assure.transport.exchange import Exchange

MAX_ENTRIES = MAX_ARRAY_ITEMS
"""Entries examined in one Bundle (and content[] items in one DocumentReference): the JSON
reader keeps no more of any array."""
MAX_TEXT_CHARS = 256
"""Longest contentType, title, subject reference or identifier value kept (longer ones are cut,
saying so)."""
MAX_SHOWN_CHARS = 60
"""Longest provider value quoted in a reason or remark."""


def shown(value: object) -> str:
    """A provider value as a reason quotes it, always on one line: a short repr of a string, a
    JSON literal, a (not too long) number, else the JSON type's name."""
    if isinstance(value, str):
        if len(value) <= MAX_SHOWN_CHARS:
            return repr(value)
        return f"{value[:MAX_SHOWN_CHARS]!r}... ({len(value):,} characters)"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return repr(value) if value.bit_length() < 64 else "a number of more than 19 digits"
    if isinstance(value, float):
        return repr(value)
    return json_type(value)


def json_type(value: object) -> str:
    """The JSON type of a parsed value, as a reason names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def one_line(text: str, limit: int = 300) -> str:
    """`text` on one line (runs of whitespace made one space), cut at `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def fhir_id(value: object) -> str | None:
    """`value` when it is a FHIR id (1 to 64 of A-Z a-z 0-9 - .), else None."""
    try:
        return check_fhir_id(value)
    except Invalid:
        return None


@dataclass(frozen=True)
class DiscoveryProblem:
    """Why a discovery step found nothing to go on: a one-line reason, with what was asked."""

    reason: str
    step: str = ""
    """The step that met it: "Find a Patient" or "DocumentReference search"."""
    asked: str = ""
    """What that step asked for: "NHS number N" or "Patient ID"."""
    exchange_index: int | None = None
    """The exchange that showed it (an index into `Discovery.exchanges`), if any."""
    status: int | None = None
    """The provider's HTTP status, when it answered."""

    def __str__(self) -> str:
        return f"{self.step} for {self.asked}: {self.reason}" if self.step else self.reason


@dataclass(frozen=True)
class BundlePatient:
    """A Patient entry: its id (None when absent or not a FHIR id) and its NHS numbers."""

    id: str | None
    nhs_numbers: tuple[str, ...]
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class BundleAttachment:
    """One `content[index].attachment` of a DocumentReference."""

    index: int
    url: object
    """As the Bundle gives it (None when absent): a url is classified, never shortened, here."""
    content_type: str | None
    size: int | None
    """Bytes of the document, when given as a whole number of 0 or more."""
    title: str | None
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class BundleDocument:
    """A DocumentReference entry: id (None when absent or not a FHIR id), subject reference and
    attachments (none when it has no usable content)."""

    id: str | None
    subject: str | None
    attachments: tuple[BundleAttachment, ...]
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Searchset:
    """What a searchset Bundle holds, as far as the discovery needs it."""

    patients: tuple[BundlePatient, ...]
    documents: tuple[BundleDocument, ...]
    entries: int
    """Entries the Bundle holds."""
    examined: int
    """Entries examined (at most MAX_ENTRIES)."""
    notes: tuple[str, ...] = ()
    """What was not examined or followed, and entries skipped, in words."""


def read_searchset(exchange: Exchange) -> Searchset | DiscoveryProblem:
    """The exchange's answer as a searchset Bundle, or why it is not one."""
    response = exchange.response
    if response is None:
        return DiscoveryProblem(f"no answer: {one_line(exchange.error or 'none recorded')}")
    if response.status != 200:
        code = _spine_code(exchange)
        detail = f" (Spine code {code})" if code else ""
        return DiscoveryProblem(f"answered HTTP {response.status}{detail}", status=response.status)
    try:
        body = exchange.json_body
    except ValueError as exc:  # not UTF-8, not JSON, or beyond the reading bounds
        return DiscoveryProblem(f"the answer is not JSON that can be read: {one_line(str(exc))}")
    if not isinstance(body, dict):
        return DiscoveryProblem(f"the answer is {json_type(body)}, not a Bundle")
    if body.get("resourceType") != "Bundle":
        return DiscoveryProblem(
            f"the answer's resourceType is {shown(body.get('resourceType'))}, not 'Bundle'"
        )
    if body.get("type") != "searchset":
        return DiscoveryProblem(f"the Bundle's type is {shown(body.get('type'))}, not 'searchset'")
    entries = body.get("entry", [])
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        return DiscoveryProblem(f"the Bundle's entry is {json_type(entries)}, not an array")
    return _read_entries(entries, _paged(body.get("link")))


def _spine_code(exchange: Exchange) -> str | None:
    """The Spine code of an OperationOutcome answer's first issue, if it has one."""
    try:
        body = exchange.json_body
    except ValueError:
        return None
    issues = body.get("issue") if isinstance(body, dict) else None
    issue = issues[0] if isinstance(issues, list) and issues else None
    details = issue.get("details") if isinstance(issue, dict) else None
    codings = details.get("coding") if isinstance(details, dict) else None
    for coding in codings if isinstance(codings, list) else []:
        if isinstance(coding, dict) and coding.get("system") in SPINE_SYSTEMS:
            code = coding.get("code")
            return shown(code) if isinstance(code, str) else None
    return None


def _paged(links: object) -> bool:
    """Whether the Bundle offers a next page (paging is not in the specification)."""
    return isinstance(links, list) and any(
        isinstance(link, dict) and link.get("relation") == "next" for link in links
    )


def _read_entries(entries: list[Any], paged: bool) -> Searchset:
    total = entries.total if isinstance(entries, PartialList) else len(entries)
    notes: list[str] = []
    if total > len(entries):
        notes.append(f"only the first {len(entries)} of {total:,} entries were examined")
    if paged:
        notes.append("the Bundle links a next page, which was not followed")
    patients: list[BundlePatient] = []
    documents: list[BundleDocument] = []
    skipped = 0
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if not isinstance(resource, dict):
            skipped += 1
        elif kind == "Patient":
            patients.append(_patient(resource))
        elif kind == "DocumentReference":
            documents.append(_document(resource))
    if skipped:
        notes.append(f"{skipped} entries without a resource object were skipped")
    return Searchset(tuple(patients), tuple(documents), total, len(entries), tuple(notes))


def _text(value: object, name: str, remarks: list[str]) -> str | None:
    """A string element, cut at MAX_TEXT_CHARS; None (with a remark) when not a string."""
    if value is None:
        return None
    if not isinstance(value, str):
        remarks.append(f"{name} is {json_type(value)}, not a string")
        return None
    if len(value) > MAX_TEXT_CHARS:
        remarks.append(f"{name} of {len(value):,} characters was cut to {MAX_TEXT_CHARS}")
        return value[:MAX_TEXT_CHARS]
    return value


def _id(resource: dict[str, Any], remarks: list[str]) -> str | None:
    value = resource.get("id")
    found = fhir_id(value)
    if found is None:
        remarks.append("no id" if value is None else f"id {shown(value)} is not a FHIR id")
    return found


def _patient(resource: dict[str, Any]) -> BundlePatient:
    remarks: list[str] = []
    patient_id = _id(resource, remarks)
    identifiers = resource.get("identifier")
    numbers: list[str] = []
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, dict) and identifier.get("system") == NHS_NUMBER_SYSTEM:
            value = _text(identifier.get("value"), "an NHS number identifier's value", remarks)
            if value is not None:
                numbers.append(value)
    return BundlePatient(patient_id, tuple(numbers), tuple(remarks))


def _document(resource: dict[str, Any]) -> BundleDocument:
    remarks: list[str] = []
    document_id = _id(resource, remarks)
    subject = resource.get("subject")
    reference = subject.get("reference") if isinstance(subject, dict) else None
    content = resource.get("content")
    attachments: list[BundleAttachment] = []
    if content is None:
        remarks.append("no content")
    elif not isinstance(content, list):
        remarks.append(f"content is {json_type(content)}, not an array")
    else:
        if isinstance(content, PartialList):
            remarks.append(f"only the first {len(content)} of {content.total:,} content items")
        for index, item in enumerate(content):
            attachment = item.get("attachment") if isinstance(item, dict) else None
            if isinstance(attachment, dict):
                attachments.append(_attachment(index, attachment))
            else:
                remarks.append(f"content[{index}] has no attachment object")
    return BundleDocument(
        document_id,
        _text(reference, "subject.reference", remarks),
        tuple(attachments),
        tuple(remarks),
    )


def _attachment(index: int, attachment: dict[str, Any]) -> BundleAttachment:
    remarks: list[str] = []
    size = attachment.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        remarks.append(f"size is not a whole number of bytes: {shown(size)}")
        size = None
    return BundleAttachment(
        index=index,
        url=attachment.get("url"),
        content_type=_text(attachment.get("contentType"), "contentType", remarks),
        size=size,
        title=_text(attachment.get("title"), "title", remarks),
        remarks=tuple(remarks),
    )
