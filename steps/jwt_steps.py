"""Steps that vary the bearer token: each decodes the request's valid token, changes one
thing, and re-encodes it as an unsecured JWT."""

import json
import time
from typing import Any

from pytest_bdd import given, parsers

from gpc_assure.request.jwt_claims import (
    SDS_ROLE_PROFILE_SYSTEM,
    SDS_USER_SYSTEM,
    claims_from_authorization,
    encode_unsecured,
    malformed_token,
    reissued,
    with_undefined_element,
    without_element,
    without_identifier,
)
from gpc_assure.request.retrieve import RetrieveRequest

REQUEST = "retrieve_request"


def _claims(request: RetrieveRequest) -> dict[str, Any]:
    return claims_from_authorization(request.header("Authorization"))


def _with_claims(request: RetrieveRequest, claims: dict[str, Any]) -> RetrieveRequest:
    return request.with_bearer_token(encode_unsecured(claims))


@given(parsers.parse("the bearer token is {malformation}"), target_fixture=REQUEST)
def malformed(retrieve_request: RetrieveRequest, malformation: str) -> RetrieveRequest:
    return retrieve_request.with_bearer_token(
        malformed_token(malformation, _claims(retrieve_request))
    )


@given(
    parsers.parse('the request\'s token is sent in the "{scheme}" scheme'), target_fixture=REQUEST
)
def other_scheme(retrieve_request: RetrieveRequest, scheme: str) -> RetrieveRequest:
    authorization = retrieve_request.header("Authorization") or ""
    token = authorization.partition(" ")[2]
    return retrieve_request.with_header("Authorization", f"{scheme} {token}")


@given(parsers.parse('the JWT claim "{claim}" is removed'), target_fixture=REQUEST)
def claim_removed(retrieve_request: RetrieveRequest, claim: str) -> RetrieveRequest:
    claims = _claims(retrieve_request)
    del claims[claim]
    return _with_claims(retrieve_request, claims)


@given(parsers.parse('the JWT claim "{claim}" is null'), target_fixture=REQUEST)
def claim_null(retrieve_request: RetrieveRequest, claim: str) -> RetrieveRequest:
    return _with_claims(retrieve_request, {**_claims(retrieve_request), claim: None})


@given(parsers.re(r'the JWT claim "(?P<claim>\w+)" is (?P<value>["{].*)$'), target_fixture=REQUEST)
def claim_value(retrieve_request: RetrieveRequest, claim: str, value: str) -> RetrieveRequest:
    """`value` is JSON: a quoted string or an object."""
    return _with_claims(retrieve_request, {**_claims(retrieve_request), claim: json.loads(value)})


@given(
    parsers.re(r"the JWT exp is iat (?P<sign>[+-]) (?P<seconds>\d+) seconds"),
    target_fixture=REQUEST,
)
def exp_offset(retrieve_request: RetrieveRequest, sign: str, seconds: str) -> RetrieveRequest:
    claims = _claims(retrieve_request)
    offset = int(seconds) if sign == "+" else -int(seconds)
    return _with_claims(retrieve_request, {**claims, "exp": claims["iat"] + offset})


@given(
    parsers.re(r"the JWT was issued (?P<seconds>\d+) seconds (?P<when>ago|in the future)"),
    target_fixture=REQUEST,
)
def issued_at(retrieve_request: RetrieveRequest, seconds: str, when: str) -> RetrieveRequest:
    shift = -int(seconds) if when == "ago" else int(seconds)
    claims = reissued(_claims(retrieve_request), int(time.time()) + shift)
    return _with_claims(retrieve_request, claims)


@given(
    parsers.parse('the JWT claim "{claim}" has resourceType "{resource}"'), target_fixture=REQUEST
)
def claim_resource_type(
    retrieve_request: RetrieveRequest, claim: str, resource: str
) -> RetrieveRequest:
    """The claim's resource, everything else kept, declared as another resource type."""
    claims = _claims(retrieve_request)
    claims[claim] = {**claims[claim], "resourceType": resource}
    return _with_claims(retrieve_request, claims)


@given(
    parsers.parse('the JWT organisation identifier system is "{system}"'), target_fixture=REQUEST
)
def organisation_system(retrieve_request: RetrieveRequest, system: str) -> RetrieveRequest:
    claims = _claims(retrieve_request)
    organisation = claims["requesting_organization"]
    organisation["identifier"] = [{**i, "system": system} for i in organisation["identifier"]]
    return _with_claims(retrieve_request, claims)


@given("the JWT practitioner's SDS user id and role profile id are UNK", target_fixture=REQUEST)
def unk_sds_ids(retrieve_request: RetrieveRequest) -> RetrieveRequest:
    claims = _claims(retrieve_request)
    practitioner = claims["requesting_practitioner"]
    practitioner["identifier"] = [
        {**i, "value": "UNK"}
        if i.get("system") in (SDS_USER_SYSTEM, SDS_ROLE_PROFILE_SYSTEM)
        else i
        for i in practitioner["identifier"]
    ]
    return _with_claims(retrieve_request, claims)


@given("the JWT practitioner has only the SDS user id identifier", target_fixture=REQUEST)
def minimal_practitioner(retrieve_request: RetrieveRequest) -> RetrieveRequest:
    claims = _claims(retrieve_request)
    practitioner = claims["requesting_practitioner"]
    practitioner["identifier"] = [
        i for i in practitioner["identifier"] if i.get("system") == SDS_USER_SYSTEM
    ]
    return _with_claims(retrieve_request, claims)


@given(
    parsers.parse('the JWT claim "{claim}" carries an element its resource type does not define'),
    target_fixture=REQUEST,
)
def undefined_element(retrieve_request: RetrieveRequest, claim: str) -> RetrieveRequest:
    return _with_claims(retrieve_request, with_undefined_element(_claims(retrieve_request), claim))


@given(parsers.parse('the JWT claim "{claim}" has no "{element}" element'), target_fixture=REQUEST)
def claim_element_removed(
    retrieve_request: RetrieveRequest, claim: str, element: str
) -> RetrieveRequest:
    claims = without_element(_claims(retrieve_request), claim, element)
    return _with_claims(retrieve_request, claims)


@given("the JWT practitioner has no SDS user id identifier", target_fixture=REQUEST)
def no_sds_user_id(retrieve_request: RetrieveRequest) -> RetrieveRequest:
    claims = _claims(retrieve_request)
    claims = without_identifier(claims, "requesting_practitioner", SDS_USER_SYSTEM)
    return _with_claims(retrieve_request, claims)
