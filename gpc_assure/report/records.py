"""Result records, one per scenario, and the summary.json written from them."""

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gpc_assure.config.provider_config import ProviderConfig

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
    error: str | None = None,
) -> Path:
    report_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {
        "suite": {"name": "gpc-assure", "version": version},
        "suite_version": version,
        "spec_version": config.spec,
        "provider": provider_description(config, embedded=embedded),
        "provider_base_url": config.base_url,
        "started_at": started_at,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "totals": totals(records),
        "scenarios": [asdict(r) for r in records],
    }
    if error is not None:
        summary["error"] = error
    path = report_dir / "summary.json"
    path.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return path
