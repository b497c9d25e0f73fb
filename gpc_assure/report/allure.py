"""Allure results written from the assurance report, as cucumber.json is (so a serial and a
parallel run write the same results), with allure-python-commons' result model and file writer.

One result per scenario (per example row and document): its shown name, a history id from its
scenario id, its requirements as `story`, `requirement` and `tag` labels and as links to their
specification sections, a severity from their levels, each Gherkin step with its own values as
parameters, and its findings and a bounded form of its evidence attached. A MUST failure is
`failed`; a SHOULD warning and a scenario that could not be completed are `broken`, which
categories.json tells apart; a run that judged nothing gets one `broken` result saying why.
"""

import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import (
    Attachment,
    Label,
    Link,
    Parameter,
    Status,
    StatusDetails,
    TestResult,
    TestStepResult,
)
from allure_commons.utils import md5

from gpc_assure.report.folder import write_new_text
from gpc_assure.report.records import shown_name

RESULTS_DIR = "allure-results"
FRAMEWORK = "gpc-assure"
SEVERITY = {"MUST": "critical", "SHOULD": "normal", "MAY": "minor"}
"""A scenario's severity: that of the strongest level among its requirements (else minor)."""
ATTACHED_BODY_CHARS = 8 * 1024
"""The most of any body's evidence form an attachment keeps; the evidence file has the rest."""
REQUIREMENT_LINK = "tms"

_OUTCOME_STATUS = {
    "passed": Status.PASSED,
    "failed": Status.FAILED,
    "warning": Status.BROKEN,
    "error": Status.BROKEN,
    "skipped": Status.SKIPPED,
}
_STEP_STATUS = {
    "passed": Status.PASSED,
    "failed": Status.FAILED,
    "skipped": Status.SKIPPED,
    "not-run": Status.SKIPPED,
}
_UNMET = ("failed", "warning")
_WARNING_MESSAGE = r"\S+ \(SHOULD\): expected .*"
CATEGORIES: list[dict[str, Any]] = [
    {
        "name": "MUST failures",
        "description": "A MUST requirement was found unmet: the provider is not conformant.",
        "matchedStatuses": [Status.FAILED],
    },
    {
        "name": "SHOULD warnings",
        "description": "A SHOULD requirement was found unmet: allowed, but worth a look.",
        "matchedStatuses": [Status.BROKEN],
        "messageRegex": _WARNING_MESSAGE,
    },
    {
        "name": "Provider unreachable / run errors",
        "description": "The scenario, or the run, could not be completed: nothing was judged.",
        "matchedStatuses": [Status.BROKEN],
        "messageRegex": f"(?!{_WARNING_MESSAGE}).*",
    },
]
"""Allure's categories (each message is matched whole): every broken result is in exactly one
of the last two."""
_WEB_LINK = re.compile(r"^https?://", re.IGNORECASE)
_LEVEL_ORDER = ("MUST", "SHOULD", "MAY")


def finding_line(finding: Mapping[str, str]) -> str:
    """One finding in words: `GPC-DOC-ERR-005 (SHOULD): expected ...; observed ...`."""
    return (
        f"{finding['requirement']} ({finding['level']}): expected {finding['expected']}; "
        f"observed {finding['observed']}"
    )


def _epoch_ms(moment: str | None) -> int | None:
    """An ISO 8601 moment as Allure's milliseconds since the epoch (None when unknown)."""
    if not moment:
        return None
    try:
        return round(datetime.fromisoformat(moment).timestamp() * 1000)
    except ValueError:
        return None


def _requirement_ids(scenario: Mapping[str, Any]) -> list[str]:
    """The requirements a scenario is tagged with or judged (those it could not evaluate aside)."""
    judged = {f["requirement"] for f in scenario["findings"] if f.get("verdict") != "not evaluated"}
    return sorted(set(scenario["requirements"]) | judged)


def _severity(ids: Iterable[str], requirements: Mapping[str, Mapping[str, Any]]) -> str:
    levels = {requirements[i]["level"] for i in ids if i in requirements}
    strongest = next((level for level in _LEVEL_ORDER if level in levels), "MAY")
    return SEVERITY[strongest]


def _labels(
    scenario: Mapping[str, Any],
    ids: list[str],
    requirements: Mapping[str, Mapping[str, Any]],
    report: Mapping[str, Any],
) -> list[Label]:
    feature_file = scenario.get("feature_file") or ""
    labels = [
        Label("epic", f"GP Connect Access Document {report['spec_version']}"),
        Label("feature", scenario["feature"]),
        Label("parentSuite", scenario["feature"]),
        Label("suite", Path(feature_file).stem or scenario["feature"]),
    ]
    if scenario.get("parameters"):  # the rows of one outline, together
        labels.append(Label("subSuite", scenario["name"]))
    labels += [Label("story", i) for i in ids]
    labels += [Label("requirement", i) for i in ids]
    labels += [Label("tag", tag) for tag in scenario["tags"]]
    labels += [
        Label("severity", _severity(ids, requirements)),
        Label("host", report["run"]["host"]),
        Label("framework", FRAMEWORK),
        Label("language", "python"),
    ]
    return labels


