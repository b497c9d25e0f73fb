"""The Allure results of a failing run, as the Allure command line (allure-commandline, pinned by
tools/consumers) builds its report from them: requirement ids as labels and links, a SHOULD
warning broken and a MUST failure failed, each in its category, severities, readable parameters
and the evidence attached. And a parallel run writes the results a serial run writes."""

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from e2e.harness import CliResult, provider_config_file, run_cli
from gpc_assure.provider import ProviderSettings, ReferenceProvider
from gpc_assure.provider.faults import Fault
from gpc_assure.report.records import shown_name

pytestmark = pytest.mark.e2e

MUST_FAULT = Fault.UNKNOWN_ID_STATUS_400  # GPC-DOC-NF-001 fails
SHOULD_FAULT = Fault.NO_DIAGNOSTICS  # GPC-DOC-ERR-005 warns
FAMILY = ("--family", "unknown_document", "--family", "retrieve_document")
FAILED = "An unknown document id is answered 404 with NO_RECORD_FOUND"
WARNED = "Error responses explain themselves in diagnostics"
ALLURE_STATUS = {
    "passed": "passed",
    "failed": "failed",
    "warning": "broken",
    "error": "broken",
    "skipped": "skipped",
}
RUN_OWN = ("start", "stop", "uuid", "source")
REPRS = ("<function", "object at 0x", "ProviderConfig(", "Judge(", "Exchange(")


def allure_command() -> Path:
    """The Allure command line `make` installs, or a skip saying why it is not there."""
    consumers = os.environ.get("GPC_ASSURE_CONSUMERS")
    if not consumers:
        pytest.skip("GPC_ASSURE_CONSUMERS is unset: `make test` installs the Allure command line")
    command = Path(consumers) / "node_modules" / ".bin" / "allure"
    if not command.is_file():
        pytest.skip(f"no Allure command line at {command} (make .venv/consumers/.installed)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java: the Allure command line needs Java 8 or later")
    return command


@dataclass(frozen=True)
class Generated:
    run: CliResult
    report: Path  # what `allure generate` wrote
    seconds: float

    def data(self, relative: str) -> Any:
        return json.loads((self.report / relative).read_text(encoding="utf-8"))

    def test_cases(self) -> dict[str, dict[str, Any]]:
        cases = [self.data(p.relative_to(self.report).as_posix()) for p in self._cases()]
        return {case["name"]: case for case in cases}

    def _cases(self) -> list[Path]:
        return sorted((self.report / "data" / "test-cases").glob("*.json"))


@pytest.fixture(scope="module")
def faulty_provider() -> Iterator[ReferenceProvider]:
    with ReferenceProvider(
        ProviderSettings(faults=frozenset({MUST_FAULT, SHOULD_FAULT}))
    ) as provider:
        yield provider


