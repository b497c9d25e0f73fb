"""cucumber.json written from the assurance report (so serial and parallel runs write the same
file), as Cucumber's JSON formatter lays it out: one feature per feature file with its real `uri`
and line, each scenario (each example row) under a unique id and name with its own line, every
step with its line, status and duration (nanoseconds).

What a Cucumber reporter shows of a scenario, beyond its steps:
- its tags: the feature file's `@req:GPC-DOC-...` tags, `@warning` for a scenario that passed
  with a SHOULD warning and `@error` for one that could not be completed;
- its description: its requirements with their summaries, and why it did not plainly pass
  (`Warning: GPC-DOC-... SHOULD (...): expected ...; observed ...`, or the failure, error or
  skip in words); a feature's description counts its warned scenarios;
- text/plain embeddings on the step that ran last: the findings (expected and observed, per
  requirement checked), a summary of each exchange (request line, status, key response headers,
  what the body was: never its content) and the path of the evidence file in the report folder.

Cucumber has no warning status. A SHOULD warning is not a failure, so its steps stay `passed`
(a `pending` step would fail a gate that runs in strict mode, as most CI set-ups do): the
`@warning` tag, the descriptions and the findings make it visible. `error` reads as `failed`
(the run could not judge the scenario), `skipped` as `skipped`; each scenario's steps are made
to agree with its outcome, so a reporter's counts are the run's own.

Reporters such as cucumber-html-reporter put descriptions and text embeddings into their page
as HTML, unescaped: every text here has `<` and `>` written as the single angle quotation marks
(U+2039, U+203A), so what the provider said shows as text. The provider's text is cut short and
its control characters are written as escapes (`\\x1b`); each text is bounded, so a hostile
provider cannot make the file large."""

import base64
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from gpc_assure.report.exchange_summary import evidence_summary
from gpc_assure.report.folder import write_new_text
from gpc_assure.report.records import example_of, shown_name
from gpc_assure.report.terminal_text import printable
from gpc_assure.spec.paths import SUITE_ROOT
from gpc_assure.transport.exchange import bounded_text

