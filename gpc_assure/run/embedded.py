"""Starting the embedded reference provider and pointing a configuration at it.

The provider serves from threads, so it runs in a process of its own (this module run with
`python -m`, a fresh interpreter): the suite's process keeps a single thread, which
`--jobs` needs to fork it safely (see forked_runs). The provider writes its PKI to a private
temporary folder, removed when it stops, and reports where it listens as one JSON line on its
standard output; it serves until its standard input closes, which also happens when the suite's
process ends in any way.
"""

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, cast

from gpc_assure.config.provider_config import DocumentExpectation, ProviderConfig
from gpc_assure.provider import Fault, Pki, ProviderSettings, ReferenceProvider, ServedDocument
from gpc_assure.provider.patients import PATIENTS
from gpc_assure.provider.settings import SpecVersion

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0


class EmbeddedProviderError(RuntimeError):
    """The embedded provider's process did not start it; the message says why."""


class EmbeddedProvider:
    """The reference provider, running in a process of its own until stop()."""

    def __init__(self, spec: str, provider_asid: str, faults: frozenset[str]) -> None:
        self.provider_asid = provider_asid
        self._workdir = Path(tempfile.mkdtemp(prefix="gpc-assure-embedded-"))
        request = {
            "spec": spec,
            "provider_asid": provider_asid,
            "faults": sorted(faults),
            "workdir": str(self._workdir),
        }
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, json.dumps(request)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        except OSError:
            shutil.rmtree(self._workdir, ignore_errors=True)
            raise
        try:
            serving = _report(self._process, START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise
        if "error" in serving:
            self.stop()
            raise EmbeddedProviderError(
                f"the embedded reference provider did not start: {serving['error']}"
            )
        self.base_url: str = serving["base_url"]
        self.pki = Pki(**{k: Path(v) for k, v in serving["pki"].items() if v is not None})
        self.documents = tuple(ServedDocument(**d) for d in serving["documents"])

    def stop(self) -> None:
        """Close the provider's standard input (it stops), wait for it, remove its folder."""
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        try:
            self._process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        shutil.rmtree(self._workdir, ignore_errors=True)


def _report(process: "subprocess.Popen[str]", timeout: float) -> dict[str, Any]:
    """The provider process's first line: where it serves, or why it could not."""
    line = ""
    if process.stdout is not None:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if selector.select(timeout):
                line = process.stdout.readline()
    try:
        report: dict[str, Any] = json.loads(line)
    except ValueError:
        ended = process.poll()
        why = f"its process ended (exit {ended})" if ended is not None else "no answer in time"
        return {"error": why}
    return report


EMBEDDED_NHS_NUMBERS = tuple(p.nhs_number for p in PATIENTS if p.document_ids)
"""The embedded provider's test patients that have documents."""


def start_embedded_provider(
    config: ProviderConfig, faults: frozenset[Fault] = frozenset()
) -> tuple[EmbeddedProvider, ProviderConfig]:
    """Start the reference provider for `config`'s spec version; return it and the config
    that targets it (its CA, a client certificate it trusts, and its documents)."""
    provider = EmbeddedProvider(config.spec, config.provider_asid, faults)
    documents = tuple(
        DocumentExpectation(id=d.id, content_type=d.content_type, sha256=d.sha256)
        for d in provider.documents
        if not d.oversize
    )
    by_size = sorted((d for d in provider.documents if not d.oversize), key=lambda d: d.size)
    oversize = next((d.id for d in provider.documents if d.oversize), None)
    resolved = config.with_embedded(
        base_url=provider.base_url,
        ca=provider.pki.ca_cert,
        client_cert=provider.pki.client_cert,
        client_key=provider.pki.client_key,
        provider_asid=provider.provider_asid,
        documents=documents,
        expired_client=(provider.pki.expired_client_cert, provider.pki.expired_client_key),
        other_host_client=(provider.pki.other_host_client_cert, provider.pki.other_host_client_key),
    )
    if not config.documents:  # the embedded documents are in use: name the size-test ones too
        resolved = replace(
            resolved,
            large_document_id=config.large_document_id or by_size[-1].id,
            oversize_document_id=config.oversize_document_id or oversize,
        )
    if not config.nhs_numbers:  # find its test patients' documents as a consumer would
        resolved = replace(resolved, nhs_numbers=EMBEDDED_NHS_NUMBERS)
    return provider, resolved


def _serve(request: dict[str, Any]) -> int:
    """The provider's process: report where it serves, serve until standard input closes, then
    remove the PKI folder. Ctrl-C is for the suite's process to handle (it then closes standard
    input)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    workdir = Path(request["workdir"])
    try:
        settings = ProviderSettings(
            spec=cast(SpecVersion, request["spec"]),
            provider_asid=request["provider_asid"],
            faults=frozenset(request["faults"]),
            workdir=workdir,
        )
        provider = ReferenceProvider(settings).start()
    except (OSError, ValueError) as exc:
        print(json.dumps({"error": f"{exc.__class__.__name__}: {exc}"}), flush=True)
        return 1
    try:
        pki = {k: str(v) if v is not None else None for k, v in asdict(provider.pki).items()}
        documents = [asdict(d) for d in provider.documents]
        serving = {"base_url": provider.base_url, "pki": pki, "documents": documents}
        print(json.dumps(serving), flush=True)
        sys.stdin.read()
    finally:
        provider.stop()
        shutil.rmtree(workdir, ignore_errors=True)  # here too: the suite's process may be gone
    return 0


if __name__ == "__main__":
    code = _serve(json.loads(sys.argv[1]))
    # Nothing is left to finalise: skip the interpreter's teardown (about 0.1 s), which the
    # suite's process would otherwise wait for at the end of every run.
    os._exit(code)
