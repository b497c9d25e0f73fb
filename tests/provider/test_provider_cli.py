"""`gpc-assure provider` command line: fault listing, bad input, and a real foreground run."""

from __future__ import annotations

import shlex
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from gpc_assure.cli import main as suite_main
from gpc_assure.config.provider_config import load_config
from gpc_assure.provider import (
    FAULTS,
    Fault,
    ProviderSettings,
    Reading,
    ReferenceProvider,
    fault_named,
    reading_named,
)
from gpc_assure.provider.cli import main, suite_command
from gpc_assure.provider.suite_config import suite_config_toml, write_suite_config

REPO = Path(__file__).resolve().parents[2]


def test_list_faults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-faults"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [str(fault) for fault in FAULTS]
    assert lines[0].split("\t")[:2] == ["success-status-202", "GPC-DOC-RD-001"]


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        (main, ["--fault", "no-such-fault"]),
        (main, ["--fault", "hang", "--reading", "no-such-reading"]),
        (suite_main, ["self-assure", "--fault", "no-such-fault"]),
        (suite_main, ["self-assure", "--reading", "no-such-reading"]),
    ],
)
def test_an_unknown_switch_name_is_a_one_line_usage_error(
    capsys: pytest.CaptureFixture[str], command: Callable[[list[str]], int], argv: list[str]
) -> None:
    assert command(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert repr(argv[-1]) in captured.err
    assert "--list-" in captured.err


def test_the_chain_switches_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-faults"]) == 0
    faults = {line.split("\t")[0]: line for line in capsys.readouterr().out.splitlines()}
    assert faults["attachment-url-relative"].split("\t")[1] == "GPC-DOC-CHAIN-001"
    assert faults["oversize-offered-with-url-served"].split("\t")[1] == ("GPC-DOC-RD-008")
    assert faults["patient-search-not-searchset"].split("\t")[1] == "GPC-DOC-FIND-001"
    assert main(["--list-readings"]) == 0
    readings = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert readings[-3:] == [
        "oversize-placeholder-with-url",
        "search-bundle-without-fullurl",
        "several-patients-for-nhs-number",
    ]


@pytest.mark.e2e
def test_the_suite_config_names_the_nhs_numbers_only_when_asked(tmp_path: Path) -> None:
    settings = ProviderSettings(workdir=tmp_path)
    with ReferenceProvider(settings) as provider:
        plain = suite_config_toml(provider)
        with_numbers = suite_config_toml(provider, nhs_numbers=True)
        written = write_suite_config(provider, nhs_numbers=True)
    assert "nhs_numbers" not in plain
    assert with_numbers == written.read_text(encoding="utf-8")
    parsed = tomllib.loads(with_numbers)
    assert parsed["nhs_numbers"] == ["9690937278", "9690937286"]  # the patients with documents
    assert {k: v for k, v in parsed.items() if k != "nhs_numbers"} == tomllib.loads(plain)
    assert [d["id"] for d in parsed["documents"]] == [
        "gpc-doc-small-pdf",
        "gpc-doc-letter-docx",
        "gpc-doc-large-pdf",
        "gpc-doc-note-txt",
    ]


def test_switch_names_become_members() -> None:
    assert fault_named("tls-allow-1.0") is Fault.TLS_ALLOW_1_0
    assert reading_named("charset-UTF-8") is Reading.CHARSET_UTF_8
    with pytest.raises(ValueError, match="unknown fault: 'Hang'"):
        fault_named("Hang")


@pytest.mark.e2e
def test_foreground_run_prints_a_working_curl_and_stops_cleanly(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "gpc_assure.provider.cli", "--workdir", str(tmp_path)]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.strip().startswith("curl "):
            break
    try:
        text = "".join(lines)
        assert "https://127.0.0.1:" in text
        assert "200000000116" in text
        assert "urn:nhs:names:services:gpconnect:documents:fhir:rest:read:binary-1" in text
        assert str(tmp_path / "client.key") in text
        for doc_id in (
            "gpc-doc-small-pdf",
            "gpc-doc-large-pdf",
            "gpc-doc-oversize-pdf",
            "gpc-doc-note-txt",
        ):
            assert doc_id in text
        assert "urn:nhs:names:services:gpconnect:documents:fhir:rest:search:patient-1" in text
        for nhs_number, patient_id in (
            ("9690937278", "gpc-patient-1"),
            ("9690937286", "gpc-patient-2"),
            ("9690937294", "gpc-patient-3"),
        ):
            assert f"    {nhs_number} -> {patient_id}: " in text
        if shutil.which("curl"):
            result = subprocess.run(
                shlex.split(lines[-1].strip()), capture_output=True, text=True, timeout=10
            )
            assert '"resourceType":"Binary"' in result.stdout, result.stderr
        assert "find the first test patient" in process.stdout.readline()
        find = process.stdout.readline().strip()
        if shutil.which("curl"):
            result = subprocess.run(shlex.split(find), capture_output=True, text=True, timeout=10)
            assert '"id":"gpc-patient-1"' in result.stdout, result.stderr
        run_line = process.stdout.readline() + process.stdout.readline()
        suite_config = tmp_path / "gpc-assure.toml"
        assert run_line.split()[-4:] == ["gpc-assure", "run", "--config", str(suite_config)]
        config = load_config(suite_config, {}, {})
        assert config.tls.client_key == tmp_path / "client.key"
        assert all(d.sha256 for d in config.documents)
        assert "gpc-doc-note-txt" in {d.id for d in config.documents}
        assert config.nhs_numbers == ("9690937278", "9690937286")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "stopped" in out


def test_the_run_line_names_gpc_assure_as_the_user_can_type_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / ".venv" / "bin" / "gpc-assure"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert suite_command(str(program)) == str(program)
    monkeypatch.setenv("PATH", str(program.parent))
    assert suite_command(str(program)) == "gpc-assure"
    assert suite_command("/usr/lib/python3/gpc_assure/__main__.py") == "gpc-assure"
