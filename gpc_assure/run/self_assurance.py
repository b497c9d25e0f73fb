"""Self-assurance: run the suite against the reference provider with each fault switched on,
and check that every fault is caught, that the conformant provider passes cleanly, and that
no scenario goes untested; and with each reading switched on, and check that no conformant
reading fails a scenario or warns where it does not declare a warning.

Each run is a real `gpc-assure run` in its own process, against a live provider on 127.0.0.1.
"""

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gpc_assure.provider import (
    FAULTS,
    READINGS,
    Fault,
    ProviderSettings,
    Reading,
    ReferenceProvider,
)
from gpc_assure.provider.suite_config import suite_config_toml
from gpc_assure.spec.catalogue import catalogue

CONFORMANT = "(conformant)"
RUN_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class ScenarioResult:
    id: str
    outcome: str
    requirements: tuple[str, ...]
    message: str
    unmet: tuple[str, ...] = ()
    """Requirements the scenario found failed or warned, its tags or those judged beside them."""

    @property
    def blamed(self) -> set[str]:
        """The requirements this scenario's outcome is about."""
        return set(self.unmet) or set(self.requirements)


@dataclass(frozen=True)
class FaultRun:
    """One run of the whole suite against the provider with one fault (or none)."""

    fault: str
    """The fault's name, or CONFORMANT."""
    requirements: tuple[str, ...]
    also_fails: tuple[str, ...]
    exit_code: int
    seconds: float
    scenarios: tuple[ScenarioResult, ...] = ()
    problem: str = ""

    def with_outcome(self, *outcomes: str) -> list[ScenarioResult]:
        return [s for s in self.scenarios if s.outcome in outcomes]

    @property
    def caught_by(self) -> list[ScenarioResult]:
        """Scenarios tagged with a broken requirement that failed (MUST), warned (SHOULD), or
        ended in error because the provider gave no usable answer."""
        broken = set(self.requirements)
        return [s for s in self.with_outcome("failed", "warning", "error") if broken & s.blamed]

    @property
    def collateral(self) -> list[ScenarioResult]:
        """Scenarios that failed, warned or errored without checking a broken requirement."""
        broken = set(self.requirements)
        return [s for s in self.with_outcome("failed", "warning", "error") if not broken & s.blamed]

    @property
    def unexpected(self) -> list[ScenarioResult]:
        """Collateral the fault does not declare: a scenario failing for the wrong reason."""
        declared = set(self.also_fails)
        return [s for s in self.collateral if not declared & s.blamed]


@dataclass(frozen=True)
class SuiteRun:
    """What one `gpc-assure run` against one provider gave."""

    exit_code: int
    seconds: float
    scenarios: tuple[ScenarioResult, ...] = ()
    problem: str = ""


def run_suite(settings: ProviderSettings, run_dir: Path, timeout: float) -> SuiteRun:
    """Start a provider with *settings* and run the whole suite against it (at its spec)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with ReferenceProvider(settings) as provider:
        config = run_dir / "provider.toml"
        config.write_text(suite_config_toml(provider, nhs_numbers=True), encoding="utf-8")
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "gpc_assure.cli",
                "run",
                "--config",
                str(config),
                "--report-dir",
                str(run_dir / "report"),
                "--spec",
                settings.spec,
                "--connect-timeout",
                str(timeout),
                "--read-timeout",
                str(timeout),
            ],
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
            check=False,
        )
    seconds = time.perf_counter() - started
    summary_file = run_dir / "report" / "summary.json"
    if not summary_file.is_file():
        problem = (completed.stderr.strip().splitlines() or ["no summary.json written"])[-1]
        return SuiteRun(completed.returncode, seconds, problem=problem)
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    scenarios = tuple(
        ScenarioResult(
            s["id"],
            s["outcome"],
            tuple(s["requirements"]),
            s["message"],
            tuple(
                dict.fromkeys(
                    f["requirement"]
                    for f in s.get("findings", [])
                    if f["verdict"] in ("failed", "warning")
                )
            ),
        )
        for s in summary["scenarios"]
    )
    return SuiteRun(completed.returncode, seconds, scenarios)


def run_one(fault: Fault | None, work_dir: Path, timeout: float) -> FaultRun:
    """Start the provider with `fault` (None: the conformant provider) and run the suite."""
    name = CONFORMANT if fault is None else str(fault)
    faults = frozenset[Fault]() if fault is None else frozenset({fault})
    declared = None if fault is None else FAULTS[fault]
    run = run_suite(ProviderSettings(faults=faults), work_dir / name.strip("()"), timeout)
    return FaultRun(
        name,
        declared.requirements if declared else (),
        declared.also_fails if declared else (),
        run.exit_code,
        run.seconds,
        run.scenarios,
        run.problem,
    )


def _short(scenario_id: str) -> str:
    return scenario_id.split("::")[-1]


@dataclass(frozen=True)
class ReadingRun:
    """One run of the whole suite against the provider with one reading switched on."""

    reading: str
    warns: tuple[str, ...]
    spec: str
    run: SuiteRun

    def with_outcome(self, *outcomes: str) -> list[ScenarioResult]:
        return [s for s in self.run.scenarios if s.outcome in outcomes]

    @property
    def failures(self) -> list[ScenarioResult]:
        """Failed or errored scenarios: the suite refused a conformant answer."""
        return self.with_outcome("failed", "error")

    @property
    def undeclared_warnings(self) -> list[ScenarioResult]:
        """Warnings on scenarios checking no requirement the reading declares it may warn on."""
        return [s for s in self.with_outcome("warning") if not set(self.warns) & s.blamed]

    @property
    def problems(self) -> list[str]:
        """What is wrong with this reading's run, in words (empty: it passed)."""
        name = self.reading
        if self.run.problem or not self.run.scenarios:
            return [f"{name}: {self.run.problem or 'no scenario ran'}"]
        problems = [f"{name}: {s.outcome} {_short(s.id)}: {s.message}" for s in self.failures]
        problems += [
            f"{name}: undeclared warning {_short(s.id)}: {s.message}"
            for s in self.undeclared_warnings
        ]
        if self.run.exit_code != 0 and not self.failures:
            problems.append(f"{name}: exit code {self.run.exit_code}")
        return problems

    def counts(self) -> dict[str, int]:
        outcomes = ("passed", "failed", "warning", "skipped", "error")
        return {o: len(self.with_outcome(o)) for o in outcomes}


