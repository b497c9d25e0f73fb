"""The Authorization bearer JWT rules of the conformant reference provider."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from provider_testkit import (
    ODS_SYSTEM,
    SDS_ROLE,
    SDS_USER,
    Probe,
    bearer,
    issue,
    practitioner,
    raw_bearer,
    running,
    valid_claims,
)

from gpc_assure.provider.faults import JWT_CLAIMS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    with running(spec="1.6") as p:
        yield p


@pytest.fixture(scope="module")
def probe_1_0() -> Iterator[Probe]:
    with running(spec="1.0") as p:
        yield p


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _send(probe: Probe, authorization: str) -> Any:
    return probe.get(headers=probe.headers(Authorization=authorization))


def _refused(probe: Probe, authorization: str, mentions: str) -> None:
    response = _send(probe, authorization)
    assert response.status_code == 400, response.text
    problem = issue(response)
    assert problem["code"] == "invalid"
    assert problem["details"]["coding"][0]["code"] == "BAD_REQUEST"
    assert mentions in problem["diagnostics"]
    assert authorization.split()[-1] not in response.text  # the token is never echoed


def _accepted(probe: Probe, claims: dict[str, Any]) -> None:
    response = _send(probe, bearer(claims))
    assert response.status_code == 200, response.text


def test_valid_token_is_accepted(probe: Probe) -> None:
    _accepted(probe, valid_claims())


@pytest.mark.parametrize("claim", JWT_CLAIMS)
def test_missing_claim_is_refused(probe: Probe, claim: str) -> None:
    _refused(probe, bearer(valid_claims(**{claim: ...})), claim)


@pytest.mark.parametrize("claim", JWT_CLAIMS)
def test_null_claim_is_refused(probe: Probe, claim: str) -> None:
    _refused(probe, raw_bearer(valid_claims(**{claim: None})), claim)


def test_authorization_is_required(probe: Probe) -> None:
    response = probe.get(headers=probe.headers(drop=("Authorization",)))
    assert response.status_code == 400
    assert "Authorization" in issue(response)["diagnostics"]


def test_bearer_scheme_is_case_insensitive(probe: Probe) -> None:
    token = bearer(valid_claims()).split()[1]
    assert _send(probe, f"bearer {token}").status_code == 200
    assert _send(probe, f"BEARER {token}").status_code == 200


@pytest.mark.parametrize("scheme", ["Basic", "Token", "JWT"])
def test_other_schemes_are_refused(probe: Probe, scheme: str) -> None:
    token = bearer(valid_claims()).split()[1]
    _refused(probe, f"{scheme} {token}", "Bearer")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b",
        "a.b.c.d",
        _b64(b'{"alg":"none"}') + ".!!!.",
        _b64(b'{"alg":"none"}') + "." + _b64(b"not json") + ".",
        _b64(b'{"alg":"none"}') + "." + _b64(b"[1,2]") + ".",
        _b64(b'{"alg":"HS256"}') + "." + _b64(json.dumps(valid_claims()).encode()) + ".",
        _b64(b'{"alg":"none"}') + "." + _b64(json.dumps(valid_claims()).encode()) + ".c2ln",
        _b64(b"not json") + "." + _b64(json.dumps(valid_claims()).encode()) + ".",
    ],
)
def test_malformed_tokens_are_refused(probe: Probe, token: str) -> None:
    _refused(probe, f"Bearer {token}", "JWT")


def test_padded_base64_is_refused(probe: Probe) -> None:
    header = _b64(b'{"alg":"none"}')
    for pad in range(3):
        claims = valid_claims(iss="https://consumer.example.test/" + "x" * pad)
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode()
        if payload.endswith("="):
            break
    assert payload.endswith("=")
    _refused(probe, f"Bearer {header}.{payload}.", "base64url")


@pytest.mark.parametrize(("claim", "value"), [("iss", 5), ("sub", ""), ("aud", ["x"])])
def test_string_claims_must_be_strings(probe: Probe, claim: str, value: Any) -> None:
    _refused(probe, raw_bearer(valid_claims(**{claim: value})), claim)


@pytest.mark.parametrize(("claim", "value"), [("exp", "1"), ("iat", 1.5), ("iat", True)])
def test_time_claims_must_be_integers(probe: Probe, claim: str, value: Any) -> None:
    _refused(probe, bearer(valid_claims(**{claim: value})), claim)


@pytest.mark.parametrize("exp_offset", [299, 301, 600, 3600])
def test_exp_must_be_iat_plus_300(probe: Probe, exp_offset: int) -> None:
    now = int(time.time())
    _refused(probe, bearer(valid_claims(now, exp=now + exp_offset)), "exp")


def test_exp_before_iat_is_refused(probe: Probe) -> None:
    now = int(time.time())
    _refused(probe, bearer(valid_claims(now + 200, exp=now + 100)), "exp")


def test_expired_token_is_refused(probe: Probe) -> None:
    _refused(probe, bearer(valid_claims(int(time.time()) - 301)), "exp")


@pytest.mark.parametrize("ahead", [30, 250])
def test_iat_a_little_ahead_is_accepted(probe: Probe, ahead: int) -> None:
    _accepted(probe, valid_claims(int(time.time()) + ahead))


def test_iat_far_ahead_is_refused(probe: Probe) -> None:
    _refused(probe, bearer(valid_claims(int(time.time()) + 400)), "iat")


@pytest.mark.parametrize("reason", ["migration", "DIRECTCARE", "", 1])
def test_reason_must_be_directcare(probe: Probe, reason: Any) -> None:
    _refused(probe, bearer(valid_claims(reason_for_request=reason)), "reason_for_request")


@pytest.mark.parametrize(
    "scope",
    ["patient/*.write", "organization/*.read", "patient/*.read conf/X", "conf/N", "", 7],
)
def test_wrong_scope_is_refused(probe: Probe, scope: Any) -> None:
    _refused(probe, bearer(valid_claims(requested_scope=scope)), "requested_scope")


@pytest.mark.parametrize(
    "scope", ["patient/*.read conf/N", "patient/*.read conf/R", "conf/N patient/*.read"]
)
def test_confidentiality_scopes_accepted_under_1_6(probe: Probe, scope: str) -> None:
    _accepted(probe, valid_claims(requested_scope=scope))


def test_confidentiality_scope_refused_under_1_0(probe_1_0: Probe) -> None:
    _accepted(probe_1_0, valid_claims())
    _refused(
        probe_1_0, bearer(valid_claims(requested_scope="patient/*.read conf/N")), "requested_scope"
    )


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("requesting_device", "Device"),
        ("requesting_device", {"resourceType": "Organization"}),
        ("requesting_organization", {"resourceType": "Device", "identifier": []}),
        ("requesting_organization", ["Organization"]),
        ("requesting_practitioner", {"resourceType": "Patient", "id": "10019"}),
    ],
)
def test_resource_claims_need_the_right_type(probe: Probe, claim: str, value: Any) -> None:
    _refused(probe, bearer(valid_claims(**{claim: value})), claim)


@pytest.mark.parametrize(
    "identifier",
    [[], [{"system": "https://example.org/ods", "value": "A1001"}], [{"system": ODS_SYSTEM}]],
)
def test_organization_needs_an_ods_code(probe: Probe, identifier: Any) -> None:
    org = {"resourceType": "Organization", "identifier": identifier}
    _refused(probe, bearer(valid_claims(requesting_organization=org)), "requesting_organization")


def test_practitioner_id_must_match_sub(probe: Probe) -> None:
    _refused(probe, bearer(valid_claims(sub="someone-else")), "sub")


def test_practitioner_needs_an_sds_user_id(probe: Probe) -> None:
    claim = practitioner((SDS_ROLE, "UNK"), ("https://example.org/user", "u"))
    _refused(probe, bearer(valid_claims(requesting_practitioner=claim)), "requesting_practitioner")


def test_unk_sds_ids_are_accepted(probe: Probe) -> None:
    claim = practitioner((SDS_USER, "UNK"), (SDS_ROLE, "UNK"))
    _accepted(probe, valid_claims(requesting_practitioner=claim))


def test_minimal_practitioner_is_accepted(probe: Probe) -> None:
    _accepted(probe, valid_claims(requesting_practitioner=practitioner((SDS_USER, "G1"))))


def test_aud_is_not_compared(probe: Probe) -> None:
    _accepted(probe, valid_claims(aud="https://somewhere-else.example/"))


def test_plain_json_parts_are_refused(probe: Probe) -> None:
    plain = json.dumps({"alg": "none"}) + "." + json.dumps(valid_claims()) + "."
    _refused(probe, f"Bearer {plain}", "JWT")


@pytest.mark.parametrize(
    "claim", ["requesting_device", "requesting_organization", "requesting_practitioner"]
)
def test_claim_elements_must_be_defined_by_the_stu3_type(probe: Probe, claim: str) -> None:
    resource = {**valid_claims()[claim], "invalidFhirResourceField": "x"}
    _refused(probe, bearer(valid_claims(**{claim: resource})), "invalidFhirResourceField")


def test_defined_elements_and_primitive_extensions_are_accepted(probe: Probe) -> None:
    organization = {
        **valid_claims()["requesting_organization"],
        "active": True,
        "_name": {"extension": [{"url": "https://example.org/x", "valueString": "y"}]},
    }
    _accepted(probe, valid_claims(requesting_organization=organization))


@pytest.mark.parametrize("name", [..., [], [{}]])
def test_practitioner_needs_a_name(probe: Probe, name: Any) -> None:
    resource = practitioner((SDS_USER, "G1"))
    if name is ...:
        del resource["name"]
    else:
        resource["name"] = name
    _refused(probe, bearer(valid_claims(requesting_practitioner=resource)), "name")
