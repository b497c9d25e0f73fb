"""Read a FHIR STU3 XML Binary (``application/fhir+xml``) as the FHIR JSON form.

    document = parse_fhir_xml(body)        # raises FhirXmlError
    problems = schema_validation.validate("Binary", document)

so an XML Binary is checked by the same JSON Schema as a JSON one. The rules are those of
https://hl7.org/fhir/STU3/xml.html: the root element, in the FHIR namespace, names the resource
type; primitive values sit in a ``value`` attribute, and a primitive's ``id`` attribute and
``extension`` children become the JSON ``_name`` sibling; complex elements become objects.
Values stay strings: the Binary schema reads none as a boolean or a number.

Untrusted input is parsed by ``defusedxml``, which refuses any DTD, entity declaration or
external reference, so neither entity expansion nor external fetches can happen; the body must
be UTF-8 and nest at most ``MAX_DEPTH`` elements deep. Error messages are one line and name
elements and paths, never element values.

Which JSON properties are arrays is decided by ``_ARRAYS`` (so a single occurrence still becomes
a one-item array); an element outside that table that occurs more than once also becomes an
array, which the schema then rejects. Element order and contiguity are checked for the elements
``_CHILDREN`` knows.
"""

import re
import xml.etree.ElementTree as ET
from typing import Any, Final, NamedTuple

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import DefusedXMLParser

__all__ = [
    "FHIR_NS",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "FhirXmlError",
    "parse_fhir_xml",
    "parse_xml_safely",
]

FHIR_NS: Final = "http://hl7.org/fhir"
MAX_DEPTH: Final = 100
MAX_ELEMENTS: Final = 50_000
"""A larger tree is not built: no FHIR answer the suite judges comes near it."""
"""The deepest element nesting read; a Binary needs a handful of levels."""

_XSI_PREFIX: Final = "{http://www.w3.org/2001/XMLSchema-instance}"
_PRIMITIVE: Final = ""
_CHOICE: Final = "[x]"  # a primitive when it has a value attribute, else a complex type
_EXTENSION: Final = "Extension"
_EXTENSION_NAMES: Final = frozenset({"extension", "modifierExtension"})

_CHILDREN: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "Binary": (
        ("id", _PRIMITIVE),
        ("meta", "Meta"),
        ("implicitRules", _PRIMITIVE),
        ("language", _PRIMITIVE),
        ("contentType", _PRIMITIVE),
        ("securityContext", "Reference"),
        ("content", _PRIMITIVE),
    ),
    "Meta": (
        ("extension", _EXTENSION),
        ("versionId", _PRIMITIVE),
        ("lastUpdated", _PRIMITIVE),
        ("profile", _PRIMITIVE),
        ("security", "Coding"),
        ("tag", "Coding"),
    ),
    "Coding": (
        ("extension", _EXTENSION),
        ("system", _PRIMITIVE),
        ("version", _PRIMITIVE),
        ("code", _PRIMITIVE),
        ("display", _PRIMITIVE),
        ("userSelected", _PRIMITIVE),
    ),
    "Reference": (
        ("extension", _EXTENSION),
        ("reference", _PRIMITIVE),
        ("identifier", "Identifier"),
        ("display", _PRIMITIVE),
    ),
    _EXTENSION: (("extension", _EXTENSION), ("value[x]", _CHOICE)),
}
"""Child elements of each known type, in STU3 XML order, with their types (a complex type's
name, ``_PRIMITIVE``, or ``_CHOICE``). An Extension's ``value[x]`` stands for every
``valueXxx`` choice."""

_ARRAYS: Final[dict[str, frozenset[str]]] = {
    "Meta": frozenset({"profile", "security", "tag"}),
}
"""Elements (by parent type) that are JSON arrays even when they occur once, beside
``extension`` and ``modifierExtension``, which are arrays under any parent."""

