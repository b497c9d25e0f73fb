"""Reads a JSON body within fixed bounds, so that no answer, however built, costs more than a
few megabytes of memory or more than one pass over its bytes.

    read = read_json(body)
    read.value  # the body as json.loads gives it, within the bounds below
    read.cuts   # the arrays of which only the first items were kept

The bounds, none of which an ordinary GP Connect answer comes near:

* each array keeps its first MAX_ARRAY_ITEMS items; the rest are counted, not kept (a cut array
  is a `PartialList`, which knows how many items it had). An OperationOutcome of 400,000 issues
  is judged on its first 100, and the judgement says so;
* nesting deeper than MAX_DEPTH, more than MAX_VALUES values kept in all, or (streamed) more
  than MAX_TOKENS tokens is not read at all (`BeyondBounds`): such a body is no FHIR resource
  the suite could judge, and reading it would cost seconds per answer.

A body of up to STREAM_ABOVE bytes is parsed by `json.loads`, exactly as any JSON reader would,
and then bounded; a larger one is streamed (ijson), so that what is not kept is never built.
"""

import codecs
import hashlib
import itertools
import json
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

import ijson  # type: ignore[import-untyped,unused-ignore]

MAX_ARRAY_ITEMS: Final = 100
MAX_DEPTH: Final = 100
MAX_VALUES: Final = 100_000
MAX_TOKENS: Final = 3_000_000
"""Brackets, keys and values of a streamed body: more than an array of two-member issues as
long as the default size cap allows (16 MiB / 36 bytes x 6 tokens), far fewer than a body of
nested brackets or numbers of that size (one token for every one or two bytes)."""
STREAM_ABOVE: Final = 256 * 1024
"""Bodies up to this size are parsed whole: at most about 10 MB of objects and 0.15 s, briefly,
whatever they hold (deeply nested arrays are the costliest)."""
MAX_CUTS_NAMED: Final = 3


class BeyondBounds(ValueError):
    """Valid or not, the JSON is nested too deeply or holds too many values to be read."""


class PartialList(list[Any]):
    """An array of which only the first items were kept; `total` is how many it had."""

    total: int

    def __init__(self, items: Iterable[Any], total: int) -> None:
        super().__init__(items)
        self.total = total


@dataclass(frozen=True)
class Cut:
    """One array that was cut: where, and how many items it had."""

    path: str
    total: int

    def __str__(self) -> str:
        return f"the first {MAX_ARRAY_ITEMS} of {self.total:,} items of {self.path}"


@dataclass(frozen=True)
class JsonRead:
    """A body read within the bounds: its value, and the arrays that were cut."""

    value: Any
    cuts: tuple[Cut, ...] = ()
    cut_arrays: int = 0
    """How many arrays were cut (`cuts` names the first MAX_CUTS_NAMED)."""

    def note(self) -> str | None:
        """What the checks did not see, in words, or None when they see the whole body."""
        if not self.cut_arrays:
            return None
        named = "; ".join(map(str, self.cuts))
        more = self.cut_arrays - len(self.cuts)
        return f"only {named}{f' (and {more:,} more arrays cut)' if more else ''} were judged"


def read_json(body: bytes, *, stream_above: int = STREAM_ABOVE) -> JsonRead:
    """The body parsed as JSON within the bounds. Raises UnicodeDecodeError when it is not
    UTF-8, BeyondBounds when it is too deep or too large to read, ValueError when it is not
    JSON. A body over REMEMBER_ABOVE bytes the same as one of the last few read is not read
    again: its value is shared, and (as every value read here) must be treated as read-only."""
    if len(body) <= REMEMBER_ABOVE:
        return _read(body, stream_above)
    key = (hashlib.sha256(body).digest(), stream_above)
    if key not in _RECENT:
        try:
            _RECENT[key] = _read(body, stream_above)
        except UnicodeDecodeError:
            raise
        except ValueError as exc:  # the same refusal for the same body (no frames kept)
            _RECENT[key] = (BeyondBounds if isinstance(exc, BeyondBounds) else ValueError, str(exc))
        while len(_RECENT) > RECENT_READS:
            del _RECENT[next(iter(_RECENT))]
    outcome = _RECENT[key]
    if isinstance(outcome, tuple):
        refusal, message = outcome
        raise refusal(message)
    return outcome


