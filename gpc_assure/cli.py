"""The `gpc-assure` command: run the suite against a provider, or run the reference provider."""

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from gpc_assure import __version__
from gpc_assure.config import (
    ConfigError,
    ProviderConfig,
    add_config_arguments,
    load_config,
    overrides_from_args,
    to_resolved_dict,
)
from gpc_assure.paths import STEPS_DIR, SUITE_ROOT
from gpc_assure.preflight import Stop, check_before_run, first_hop, unloadable_refused_clients
from gpc_assure.redaction import Redactor
from gpc_assure.report_folder import ReportFolderError, claim, write_new_text
from gpc_assure.results import write_summary
from gpc_assure.terminal_text import printable
from gpc_assure.tls import TlsSetupError, client_ssl_context

CONFORMANCE_INI = Path(__file__).with_name("conformance.ini")
EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


def _run_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    run = sub.add_parser(
        "run",
        help="run every scenario against a provider (the embedded one when none is configured)",
        description="Run the conformance scenarios. Exit 0: every MUST passed; 1: a MUST "
        "failed; 2: configuration or usage error; 3: the provider could not be reached, or the "
        "tester's own TLS set-up (CA, client certificate) does not work with it.",
    )
    run.add_argument("--config", type=Path, metavar="FILE", help="provider configuration (TOML)")
    run.add_argument(
        "--report-dir",
        type=Path,
        metavar="DIR",
        help="a new or empty folder (default reports/<run-id>, always new)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="reuse a report folder that holds an earlier run's report: its files are removed "
        "first (any other file, or a symbolic link, is refused)",
    )
    run.add_argument(
        "-k", dest="keyword", metavar="EXPR", help="run only scenarios matching EXPR (pytest -k)"
    )
    run.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="run scenarios in N parallel (forked) processes; results are those of a serial run",
    )
    run.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="per-request time-out: sets the connect and read time-outs not given otherwise",
    )
    run.add_argument(
        "--sign-key",
        type=Path,
        metavar="FILE",
        help="sign SHA256SUMS (a detached JWS in manifest.sig) with this PEM private key "
        "(Ed25519, EC or RSA; may also hold the X.509 certificate and its chain); its password, "
        "if any, from GPC_ASSURE_SIGN_KEY_PASSWORD",
    )
    run.add_argument(
        "--redact",
        action="append",
        default=[],
        metavar="NAME",
        help="mask the value of this request header or JWT claim path in every output "
        "(repeatable; e.g. Ssp-From, Ssp-To, requesting_organization.identifier.value)",
    )
    add_config_arguments(run)


def _self_assure_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser(
        "self-assure",
        help="prove the suite catches every fault of the reference provider",
        description="Run the suite against the conformant reference provider, against it "
        "with each fault switched on, and with each reading (another conformant answer) "
        "switched on. Exit 0 when every fault is caught, the conformant provider passes with "
        "no warning, every scenario is failed by some fault, and no reading fails a scenario "
        "or warns where it does not declare a warning. With --fault or --reading, only the "
        "named faults and readings run.",
    )
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (default 2)")
    parser.add_argument("--fault", action="append", metavar="NAME", help="only these faults")
    parser.add_argument("--reading", action="append", metavar="NAME", help="only these readings")
    parser.add_argument("--report-dir", type=Path, default=Path("reports"), metavar="DIR")


