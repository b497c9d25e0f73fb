"""`gpc-assure init` writes the commented example configuration, never over a file."""

from pathlib import Path

import pytest

from gpc_assure.cli import main
from gpc_assure.config.provider_config import load_config


def test_init_writes_a_configuration_that_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "provider.toml"
    assert main(["init", str(target)]) == 0
    assert target.read_text().startswith("# Example gpc-assure provider configuration")
    assert load_config(target, {}, {}).base_url
    assert f"gpc-assure run --config {target}" in capsys.readouterr().out


def test_init_leaves_an_existing_file_alone_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "provider.toml"
    target.write_text("mine")
    assert main(["init", str(target)]) == 2
    assert target.read_text() == "mine"
    assert "--force" in capsys.readouterr().err
    assert main(["init", str(target), "--force"]) == 0
    assert target.read_text() != "mine"


def test_init_never_writes_through_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("kept")
    link = tmp_path / "provider.toml"
    link.symlink_to(elsewhere)
    assert main(["init", str(link), "--force"]) == 2
    assert elsewhere.read_text() == "kept"
