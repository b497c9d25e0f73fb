"""Convert a FHIR STU3 XML body (``application/fhir+xml``) to the FHIR JSON form.

    document = parse_fhir_xml(body)        # raises FhirXmlError
    problems = schema_validation.validate("Binary", document)

so XML responses are checked by the same JSON Schemas as JSON responses. The rules are those of
https://hl7.org/fhir/STU3/xml.html: the root element, in the FHIR namespace, names the resource
type; primitive values sit in a ``value`` attribute, and a primitive's ``id`` attribute and
``extension`` children become the JSON ``_name`` sibling; complex elements become objects; the
narrative ``div`` (XHTML namespace, under ``text``) becomes a string.

Untrusted input is parsed with the standard library only: the body must be UTF-8, and any markup
declaration (``<!DOCTYPE``, ``<!ENTITY`` ...) is refused before the parser sees the text, which
rules out entity-expansion attacks. Error messages are one line and name elements and paths,
never element values.

Which JSON properties are arrays is decided by ``ARRAY_ELEMENTS`` (so a single occurrence still
becomes a one-item array); an element outside that table that occurs more than once also
becomes an array, which the schema then rejects. Primitive values stay strings except those
``CHILD_TYPES`` marks ``boolean``, ``integer`` or ``decimal``. Element order and contiguity are
checked for the elements the tables know.
"""

import copy
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any, Final, NamedTuple, cast

__all__ = [
    "ARRAY_ELEMENTS",
    "CHILD_TYPES",
    "FHIR_NS",
    "XHTML_NS",
    "FhirXmlError",
    "parse_fhir_xml",
    "parse_xml_safely",
]

FHIR_NS: Final = "http://hl7.org/fhir"
XHTML_NS: Final = "http://www.w3.org/1999/xhtml"
_XSI_PREFIX: Final = "{http://www.w3.org/2001/XMLSchema-instance}"

# Primitive kinds (how the value attribute appears in JSON) and special child types.
_STRING: Final = "string"
_BOOLEAN: Final = "boolean"
_INTEGER: Final = "integer"
_DECIMAL: Final = "decimal"
_PRIMITIVE_KINDS: Final = frozenset({_STRING, _BOOLEAN, _INTEGER, _DECIMAL})
_XHTML: Final = "xhtml"
_RESOURCE: Final = "Resource"
_EXTENSION: Final = "Extension"
_EXTENSION_NAMES: Final = frozenset({"extension", "modifierExtension"})

_S = _STRING
_EXTENSION_VALUES: Final[dict[str, str]] = {
    **{
        f"value{name}": _STRING
        for name in [
            "Base64Binary",
            "Code",
            "Date",
            "DateTime",
            "Id",
            "Instant",
            "Markdown",
            "Oid",
            "String",
            "Time",
            "Uri",
        ]
    },
    "valueBoolean": _BOOLEAN,
    "valueDecimal": _DECIMAL,
    "valueInteger": _INTEGER,
    "valuePositiveInt": _INTEGER,
    "valueUnsignedInt": _INTEGER,
    "valueCoding": "Coding",
    "valueCodeableConcept": "CodeableConcept",
    "valueReference": "Reference",
}

CHILD_TYPES: Final[dict[str, dict[str, str]]] = {
    "Binary": {
        "id": _S,
        "meta": "Meta",
        "implicitRules": _S,
        "language": _S,
        "contentType": _S,
        "securityContext": "Reference",
        "content": _S,
    },
    "OperationOutcome": {
        "id": _S,
        "meta": "Meta",
        "implicitRules": _S,
        "language": _S,
        "text": "Narrative",
        "contained": _RESOURCE,
        "extension": _EXTENSION,
        "modifierExtension": _EXTENSION,
        "issue": "OperationOutcome.issue",
    },
    "OperationOutcome.issue": {
        "extension": _EXTENSION,
        "modifierExtension": _EXTENSION,
        "severity": _S,
        "code": _S,
        "details": "CodeableConcept",
        "diagnostics": _S,
        "location": _S,
        "expression": _S,
    },
    "Meta": {
        "extension": _EXTENSION,
        "versionId": _S,
        "lastUpdated": _S,
        "profile": _S,
        "security": "Coding",
        "tag": "Coding",
    },
    "Coding": {
        "extension": _EXTENSION,
        "system": _S,
        "version": _S,
        "code": _S,
        "display": _S,
        "userSelected": _BOOLEAN,
    },
    "CodeableConcept": {"extension": _EXTENSION, "coding": "Coding", "text": _S},
    "Reference": {
        "extension": _EXTENSION,
        "reference": _S,
        "identifier": "Identifier",
        "display": _S,
    },
    "Narrative": {"extension": _EXTENSION, "status": _S, "div": _XHTML},
    "Extension": {"extension": _EXTENSION, **_EXTENSION_VALUES},
}
"""Child elements of each known complex type, in STU3 XML order, with their types: a primitive
kind (string/boolean/integer/decimal), another complex type, ``xhtml`` or ``Resource``."""

