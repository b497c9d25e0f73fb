"""Base64 text decoded once, however many look at it.

A Binary's content is checked by the schema (it must decode), judged by its digest and summed
up in the evidence: three decodings of the same text, each tens of milliseconds for a 5 MB
document. The text last decoded is remembered, by identity (the checks and the evidence read
the same parsed body), with what came of it, until :func:`forget` lets both go.
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Base64Text:
    """What came of decoding a text strictly, once its whitespace was removed."""

    compact_length: int
    """Characters once whitespace is removed."""
    data: bytes | None = field(repr=False)
    """The decoded bytes; None when the text does not decode."""
    error: str | None
    """Why it does not decode, in the words of the base64 module."""

    @cached_property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.data).hexdigest() if self.data is not None else None


_last: list[tuple[str, Base64Text]] = []


def decode_base64(text: str) -> Base64Text:
    """`text`, whitespace removed, decoded as ``base64.b64decode(..., validate=True)`` does.

    Plain base64 without whitespace, the usual content, is checked and decoded in one pass by
    binascii's strict mode (which accepts only what validate=True accepts, and decodes it alike);
    anything else goes through ``b64decode``, whose verdict and words stand.
    """
    if _last and _last[0][0] is text:
        return _last[0][1]
    try:
        decoded = Base64Text(len(text), binascii.a2b_base64(text, strict_mode=True), None)
    except (binascii.Error, ValueError):
        compact = "".join(text.split())
        try:
            decoded = Base64Text(len(compact), base64.b64decode(compact, validate=True), None)
        except (binascii.Error, ValueError) as exc:
            decoded = Base64Text(len(compact), None, str(exc))
    _last[:] = [(text, decoded)]
    return decoded


def forget() -> None:
    """Let the text last decoded, and its bytes, go."""
    _last.clear()
