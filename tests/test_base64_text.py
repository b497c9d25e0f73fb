"""Base64 text decoded once: strict decoding, whitespace ignored, the last text remembered by
identity only, and let go on request."""

import base64
import binascii
import hashlib

import pytest

from gpc_assure.spec.base64_text import decode_base64, forget

DATA = bytes(range(256)) * 3


def test_text_decodes_strictly_with_whitespace_removed() -> None:
    text = base64.b64encode(DATA).decode()
    spaced = "\n".join(text[i : i + 76] for i in range(0, len(text), 76)) + "\n"
    decoded = decode_base64(spaced)
    assert decoded.data == DATA
    assert decoded.error is None
    assert decoded.compact_length == len(text)
    assert decoded.sha256 == hashlib.sha256(DATA).hexdigest()


@pytest.mark.parametrize(
    "text",
    ["QU==QUJD", "QUJ", "QU!D", "QUJDRA", "Zoë=", "===="],
    ids=["padding inside", "missing padding", "outside the alphabet", "unpadded", "not ASCII",
         "padding only"],
)  # fmt: skip
def test_text_that_does_not_decode_says_why_as_the_base64_module_does(text: str) -> None:
    decoded = decode_base64(text)
    assert decoded.data is None
    assert decoded.sha256 is None
    with pytest.raises((binascii.Error, ValueError)) as raised:
        base64.b64decode("".join(text.split()), validate=True)
    assert decoded.error == str(raised.value)


@pytest.mark.parametrize(
    "text",
    ["", "QUJD", "QUI=", "QQ==", "QUJD=", "QUI==", "QUJDRA==", "QU JD", " QUJD\n", "Q\tUJD",
     "QUJD\r\n", "+/+/", "-_-_"],
)  # fmt: skip
def test_decoding_agrees_with_b64decode_validate(text: str) -> None:
    forget()
    decoded = decode_base64(text)
    compact = "".join(text.split())
    assert decoded.compact_length == len(compact)
    expected: bytes | str
    try:
        expected = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        expected = str(exc)
    assert (decoded.data if decoded.error is None else decoded.error) == expected


def test_the_same_text_is_decoded_once_and_an_equal_copy_anew() -> None:
    text = base64.b64encode(DATA).decode()
    first = decode_base64(text)
    assert decode_base64(text) is first
    copy = "".join(list(text))
    assert copy is not text
    again = decode_base64(copy)
    assert again is not first
    assert again == first


def test_forget_lets_the_last_text_go() -> None:
    text = base64.b64encode(DATA).decode()
    first = decode_base64(text)
    forget()
    assert decode_base64(text) is not first
