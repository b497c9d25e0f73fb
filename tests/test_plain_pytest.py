"""A pytest from a Python without the suite's packages stops with one line, not a traceback."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs pytest in a Python where pytest_bdd and httpx cannot be imported, as in a system Python.
_WITHOUT_SUITE_PACKAGES = """
import sys
import pytest

class Hidden:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pytest_bdd", "httpx"):
            raise ModuleNotFoundError(name)
        return None

sys.meta_path.insert(0, Hidden())
sys.exit(pytest.main(["-p", "no:cacheprovider", "steps/test_conformance.py"]))
"""


def test_a_pytest_without_the_suite_packages_names_what_to_run_instead() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SUITE_PACKAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 4, output
    assert "Traceback" not in output
    error_lines = [line for line in output.splitlines() if line.startswith("ERROR:")]
    assert len(error_lines) == 1, output
    assert "cannot import" in error_lines[0]
    assert "httpx" in error_lines[0]
    assert "make test" in error_lines[0]
    assert ".venv/bin/pytest" in error_lines[0]
