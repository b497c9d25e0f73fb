"""cucumber.json written from the assurance report, so that serial and parallel runs produce
the same file (pytest-bdd's own writer sees nothing under pytest-xdist)."""

import json
import re
from pathlib import Path
from typing import Any

_STEP_STATUS = {"passed": "passed", "failed": "failed", "skipped": "skipped", "not-run": "skipped"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _tags(tags: list[str]) -> list[dict[str, Any]]:
    return [{"name": f"@{t}", "line": 1} for t in tags]


def cucumber_features(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One Cucumber feature per feature name, its scenarios in report order."""
    features: dict[str, dict[str, Any]] = {}
    for scenario in report["scenarios"]:
        feature = features.setdefault(
            scenario["feature"],
            {
                "keyword": "Feature",
                "uri": f"features/{_slug(scenario['feature'])}",
                "id": _slug(scenario["feature"]),
                "name": scenario["feature"],
                "line": 1,
                "description": "",
                "tags": [],
                "elements": [],
            },
        )
        steps = [
            {
                "keyword": step["keyword"],
                "name": step["text"],
                "line": index + 1,
                "match": {"location": ""},
                "result": {"status": _STEP_STATUS[step["status"]]}
                | ({"error_message": scenario["message"]} if step["status"] == "failed" else {}),
            }
            for index, step in enumerate(scenario["steps"])
        ]
        feature["elements"].append(
            {
                "keyword": "Scenario",
                "id": scenario["id"],
                "name": scenario["name"],
                "line": 1,
                "description": scenario["message"] if scenario["outcome"] != "passed" else "",
                "tags": _tags(scenario["tags"]),
                "type": "scenario",
                "steps": steps,
            }
        )
    return list(features.values())


def write_cucumber(report_dir: Path, report: dict[str, Any]) -> Path:
    path = report_dir / "cucumber.json"
    path.write_text(json.dumps(cucumber_features(report), indent=2), encoding="utf-8")
    return path
