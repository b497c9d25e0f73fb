"""Redaction masks values in the data itself, before any writer escapes them."""

import base64
import json
from dataclasses import dataclass

from gpc_assure.config.provider_config import load_config, to_resolved_dict
from gpc_assure.report.redaction import REDACTED, Redactor, secret_values

NAME = "Surgery Zoë & Co <North>"


@dataclass(frozen=True)
class Inner:
    name: str


@dataclass(frozen=True)
class Outer:
    inner: Inner
    names: tuple[str, ...]


def test_values_are_masked_in_nested_data_and_dataclasses() -> None:
    masks = Redactor.of([NAME], tokens=False)
    masked = masks.mask({"a": [NAME, f"x {NAME} y"], "b": Outer(Inner(NAME), (NAME,))})
    assert NAME not in repr(masked)
    assert "Zo\\u00eb" not in json.dumps(masked, default=repr)
    assert masked["a"][1] == f"x {REDACTED} y"


def test_a_named_claim_masks_every_authorization_value_and_its_parts() -> None:
    payload = json.dumps({"requesting_organization": {"name": NAME}})
    token = f'{{"alg":"none"}}.{payload}.'
    b64 = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    masks = Redactor.of([NAME], tokens=True).with_tokens_of([f"Bearer {token}", f"Bearer x.{b64}"])
    evidence = {
        "headers": [["Authorization", f"Bearer {token}"]],
        "finding": f"observed token {b64}",
        "jwt": {"decoded": True, "claims": {"requesting_organization": {"name": NAME}}},
    }
    shown = json.dumps(masks.mask(evidence))
    assert "Surgery" not in shown
    assert b64 not in shown
    assert "Zo\\u00eb" not in shown


def test_an_inactive_redactor_changes_nothing() -> None:
    value = {"a": NAME}
    assert Redactor().mask(value) is value


def test_nhs_numbers_name_the_configured_test_patients() -> None:
    numbers = ["9690937278", "9476719931"]
    config = load_config(None, {}, {"nhs_numbers": numbers, "base_url": "https://p.test/fhir"})
    values, claim_named = secret_values(config, ["nhs_numbers"])
    assert (values, claim_named) == (set(numbers), False)
    resolved = Redactor.of(values, tokens=False).mask(to_resolved_dict(config))
    query = ("identifier", f"https://fhir.nhs.uk/Id/nhs-number|{numbers[0]}")
    shown = json.dumps([resolved, Redactor.of(values, tokens=False).mask(query)])
    assert not any(number in shown for number in numbers)
    assert resolved["nhs_numbers"] == [REDACTED, REDACTED]