def self_assure(args: argparse.Namespace) -> int:
    from gpc_assure.provider import FAULTS, READINGS, fault_named, reading_named
    from gpc_assure.self_assurance import run_matrix, write_reports

    try:
        faults = [fault_named(name) for name in args.fault or ()]
        readings = [reading_named(name) for name in args.reading or ()]
    except ValueError as exc:
        print(f"gpc-assure: {exc}", file=sys.stderr)
        return EXIT_USAGE
    targeted = bool(faults or readings)
    if not targeted:
        faults, readings = sorted(FAULTS), list(READINGS)
    matrix = run_matrix(faults, jobs=args.jobs, readings=readings)
    if targeted:
        matrix.untested_scenarios = []  # only meaningful over the whole fault set
    _, md_path = write_reports(matrix, args.report_dir)
    print(
        f"gpc-assure: {len(matrix.fault_runs)} faults, kill rate {matrix.kill_rate:.1%}, "
        f"{len(matrix.unexpected)} unexpected failures, "
        f"{len(matrix.conformant_findings)} conformant findings, "
        f"{len(matrix.untested_scenarios)} untested scenarios, "
        f"{len(matrix.readings)} readings with {len(matrix.reading_problems)} problems, "
        f"{matrix.seconds:.0f} s"
    )
    for run in matrix.survivors:
        print(f"gpc-assure: SURVIVED: {run.fault} ({', '.join(run.requirements)})")
    for fault, scenario in matrix.unexpected:
        print(f"gpc-assure: UNEXPECTED: {fault} failed {scenario.id.split('::')[-1]}")
    for problem in matrix.reading_problems:
        print(f"gpc-assure: READING: {printable(problem)}")
    print(f"gpc-assure: report: {md_path.resolve()}")
    return EXIT_PASSED if matrix.passed else EXIT_FAILED


