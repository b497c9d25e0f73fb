"""FHIR STU3 resources the provider answers with, and their JSON / XML wire forms."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal
from xml.sax.saxutils import quoteattr

Format = Literal["json", "xml"]
Resource = dict[str, object]

FHIR_NS = "http://hl7.org/fhir"
OO_PROFILE = "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"
SPINE_SYSTEM = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1"

# Error handling guidance: Spine error code -> display.
SPINE_DISPLAYS: dict[str, str] = {
    "BAD_REQUEST": "Bad request",
    "NO_RECORD_FOUND": "No record found",
    "INVALID_PARAMETER": "Invalid parameter",
    "INVALID_RESOURCE": "Invalid validation of resource",
}


def operation_outcome(
    *,
    issue_code: str,
    spine_code: str,
    diagnostics: str,
    severity: str = "error",
    system: str = SPINE_SYSTEM,
    display: str | None = None,
) -> Resource:
    """A GPConnect-OperationOutcome-1 with a single issue."""
    coding = {
        "system": system,
        "code": spine_code,
        "display": SPINE_DISPLAYS.get(spine_code, spine_code) if display is None else display,
    }
    issue: dict[str, object] = {
        "severity": severity,
        "code": issue_code,
        "details": {"coding": [coding]},
    }
    if diagnostics:
        issue["diagnostics"] = diagnostics
    return {"resourceType": "OperationOutcome", "meta": {"profile": [OO_PROFILE]}, "issue": [issue]}


def to_json(resource: Mapping[str, object]) -> bytes:
    return json.dumps(resource, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _xml_element(name: str, value: object, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append(f"<{name}>")
        for key, child in value.items():
            _xml_element(key, child, out)
        out.append(f"</{name}>")
    elif isinstance(value, list):
        for item in value:
            _xml_element(name, item, out)
    else:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        out.append(f"<{name} value={quoteattr(text)}/>")


def to_xml(resource: Mapping[str, object]) -> bytes:
    """The STU3 XML form: primitives as value attributes, in the dict's (STU3) element order."""
    name = str(resource["resourceType"])
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{name} xmlns="{FHIR_NS}">']
    for key, value in resource.items():
        if key != "resourceType":
            _xml_element(key, value, out)
    out.append(f"</{name}>")
    return "".join(out).encode("utf-8")


def render(resource: Mapping[str, object], fmt: Format) -> bytes:
    return to_xml(resource) if fmt == "xml" else to_json(resource)