ARRAY_ELEMENTS: Final[dict[str, frozenset[str]]] = {
    "Binary": frozenset(),
    "OperationOutcome": frozenset({"contained", "extension", "modifierExtension", "issue"}),
    "OperationOutcome.issue": frozenset(
        {"extension", "modifierExtension", "location", "expression"}
    ),
    "Meta": frozenset({"extension", "profile", "security", "tag"}),
    "Coding": frozenset({"extension"}),
    "CodeableConcept": frozenset({"extension", "coding"}),
    "Reference": frozenset({"extension"}),
    "Narrative": frozenset({"extension"}),
    "Extension": frozenset({"extension"}),
}
"""Elements (by parent type) that are JSON arrays even when they occur once. ``extension`` and
``modifierExtension`` are arrays under any parent."""

# Rank of each known child in its type's XML order (all value[x] choices share one rank).
_RANKS: Final[dict[str, dict[str, int]]] = {
    type_name: {
        name: (1 if type_name == _EXTENSION and name.startswith("value") else rank)
        for rank, name in enumerate(children)
    }
    for type_name, children in CHILD_TYPES.items()
}

_ELEMENT_NAME: Final = re.compile(r"[a-z][A-Za-z0-9]*")
_RESOURCE_NAME: Final = re.compile(r"[A-Z][A-Za-z0-9]*")
_INTEGER_TEXT: Final = re.compile(r"-?(0|[1-9][0-9]{0,9})")
_DECIMAL_TEXT: Final = re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?([eE][+-]?[0-9]{1,3})?")
_DECLARED_ENCODING: Final = re.compile(
    r"<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']{0,40})[\"']", re.ASCII
)
_DECLARATION_KEYWORD: Final = re.compile(r"[A-Za-z]{1,16}")
_XML_WHITESPACE: Final = " \t\r\n"
_MAX_SHOWN: Final = 60


class FhirXmlError(ValueError):
    """The body is not FHIR STU3 XML this module can convert; one line, no element values."""


class _Primitive(NamedTuple):
    value: Any  # None when only id/extension are present
    extras: dict[str, Any] | None  # the JSON "_name" object, if any


def _shown(name: str) -> str:
    return name if len(name) <= _MAX_SHOWN else name[: _MAX_SHOWN - 3] + "..."


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _decode(body: bytes) -> str:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FhirXmlError(
            f"body is not UTF-8 ({exc.reason} at byte {exc.start}); FHIR XML is always UTF-8"
        ) from None
    declared = _DECLARED_ENCODING.match(text, 0, 200)
    if declared and declared.group(1).lower() not in ("utf-8", "utf8"):
        raise FhirXmlError(
            f"XML declaration names encoding {_shown(declared.group(1))!r}; FHIR XML is UTF-8"
        )
    return text


def _reject_declarations(text: str) -> None:
    """Refuse every ``<!`` that does not open a comment or CDATA section (even inside one)."""
    start = text.find("<!")
    while start != -1:
        if not text.startswith(("<!--", "<![CDATA["), start):
            keyword = _DECLARATION_KEYWORD.match(text, start + 2)
            shown = f"<!{keyword.group()}" if keyword else "<!"
            raise FhirXmlError(
                f"markup declaration {shown} is not allowed: "
                "FHIR XML must not contain DOCTYPE or ENTITY declarations"
            )
        start = text.find("<!", start + 2)


def _check_text(text: str | None, path: str) -> None:
    if text and text.strip(_XML_WHITESPACE):
        raise FhirXmlError(
            f"{path}: text content not allowed in a FHIR element (values go in value attributes)"
        )


def _typed(kind: str, text: str) -> Any:
    """The JSON value of a primitive; a malformed boolean/number stays a string for the schema."""
    if kind == _BOOLEAN:
        return {"true": True, "false": False}.get(text, text)
    if kind == _INTEGER and _INTEGER_TEXT.fullmatch(text):
        return int(text)
    if kind == _DECIMAL and _DECIMAL_TEXT.fullmatch(text):
        number = float(text)
        return number if math.isfinite(number) else text
    return text


