"""One run of the suite against one provider, from its configuration to a sealed report folder.

`gpc-assure run` builds a RunSession and hands it to pytest in-process (`plugins=[session]`); a
plain `pytest steps/test_conformance.py --provider-config FILE` gets one built by the plugin
from its options. Either way the session owns the configuration, the embedded provider, the
report folder, the redaction and the record stream, so both write the same files.
"""

import enum
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gpc_assure import __version__
from gpc_assure.config.pem_env import PemFiles
from gpc_assure.config.provider_config import (
    DocumentExpectation,
    ProviderConfig,
    to_resolved_dict,
)
from gpc_assure.discovery.chain import Discovery, discover
from gpc_assure.discovery.roles import DocumentRoles, assign_roles, with_discovered
from gpc_assure.report.allure import RESULTS_DIR, write_allure
from gpc_assure.report.assurance import build_report, write_assurance_report
from gpc_assure.report.cucumber import write_cucumber
from gpc_assure.report.discovery import write_discovery
from gpc_assure.report.discovery_section import summary_of
from gpc_assure.report.folder import ReportFolderError, claim, write_new_text
from gpc_assure.report.integrity import IntegrityError, sign_manifest, write_manifest
from gpc_assure.report.junit import write_junit
from gpc_assure.report.records import RecordStream, ScenarioRecord, write_summary
from gpc_assure.report.redaction import NHS_NUMBERS as REDACT_NHS_NUMBERS
from gpc_assure.report.redaction import Redactor, secret_values
from gpc_assure.run.selection import Selection
from gpc_assure.spec.paths import STEPS_DIR, SUITE_ROOT
from gpc_assure.spec.versions import spec_version
from gpc_assure.transport.client import Transport
from gpc_assure.transport.preflight import Stop, check_before_run, unloadable_refused_clients
from gpc_assure.transport.tls_context import TlsSetupError, client_ssl_context

SIGN_KEY_PASSWORD_ENV = "GPC_ASSURE_SIGN_KEY_PASSWORD"
CONFORMANCE_INI = Path(__file__).resolve().parents[1] / "conformance.ini"


class Ended(enum.Enum):
    """How the scenarios' run ended."""

    ALL_MET = "every scenario passed, warned or was skipped"
    SOME_FAILED = "a scenario failed or could not run"
    NOTHING_MATCHED = "no scenario matched the selection"
    USAGE_ERROR = "the run could not start as asked"
    INTERRUPTED = "the run did not complete"


class SessionError(Exception):
    """The run cannot start as asked (a usage error, exit 2); the message is one line."""


class EmbeddedNotStarted(SessionError):
    """The embedded reference provider did not start (exit 3: nothing could be judged)."""