def _links(ids: list[str], requirements: Mapping[str, Mapping[str, Any]]) -> list[Link]:
    """Each requirement's specification page and section (when its source is a web page)."""
    links = []
    for requirement_id in ids:
        url = requirements.get(requirement_id, {}).get("source", {}).get("url")
        if isinstance(url, str) and _WEB_LINK.match(url):
            links.append(Link(type=REQUIREMENT_LINK, url=url, name=requirement_id))
    return links


def _description(ids: list[str], requirements: Mapping[str, Mapping[str, Any]]) -> str:
    """What the scenario checks, one requirement a line (Markdown, from the catalogue only)."""
    lines = [
        f"- **{i}** ({requirements[i]['level']}): {requirements[i]['summary']}"
        for i in ids
        if i in requirements
    ]
    return "\n".join(lines)


def _parameters(values: Mapping[str, str]) -> list[Parameter]:
    return [Parameter(name=name, value=value) for name, value in values.items()]


def _status_details(scenario: Mapping[str, Any]) -> StatusDetails | None:
    """The one-line message of a scenario that did not pass; the unmet findings as the trace
    when there are several."""
    outcome = scenario["outcome"]
    if outcome == "passed":
        return None
    unmet = [finding_line(f) for f in scenario["findings"] if f.get("verdict") in _UNMET]
    if outcome == "warning":
        warnings = [finding_line(f) for f in scenario["findings"] if f.get("verdict") == "warning"]
        return StatusDetails(message="; ".join(warnings))
    fallback = "skipped" if outcome == "skipped" else "the scenario could not be completed"
    trace = "\n".join(unmet) if len(unmet) > 1 else None
    return StatusDetails(message=scenario["message"] or fallback, trace=trace)


def _steps(scenario: Mapping[str, Any], start: int) -> list[TestStepResult]:
    """Each Gherkin step with its status, times and the values its text gave; a step that
    judged a SHOULD unmet is broken, and a step that did not pass says why."""
    findings = scenario["findings"]
    steps = []
    at = start
    for step in scenario["steps"]:
        begun = _epoch_ms(step.get("started_at")) or at
        at = begun + round(float(step.get("duration", 0.0)) * 1000)
        own = [findings[n] for n in step.get("findings", []) if 0 <= n < len(findings)]
        unmet = [finding_line(f) for f in own if f.get("verdict") in _UNMET]
        status = _STEP_STATUS[step["status"]]
        if status == Status.PASSED and any(f.get("verdict") == "warning" for f in own):
            status = Status.BROKEN
        details = None
        if unmet:
            details = StatusDetails(message="; ".join(unmet))
        elif status == Status.FAILED:
            details = StatusDetails(message=scenario["message"])
        steps.append(
            TestStepResult(
                name=f"{step['keyword'].capitalize()} {step['text']}",
                status=status,
                statusDetails=details,
                stage="finished",
                parameters=_parameters(step.get("arguments", {})),
                start=begun,
                stop=at,
            )
        )
    return steps


def _bounded_body(body: Any, evidence_file: str | None) -> Any:
    """A body's evidence form, or an excerpt of it when longer than ATTACHED_BODY_CHARS."""
    text = json.dumps(body, separators=(",", ":"))
    if len(text) <= ATTACHED_BODY_CHARS:
        return body
    excerpt = {
        "format": body.get("format") if isinstance(body, dict) else None,
        "size": body.get("size") if isinstance(body, dict) else None,
        "excerpt": text[:ATTACHED_BODY_CHARS],
        "excerpt_of_chars": len(text),
    }
    if evidence_file:
        excerpt["whole_in"] = evidence_file
    return excerpt


def _bounded_exchange(exchange: Mapping[str, Any], evidence_file: str | None) -> dict[str, Any]:
    bounded = dict(exchange)
    for side in ("request", "response"):
        part = exchange.get(side)
        if isinstance(part, dict) and "body" in part:
            bounded[side] = {**part, "body": _bounded_body(part["body"], evidence_file)}
    return bounded


