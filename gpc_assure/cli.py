"""The `gpc-assure` command: run the suite against a provider, or run the reference provider."""

import argparse
import os
import sys
from pathlib import Path

from gpc_assure import __version__
from gpc_assure.config.pem_env import PemFiles
from gpc_assure.config.provider_config import (
    ConfigError,
    add_config_arguments,
    load_config,
    overrides_from_args,
)
from gpc_assure.report.assurance import HTML_FILE
from gpc_assure.report.records import totals
from gpc_assure.report.terminal_text import printable
from gpc_assure.run.session import (
    EmbeddedNotStarted,
    Ended,
    RunOptions,
    RunSession,
    SessionError,
    Written,
    default_report_dir,
)
from gpc_assure.spec.paths import FIXTURES_DIR
from gpc_assure.transport.preflight import Stop, first_hop

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
FAIL_ON = ("failure", "incomplete", "warning")
EXAMPLE_CONFIG = FIXTURES_DIR / "providers" / "example.toml"


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
        "--requirement",
        action="append",
        default=[],
        metavar="ID",
        help="run only the scenarios checking this requirement, e.g. GPC-DOC-TLS-004 "
        "(repeatable; -k also matches requirement ids and family names)",
    )
    run.add_argument(
        "--family",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this scenario family, e.g. transport_security (repeatable; see "
        "features/*.feature)",
    )
    talk = run.add_mutually_exclusive_group()
    talk.add_argument(
        "-q", "--quiet", action="store_true", help="print only the verdict line (and errors)"
    )
    talk.add_argument(
        "-v", "--verbose", action="store_true", help="print a line for every scenario"
    )
    run.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="failure",
        help="what makes the exit code 1: failure (a MUST failed or a scenario could not run; "
        "the default), incomplete (also: a MUST not evaluated, so the verdict is not "
        "Conformant), warning (also: any SHOULD warning)",
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
        help="mask the value of this request header or JWT claim path, or (nhs_numbers) the "
        "test patients' NHS numbers, in every output (repeatable; e.g. Ssp-From, Ssp-To, "
        "requesting_organization.identifier.value, nhs_numbers)",
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
    from gpc_assure.run.self_assurance import run_matrix, write_reports

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


def _init_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    init = sub.add_parser(
        "init",
        help="write a commented provider configuration to start from",
        description="Write the example provider configuration, every field commented, to FILE "
        "(default gpc-assure.toml); an existing file is left alone (exit 2) unless --force.",
    )
    init.add_argument("file", nargs="?", type=Path, default=Path("gpc-assure.toml"), metavar="FILE")
    init.add_argument("--force", action="store_true", help="replace an existing FILE")


def init_command(args: argparse.Namespace) -> int:
    target: Path = args.file
    if target.is_symlink() or (target.exists() and not (args.force and target.is_file())):
        why = "exists (add --force to replace it)" if target.is_file() else "is not a plain file"
        print(f"gpc-assure: {target}: {why}", file=sys.stderr)
        return EXIT_USAGE
    try:
        target.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    except OSError as exc:
        print(f"gpc-assure: {target}: cannot be written ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_USAGE
    print(f"gpc-assure: wrote {target}; edit it, then: gpc-assure run --config {target}")
    return EXIT_PASSED


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
    from gpc_assure.report.integrity import IntegrityError, check

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
    from gpc_assure.report.diff import ReportDiffError, diff_reports, format_diff, load_report

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
    _init_parser(sub)
    _report_tool_parsers(sub)
    sub.add_parser(
        "provider",
        help="run the embedded reference provider on 127.0.0.1 (see `provider --help`)",
        add_help=False,
    )
    return parser


def _options(args: argparse.Namespace) -> RunOptions:
    return RunOptions(
        report_dir=args.report_dir or default_report_dir(),
        force=args.force,
        redact=tuple(args.redact),
        sign_key=args.sign_key,
        jobs=args.jobs,
        requirements=tuple(args.requirement),
        families=tuple(args.family),
        verbosity=-1 if args.quiet else 1 if args.verbose else 0,
    )


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
        pem_files, env = PemFiles.from_env(os.environ)
    except ConfigError as exc:
        print(f"gpc-assure: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = load_config(args.config, env, overrides)
    except ConfigError as exc:
        pem_files.remove()
        print(f"gpc-assure: {exc}", file=sys.stderr)
        return EXIT_USAGE
    session = RunSession(config, _options(args), pem_files)
    try:
        if session.embedded and not args.quiet:
            print(
                "gpc-assure: no provider configured; embedded reference provider at "
                f"{session.resolved().base_url}"
            )
        return _run_session(args, session)
    except EmbeddedNotStarted as exc:
        print(f"gpc-assure: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except SessionError as exc:
        print(f"gpc-assure: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        session.close()


def _stop_before_scenarios(session: RunSession, stop: Stop, keyword: str) -> None:
    """Write the report folder saying why the provider was not judged, and say it once."""
    session.write_reports(error=stop.error, keyword=keyword)
    session.seal()
    where = session.report_dir.resolve()
    if stop.kind == "unreachable":
        print(
            f"gpc-assure: cannot reach the provider at {first_hop(session.resolved())}: "
            f"{printable(stop.reason)}",
            file=sys.stderr,
        )
        print(f"gpc-assure: report: {where}", file=sys.stderr)
    elif stop.kind == "discovery":
        print(f"gpc-assure: {printable(stop.error)} (report: {where})", file=sys.stderr)
    else:
        print(
            f"gpc-assure: tester set-up, the provider was not judged: {printable(stop.reason)} "
            f"(report: {where})",
            file=sys.stderr,
        )


def _run_session(args: argparse.Namespace, session: RunSession) -> int:
    """Check the set-up, claim the folder, preflight, run the scenarios in-process, seal."""
    session.check_set_up()
    session.claim_folder()
    stop = session.preflight()
    if stop is not None:
        _stop_before_scenarios(session, stop, args.keyword or "")
        return EXIT_UNREACHABLE
    if not session.resolved().transport_assured and not args.quiet:
        print("gpc-assure: WARNING: plain HTTP; transport security is NOT assured by this run")
    ended = session.run_scenarios(keyword=args.keyword)
    if ended is Ended.USAGE_ERROR:
        return EXIT_USAGE
    if ended is Ended.NOTHING_MATCHED or session.written is None:
        print("gpc-assure: no scenario matched; nothing was checked", file=sys.stderr)
        return EXIT_USAGE
    session.seal()
    _print_closing_lines(session, session.written)
    if ended is Ended.INTERRUPTED:
        print("gpc-assure: the run did not complete", file=sys.stderr)
        return EXIT_FAILED
    if ended is Ended.SOME_FAILED or session.written.verdict.fails(args.fail_on):
        return EXIT_FAILED
    return EXIT_PASSED


def _dispatch(argv: list[str]) -> int:
    if argv[:1] == ["provider"]:
        from gpc_assure.provider.cli import main as provider_main

        return provider_main(argv[1:])
    args = build_parser().parse_args(argv)
    commands = {
        "self-assure": self_assure,
        "init": init_command,
        "verify": verify_command,
        "diff": diff_command,
    }
    return commands.get(args.command, run)(args)


def _print_closing_lines(session: RunSession, written: Written) -> None:
    """Totals per outcome, then the last line: the verdict, its counts and the report."""
    if session.options.verbosity >= 0:
        counts = totals(written.records)
        shown = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n) or "none run"
        print(f"gpc-assure: scenarios: {shown}")
    verdict = written.verdict
    if session.options.verbosity >= 0:
        for label, ids in (("MUST failed", verdict.failed), ("SHOULD warnings", verdict.warned)):
            if ids:
                print(f"gpc-assure: {label}: {', '.join(ids)}")
    html = (session.report_dir / HTML_FILE).resolve()
    where = html.as_uri() if sys.stdout.isatty() else str(html)
    print(
        f"gpc-assure: {verdict.title}: {verdict.must_passed} MUST met, "
        f"{verdict.must_failed} failed, {verdict.should_warnings} SHOULD warning(s), "
        f"{verdict.not_tested} not tested; report: {where}"
    )


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
