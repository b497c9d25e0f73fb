"""The chain from NHS numbers to documents, against a provider that answers by request URL:
what is sent, what is found, how each step is recorded, and what ends the chain."""

import pytest
from discovery_testkit import (
    BASE,
    FakeProvider,
    attachment,
    document_reference,
    example,
    make_config,
    patient,
    searchset,
)

from gpc_assure.discovery.attachment import UrlForm
from gpc_assure.discovery.chain import (
    MAX_FOUND_DOCUMENTS,
    Discovery,
    DiscoveryStep,
    FoundDocument,
    StepKind,
    discover,
)
from gpc_assure.request.search import document_search_request, patient_search_request
from gpc_assure.spec.versions import RELEASED_DOCUMENT_SEARCH, RELEASED_PATIENT_SEARCH

NHS_1, NHS_2, NHS_3 = "9690937278", "9690937286", "9690937294"
SMALL = attachment("gpc-doc-small-pdf", size=1234)
LARGE = attachment("gpc-doc-large-pdf", size=4_900_000)
PLACEHOLDER = attachment(None, size=5_500_000, title="Not returned: over 5 MB")


def provider() -> FakeProvider:
    return FakeProvider(make_config())


def run(fake: FakeProvider, *numbers: str) -> Discovery:
    found = discover(fake.send, fake.config, numbers)
    assert len(found.exchanges) == len(fake.sent)
    assert [e.request for e in found.exchanges] == fake.sent
    for step in found.steps:
        assert "\n" not in step.outcome
    return found


def test_one_patient_with_documents() -> None:
    fake = provider().finds(NHS_1, searchset(patient("gpc-patient-1", NHS_1)))
    fake.holds(
        "gpc-patient-1",
        searchset(
            patient("gpc-patient-1", NHS_1),
            document_reference("d-small", "gpc-patient-1", SMALL),
            document_reference("d-large", "gpc-patient-1", LARGE),
            document_reference("d-over", "gpc-patient-1", PLACEHOLDER),
            {"resourceType": "Organization", "id": "o1"},
        ),
    )
    found = run(fake, NHS_1)
    assert found.stop_reason is None
    assert found.problems == ()
    assert found.patients == ((NHS_1, "gpc-patient-1"),)
    assert found.steps == (
        DiscoveryStep(
            StepKind.FIND_PATIENT, NHS_1, None, 0, "1 Patient with this NHS number: gpc-patient-1",
            ok=True,
        ),
        DiscoveryStep(
            StepKind.SEARCH_DOCUMENTS, NHS_1, "gpc-patient-1", 1,
            "3 DocumentReferences (3 attachments)", ok=True,
        ),
    )  # fmt: skip
    small, large, placeholder = found.documents
    assert small == FoundDocument(
        nhs_number=NHS_1,
        patient_id="gpc-patient-1",
        document_reference_id="d-small",
        subject="Patient/gpc-patient-1",
        content_index=0,
        url=f"{BASE}/Binary/gpc-doc-small-pdf",
        url_form=UrlForm.SAME_ROOT,
        url_reason=None,
        binary_id="gpc-doc-small-pdf",
        content_type="application/pdf",
        size=1234,
        title=None,
        step_index=1,
    )
    assert small.provenance == (
        f"NHS number {NHS_1} -> Patient gpc-patient-1 -> DocumentReference d-small -> "
        "Binary gpc-doc-small-pdf"
    )
    assert (large.binary_id, large.size) == ("gpc-doc-large-pdf", 4_900_000)
    assert (placeholder.url, placeholder.url_form, placeholder.binary_id) == (
        None,
        UrlForm.ABSENT,
        None,
    )
    assert placeholder.title == "Not returned: over 5 MB"
    assert placeholder.provenance.endswith("DocumentReference d-over -> Binary (absent)")


def test_the_requests_sent_are_the_two_searches() -> None:
    config = make_config()
    fake = FakeProvider(config).finds(NHS_1, searchset(patient("p1", NHS_1)))
    fake.holds("p1", searchset(document_reference("d1", "p1", SMALL)))
    run(fake, NHS_1)
    find, search = fake.sent
    assert find.wire_url == patient_search_request(config, NHS_1).wire_url
    assert search.wire_url == document_search_request(config, "p1").wire_url
    assert find.header("Ssp-InteractionID") == RELEASED_PATIENT_SEARCH
    assert search.header("Ssp-InteractionID") == RELEASED_DOCUMENT_SEARCH
    assert find.header("Ssp-TraceID") != search.header("Ssp-TraceID")


