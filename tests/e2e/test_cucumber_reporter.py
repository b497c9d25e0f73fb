"""cucumber.json as Cucumber consumers read it: cucumber-html-reporter 7.2.0 (a widely used
HTML reporter for Cucumber JSON) builds its page from a real run with failures and warnings, and
the page shows every requirement id, warning, expected and observed value and exchange the run
found, with the run's own counts; and the file has the shape cucumber-js 9 (the Cucumber the
reporter depends on) writes.

The tools come from `make .venv/consumers/.installed`; `make unit` names their folder in
GPC_ASSURE_CONSUMERS. Without it (or without node) these tests skip, saying so.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from e2e.harness import provider_config_file, run_cli
from gpc_assure.provider import Fault, ProviderSettings, Reading, ReferenceProvider
from gpc_assure.report.cucumber import cucumber_features, shown
from gpc_assure.report.records import shown_name
from gpc_assure.report.terminal_text import printable

pytestmark = pytest.mark.e2e

CONSUMERS_ENV = "GPC_ASSURE_CONSUMERS"
REFERENCE = Path(__file__).resolve().parent / "cucumber_reference"
FAULTS = frozenset({Fault.SUCCESS_STATUS_202, Fault.NO_ETAG})
"""MUST failures, in many scenarios."""
READINGS = frozenset({Reading.NO_XML, Reading.ISSUE_TYPE_SUBTYPE})
"""SHOULD warnings (GPC-DOC-HTTP-007, GPC-DOC-ERR-006) that pass in Cucumber's terms."""
GENERATE = """
const [jsonFile, output] = process.argv.slice(1);
require('cucumber-html-reporter').generate({
  theme: 'bootstrap', jsonFile, output, reportSuiteAsScenarios: true, launchReport: false,
  name: 'gpc-assure', brandTitle: 'gpc-assure',
});
"""
STEP_LABELS = frozenset({"Success", "Failed", "Skipped", "Pending", "Ambiguous", "Undefined"})
CUCUMBER_COUNTS = {"Passed": ("passed", "warning"), "Failed": ("failed", "error")}
"""The reporter's count cards and the outcomes each one adds up."""


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """The consumers' node_modules (skips, saying why, when they are not installed)."""
    folder = os.environ.get(CONSUMERS_ENV)
    if not folder:
        pytest.skip(f"{CONSUMERS_ENV} is unset: run `make unit` to check cucumber.json")
    if shutil.which("node") is None:
        pytest.skip("node not found: cucumber.json is not read by its consumers")
    modules = Path(folder) / "node_modules"
    if not (modules / "cucumber-html-reporter").is_dir():
        pytest.skip(f"cucumber-html-reporter is not installed in {modules}")
    return modules


