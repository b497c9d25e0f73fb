"""The part each document found by the discovery plays in the scenarios.

* ordinary: retrievable (its url names a Binary) and, where the spec version sets a size limit,
  not over it (or of unknown size); one per Binary id. Each is retrieved as a configured
  document is.
* large: the largest ordinary document over LARGE_ABOVE_BYTES and within the limit (spec 1.6
  only): GPC-DOC-RD-007 says documents of up to 5 MB can be retrieved, which a small document
  does not show.
* oversize: over the limit under either reading of "5 MB" (more than 5 MiB), with or without a
  url: the placeholder scenarios judge them, and one with a Binary id can be asked for (404
  NO_RECORD_FOUND expected).
* set aside, saying why: no Binary to retrieve, the same Binary again, or a size between
  5,000,000 bytes and 5 MiB, which a conformant provider may serve or refuse.

Documents the configuration names keep their configured expectations: discovery only adds.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from gpc_assure.config.fields import Invalid, check_content_type
from gpc_assure.config.provider_config import DocumentExpectation, ProviderConfig
from gpc_assure.discovery.chain import FoundDocument
from gpc_assure.spec.versions import SpecVersion

LARGE_ABOVE_BYTES = 4_000_000
"""A large document is over this size: near enough the 5 MB limit to show it is honoured."""
OTHER_READING_BYTES = 5 * 2**20
"""5 MB read as 5 MiB. A document between the limit (5,000,000 bytes) and this plays no role."""


@dataclass(frozen=True)
class SetAside:
    """A document that plays no role, and why."""

    document: FoundDocument
    reason: str


@dataclass(frozen=True)
class DocumentRoles:
    """The documents found, by the part they play."""

    ordinary: tuple[FoundDocument, ...]
    large: FoundDocument | None
    """One of `ordinary` (None when none is over LARGE_ABOVE_BYTES, or no limit applies)."""
    oversize: tuple[FoundDocument, ...]
    set_aside: tuple[SetAside, ...]

    @property
    def large_document_id(self) -> str | None:
        return self.large.binary_id if self.large else None

    @property
    def oversize_document_id(self) -> str | None:
        """The first oversize document that names a Binary (a placeholder may name none)."""
        return next((d.binary_id for d in self.oversize if d.binary_id), None)

    def expectations(self, *, claim_content_type: bool = False) -> tuple[DocumentExpectation, ...]:
        """The ordinary documents as configured documents: id only, or with the attachment's
        contentType as the expected Binary contentType when `claim_content_type` (a mismatch
        then fails GPC-DOC-RD-005, a MUST, though the specification never says in words that
        the two must be equal: hence off by default)."""
        return tuple(
            DocumentExpectation(
                id=document.binary_id,
                content_type=_media_type(document.content_type) if claim_content_type else None,
            )
            for document in self.ordinary
            if document.binary_id is not None
        )


def _media_type(content_type: str | None) -> str | None:
    """`type/subtype` of a contentType, lower-cased, parameters dropped; None if it is none."""
    if content_type is None:
        return None
    try:
        return check_content_type(content_type.split(";", 1)[0].strip())
    except Invalid:
        return None


def assign_roles(documents: Sequence[FoundDocument], spec: SpecVersion) -> DocumentRoles:
    """Sort the documents found into their roles for `spec` (its size limit)."""
    limit = spec.size_limit_bytes
    ordinary: list[FoundDocument] = []
    oversize: list[FoundDocument] = []
    set_aside: list[SetAside] = []
    for document in documents:
        size = document.size
        if limit is not None and size is not None and size > limit:
            if size > OTHER_READING_BYTES:
                oversize.append(document)
            else:
                why = f"its size ({size:,} bytes) is over 5 MB but not over 5 MiB"
                set_aside.append(SetAside(document, why + ": either reading of the limit holds"))
        elif document.binary_id is None:
            set_aside.append(SetAside(document, document.url_reason or "it names no Binary"))
        elif any(other.binary_id == document.binary_id for other in ordinary):
            set_aside.append(SetAside(document, "an earlier attachment names the same Binary"))
        else:
            ordinary.append(document)
    candidates = [
        d
        for d in ordinary
        if limit is not None and d.size is not None and LARGE_ABOVE_BYTES < d.size <= limit
    ]
    large = max(candidates, key=lambda d: d.size or 0, default=None)
    return DocumentRoles(tuple(ordinary), large, tuple(oversize), tuple(set_aside))


def with_discovered(
    config: ProviderConfig, roles: DocumentRoles, *, claim_content_type: bool = False
) -> ProviderConfig:
    """`config` with the ordinary documents added after the configured ones (an id both name
    keeps its configured expectations), and the large and oversize ids filled in where the
    configuration leaves them unset. A document whose id is the configured unknown id is left
    out: that scenario expects it not to exist."""
    configured = {document.id for document in config.documents}
    added = tuple(
        expectation
        for expectation in roles.expectations(claim_content_type=claim_content_type)
        if expectation.id not in configured and expectation.id != config.unknown_document_id
    )
    return replace(
        config,
        documents=config.documents + added,
        large_document_id=config.large_document_id or roles.large_document_id,
        oversize_document_id=config.oversize_document_id or roles.oversize_document_id,
    )