def test_the_specifications_examples_chained() -> None:
    fake = provider().finds("9476719931", example("find_patient_response"))
    fake.holds("2", example("documents_response"))
    found = run(fake, "9476719931")
    assert found.stop_reason is None
    (document,) = found.documents
    assert document.patient_id == "2"
    assert document.document_reference_id == "27863182736"
    assert document.url_form is UrlForm.OTHER_ROOT
    assert document.url_reason == "scheme 'http', not 'https'"
    assert document.binary_id == "07a6483f-732b-461e-86b6-edb665c45510"
    assert (document.content_type, document.size) == ("application/msword", 3654)
    # The example's DocumentReference names another Patient: kept for the scenarios to judge.
    assert document.subject == "Patient/04603d77-1a4e-4d63-b246-d7504f8bd833"


def test_no_patient_ends_the_chain_saying_why() -> None:
    fake = provider().finds(NHS_3, searchset())
    found = run(fake, NHS_3)
    assert len(fake.sent) == 1
    assert (
        found.stop_reason
        == f"no patient found: NHS number {NHS_3}: no Patient with this NHS number"
    )
    assert found.problems == ()


def test_a_patient_without_documents_ends_the_chain_saying_why() -> None:
    fake = provider().finds(NHS_3, searchset(patient("gpc-patient-3", NHS_3)))
    fake.holds("gpc-patient-3", searchset())
    found = run(fake, NHS_3)
    assert found.stop_reason == (
        f"no document found: Patient gpc-patient-3 (NHS number {NHS_3}): 0 DocumentReferences"
    )


def test_one_number_without_a_patient_does_not_stop_another() -> None:
    fake = provider().finds(NHS_3, searchset()).finds(NHS_1, searchset(patient("p1", NHS_1)))
    fake.holds("p1", searchset(document_reference("d1", "p1", SMALL)))
    found = run(fake, NHS_3, NHS_1)
    assert found.stop_reason is None
    assert found.steps[0].outcome == "no Patient with this NHS number"
    assert len(found.documents) == 1


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (500, b"", "answered HTTP 500"),
        (None, b"", "no answer: connection refused"),
        (200, b"<html/>", "the answer is not JSON that can be read"),
        (200, {"resourceType": "Patient"}, "the answer's resourceType is 'Patient', not 'Bundle'"),
    ],
)
def test_a_failed_find_is_a_problem_and_stops_the_chain(
    status: int | None, body: object, reason: str
) -> None:
    found = run(provider().finds(NHS_1, body, status), NHS_1)
    (problem,) = found.problems
    assert problem.reason.startswith(reason)
    assert (problem.step, problem.asked, problem.exchange_index) == (
        "Find a Patient",
        f"NHS number {NHS_1}",
        0,
    )
    assert problem.status == (status if status != 200 else None)
    assert str(problem).startswith(f"Find a Patient for NHS number {NHS_1}: {reason}")
    (step,) = found.steps
    assert not step.ok
    assert found.stop_reason is not None
    assert found.stop_reason.startswith(f"no patient found: NHS number {NHS_1}: {reason}")


def test_a_failed_search_is_a_problem_and_other_patients_are_still_searched() -> None:
    fake = provider().finds(NHS_1, searchset(patient("p1", NHS_1), patient("p2", NHS_1)))
    fake.holds("p1", {"resourceType": "OperationOutcome"}, 404)
    fake.holds("p2", searchset(document_reference("d2", "p2", SMALL)))
    found = run(fake, NHS_1)
    (problem,) = found.problems
    assert str(problem) == (
        f"DocumentReference search for Patient p1 (NHS number {NHS_1}): answered HTTP 404"
    )
    assert problem.exchange_index == 1
    assert [d.document_reference_id for d in found.documents] == ["d2"]
    assert found.documents[0].step_index == 2


def test_patients_with_other_nhs_numbers_are_ignored() -> None:
    fake = provider().finds(NHS_1, searchset(patient("p9", NHS_2), patient("p1", NHS_1)))
    fake.holds("p1", searchset(document_reference("d1", "p1", SMALL)))
    found = run(fake, NHS_1)
    assert found.patients == ((NHS_1, "p1"),)
    assert found.steps[0].outcome == (
        "1 Patient with this NHS number: p1 (1 other Patient ignored)"
    )


