"""cucumber.json written from the assurance report (so serial and parallel runs write the same
file), as Cucumber's JSON formatter lays it out: one feature per feature file with its real
`uri` and line, each scenario (each example row) under a unique id and name with its own line,
every step with its line, status and duration (nanoseconds), and the scenario's evidence
embedded: its findings (expected and observed, per requirement) for a scenario that did not
pass, and the path of its evidence file, whose exchanges are not copied again."""

import base64
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from gpc_assure.report.folder import write_new_text
from gpc_assure.report.records import example_of, shown_name
from gpc_assure.spec.paths import SUITE_ROOT

_STEP_STATUS = {"passed": "passed", "failed": "failed", "skipped": "skipped", "not-run": "skipped"}
_NANOSECONDS = 1_000_000_000


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _tags(tags: list[str]) -> list[dict[str, Any]]:
    return [{"name": f"@{t}", "line": 1} for t in tags]


@cache
def _feature_line(feature_file: str) -> int:
    """The line of `Feature:` in the suite's feature file (1 when it cannot be read)."""
    try:
        lines = (SUITE_ROOT / feature_file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return 1
    return next((n for n, line in enumerate(lines, 1) if line.lstrip().startswith("Feature")), 1)


def _embeddings(scenario: dict[str, Any]) -> list[dict[str, str]]:
    """The findings of a scenario that did not pass, and where its evidence file is."""
    embedded = []
    if scenario["outcome"] != "passed" and scenario["findings"]:
        findings = json.dumps(scenario["findings"], separators=(",", ":")).encode()
        embedded.append(
            {"mime_type": "application/json", "data": base64.b64encode(findings).decode()}
        )
    if scenario.get("evidence"):
        path = scenario["evidence"].encode()
        embedded.append({"mime_type": "text/plain", "data": base64.b64encode(path).decode()})
    return embedded


def _steps(scenario: dict[str, Any], embeddings: list[dict[str, str]]) -> list[dict[str, Any]]:
    steps = []
    for step in scenario["steps"]:
        result: dict[str, Any] = {
            "status": _STEP_STATUS[step["status"]],
            "duration": int(step.get("duration", 0.0) * _NANOSECONDS),
        }
        if step["status"] == "failed":
            result["error_message"] = scenario["message"]
        steps.append(
            {
                "keyword": f"{step['keyword'].capitalize()} ",
                "name": step["text"],
                "line": step.get("line", 0),
                "match": {"location": scenario.get("feature_file", "")},
                "result": result,
            }
        )
    if steps and embeddings:
        steps[-1]["embeddings"] = embeddings
    return steps


def cucumber_features(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One Cucumber feature per feature file, its scenarios in report order."""
    features: dict[str, dict[str, Any]] = {}
    for scenario in report["scenarios"]:
        uri = scenario.get("feature_file") or f"features/{_slug(scenario['feature'])}.feature"
        feature = features.setdefault(
            uri,
            {
                "keyword": "Feature",
                "uri": uri,
                "id": _slug(scenario["feature"]),
                "name": scenario["feature"],
                "line": _feature_line(uri),
                "description": "",
                "tags": [],
                "elements": [],
            },
        )
        example = example_of(scenario["id"], scenario["name"])
        name = shown_name(scenario["id"], scenario["name"])
        feature["elements"].append(
            {
                "keyword": "Scenario",
                "id": f"{feature['id']};{_slug(scenario['name'])}"
                + (f";{_slug(example)}" if example else ""),
                "name": name,
                "line": scenario.get("line", 0),
                "description": scenario["message"] if scenario["outcome"] != "passed" else "",
                "tags": _tags(scenario["tags"]),
                "type": "scenario",
                "steps": _steps(scenario, _embeddings(scenario)),
            }
        )
    return list(features.values())


def write_cucumber(report_dir: Path, report: dict[str, Any]) -> Path:
    path = report_dir / "cucumber.json"
    write_new_text(path, json.dumps(cucumber_features(report), separators=(",", ":")))
    return path
