"""gpc_assure.spec.fhir_xml: a FHIR STU3 XML Binary read, through defusedxml, as the JSON the Binary
schema validates."""

import base64
from typing import Any

import pytest

from gpc_assure.spec.fhir_xml import FhirXmlError, parse_fhir_xml
from gpc_assure.spec.schema_validation import SchemaName, validate

FHIR = 'xmlns="http://hl7.org/fhir"'
SPINE_SYSTEM = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1"
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

SECURITY = "http://hl7.org/fhir/v3/Confidentiality"
BINARY_WITH_META_CODINGS_XML = f"""<Binary {FHIR}>
  <id value="doc-1"/>
  <meta>
    <extension url="http://example.org/ext"><valueString value="x"/></extension>
    <extension url="http://example.org/coded">
      <valueCoding><system value="{SECURITY}"/><code value="R"/></valueCoding>
    </extension>
    <versionId value="3"/>
    <lastUpdated value="2026-01-01T00:00:00Z"/>
    <security><system value="{SECURITY}"/><code value="N"/></security>
    <tag><code value="t1"/><userSelected value="false"/></tag>
    <tag><code value="t2"/></tag>
  </meta>
  <contentType value="application/pdf"/>
  <content value="JVBERi0xLjQK"/>
</Binary>"""
BINARY_WITH_META_CODINGS_JSON = {
    "resourceType": "Binary",
    "id": "doc-1",
    "meta": {
        "extension": [
            {"url": "http://example.org/ext", "valueString": "x"},
            {"url": "http://example.org/coded", "valueCoding": {"system": SECURITY, "code": "R"}},
        ],
        "versionId": "3",
        "lastUpdated": "2026-01-01T00:00:00Z",
        "security": [{"system": SECURITY, "code": "N"}],
        "tag": [{"code": "t1", "userSelected": "false"}, {"code": "t2"}],
    },
    "contentType": "application/pdf",
    "content": "JVBERi0xLjQK",
}

OPERATION_OUTCOME_XML = f"""<OperationOutcome {FHIR}>
  <issue>
    <severity value="error"/>
    <code value="not-found"/>
    <details><coding><system value="{SPINE_SYSTEM}"/><code value="NO_RECORD_FOUND"/></coding>
    </details>
  </issue>
</OperationOutcome>"""

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
            {"id": "p2", "extension": [{"url": "http://example.org/ext", "valueBoolean": "true"}]},
        ],
    },
    "contentType": "text/plain",
    "_contentType": {
        "id": "ct",
        "extension": [{"url": "http://example.org/ext", "valueBoolean": "true"}],
    },
    "content": SECRET,
}

CONVERSIONS = [
    pytest.param(BINARY_XML, BINARY_JSON, "Binary", True, id="binary-with-meta"),
    pytest.param(
        BINARY_WITH_META_CODINGS_XML,
        BINARY_WITH_META_CODINGS_JSON,
        "Binary",
        True,
        id="binary-with-meta-extension-security-and-tags",
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
    meta = parse_fhir_xml(_xml(BINARY_WITH_META_CODINGS_XML))["meta"]
    assert isinstance(meta["extension"], list)
    assert isinstance(meta["security"], list)
    assert isinstance(parse_fhir_xml(_xml(BINARY_XML))["meta"]["profile"], list)


def test_another_resource_is_read_for_the_binary_schema_to_refuse() -> None:
    document = parse_fhir_xml(_xml(OPERATION_OUTCOME_XML))
    assert document["resourceType"] == "OperationOutcome"
    assert any(p.startswith("$.resourceType:") for p in validate("Binary", document))


B64 = base64.b64encode(b"%PDF-1.7 document bytes").decode("ascii")
NS = "http://hl7.org/fhir"
SPELLINGS = {
    "double quotes": f'<Binary xmlns="{NS}"><content value="{B64}"/></Binary>',
    "single quotes": f"<Binary xmlns='{NS}'><content value='{B64}'/></Binary>",
    "spaces around =": f'<Binary xmlns = "{NS}"><content value = "{B64}" /></Binary>',
    "a line break between attributes": f'<Binary xmlns="{NS}"><content id="c"\n value="{B64}"/>'
    "</Binary>",
    "an extra attribute first": f'<Binary xmlns="{NS}"><content id="c" value="{B64}"/></Binary>',
    "a namespace prefix": f"<f:Binary xmlns:f='{NS}'><f:content value='{B64}'/></f:Binary>",
    "a prefix and a default namespace": f'<f:Binary xmlns:f="{NS}" xmlns="urn:unused">'
    f'<f:content value="{B64}"/></f:Binary>',
    "character references": f'<Binary xmlns="{NS}"><content value="&#x{ord(B64[0]):x};{B64[1:]}"/>'
    "</Binary>",
    "an XML declaration and a comment": f"<?xml version='1.0' encoding='utf-8'?><!-- c -->"
    f'<Binary xmlns="{NS}"><content value="{B64}"/></Binary>',
}


@pytest.mark.parametrize("xml", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_content_is_read_however_the_xml_is_spelled(xml: str) -> None:
    assert parse_fhir_xml(_xml(xml))["content"] == B64


def test_a_comment_mentioning_a_doctype_is_only_a_comment() -> None:
    body = _xml(f'<!-- <!DOCTYPE x> --><Binary {FHIR}><id value="a"/></Binary>')
    assert parse_fhir_xml(body) == {"resourceType": "Binary", "id": "a"}


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
        BINARY_XML.replace("http://hl7.org/fhir/StructureDefinition/Binary", "not a uri"),
        "Binary",
        "$.meta.profile[0]:",
        id="binary-meta-profile-not-a-uri",
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
        _xml(
            '<!DOCTYPE Binary [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            f'<Binary {FHIR}><content value="&e;"/></Binary>'
        ),
        "<!DOCTYPE is not allowed",
        id="external-entity",
    ),
    pytest.param(
        _xml(
            '<!DOCTYPE Binary [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
            f"<Binary {FHIR}/>"
        ),
        "<!DOCTYPE is not allowed",
        id="external-parameter-entity",
    ),
    pytest.param(
        _xml(f'<Binary {FHIR}><!ENTITY x "y"><content value="{SECRET}"/></Binary>'),
        "XML is not well-formed (invalid token)",
        id="entity-declaration-outside-a-dtd",
    ),
    pytest.param(
        _xml("<a>" * 101 + "</a>" * 101),
        "XML nests elements more than 100 deep",
        id="nested-too-deep",
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
        _xml(f'<Binary {FHIR}><meta><profile value="a"/><versionId value="1"/></meta></Binary>'),
        "Binary.meta: <versionId> is out of order",
        id="meta-version-after-profile",
    ),
    pytest.param(
        _xml(
            f'<Binary {FHIR}><meta><security><code value="N"/><system value="s"/></security>'
            "</meta></Binary>"
        ),
        "Binary.meta.security[0]: <system> is out of order",
        id="coding-system-after-code",
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
