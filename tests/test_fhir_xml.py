"""gpc_assure.spec.fhir_xml: FHIR STU3 XML converted to the JSON the suite's schemas validate."""

import base64
from typing import Any

import pytest

from gpc_assure.spec.fhir_xml import FhirXmlError, parse_fhir_xml
from gpc_assure.spec.schema_validation import SchemaName, validate

FHIR = 'xmlns="http://hl7.org/fhir"'
SPINE_SYSTEM = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1"
OO_PROFILE = "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"
SECRET = "c2VjcmV0"  # a value that must never appear in an error message


def _xml(text: str) -> bytes:
    return text.encode("utf-8")


BINARY_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<Binary {FHIR}>
  <id value="doc-1"/>
  <meta>
    <versionId value="3"/>
    <profile value="http://hl7.org/fhir/StructureDefinition/Binary"/>
  </meta>
  <contentType value="application/pdf"/>
  <content value="JVBERi0xLjQK"/>
</Binary>
"""
BINARY_JSON = {
    "resourceType": "Binary",
    "id": "doc-1",
    "meta": {"versionId": "3", "profile": ["http://hl7.org/fhir/StructureDefinition/Binary"]},
    "contentType": "application/pdf",
    "content": "JVBERi0xLjQK",
}

OO_ONE_ISSUE_XML = f"""<OperationOutcome {FHIR}>
  <meta><profile value="{OO_PROFILE}"/></meta>
  <issue>
    <severity value="error"/>
    <code value="not-found"/>
    <details>
      <coding>
        <system value="{SPINE_SYSTEM}"/>
        <code value="NO_RECORD_FOUND"/>
        <display value="No record found"/>
      </coding>
    </details>
    <diagnostics value="Document not found"/>
  </issue>
</OperationOutcome>"""
OO_ONE_ISSUE_JSON = {
    "resourceType": "OperationOutcome",
    "meta": {"profile": [OO_PROFILE]},
    "issue": [
        {
            "severity": "error",
            "code": "not-found",
            "details": {
                "coding": [
                    {
                        "system": SPINE_SYSTEM,
                        "code": "NO_RECORD_FOUND",
                        "display": "No record found",
                    }
                ]
            },
            "diagnostics": "Document not found",
        }
    ],
}


def _issue(code: str, spine_code: str, extra: str = "") -> str:
    return f"""<issue><severity value="error"/><code value="{code}"/>
      <details><coding><system value="{SPINE_SYSTEM}"/><code value="{spine_code}"/>
      <display value="{spine_code.lower()}"/><userSelected value="false"/></coding>
      <text value="details"/></details>{extra}</issue>"""


def _issue_json(code: str, spine_code: str, **extra: Any) -> dict[str, Any]:
    coding = {
        "system": SPINE_SYSTEM,
        "code": spine_code,
        "display": spine_code.lower(),
        "userSelected": False,
    }
    return {
        "severity": "error",
        "code": code,
        "details": {"coding": [coding], "text": "details"},
        **extra,
    }


OO_TWO_ISSUES_XML = f"""<OperationOutcome {FHIR}>
  <id value="oo-1"/>
  <text>
    <status value="generated"/>
    <div xmlns="http://www.w3.org/1999/xhtml"><p>Two <b>problems</b></p></div>
  </text>
  {_issue("invalid", "INVALID_PARAMETER", '<location value="/f:Binary"/>')}
  {_issue("forbidden", "ACCESS_DENIED", '<expression value="a"/><expression value="b"/>')}
</OperationOutcome>"""
OO_TWO_ISSUES_JSON = {
    "resourceType": "OperationOutcome",
    "id": "oo-1",
    "text": {
        "status": "generated",
        "div": '<div xmlns="http://www.w3.org/1999/xhtml"><p>Two <b>problems</b></p></div>',
    },
    "issue": [
        _issue_json("invalid", "INVALID_PARAMETER", location=["/f:Binary"]),
        _issue_json("forbidden", "ACCESS_DENIED", expression=["a", "b"]),
    ],
}

EXTENSION = '<extension url="http://example.org/ext"><valueBoolean value="true"/></extension>'
PRIMITIVE_EXTRAS_XML = f"""<Binary {FHIR}>
  <meta>
    <profile value="http://example.org/a"/>
    <profile id="p2">{EXTENSION}</profile>
  </meta>
  <contentType id="ct" value="text/plain">{EXTENSION}</contentType>
  <content value="{SECRET}"/>
