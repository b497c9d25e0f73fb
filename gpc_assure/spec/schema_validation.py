"""Validate FHIR documents against the suite's JSON Schemas (the one place that does so).

    problems = validate("Binary", document)

returns human-readable problems, each ``"<json path>: <message>"``, and an empty list when the
document is valid. Messages never quote more than 80 characters of any instance value, so a
document's base64 ``content`` never ends up in a report.

Two keywords behave differently from plain ``Draft202012Validator``:

* ``contentEncoding: base64`` is asserted (2020-12 treats it as an annotation only): after
  removing whitespace the text must have a length that is a multiple of 4 and decode strictly.
* ``pattern`` follows ECMA-262, as JSON Schema requires, for a trailing ``$``: it matches only
  at the very end of the string, where Python's ``$`` would also accept a final newline.

An array the JSON reader cut (a ``PartialList``: only its first items kept, see json_reading) is
validated on those items; ``contains`` is not asserted on it when none of them matches, as the
items not kept may.
"""

import functools
import itertools
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final, Literal, get_args

from jsonschema import Draft202012Validator, ValidationError  # type: ignore[import-untyped,unused-ignore]
from jsonschema.validators import extend  # type: ignore[import-untyped,unused-ignore]

from gpc_assure.spec.base64_text import decode_base64
from gpc_assure.spec.json_reading import PartialList
from gpc_assure.spec.paths import SCHEMAS_DIR

SchemaName = Literal["Binary", "GPConnect-OperationOutcome-1"]
SCHEMA_NAMES: Final[tuple[SchemaName, ...]] = get_args(SchemaName)

MAX_QUOTED_CHARS: Final = 80
MAX_PROBLEMS: Final = 50
"""The most schema errors (and items of a failed ``contains``) examined: a hostile body of
400,000 invalid items must not cost 400,000 error objects."""
_ELLIPSIS: Final = "..."
_TRAILING_DOLLAR: Final = re.compile(r"(?<!\\)\$\Z")
_JSON_PATH_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

PathPart = str | int


def _shorten(text: str) -> str:
    if len(text) <= MAX_QUOTED_CHARS:
        return text
    return text[: MAX_QUOTED_CHARS - len(_ELLIPSIS)] + _ELLIPSIS


def base64_problem(text: str) -> str | None:
    """Why ``text`` is not base64 (whitespace ignored, padding required), or None if it is."""
    decoded = decode_base64(text)
    if decoded.compact_length % 4:
        return (
            f"{decoded.compact_length} base64 characters once whitespace is removed, "
            "which is not a multiple of 4 (missing or extra padding)"
        )
    return decoded.error


def _content_encoding(
    validator: Any, encoding: object, instance: object, schema: object
) -> Iterator[Any]:
    if encoding != "base64" or not isinstance(instance, str):
        return
    problem = base64_problem(instance)
    if problem is not None:
        yield ValidationError(f"is not valid base64: {problem}")


@functools.cache
def _ecma_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(_TRAILING_DOLLAR.sub(r"\\Z", pattern))


def _pattern(validator: Any, pattern: str, instance: object, schema: object) -> Iterator[Any]:
    if isinstance(instance, str) and not _ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_CONTAINS: Final[Any] = Draft202012Validator.VALIDATORS["contains"]


def _contains(validator: Any, contains: object, instance: object, schema: object) -> Iterator[Any]:
    if isinstance(instance, PartialList) and not any(
        validator.evolve(schema=contains).is_valid(item) for item in instance
    ):
        return  # a match may be among the items not kept
    yield from _CONTAINS(validator, contains, instance, schema)


_Validator: Final[Any] = extend(  # type: ignore[no-untyped-call]  # untyped in the stubs
    Draft202012Validator,
    validators={"contentEncoding": _content_encoding, "pattern": _pattern, "contains": _contains},
)


def schema_file(name: SchemaName) -> Path:
    """Where a schema is stored: ``SCHEMAS_DIR/<name>.schema.json``."""
    return SCHEMAS_DIR / f"{name}.schema.json"


def load_schema(name: SchemaName) -> dict[str, Any]:
    """The parsed schema, after checking it is itself a valid JSON Schema 2020-12 schema."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}; expected one of {SCHEMA_NAMES}")
    schema: dict[str, Any] = json.loads(schema_file(name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


@functools.cache
def _validator(name: SchemaName) -> Any:
    return _Validator(load_schema(name))


def json_path(parts: Sequence[PathPart]) -> str:
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _JSON_PATH_NAME.match(part):
            path += f".{part}"
        else:
            path += "[" + _shorten(repr(part)) + "]"
    return path


def _message(error: Any) -> str:
    """The error's message with every long instance value it quotes cut to 80 characters."""
    message = str(error.message)
    instance = error.instance
    quoted: list[object] = [instance]
    if isinstance(instance, dict):
        quoted.extend(instance)
    for value in quoted:
        text = repr(value)
        if len(text) > MAX_QUOTED_CHARS:
            message = message.replace(text, _shorten(text))
    if error.validator == "const":
        message += f", not {_shorten(repr(instance))}"
    return message


def _sort_key(error: Any) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (0, part, "") if isinstance(part, int) else (1, 0, str(part))
        for part in error.absolute_path
    )


def _problems(validator: Any, document: object, prefix: Sequence[PathPart]) -> Iterator[str]:
    errors = itertools.islice(validator.iter_errors(document), MAX_PROBLEMS)
    for error in sorted(errors, key=_sort_key):
        path = [*prefix, *error.absolute_path]
        yield f"{json_path(path)}: {_message(error)}"
        if error.validator == "contains" and isinstance(error.instance, list):
            yield from _why_nothing_contained(validator, error, path)


def _why_nothing_contained(validator: Any, error: Any, path: list[PathPart]) -> Iterator[str]:
    """Explain a failed ``contains`` by what each item lacks against the ``contains`` schema."""
    item_validator = validator.evolve(schema=error.validator_value)
    for index, item in enumerate(itertools.islice(error.instance, MAX_PROBLEMS)):
        yield from _problems(item_validator, item, [*path, index])


def validate(schema: SchemaName, document: object) -> list[str]:
    """Problems that keep ``document`` from being valid against ``schema``; empty if valid."""
    return list(dict.fromkeys(_problems(_validator(schema), document, [])))
