"""The pytest plugin that turns the feature files into a conformance run against one provider.

It takes the run session `gpc-assure run` hands it (or builds one from its own options under
plain pytest), hands steps a transport and a judge, maps `@req:` tags to markers, and appends
one record per scenario to the session's record stream, from which every result file is
written. It stays passive in sessions that collect no scenarios.
"""

import json
import os
import re
import time
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.parser import Scenario, ScenarioTemplate
from pytest_bdd.reporting import scenario_reports_registry
from pytest_bdd.scenario import scenario_wrapper_template_registry
from pytest_bdd.steps import step_function_context_registry

from gpc_assure.checks.verdict import Judge, NoResponseError, RequirementFailure
from gpc_assure.config.pem_env import PemFiles
from gpc_assure.config.provider_config import (
    ConfigError,
    DocumentExpectation,
    ProviderConfig,
    load_config,
)
from gpc_assure.discovery.chain import FoundDocument
from gpc_assure.report.folder import write_new_text
from gpc_assure.report.records import moment, totals
from gpc_assure.report.redaction import Redactor
from gpc_assure.report.terminal_text import printable
from gpc_assure.request.retrieve import RetrieveRequest
from gpc_assure.run import step_lookup
from gpc_assure.run.console import ConsoleReporter, family_table
from gpc_assure.run.found import Found, found_values, nothing_found_reason
from gpc_assure.run.outcomes import outcome_of
from gpc_assure.run.parallel import ForkedRunner
from gpc_assure.run.selection import Selection
from gpc_assure.run.session import RunOptions, RunSession, SessionError, default_report_dir
from gpc_assure.spec.catalogue import catalogue
from gpc_assure.spec.paths import FEATURES_DIR, STEPS_DIR, SUITE_ROOT
from gpc_assure.transport.client import Transport
from gpc_assure.transport.exchange import Exchange, bounded_text
from gpc_assure.transport.tls_probe import ProbeResult

REQ_TAG = re.compile(r"^req:(?P<id>[A-Z0-9-]+)$")
EACH_DOCUMENT_TAG = "each-document"

_SESSION = pytest.StashKey[RunSession]()
_OWNED = pytest.StashKey[bool]()
_JUDGE = pytest.StashKey[Judge]()
_EXCHANGES = pytest.StashKey[list[Exchange]]()
_PROBES = pytest.StashKey[list[dict[str, object]]]()
_STEP = pytest.StashKey[int]()
_STEP_RUNS = pytest.StashKey[dict[int, "StepRun"]]()
OTHER_ALLURE_PLUGINS = ("allure_pytest", "allure_pytest_bdd")
"""Allure's own pytest plugins, which register `--alluredir` themselves."""


@dataclass(frozen=True)
class StepRun:
    """When a Gherkin step started, and the values its text gave its step definition."""

    started: float  # seconds since the epoch
    arguments: dict[str, str]


def _handed_session(config: pytest.Config) -> RunSession | None:
    """The session `gpc-assure run` passed in with `pytest.main(..., plugins=[session])`."""
    return next((p for p in config.pluginmanager.get_plugins() if isinstance(p, RunSession)), None)


def _own_session(config: pytest.Config) -> RunSession:
    """A session built from this plugin's options, for a plain `pytest` run of the scenarios."""
    provider_file = config.getoption("provider_config")
    pem_files = PemFiles()
    try:
        pem_files, env = PemFiles.from_env(os.environ)
        provider = load_config(Path(provider_file) if provider_file else None, env, {})
    except ConfigError as exc:
        pem_files.remove()
        raise pytest.UsageError(str(exc)) from None
    sign_key = config.getoption("gpc_sign_key")
    allure_dir = config.getoption("gpc_allure_dir", None)
    options = RunOptions(
        report_dir=Path(config.getoption("report_dir") or default_report_dir()),
        force=bool(config.getoption("gpc_force")),
        force_option="--gpc-force",
        redact=tuple(config.getoption("gpc_redact") or ()),
        sign_key=Path(sign_key) if sign_key else None,
        jobs=int(config.getoption("gpc_jobs")),
        requirements=tuple(config.getoption("gpc_requirement") or ()),
        families=tuple(config.getoption("gpc_family") or ()),
        allure_dir=Path(allure_dir) if allure_dir else None,
    )
    return RunSession(provider, options, pem_files)


