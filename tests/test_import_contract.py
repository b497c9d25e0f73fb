"""The layer contract `make lint` checks (pyproject's [tool.importlinter]) holds, and bites."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_of_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "gpc_assure", tmp_path / "gpc_assure")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_keeps_its_contracts() -> None:
    completed = lint_imports(ROOT)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("spec/paths.py", "from gpc_assure.checks import verdict", "Layers follow the data flow"),
        ("discovery/roles.py", "from gpc_assure.checks import verdict", "Layers follow"),
        ("transport/sniff.py", "from gpc_assure.discovery import chain", "Layers follow"),
        ("discovery/bundle.py", "import gpc_assure.provider", "Only the run layer starts"),
        ("transport/sniff.py", "import pytest", "Only the run layer imports pytest"),
        ("provider/fhir.py", "from gpc_assure.spec import paths", "imports nothing from the suite"),
        ("checks/verdict.py", "import gpc_assure.provider", "Only the run layer starts"),
    ],
)
def test_a_forbidden_import_breaks_the_build(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    root = copy_of_package(tmp_path)
    target = root / "gpc_assure" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    completed = lint_imports(root)
    assert completed.returncode != 0
    broken = [row for row in completed.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken), completed.stdout
