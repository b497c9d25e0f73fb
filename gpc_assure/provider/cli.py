"""`gpc-assure provider`: run the reference provider in the foreground until Ctrl-C/SIGTERM."""

from __future__ import annotations

import argparse
import shlex
import shutil
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from .example_jwt import example_claims, unsecured_jwt
from .faults import FAULTS, fault_named
from .nhs_number import NHS_NUMBER_SYSTEM
from .readings import READINGS, reading_named
from .server import ReferenceProvider
from .settings import (
    SPEC_VERSIONS,
    Interaction,
    ProviderSettings,
    SpecVersion,
    interaction_id_for,
)
from .suite_config import write_suite_config

_Restore = Callable[[], None]


def suite_command(argv0: str | None = None) -> str:
    """`gpc-assure` as the user can type it: its name when that is what PATH finds, else the
    path it was started by (such as `.venv/bin/gpc-assure` in a checkout)."""
    invoked = sys.argv[0] if argv0 is None else argv0
    if Path(invoked).name != "gpc-assure":
        return "gpc-assure"
    on_path = shutil.which("gpc-assure")
    if on_path is not None and Path(on_path).resolve() == Path(invoked).resolve():
        return "gpc-assure"
    return invoked


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gpc-assure provider",
        description=(
            "Run the embedded GP Connect Access Document reference provider: 'Retrieve a "
            "document', and the Find a Patient and document searches leading to it."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--spec", choices=SPEC_VERSIONS, default="1.6", help="spec version")
    parser.add_argument("--asid", default="200000000116", help="provider ASID (Ssp-To)")
    parser.add_argument(
        "--fault", action="append", default=[], metavar="NAME", help="switch a fault on"
    )
    parser.add_argument("--list-faults", action="store_true", help="list the faults and exit")
    parser.add_argument(
        "--reading",
        action="append",
        default=[],
        metavar="NAME",
        help="switch a reading on (another conformant answer where the spec allows two)",
    )
    parser.add_argument("--list-readings", action="store_true", help="list the readings and exit")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--plain-http", action="store_true", help="no TLS (local use only)")
    parser.add_argument("--workdir", type=Path, default=None, metavar="DIR")
    return parser


def _list_faults(out: TextIO) -> None:
    for fault, declared in FAULTS.items():
        requirements = ",".join(declared.requirements) or "-"
        print(f"{fault}\t{requirements}\t{declared.description}", file=out)


def _list_readings(out: TextIO) -> None:
    for reading, declared in READINGS.items():
        level = "warns:" + ",".join(declared.warns) if declared.warns else "conformant"
        columns = (reading, level, declared.description, declared.spec_reference)
        print("\t".join(columns), file=out)


def curl_command(
    provider: ReferenceProvider, path: str, interaction: Interaction = "binary"
) -> str:
    """A ready-to-paste curl of `[base]/<path>` in *interaction* (the JWT inside expires after 5
    minutes)."""
    settings = provider.settings
    args = ["curl", "--silent", "--show-error", "--compressed"]
    if settings.tls:
        pki = provider.pki
        args += ["--cacert", str(pki.ca_cert), "--cert", str(pki.client_cert)]
        args += ["--key", str(pki.client_key)]
    headers = {
        "Accept": "application/fhir+json",
        "Ssp-TraceID": str(uuid.uuid4()),
        "Ssp-From": "200000000115",
        "Ssp-To": settings.provider_asid,
        "Ssp-InteractionID": interaction_id_for(settings.spec, interaction),
        "Authorization": f"Bearer {unsecured_jwt(example_claims(provider.base_url))}",
    }
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    args.append(f"{provider.base_url}/{path}")
    return shlex.join(args)


def _find_a_patient_path(provider: ReferenceProvider) -> str:
    return f"Patient?identifier={NHS_NUMBER_SYSTEM}%7C{provider.patients[0].nhs_number}"


def describe(provider: ReferenceProvider, out: TextIO) -> None:
    """Print what a consumer needs to talk to the running provider."""
    settings = provider.settings
    lines = [
        f"Reference provider listening: {provider.base_url}",
        f"  provider ASID:  {settings.provider_asid}",
        f"  spec:           {settings.spec}",
        "  interaction ids:",
        f"    Binary read:     {settings.interaction_id}",
        f"    Find a Patient:  {interaction_id_for(settings.spec, 'patient-search')}",
        f"    document search: {interaction_id_for(settings.spec, 'document-search')}",
        f"  faults:         {', '.join(sorted(settings.faults)) or 'none (conformant)'}",
        f"  readings:       {', '.join(sorted(settings.readings)) or 'none'}",
        "  documents:",
    ]
    for doc in provider.documents:
        note = " (over the 5MB limit)" if doc.oversize else ""
        lines.append(
            f"    {doc.id}  {doc.content_type}  {doc.size} bytes  sha256 {doc.sha256}{note}"
        )
    lines.append("  test patients (NHS number -> Patient id: documents):")
    for patient in provider.patients:
        listed = ", ".join(patient.document_ids) or "none"
        lines.append(f"    {patient.nhs_number} -> {patient.id}: {listed}")
    if settings.tls:
        pki = provider.pki
        lines += [
            f"  CA certificate:     {pki.ca_cert}",
            f"  client certificate: {pki.client_cert}",
            f"  client key:         {pki.client_key}",
        ]
    suite_config = write_suite_config(provider, nhs_numbers=True)
    lines += [
        "  try (token valid for 5 minutes):",
        "    " + curl_command(provider, "Binary/gpc-doc-small-pdf"),
        "  find the first test patient (token valid for 5 minutes):",
        "    " + curl_command(provider, _find_a_patient_path(provider), "patient-search"),
        "  run the suite against it (the last line, always):",
        "    " + shlex.join([suite_command(), "run", "--config", str(suite_config)]),
    ]
    print("\n".join(lines), file=out, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(None if argv is None else list(argv))
    if args.list_faults:
        _list_faults(sys.stdout)
        return 0
    if args.list_readings:
        _list_readings(sys.stdout)
        return 0
    spec: SpecVersion = args.spec
    try:
        faults = frozenset(fault_named(name) for name in args.fault)
        readings = frozenset(reading_named(name) for name in args.reading)
        settings = ProviderSettings(
            host=args.host,
            port=args.port,
            spec=spec,
            provider_asid=args.asid,
            tls=not args.plain_http,
            faults=faults,
            readings=readings,
            delay_seconds=args.delay,
            workdir=args.workdir,
        )
    except ValueError as exc:
        print(f"gpc-assure provider: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    restore = _on_sigterm(stop)
    try:
        with ReferenceProvider(settings) as provider:
            describe(provider, sys.stdout)
            stop.wait()
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"gpc-assure provider: cannot start: {exc}", file=sys.stderr)
        return 1
    finally:
        restore()
    print("Reference provider stopped.", flush=True)
    return 0


def _on_sigterm(stop: threading.Event) -> _Restore:
    """Make SIGTERM set *stop* (main thread only); returns a function restoring the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


if __name__ == "__main__":
    sys.exit(main())