def run_reading(reading: Reading, work_dir: Path, timeout: float) -> ReadingRun:
    """Start the provider with `reading` switched on and run the suite against it."""
    declared = READINGS[reading]
    settings = ProviderSettings(spec=declared.spec or "1.6", readings=frozenset({reading}))
    run = run_suite(settings, work_dir / f"reading-{reading}", timeout)
    return ReadingRun(str(reading), declared.warns, settings.spec, run)


def run_readings(readings: Iterable[Reading], jobs: int, timeout: float = 3.0) -> list[ReadingRun]:
    """The suite against each reading, `jobs` runs at a time."""
    with (
        tempfile.TemporaryDirectory(prefix="gpc-assure-readings-") as work,
        ThreadPoolExecutor(max(1, jobs)) as pool,
    ):
        return list(pool.map(lambda r: run_reading(r, Path(work), timeout), readings))


@dataclass
class Matrix:
    runs: list[FaultRun]
    seconds: float
    untested_scenarios: list[str] = field(default_factory=list)
    readings: list[ReadingRun] = field(default_factory=list)

    @property
    def conformant(self) -> FaultRun:
        return next(r for r in self.runs if r.fault == CONFORMANT)

    @property
    def fault_runs(self) -> list[FaultRun]:
        return [r for r in self.runs if r.fault != CONFORMANT]

    @property
    def survivors(self) -> list[FaultRun]:
        return [r for r in self.fault_runs if not r.caught_by]

    @property
    def unexpected(self) -> list[tuple[str, ScenarioResult]]:
        return [(r.fault, s) for r in self.fault_runs for s in r.unexpected]

    @property
    def conformant_findings(self) -> list[ScenarioResult]:
        return self.conformant.with_outcome("failed", "warning", "error")

    @property
    def kill_rate(self) -> float:
        runs = self.fault_runs
        return (len(runs) - len(self.survivors)) / len(runs) if runs else 1.0

    @property
    def reading_problems(self) -> list[str]:
        return [p for r in self.readings for p in r.problems]

    @property
    def passed(self) -> bool:
        return not (
            self.survivors
            or self.unexpected
            or self.conformant_findings
            or self.untested_scenarios
            or self.reading_problems
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "seconds": round(self.seconds, 1),
            "faults": len(self.fault_runs),
            "kill_rate": round(self.kill_rate, 4),
            "survivors": [r.fault for r in self.survivors],
            "unexpected_failures": [
                {"fault": fault, "scenario": s.id, "outcome": s.outcome, "message": s.message}
                for fault, s in self.unexpected
            ],
            "conformant_findings": [asdict(s) for s in self.conformant_findings],
            "untested_scenarios": self.untested_scenarios,
            "runs": [
                {
                    "fault": r.fault,
                    "requirements": list(r.requirements),
                    "levels": sorted({catalogue()[q].level for q in r.requirements}),
                    "exit_code": r.exit_code,
                    "seconds": round(r.seconds, 1),
                    "caught_by": [s.id for s in r.caught_by],
                    "also_fails": list(r.also_fails),
                    "collateral": [s.id for s in r.collateral],
                    "unexpected": [s.id for s in r.unexpected],
                    "problem": r.problem,
                }
                for r in self.runs
            ],
            "readings": [readings_entry(r) for r in self.readings],
        }


