"""The optional search parameters of the DocumentReference search (search page, Search
parameters): `created` (ge/le), `author` (an organisation's ODS code) and `description`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from .patients import PRACTICE_ID, PRACTICE_ODS_CODE, Listing
from .search_resources import ODS_SYSTEM

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?")
# ODS code -> the Organization reference a DocumentReference.author carries for it.
_ORGANISATIONS = {PRACTICE_ODS_CODE: f"Organization/{PRACTICE_ID}"}

Match = Callable[[Listing], bool]


class ParameterProblem(Exception):
    """A search parameter the provider cannot use; the message (diagnostics) names it."""


def _created(value: str) -> Match:
    prefix, date = value[:2], value[2:]
    if prefix not in ("ge", "le") or not _DATE.fullmatch(date):
        raise ParameterProblem(
            f"The created parameter must be ge or le followed by a date or dateTime: {value!r}"
        )
    # Compared at the precision given: ge2024-02 matches anything created from February 2024.
    day = date[:10]
    if prefix == "ge":
        return lambda listing: listing.created[: len(day)] >= day
    return lambda listing: listing.created[: len(day)] <= day


def _author(value: str) -> Match:
    system, _, code = value.partition("|")
    if system != ODS_SYSTEM or not code:
        raise ParameterProblem(
            f"The author parameter must be an organisation's ODS code ({ODS_SYSTEM}|[code])"
        )
    reference = _ORGANISATIONS.get(code)
    return lambda listing: listing.author == reference


def _description(value: str) -> Match:
    words = value.casefold()
    return lambda listing: words in f"{listing.description}\n{listing.type_text}".casefold()


_PARAMETERS: dict[str, Callable[[str], Match]] = {
    "created": _created,
    "author": _author,
    "description": _description,
}


def document_filter(params: Mapping[str, Sequence[str]]) -> Match:
    """Whether a listing matches every given optional parameter (each value of a repeated one,
    such as created=ge...&created=le...). ParameterProblem for one the provider cannot use."""
    matches = [
        _PARAMETERS[name](value)
        for name, values in params.items()
        if name in _PARAMETERS
        for value in values
    ]
    return lambda listing: all(match(listing) for match in matches)