def _attachments(scenario: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(name, file name, JSON text) of each attachment: the findings, and the exchanges and TLS
    probes with each body cut to ATTACHED_BODY_CHARS (the evidence file keeps them whole)."""
    compact = (",", ":")
    if scenario["findings"]:
        text = json.dumps(scenario["findings"], separators=compact)
        yield "findings", f"{uuid.uuid4()}-attachment.json", text
    if scenario["exchanges"] or scenario["tls_probes"]:
        file = scenario.get("evidence")
        evidence = {
            "evidence_file": file,
            "exchanges": [_bounded_exchange(e, file) for e in scenario["exchanges"]],
            "tls_probes": scenario["tls_probes"],
        }
        name = f"evidence ({file})" if file else "evidence"
        text = json.dumps(evidence, separators=compact)
        yield name, f"{uuid.uuid4()}-attachment.json", text


def scenario_result(
    scenario: Mapping[str, Any], report: Mapping[str, Any]
) -> tuple[TestResult, list[tuple[str, str]]]:
    """The Allure result of one scenario of `report`, and its attachments (file name, text)."""
    requirements = {r["id"]: r for r in report["requirements"]}
    scenario_id = scenario["id"]
    node = scenario_id.split("::")[-1]
    feature_file = scenario.get("feature_file") or ""
    ids = _requirement_ids(scenario)
    start = _epoch_ms(scenario.get("started_at")) or _epoch_ms(report["run"]["started_at"]) or 0
    files = list(_attachments(scenario))
    result = TestResult(
        uuid=str(uuid.uuid4()),  # this execution's; its history id is the scenario's
        historyId=md5(scenario_id),
        testCaseId=md5(f"{feature_file}::{node.split('[', 1)[0]}"),
        fullName=f"{feature_file}::{node}",
        name=shown_name(scenario_id, scenario["name"]),
        description=_description(ids, requirements),
        status=_OUTCOME_STATUS[scenario["outcome"]],
        statusDetails=_status_details(scenario),
        stage="finished",
        start=start,
        stop=start + round(float(scenario.get("duration", 0.0)) * 1000),
        labels=_labels(scenario, ids, requirements, report),
        links=_links(ids, requirements),
        parameters=_parameters(scenario.get("parameters", {})),
        steps=_steps(scenario, start),
        attachments=[
            Attachment(name=name, source=file, type="application/json") for name, file, _ in files
        ],
    )
    return result, [(file, text) for _, file, text in files]


def run_error_result(report: Mapping[str, Any], error: str) -> TestResult:
    """The one result of a run that judged nothing (the provider unreachable, say): why."""
    full_name = f"{FRAMEWORK}::preflight"
    started = _epoch_ms(report["run"]["started_at"]) or 0
    return TestResult(
        uuid=str(uuid.uuid4()),
        historyId=md5(full_name),
        testCaseId=md5(full_name),
        fullName=full_name,
        name="The provider can be reached and judged",
        status=Status.BROKEN,
        statusDetails=StatusDetails(message=error),
        stage="finished",
        start=started,
        stop=_epoch_ms(report["run"]["finished_at"]) or started,
        labels=[
            Label("feature", "Preflight"),
            Label("suite", "preflight"),
            Label("severity", SEVERITY["MUST"]),
            Label("host", report["run"]["host"]),
            Label("framework", FRAMEWORK),
            Label("language", "python"),
        ],
    )


def _property(value: str) -> str:
    r"""`value` as a Java properties value (Allure reads the file as ISO 8859-1): backslashes,
    line breaks and characters beyond ASCII escaped (`\uXXXX`)."""
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif not " " <= char <= "~":
            out.extend(f"\\u{unit:04x}" for unit in _utf16_units(char))
        else:
            out.append(char)
    return "".join(out)


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def environment(report: Mapping[str, Any]) -> dict[str, str]:
    """What Allure's Environment panel shows: the verdict, the provider and the suite build."""
    verdict = report["verdict"]
    suite = report["suite"]
    facts = {
        "verdict": f"{verdict['status']}: {verdict['reason']}",
        "spec_version": report["spec_version"],
        "provider": report["provider"].get("base_url") or "embedded reference provider",
        "transport": report["provider"]["transport"],
        "suite_version": suite["version"],
        "suite_build": suite["build"],
        "run": report["run"]["id"],
    }
    if suite.get("git_commit"):
        facts["suite_commit"] = suite["git_commit"]
    return facts


def write_allure(results_dir: Path, report: Mapping[str, Any]) -> Path:
    """The Allure results of `report` in `results_dir` (created if need be): one result file per
    scenario with its attachments, environment.properties and categories.json."""
    logger = AllureFileLogger(str(results_dir))
    for scenario in report["scenarios"]:
        result, attachments = scenario_result(scenario, report)
        for file_name, text in attachments:
            logger.report_attached_data(body=text, file_name=file_name)
        logger.report_result(result)
    error = report["run"].get("error")
    if error:
        logger.report_result(run_error_result(report, error))
    lines = [f"{key}={_property(value)}" for key, value in environment(report).items()]
    properties = "\n".join(lines) + "\n"  # ASCII: every other character is escaped
    write_new_text(results_dir / "environment.properties", properties, exclusive=False)
    categories = json.dumps(CATEGORIES, indent=2)
    write_new_text(results_dir / "categories.json", categories, exclusive=False)
    return results_dir