_ELEMENT_NAME: Final = re.compile(r"[a-z][A-Za-z0-9]*")
_RESOURCE_NAME: Final = re.compile(r"[A-Z][A-Za-z0-9]*")
_DECLARED_ENCODING: Final = re.compile(
    r"<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']{0,40})[\"']", re.ASCII
)
_REFUSED: Final[dict[type[DefusedXmlException], str]] = {
    DTDForbidden: "markup declaration <!DOCTYPE",
    EntitiesForbidden: "markup declaration <!ENTITY",
    ExternalReferenceForbidden: "an external entity reference",
}
_XML_WHITESPACE: Final = " \t\r\n"
_MAX_SHOWN: Final = 60


class FhirXmlError(ValueError):
    """The body is not FHIR STU3 XML this module can read; one line, no element values."""


class _Primitive(NamedTuple):
    value: str | None  # None when only id/extension are present
    extras: dict[str, Any] | None  # the JSON "_name" object, if any


class _BoundedTreeBuilder(ET.TreeBuilder):
    """A tree builder that refuses elements nested deeper than ``MAX_DEPTH`` and trees of
    more than ``MAX_ELEMENTS`` elements."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._elements = 0

    def start(self, tag: Any, attrs: dict[Any, Any], /) -> ET.Element:
        self._depth += 1
        self._elements += 1
        if self._depth > MAX_DEPTH:
            raise FhirXmlError(f"XML nests elements more than {MAX_DEPTH} deep")
        if self._elements > MAX_ELEMENTS:
            raise FhirXmlError(f"XML of more than {MAX_ELEMENTS:,} elements is not read")
        return super().start(tag, attrs)

    def end(self, tag: Any, /) -> ET.Element:
        self._depth -= 1
        return super().end(tag)


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


def parse_xml_safely(body: bytes) -> ET.Element:
    """The element tree of a UTF-8 XML body with no DTD or entity declaration, nested at most
    ``MAX_DEPTH`` deep, of at most ``MAX_ELEMENTS`` elements; raises ``FhirXmlError``."""
    parser = DefusedXMLParser(
        target=_BoundedTreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(_decode(body))  # a str is read as UTF-8 whatever the declaration says
        root: ET.Element = parser.close()
    except DefusedXmlException as exc:
        raise FhirXmlError(
            f"{_REFUSED.get(type(exc), 'markup declaration')} is not allowed: "
            "FHIR XML must not contain DOCTYPE or ENTITY declarations"
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).partition(":")[0]  # expat's reason, e.g. "mismatched tag"
        reason = reason.removeprefix("not well-formed (").removesuffix(")")
        raise FhirXmlError(
            f"XML is not well-formed ({reason}) at line {line}, column {column}"
        ) from None
    return root


def parse_fhir_xml(body: bytes) -> dict[str, Any]:
    """The FHIR JSON form of a FHIR STU3 XML resource; raises ``FhirXmlError`` if it is not one."""
    root = parse_xml_safely(body)
    namespace, local = _split(root.tag)
    if namespace is None:
        raise FhirXmlError(
            f"resource element <{_shown(local)}> has no namespace; expected {FHIR_NS}"
        )
    if namespace != FHIR_NS:
        raise FhirXmlError(
            f"resource element <{_shown(local)}> is in namespace {_shown(namespace)!r}, "
            f"not {FHIR_NS}"
        )
    if not _RESOURCE_NAME.fullmatch(local):
        raise FhirXmlError(f"<{_shown(local)}> is not a FHIR resource name")
    for attr in root.attrib:
        if not attr.startswith(_XSI_PREFIX):
            raise FhirXmlError(f"{local}: unexpected attribute {_shown(attr)!r} on a resource")
    document: dict[str, Any] = {"resourceType": local}
    _fill(document, root, local, local)
    return document


def _check_text(text: str | None, path: str) -> None:
    if text and text.strip(_XML_WHITESPACE):
        raise FhirXmlError(
            f"{path}: text content not allowed in a FHIR element (values go in value attributes)"
        )


def _child_name(child: ET.Element, path: str) -> str:
    """The child's local name, after checking it is a FHIR element."""
    namespace, local = _split(child.tag)
    if namespace == FHIR_NS:
        if not _ELEMENT_NAME.fullmatch(local):
            raise FhirXmlError(f"{path}: <{_shown(local)}> is not a FHIR element name")
        return local
    if namespace is None:
        raise FhirXmlError(
            f"{path}: element <{_shown(local)}> has no namespace; expected {FHIR_NS}"
        )
    raise FhirXmlError(
        f"{path}: element <{_shown(local)}> is in namespace {_shown(namespace)!r}, not {FHIR_NS}"
    )


