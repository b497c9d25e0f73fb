"""A search answer read as a searchset Bundle: the specification's examples, empty searchsets,
and answers that are no searchset Bundle at all, each a one-line problem within bounds."""

import json

import pytest
from discovery_testkit import (
    answer,
    attachment,
    document_reference,
    example,
    patient,
    searchset,
)

from gpc_assure.discovery.bundle import (
    MAX_TEXT_CHARS,
    BundleAttachment,
    BundleDocument,
    BundlePatient,
    DiscoveryProblem,
    Searchset,
    read_searchset,
)

EXAMPLE_PATIENT_ID = "04603d77-1a4e-4d63-b246-d7504f8bd833"
EXAMPLE_URL = (
    "http://exampleGPSystem.co.uk/GP0001/STU3/1/gpconnect-documents/Binary/"
    "07a6483f-732b-461e-86b6-edb665c45510"
)


def read(status: int | None = 200, body: object = b"") -> Searchset:
    found = read_searchset(answer(status, body))
    assert isinstance(found, Searchset), found
    return found


def refused(status: int | None = 200, body: object = b"") -> DiscoveryProblem:
    found = read_searchset(answer(status, body))
    assert isinstance(found, DiscoveryProblem), found
    assert "\n" not in found.reason
    assert len(found.reason) <= 300
    return found


def test_the_find_a_patient_example() -> None:
    found = read(body=example("find_patient_response"))
    assert found == Searchset(
        patients=(BundlePatient("2", ("9476719931",)),), documents=(), entries=1, examined=1
    )


def test_the_document_search_example() -> None:
    found = read(body=example("documents_response"))
    assert found.patients == (BundlePatient(EXAMPLE_PATIENT_ID, ("9999999999",)),)
    assert found.documents == (
        BundleDocument(
            id="27863182736",
            subject=f"Patient/{EXAMPLE_PATIENT_ID}",
            attachments=(BundleAttachment(0, EXAMPLE_URL, "application/msword", 3654, None),),
        ),
    )
    assert (found.entries, found.examined, found.notes) == (5, 5, ())


@pytest.mark.parametrize(
    "body",
    [
        {"resourceType": "Bundle", "type": "searchset"},
        {"resourceType": "Bundle", "type": "searchset", "entry": []},
        {"resourceType": "Bundle", "type": "searchset", "entry": None},
    ],
    ids=["no entry", "empty entry", "null entry"],
)
def test_an_empty_searchset_is_no_problem(body: object) -> None:
    assert read(body=body) == Searchset((), (), 0, 0)


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (200, b"<html>not found</html>", "the answer is not JSON that can be read"),
        (200, b"\xff\xfe{}", "the answer is not JSON that can be read"),
        (200, b"", "the answer is not JSON that can be read"),
        (200, b"[" * 200_000 + b"]" * 200_000, "the answer is not JSON that can be read"),
        (200, [searchset()], "the answer is an array, not a Bundle"),
        (200, "Bundle", "the answer is a string, not a Bundle"),
        (
            200,
            {"resourceType": "OperationOutcome", "issue": []},
            "the answer's resourceType is 'OperationOutcome', not 'Bundle'",
        ),
        (200, {"type": "searchset"}, "the answer's resourceType is null, not 'Bundle'"),
        (200, searchset(type="collection"), "the Bundle's type is 'collection', not 'searchset'"),
        (200, searchset(type=["searchset"]), "the Bundle's type is an array, not 'searchset'"),
        (200, searchset(entry={"resource": {}}), "the Bundle's entry is an object, not an array"),
        (500, b"", "answered HTTP 500"),
        (302, searchset(), "answered HTTP 302"),
        (None, b"", "no answer: connection refused"),
    ],
)
def test_what_is_not_a_searchset_bundle_is_a_one_line_problem(
    status: int | None, body: object, reason: str
) -> None:
    problem = refused(status, body)
    assert problem.reason.startswith(reason), problem.reason
    assert problem.status == (status if status not in (200, None) else None)


def test_an_error_answer_names_its_spine_code() -> None:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "not-found",
                "details": {
                    "coding": [
                        {
                            "system": "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1",
                            "code": "PATIENT_NOT_FOUND\nforged line",
                        }
                    ]
                },
            }
        ],
    }
    problem = refused(404, outcome)
    assert problem.reason == "answered HTTP 404 (Spine code 'PATIENT_NOT_FOUND\\nforged line')"
    assert problem.status == 404


def test_a_huge_resource_type_is_quoted_short() -> None:
    problem = refused(body={"resourceType": "B" * 2_000_000, "type": "searchset"})
    assert "(2,000,000 characters)" in problem.reason