def default_report_dir() -> Path:
    return Path("reports") / (datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RunOptions:
    """How to run, as opposed to what to run against (the provider configuration)."""

    report_dir: Path = field(default_factory=default_report_dir)
    force: bool = False
    force_option: str = "--force"
    redact: tuple[str, ...] = ()
    sign_key: Path | None = None
    jobs: int = 1
    requirements: tuple[str, ...] = ()  # run only the scenarios tagged with these ids
    families: tuple[str, ...] = ()  # run only these families (feature file names)
    verbosity: int = 0  # -1: the verdict line only; 1: a line for every scenario
    allure_dir: Path | None = None  # the Allure results' folder (default in the report folder)


@dataclass(frozen=True)
class Verdict:
    """The run's verdict as the assurance report gives it."""

    status: str  # conformant, non-conformant or incomplete
    reason: str
    must_passed: int
    must_failed: int
    should_warnings: int
    not_tested: int
    failed: tuple[str, ...] = ()  # the ids of the MUST requirements that failed
    warned: tuple[str, ...] = ()  # the ids of the SHOULD requirements with a warning

    @classmethod
    def of(cls, report: dict[str, Any]) -> "Verdict":
        """The verdict of an assurance report, with the requirements it rests on."""
        verdict, requirements = report["verdict"], report["requirements"]
        counts = verdict["counts"]
        return cls(
            status=verdict["status"],
            reason=verdict["reason"],
            must_passed=counts["must_passed"],
            must_failed=counts["must_failed"],
            should_warnings=counts["should_warnings"],
            not_tested=counts["not_tested"],
            failed=_ids(requirements, "MUST", "failed"),
            warned=_ids(requirements, "SHOULD", "warning"),
        )

    @property
    def title(self) -> str:
        return self.status.capitalize()

    def fails(self, fail_on: str) -> bool:
        """Whether this verdict fails a run gated `--fail-on fail_on` (failure, incomplete or
        warning; each includes the ones before it)."""
        if self.status == "non-conformant":
            return True
        if fail_on in ("incomplete", "warning") and self.status == "incomplete":
            return True
        return fail_on == "warning" and self.should_warnings > 0


def _ids(requirements: list[dict[str, Any]], level: str, status: str) -> tuple[str, ...]:
    return tuple(r["id"] for r in requirements if r["level"] == level and r["status"] == status)


@dataclass(frozen=True)
class Written:
    """What write_reports wrote: the records (in order) and the verdict."""

    records: list[ScenarioRecord]
    verdict: Verdict


def _junit_facts(report: dict[str, Any]) -> dict[str, str]:
    """The run-wide facts JUnit carries as suite properties."""
    return {
        "verdict": report["verdict"]["status"],
        "spec_version": report["spec_version"],
        "provider": report["provider"].get("base_url") or "embedded reference provider",
        "suite_version": report["suite"]["version"],
        "suite_build": report["suite"]["build"],
    }


class RunSession:
    """The provider under test and the report folder of one run.

    The embedded reference provider (when no provider is configured) and the transport start
    on first use, so a pytest session that collects no scenario costs nothing.
    """

    def __init__(
        self, config: ProviderConfig, options: RunOptions, pem_files: PemFiles | None = None
    ) -> None:
        self.options = options
        self._pem_files = pem_files or PemFiles()
        self.report_dir = options.report_dir
        self.started_at = _now()
        self.records = RecordStream(self.report_dir)
        self._configured = config
        self._resolved: ProviderConfig | None = None
        self._embedded: Any = None
        self._transport: Transport | None = None
        self._redactor: Redactor | None = None
        self._claimed = False
        self._stop: Stop | None = None
        self._checked = False
        self.discovery: Discovery | None = None
        self.roles: DocumentRoles | None = None
        self.written: Written | None = None

    def __repr__(self) -> str:  # never the configuration's values
        return f"RunSession({self.report_dir})"

    @property
    def configured(self) -> ProviderConfig:
        """The configuration as given (no embedded provider started for it)."""
        return self._configured

    @property
    def embedded(self) -> bool:
        return self._configured.base_url is None

    def resolved(self) -> ProviderConfig:
        """The configuration pointing at a live provider (the embedded one started if needed)."""
        if self._resolved is None:
            if self.embedded:
                from gpc_assure.run.embedded import EmbeddedProviderError, start_embedded_provider

                try:
                    self._embedded, self._resolved = start_embedded_provider(self._configured)
                except EmbeddedProviderError as exc:
                    raise EmbeddedNotStarted(str(exc)) from None
            else:
                self._resolved = self._configured
        return self._resolved

    def documents(self) -> tuple[DocumentExpectation, ...]:
        """The documents to retrieve: the configured ones and, once the preflight has found
        them from the NHS numbers, the discovered ones."""
        self.preflight()
        return self.resolved().documents

    def transport(self) -> Transport:
        if self._transport is None:
            try:
                self._transport = Transport(self.resolved())
            except TlsSetupError as exc:
                raise SessionError(f"config error: {exc}") from None
        return self._transport

    def redactor(self) -> Redactor:
        """What `--redact` masks, worked out once from the configuration."""
        if self._redactor is None:
            if not self.options.redact:
                self._redactor = Redactor()
            else:
                try:
                    values, tokens = secret_values(self.resolved(), self.options.redact)
                except ValueError as exc:
                    raise SessionError(str(exc)) from None
                self._redactor = Redactor.of(values, tokens)
        return self._redactor

    def check_set_up(self) -> None:
        """The tester's own set-up loads (TLS files, redaction, signing key): else SessionError."""
        config = self.resolved()
        if config.transport_assured:
            try:
                client_ssl_context(config.tls)
            except TlsSetupError as exc:
                raise SessionError(f"config error: {exc}") from None
            unloadable = unloadable_refused_clients(config)
            if unloadable is not None:
                raise SessionError(f"config error: {unloadable}")
        self.redactor()
        try:
            Selection.of(self.options.requirements, self.options.families)
        except ValueError as exc:
            raise SessionError(str(exc)) from None
        sign_key = self.options.sign_key
        if sign_key is not None and not sign_key.is_file():
            raise SessionError(f"--sign-key: no such file: {sign_key}")

    def claim_folder(self) -> None:
        """Make the report folder the run's own, and record the (masked) configuration in it."""
        if self._claimed:
            return
        try:
            claim(self.report_dir, force=self.options.force, force_option=self.options.force_option)
        except ReportFolderError as exc:
            raise SessionError(f"--report-dir: {exc}") from None
        self._claimed = True
        resolved = self.redactor().mask(to_resolved_dict(self.resolved()))
        write_new_text(self.report_dir / "resolved-config.json", json.dumps(resolved, indent=2))

    def preflight(self) -> Stop | None:
        """Why no scenario can be judged (provider unreachable, tester set-up refused, no
        document found from the NHS numbers), if so; checked once."""
        if not self._checked:
            self._checked = True
            self._stop = check_before_run(self.resolved()) or self._discover()
        return self._stop

    def _discover(self) -> Stop | None:
        """Find the documents of the configured NHS numbers (the consumer's own path) and add
        them to the documents to retrieve; discovery.json says how each was found."""
        config = self.resolved()
        if not config.nhs_numbers:
            return None
        self.discovery = discover(self.transport().send, config, config.nhs_numbers)
        stop = self.discovery.stop_reason
        if stop is not None and config.documents:
            stop = None  # the configured documents can still be judged; the chain fails its own
        if self.discovery.documents:
            self.roles = assign_roles(self.discovery.documents, spec_version(config.spec))
            self._resolved = with_discovered(config, self.roles)
        if REDACT_NHS_NUMBERS in self.options.redact:
            patient_ids = [patient_id for _, patient_id in self.discovery.patients]
            masks = self.redactor()
            self._redactor = Redactor.of([*masks.values, *patient_ids], masks.tokens)
        if self._claimed:
            write_discovery(self.report_dir, self.discovery, self.roles, self.redactor())
        return None if stop is None else Stop("discovery", stop)

    def run_scenarios(self, keyword: str | None = None) -> Ended:
        """Every scenario (or those `keyword` selects, as pytest -k) in this process, with
        gpc-assure's console instead of pytest's."""
        import pytest

        args = [
            str(STEPS_DIR / "test_conformance.py"),
            "--rootdir",
            str(SUITE_ROOT),
            "-c",
            str(CONFORMANCE_INI),
            "--confcutdir",
            str(SUITE_ROOT),
            "-p",
            "no:cacheprovider",
            "-p",
            "no:terminal",
            "--gpc-console",
        ]
        if keyword:
            args += ["-k", keyword]
        code = pytest.main(args, plugins=[self])
        ended: dict[int, Ended] = {
            pytest.ExitCode.OK: Ended.ALL_MET,
            pytest.ExitCode.TESTS_FAILED: Ended.SOME_FAILED,
            pytest.ExitCode.NO_TESTS_COLLECTED: Ended.NOTHING_MATCHED,
            pytest.ExitCode.USAGE_ERROR: Ended.USAGE_ERROR,
        }
        return ended.get(int(code), Ended.INTERRUPTED)

    def add(self, record: ScenarioRecord) -> ScenarioRecord:
        """One finished scenario, redacted and appended to the record stream; as appended."""
        masked: ScenarioRecord = self.redactor().mask(record)
        self.records.append(masked)
        return masked

    def selection(self, keyword: str = "") -> dict[str, Any]:
        """What the run was limited to, as the assurance report records it (empty: everything)."""
        chosen = Selection.of(self.options.requirements, self.options.families)
        return {
            "requirements": sorted(chosen.requirements),
            "families": sorted(chosen.families),
            "keyword": keyword,
        }

    def write_reports(self, error: str | None = None, keyword: str = "") -> Written:
        """Every result file from the record stream (and `error`: why nothing was judged;
        `keyword`: the -k expression the scenarios were chosen by)."""
        records = self.records.sorted()
        provider = self.redactor().mask(self.resolved())
        report = build_report(
            report_dir=self.report_dir,
            config=provider,
            records=records,
            embedded=self.embedded,
            started_at=self.started_at,
            finished_at=_now(),
            error=error,
            selection=self.selection(keyword),
        )
        write_summary(
            self.report_dir,
            provider,
            embedded=self.embedded,
            started_at=self.started_at,
            records=records,
            version=__version__,
            verdict=report["verdict"],
            error=error,
            discovery=summary_of(report["discovery"]) if "discovery" in report else None,
        )
        write_assurance_report(self.report_dir, report)
        write_junit(self.report_dir, records, _junit_facts(report))
        write_allure(self.options.allure_dir or self.report_dir / RESULTS_DIR, report)
        if error is None:
            write_cucumber(self.report_dir, report)
        self.written = Written(records, Verdict.of(report))
        return self.written

    def seal(self) -> None:
        """The manifest over everything written (and its signature): the folder's last files."""
        write_manifest(self.report_dir)
        sign_key = self.options.sign_key
        if sign_key is not None:
            password = os.environ.get(SIGN_KEY_PASSWORD_ENV)
            try:
                sign_manifest(self.report_dir, sign_key, password.encode() if password else None)
            except IntegrityError as exc:
                raise SessionError(str(exc)) from None

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        if self._embedded is not None:
            self._embedded.stop()
            self._embedded = None
        self._pem_files.remove()
