"""The valid request: headers, URL forms and the bearer token's claims."""

import uuid

import jwt
import pytest

from gpc_assure.config.provider_config import ProviderConfig, load_config
from gpc_assure.request.jwt_claims import (
    CLAIM_NAMES,
    SDS_USER_SYSTEM,
    UNDEFINED_ELEMENT,
    decode_for_evidence,
    malformed_token,
    with_undefined_element,
    without_element,
    without_identifier,
)
from gpc_assure.request.retrieve import binary_url, valid_request
from gpc_assure.spec.versions import DRAFT_BINARY_READ, RELEASED_BINARY_READ

BASE = "https://provider.example/B82617/STU3/1/gpconnect/documents"
NOW = 1_800_000_000


def make_config(**overrides: object) -> ProviderConfig:
    return load_config(None, {}, {"base_url": BASE, **overrides})


def claims_of(authorization: str | None) -> dict[str, object]:
    assert authorization is not None
    scheme, token = authorization.split(" ")
    assert scheme == "Bearer"
    claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_valid_request_carries_every_spine_header() -> None:
    config = make_config()
    request = valid_request(config, "doc-1", now=NOW)
    assert request.method == "GET"
    assert request.url == f"{BASE}/Binary/doc-1"
    assert request.header("Accept") == "application/fhir+json"
    assert uuid.UUID(request.header("Ssp-TraceID") or "")
    assert request.header("Ssp-From") == config.consumer_asid
    assert request.header("Ssp-To") == config.provider_asid
    assert request.header("Ssp-InteractionID") == RELEASED_BINARY_READ


def test_every_request_has_a_fresh_trace_id() -> None:
    config = make_config()
    first, second = (valid_request(config, "doc-1").header("Ssp-TraceID") for _ in range(2))
    assert first != second


@pytest.mark.parametrize(
    ("spec", "interaction"),
    [("1.6", RELEASED_BINARY_READ), ("1.0", RELEASED_BINARY_READ), ("draft", DRAFT_BINARY_READ)],
)
def test_interaction_id_follows_the_spec_version(spec: str, interaction: str) -> None:
    request = valid_request(make_config(spec=spec), "doc-1")
    assert request.header("Ssp-InteractionID") == interaction


def test_token_is_unsecured_with_empty_signature() -> None:
    authorization = valid_request(make_config(), "doc-1", now=NOW).header("Authorization")
    assert authorization is not None
    token = authorization.removeprefix("Bearer ")
    assert token.endswith(".")
    assert token.count(".") == 2
    assert jwt.get_unverified_header(token) == {"alg": "none", "typ": "JWT"}


def test_token_has_all_ten_claims_as_the_page_defines_them() -> None:
    config = make_config()
    claims = claims_of(valid_request(config, "doc-1", now=NOW).header("Authorization"))
    assert set(claims) == set(CLAIM_NAMES)
    assert claims["iat"] == NOW
    assert claims["exp"] == NOW + 300
    assert claims["aud"] == BASE
    assert claims["reason_for_request"] == "directcare"
    assert claims["requested_scope"] == "patient/*.read"
    practitioner = claims["requesting_practitioner"]
    assert isinstance(practitioner, dict)
    assert practitioner["resourceType"] == "Practitioner"
    assert practitioner["id"] == claims["sub"]
    organization = claims["requesting_organization"]
    assert isinstance(organization, dict)
    assert organization["identifier"] == [
        {
            "system": "https://fhir.nhs.uk/Id/ods-organization-code",
            "value": config.consumer.ods_code,
        }
    ]
    device = claims["requesting_device"]
    assert isinstance(device, dict)
    assert device["resourceType"] == "Device"


def test_proxy_url_form() -> None:
    config = make_config(proxy_url="https://proxy.example")
    assert binary_url(config, "doc-1") == f"https://proxy.example/{BASE}/Binary/doc-1"


def test_ids_are_percent_encoded_in_the_url() -> None:
    assert binary_url(make_config(), "a b/c%") == f"{BASE}/Binary/a%20b%2Fc%25"


def test_variants_keep_the_original_intact() -> None:
    request = valid_request(make_config(), "doc-1")
    without = request.without_header("ssp-to")
    recased = request.with_header("SSP-TRACEID", "x")
    assert request.header("Ssp-To") is not None
    assert without.header("Ssp-To") is None
    assert ("SSP-TRACEID", "x") in recased.headers
    assert [k.lower() for k, _ in recased.headers] == [k.lower() for k, _ in request.headers]


def test_decode_for_evidence_never_raises() -> None:
    assert decode_for_evidence("Basic abc")["decoded"] is False
    assert decode_for_evidence("Bearer a.b")["decoded"] is False
    assert decode_for_evidence("Bearer !!.??.")["decoded"] is False
    token = jwt.encode({"sub": "1"}, key="", algorithm="none")
    assert decode_for_evidence(f"Bearer {token}")["claims"] == {"sub": "1"}


def test_resource_type_variant_changes_only_the_type_segment() -> None:
    config = make_config(proxy_url="https://proxy.example")
    request = valid_request(config, "Binary")
    assert request.with_resource_type("binary").url == f"https://proxy.example/{BASE}/binary/Binary"
    assert request.with_resource_type("Nonsense").url.endswith("/documents/Nonsense/Binary")
    assert request.url.endswith("/documents/Binary/Binary")


def test_plain_json_token_is_the_claims_unencoded() -> None:
    claims = {"sub": "1", "aud": "https://provider.example/a.b"}
    token = malformed_token("made of plain JSON parts, not base64url", claims)
    assert token == '{"alg":"none","typ":"JWT"}.{"sub":"1","aud":"https://provider.example/a.b"}.'
    assert decode_for_evidence(f"Bearer {token}")["decoded"] is False


def test_claim_resource_variants_change_one_thing() -> None:
    claims = {
        "requesting_practitioner": {
            "resourceType": "Practitioner",
            "identifier": [
                {"system": SDS_USER_SYSTEM, "value": "G1"},
                {"system": "x", "value": "y"},
            ],
            "name": [{"family": "Jones"}],
        }
    }
    original = repr(claims)
    extra = with_undefined_element(claims, "requesting_practitioner")["requesting_practitioner"]
    assert set(extra) - set(claims["requesting_practitioner"]) == {UNDEFINED_ELEMENT}
    nameless = without_element(claims, "requesting_practitioner", "name")
    assert "name" not in nameless["requesting_practitioner"]
    no_sds = without_identifier(claims, "requesting_practitioner", SDS_USER_SYSTEM)
    assert no_sds["requesting_practitioner"]["identifier"] == [{"system": "x", "value": "y"}]
    assert repr(claims) == original