def _type_of(type_name: str | None, name: str) -> tuple[int | None, str | None]:
    """The rank (XML order) and type of child *name* of *type_name*; None for what the tables
    do not say (the element itself then shows whether it is a primitive)."""
    if type_name == _EXTENSION and name.startswith("value"):
        name = "value[x]"
    for rank, (child, child_type) in enumerate(_CHILDREN.get(type_name or "", ())):
        if child == name:
            return rank, None if child_type == _CHOICE else child_type
    if name in _EXTENSION_NAMES:
        return None, _EXTENSION
    return None, None


def _put(obj: dict[str, Any], key: str, value: Any, path: str) -> None:
    if key in obj:
        raise FhirXmlError(f"{path}: {key!r} would occur twice in the JSON form")
    obj[key] = value


def _fill(obj: dict[str, Any], elem: ET.Element, type_name: str | None, path: str) -> None:
    """Add the JSON form of ``elem``'s children (``elem`` is of type ``type_name``) to ``obj``."""
    _check_text(elem.text, path)
    arrays = _ARRAYS.get(type_name or "", frozenset()) | _EXTENSION_NAMES
    groups: dict[str, list[ET.Element]] = {}
    previous = ""
    last_rank, last_ranked = -1, ""
    for child in elem:
        _check_text(child.tail, path)
        name = _child_name(child, path)
        if name != previous:
            if name in groups:
                raise FhirXmlError(f"{path}: repeated <{name}> elements are not contiguous")
            rank, _ = _type_of(type_name, name)
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
        _, child_type = _type_of(type_name, name)
        is_array = name in arrays or len(members) > 1
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
    """One occurrence: a ``_Primitive`` or an object."""
    if child_type == _PRIMITIVE or (child_type is None and "value" in member.attrib):
        return _primitive(member, path)
    return _complex(member, child_type, path)


def _primitive(member: ET.Element, path: str) -> _Primitive:
    value: str | None = None
    extras: dict[str, Any] = {}
    for attr, text in member.attrib.items():
        if attr == "value":
            value = text
        elif attr == "id":
            extras["id"] = text
        else:
            raise FhirXmlError(f"{path}: unexpected attribute {_shown(attr)!r} on a primitive")
    _check_text(member.text, path)
    extensions = []
    for index, child in enumerate(member):
        _check_text(child.tail, path)
        name = _child_name(child, path)
        if name != "extension":
            raise FhirXmlError(f"{path}: a primitive may only contain <extension>, not <{name}>")
        extensions.append(_complex(child, _EXTENSION, f"{path}.extension[{index}]"))
    if extensions:
        extras["extension"] = extensions
    if value is None and not extras:
        raise FhirXmlError(f"{path}: empty element (no value attribute, id or extension)")
    return _Primitive(value, extras or None)


def _complex(member: ET.Element, type_name: str | None, path: str) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for attr, text in member.attrib.items():
        if attr == "id" or (attr == "url" and type_name == _EXTENSION):
            obj[attr] = text
        else:
            raise FhirXmlError(f"{path}: unexpected attribute {_shown(attr)!r}")
    _fill(obj, member, type_name, path)
    if not obj:
        raise FhirXmlError(f"{path}: empty element (FHIR elements have a value or children)")
    return obj