</Binary>"""
PRIMITIVE_EXTRAS_JSON = {
    "resourceType": "Binary",
    "meta": {
        "profile": ["http://example.org/a", None],
        "_profile": [
            None,
            {"id": "p2", "extension": [{"url": "http://example.org/ext", "valueBoolean": True}]},
        ],
    },
    "contentType": "text/plain",
    "_contentType": {
        "id": "ct",
        "extension": [{"url": "http://example.org/ext", "valueBoolean": True}],
    },
    "content": SECRET,
}

CONVERSIONS = [
    pytest.param(BINARY_XML, BINARY_JSON, "Binary", True, id="binary-with-meta"),
    pytest.param(
        OO_ONE_ISSUE_XML, OO_ONE_ISSUE_JSON, "GPConnect-OperationOutcome-1", True, id="oo-one-issue"
    ),
    pytest.param(
        OO_TWO_ISSUES_XML,
        OO_TWO_ISSUES_JSON,
        "GPConnect-OperationOutcome-1",
        True,
        id="oo-two-issues-with-narrative",
    ),
    # meta.profile [..., null] is valid FHIR JSON but the schema types profile items as uri
    pytest.param(
        PRIMITIVE_EXTRAS_XML,
        PRIMITIVE_EXTRAS_JSON,
        "Binary",
        False,
        id="primitive-id-and-extension",
    ),
]


@pytest.mark.parametrize(("xml", "expected", "schema", "valid"), CONVERSIONS)
def test_converts_to_fhir_json(
    xml: str, expected: dict[str, Any], schema: SchemaName, valid: bool
) -> None:
    document = parse_fhir_xml(_xml(xml))
    assert document == expected
    assert (validate(schema, document) == []) is valid


def test_single_occurrences_of_array_elements_become_arrays() -> None:
    document = parse_fhir_xml(_xml(OO_ONE_ISSUE_XML))
    assert isinstance(document["issue"], list)
    assert isinstance(document["meta"]["profile"], list)
    assert isinstance(document["issue"][0]["details"]["coding"], list)


def test_utf8_bom_and_comments_are_accepted() -> None:
    body = b"\xef\xbb\xbf" + _xml(BINARY_XML.replace("<meta>", "<!-- meta --><meta>"))
    assert parse_fhir_xml(body) == BINARY_JSON


def test_unknown_repeated_element_becomes_an_array_the_schema_rejects() -> None:
    xml = BINARY_XML.replace(
        '<contentType value="application/pdf"/>',
        '<contentType value="application/pdf"/><contentType value="text/plain"/>',
    )
    document = parse_fhir_xml(_xml(xml))
    assert document["contentType"] == ["application/pdf", "text/plain"]
    assert any(p.startswith("$.contentType:") for p in validate("Binary", document))


SCHEMA_FAILURES = [
    pytest.param(
        BINARY_XML.replace(
            '<content value="JVBERi0xLjQK"/>',
            '<securityContext><reference value="Patient/1"/></securityContext>'
            '<content value="JVBERi0xLjQK"/>',
        ),
        "Binary",
        "$.securityContext:",
        id="binary-security-context",
    ),
    pytest.param(
        BINARY_XML.replace("JVBERi0xLjQK", "JVBERi0xLjQ"),
        "Binary",
        "$.content:",
        id="binary-bad-base64",
    ),
    pytest.param(
        OO_ONE_ISSUE_XML.replace(
            '<display value="No record found"/>',
            '<display value="No record found"/><userSelected value="yes"/>',
        ),
        "GPConnect-OperationOutcome-1",
        "$.issue[0].details.coding[0].userSelected:",
        id="oo-user-selected-not-boolean",
    ),
]


@pytest.mark.parametrize(("xml", "schema", "problem_prefix"), SCHEMA_FAILURES)
def test_converted_json_feeds_the_same_schema_checks(
    xml: str, schema: SchemaName, problem_prefix: str
) -> None:
    problems = validate(schema, parse_fhir_xml(_xml(xml)))
    assert any(problem.startswith(problem_prefix) for problem in problems), problems


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<Binary xmlns="http://hl7.org/fhir"><contentType value="&lol2;"/></Binary>"""

