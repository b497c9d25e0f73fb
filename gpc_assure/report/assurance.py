"""The assurance report: one JSON document holding everything a run found, built from the
scenario records, the evidence files and the requirement catalogue.

`schemas/assurance-report.schema.json` describes it; the HTML report is rendered from it alone.
"""

import json
import platform
import re
import socket
from pathlib import Path
from typing import Any

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.report.records import ScenarioRecord, provider_description, totals
from gpc_assure.report.suite_identity import suite_identity
from gpc_assure.spec.catalogue import Requirement, catalogue

SPEC_SITES = {
    "1.6": "https://developer.nhs.uk/apis/gpconnect-1-6-0/",
    "1.0.1": "https://developer.nhs.uk/apis/gpconnect-documents-1-0-1/",
}
REPORT_FILE = "assurance-report.json"
HTML_FILE = "assurance-report.html"


def source_url(requirement: Requirement) -> str:
    """The published page and section; Access Document 1.0.1 pages are named accessrecord_*."""
    site = SPEC_SITES["1.0.1" if requirement.page.startswith("accessrecord_") else "1.6"]
    anchor = re.sub(r"[^a-z0-9]+", "-", requirement.section.lower()).strip("-")
    return f"{site}{requirement.page}#{anchor}"


def _evidence(report_dir: Path, record: ScenarioRecord) -> dict[str, Any]:
    if not record.evidence:
        return {}
    path = report_dir / record.evidence
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def _scenario(report_dir: Path, record: ScenarioRecord) -> dict[str, Any]:
    evidence = _evidence(report_dir, record)
    return {
        "id": record.id,
        "feature": record.feature,
        "name": record.name,
        "tags": record.tags,
        "requirements": record.requirements,
        "outcome": record.outcome,
        "message": record.message,
        "steps": evidence.get("steps", []),
        "findings": record.findings,
        "exchanges": evidence.get("exchanges", []),
        "tls_probes": evidence.get("tls_probes", []),
        "feature_file": record.feature_file,
        "line": record.line,
        "duration": round(record.duration, 6),
        "started_at": record.started_at,
        "parameters": record.parameters,
        "evidence": record.evidence,
    }


def requirement_status(
    requirement: Requirement, spec: str, scenarios: list[dict[str, Any]]
) -> tuple[str, str]:
    """A requirement's status in this run and why, from the findings of its scenarios."""
    if requirement.manual:
        return "manual", requirement.manual
    if spec not in requirement.versions:
        return "not-applicable", f"applies to spec {', '.join(requirement.versions)} only"
    mine = [
        s
        for s in scenarios
        if requirement.id in s["requirements"]
        or any(f["requirement"] == requirement.id for f in s["findings"])
    ]
    verdicts = [
        f["verdict"] for s in mine for f in s["findings"] if f["requirement"] == requirement.id
    ]
    if "failed" in verdicts:
        return "failed", "a scenario found it unmet"
    if "warning" in verdicts:
        return "warning", "a scenario found this SHOULD unmet"
    if "reported" in verdicts:
        return "reported", "the provider takes the option the spec leaves open (see the findings)"
    if any(s["outcome"] == "error" for s in mine):
        return "error", "a scenario could not be completed (see its message)"
    if "met" in verdicts:
        return "passed", f"met in {sum(v == 'met' for v in verdicts)} check(s)"
    if not mine:
        return "not-tested", "no scenario checks it in this run"
    if requirement.applies_when and any(s["outcome"] != "skipped" for s in mine):
        return "not-applicable", f"did not arise: it applies when {requirement.applies_when}"
    reasons = {s["message"] for s in mine if s["outcome"] == "skipped" and s["message"]}
    return "not-tested", "; ".join(sorted(reasons)) or "its scenarios did not evaluate it"


def _verdict(
    requirements: list[dict[str, Any]], scenario_totals: dict[str, int], error: str | None
) -> dict[str, Any]:
    def count(level: str, status: str) -> int:
        return sum(r["level"] == level and r["status"] == status for r in requirements)

    untested_must = [
        r["id"]
        for r in requirements
        if r["level"] == "MUST" and r["status"] in ("not-tested", "error")
    ]
    counts = {
        "must_passed": count("MUST", "passed"),
        "must_failed": count("MUST", "failed"),
        "should_passed": count("SHOULD", "passed"),
        "should_warnings": count("SHOULD", "warning"),
        "not_tested": sum(r["status"] in ("not-tested", "error") for r in requirements),
        "manual": sum(r["status"] == "manual" for r in requirements),
        "not_applicable": sum(r["status"] == "not-applicable" for r in requirements),
        "scenarios": scenario_totals,
    }
    if counts["must_failed"]:
        status, reason = "non-conformant", f"{counts['must_failed']} MUST requirement(s) failed"
    elif error:
        status, reason = "incomplete", error
    elif untested_must:
        status = "incomplete"
        reason = (
            f"{len(untested_must)} MUST requirement(s) not evaluated: {', '.join(untested_must)}"
        )
    else:
        status, reason = "conformant", "every testable MUST requirement was met"
    return {"status": status, "reason": reason, "counts": counts}


def build_report(
    *,
    report_dir: Path,
    config: ProviderConfig,
    records: list[ScenarioRecord],
    embedded: bool,
    started_at: str,
    finished_at: str,
    error: str | None = None,
) -> dict[str, Any]:
    scenarios = [_scenario(report_dir, r) for r in records]
    requirements = []
    for requirement in catalogue().values():
        status, reason = requirement_status(requirement, config.spec, scenarios)
        requirements.append(
            {
                "id": requirement.id,
                "level": requirement.level,
                "summary": requirement.summary,
                "versions": list(requirement.versions),
                "source": {
                    "page": requirement.page,
                    "section": requirement.section,
                    "url": source_url(requirement),
                },
                "notes": requirement.notes,
                "status": status,
                "status_reason": reason,
                "scenarios": [s["id"] for s in scenarios if requirement.id in s["requirements"]],
            }
        )
    not_tested = [
        {"kind": "requirement", "id": r["id"], "reason": r["status_reason"]}
        for r in requirements
        if r["status"] in ("not-tested", "error", "manual")
    ] + [
        {"kind": "scenario", "id": s["id"], "reason": s["message"] or "skipped"}
        for s in scenarios
        if s["outcome"] == "skipped"
    ]
    run: dict[str, Any] = {
        "id": report_dir.name,
        "started_at": started_at,
        "finished_at": finished_at,
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    if error:
        run["error"] = error
    return {
        "report_version": "1",
        "suite": suite_identity(),
        "run": run,
        "provider": {
            **provider_description(config, embedded=embedded),
            "provider_asid": config.provider_asid,
            "consumer_asid": config.consumer_asid,
        },
        "spec_version": config.spec,
        "verdict": _verdict(requirements, totals(records), error),
        "requirements": requirements,
        "scenarios": scenarios,
        "not_tested": not_tested,
    }


def write_assurance_report(report_dir: Path, report: dict[str, Any]) -> Path:
    """assurance-report.json, and the HTML page rendered from it."""
    from gpc_assure.report.html import render_html

    path = report_dir / REPORT_FILE
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    (report_dir / HTML_FILE).write_text(render_html(report), encoding="utf-8")
    return path
