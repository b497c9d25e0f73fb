"""Result records, one per scenario: the stream they are written to as scenarios finish, and the
summary.json written from them."""

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.report.suite_identity import suite_identity

OUTCOMES = ("passed", "failed", "warning", "skipped", "error")


@dataclass(frozen=True)
class ScenarioRecord:
    id: str
    feature: str
    name: str
    tags: list[str]
    requirements: list[str]
    outcome: str
    message: str
    findings: list[dict[str, str]] = field(default_factory=list)
    evidence: str | None = None
    duration: float = 0.0
    feature_file: str = ""  # relative to the suite root, e.g. features/unknown_document.feature
    line: int = 0  # the scenario's line in its feature file
    started_at: str = ""  # when the scenario began (ISO 8601, milliseconds)
    parameters: dict[str, str] = field(default_factory=dict)
    """What this run of the scenario was given: its example row (column: value) and, for a
    scenario run once per configured document, `document`."""


RECORDS_FILE = "records.jsonl"


def moment(epoch_seconds: float) -> str:
    """A moment as records and evidence write it (ISO 8601 in UTC, milliseconds); "" when
    unknown (0)."""
    if not epoch_seconds:
        return ""
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="milliseconds")


def example_of(node_id: str, name: str) -> str:
    """The example row or document a parametrised scenario ran with ("" when none, or when the
    scenario's name already says it)."""
    node = node_id.split("::")[-1]
    param = node.split("[", 1)[1].rstrip("]") if "[" in node else ""
    return param if param and param not in name else ""


def shown_name(node_id: str, name: str) -> str:
    """A scenario's name as the console and result files show it: with its example row or
    document in brackets, unless the name already says it."""
    example = example_of(node_id, name)
    shown = name or node_id.split("::")[-1]
    return f"{shown} [{example}]" if example else shown


class RecordStream:
    """`records.jsonl` in the report folder: one line per scenario, appended (already redacted)
    as each one finishes, so that nothing of a finished scenario is held in memory and a run
    stopped half-way still leaves what it judged. Every other result file is written from it."""

    def __init__(self, report_dir: Path) -> None:
        self.path = report_dir / RECORDS_FILE

    def append(self, record: ScenarioRecord) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        line = json.dumps(asdict(record), separators=(",", ":")) + "\n"
        with os.fdopen(os.open(self.path, flags, 0o644), "a", encoding="utf-8") as handle:
            handle.write(line)

    def __iter__(self) -> Iterator[ScenarioRecord]:
        if not self.path.is_file():
            return
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                yield ScenarioRecord(**json.loads(line))

    def sorted(self) -> list[ScenarioRecord]:
        """Every record, in scenario id order: the same order, serial or parallel."""
        return sorted(self, key=lambda record: record.id)


def transport_description(config: ProviderConfig) -> str:
    if not config.transport_assured:
        return "plain HTTP: transport security NOT assured"
    if config.tls.client_cert is not None:
        return "HTTPS with mutual TLS"
    return "HTTPS without a client certificate"


def provider_description(config: ProviderConfig, *, embedded: bool) -> dict[str, Any]:
    """The provider under test as every result file describes it."""
    return {
        "base_url": config.base_url,
        "proxy_url": config.proxy_url,
        "embedded_reference_provider": embedded,
        "transport": transport_description(config),
        "transport_assured": config.transport_assured,
    }


def totals(records: list[ScenarioRecord]) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for record in records:
        counts[record.outcome] += 1
    return counts


def write_summary(
    report_dir: Path,
    config: ProviderConfig,
    *,
    embedded: bool,
    started_at: str,
    records: list[ScenarioRecord],
    version: str,
    verdict: dict[str, Any] | None = None,
    error: str | None = None,
    discovery: dict[str, Any] | None = None,
) -> Path:
    """summary.json; `discovery` is the discovery in counts (when the run had NHS numbers)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {
        "suite": {**suite_identity(), "version": version},
        "suite_version": version,
        "spec_version": config.spec,
        "provider": provider_description(config, embedded=embedded),
        "provider_base_url": config.base_url,
        "started_at": started_at,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "verdict": verdict,
        "totals": totals(records),
        "scenarios": [asdict(r) for r in records],
    }
    if error is not None:
        summary["error"] = error
    if discovery is not None:
        summary["discovery"] = discovery
    path = report_dir / "summary.json"
    path.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return path
