"""Answers with more items than the suite judges (see json_reading): judged on the first ones,
saying so, never failed for the count, never passed on what was not seen when any one item
could meet the expectation."""

import json
from typing import Any

import pytest

from gpc_assure.checks import expect
from gpc_assure.request.retrieve import RetrieveRequest
from gpc_assure.spec.json_reading import MAX_ARRAY_ITEMS
from gpc_assure.spec.schema_validation import validate
from gpc_assure.transport.exchange import Exchange, ResponseRecord, redact_body

SPINE = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1"
NOTE = "only the first 100 of 400 items of $.issue were judged"


def issue(code: str = "BAD_REQUEST", display: str = "Bad request") -> dict[str, Any]:
    return {
        "severity": "error",
        "code": "invalid",
        "details": {"coding": [{"system": SPINE, "code": code, "display": display}]},
        "diagnostics": "why",
    }


def exchange(issues: list[dict[str, Any]], status: int = 400) -> Exchange:
    body = json.dumps({"resourceType": "OperationOutcome", "issue": issues}).encode()
    headers = (("Content-Type", "application/fhir+json;charset=utf-8"),)
    request = RetrieveRequest("GET", "https://p/Binary/doc-1", ())
    response = ResponseRecord(status, "HTTP/1.1", headers, body)
    return Exchange(request, (), "2026-01-01T00:00:00Z", 1.0, response)


def with_issue_at(index: int, special: dict[str, Any], total: int = 400) -> Exchange:
    issues = [issue("INVALID_PARAMETER", "Invalid parameter")] * total
    return exchange([*issues[:index], special, *issues[index + 1 :]])


def test_a_valid_outcome_of_400_issues_is_valid_on_its_first_100_and_says_so() -> None:
    observation = expect.schema_valid(exchange([issue()] * 400), "GPConnect-OperationOutcome-1")
    assert observation.met is True
    assert observation.observed == f"valid ({NOTE})"


def test_an_invalid_issue_among_those_judged_fails_the_outcome() -> None:
    broken = {"severity": "error", "code": "invalid"}  # no details
    observation = expect.schema_valid(with_issue_at(50, broken), "GPConnect-OperationOutcome-1")
    assert observation.met is False
    assert "$.issue[50]: 'details' is a required property" in observation.observed
    assert NOTE in observation.observed


def test_an_invalid_issue_beyond_those_judged_is_not_seen() -> None:
    broken = {"severity": "error", "code": "invalid"}
    observation = expect.schema_valid(with_issue_at(300, broken), "GPConnect-OperationOutcome-1")
    assert observation.met is True
    assert NOTE in observation.observed


@pytest.mark.parametrize(("index", "met"), [(5, True), (MAX_ARRAY_ITEMS + 20, None)])
def test_a_spine_code_looked_for_in_any_issue(index: int, met: bool | None) -> None:
    observation = expect.spine_code_is(with_issue_at(index, issue()), "BAD_REQUEST")
    assert observation.met is met
    assert NOTE in observation.observed


def test_a_rejection_whose_code_is_beyond_those_judged_is_not_judged() -> None:
    alternatives = expect.parse_rejections("HTTP 400 BAD_REQUEST")
    judgement = expect.rejected_with(with_issue_at(300, issue()), alternatives, "1.6")
    assert judgement.allowed.met is None
    assert NOTE in judgement.allowed.observed


def test_a_rejection_whose_code_is_among_those_judged_is_met() -> None:
    alternatives = expect.parse_rejections("HTTP 400 BAD_REQUEST")
    judgement = expect.rejected_with(with_issue_at(0, issue()), alternatives, "1.6")
    assert judgement.allowed.met is True
    assert judgement.as_tabled.met is True


def test_the_same_outcome_with_few_issues_is_judged_as_before() -> None:
    alternatives = expect.parse_rejections("HTTP 400 BAD_REQUEST")
    judgement = expect.rejected_with(exchange([issue()] * 3), alternatives, "1.6")
    assert judgement.allowed.met is True
    assert "judged" not in judgement.allowed.observed


def test_contains_is_not_asserted_on_a_cut_array_without_a_match_among_its_first_items() -> None:
    other = {"system": "https://example.org/codes", "code": "x", "display": "X"}
    spine = {"system": SPINE, "code": "BAD_REQUEST", "display": "Bad request"}
    codings = [other] * 150 + [spine]
    one = {"severity": "error", "code": "invalid", "details": {"coding": codings}}
    assert validate("GPConnect-OperationOutcome-1", exchange([one]).json_body) == []
    uncut = {**one, "details": {"coding": [other] * 3}}
    assert validate("GPConnect-OperationOutcome-1", exchange([uncut]).json_body)


def test_a_long_provider_value_is_not_kept_whole_in_an_observation() -> None:
    long = issue(display="x" * 1_000_000)
    observation = expect.spine_coding_is_well_formed(exchange([long]), "1.6").as_tabled
    assert observation.met is False
    assert len(observation.observed) < expect.OBSERVED_CHARS + 100


def test_a_released_exchange_keeps_no_body() -> None:
    held = exchange([issue()] * 400)
    evidence = held.to_evidence()
    held.release()
    assert held.response is not None
    assert held.response.body == b""
    with pytest.raises(RuntimeError):
        held.to_evidence()
    with pytest.raises(RuntimeError):
        _ = held.json_body
    assert evidence["response"]["body"]["note"] == NOTE


def test_the_evidence_of_a_long_outcome_is_an_excerpt_of_its_beginning() -> None:
    body = json.dumps({"resourceType": "OperationOutcome", "issue": [issue()] * 5000}).encode()
    evidence = redact_body(body, "application/fhir+json", limit=2000)
    assert evidence["truncated"] is True
    assert len(evidence["excerpt"]) == 2000
    assert evidence["excerpt"].startswith('{"resourceType":"OperationOutcome","issue":[{')
    assert evidence["note"] == "only the first 100 of 5,000 items of $.issue were judged"


def test_content_of_an_object_cut_short_before_its_resource_type_is_redacted() -> None:
    body = json.dumps({"pad": [0] * 150, "content": "QUJD" * 10, "z": [0] * 10_000}).encode()
    evidence = redact_body(body, "application/fhir+json", limit=600)
    assert "QUJD" not in json.dumps(evidence)