def test_at_most_three_patients_are_followed_for_one_number() -> None:
    patients = [patient(f"p{i}", NHS_1) for i in range(5)]
    fake = provider().finds(NHS_1, searchset(*patients))
    for i in range(5):
        fake.holds(f"p{i}", searchset(document_reference(f"d{i}", f"p{i}", SMALL)))
    found = run(fake, NHS_1)
    assert [p for _, p in found.patients] == ["p0", "p1", "p2"]
    assert found.steps[0].notes == (
        "5 Patients carry this NHS number; the documents of the first 3 were searched",
    )


def test_a_patient_found_twice_is_searched_once() -> None:
    both = searchset(patient("p1", NHS_1, NHS_2))
    fake = provider().finds(NHS_1, both).finds(NHS_2, both)
    fake.holds("p1", searchset(document_reference("d1", "p1", SMALL)))
    found = run(fake, NHS_1, NHS_2)
    assert found.patients == ((NHS_1, "p1"),)
    assert len(fake.sent) == 3


def test_a_patient_id_that_is_not_a_fhir_id_is_not_searched() -> None:
    fake = provider().finds(NHS_1, searchset(patient("../../Binary/x", NHS_1)))
    found = run(fake, NHS_1)
    assert len(fake.sent) == 1
    assert found.steps[0].outcome == "no Patient with this NHS number has a usable id"
    assert found.steps[0].notes == (
        "a Patient with this NHS number was not followed: id '../../Binary/x' is not a FHIR id",
    )
    assert found.stop_reason is not None


def test_a_document_reference_without_content_is_still_a_document() -> None:
    bare = {"resourceType": "DocumentReference", "id": "d1", "subject": {"reference": "Patient/p1"}}
    fake = provider().finds(NHS_1, searchset(patient("p1", NHS_1))).holds("p1", searchset(bare))
    (document,) = run(fake, NHS_1).documents
    assert (document.content_index, document.url_form, document.binary_id) == (
        None,
        UrlForm.ABSENT,
        None,
    )
    assert document.remarks == ("no content",)


def test_every_attachment_of_a_document_reference_is_a_document() -> None:
    two = document_reference("d1", "p1", SMALL, attachment("b2", content_type="text/plain"))
    fake = provider().finds(NHS_1, searchset(patient("p1", NHS_1))).holds("p1", searchset(two))
    found = run(fake, NHS_1)
    assert [(d.content_index, d.binary_id) for d in found.documents] == [
        (0, "gpc-doc-small-pdf"),
        (1, "b2"),
    ]


def test_the_documents_kept_are_bounded_saying_so() -> None:
    references = [
        document_reference(f"d{i}", "p1", attachment(f"a{i}"), attachment(f"b{i}"))
        for i in range(100)
    ]
    fake = provider().finds(NHS_1, searchset(patient("p1", NHS_1)))
    fake.holds("p1", searchset(*references))
    found = run(fake, NHS_1)
    assert len(found.documents) == MAX_FOUND_DOCUMENTS
    assert found.notes == ("only the first 100 attachments found are kept; 100 more were left out",)
    assert found.steps[1].outcome == "100 DocumentReferences (200 attachments)"


def test_a_hostile_find_answer_ends_within_bounds() -> None:
    entries = [{"resource": patient(f"p{i}", NHS_1)} for i in range(100_000)]
    fake = provider().finds(NHS_1, searchset(entry=entries))
    for i in range(3):
        fake.holds(f"p{i}", searchset(document_reference(f"d{i}", f"p{i}", SMALL)))
    found = run(fake, NHS_1)
    assert len(fake.sent) == 4
    assert found.steps[0].notes == (
        "only the first 100 of 100,000 entries were examined",
        "100 Patients carry this NHS number; the documents of the first 3 were searched",
    )


def test_a_long_url_is_kept_short_but_judged_whole() -> None:
    url = f"{BASE}/{'x' * 5000}/Binary/b1"
    reference = document_reference("d1", "p1", attachment(None, url=url))
    fake = provider().finds(NHS_1, searchset(patient("p1", NHS_1)))
    (document,) = run(fake.holds("p1", searchset(reference)), NHS_1).documents
    assert document.url is not None
    assert document.url.endswith(f"... ({len(url):,} characters)")
    assert len(document.url) < 300
    assert document.url_form is UrlForm.NOT_BINARY


def test_no_nhs_number_finds_nothing_and_sends_nothing() -> None:
    fake = provider()
    found = run(fake, *())
    assert fake.sent == []
    assert found.stop_reason == "no patient found: no NHS number to search for"
