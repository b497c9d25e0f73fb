"""Each discovery-chain fault and reading changes exactly what its description says: every
answer on the way from NHS number to document (Find a Patient, the DocumentReference search,
each Binary read) equals the conformant provider's answer with that one change applied."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import httpx
import pytest
from provider_testkit import (
    NOTE_TXT,
    OVERSIZE_PDF,
    PATIENT_1,
    PATIENT_2,
    PATIENT_3,
    UNREGISTERED_NHS_NUMBER,
    Probe,
    resources,
    running,
)

from gpc_assure.provider import FAULTS, READINGS, Fault, Reading

pytestmark = pytest.mark.e2e
Answers = dict[str, Any]
Change = Callable[[Answers], None]
BASE = "[base]"
BASE_PATH = "/B82617/STU3/1/gpconnect/documents"
PATIENTS = (PATIENT_1, PATIENT_2, PATIENT_3)
DUPLICATE = f"{PATIENT_1[1]}-duplicate"


def _normalised(response: httpx.Response, base_url: str) -> Any:
    """Status and JSON body, the provider's service root (its port differs per provider)
    written as [base]; a Binary as its id, contentType and the digest of its content."""
    body = json.loads(response.text.replace(base_url, BASE))
    if body.get("resourceType") == "Binary":
        data = base64.b64decode(body.pop("content"))
        body["sha256"] = hashlib.sha256(data).hexdigest()
    return response.status_code, body


def _answers(p: Probe) -> Answers:
    """Every answer of the chain, by what was asked."""
    asked: dict[str, Callable[[], httpx.Response]] = {}
    for nhs_number, patient_id in (*PATIENTS, (UNREGISTERED_NHS_NUMBER, "")):
        asked[f"find {nhs_number}"] = partial(p.find_nhs_number, nhs_number)
        if patient_id:
            asked[f"search {patient_id}"] = partial(p.search_documents, patient_id)
    asked["find other system"] = lambda: p.find_patient(f"https://example.org/x%7C{PATIENT_1[0]}")
    asked["find no system"] = lambda: p.find_patient(PATIENT_1[0])
    asked[f"search {DUPLICATE}"] = lambda: p.search_documents(DUPLICATE)
    for document in p.provider.documents:
        asked[f"read {document.id}"] = partial(p.get, document.id)
    return {question: _normalised(ask(), p.base_url) for question, ask in asked.items()}


def _finds(answers: Answers) -> Iterator[dict[str, Any]]:
    """The Bundles of the successful Find a Patient answers."""
    for question, (status, body) in answers.items():
        if question.startswith("find ") and status == 200:
            yield body


def _attachments(answers: Answers) -> Iterator[tuple[str, dict[str, Any]]]:
    """(DocumentReference id, attachment) of every listed document."""
    for question, (status, body) in answers.items():
        if question.startswith("search ") and status == 200:
            for reference in resources(body, "DocumentReference"):
                yield reference["id"], reference["content"][0]["attachment"]


def _the_oversize_attachment(answers: Answers) -> dict[str, Any]:
    [attachment] = [a for ref, a in _attachments(answers) if ref == "gpc-docref-oversize-pdf"]
    return attachment


def _every_url(rewrite: Callable[[str, str], str]) -> Change:
    def change(answers: Answers) -> None:
        for reference, attachment in _attachments(answers):
            if "url" in attachment:
                attachment["url"] = rewrite(reference, attachment["url"])

    return change


def _binary_id(url: str) -> str:
    return url.rsplit("/Binary/", 1)[1]


def _pdfs_claim_png(answers: Answers) -> None:
    for _, attachment in _attachments(answers):
        if attachment["contentType"] == "application/pdf":
            attachment["contentType"] = "image/png"


def _sizes_overstated(answers: Answers) -> None:
    for _, attachment in _attachments(answers):
        attachment["size"] += 100


def _oversize_url_kept(answers: Answers) -> None:
    _the_oversize_attachment(answers)["url"] = f"{BASE}/Binary/{OVERSIZE_PDF}"


def _oversize_url_kept_and_served(answers: Answers, served: tuple[int, Any]) -> None:
    _oversize_url_kept(answers)
    answers[f"read {OVERSIZE_PDF}"] = served


def _oversize_untitled(answers: Answers) -> None:
    del _the_oversize_attachment(answers)["title"]


def _any_system_finds(answers: Answers) -> None:
    found = answers[f"find {PATIENT_1[0]}"]
    answers["find other system"] = answers["find no system"] = found


def _available_without_url(answers: Answers) -> None:
    for _, attachment in _attachments(answers):
        if "title" not in attachment:
            del attachment["url"]


def _finds_are_collections(answers: Answers) -> None:
    for bundle in _finds(answers):
        bundle["type"] = "collection"


def _finds_without_nhs_numbers(answers: Answers) -> None:
    for bundle in _finds(answers):
        for entry in bundle.get("entry", []):
            del entry["resource"]["identifier"]


def _searches_are_collections(answers: Answers) -> None:
    for question, (status, body) in answers.items():
        if question.startswith("search ") and status == 200:
            body["type"] = "collection"


def _finds_without_full_urls(answers: Answers) -> None:
    for bundle in _finds(answers):
        for entry in bundle.get("entry", []):
            del entry["fullUrl"]


def _duplicates_first(answers: Answers) -> None:
    for bundle in _finds(answers):
        for entry in bundle.get("entry", [])[:1]:
            twin = copy.deepcopy(entry)
            twin["resource"]["id"] += "-duplicate"
            twin["fullUrl"] += "-duplicate"
            bundle["entry"].insert(0, twin)
    answers[f"search {DUPLICATE}"] = answers[f"search {PATIENT_3[1]}"]  # an empty searchset


@pytest.fixture(scope="module")
def conformant() -> Answers:
    with running() as p:
        return _answers(p)


@pytest.fixture(scope="module")
def oversize_served() -> tuple[int, Any]:
    """The oversize document's Binary as a provider serving it answers."""
    with running(faults=frozenset({Fault.SERVE_OVERSIZE})) as p:
        served: tuple[int, Any] = _normalised(p.get(OVERSIZE_PDF), p.base_url)
        return served


