"""FHIR STU3 resources the provider answers with, and their JSON / XML wire forms."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal
from xml.sax.saxutils import quoteattr

from .readings import Reading

Format = Literal["json", "xml"]
Resource = dict[str, object]

FHIR_NS = "http://hl7.org/fhir"
OO_PROFILE = "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"
SPINE_SYSTEM = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1"
# The system every documents-1.0.1 error example uses (reading spine-system-valueset-uri).
SPINE_VALUESET_SYSTEM = "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1"

# Spine error code -> display, as the current Spine CodeSystem gives them (1.6.2 tables agree,
# apart from ACCESS DENIED, whose table display is shorter).
SPINE_DISPLAYS: dict[str, str] = {
    "BAD_REQUEST": "Bad request",
    "NO_RECORD_FOUND": "No record found",
    "INVALID_PARAMETER": "Invalid parameter",
    "INVALID_RESOURCE": "Invalid validation of resource",
    "INVALID_NHS_NUMBER": "Invalid NHS number",
    "PATIENT_NOT_FOUND": "Patient not found",
    "CONFLICTING_VALUES": "Conflicting values have been specified in different fields",
    "ACCESS DENIED": "Access denied",
    "NOT_IMPLEMENTED": "Not implemented",
    "INVALID_REQUEST_TYPE": "The type of request is not supported by the API call",
    "UNSUPPORTED_MEDIA_TYPE": "Unsupported media type",
}
# documents-1.0.1 error handling guidance: the displays its tables print (reading displays-1.0.1).
SPINE_DISPLAYS_1_0_1: dict[str, str] = {
    "BAD_REQUEST": "Submitted request is malformed/invalid.",
    "NO_RECORD_FOUND": "No record found",
    "INVALID_PARAMETER": "Submitted parameter is not valid.",
    "INVALID_RESOURCE": "Submitted resource is not valid.",
    "INVALID_NHS_NUMBER": "NHS number invalid",
    "PATIENT_NOT_FOUND": "Patient record not found",
    "ACCESS DENIED": "Access denied",
    "NOT_IMPLEMENTED": "FHIR resource or operation not implemented at server",
}


def spine_display(code: str, readings: frozenset[Reading] = frozenset()) -> str:
    """The display sent with Spine *code*, as the display readings spell it."""
    display = SPINE_DISPLAYS.get(code, code)
    if Reading.DISPLAYS_1_0_1 in readings:
        display = SPINE_DISPLAYS_1_0_1.get(code, display)
    if Reading.DISPLAYS_LOWERCASE in readings:
        display = display.lower()
    return display


def operation_outcome(
    *,
    issue_code: str,
    spine_code: str,
    diagnostics: str,
    severity: str = "error",
    system: str | None = None,
    display: str | None = None,
    readings: frozenset[Reading] = frozenset(),
) -> Resource:
    """A GPConnect-OperationOutcome-1 with a single issue (two under multiple-issues)."""
    if system is None:
        valueset = Reading.SPINE_SYSTEM_VALUESET_URI in readings
        system = SPINE_VALUESET_SYSTEM if valueset else SPINE_SYSTEM
    coding = {
        "system": system,
        "code": spine_code,
        "display": spine_display(spine_code, readings) if display is None else display,
    }
    issue: dict[str, object] = {
        "severity": severity,
        "code": issue_code,
        "details": {"coding": [coding]},
    }
    if diagnostics:
        issue["diagnostics"] = diagnostics
    issues = [issue]
    if Reading.MULTIPLE_ISSUES in readings:
        note: dict[str, object] = {
            "severity": "information",
            "code": "informational",
            "details": {"coding": [dict(coding)]},
            "diagnostics": "The error is described by the next issue",
        }
        issues.insert(0, note)
    outcome: Resource = {"resourceType": "OperationOutcome"}
    if Reading.OUTCOME_WITHOUT_META not in readings:
        outcome["meta"] = {"profile": [OO_PROFILE]}
    outcome["issue"] = issues
    return outcome


def to_json(resource: Mapping[str, object]) -> bytes:
    return json.dumps(resource, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _xml_element(name: str, value: object, out: list[str]) -> None:
    if isinstance(value, Mapping) and "resourceType" in value:
        # A resource inside another (Bundle.entry.resource): <resource><Patient>...</Patient>
        out.append(f"<{name}>")
        _xml_resource(value, out)
        out.append(f"</{name}>")
    elif isinstance(value, Mapping):
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


def _xml_resource(resource: Mapping[str, object], out: list[str], namespace: str = "") -> None:
    name = str(resource["resourceType"])
    out.append(f'<{name} xmlns="{namespace}">' if namespace else f"<{name}>")
    for key, value in resource.items():
        if key != "resourceType":
            _xml_element(key, value, out)
    out.append(f"</{name}>")


def to_xml(resource: Mapping[str, object]) -> bytes:
    """The STU3 XML form: primitives as value attributes, in the dict's (STU3) element order."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    _xml_resource(resource, out, FHIR_NS)
    return "".join(out).encode("utf-8")


def render(resource: Mapping[str, object], fmt: Format) -> bytes:
    return to_xml(resource) if fmt == "xml" else to_json(resource)
