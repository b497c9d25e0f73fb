"""What `gpc-assure run` shows while it runs: a live progress line on a terminal (one line per
scenario in a log), every failure and warning in words, and a table per scenario family."""

import sys
from collections import Counter
from typing import TextIO

import pytest

from gpc_assure.results import OUTCOMES, ScenarioRecord

_MARK = {"passed": "ok", "failed": "FAIL", "warning": "WARN", "skipped": "skip", "error": "ERROR"}


class ConsoleReporter:
    """A pytest plugin standing in for pytest's own terminal output in `gpc-assure run`."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.live = out.isatty()
        self.total = 0
        self.counts: Counter[str] = Counter()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        self.out.write(f"gpc-assure: {self.total} scenarios\n")

    def scenario_done(self, record: ScenarioRecord) -> None:
        self.counts[record.outcome] += 1
        done = sum(self.counts.values())
        tally = ", ".join(f"{self.counts[o]} {o}" for o in OUTCOMES if self.counts[o])
        title = f"{record.feature}: {record.name}{_document(record)}"
        if self.live:
            self.out.write("\r\033[K")
        if record.outcome in ("failed", "warning", "error") or not self.live:
            self.out.write(f"[{done:>3}/{self.total}] {_MARK[record.outcome]:<5} {title}\n")
            if record.message:
                self.out.write(f"          {record.message}\n")
        if self.live:
            self.out.write(f"[{done:>3}/{self.total}] {tally} | {title}"[:160])
        self.out.flush()

    def finish(self, records: list[ScenarioRecord]) -> None:
        if self.live:
            self.out.write("\r\033[K")
        self.out.write(family_table(records))
        self.out.flush()


def _document(record: ScenarioRecord) -> str:
    """The example row or document a parametrised scenario ran with, unless its name says it."""
    param = record.id.split("[", 1)[1].rstrip("]") if "[" in record.id else ""
    return f" [{param}]" if param and param not in record.name else ""


def family_table(records: list[ScenarioRecord]) -> str:
    """Outcomes per feature file (scenario family), as aligned text."""
    families: dict[str, Counter[str]] = {}
    for record in records:
        families.setdefault(record.feature, Counter())[record.outcome] += 1
    width = max([len("scenario family"), *map(len, families)])
    header = f"{'scenario family':<{width}}  " + "  ".join(f"{o:>7}" for o in OUTCOMES)
    lines = [header, "-" * len(header)]
    for family, counts in families.items():
        lines.append(f"{family:<{width}}  " + "  ".join(f"{counts[o]:>7}" for o in OUTCOMES))
    return "\n".join(lines) + "\n"