REMEMBER_ABOVE: Final = 64 * 1024
RECENT_READS: Final = 2
_RECENT: dict[tuple[bytes, int], JsonRead | tuple[type[ValueError], str]] = {}
"""The last long bodies read, by SHA-256: a provider that answers a long body to many requests
(as a hostile one does, to each scenario) costs one read, not one per answer."""


def _read(body: bytes, stream_above: int) -> JsonRead:
    if len(body) <= stream_above:
        try:
            value = json.loads(body.decode("utf-8"))
        except RecursionError:
            raise BeyondBounds("JSON nested too deeply to parse") from None
        return _bounded(value)
    codecs.decode(body, "utf-8")  # the same check (and error) as above, for any size
    return _Streamed(body).read()


MAX_KEY_SHOWN: Final = 40


def _path(parent: str, key: str | int) -> str:
    """`parent` and one step down: an index, a name, or a quoted key (shortened)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if key.isidentifier() and len(key) <= MAX_KEY_SHOWN:
        return f"{parent}.{key}"
    shown = key if len(key) <= MAX_KEY_SHOWN else key[: MAX_KEY_SHOWN - 3] + "..."
    return f"{parent}[{shown!r}]"


class _Counter:
    """Counts what is kept, checks the depth, names the first cuts."""

    def __init__(self) -> None:
        self.values = 0
        self.cuts: list[Cut] = []
        self.cut_arrays = 0

    def keep(self) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise BeyondBounds(f"JSON of more than {MAX_VALUES:,} values (arrays cut)")

    def deeper(self, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise BeyondBounds(f"JSON nested more than {MAX_DEPTH} levels deep")

    def cut(self, path: str, total: int) -> None:
        self.cut_arrays += 1
        if len(self.cuts) < MAX_CUTS_NAMED:
            self.cuts.append(Cut(path, total))

    def read(self, value: Any) -> JsonRead:
        return JsonRead(value, tuple(self.cuts), self.cut_arrays)


def _bounded(value: Any) -> JsonRead:
    """A parsed value cut to the bounds in place (a cut array replaced by a PartialList), its
    values visited in document order and each cut noted once its kept items are visited, as
    the streamed reader meets them."""
    counter = _Counter()
    top: list[Any] = [value]
    stack: list[tuple[Any, Iterator[Any], str, int]] = [(top, iter([0]), "$", 0)]
    while stack:
        holder, slots, path, depth = stack[-1]
        slot = next(slots, None)
        if slot is None:
            stack.pop()
            if isinstance(holder, PartialList):
                counter.cut(path, holder.total)
            continue
        counter.keep()
        item = holder[slot]
        if not isinstance(item, list | dict):
            continue
        here = path if holder is top else _path(path, slot)
        counter.deeper(depth + 1)
        if isinstance(item, dict):
            stack.append((item, iter(list(item)), here, depth + 1))
            continue
        if len(item) > MAX_ARRAY_ITEMS:
            item = holder[slot] = PartialList(item[:MAX_ARRAY_ITEMS], len(item))
        stack.append((item, iter(range(len(item))), here, depth + 1))
    return counter.read(top[0])


_DEPTH_CHANGE: Final = {
    "start_map": 1,
    "start_array": 1,
    "end_map": -1,
    "end_array": -1,
    "map_key": 0,
    "null": 0,
    "boolean": 0,
    "integer": 0,
    "double": 0,
    "number": 0,
    "string": 0,
}
_CONTAINERS: Final = frozenset({"start_map", "start_array"})


def _items_ended(events: Iterator[tuple[str, Any]], depth: int) -> int:
    """Consume the events up to and including the end of the current array, from `depth` (0:
    an item just ended; 1: inside an item that is a container), and count the items that
    ended, the one at hand included. Runs at the parser's speed: no Python code per event."""
    depths = itertools.accumulate(
        map(_DEPTH_CHANGE.__getitem__, map(operator.itemgetter(0), events)), initial=depth
    )
    return operator.countOf(itertools.takewhile(partial(operator.le, 0), depths), 0)


