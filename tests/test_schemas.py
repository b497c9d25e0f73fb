"""The JSON Schemas and gpc_assure.spec.schema_validation, checked against example documents.

Examples live in tests/schema_examples/<SchemaName>/{valid,invalid}/*.json, each an object
{"description": ..., "document": ...}; every invalid example is a single mutation of a valid one.
"""

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from gpc_assure.spec.schema_validation import (
    MAX_QUOTED_CHARS,
    SCHEMA_NAMES,
    SchemaName,
    load_schema,
    validate,
)

EXAMPLES_DIR = Path(__file__).resolve().parent / "schema_examples"
MIN_INVALID_EXAMPLES_PER_SCHEMA = 10
LARGE_DOCUMENT_BYTES = 5_000_000


class Example(NamedTuple):
    schema: SchemaName
    path: Path
    description: str
    document: Any


def _examples(kind: str) -> list[Example]:
    examples = []
    for schema in SCHEMA_NAMES:
        for path in sorted((EXAMPLES_DIR / schema / kind).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            examples.append(Example(schema, path, data["description"], data["document"]))
    return examples


VALID = _examples("valid")
INVALID = _examples("invalid")


def _params(examples: list[Example]) -> list[Any]:
    return [pytest.param(example, id=example.path.stem) for example in examples]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_a_valid_2020_12_schema(name: SchemaName) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_example_stems_are_unique() -> None:
    stems = [example.path.stem for example in VALID + INVALID]
    assert len(stems) == len(set(stems))


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_schema_has_enough_examples(name: SchemaName) -> None:
    assert any(example.schema == name for example in VALID)
    invalid = [example for example in INVALID if example.schema == name]
    assert len(invalid) >= MIN_INVALID_EXAMPLES_PER_SCHEMA


@pytest.mark.parametrize("example", _params(VALID))
def test_valid_example_has_no_problems(example: Example) -> None:
    assert validate(example.schema, example.document) == []


@pytest.mark.parametrize("example", _params(INVALID))
def test_invalid_example_has_problems(example: Example) -> None:
    problems = validate(example.schema, example.document)
    assert problems, example.description
    assert all(problem.startswith("$") and ": " in problem for problem in problems)


def test_problem_names_the_path_and_the_allowed_values() -> None:
    document = json.loads(
        (
            EXAMPLES_DIR / "GPConnect-OperationOutcome-1/invalid/oo-severity-not-in-set.json"
        ).read_text(encoding="utf-8")
    )["document"]
    assert validate("GPConnect-OperationOutcome-1", document) == [
        "$.issue[0].severity: 'warn' is not one of ['fatal', 'error', 'warning', 'information']"
    ]


def test_failed_contains_explains_each_coding() -> None:
    document = json.loads(
        (
            EXAMPLES_DIR / "GPConnect-OperationOutcome-1/invalid/oo-coding-unknown-spine-code.json"
        ).read_text(encoding="utf-8")
    )["document"]
    problems = validate("GPConnect-OperationOutcome-1", document)
    assert any(p.startswith("$.issue[0].details.coding: ") for p in problems)
    assert any(
        p.startswith("$.issue[0].details.coding[0].code: 'DOCUMENT_NOT_FOUND'") for p in problems
    )


def test_unknown_schema_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown schema"):
        validate("Patient", {})  # type: ignore[arg-type]


def _large_content() -> str:
    raw = bytes(range(256)) * (LARGE_DOCUMENT_BYTES // 256 + 1)
    return base64.b64encode(raw[:LARGE_DOCUMENT_BYTES]).decode("ascii")


def _binary(content: object) -> dict[str, Any]:
    return {
        "resourceType": "Binary",
        "id": "large-document",
        "meta": {"versionId": "1"},
        "contentType": "application/pdf",
        "content": content,
    }


def test_large_binary_is_valid() -> None:
    content = _large_content()
    assert len(content) > 6_600_000
    assert validate("Binary", _binary(content)) == []


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda content: content + "!", id="bad-character-at-end"),
        pytest.param(lambda content: "!" + content, id="bad-character-at-start"),
        pytest.param(lambda content: content[:-1], id="missing-padding"),
        pytest.param(lambda content: [content], id="not-a-string"),
    ],
)
def test_problem_never_quotes_more_than_80_characters_of_content(
    corrupt: Callable[[str], object],
) -> None:
    content = "QUJD" * 2_000_000
    problems = validate("Binary", _binary(corrupt(content)))
    assert problems
    windows = {(content * 2)[start : start + MAX_QUOTED_CHARS + 1] for start in range(4)}
    for problem in problems:
        assert len(problem) < 1000
        assert not any(window in problem for window in windows)
