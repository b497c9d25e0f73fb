"""The HTML shows bounded excerpts and never indents deeply nested JSON."""

import json
from collections.abc import Mapping
from html import unescape
from typing import Any

from gpc_assure.report.html import MAX_BODY_CHARS, PRETTY_MAX_DEPTH, body_view, environment


def _body(body: Mapping[str, Any]) -> str:
    """One body as the page shows it, rendered by the report's own template macro."""
    macros = environment().get_template("evidence.html.j2").module
    return str(macros.body(body_view(body)))  # type: ignore[attr-defined]


def test_a_truncated_body_shows_its_excerpt_size_and_digest() -> None:
    body = {
        "format": "json",
        "truncated": True,
        "excerpt": '{"issue":[' + "x" * (2 * MAX_BODY_CHARS),
        "size": 12_800_000,
        "sha256": "ab" * 32,
    }
    shown = _body(body)
    assert "ab" * 32 in shown
    assert "12,800,000 bytes" in shown
    assert len(shown) < MAX_BODY_CHARS + 1000


def test_deeply_nested_json_is_shown_compactly() -> None:
    deep: list[object] = []
    for _ in range(PRETTY_MAX_DEPTH * 3):
        deep = [deep]
    nested = [deep] * 10
    shown = _body({"format": "json", "size": 1, "json": nested})
    assert len(shown) < 2 * len(json.dumps(nested)) + 500


def test_shallow_json_is_indented() -> None:
    shown = _body({"format": "json", "size": 1, "json": {"a": [1]}})
    assert '\n  "a"' in unescape(shown)
