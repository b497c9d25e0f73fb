"""The part each document found plays: ordinary, large, oversize or set aside, and the
configuration the scenarios then see (configured documents win)."""

from dataclasses import replace

from discovery_testkit import BASE, make_config

from gpc_assure.config.provider_config import DocumentExpectation
from gpc_assure.discovery.attachment import UrlForm
from gpc_assure.discovery.chain import FoundDocument
from gpc_assure.discovery.roles import (
    DocumentRoles,
    SetAside,
    assign_roles,
    with_discovered,
)
from gpc_assure.spec.versions import spec_version

V16, V10 = spec_version("1.6"), spec_version("1.0")


def found(
    binary_id: str | None,
    size: int | None = 1000,
    content_type: str | None = "application/pdf",
    form: UrlForm = UrlForm.SAME_ROOT,
) -> FoundDocument:
    return FoundDocument(
        nhs_number="9690937278",
        patient_id="p1",
        document_reference_id=f"ref-{binary_id}",
        subject="Patient/p1",
        content_index=0,
        url=f"{BASE}/Binary/{binary_id}" if binary_id else None,
        url_form=form if binary_id else UrlForm.ABSENT,
        url_reason=None if binary_id else "the attachment has no url",
        binary_id=binary_id,
        content_type=content_type,
        size=size,
        title=None,
        step_index=1,
    )


SMALL = found("small", 1_024)
LARGE = found("large", 4_900_000)
LESS_LARGE = found("less-large", 4_500_000)
AT_LIMIT = found("at-limit", 5_000_000)
EITHER_WAY = found("either-way", 5_100_000)
OVERSIZE = found("oversize", 5_500_000)
PLACEHOLDER = found(None, 6_000_000)
UNSIZED = found("unsized", None)
FOREIGN = found("foreign", 2_000, form=UrlForm.OTHER_ROOT)
NOT_BINARY = replace(found(None), url_form=UrlForm.NOT_BINARY, url_reason="not a Binary")


def test_roles_under_spec_1_6() -> None:
    documents = [
        SMALL, PLACEHOLDER, LESS_LARGE, LARGE, EITHER_WAY, OVERSIZE, UNSIZED, FOREIGN, NOT_BINARY,
        replace(SMALL, document_reference_id="again"),
    ]  # fmt: skip
    roles = assign_roles(documents, V16)
    assert roles.ordinary == (SMALL, LESS_LARGE, LARGE, UNSIZED, FOREIGN)
    assert roles.large == LARGE
    assert roles.large_document_id == "large"
    assert roles.oversize == (PLACEHOLDER, OVERSIZE)
    assert roles.oversize_document_id == "oversize"
    assert roles.set_aside == (
        SetAside(
            EITHER_WAY,
            "its size (5,100,000 bytes) is over 5 MB but not over 5 MiB: either reading of the "
            "limit holds",
        ),
        SetAside(NOT_BINARY, "not a Binary"),
        SetAside(replace(SMALL, document_reference_id="again"), "an earlier attachment names "
                 "the same Binary"),
    )  # fmt: skip


def test_a_document_of_exactly_the_limit_is_ordinary_and_may_be_large() -> None:
    roles = assign_roles([LARGE, AT_LIMIT], V16)
    assert roles.ordinary == (LARGE, AT_LIMIT)
    assert roles.large == AT_LIMIT


def test_a_small_document_is_never_the_large_one() -> None:
    exactly = found("four-mb", 4_000_000)
    roles = assign_roles([SMALL, exactly, UNSIZED], V16)
    assert roles.large is None
    assert roles.large_document_id is None
    assert roles.ordinary == (SMALL, exactly, UNSIZED)


def test_a_placeholder_alone_names_no_oversize_binary() -> None:
    roles = assign_roles([PLACEHOLDER], V16)
    assert roles.oversize == (PLACEHOLDER,)
    assert roles.oversize_document_id is None


def test_without_a_size_limit_every_retrievable_document_is_ordinary() -> None:
    roles = assign_roles([SMALL, LARGE, EITHER_WAY, OVERSIZE, PLACEHOLDER], V10)
    assert roles.ordinary == (SMALL, LARGE, EITHER_WAY, OVERSIZE)
    assert (roles.large, roles.oversize) == (None, ())
    assert [aside.document for aside in roles.set_aside] == [PLACEHOLDER]


def test_expectations_name_the_binary_and_claim_the_type_only_when_asked() -> None:
    typed = found("typed", content_type="Text/Plain; charset=utf-8")
    untyped = found("untyped", content_type="pdf")
    roles = assign_roles([SMALL, typed, untyped], V16)
    assert roles.expectations() == (
        DocumentExpectation("small"),
        DocumentExpectation("typed"),
        DocumentExpectation("untyped"),
    )
    assert roles.expectations(claim_content_type=True) == (
        DocumentExpectation("small", "application/pdf"),
        DocumentExpectation("typed", "text/plain"),
        DocumentExpectation("untyped", None),
    )


def test_configured_documents_and_ids_win() -> None:
    sha = "a" * 64
    config = make_config(
        documents=[{"id": "small", "content_type": "application/pdf", "sha256": sha}],
        oversize_document_id="configured-oversize",
        unknown_document_id="unsized",
    )
    roles = assign_roles([SMALL, LARGE, OVERSIZE, UNSIZED], V16)
    merged = with_discovered(config, roles, claim_content_type=True)
    assert merged.documents == (
        DocumentExpectation("small", "application/pdf", sha),
        DocumentExpectation("large", "application/pdf"),
    )
    assert merged.large_document_id == "large"
    assert merged.oversize_document_id == "configured-oversize"
    assert merged.nhs_numbers == config.nhs_numbers


def test_nothing_found_changes_nothing() -> None:
    config = make_config(large_document_id="mine")
    assert with_discovered(config, DocumentRoles((), None, (), ())) == config
