"""What `gpc-assure run` shows while it runs: a live progress line on a terminal (one line per
scenario in a log), every failure and warning in words, and a table per scenario family."""

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TextIO

import pytest

from gpc_assure.report.records import OUTCOMES, ScenarioRecord, shown_name
from gpc_assure.report.terminal_text import printable

_MARK = {"passed": "ok", "failed": "FAIL", "warning": "WARN", "skipped": "skip", "error": "ERROR"}


class ConsoleReporter:
    """A pytest plugin standing in for pytest's own terminal output in `gpc-assure run`."""

    def __init__(
        self, config: pytest.Config, out: TextIO | None = None, verbosity: int = 0
    ) -> None:
        self.config = config
        # The process's real stdout: pytest swaps sys.stdout for its capture while running.
        self.out = out or sys.__stdout__ or sys.stdout
        self.quiet = verbosity < 0
        self.live = self.out.isatty() and verbosity == 0
        self.total = 0
        self.counts: Counter[str] = Counter()

    @contextmanager
    def _uncaptured(self) -> Iterator[None]:
        """Write past pytest's output capture, as its own terminal reporter does."""
        capture: Any = self.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else nullcontext():
            yield
            self.out.flush()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        if self.quiet:
            return
        with self._uncaptured():
            self.out.write(f"gpc-assure: {self.total} scenarios\n")

    def scenario_done(self, record: ScenarioRecord) -> None:
        if self.quiet:
            return
        with self._uncaptured():
            self._show(record)

    def _show(self, record: ScenarioRecord) -> None:
        self.counts[record.outcome] += 1
        done = sum(self.counts.values())
        tally = ", ".join(f"{self.counts[o]} {o}" for o in OUTCOMES if self.counts[o])
        title = printable(f"{record.feature}: {shown_name(record.id, record.name)}")
        if self.live:
            self.out.write("\r\033[K")
        if record.outcome in ("failed", "warning", "error") or not self.live:
            self.out.write(f"[{done:>3}/{self.total}] {_MARK[record.outcome]:<5} {title}\n")
            if record.message:
                self.out.write(f"          {printable(record.message)}\n")
        if self.live:
            self.out.write(f"[{done:>3}/{self.total}] {tally} | {title}"[:160])

    def finish(self, records: list[ScenarioRecord]) -> None:
        if self.quiet:
            return
        with self._uncaptured():
            if self.live:
                self.out.write("\r\033[K")
            self.out.write(family_table(records))


def family_table(records: list[ScenarioRecord]) -> str:
    """Outcomes per feature file (scenario family), as aligned text."""
    families: dict[str, Counter[str]] = {}
    for record in records:
        families.setdefault(printable(record.feature), Counter())[record.outcome] += 1
    width = max([len("scenario family"), *map(len, families)])
    header = f"{'scenario family':<{width}}  " + "  ".join(f"{o:>7}" for o in OUTCOMES)
    lines = [header, "-" * len(header)]
    for family, counts in families.items():
        lines.append(f"{family:<{width}}  " + "  ".join(f"{counts[o]:>7}" for o in OUTCOMES))
    return "\n".join(lines) + "\n"