def _child_name(child: ET.Element, parent_local: str, path: str) -> str:
    """The child's local name, after checking its namespace (XHTML only for ``text``/``div``)."""
    namespace, local = _split(child.tag)
    if namespace == FHIR_NS:
        if not _ELEMENT_NAME.fullmatch(local):
            raise FhirXmlError(f"{path}: <{_shown(local)}> is not a FHIR element name")
        return local
    if namespace == XHTML_NS and local == "div" and parent_local == "text":
        return local
    if namespace is None:
        raise FhirXmlError(
            f"{path}: element <{_shown(local)}> has no namespace; expected {FHIR_NS}"
        )
    raise FhirXmlError(
        f"{path}: element <{_shown(local)}> is in namespace {_shown(namespace)!r}, not {FHIR_NS}"
    )


def _put(obj: dict[str, Any], key: str, value: Any, path: str) -> None:
    if key in obj:
        raise FhirXmlError(f"{path}: {key!r} would occur twice in the JSON form")
    obj[key] = value


def _resource(elem: ET.Element, path: str) -> dict[str, Any]:
    """A resource element; ``path`` is empty for the document root."""
    namespace, local = _split(elem.tag)
    at = f"{path}: " if path else ""
    if namespace is None:
        raise FhirXmlError(
            f"{at}resource element <{_shown(local)}> has no namespace; expected {FHIR_NS}"
        )
    if namespace != FHIR_NS:
        raise FhirXmlError(
            f"{at}resource element <{_shown(local)}> is in namespace {_shown(namespace)!r}, "
            f"not {FHIR_NS}"
        )
    if not _RESOURCE_NAME.fullmatch(local):
        raise FhirXmlError(f"{at}<{_shown(local)}> is not a FHIR resource name")
    where = f"{path}({local})" if path else local
    for attr in elem.attrib:
        if not attr.startswith(_XSI_PREFIX):
            raise FhirXmlError(f"{where}: unexpected attribute {_shown(attr)!r} on a resource")
    document: dict[str, Any] = {"resourceType": local}
    _fill(document, elem, local, local, where)
    return document


def _fill(
    obj: dict[str, Any], elem: ET.Element, type_name: str | None, local: str, path: str
) -> None:
    """Add the JSON form of ``elem``'s children (of type ``type_name``) to ``obj``."""
    _check_text(elem.text, path)
    known = CHILD_TYPES.get(type_name or "", {})
    ranks = _RANKS.get(type_name or "", {})
    arrays = ARRAY_ELEMENTS.get(type_name or "", frozenset())
    groups: dict[str, list[ET.Element]] = {}
    previous = ""
    last_rank, last_ranked = -1, ""
    for child in elem:
        _check_text(child.tail, path)
        name = _child_name(child, local, path)
        if name != previous:
            if name in groups:
                raise FhirXmlError(f"{path}: repeated <{name}> elements are not contiguous")
            rank = ranks.get(name)
            if rank is not None:
                if rank < last_rank:
                    raise FhirXmlError(
                        f"{path}: <{name}> is out of order (STU3 puts it before <{last_ranked}>)"
                    )
                last_rank, last_ranked = rank, name
            groups[name] = []
            previous = name
        groups[name].append(child)
    for name, members in groups.items():
        child_type = _EXTENSION if name in _EXTENSION_NAMES else known.get(name)
        is_array = name in arrays or name in _EXTENSION_NAMES or len(members) > 1
        converted = [
            _convert(
                member, child_type, f"{path}.{name}[{index}]" if is_array else f"{path}.{name}"
            )
            for index, member in enumerate(members)
        ]
        _add(obj, name, converted, is_array, path)


def _add(obj: dict[str, Any], name: str, converted: list[Any], is_array: bool, path: str) -> None:
    primitives = [item for item in converted if isinstance(item, _Primitive)]
    if not primitives:
        _put(obj, name, converted if is_array else converted[0], path)
        return
    if len(primitives) != len(converted):
        raise FhirXmlError(f"{path}: <{name}> mixes primitive and complex occurrences")
    values = [item.value for item in primitives]
    extras = [item.extras for item in primitives]
    if any(value is not None for value in values):
        _put(obj, name, values if is_array else values[0], path)
    if any(extra is not None for extra in extras):
        _put(obj, f"_{name}", extras if is_array else extras[0], path)