def readings_entry(run: ReadingRun) -> dict[str, Any]:
    """One reading's run for the JSON report."""
    return {
        "reading": run.reading,
        "warning_level": bool(run.warns),
        "may_warn": list(run.warns),
        "spec": run.spec,
        "exit_code": run.run.exit_code,
        "seconds": round(run.run.seconds, 1),
        "outcomes": run.counts(),
        "failures": [asdict(s) for s in run.failures],
        "warnings": [asdict(s) for s in run.with_outcome("warning")],
        "problems": run.problems,
    }


def _only_may(requirements: Iterable[str]) -> bool:
    """A scenario checking only MAY requirements reports what it finds; no fault can fail it."""
    levels = {catalogue()[r].level for r in requirements if r in catalogue()}
    return levels == {"MAY"}


def run_matrix(
    faults: Iterable[Fault], jobs: int, timeout: float = 3.0, readings: Iterable[Reading] = ()
) -> Matrix:
    """The conformant provider, each fault and each reading, `jobs` runs at a time."""
    names: list[Fault | None] = [None, *faults]
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="gpc-assure-matrix-") as work,
        ThreadPoolExecutor(max(1, jobs)) as pool,
    ):
        runs = list(pool.map(lambda f: run_one(f, Path(work), timeout), names))
        reading_runs = list(pool.map(lambda r: run_reading(r, Path(work), timeout), readings))
    matrix = Matrix(runs, time.perf_counter() - started, readings=reading_runs)
    everything = {
        s.id
        for s in matrix.conformant.scenarios
        if s.outcome != "skipped" and not _only_may(s.requirements)
    }
    caught = {s.id for r in matrix.fault_runs for s in r.caught_by}
    matrix.untested_scenarios = sorted(everything - caught)
    return matrix


def markdown(matrix: Matrix) -> str:
    """The matrix for a reader: fault, what it breaks, the scenarios that caught it."""
    lines = [
        "# Self-assurance",
        "",
        f"Faults: {len(matrix.fault_runs)}; kill rate {matrix.kill_rate:.1%}; "
        f"unexpected failures: {len(matrix.unexpected)}; "
        f"conformant provider findings: {len(matrix.conformant_findings)}; "
        f"untested scenarios: {len(matrix.untested_scenarios)}; {matrix.seconds:.0f} s.",
        "",
        "| fault | breaks | caught by | also failing (declared) | unexpected |",
        "| --- | --- | --- | --- | --- |",
    ]
    for run in matrix.fault_runs:
        caught = "<br>".join(s.id.split("::")[-1] for s in run.caught_by) or "**SURVIVED**"
        unexpected = "<br>".join(s.id.split("::")[-1] for s in run.unexpected) or "none"
        lines.append(
            f"| {run.fault} | {', '.join(run.requirements)} | {caught} "
            f"| {len(run.collateral) - len(run.unexpected)} | {unexpected} |"
        )
    for title, items in (
        ("Conformant provider findings", [s.id for s in matrix.conformant_findings]),
        ("Untested scenarios", matrix.untested_scenarios),
    ):
        lines += ["", f"## {title}", ""] + ([f"- {i}" for i in items] or ["none"])
    if matrix.readings:
        lines += ["", *readings_markdown(matrix.readings)]
    return "\n".join(lines) + "\n"


def readings_markdown(runs: Iterable[ReadingRun]) -> list[str]:
    """The readings section: outcome counts per reading, then every problem."""
    runs = list(runs)
    lines = [
        "## Readings",
        "",
        "Each reading is another conformant answer; none may fail a scenario, and only a "
        "warning-level reading may warn, on the requirements it names.",
        "",
        "| reading | spec | passed | warning | failed | error | skipped | may warn on |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        n = run.counts()
        lines.append(
            f"| {run.reading} | {run.spec} | {n['passed']} | {n['warning']} | {n['failed']} "
            f"| {n['error']} | {n['skipped']} | {', '.join(run.warns) or 'nothing'} |"
        )
    problems = [p for run in runs for p in run.problems]
    lines += ["", "### Reading problems", ""] + ([f"- {p}" for p in problems] or ["none"])
    return lines


def write_reports(matrix: Matrix, report_dir: Path) -> tuple[Path, Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path = report_dir / "self-assurance.json"
    md_path = report_dir / "self-assurance.md"
    json_path.write_text(json.dumps(matrix.as_dict(), indent=2), encoding="utf-8")
    md_path.write_text(markdown(matrix), encoding="utf-8")
    return json_path, md_path


def write_readings_reports(runs: list[ReadingRun], report_dir: Path) -> tuple[Path, Path]:
    """The readings alone, as readings.json and readings.md."""
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path = report_dir / "readings.json"
    md_path = report_dir / "readings.md"
    entries = [readings_entry(run) for run in runs]
    json_path.write_text(json.dumps({"readings": entries}, indent=2), encoding="utf-8")
    md_path.write_text("\n".join(["# Readings", *readings_markdown(runs)[1:]]) + "\n", "utf-8")
    return json_path, md_path
