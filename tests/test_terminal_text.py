"""printable(): control characters escaped, ordinary text (any script) untouched."""

import pytest

from gpc_assure.report.terminal_text import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),  # window title
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),  # clear screen
        ("\x1b]8;;https://x.invalid\x1b\\link", "\\x1b]8;;https://x.invalid\\x1b\\link"),
        ("\x9b2J \x9d0;t\x9c", "\\x9b2J \\x9d0;t\\x9c"),  # C1 CSI, OSC, ST
        ("a\r\nb\tc\x00\x7f", "a\\x0d\\x0ab\\x09c\\x00\\x7f"),
    ],
)
def test_controls_are_escaped(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_ordinary_text_is_untouched() -> None:
    text = "Surgery Zoë & Co <North> - 200 OK «ü» 日本"
    assert printable(text) == text


def test_no_control_survives_any_code_point() -> None:
    text = "".join(chr(c) for c in range(0x00, 0x100))
    assert not any(0 <= ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in printable(text))