def _convert(member: ET.Element, child_type: str | None, path: str) -> Any:
    """One occurrence: a ``_Primitive``, an object, or (narrative div) a string."""
    namespace, local = _split(member.tag)
    if namespace == XHTML_NS:
        return _xhtml(member, path)
    if child_type == _XHTML:
        raise FhirXmlError(f"{path}: the narrative div must be in the XHTML namespace")
    if child_type == _RESOURCE:
        return _contained(member, path)
    if child_type in _PRIMITIVE_KINDS or (child_type is None and "value" in member.attrib):
        return _primitive(member, child_type or _STRING, path)
    return _complex(member, child_type, local, path)


def _primitive(member: ET.Element, kind: str, path: str) -> _Primitive:
    value: Any = None
    extras: dict[str, Any] = {}
    for attr, text in member.attrib.items():
        if attr == "value":
            value = _typed(kind, text)
        elif attr == "id":
            extras["id"] = text
        else:
            raise FhirXmlError(f"{path}: unexpected attribute {_shown(attr)!r} on a primitive")
    _check_text(member.text, path)
    extensions = []
    for index, child in enumerate(member):
        _check_text(child.tail, path)
        name = _child_name(child, "", path)
        if name != "extension":
            raise FhirXmlError(f"{path}: a primitive may only contain <extension>, not <{name}>")
        extensions.append(_complex(child, _EXTENSION, name, f"{path}.extension[{index}]"))
    if extensions:
        extras["extension"] = extensions
    if value is None and not extras:
        raise FhirXmlError(f"{path}: empty element (no value attribute, id or extension)")
    return _Primitive(value, extras or None)


def _complex(member: ET.Element, type_name: str | None, local: str, path: str) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for attr, text in member.attrib.items():
        if attr == "id" or (attr == "url" and type_name == _EXTENSION):
            obj[attr] = text
        else:
            raise FhirXmlError(f"{path}: unexpected attribute {_shown(attr)!r}")
    _fill(obj, member, type_name, local, path)
    if not obj:
        raise FhirXmlError(f"{path}: empty element (FHIR elements have a value or children)")
    return obj


def _contained(member: ET.Element, path: str) -> dict[str, Any]:
    if member.attrib:
        raise FhirXmlError(f"{path}: unexpected attribute on <contained>")
    _check_text(member.text, path)
    children = list(member)
    if len(children) != 1:
        raise FhirXmlError(f"{path}: <contained> must hold exactly one resource")
    _check_text(children[0].tail, path)
    return _resource(children[0], path)


def _xhtml(member: ET.Element, path: str) -> str:
    div = copy.copy(member)
    div.tail = None
    try:
        return ET.tostring(div, encoding="unicode", default_namespace=XHTML_NS)
    except ValueError:
        raise FhirXmlError(
            f"{path}: the narrative div contains elements outside the XHTML namespace"
        ) from None


MAX_XML_ELEMENTS: Final = 50_000
MAX_XML_DEPTH: Final = 100
_FEED_CHARS: Final = 64 * 1024


def parse_xml_safely(body: bytes) -> ET.Element:
    """The element tree of a UTF-8 XML body with no markup declarations, of at most
    MAX_XML_ELEMENTS elements nested at most MAX_XML_DEPTH deep (a larger tree is not built:
    no FHIR answer comes near); raises ``FhirXmlError``."""
    text = _decode(body)
    _reject_declarations(text)
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    elements = depth = 0
    try:
        for start in range(0, len(text), _FEED_CHARS):
            parser.feed(text[start : start + _FEED_CHARS])  # str: parsed as UTF-8, as declared
            events = cast(Iterator[tuple[str, ET.Element]], parser.read_events())
            for event, element in events:  # "start" and "end" events only, as asked
                if event == "end":
                    depth -= 1
                    continue
                root = element if root is None else root
                elements, depth = elements + 1, depth + 1
                if elements > MAX_XML_ELEMENTS:
                    raise FhirXmlError(
                        f"XML of more than {MAX_XML_ELEMENTS:,} elements is not read"
                    )
                if depth > MAX_XML_DEPTH:
                    raise FhirXmlError(f"XML nested more than {MAX_XML_DEPTH} levels deep")
        parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).partition(":")[0]  # expat's reason, e.g. "mismatched tag"
        raise FhirXmlError(
            f"XML is not well-formed ({reason}) at line {line}, column {column}"
        ) from None
    assert root is not None  # close() raises when no element was found
    return root


def parse_fhir_xml(body: bytes) -> dict[str, Any]:
    """The FHIR JSON form of a FHIR STU3 XML resource; raises ``FhirXmlError`` if it is not one."""
    return _resource(parse_xml_safely(body), "")
