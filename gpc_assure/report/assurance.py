"""The assurance report: one JSON document holding everything a run found, built from the
scenario records, the evidence files and the requirement catalogue.

`schemas/assurance-report.schema.json` describes it; the HTML report is rendered from it alone.
"""

import json
import platform
import re
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.report.discovery_section import discovery_section
from gpc_assure.report.records import ScenarioRecord, provider_description, totals
from gpc_assure.report.suite_identity import suite_identity
from gpc_assure.spec.catalogue import Requirement, catalogue

SPEC_SITES = {
    "1.6": "https://developer.nhs.uk/apis/gpconnect-1-6-0/",
    "1.0.1": "https://developer.nhs.uk/apis/gpconnect-documents-1-0-1/",
}
REPORT_FILE = "assurance-report.json"
HTML_FILE = "assurance-report.html"
MAX_REASONS = 3
"""How many distinct reasons a requirement's status names before "and N more"."""


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


def selection_words(selection: Mapping[str, Any]) -> str:
    """A run's selection as the options that made it: `--family transport_security, -k tls`."""
    words = [f"--requirement {r}" for r in selection.get("requirements", [])]
    words += [f"--family {f}" for f in selection.get("families", [])]
    if selection.get("keyword"):
        words.append(f"-k {selection['keyword']}")
    return ", ".join(words)


def _listed(reasons: list[str]) -> str:
    """Distinct reasons in first-seen order, at most MAX_REASONS of them."""
    unique = list(dict.fromkeys(r for r in reasons if r))
    more = len(unique) - MAX_REASONS
    return "; ".join(unique[:MAX_REASONS]) + (f"; and {more} more" if more > 0 else "")


def requirement_status(
    requirement: Requirement,
    spec: str,
    scenarios: list[dict[str, Any]],
    *,
    selection: Mapping[str, Any] | None = None,
    error: str | None = None,
) -> tuple[str, str]:
    """A requirement's status in this run and why, from the findings of its scenarios; for a
    requirement left unevaluated, what actually happened (a skip, a stopped scenario, a
    selection that left it out, a run that never started)."""
    if requirement.manual:
        return "manual", requirement.manual
    if spec not in requirement.versions:
        return (
            "not-applicable",
            f"not part of spec {spec}: applies to spec {', '.join(requirement.versions)} only",
        )
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
        return "failed", f"unmet in {verdicts.count('failed')} check(s)"
    if "warning" in verdicts:
        return "warning", f"this SHOULD was unmet in {verdicts.count('warning')} check(s)"
    if "reported" in verdicts:
        return "reported", "the provider takes the option the spec leaves open (see the findings)"
    errors = [f"{s['name']}: {s['message']}" for s in mine if s["outcome"] == "error"]
    if errors:
        return "error", f"a scenario could not be completed: {_listed(errors)}"
    if "met" in verdicts:
        return "passed", f"met in {verdicts.count('met')} check(s)"
    if not mine:
        if error:
            return "not-tested", f"not run: {error}"
        if selection:
            limited = selection_words(selection)
            return "not-tested", f"not selected: this run was limited to {limited}"
        return "not-tested", "no scenario checks it in this run"
    if requirement.applies_when and any(s["outcome"] != "skipped" for s in mine):
        return "not-applicable", f"did not arise: it applies when {requirement.applies_when}"
    return "not-tested", _listed([_why_unevaluated(requirement.id, s) for s in mine])


def _why_unevaluated(requirement_id: str, scenario: Mapping[str, Any]) -> str:
    """Why a scenario that checks a requirement gave no verdict on it."""
    unevaluated = [
        f["observed"]
        for f in scenario["findings"]
        if f["requirement"] == requirement_id and f["verdict"] == "not evaluated"
    ]
    if unevaluated:
        return f"not evaluated: {_listed(unevaluated)}"
    if scenario["outcome"] == "skipped":
        return f"skipped: {scenario['message'] or 'no reason given'}"
    if scenario["message"]:
        return f"{scenario['name']} stopped before checking it: {scenario['message']}"
    return f"{scenario['name']} {scenario['outcome']} without checking it"


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
    failed_must = [
        r["id"] for r in requirements if r["level"] == "MUST" and r["status"] == "failed"
    ]
    if failed_must:
        status = "non-conformant"
        reason = f"{len(failed_must)} MUST requirement(s) failed: {', '.join(failed_must)}"
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
    selection: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report document; `selection` is what the run was limited to (`requirements`,
    `families`, `keyword`; empty or None: every scenario). With NHS numbers, its `discovery`
    says how the documents were found (read back from discovery.json)."""
    selection = {k: v for k, v in (selection or {}).items() if v}
    scenarios = [_scenario(report_dir, r) for r in records]
    requirements = []
    for requirement in catalogue().values():
        status, reason = requirement_status(
            requirement, config.spec, scenarios, selection=selection, error=error
        )
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
    if selection:
        run["selection"] = selection
    report: dict[str, Any] = {
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
    discovery = discovery_section(report_dir, config.nhs_numbers, error=error)
    if discovery is not None:
        report["discovery"] = discovery
    return report


def write_assurance_report(report_dir: Path, report: dict[str, Any]) -> Path:
    """assurance-report.json, and the HTML page rendered from it."""
    from gpc_assure.report.html import render_html

    path = report_dir / REPORT_FILE
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    (report_dir / HTML_FILE).write_text(render_html(report), encoding="utf-8")
    return path