class _Streamed:
    """Builds the kept part of a large body from ijson's events (its C parser)."""

    def __init__(self, body: bytes) -> None:
        self._parsed: Iterator[tuple[str, Any]] = iter(ijson.basic_parse(body, use_float=True))
        self._events = itertools.islice(self._parsed, MAX_TOKENS)
        self._counter = _Counter()

    def read(self) -> JsonRead:
        try:
            value = self._value(next(self._events), "$", 1)
            for _ in self._events:  # only whitespace may follow; the parser refuses the rest
                pass
        except BeyondBounds:
            raise
        except (StopIteration, ValueError):
            self._within_tokens()
            raise ValueError("the JSON ends early") from None
        except ijson.JSONError as exc:
            raise ValueError(str(exc).strip().splitlines()[0]) from None
        self._within_tokens()
        return self._counter.read(value)

    def _within_tokens(self) -> None:
        if next(self._parsed, None) is not None:
            raise BeyondBounds(f"JSON of more than {MAX_TOKENS:,} tokens")

    def _value(self, event: tuple[str, Any], path: str, depth: int) -> Any:
        """The value that `event` starts (a container read to its end), at `path`."""
        self._counter.keep()
        kind, scalar = event
        if kind == "start_map":
            self._counter.deeper(depth)
            return self._map(path, depth)
        if kind == "start_array":
            self._counter.deeper(depth)
            return self._array(path, depth)
        return scalar

    def _map(self, path: str, depth: int) -> dict[str, Any]:
        members: dict[str, Any] = {}
        for kind, key in self._events:
            if kind == "end_map":
                return members
            event = next(self._events)
            here = _path(path, key) if event[0] in _CONTAINERS else path
            members[key] = self._value(event, here, depth + 1)
        raise ValueError("unterminated JSON object")  # the tokens ran out

    def _array(self, path: str, depth: int) -> list[Any]:
        items: list[Any] = []
        for event in self._events:
            if event[0] == "end_array":
                return items
            if len(items) == MAX_ARRAY_ITEMS:
                inside = 1 if event[0] in _CONTAINERS else 0
                total = len(items) + _items_ended(self._events, inside)
                self._counter.cut(path, total)
                return PartialList(items, total)
            here = _path(path, len(items)) if event[0] in _CONTAINERS else path
            items.append(self._value(event, here, depth + 1))
        raise ValueError("unterminated JSON array")  # the tokens ran out


@dataclass(frozen=True)
class JsonPrefix:
    """The first values of a body, in document order (see `read_json_prefix`)."""

    value: Any
    whole: bool
    """Whether the whole body was read."""
    open_objects: tuple[dict[str, Any], ...] = ()
    """The objects whose end was not reached (innermost last): members may be missing."""


def read_json_prefix(body: bytes, budget: int, longest: int) -> JsonPrefix:
    """The body's values in document order, up to about `budget` characters of them (a string
    longer than `longest` counts as `longest`): for an excerpt of a body too large to keep.
    Raises BeyondBounds when what is read nests deeper than MAX_DEPTH, ValueError when the part
    read is not JSON."""
    top: list[Any] = []
    stack: list[Any] = [top]
    key: str | None = None
    spent = 0
    events = iter(ijson.basic_parse(body, use_float=True))
    try:
        for kind, scalar in events:
            if kind in ("end_map", "end_array"):
                stack.pop()
                continue
            if kind == "map_key":
                key = scalar
                spent += min(len(scalar), longest) + 3
                continue
            if spent > budget:
                break
            value: Any = {} if kind == "start_map" else [] if kind == "start_array" else scalar
            holder = stack[-1]
            if isinstance(holder, dict):
                holder[str(key)] = value
            else:
                holder.append(value)
            spent += min(len(scalar), longest) + 3 if isinstance(scalar, str) else 6
            if kind in _CONTAINERS:
                if len(stack) > MAX_DEPTH:
                    raise BeyondBounds(f"JSON nested more than {MAX_DEPTH} levels deep")
                stack.append(value)
        else:
            return JsonPrefix(top[0] if top else None, whole=True)
    except ijson.JSONError as exc:
        raise ValueError(str(exc).strip().splitlines()[0]) from None
    opened = tuple(h for h in stack[1:] if isinstance(h, dict))
    return JsonPrefix(top[0] if top else None, whole=False, open_objects=opened)