def generate(run: CliResult, out: Path) -> Generated:
    """`allure generate` over the run's results, into `out`."""
    results = run.report_dir / "allure-results"
    began = time.monotonic()
    built = subprocess.run(
        [str(allure_command()), "generate", str(results), "-o", str(out), "--clean"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.monotonic() - began
    assert built.returncode == 0, built.stdout + built.stderr
    return Generated(run, out, seconds)


@pytest.fixture(scope="module")
def generated(
    tmp_path_factory: pytest.TempPathFactory, faulty_provider: ReferenceProvider
) -> Generated:
    allure_command()
    folder = tmp_path_factory.mktemp("allure")
    config = provider_config_file(faulty_provider, folder / "provider.toml")
    run = run_cli("run", "--config", str(config), *FAMILY, cwd=folder)
    assert run.code == 1, run.stdout + run.stderr
    return generate(run, folder / "allure-report")


def labels(case: dict[str, Any], name: str) -> list[str]:
    return [label["value"] for label in case["labels"] if label["name"] == name]


def test_every_scenario_is_a_test_case_with_its_status(generated: Generated) -> None:
    scenarios = generated.run.summary["scenarios"]
    cases = generated.test_cases()
    print(f"allure generate: {len(cases)} test cases in {generated.seconds:.1f} s")
    assert len(cases) == len(scenarios)
    for scenario in scenarios:
        case = cases[shown_name(scenario["id"], scenario["name"])]
        assert case["status"] == ALLURE_STATUS[scenario["outcome"]], case["name"]
    assert cases[FAILED]["status"] == "failed"
    assert cases[WARNED]["status"] == "broken"


def test_requirement_ids_are_labels_and_links(generated: Generated) -> None:
    scenarios = {
        shown_name(s["id"], s["name"]): s["requirements"]
        for s in generated.run.summary["scenarios"]
    }
    for name, case in generated.test_cases().items():
        tagged = set(scenarios[name])
        assert tagged <= set(labels(case, "story")), name
        assert tagged <= set(labels(case, "requirement")), name
        links = {link["name"]: link for link in case["links"]}
        assert tagged <= set(links), name
        for requirement in tagged:
            assert links[requirement]["type"] == "tms"
            assert links[requirement]["url"].startswith("https://developer.nhs.uk/apis/")
    assert labels(generated.test_cases()[FAILED], "feature") == [
        "Retrieve a document that does not exist"
    ]


def test_behaviors_group_the_scenarios_by_requirement(generated: Generated) -> None:
    def names(node: dict[str, Any]) -> Iterator[tuple[str, str]]:
        for child in node.get("children", []):
            yield node.get("name", ""), child["name"]
            yield from names(child)

    pairs = set(names(generated.data("data/behaviors.json")))
    assert ("Retrieve a document that does not exist", "GPC-DOC-NF-001") in pairs
    assert ("GPC-DOC-NF-001", FAILED) in pairs
    assert ("GPC-DOC-ERR-005", WARNED) in pairs


def test_failures_and_warnings_have_their_categories_and_severities(generated: Generated) -> None:
    cases = generated.test_cases()
    failed, warned = cases[FAILED], cases[WARNED]
    assert [c["name"] for c in failed["extra"]["categories"]] == ["MUST failures"]
    assert [c["name"] for c in warned["extra"]["categories"]] == ["SHOULD warnings"]
    assert failed["extra"]["severity"] == "critical"
    assert warned["extra"]["severity"] == "normal"
    assert {case["extra"]["severity"] for case in cases.values()} <= {"critical", "normal", "minor"}
    widget = {item["name"] for item in generated.data("widgets/categories.json")["items"]}
    assert widget == {"MUST failures", "SHOULD warnings"}
    severities = {item["severity"] for item in generated.data("widgets/severity.json")}
    assert {"critical", "normal"} <= severities


def test_messages_are_the_clean_expected_and_observed_line(generated: Generated) -> None:
    cases = generated.test_cases()
    assert cases[FAILED]["statusMessage"].startswith("GPC-DOC-NF-001 (")
    assert "expected HTTP 404" in cases[FAILED]["statusMessage"]
    assert cases[WARNED]["statusMessage"] == (
        "GPC-DOC-ERR-005 (SHOULD): expected issue.diagnostics describing the error; "
        "observed no diagnostics"
    )
    for case in cases.values():
        message = case.get("statusMessage", "")
        assert not re.match(r"[\w.]+(Error|Failure|Exception)\b", message), message
        assert "Traceback" not in case.get("statusTrace", "")


def test_parameters_are_readable(generated: Generated) -> None:
    for path in (generated.report / "data").rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        for repr_text in REPRS:
            assert repr_text not in text, f"{repr_text} in {path.name}"
    cases = generated.test_cases()
    documents = [
        case
        for case in cases.values()
        if case["name"].startswith("An existing document is returned as a Binary [")
    ]
    assert documents
    for case in documents:
        (parameter,) = case["parameters"]
        assert parameter["name"] == "document"
        assert case["name"].endswith(f"[{parameter['value']}]")
    step = next(
        step
        for step in cases[FAILED]["testStage"]["steps"]
        if step["name"] == "Then the response status is 404 (GPC-DOC-NF-001)"
    )
    assert step["status"] == "failed"
    assert step["parameters"] == [
        {"name": "status", "value": "404"},
        {"name": "req", "value": "GPC-DOC-NF-001"},
    ]


def test_findings_and_evidence_are_attached(generated: Generated) -> None:
    stage = generated.test_cases()[FAILED]["testStage"]
    attachments = {a["name"].split(" ", 1)[0]: a for a in stage["attachments"]}
    assert set(attachments) == {"findings", "evidence"}
    folder = generated.report / "data" / "attachments"
    findings = json.loads((folder / attachments["findings"]["source"]).read_text())
    assert {"requirement": "GPC-DOC-NF-001", "verdict": "failed"}.items() <= findings[0].items()
    evidence = json.loads((folder / attachments["evidence"]["source"]).read_text())
    (exchange,) = evidence["exchanges"]
    assert exchange["response"]["status"] == 400
    assert (generated.run.report_dir / evidence["evidence_file"]).is_file()


def test_a_parallel_run_writes_the_results_a_serial_run_writes(
    tmp_path: Path, faulty_provider: ReferenceProvider
) -> None:
    config = provider_config_file(faulty_provider, tmp_path / "provider.toml")
    written = []
    for jobs in ("1", "2"):
        (tmp_path / jobs).mkdir()
        run = run_cli("run", "--config", str(config), *FAMILY, "--jobs", jobs, cwd=tmp_path / jobs)
        assert run.code == 1, run.stdout + run.stderr
        written.append(_results(run.report_dir / "allure-results"))
    serial, parallel = written
    assert len(serial) > 10
    assert serial == parallel


def _results(folder: Path) -> dict[str, Any]:
    """Each result by its history id, without what no two runs share: its times, and the ids
    of the execution and its attachment files."""

    def timeless(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: timeless(v) for k, v in value.items() if k not in RUN_OWN}
        if isinstance(value, list):
            return [timeless(item) for item in value]
        return value

    results = [json.loads(path.read_text()) for path in folder.glob("*-result.json")]
    return {result["historyId"]: timeless(result) for result in results}


def test_an_unreachable_provider_is_a_run_error(tmp_path: Path) -> None:
    allure_command()
    config = tmp_path / "provider.toml"
    config.write_text(
        'base_url = "https://127.0.0.1:9/fhir"\n[timeouts]\nconnect = 1\nread = 1\n',
        encoding="utf-8",
    )
    run = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert run.code == 3, run.stdout + run.stderr
    generated = generate(run, tmp_path / "allure-report")

    (case,) = generated.test_cases().values()
    assert case["status"] == "broken"
    assert case["statusMessage"] == run.summary["error"]
    assert [c["name"] for c in case["extra"]["categories"]] == ["Provider unreachable / run errors"]
    environment = {
        item["name"]: item["values"] for item in generated.data("widgets/environment.json")
    }
    assert environment["provider"] == ["https://127.0.0.1:9/fhir"]
