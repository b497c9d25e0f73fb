"""JSON bodies are read within fixed bounds, the same way whatever their size."""

import json
from typing import Any

import pytest

from gpc_assure.spec.json_reading import (
    MAX_ARRAY_ITEMS,
    MAX_DEPTH,
    MAX_TOKENS,
    MAX_VALUES,
    BeyondBounds,
    PartialList,
    read_json,
    read_json_prefix,
)

WHOLE = 10**9
"""`stream_above` that has every body parsed whole; 0 has every body streamed."""


def outcome(issues: int) -> dict[str, Any]:
    issue = {"severity": "error", "code": "value"}
    return {"resourceType": "OperationOutcome", "issue": [issue] * issues}


BODIES = {
    "an empty object": b"{}",
    "a scalar": b'"text"',
    "an ordinary outcome": json.dumps(outcome(3)).encode(),
    "an outcome of 250 issues": json.dumps(outcome(250)).encode(),
    "101 numbers": json.dumps([7] * 101).encode(),
    "a cut array whose next item is a container": json.dumps([[]] * 100 + [[1], 5]).encode(),
    "cut arrays in kept items": json.dumps([[i, {"k": [0] * 101}] for i in range(105)]).encode(),
    "a long key": json.dumps({"k" * 100: {"x y": [0] * 200}}).encode(),
    "nesting at the bound": b"[" * MAX_DEPTH + b"]" * MAX_DEPTH,
    "duplicate keys": b'{"a": 1, "a": 2}',
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_a_body_reads_the_same_parsed_whole_or_streamed(body: bytes) -> None:
    whole, streamed = read_json(body, stream_above=WHOLE), read_json(body, stream_above=0)
    assert whole == streamed
    assert json.dumps(whole.value) == json.dumps(streamed.value)


def test_an_ordinary_answer_is_read_as_json_loads_reads_it() -> None:
    body = json.dumps(outcome(3)).encode()
    read = read_json(body)
    assert read.value == json.loads(body)
    assert read.note() is None
    assert not any(isinstance(v, PartialList) for v in read.value.values())


@pytest.mark.parametrize("stream_above", [WHOLE, 0], ids=["whole", "streamed"])
def test_a_long_array_keeps_its_first_items_and_counts_the_rest(stream_above: int) -> None:
    read = read_json(json.dumps(outcome(400_000)).encode(), stream_above=stream_above)
    issues = read.value["issue"]
    assert isinstance(issues, PartialList)
    assert len(issues) == MAX_ARRAY_ITEMS
    assert issues.total == 400_000
    assert read.note() == "only the first 100 of 400,000 items of $.issue were judged"


@pytest.mark.parametrize("stream_above", [WHOLE, 0], ids=["whole", "streamed"])
@pytest.mark.parametrize(
    ("body", "count"),
    [
        (b"[" + b",".join([b"[[1], {}]"] * 150) + b"]", 150),
        (b'[1, "x", null, true, 2.5' + b", {}" * 200 + b"]", 205),
        (b"[" + b",".join([b"[]"] * 101) + b"]", 101),
    ],
)
def test_the_count_includes_every_kind_of_item(body: bytes, count: int, stream_above: int) -> None:
    read = read_json(body, stream_above=stream_above)
    assert read.value.total == count


@pytest.mark.parametrize("stream_above", [WHOLE, 0], ids=["whole", "streamed"])
@pytest.mark.parametrize(
    "body",
    [
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
        b"[" * 10_000 + b"]" * 10_000,
        json.dumps([[[0] * 50] * 50] * 50).encode(),  # 125,000 values, each array under the cut
        json.dumps({f"k{i}": 0 for i in range(MAX_VALUES)}).encode(),
    ],
    ids=["one level too deep", "10,000 deep", "values under every cut", "a wide object"],
)
def test_a_body_beyond_the_bounds_is_not_read(body: bytes, stream_above: int) -> None:
    with pytest.raises(BeyondBounds):
        read_json(body, stream_above=stream_above)


def test_a_streamed_body_of_more_tokens_than_the_bound_is_not_read() -> None:
    body = b"[" + b",".join([b"[]"] * (MAX_TOKENS // 2)) + b"]"
    with pytest.raises(BeyondBounds, match="more than 3,000,000 tokens"):
        read_json(body, stream_above=0)


def test_an_outcome_of_400000_minimal_issues_is_within_the_tokens_read() -> None:
    assert read_json(json.dumps(outcome(400_000)).encode(), stream_above=0).cut_arrays == 1


@pytest.mark.parametrize("stream_above", [WHOLE, 0], ids=["whole", "streamed"])
@pytest.mark.parametrize("body", [b"", b"{", b'{"a": 1} x', b"[1,2", b"<html/>"])
def test_what_is_not_json_is_a_value_error(body: bytes, stream_above: int) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (the parsers' messages differ)
        read_json(body, stream_above=stream_above)


def test_what_is_not_utf8_is_a_unicode_error_at_any_size() -> None:
    for stream_above in (WHOLE, 0):
        with pytest.raises(UnicodeDecodeError):
            read_json(b'{"a": "\xff"}', stream_above=stream_above)


def test_a_prefix_stops_soon_after_its_budget() -> None:
    body = json.dumps(outcome(400_000)).encode()
    prefix = read_json_prefix(body, 10_000, 1024)
    assert not prefix.whole
    assert 8_000 < len(json.dumps(prefix.value, separators=(",", ":"))) < 12_000
    assert prefix.open_objects[0] is prefix.value  # the outcome itself was not finished


def test_a_small_body_is_read_whole_as_a_prefix() -> None:
    body = json.dumps(outcome(3)).encode()
    prefix = read_json_prefix(body, 10_000, 1024)
    assert prefix.whole
    assert prefix.value == json.loads(body)
    assert prefix.open_objects == ()


def test_a_long_string_counts_as_its_bound_in_a_prefix() -> None:
    body = json.dumps({"content": "A" * 1_000_000, "id": "x"}).encode()
    assert read_json_prefix(body, 10_000, 1024).whole


def test_a_long_body_read_again_is_not_streamed_again() -> None:
    body = json.dumps(outcome(400_000)).encode()
    assert read_json(body, stream_above=0).value is read_json(body, stream_above=0).value
    refused = b"[" * 200 + b"]" * 200
    for _ in range(2):
        with pytest.raises(BeyondBounds, match="nested more than 100 levels"):
            read_json(refused, stream_above=0)


def test_a_long_body_that_is_not_json_is_refused_each_time_it_is_read() -> None:
    body = b"[" + b"0," * 100_000 + b"x]"
    for _ in range(2):
        with pytest.raises(ValueError, match="Expecting value"):
            read_json(body)