FAULT_CHANGES: dict[Fault, Change] = {
    Fault.ATTACHMENT_URL_RELATIVE: _every_url(lambda _, url: f"Binary/{_binary_id(url)}"),
    Fault.ATTACHMENT_URL_FOREIGN: _every_url(
        lambda _, url: url.replace(BASE, f"https://documents.example.invalid{BASE_PATH}")
    ),
    Fault.ATTACHMENT_URL_NOT_BINARY: _every_url(
        lambda reference, _: f"{BASE}/DocumentReference/{reference}"
    ),
    Fault.ATTACHMENT_CONTENT_TYPE_MISMATCH: _pdfs_claim_png,
    Fault.ATTACHMENT_SIZE_MISMATCH: _sizes_overstated,
    Fault.OVERSIZE_NO_PLACEHOLDER_TITLE: _oversize_untitled,
    Fault.SEARCH_IGNORES_IDENTIFIER_SYSTEM: _any_system_finds,
    Fault.SEARCH_MISSING_ATTACHMENT_URL: _available_without_url,
    Fault.PATIENT_SEARCH_NOT_SEARCHSET: _finds_are_collections,
    Fault.PATIENT_WITHOUT_NHS_NUMBER: _finds_without_nhs_numbers,
    Fault.DOCUMENT_SEARCH_NOT_SEARCHSET: _searches_are_collections,
}
READING_CHANGES: dict[Reading, Change] = {
    Reading.OVERSIZE_PLACEHOLDER_WITH_URL: _oversize_url_kept,
    Reading.SEARCH_BUNDLE_WITHOUT_FULLURL: _finds_without_full_urls,
    Reading.SEVERAL_PATIENTS_FOR_NHS_NUMBER: _duplicates_first,
}
CHAIN_FAULTS = (*FAULT_CHANGES, Fault.OVERSIZE_OFFERED_WITH_URL_SERVED)


def test_the_chain_switches_are_declared() -> None:
    """Every fault this module covers is a declared one, in its own section of the table."""
    areas = ("GPC-DOC-CHAIN-", "GPC-DOC-FIND-", "GPC-DOC-SRCH-")
    chain = [f for f, declared in FAULTS.items() if declared.requirements[0].startswith(areas)]
    assert set(chain) <= set(CHAIN_FAULTS) <= set(FAULTS)
    assert set(CHAIN_FAULTS) - set(chain) == {Fault.OVERSIZE_OFFERED_WITH_URL_SERVED}
    assert set(READING_CHANGES) <= set(READINGS)


def _differ_exactly(faulty: Answers, expected: Answers) -> list[str]:
    """The questions whose answers differ (readable on failure, unlike a huge dict diff)."""
    assert faulty.keys() == expected.keys()
    return [question for question in expected if faulty[question] != expected[question]]


@pytest.mark.parametrize("fault", sorted(FAULT_CHANGES))
def test_a_chain_fault_changes_exactly_what_it_says(fault: Fault, conformant: Answers) -> None:
    expected = copy.deepcopy(conformant)
    FAULT_CHANGES[fault](expected)
    assert expected != conformant  # the change applies to something
    with running(faults=frozenset({fault})) as p:
        assert _differ_exactly(_answers(p), expected) == []


def test_the_oversize_fault_lists_the_url_and_serves_it(
    conformant: Answers, oversize_served: tuple[int, Any]
) -> None:
    expected = copy.deepcopy(conformant)
    _oversize_url_kept_and_served(expected, oversize_served)
    assert oversize_served[0] == 200
    with running(faults=frozenset({Fault.OVERSIZE_OFFERED_WITH_URL_SERVED})) as p:
        assert _differ_exactly(_answers(p), expected) == []


@pytest.mark.parametrize("reading", sorted(READING_CHANGES))
def test_a_chain_reading_changes_exactly_what_it_says(
    reading: Reading, conformant: Answers
) -> None:
    expected = copy.deepcopy(conformant)
    READING_CHANGES[reading](expected)
    assert expected != conformant
    with running(readings=frozenset({reading})) as p:
        assert _differ_exactly(_answers(p), expected) == []


def test_the_conformant_answers_are_what_the_changes_assume(conformant: Answers) -> None:
    """The baseline the changes edit: a placeholder without url, unknown systems refused, the
    duplicate record unknown, the oversize Binary refused, the note served."""
    assert "url" not in _the_oversize_attachment(conformant)
    assert conformant["find other system"][0] == 422
    assert conformant["find no system"][0] == 422
    assert conformant[f"search {DUPLICATE}"][0] == 404
    assert conformant[f"read {OVERSIZE_PDF}"][0] == 404
    assert conformant[f"read {NOTE_TXT}"][0] == 200
    assert conformant[f"search {PATIENT_2[1]}"][0] == 200
    assert len(list(_attachments(conformant))) == 5