REJECTIONS = [
    pytest.param(_xml(BILLION_LAUGHS), "<!DOCTYPE is not allowed", id="billion-laughs"),
    pytest.param(
        _xml(f'<!DOCTYPE Binary SYSTEM "file:///etc/passwd"><Binary {FHIR}/>'),
        "<!DOCTYPE is not allowed",
        id="external-dtd",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><!ENTITY x "y"><content value="{SECRET}"/></Binary>'),
        "<!ENTITY is not allowed",
        id="entity-declaration",
    ),
    pytest.param(
        _xml(f'<!-- <!DOCTYPE x> --><Binary {FHIR}><id value="a"/></Binary>'),
        "<!DOCTYPE is not allowed",
        id="doctype-text-even-in-a-comment",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><content value="{SECRET}"></Binary>'),
        "XML is not well-formed (mismatched tag) at line 1, column",
        id="not-well-formed",
    ),
    pytest.param(b"", "XML is not well-formed (no element found)", id="empty-body"),
    pytest.param(
        _xml(f"<Binary {FHIR}/><Binary {FHIR}/>"),
        "junk after document element",
        id="two-roots",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><content value="&secret;"/></Binary>'),
        "undefined entity",
        id="undefined-entity",
    ),
    pytest.param(
        f'<Binary {FHIR}><contentType value="text/plain; charset=latin-1 é"/></Binary>'.encode(
            "latin-1"
        ),
        "body is not UTF-8",
        id="not-utf8",
    ),
    pytest.param(
        _xml(f'<?xml version="1.0" encoding="UTF-16"?><Binary {FHIR}/>'),
        "encoding 'UTF-16'",
        id="declares-utf16",
    ),
    pytest.param(
        _xml(f'<Binary xmlns="http://hl7.org/fhir/STU3"><content value="{SECRET}"/></Binary>'),
        "resource element <Binary> is in namespace 'http://hl7.org/fhir/STU3'",
        id="wrong-namespace",
    ),
    pytest.param(
        _xml(f'<Binary><content value="{SECRET}"/></Binary>'),
        "resource element <Binary> has no namespace",
        id="no-namespace",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><content xmlns="" value="{SECRET}"/></Binary>'),
        "Binary: element <content> has no namespace",
        id="child-without-namespace",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><x:content xmlns:x="urn:other" value="{SECRET}"/></Binary>'),
        "Binary: element <content> is in namespace 'urn:other'",
        id="child-in-other-namespace",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><div xmlns="http://www.w3.org/1999/xhtml"/></Binary>'),
        "Binary: element <div> is in namespace 'http://www.w3.org/1999/xhtml'",
        id="xhtml-outside-text",
    ),
    pytest.param(
        _xml(f"<Binary {FHIR}><content>{SECRET}</content></Binary>"),
        "Binary.content: text content not allowed",
        id="text-content",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}>{SECRET}<content value="{SECRET}"/></Binary>'),
        "Binary: text content not allowed",
        id="text-in-resource",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><meta><versionId value="1"/>{SECRET}</meta></Binary>'),
        "Binary.meta: text content not allowed",
        id="text-between-elements",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><meta/><content value="{SECRET}"/></Binary>'),
        "Binary.meta: empty element",
        id="empty-complex-element",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><contentType/><content value="{SECRET}"/></Binary>'),
        "Binary.contentType: empty element",
        id="empty-primitive",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><content value="{SECRET}" encoding="base64"/></Binary>'),
        "Binary.content: unexpected attribute 'encoding'",
        id="unexpected-attribute",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR} id="{SECRET}"/>'),
        "Binary: unexpected attribute 'id' on a resource",
        id="attribute-on-resource",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><content value="{SECRET}"/><contentType value="a/b"/></Binary>'),
        "Binary: <contentType> is out of order",
        id="out-of-order",
    ),
    pytest.param(
        _xml(
            f"<OperationOutcome {FHIR}>{_issue('invalid', 'BAD_REQUEST')}<meta>"
            f'<versionId value="1"/></meta>{_issue("invalid", "BAD_REQUEST")}</OperationOutcome>'
        ),
        "OperationOutcome: <meta> is out of order",
        id="meta-after-issue",
    ),
    pytest.param(
        _xml(
            f'<OperationOutcome {FHIR}><issue><severity value="error"/><code value="a"/>'
            '<location value="x"/><diagnostics value="d"/><location value="y"/></issue>'
            "</OperationOutcome>"
        ),
        "OperationOutcome.issue[0]: <diagnostics> is out of order",
        id="diagnostics-after-location",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><foo value="1"/><bar value="2"/><foo value="3"/></Binary>'),
        "Binary: repeated <foo> elements are not contiguous",
        id="non-contiguous-repeats",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><content value="{SECRET}"><id value="x"/></content></Binary>'),
        "Binary.content: a primitive may only contain <extension>, not <id>",
        id="primitive-with-child",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><resourceType value="Patient"/></Binary>'),
        "Binary: 'resourceType' would occur twice",
        id="resource-type-element",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><_content value="{SECRET}"/></Binary>'),
        "Binary: <_content> is not a FHIR element name",
        id="underscore-element",
    ),
    pytest.param(
        _xml(f'<binary {FHIR}><content value="{SECRET}"/></binary>'),
        "<binary> is not a FHIR resource name",
        id="lowercase-resource",
    ),
    pytest.param(
        _xml(
            f'<OperationOutcome {FHIR}><text><status value="generated"/><div><p/></div></text>'
            "</OperationOutcome>"
        ),
        "OperationOutcome.text.div: the narrative div must be in the XHTML namespace",
        id="narrative-div-in-fhir-namespace",
    ),
]


@pytest.mark.parametrize(("body", "message"), REJECTIONS)
def test_rejects(body: bytes, message: str) -> None:
    with pytest.raises(FhirXmlError) as caught:
        parse_fhir_xml(body)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert SECRET not in text


def test_error_is_a_value_error() -> None:
    assert issubclass(FhirXmlError, ValueError)


def test_large_binary_converts() -> None:
    data = bytes(range(256)) * (5_000_000 // 256)  # ~5 MB, ~6.6 MB of base64
    content = base64.b64encode(data).decode("ascii")
    xml = f'<Binary {FHIR}><contentType value="application/pdf"/><content value="{content}"/>'
    document = parse_fhir_xml(_xml(xml + "</Binary>"))
    assert len(content) > 6_600_000
    assert document["content"] == content
    assert validate("Binary", document) == []
