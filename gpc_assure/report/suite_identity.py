"""Which build of the suite wrote a report: its version, its git commit when run from a
checkout, and a digest of its own files that is the same for a checkout and for the wheel built
from it (so a report from a pip-installed suite still names the exact suite that judged)."""

import hashlib
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from gpc_assure import __version__
from gpc_assure.spec.paths import SUITE_ROOT

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_SUITE_PARTS = ("features", "steps", "schemas", "fixtures/requirements.toml", "conftest.py")
_PACKAGE_SUFFIXES = {".py", ".j2", ".css", ".ini"}


def git_commit() -> str | None:
    """The suite checkout's commit, when it runs from a git checkout."""
    if not (SUITE_ROOT / ".git").exists():
        return None
    try:
        completed = subprocess.run(
            ["git", "-C", str(SUITE_ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() or None


def _suite_files() -> Iterator[tuple[str, Path]]:
    """Each file that makes the suite, under the name it has in a checkout."""
    for path in _PACKAGE_DIR.rglob("*"):
        relative = path.relative_to(_PACKAGE_DIR)
        if relative.parts[0] == "_suite" or "__pycache__" in relative.parts:
            continue
        if path.is_file() and path.suffix in _PACKAGE_SUFFIXES:
            yield f"gpc_assure/{relative.as_posix()}", path
    for part in _SUITE_PARTS:
        root = SUITE_ROOT / part
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                yield path.relative_to(SUITE_ROOT).as_posix(), path


@cache
def build_digest() -> str:
    """SHA-256 over the suite's files (names and contents, in name order)."""
    digest = hashlib.sha256()
    for name, path in sorted(_suite_files()):
        digest.update(f"{name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


@cache
def suite_identity() -> dict[str, str | None]:
    return {
        "name": "gpc-assure",
        "version": __version__,
        "git_commit": git_commit(),
        "build": build_digest(),
    }