def session_of(config: pytest.Config) -> RunSession:
    """The run session, built on first use under plain pytest."""
    if _SESSION not in config.stash:
        handed = _handed_session(config)
        config.stash[_OWNED] = handed is None
        config.stash[_SESSION] = handed if handed is not None else _own_session(config)
    return config.stash[_SESSION]


def _usage(exc: SessionError) -> pytest.UsageError:
    return pytest.UsageError(f"gpc-assure: {exc}")


def redactor(pytest_config: pytest.Config) -> Redactor:
    """What `--redact` masks, worked out once from the configuration."""
    try:
        return session_of(pytest_config).redactor()
    except SessionError as exc:
        raise _usage(exc) from None


def _targets_scenarios(config: pytest.Config) -> bool:
    """Whether this plain pytest session was asked to run the conformance scenarios."""
    if config.getoption("provider_config"):
        return True
    roots = (STEPS_DIR.resolve(), FEATURES_DIR.resolve())
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if any(path == root or root in path.parents or path in root.parents for root in roots):
            return True
    return False


def _bounded(finding: dict[str, str]) -> dict[str, str]:
    return {key: bounded_text(value) for key, value in finding.items()}


def _scenario_redactor(item: pytest.Item) -> Redactor:
    """The run's redactor, also masking the tokens this scenario sent (when claims are named)."""
    sent = [e.request.header("Authorization") for e in item.stash.get(_EXCHANGES, [])]
    return redactor(item.config).with_tokens_of(a for a in sent if a is not None)


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    group = parser.getgroup("gpc-assure", "GP Connect Access Document conformance")
    if not any(pluginmanager.hasplugin(name) for name in OTHER_ALLURE_PLUGINS):
        group.addoption(
            "--alluredir",
            dest="gpc_allure_dir",
            metavar="DIR",
            help="write the Allure results here instead of <report-dir>/allure-results",
        )
    group.addoption(
        "--provider-config",
        metavar="FILE",
        help="provider configuration (TOML); GPC_ASSURE_* environment variables override it",
    )
    group.addoption(
        "--gpc-jobs",
        type=int,
        default=1,
        metavar="N",
        help="run scenarios in N forked processes (results as a serial run)",
    )
    group.addoption(
        "--gpc-console",
        action="store_true",
        help="show gpc-assure's progress line and family table (use with -p no:terminal)",
    )
    group.addoption(
        "--gpc-redact",
        action="append",
        default=[],
        metavar="NAME",
        help="mask this request header's or JWT claim's value in everything written (repeatable)",
    )
    group.addoption(
        "--report-dir",
        metavar="DIR",
        help="where summary.json and evidence go (default reports/<run-id>); it must be new "
        "or empty",
    )
    group.addoption(
        "--gpc-force",
        action="store_true",
        help="reuse a report folder that holds an earlier run's report (removed first)",
    )
    group.addoption(
        "--gpc-requirement",
        action="append",
        default=[],
        metavar="ID",
        help="run only the scenarios checking this requirement (repeatable)",
    )
    group.addoption(
        "--gpc-family",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this scenario family, a feature file name such as transport_security "
        "(repeatable)",
    )
    group.addoption(
        "--gpc-sign-key",
        metavar="FILE",
        help="sign the manifest with this PEM private key (as `gpc-assure run --sign-key`)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Before JUnit configures itself: the session and its claimed report folder (when this
    run is the scenarios')."""
    config.addinivalue_line("markers", "req(id): the catalogue requirement a scenario checks")
    config.addinivalue_line(
        "markers", "each_document: run the scenario once per configured document"
    )
    config.addinivalue_line("markers", "tag(name): any other Gherkin tag")
    config.addinivalue_line(
        "markers", "each_found(kind): run the scenario once per NHS number or found document"
    )
    if hasattr(config, "workerinput"):
        return
    handed = _handed_session(config) is not None
    if not handed and not _targets_scenarios(config):
        return  # some other pytest session that happens to load this plugin
    step_lookup.install()
    session = session_of(config)
    try:
        if not handed:
            session.check_set_up()
            session.claim_folder()
    except SessionError as exc:
        raise _usage(exc) from None
    jobs = session.options.jobs
    if jobs > 1 and hasattr(os, "fork"):
        config.pluginmanager.register(ForkedRunner(jobs), "gpc-assure-forked-runs")
    console = (
        ConsoleReporter(config, verbosity=session.options.verbosity)
        if config.getoption("gpc_console")
        else None
    )
    if console is not None:
        config.pluginmanager.register(console, "gpc-assure-console")
    config.pluginmanager.register(RunRecorder(config, console), "gpc-assure-recorder")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Under plain pytest the plugin owns the session: it seals the folder and stops it."""
    session = config.stash.get(_SESSION, None)
    if session is None or not config.stash.get(_OWNED, False):
        return
    try:
        recorder = config.pluginmanager.get_plugin("gpc-assure-recorder")
        if recorder is not None and recorder.finished:
            session.seal()
    finally:
        session.close()


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Callable[..., object]) -> object:
    """Map Gherkin tags to registered markers, so `--strict-markers` can stay on."""
    if match := REQ_TAG.match(tag):
        pytest.mark.req(match["id"])(function)
    elif tag == EACH_DOCUMENT_TAG:
        pytest.mark.usefixtures("configured_document")(function)
        pytest.mark.each_document(function)
    elif tag in set(Found):
        pytest.mark.usefixtures(Found(tag).fixture)(function)
        pytest.mark.each_found(tag)(function)
    else:
        pytest.mark.tag(tag)(function)
    return True


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    found = metafunc.definition.get_closest_marker("each_found")
    if found is not None:
        kind = Found(found.args[0])
        values = found_values(session_of(metafunc.config), kind)
        metafunc.parametrize(
            kind.fixture,
            [v for _, v in values] or [None],
            ids=[i for i, _ in values] or ["none"],
            indirect=True,
        )
    if metafunc.definition.get_closest_marker("each_document") is None:
        return
    documents = session_of(metafunc.config).documents()
    metafunc.parametrize(
        "configured_document", documents, ids=[d.id for d in documents], indirect=True
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Label each scenario for the result files and for `-k` (its requirement ids and family),
    skip those outside the chosen spec, and keep only the chosen requirements and families."""
    for item in items:
        template = _template(item)
        if template is None:
            continue
        item.extra_keyword_matches.add(family_of(template))
        spec = session_of(config).configured.spec
        item.user_properties.append(("spec_version", spec))
        item.user_properties.append(("feature", template.feature.name))
        item.user_properties.append(("feature_file", _feature_file(template)))
        item.user_properties.append(("line", template.line_number))
        item.user_properties.append(("scenario", _rendered(item, template).name))
        item.user_properties.append(("parameters", json.dumps(_parameters(item))))
        tags = sorted(template.tags | template.feature.tags)
        item.user_properties.append(("tags", json.dumps(tags)))
        requirements = sorted({mark.args[0] for mark in item.iter_markers("req")})
        for requirement in requirements:
            item.user_properties.append(("requirement", requirement))
        item.extra_keyword_matches.update(requirements)
        if reason := not_applicable_reason(requirements, spec):
            item.add_marker(pytest.mark.skip(reason=reason))
    if any(_template(item) is not None for item in items):
        _keep_chosen(config, items)


def _feature_file(template: ScenarioTemplate) -> str:
    """The feature file as the suite names it: relative to the suite's root."""
    path = Path(template.feature.filename).resolve()
    root = SUITE_ROOT.resolve()
    return path.relative_to(root).as_posix() if root in path.parents else path.name


def family_of(template: ScenarioTemplate) -> str:
    """A scenario's family: the name of its feature file (e.g. transport_security)."""
    return Path(template.feature.filename).stem


def _keep_chosen(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the scenarios outside `--requirement` and `--family` (when either is given)."""
    options = session_of(config).options
    try:
        selection = Selection.of(options.requirements, options.families)
    except ValueError as exc:
        raise pytest.UsageError(f"gpc-assure: {exc}") from None
    if selection.everything:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        template = _template(item)
        chosen = template is not None and selection.chooses(
            family_of(template), {mark.args[0] for mark in item.iter_markers("req")}
        )
        (kept if chosen else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def provider_config(pytestconfig: pytest.Config) -> ProviderConfig:
    """The configuration of the provider under test, pointing at a live endpoint."""
    return session_of(pytestconfig).resolved()


@pytest.fixture(scope="session")
def transport(pytestconfig: pytest.Config) -> Transport:
    try:
        return session_of(pytestconfig).transport()
    except SessionError as exc:
        raise _usage(exc) from None


@pytest.fixture
def configured_document(request: pytest.FixtureRequest) -> DocumentExpectation:
    """One document from the configuration (the scenario is parametrised over all of them)."""
    document: DocumentExpectation = request.param
    return document


def _found(request: pytest.FixtureRequest, kind: Found) -> Any:
    """The value a chain scenario runs for; with none found, the scenario is skipped."""
    if request.param is None:
        pytest.skip(nothing_found_reason(session_of(request.config), kind))
    return request.param


@pytest.fixture
def nhs_number(request: pytest.FixtureRequest) -> str:
    """One configured NHS number (the scenario is parametrised over all of them)."""
    number: str = _found(request, Found.NHS_NUMBER)
    return number


@pytest.fixture
def found_patient(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(NHS number, Patient id) of one Patient found (parametrised over all of them)."""
    patient: tuple[str, str] = _found(request, Found.PATIENT)
    return patient


@pytest.fixture
def found_document(request: pytest.FixtureRequest) -> FoundDocument:
    """One document found from the NHS numbers, of the kind the scenario's tag names."""
    marker = request.node.get_closest_marker("each_found")
    kind = Found(marker.args[0]) if marker is not None else Found.DOCUMENT
    document: FoundDocument = _found(request, kind)
    return document


@pytest.fixture
def judge(request: pytest.FixtureRequest) -> Judge:
    node = request.node
    judge = Judge(current_step=lambda: node.stash.get(_STEP, -1))
    node.stash[_JUDGE] = judge
    return judge


def pytest_bdd_before_step(
    request: pytest.FixtureRequest, scenario: Scenario, step: Any, step_func: Callable[..., object]
) -> None:
    """Remember which step runs, so that each finding names the step that judged it, and when
    it started with which values from its text."""
    index = next((i for i, s in enumerate(scenario.steps) if s is step), -1)
    request.node.stash[_STEP] = index
    runs = request.node.stash.setdefault(_STEP_RUNS, {})
    runs[index] = StepRun(time.time(), _step_arguments(step, step_func))


def _step_arguments(step: Any, step_func: Callable[..., object]) -> dict[str, str]:
    """The values the step's text gives its definition (`{status:d}` in "the response status
    is 404" gives status: 404): the step's own words, never the fixtures it also receives."""
    for context in list(step_function_context_registry.values()):
        if context.step_func is step_func and context.parser.is_matching(step.name):
            parsed = context.parser.parse_arguments(step.name) or {}
            return {str(name): str(value) for name, value in parsed.items()}
    return {}


@pytest.hookimpl(trylast=True)
def pytest_bdd_after_step(request: pytest.FixtureRequest, scenario: Scenario, step: Any) -> None:
    """After the scenario's last step: every Then has been judged, so the verdict is given."""
    if scenario.steps and step is scenario.steps[-1]:
        judge = request.node.stash.get(_JUDGE, None)
        if judge is not None:
            judge.conclude()


@pytest.fixture
def send(
    request: pytest.FixtureRequest, transport: Transport
) -> Callable[[RetrieveRequest], Exchange]:
    """Send a request and keep the exchange as the scenario's evidence."""
    exchanges: list[Exchange] = []
    request.node.stash[_EXCHANGES] = exchanges

    def send_and_record(retrieve_request: RetrieveRequest) -> Exchange:
        exchange = transport.send(retrieve_request)
        exchanges.append(exchange)
        return exchange

    return send_and_record


@pytest.fixture
def record_probe(request: pytest.FixtureRequest) -> Callable[[str, ProbeResult], None]:
    """Keep a TLS connection attempt as the scenario's evidence."""
    probes: list[dict[str, object]] = []
    request.node.stash[_PROBES] = probes

    def record(how: str, result: ProbeResult) -> None:
        probes.append({"attempt": how, **asdict(result)})

    return record


def _evidence_file(report_dir: Path, nodeid: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::")[-1])[:150]
    return report_dir / "evidence" / f"{slug}.json"


def _template(item: pytest.Item) -> ScenarioTemplate | None:
    return scenario_wrapper_template_registry.get(getattr(item, "obj", None))  # type: ignore[arg-type]


def _parameters(item: pytest.Item) -> dict[str, str]:
    """What this run of a scenario was given: its example row and its configured document."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return {}
    example = callspec.params.get("_pytest_bdd_example", {})
    parameters = {str(column): str(value) for column, value in example.items()}
    document = callspec.params.get("configured_document")
    if isinstance(document, DocumentExpectation):
        parameters["document"] = document.id
    found = callspec.params.get("found_document")
    if isinstance(found, FoundDocument):
        parameters["found"] = found.provenance
    for name in ("nhs_number", "found_patient"):
        value = callspec.params.get(name)
        if value is not None:
            parameters[name] = value if isinstance(value, str) else " / ".join(value)
    return parameters


def _rendered(item: pytest.Item, template: ScenarioTemplate) -> Scenario:
    """The scenario as run: an outline's placeholders filled from its example row."""
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example", {}) if callspec is not None else {}
    return template.render(example)


def _step_statuses(
    item: pytest.Item, template: ScenarioTemplate, ran: bool
) -> list[dict[str, Any]]:
    """The scenario's Gherkin steps, each passed, failed, skipped or not run, with its line and
    how long it took; one that ran also with when it started, the values its text gave, and
    which of the scenario's findings it judged (their indices).

    A step failed when it judged a requirement unmet; the scenario stops early only when a
    step could not run at all (an error, or a skip).
    """
    steps = _rendered(item, template).steps
    scenario_report = scenario_reports_registry.get(item) if ran else None
    reports = scenario_report.step_reports if scenario_report is not None else []
    judge = item.stash.get(_JUDGE, None)
    judged_failed = judge.failed_steps() if judge is not None else set()
    concluded = judge is not None and judge.concluded
    findings = judge.findings if judge is not None else []
    runs = item.stash.get(_STEP_RUNS, {}) if ran else {}
    statuses: list[dict[str, Any]] = []
    rest = "skipped" if not ran else None  # the status of every step after the scenario stopped
    for index, step in enumerate(steps):
        if rest is not None or index >= len(reports):
            status = rest or "not-run"
        elif index in judged_failed:
            status = "failed"
        elif reports[index].failed and not (concluded and index == len(steps) - 1):
            status, rest = "failed", "not-run"
        elif reports[index].stopped is None:  # the step skipped the scenario (pytest.skip)
            status, rest = "skipped", "skipped"
        else:
            status = "passed"
        took = reports[index].duration if index < len(reports) else 0.0
        entry: dict[str, Any] = {
            "keyword": step.keyword,
            "text": step.name,
            "status": status,
            "line": step.line_number,
            "duration": round(took, 6),
        }
        if (run := runs.get(index)) is not None:
            entry["started_at"] = moment(run.started)
            if run.arguments:
                entry["arguments"] = run.arguments
        if judged := [n for n, finding in enumerate(findings) if finding.step == index]:
            entry["findings"] = judged
        statuses.append(entry)
    return statuses


def _write_evidence(
    item: pytest.Item, findings: list[dict[str, str]], steps: list[dict[str, Any]], masks: Redactor
) -> Path:
    """The scenario's steps, findings, exchanges and probes as one JSON file (masked); its path."""
    session = session_of(item.config)
    report_dir = session.report_dir
    path = _evidence_file(report_dir, item.nodeid)
    path.parent.mkdir(parents=True, exist_ok=True)
    evidence = {
        "scenario": item.nodeid,
        "spec_version": session.configured.spec,
        "steps": steps,
        "findings": findings,
        "exchanges": [e.to_evidence() for e in item.stash.get(_EXCHANGES, [])],
        "tls_probes": item.stash.get(_PROBES, []),
    }
    text = json.dumps(masks.mask(evidence), separators=(",", ":"))
    write_new_text(path, text, exclusive=False)
    for exchange in item.stash.get(_EXCHANGES, []):
        exchange.release()  # written: what was derived from the bodies need not outlive it
    item.stash[_EXCHANGES] = []
    return path.relative_to(report_dir)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """After a scenario ran (or was skipped before running): a one-line failure message,
    findings, warnings and the evidence file, attached to the scenario's properties."""
    report = yield
    template = _template(item)
    skipped_before = call.when == "setup" and report.skipped
    if template is None or not (call.when == "call" or skipped_before):
        return report
    masks = _scenario_redactor(item)
    failure = call.excinfo.value if call.excinfo is not None else None
    if isinstance(failure, RequirementFailure | NoResponseError):
        # the cause in words, bounded and printable as it is
        report.longrepr = printable(bounded_text(str(failure)))
    if masks.active and report.longrepr is not None:
        shown = report.longrepr
        report.longrepr = masks.mask(shown) if isinstance(shown, tuple) else masks.text(str(shown))
    if isinstance(failure, RequirementFailure):
        item.user_properties.append(("failure_kind", "requirement"))
    judge = item.stash.get(_JUDGE, None)
    findings = [_bounded(masks.mask(f.as_dict())) for f in judge.findings] if judge else []
    item.user_properties.append(("findings", json.dumps(findings)))
    for finding in findings:
        if finding["verdict"] == "warning":
            message = f"{finding['requirement']} (SHOULD): expected {finding['expected']}; "
            item.user_properties.append(("warning", message + f"observed {finding['observed']}"))
    steps = _step_statuses(item, template, ran=not skipped_before)
    item.user_properties.append(("evidence", str(_write_evidence(item, findings, steps, masks))))
    return report


def not_applicable_reason(requirements: list[str], spec: str) -> str | None:
    """Why a scenario does not apply to `spec`: none of its requirements is in that version."""
    known = [catalogue()[r] for r in requirements if r in catalogue()]
    if not known or any(spec in r.versions for r in known):
        return None
    versions = sorted({v for r in known for v in r.versions})
    return f"not in spec {spec}: {', '.join(requirements)} apply to {', '.join(versions)} only"


class RunRecorder:
    """Folds each scenario's phase reports into a record (in the parent under --jobs) and
    appends it to the session's record stream; writes the result files at the end."""

    def __init__(self, config: pytest.Config, console: ConsoleReporter | None = None) -> None:
        self.config = config
        self.console = console
        self.session = session_of(config)
        self.count = 0
        self.finished = False
        self._phases: dict[str, dict[str, pytest.TestReport]] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Under plain pytest, a provider that cannot be judged stops the run here (exit 3)."""
        if not self.config.stash.get(_OWNED, False) or not any(
            _template(item) is not None for item in session.items
        ):
            return
        stop = self.session.preflight()
        if stop is not None:
            self.session.write_reports(error=stop.error, keyword=self.config.option.keyword or "")
            self.finished = True
            pytest.exit(f"gpc-assure: {printable(stop.error)}", returncode=3)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        phases = self._phases.setdefault(report.nodeid, {})
        phases[report.when] = report
        if report.when != "teardown":
            return
        del self._phases[report.nodeid]
        if any(key == "scenario" for key, _ in report.user_properties):
            record = self.session.add(outcome_of(report.nodeid, report.user_properties, phases))
            self.count += 1
            if self.console is not None:
                self.console.scenario_done(record)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.count:
            return
        records = self.session.write_reports(keyword=self.config.option.keyword or "").records
        self.finished = True
        if self.console is not None:
            self.console.finish(records)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        written = self.session.written
        if written is None or not self.config.stash.get(_OWNED, False):
            return  # `gpc-assure run` prints its own closing lines
        records = written.records
        counts = ", ".join(f"{n} {outcome}" for outcome, n in totals(records).items() if n)
        terminalreporter.write_sep("=", "gpc-assure")
        terminalreporter.write_line(f"{len(records)} scenarios: {counts}")
        terminalreporter.write(family_table(records))
        terminalreporter.write_line(f"report: {self.session.report_dir.resolve()}")
