"""The console prints provider text with its control characters escaped."""

import io
import re
from typing import Any

from gpc_assure.report.records import ScenarioRecord
from gpc_assure.run.console import ConsoleReporter, family_table

HOSTILE = "\x1b]0;owned\x07\x1b[2J\x9b2J"
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


class _Log(io.StringIO):
    def isatty(self) -> bool:
        return False


def record(message: str) -> ScenarioRecord:
    return ScenarioRecord(
        id=f"steps/test_conformance.py::test_x[{HOSTILE}]",
        feature="Errors",
        name="A scenario",
        tags=[],
        requirements=["GPC-DOC-ERR-001"],
        outcome="failed",
        message=message,
    )


def test_a_failure_message_is_printed_escaped() -> None:
    out = _Log()
    config: Any = None
    reporter = ConsoleReporter(config, out=out)
    reporter.total = 1
    reporter._show(record(f"expected Spine code BAD_REQUEST; observed {HOSTILE}"))
    shown = out.getvalue()
    assert not RAW_CONTROL.search(shown), repr(shown)
    assert "observed \\x1b]0;owned\\x07\\x1b[2J\\x9b2J" in shown


def test_the_family_table_is_printable() -> None:
    table = family_table([record("x")])
    assert not RAW_CONTROL.search(table)
