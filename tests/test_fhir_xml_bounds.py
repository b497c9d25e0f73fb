"""XML answers are parsed within bounds: a tree larger than any FHIR answer is never built."""

import xml.etree.ElementTree as ET

import pytest

from gpc_assure.spec.fhir_xml import MAX_DEPTH as MAX_XML_DEPTH
from gpc_assure.spec.fhir_xml import MAX_ELEMENTS as MAX_XML_ELEMENTS
from gpc_assure.spec.fhir_xml import FhirXmlError, parse_xml_safely
from gpc_assure.transport.exchange import redact_body

ISSUE = b'<issue><severity value="error"/><code value="value"/></issue>'


def outcome(issues: int) -> bytes:
    return (
        b'<OperationOutcome xmlns="http://hl7.org/fhir">' + ISSUE * issues + b"</OperationOutcome>"
    )


def test_an_ordinary_tree_is_the_one_elementtree_builds() -> None:
    body = outcome(3)
    assert ET.tostring(parse_xml_safely(body)) == ET.tostring(ET.fromstring(body))


def test_a_tree_of_more_elements_than_the_bound_is_not_built() -> None:
    with pytest.raises(FhirXmlError, match="more than 50,000 elements"):
        parse_xml_safely(outcome(MAX_XML_ELEMENTS // 3 + 1))


def test_a_tree_nested_deeper_than_the_bound_is_not_built() -> None:
    depth = MAX_XML_DEPTH + 1
    with pytest.raises(FhirXmlError, match="more than 100 deep"):
        parse_xml_safely(b"<a>" * depth + b"</a>" * depth)


def test_a_huge_xml_outcome_keeps_a_digest_only_in_evidence() -> None:
    body = outcome(250_000)
    evidence = redact_body(body, "application/fhir+xml")
    assert evidence["size"] == len(body)
    assert "text" not in evidence
    assert "excerpt" not in evidence


def test_malformed_xml_is_reported_where_it_breaks() -> None:
    with pytest.raises(FhirXmlError, match=r"mismatched tag\) at line 1, column 8"):
        parse_xml_safely(b"<a><b></a>")