def node(modules: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", *args],
        cwd=cwd,
        env={**os.environ, "NODE_PATH": str(modules)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def html_report(modules: Path, cucumber_json: Path, output: Path) -> str:
    """The reporter's page for `cucumber_json`."""
    done = node(modules, "-e", GENERATE, str(cucumber_json), str(output), cwd=output.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert output.is_file(), done.stdout + done.stderr
    return output.read_text(encoding="utf-8")


@dataclass
class Card:
    """One scenario as the page shows it."""

    name: str
    tags: list[str]
    labels: list[str] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return words(" ".join(self.pieces))


class ReporterPage(HTMLParser):
    """The scenarios, count cards and elements of a bootstrap-theme page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.cards: list[Card] = []
        self.texts: list[str] = []
        self.elements: set[str] = set()
        self._tags: list[str] = []
        self._in_tag = self._in_code = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.add(tag)
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        self._in_code = tag in ("script", "style")
        if tag == "span" and "tag" in classes:
            self._in_tag = True
        elif tag == "div" and "ellipsis" in classes:
            self.cards.append(Card(attributes.get("data-text") or "", self._tags))
            self._tags = []
        elif tag == "span" and "label" in classes and self.cards:
            self.cards[-1].labels.append(attributes.get("title") or "")

    def handle_endtag(self, tag: str) -> None:
        self._in_tag = self._in_tag and tag != "span"
        self._in_code = self._in_code and tag not in ("script", "style")

    def handle_data(self, data: str) -> None:
        if self._in_code or not data.strip():
            return
        self.texts.append(data.strip())
        if self._in_tag:
            self._tags.append(data.strip())
        elif self.cards:
            self.cards[-1].pieces.append(data)

    def counts(self) -> dict[str, int]:
        """The count cards: "Passed Scenarios" 113 as {"Passed": 113}."""
        return {
            text.removesuffix(" Scenarios"): int(after)
            for text, after in zip(self.texts, self.texts[1:], strict=False)
            if text.endswith(" Scenarios") and after.isdigit()
        }


def words(text: str) -> str:
    return " ".join(text.split())


def as_shown(value: str) -> str:
    """A recorded value as cucumber.json gives it (see gpc_assure.report.cucumber)."""
    return words(shown(printable(value)))


def shape(value: Any, path: str = "$") -> set[str]:
    """Every path in a JSON value with the type found there: `$[].line:int`."""
    if isinstance(value, dict):
        found = {f"{path}:object"}
        for key, item in value.items():
            found |= shape(item, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return {f"{path}:array"}.union(*(shape(item, f"{path}[]") for item in value))
    return {f"{path}:{type(value).__name__}"}


@pytest.fixture(scope="module")
def cucumber_js_json(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """What cucumber-js writes for tests/e2e/cucumber_reference (a pass, an attachment, a
    failure and the step it skips)."""
    work = tmp_path_factory.mktemp("cucumber-js")
    for name in ("reference.feature", "steps.js"):
        shutil.copy(REFERENCE / name, work / name)
    cli = node_modules / "@cucumber" / "cucumber" / "bin" / "cucumber-js"
    done = node(
        node_modules,
        str(cli),
        "reference.feature",
        "--require",
        "steps.js",
        "--format",
        "json:reference.json",
        "--publish-quiet",
        cwd=work,
    )
    assert (work / "reference.json").is_file(), done.stdout + done.stderr
    return json.loads((work / "reference.json").read_text())


def test_a_cucumber_html_report_shows_what_the_run_found(
    node_modules: Path, cucumber_js_json: Any, tmp_path: Path
) -> None:
    """One run (one test, so that pytest-xdist runs it once), read by both consumers."""
    settings = ProviderSettings(faults=FAULTS, readings=READINGS)
    with ReferenceProvider(settings) as provider:
        config = provider_config_file(provider, tmp_path / "provider.toml")
        result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert result.code == 1, result.stdout + result.stderr
    report = json.loads((result.report_dir / "assurance-report.json").read_text())
    cucumber_json = result.report_dir / "cucumber.json"

    written = json.loads(cucumber_json.read_text())
    ours, theirs = shape(written), shape(cucumber_js_json)
    assert not ours - theirs, f"not in cucumber-js's JSON: {sorted(ours - theirs)}"
    optional = {"$[].elements[].steps[].arguments:array"}
    assert not theirs - ours - optional, f"missing: {sorted(theirs - ours - optional)}"

    page = ReporterPage(html_report(node_modules, cucumber_json, tmp_path / "cucumber.html"))
    scenarios = report["scenarios"]
    outcomes = [s["outcome"] for s in scenarios]
    assert {"passed", "failed", "warning", "skipped"} <= set(outcomes)
    counts = page.counts()
    assert counts["All"] == len(scenarios)
    for shown_as, mine in CUCUMBER_COUNTS.items():
        assert counts.get(shown_as, 0) == sum(map(outcomes.count, mine)), (shown_as, counts)
    assert counts.get("Skipped", 0) == outcomes.count("skipped"), counts
    assert not {"Undefined", "Pending", "Ambiguous"} & set(counts), counts

    cards = {card.name: card for card in page.cards}
    assert len(cards) == len(page.cards) == len(scenarios)
    for scenario in scenarios:
        card = cards[shown_name(scenario["id"], scenario["name"])]
        check_card(card, scenario)

    text = words(" ".join(page.texts))
    for requirement in report["requirements"]:
        if requirement["status"] == "failed":
            assert f"Failed: {requirement['id']} {requirement['level']}" in text
        if requirement["status"] == "warning":
            assert f"Warning: {requirement['id']} SHOULD" in text


def check_card(card: Card, scenario: dict[str, Any]) -> None:
    """The scenario's tags, status, findings, exchanges and evidence file, on its card."""
    where = f"{scenario['id']}: {card.text[:3000]}"
    assert {f"@{tag}" for tag in scenario["tags"]} <= set(card.tags), (card.tags, where)
    assert ("@warning" in card.tags) == (scenario["outcome"] == "warning"), where
    steps = [label for label in card.labels if label in STEP_LABELS]
    if scenario["outcome"] in ("passed", "warning"):
        assert set(steps) == {"Success"}, (steps, where)
    if scenario["outcome"] == "failed":
        assert "Failed" in steps, (steps, where)
    for finding in scenario["findings"]:
        heading = f"{finding['verdict'].capitalize()}: {finding['requirement']} {finding['level']}"
        assert heading in card.text, (heading, where)
        for key in ("expected", "observed"):
            assert f"{key}: {as_shown(finding[key])}" in card.text, (key, finding, where)
    for exchange in scenario["exchanges"]:
        request, response = exchange["request"], exchange["response"]
        assert f"{request['method']} {request['url']}" in card.text, where
        assert f"answered {response['http_version']} {response['status']}" in card.text, where
        assert f"body: {response['body']['format']}" in card.text, where
        content = response["body"].get("json", {}).get("content", {})
        if "sha256" in content:
            assert f"sha256 {content['sha256']}" in card.text, where
    assert scenario["evidence"] in card.text, where


HOSTILE = '<img src=x onerror="alert(1)"><x-provider>'


def test_provider_text_stays_text_on_the_reporters_page(node_modules: Path, tmp_path: Path) -> None:
    """The reporter puts descriptions and text embeddings into its page unescaped: what the
    provider said must still show as text, never as an element."""
    exchange = {
        "request": {"method": "GET", "url": "https://127.0.0.1/Binary/x", "headers": []},
        "response": {
            "status": 200,
            "http_version": "HTTP/1.1",
            "headers": [["ETag", HOSTILE]],
            "body": {"format": "text", "size": 3},
        },
    }
    scenario = {
        "id": "steps/test_conformance.py::test_x",
        "feature": "Retrieve a document",
        "name": "An existing document is returned",
        "tags": ["req:GPC-DOC-RD-001"],
        "requirements": ["GPC-DOC-RD-001"],
        "outcome": "failed",
        "message": f"GPC-DOC-RD-001: expected 200; observed {HOSTILE}",
        "steps": [{"keyword": "then", "text": "x", "status": "failed", "line": 2}],
        "findings": [
            {
                "requirement": "GPC-DOC-RD-001",
                "level": "MUST",
                "verdict": "failed",
                "expected": "200",
                "observed": HOSTILE,
            }
        ],
        "exchanges": [exchange],
        "feature_file": "features/retrieve_document.feature",
        "line": 1,
        "evidence": "evidence/test_x.json",
    }
    cucumber_json = tmp_path / "cucumber.json"
    cucumber_json.write_text(json.dumps(cucumber_features({"scenarios": [scenario]})))
    page = ReporterPage(html_report(node_modules, cucumber_json, tmp_path / "cucumber.html"))
    assert not {"img", "x-provider"} & page.elements
    [card] = page.cards
    assert card.text.count(as_shown(HOSTILE)) >= 3, card.text  # finding, message, header
