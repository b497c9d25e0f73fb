"""Error answers are judged by the spec's words, in every spelling the spec itself uses."""

import json
from typing import Any

import pytest

from gpc_assure.checks import expect
from gpc_assure.checks.expect import Rejection
from gpc_assure.request.retrieve import RetrieveRequest
from gpc_assure.spec.spine_codes import display_accepted, issue_type_fit
from gpc_assure.transport.exchange import Exchange, ResponseRecord

SYSTEM = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1"
BAD_REQUEST = (Rejection(400, frozenset({"BAD_REQUEST"})),)
TOKEN_ERROR = (Rejection(400, frozenset({"BAD_REQUEST"})), Rejection(401))
CLAIM_ERROR = (*TOKEN_ERROR, Rejection(422, frozenset({"INVALID_RESOURCE"})))


def issue(
    code: str = "BAD_REQUEST",
    display: str = "Bad request",
    issue_type: str = "invalid",
    severity: str = "error",
    diagnostics: str | None = "why",
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "severity": severity,
        "code": issue_type,
        "details": {"coding": [{"system": SYSTEM, "code": code, "display": display}]},
    }
    if diagnostics is not None:
        found["diagnostics"] = diagnostics
    return found


def answer(
    status: int,
    *issues: dict[str, Any],
    headers: tuple[tuple[str, str], ...] = (),
    via_proxy: bool = False,
    body: bytes | None = None,
) -> Exchange:
    outcome = {"resourceType": "OperationOutcome", "issue": list(issues)}
    content = json.dumps(outcome).encode() if body is None else body
    request = RetrieveRequest("GET", "https://p/Binary/d", (), via_proxy=via_proxy)
    type_header = ("Content-Type", "application/fhir+json;charset=utf-8")
    response = ResponseRecord(status, "HTTP/1.1", (type_header, *headers), content)
    return Exchange(request, (), "2026-01-01T00:00:00Z", 1.0, response)


@pytest.mark.parametrize(
    ("code", "display", "spec"),
    [
        ("BAD_REQUEST", "Submitted request is malformed/invalid.", "1.0"),
        ("BAD_REQUEST", "Submitted request is malformed/invalid", "1.6"),
        ("BAD_REQUEST", "bad request", "1.6"),
        ("BAD_REQUEST", "Bad Request.", "draft"),
        ("INVALID_RESOURCE", "Submitted resource is not valid.", "1.0"),
        ("INVALID_RESOURCE", "Invalid validation of resource", "1.0"),
        ("NO_RECORD_FOUND", "No record found.", "1.6"),
        ("NOT_IMPLEMENTED", "FHIR resource or operation not implemented at server", "1.0"),
        ("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type", "1.6"),
    ],
)
def test_displays_of_the_version_and_the_code_system_are_accepted(
    code: str, display: str, spec: str
) -> None:
    assert display_accepted(code, display, spec)


def test_a_display_of_another_code_is_not_accepted() -> None:
    assert not display_accepted("NO_RECORD_FOUND", "Bad request", "1.6")
    assert not display_accepted("INVALID_RESOURCE", "Submitted resource is not valid.", "1.6")


def test_issue_types_below_the_tabled_one_fit_narrower() -> None:
    assert issue_type_fit("invalid", "invalid") == "exact"
    assert issue_type_fit("required", "invalid") == "narrower"
    assert issue_type_fit("value", "invalid") == "narrower"
    assert issue_type_fit("processing", "not-found") == "wrong"
    assert issue_type_fit("not-found", "invalid") == "wrong"


def test_the_1_0_1_display_is_met_exactly_under_spec_1_0() -> None:
    judged = expect.rejected_with(
        answer(400, issue(display="Submitted request is malformed/invalid.")), BAD_REQUEST, "1.0"
    )
    assert judged.allowed.met
    assert judged.as_tabled.met


def test_an_unknown_display_is_tolerated_but_not_exact() -> None:
    judged = expect.rejected_with(answer(400, issue(display="Malformed")), BAD_REQUEST, "1.6")
    assert judged.allowed.met is True
    assert judged.as_tabled.met is False
    assert "Malformed" in judged.as_tabled.observed


def test_a_narrower_issue_type_is_allowed_and_flagged() -> None:
    judged = expect.rejected_with(answer(400, issue(issue_type="required")), BAD_REQUEST, "1.6")
    assert judged.allowed.met is True
    assert judged.as_tabled.met is False


def test_a_wider_or_other_issue_type_fails() -> None:
    judged = expect.rejected_with(answer(400, issue(issue_type="processing")), BAD_REQUEST, "1.6")
    assert judged.allowed.met is False


def test_the_spine_code_is_found_in_any_issue() -> None:
    first = issue(code="INVALID_PARAMETER", display="Invalid parameter", severity="warning")
    judged = expect.rejected_with(answer(400, first, issue()), BAD_REQUEST, "1.6")
    assert judged.allowed.met is True, judged.allowed.observed


def test_a_401_needs_a_bearer_challenge() -> None:
    bare = expect.rejected_with(answer(401, issue()), TOKEN_ERROR, "1.6")
    assert bare.allowed.met is False
    assert "WWW-Authenticate" in bare.allowed.observed
    challenged = answer(
        401, issue(), headers=(("WWW-Authenticate", 'Bearer error="invalid_token"'),)
    )
    assert expect.rejected_with(challenged, TOKEN_ERROR, "1.6").allowed.met is True
    basic_then_bearer = answer(401, issue(), headers=(("WWW-Authenticate", "Basic, bearer"),))
    assert expect.rejected_with(basic_then_bearer, TOKEN_ERROR, "1.6").allowed.met is True


def test_a_422_is_judged_for_its_diagnostics() -> None:
    invalid = issue("INVALID_RESOURCE", "Invalid validation of resource", diagnostics=None)
    judged = expect.rejected_with(answer(422, invalid), CLAIM_ERROR, "1.6")
    assert judged.allowed.met is True
    assert judged.diagnostics is not None
    assert judged.diagnostics.met is False
    assert expect.rejected_with(answer(400, issue()), CLAIM_ERROR, "1.6").diagnostics is None


def test_the_415_spine_code_of_the_current_code_system_is_valid() -> None:
    unsupported = issue("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type", "not-supported")
    judged = expect.rejected_with(answer(415, unsupported), (Rejection(415),), "1.6")
    assert judged.allowed.met is True, judged.allowed.observed
    assert judged.as_tabled.met is True


def test_an_html_error_page_is_not_an_operation_outcome() -> None:
    page = answer(400, body=b"<html><body>400 Bad Request</body></html>")
    assert expect.rejected_with(page, BAD_REQUEST, "1.6").allowed.met is False


def test_a_spine_secure_proxy_answer_is_not_judged() -> None:
    ssp = {"severity": "error", "code": "not-supported", "diagnostics": "Unsupported_Media_Type"}
    judged = expect.rejected_with(answer(415, ssp, via_proxy=True), (Rejection(415),), "1.6")
    assert judged.allowed.met is None
    assert "Spine Secure Proxy" in judged.allowed.observed
    direct = expect.rejected_with(answer(415, ssp), (Rejection(415),), "1.6")
    assert direct.allowed.met is False


def test_a_recased_id_is_judged_only_on_not_serving_the_document() -> None:
    wrong_code = issue("INVALID_RESOURCE", "Invalid validation of resource")
    assert expect.document_not_served(answer(404, wrong_code)).met is True
    served = answer(200, body=b'{"resourceType": "Binary"}')
    assert expect.document_not_served(served).met is False