def _report_tool_parsers(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    verify = sub.add_parser(
        "verify",
        help="check a report folder against its manifest (and signature)",
        description="Exit 0 when every file of the report folder is as the run wrote it (and, "
        "with --cert, signed by that certificate's key); the last line says whether the folder "
        "is unsigned, signed but not checked against a trusted certificate, or verified. Exit 1, "
        "naming each changed, missing or added file, a missing signature or another signer, "
        "when not.",
    )
    verify.add_argument("report_dir", type=Path, metavar="DIR")
    verify.add_argument(
        "--cert",
        type=Path,
        metavar="FILE",
        help="the trusted signer's PEM certificate or public key: require a signature by it",
    )
    diff = sub.add_parser(
        "diff",
        help="compare two runs' requirement statuses; exit 1 on a regression",
        description="List requirements that regressed, were fixed or changed level between two "
        "report folders (or assurance-report.json files). Exit 1 when any regressed.",
    )
    diff.add_argument("old", type=Path, metavar="OLD")
    diff.add_argument("new", type=Path, metavar="NEW")


def verify_command(args: argparse.Namespace) -> int:
    from gpc_assure.integrity import IntegrityError, check

    try:
        result = check(args.report_dir, cert=args.cert)
    except IntegrityError as exc:
        print(f"gpc-assure: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for problem in result.problems:
        print(f"gpc-assure: {printable(problem)}")
    if result.problems:
        print(f"gpc-assure: {args.report_dir}: NOT verified ({len(result.problems)} problem(s))")
        return EXIT_FAILED
    print(f"gpc-assure: {args.report_dir}: {result.status}")
    return EXIT_PASSED


def diff_command(args: argparse.Namespace) -> int:
    from gpc_assure.report_diff import ReportDiffError, diff_reports, format_diff, load_report

    try:
        old, new = load_report(args.old), load_report(args.new)
    except ReportDiffError as exc:
        print(f"gpc-assure: {exc}", file=sys.stderr)
        return EXIT_USAGE
    result = diff_reports(old, new)
    print(format_diff(result), end="")
    return EXIT_FAILED if result.has_regression else EXIT_PASSED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gpc-assure",
        description="Conformance suite for GP Connect Access Document: Retrieve a document.",
    )
    parser.add_argument("--version", action="version", version=f"gpc-assure {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _run_parser(sub)
    _self_assure_parser(sub)
    _report_tool_parsers(sub)
    sub.add_parser(
        "provider",
        help="run the embedded reference provider on 127.0.0.1 (see `provider --help`)",
        add_help=False,
    )
    return parser


def _default_report_dir() -> Path:
    return Path("reports") / (datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}")


def _record_stop(report_dir: Path, config: ProviderConfig, error: str) -> None:
    """A summary and an Incomplete assurance report saying why nothing could be checked."""
    from gpc_assure.assurance_report import build_report, write_assurance_report

    now = datetime.now(UTC).isoformat(timespec="seconds")
    write_summary(
        report_dir,
        config,
        embedded=False,
        started_at=now,
        records=[],
        version=__version__,
        error=error,
    )
    report = build_report(
        report_dir=report_dir,
        config=config,
        records=[],
        embedded=False,
        started_at=now,
        finished_at=now,
        error=error,
    )
    write_assurance_report(report_dir, report)


def _pytest_args(
    args: argparse.Namespace, report_dir: Path, resolved: Path, embedded: bool
) -> list[str]:
    pytest_args = [
        str(STEPS_DIR / "test_conformance.py"),
        "--rootdir",
        str(SUITE_ROOT),
        "-p",
        "no:cacheprovider",
        "--resolved-config",
        str(resolved),
        "--report-dir",
        str(report_dir),
        f"--junitxml={report_dir / 'junit.xml'}",
        f"--alluredir={report_dir / 'allure-results'}",
        "-p",
        "no:terminal",
        "--gpc-console",
        "-o",
        "junit_family=xunit1",
        "-o",
        "junit_suite_name=gpc-assure",
    ]
    pytest_args += ["-c", str(CONFORMANCE_INI), "--confcutdir", str(SUITE_ROOT)]
    if args.keyword:
        pytest_args += ["-k", args.keyword]
    if args.jobs > 1:
        pytest_args += ["--gpc-jobs", str(args.jobs)]
    if embedded:
        pytest_args.append("--embedded-provider")
    for name in args.redact:
        pytest_args += ["--gpc-redact", name]
    return pytest_args


def run(args: argparse.Namespace) -> int:
    overrides = overrides_from_args(args)
    if args.timeout is not None:
        for field in ("timeouts.connect", "timeouts.read"):
            if overrides.get(field) is None:
                overrides[field] = args.timeout
    if args.jobs < 1:
        print(
            f"gpc-assure: --jobs: got {args.jobs}; expected a whole number of 1 or more",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        config = load_config(args.config, os.environ, overrides)
    except ConfigError as exc:
        print(f"gpc-assure: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report_dir: Path = args.report_dir or _default_report_dir()
    if args.sign_key is not None and not args.sign_key.is_file():
        print(f"gpc-assure: --sign-key: no such file: {args.sign_key}", file=sys.stderr)
        return EXIT_USAGE
    embedded = None
    try:
        if config.base_url is None:
            from gpc_assure.embedded import start_embedded_provider

            embedded, config = start_embedded_provider(config)
            print(
                f"gpc-assure: no provider configured; embedded reference provider at "
                f"{config.base_url}"
            )
        return _run_against(args, config, report_dir, embedded=embedded is not None)
    finally:
        if embedded is not None:
            embedded.stop()


def _stop_before_scenarios(
    args: argparse.Namespace,
    config: ProviderConfig,
    report_dir: Path,
    stop: Stop,
    masks: Redactor,
) -> None:
    """Write the report folder saying why the provider was not judged, and say it once."""
    _record_stop(report_dir, config, stop.error)
    _finish_report_folder(args, report_dir, masks)
    where = report_dir.resolve()
    if stop.kind == "unreachable":
        print(
            f"gpc-assure: cannot reach the provider at {first_hop(config)}: "
            f"{printable(stop.reason)}",
            file=sys.stderr,
        )
        print(f"gpc-assure: report: {where}", file=sys.stderr)
    else:
        print(
            f"gpc-assure: tester set-up, the provider was not judged: {printable(stop.reason)} "
            f"(report: {where})",
            file=sys.stderr,
        )


def _run_against(
    args: argparse.Namespace, config: ProviderConfig, report_dir: Path, *, embedded: bool
) -> int:
    import pytest

    try:
        if config.transport_assured:
            client_ssl_context(config.tls)  # the configured files load: else a usage error
    except TlsSetupError as exc:
        print(f"gpc-assure: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    unloadable = unloadable_refused_clients(config) if config.transport_assured else None
    if unloadable is not None:
        print(f"gpc-assure: config error: {unloadable}", file=sys.stderr)
        return EXIT_USAGE
    try:
        masks = _redactor(config, args.redact)
    except ValueError as exc:
        print(f"gpc-assure: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        claim(report_dir, force=args.force)
    except ReportFolderError as exc:
        print(f"gpc-assure: --report-dir: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stop = check_before_run(config)
    if stop is not None:
        _stop_before_scenarios(args, config, report_dir, stop, masks)
        return EXIT_UNREACHABLE
    if not config.transport_assured:
        print("gpc-assure: WARNING: plain HTTP; transport security is NOT assured by this run")
    resolved = report_dir / "resolved-config.json"
    write_new_text(resolved, json.dumps(masks.mask(to_resolved_dict(config)), indent=2))
    with tempfile.TemporaryDirectory(prefix="gpc-assure-") as private:
        handed = resolved
        if masks.active:  # the run needs the real values: handed over outside the folder
            handed = Path(private) / "resolved-config.json"
            handed.write_text(json.dumps(to_resolved_dict(config)), encoding="utf-8")
        code = pytest.main(_pytest_args(args, report_dir, handed, embedded))
    problem = _finish_report_folder(args, report_dir, masks)
    _print_totals(report_dir)
    if problem is not None:
        print(f"gpc-assure: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if code == pytest.ExitCode.OK:
        return EXIT_PASSED
    if code == pytest.ExitCode.TESTS_FAILED:
        return EXIT_FAILED
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("gpc-assure: no scenario matched; nothing was checked", file=sys.stderr)
        return EXIT_USAGE
    if code == pytest.ExitCode.USAGE_ERROR:
        return EXIT_USAGE
    print(f"gpc-assure: the run did not complete (pytest exit {int(code)})", file=sys.stderr)
    return EXIT_FAILED


def _redactor(config: ProviderConfig, names: list[str]) -> Redactor:
    from gpc_assure.report_files import secret_values

    return Redactor.of(*secret_values(config, names)) if names else Redactor()


def _dispatch(argv: list[str]) -> int:
    if argv[:1] == ["provider"]:
        from gpc_assure.provider.cli import main as provider_main

        return provider_main(argv[1:])
    args = build_parser().parse_args(argv)
    commands = {"self-assure": self_assure, "verify": verify_command, "diff": diff_command}
    return commands.get(args.command, run)(args)


def _finish_report_folder(
    args: argparse.Namespace, report_dir: Path, masks: Redactor
) -> str | None:
    """Readable JUnit names, a last redaction pass over the files (the folder of a run stopped
    before its scenarios is masked only here), then the manifest (and signature) over it all."""
    from gpc_assure.integrity import IntegrityError, sign_manifest, write_manifest
    from gpc_assure.report_files import readable_junit, redact_folder

    readable_junit(report_dir / "junit.xml")
    if masks.active:
        redact_folder(report_dir, set(masks.values), masks.tokens)
    write_manifest(report_dir)
    if args.sign_key is not None:
        password = os.environ.get("GPC_ASSURE_SIGN_KEY_PASSWORD")
        try:
            sign_manifest(report_dir, args.sign_key, password.encode() if password else None)
        except IntegrityError as exc:
            return str(exc)
    return None


def _print_totals(report_dir: Path) -> None:
    """The run's last line: totals per outcome and where the report is."""
    summary_file = report_dir / "summary.json"
    if summary_file.is_file():
        counts = json.loads(summary_file.read_text(encoding="utf-8"))["totals"]
        totals = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n) or "none run"
        print(f"gpc-assure: scenarios: {totals}")
    print(f"gpc-assure: report: {report_dir.resolve()}")


def main(argv: list[str] | None = None) -> int:
    try:
        return _dispatch(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        print("gpc-assure: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped early, e.g. `| head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
