"""What a DocumentReference says of its document: `content[0].attachment`, bent by the
discovery-chain faults and readings."""

from __future__ import annotations

from dataclasses import dataclass

from .documents import PDF, ServedDocument
from .faults import Fault
from .fhir import Resource
from .patients import Listing
from .readings import Reading

# Documents guidance, File size of the document: a placeholder says why the document is absent.
PLACEHOLDER_TITLE = "This document was not returned because its file size exceeds the 5MB limit"
FOREIGN_ROOT = "https://documents.example.invalid"
"""Fault attachment-url-foreign: the host its urls name (a reserved name that never resolves)."""
PDF_CLAIMED_AS = "image/png"
"""Fault attachment-content-type-mismatch: what the attachment of a PDF says it is."""
SIZE_OVERSTATED_BY = 100
"""Fault attachment-size-mismatch: how many bytes attachment.size adds to the real size."""


@dataclass(frozen=True)
class AttachmentRules:
    """Where urls point and which switches bend the attachments of one provider."""

    service_root: str
    base_path: str
    size_limited: bool
    """Whether documents over 5 MB are placeholders (spec 1.6; 1.0 has no size limit)."""
    faults: frozenset[Fault]
    readings: frozenset[Reading]

    def is_placeholder(self, document: ServedDocument) -> bool:
        return self.size_limited and document.oversize

    def url(self, document: ServedDocument, listing: Listing) -> str | None:
        """attachment.url: the full URL of the Binary on this service root; None when the
        document is listed without one."""
        faults = self.faults
        if self.is_placeholder(document):
            kept = (
                Reading.OVERSIZE_PLACEHOLDER_WITH_URL in self.readings
                or Fault.OVERSIZE_OFFERED_WITH_URL_SERVED in faults
            )
            if not kept:
                return None
        elif Fault.SEARCH_MISSING_ATTACHMENT_URL in faults:
            return None
        if Fault.ATTACHMENT_URL_RELATIVE in faults:
            return f"Binary/{document.id}"
        if Fault.ATTACHMENT_URL_FOREIGN in faults:
            return f"{FOREIGN_ROOT}{self.base_path}/Binary/{document.id}"
        if Fault.ATTACHMENT_URL_NOT_BINARY in faults:
            return f"{self.service_root}/DocumentReference/{listing.reference_id}"
        return f"{self.service_root}/Binary/{document.id}"

    def attachment(self, document: ServedDocument, listing: Listing) -> Resource:
        """The attachment in STU3 element order (contentType, url, size, title)."""
        content_type = document.content_type
        if Fault.ATTACHMENT_CONTENT_TYPE_MISMATCH in self.faults and content_type == PDF:
            content_type = PDF_CLAIMED_AS
        attachment: Resource = {"contentType": content_type}
        url = self.url(document, listing)
        if url is not None:
            attachment["url"] = url
        size = document.size
        if Fault.ATTACHMENT_SIZE_MISMATCH in self.faults:
            size += SIZE_OVERSTATED_BY
        attachment["size"] = size
        titled = Fault.OVERSIZE_NO_PLACEHOLDER_TITLE not in self.faults
        if self.is_placeholder(document) and titled:
            attachment["title"] = PLACEHOLDER_TITLE
        return attachment
