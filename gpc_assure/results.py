"""Result records, one per scenario, and the summary.json written from them."""

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

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


def _one_line(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).strip().splitlines()[0] if crash.message else ""
    text = report.longreprtext.strip()
    return text.splitlines()[0] if text else ""


def outcome_of(
    nodeid: str,
    properties: list[tuple[str, object]],
    phases: dict[str, pytest.TestReport],
) -> ScenarioRecord:
    """Fold the setup, call and teardown reports of one scenario into its record."""
    props: dict[str, list[str]] = {}
    for key, value in properties:
        props.setdefault(key, []).append(str(value))
    findings: list[dict[str, str]] = json.loads(props.get("findings", ["[]"])[-1])
    setup, call, teardown = phases.get("setup"), phases.get("call"), phases.get("teardown")
    outcome, message = "passed", ""
    if setup is not None and setup.failed:
        outcome, message = "error", _one_line(setup)
    elif setup is not None and setup.skipped:
        outcome, message = "skipped", _one_line(setup)
    elif call is not None and call.failed:
        is_requirement = props.get("failure_kind") == ["requirement"]
        outcome, message = ("failed" if is_requirement else "error"), _one_line(call)
    elif call is not None and call.skipped:
        outcome, message = "skipped", _one_line(call)
    elif warnings := [f for f in findings if f["verdict"] == "warning"]:
        outcome = "warning"
        message = "; ".join(
            f"{w['requirement']}: expected {w['expected']}; observed {w['observed']}"
            for w in warnings
        )
    if outcome == "passed" and teardown is not None and teardown.failed:
        outcome, message = "error", _one_line(teardown)
    return ScenarioRecord(
        id=nodeid,
        feature=props.get("feature", [""])[0],
        name=props.get("scenario", [""])[0],
        tags=json.loads(props.get("tags", ["[]"])[0]),
        requirements=props.get("requirement", []),
        outcome=outcome,
        message=message,
        findings=findings,
        evidence=props.get("evidence", [None])[0],
    )


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
