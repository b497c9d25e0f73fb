"""Provider-controlled text made safe to print: no control character reaches the terminal raw."""

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""`text` with every C0 control, DEL and C1 control written as an escape (`\x1b`), so that
    a provider cannot set the window title, clear the screen or plant a hyperlink."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