def test_a_deeply_nested_entry_is_beyond_the_bounds() -> None:
    nested: object = {}
    for _ in range(150):
        nested = [nested]
    problem = refused(body=searchset(entry=[nested]))
    assert "nested more than 100 levels" in problem.reason


def test_of_100000_entries_the_first_100_are_examined_saying_so() -> None:
    entries = [{"resource": patient(f"p{i}", "9690937278")} for i in range(100_000)]
    found = read(body=searchset(entry=entries))
    assert (found.entries, found.examined, len(found.patients)) == (100_000, 100, 100)
    assert found.notes == ("only the first 100 of 100,000 entries were examined",)


def test_a_next_page_is_noted_not_followed() -> None:
    link = [{"relation": "next", "url": "https://elsewhere.example/page2"}]
    assert read(body=searchset(link=link)).notes == (
        "the Bundle links a next page, which was not followed",
    )


def test_entries_of_other_resource_types_are_ignored_and_broken_ones_counted() -> None:
    body = searchset(
        {"resourceType": "Organization", "id": "o1"},
        {"resourceType": "PractitionerRole", "id": "r1"},
        patient("p1", "9690937278"),
    )
    body["entry"] += ["x", 1, None, {"resource": "Patient"}, {"fullUrl": "no resource"}]
    found = read(body=body)
    assert found.patients == (BundlePatient("p1", ("9690937278",)),)
    assert found.notes == ("5 entries without a resource object were skipped",)


def test_unusable_values_are_remarks_on_their_resource() -> None:
    body = searchset(
        patient("a/b", "9690937278"),
        {"resourceType": "Patient", "identifier": "9690937278"},
        {"resourceType": "Patient", "id": "p3", "identifier": [{"system": 5}, "x"]},
        document_reference(
            "d1",
            "p3",
            attachment("b1", size="12"),
            attachment("b2", size=-1),
            attachment("b3", size=True),
            attachment("b4", size=1.5),
            attachment("b5", content_type=7),  # type: ignore[arg-type]
            attachment(None, title="T" * 300, size=-(10**40)),
        ),
        {"resourceType": "DocumentReference", "id": 7, "subject": "Patient/p3", "content": {}},
        {"resourceType": "DocumentReference", "id": "d3", "content": [1, {"attachment": []}]},
    )
    found = read(body=body)
    assert found.patients == (
        BundlePatient(None, ("9690937278",), ("id 'a/b' is not a FHIR id",)),
        BundlePatient(None, (), ("no id",)),
        BundlePatient("p3", ()),
    )
    d1, d2, d3 = found.documents
    assert [a.size for a in d1.attachments] == [None, None, None, None, 1000, None]
    assert [a.remarks for a in d1.attachments] == [
        ("size is not a whole number of bytes: '12'",),
        ("size is not a whole number of bytes: -1",),
        ("size is not a whole number of bytes: true",),
        ("size is not a whole number of bytes: 1.5",),
        ("contentType is a number, not a string",),
        (
            "size is not a whole number of bytes: a number of more than 19 digits",
            f"title of 300 characters was cut to {MAX_TEXT_CHARS}",
        ),
    ]
    assert d1.attachments[5].title == "T" * MAX_TEXT_CHARS
    assert d2 == BundleDocument(
        None, None, (), ("id 7 is not a FHIR id", "content is an object, not an array")
    )
    assert d3.remarks == (
        "content[0] has no attachment object",
        "content[1] has no attachment object",
    )


def test_content_beyond_the_bound_is_remarked() -> None:
    attachments = [attachment(f"b{i}") for i in range(150)]
    (document,) = read(body=searchset(document_reference("d1", "p1", *attachments))).documents
    assert len(document.attachments) == 100
    assert document.remarks == ("only the first 100 of 150 content items",)


def test_huge_strings_are_cut() -> None:
    body = searchset(document_reference("d1", "p" * 100_000, attachment(title="T" * 2_000_000)))
    (document,) = read(body=json.dumps(body).encode()).documents
    assert document.subject == ("Patient/" + "p" * 100_000)[:MAX_TEXT_CHARS]
    (only,) = document.attachments
    assert only.title == "T" * MAX_TEXT_CHARS
    assert document.remarks + only.remarks == (
        f"subject.reference of 100,008 characters was cut to {MAX_TEXT_CHARS}",
        f"title of 2,000,000 characters was cut to {MAX_TEXT_CHARS}",
    )


def test_only_identifiers_of_the_nhs_number_system_are_nhs_numbers() -> None:
    local = {"system": "https://practice.example/Id/local", "value": "9690937286"}
    resource = patient("p1", "9690937278")
    resource["identifier"].insert(0, local)
    resource["identifier"].append({"value": "9690937294"})
    assert read(body=searchset(resource)).patients == (BundlePatient("p1", ("9690937278",)),)
