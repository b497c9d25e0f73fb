"""`--redact` masks values before anything is written: no file of the report folder holds a
redacted value in any encoding (raw, JSON-escaped, HTML-escaped, inside base64 token parts)."""

import base64
import binascii
import re
from pathlib import Path

import pytest

from e2e.harness import run_cli

pytestmark = pytest.mark.e2e

NAME = "Surgery Zoë & Co <North>"
SEEN_AS = ("Surgery Zo", "Co <North", "Co &lt;North", "Co \\u003cNorth", "Zo\\u00eb")
"""Fragments of NAME as a writer might encode it; none may appear anywhere."""
_BASE64_RUN = re.compile(r"[A-Za-z0-9_+/-]{16,}")


def _decoded_runs(text: str) -> list[str]:
    """Every long base64 or base64url run in `text`, decoded (what decodes at all)."""
    decoded = []
    for run in _BASE64_RUN.findall(text):
        padded = run + "=" * (-len(run) % 4)
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                decoded.append(decode(padded).decode("latin-1"))
            except (binascii.Error, ValueError):
                continue
    return decoded


def leaks(folder: Path) -> list[str]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        for shown in [text, *_decoded_runs(text)]:
            hits = [f for f in SEEN_AS if f in shown]
            if hits:
                found.append(f"{path.relative_to(folder)}: {hits[0]!r}")
                break
    return found


def test_a_redacted_claim_appears_in_no_file_in_any_encoding(tmp_path: Path) -> None:
    config = tmp_path / "consumer.toml"
    config.write_text(f'[consumer]\norganisation_name = "{NAME}"\n', encoding="utf-8")
    result = run_cli(
        "run", "--config", str(config), "--redact", "requesting_organization.name", cwd=tmp_path
    )
    assert result.code == 0, result.stderr[-3000:]
    assert (result.report_dir / "evidence").is_dir()
    assert not leaks(result.report_dir), leaks(result.report_dir)[:10]


def test_the_check_finds_an_unredacted_value(tmp_path: Path) -> None:
    """Without --redact the same run shows the name: the check above can fail."""
    config = tmp_path / "consumer.toml"
    config.write_text(f'[consumer]\norganisation_name = "{NAME}"\n', encoding="utf-8")
    result = run_cli("run", "--config", str(config), "-k", "malformed", cwd=tmp_path)
    assert leaks(result.report_dir), result.stderr[-2000:]


def test_a_short_value_to_redact_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "consumer.toml"
    config.write_text('[consumer]\norganisation_name = "Abc"\n', encoding="utf-8")
    result = run_cli(
        "run", "--config", str(config), "--redact", "requesting_organization.name", cwd=tmp_path
    )
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