_STEP_STATUS = {"passed": "passed", "failed": "failed", "skipped": "skipped", "not-run": "skipped"}
_CUCUMBER_STATUS = {
    "passed": "passed",
    "warning": "passed",
    "failed": "failed",
    "error": "failed",
    "skipped": "skipped",
}
"""The status a Cucumber reader derives for each scenario outcome."""
_OUTCOME_TAGS = {"warning": "@warning", "error": "@error"}
_OUTCOME_WORDS = {"failed": "Failed", "error": "Error", "skipped": "Skipped"}
_VERDICT_ORDER = ("failed", "warning", "reported", "not evaluated", "met")
_NANOSECONDS = 1_000_000_000
MAX_TEXT_CHARS = 4 * 1024
"""The most characters of any one description or embedding."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def shown(text: str) -> str:
    """`text` as safe to put into a page unescaped: no `<` or `>` (see the module's docstring)."""
    return text.replace("<", "\u2039").replace(">", "\u203a")


def _provider_text(value: object) -> str:
    """A value that may come from the provider, on one line."""
    return printable(str(value))


@cache
def _feature_line(feature_file: str) -> int:
    """The line of `Feature:` in the suite's feature file (1 when it cannot be read)."""
    try:
        lines = (SUITE_ROOT / feature_file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return 1
    return next((n for n, line in enumerate(lines, 1) if line.lstrip().startswith("Feature")), 1)


def _finding_heading(finding: Mapping[str, Any], summaries: Mapping[str, str]) -> str:
    verdict = str(finding.get("verdict", ""))
    requirement = str(finding.get("requirement", ""))
    summary = summaries.get(requirement)
    about = f" ({summary})" if summary else ""
    return f"{verdict.capitalize()}: {requirement} {finding.get('level', '')}{about}"


def findings_text(findings: list[dict[str, str]], summaries: Mapping[str, str]) -> str:
    """Each finding as its verdict, requirement, level and summary, then what was expected and
    what was observed: failures and warnings first."""

    def rank(finding: Mapping[str, Any]) -> int:
        verdict = finding.get("verdict")
        return _VERDICT_ORDER.index(verdict) if verdict in _VERDICT_ORDER else len(_VERDICT_ORDER)

    lines = []
    for finding in sorted(findings, key=rank):
        lines += [
            _finding_heading(finding, summaries),
            f"  expected: {_provider_text(finding.get('expected', ''))}",
            f"  observed: {_provider_text(finding.get('observed', ''))}",
        ]
    return "\n".join(lines)


def _description(scenario: dict[str, Any], summaries: Mapping[str, str]) -> str:
    """The scenario's requirements, and why it did not plainly pass."""
    lines = [
        f"{requirement}: {summaries[requirement]}" if requirement in summaries else requirement
        for requirement in scenario.get("requirements", [])
    ]
    outcome = scenario["outcome"]
    if outcome == "warning":
        lines += [
            f"{_finding_heading(f, summaries)}: expected {_provider_text(f.get('expected', ''))}; "
            f"observed {_provider_text(f.get('observed', ''))}"
            for f in scenario["findings"]
            if f.get("verdict") == "warning"
        ]
    elif outcome in _OUTCOME_WORDS and scenario["message"]:
        lines.append(f"{_OUTCOME_WORDS[outcome]}: {_provider_text(scenario['message'])}")
    return shown(bounded_text("\n".join(lines), MAX_TEXT_CHARS))


def _text_embedding(text: str) -> dict[str, str]:
    data = shown(bounded_text(text, MAX_TEXT_CHARS)).encode()
    return {"mime_type": "text/plain", "data": base64.b64encode(data).decode()}


def _embeddings(scenario: dict[str, Any], summaries: Mapping[str, str]) -> list[dict[str, str]]:
    """The findings, a summary of the exchanges and the evidence file's path, as text."""
    texts = []
    if scenario["findings"]:
        texts.append("Findings:\n" + findings_text(scenario["findings"], summaries))
    exchanges = evidence_summary(
        scenario.get("exchanges", []), scenario.get("tls_probes", []), MAX_TEXT_CHARS
    )
    if exchanges:
        texts.append("Exchanges (redacted; every one in full in the evidence file):\n" + exchanges)
    if scenario.get("evidence"):
        texts.append(f"Evidence file (in the report folder): {scenario['evidence']}")
    return [_text_embedding(text) for text in texts]


def _statuses(scenario: dict[str, Any]) -> list[str]:
    """Each step's Cucumber status, made to agree with the scenario's outcome: every step of a
    passed (or warned) scenario passed, a failed or errored scenario has a failed step, a
    skipped one a skipped step and none failed."""
    wanted = _CUCUMBER_STATUS.get(scenario["outcome"], "failed")
    if wanted == "passed":
        return ["passed"] * len(scenario["steps"])
    statuses = [_STEP_STATUS.get(step["status"], "skipped") for step in scenario["steps"]]
    if wanted == "skipped":
        statuses = ["skipped" if s == "failed" else s for s in statuses]
    if wanted not in statuses:
        at = next((i for i, s in enumerate(statuses) if s != "passed"), len(statuses) - 1)
        statuses[at] = wanted
    return statuses


def _steps(scenario: dict[str, Any], summaries: Mapping[str, str]) -> list[dict[str, Any]]:
    recorded = scenario["steps"] or [
        {"keyword": "then", "text": "the scenario's outcome is recorded", "status": "not-run"}
    ]
    scenario = {**scenario, "steps": recorded}
    statuses = _statuses(scenario)
    steps = []
    for step, status in zip(recorded, statuses, strict=True):
        result: dict[str, Any] = {
            "status": status,
            "duration": int(step.get("duration", 0.0) * _NANOSECONDS),
        }
        if status == "failed":
            message = bounded_text(_provider_text(scenario["message"]), MAX_TEXT_CHARS)
            result["error_message"] = shown(message)
        steps.append(
            {
                "keyword": f"{step['keyword'].capitalize()} ",
                "name": step["text"],
                "line": step.get("line", scenario.get("line", 0)),
                "match": {"location": scenario.get("feature_file", "")},
                "result": result,
            }
        )
    embeddings = _embeddings(scenario, summaries)
    if embeddings:
        ran = [i for i, s in enumerate(statuses) if s != "skipped"]
        at = statuses.index("failed") if "failed" in statuses else (ran or [len(steps) - 1])[-1]
        steps[at]["embeddings"] = embeddings
    return steps


def _scenario(
    scenario: dict[str, Any], feature_id: str, summaries: Mapping[str, str]
) -> dict[str, Any]:
    example = example_of(scenario["id"], scenario["name"])
    tags = [f"@{tag}" for tag in scenario["tags"]]
    if scenario["outcome"] in _OUTCOME_TAGS:
        tags.append(_OUTCOME_TAGS[scenario["outcome"]])
    return {
        "keyword": "Scenario",
        "id": f"{feature_id};{_slug(scenario['name'])}" + (f";{_slug(example)}" if example else ""),
        "name": shown(_provider_text(shown_name(scenario["id"], scenario["name"]))),
        "line": scenario.get("line", 0),
        "description": _description(scenario, summaries),
        "tags": [{"name": tag, "line": 1} for tag in tags],
        "type": "scenario",
        "steps": _steps(scenario, summaries),
    }


def _feature(
    uri: str, scenarios: list[dict[str, Any]], summaries: Mapping[str, str]
) -> dict[str, Any]:
    feature_id = _slug(scenarios[0]["feature"])
    warned = sum(s["outcome"] == "warning" for s in scenarios)
    return {
        "keyword": "Feature",
        "uri": uri,
        "id": feature_id,
        "name": scenarios[0]["feature"],
        "line": _feature_line(uri),
        "description": (
            f"{warned} scenario(s) passed with a SHOULD warning: see those tagged @warning."
            if warned
            else ""
        ),
        "tags": [],
        "elements": [_scenario(s, feature_id, summaries) for s in scenarios],
    }


def cucumber_features(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One Cucumber feature per feature file, its scenarios in report order."""
    summaries = {r["id"]: r["summary"] for r in report.get("requirements", [])}
    by_file: dict[str, list[dict[str, Any]]] = {}
    for scenario in report["scenarios"]:
        uri = scenario.get("feature_file") or f"features/{_slug(scenario['feature'])}.feature"
        by_file.setdefault(uri, []).append(scenario)
    return [_feature(uri, scenarios, summaries) for uri, scenarios in by_file.items()]


def write_cucumber(report_dir: Path, report: dict[str, Any]) -> Path:
    path = report_dir / "cucumber.json"
    write_new_text(path, json.dumps(cucumber_features(report), separators=(",", ":")))
    return path
