"""Loads the conformance plugin and the step definitions for every pytest session here.

A pytest from a Python without gpc-assure installed (the system's, say, rather than the project's
`.venv/bin/pytest`) stops with one line saying which Python it is and what to run instead.
"""

import sys
from importlib.util import find_spec

import pytest

_NEEDED = ("gpc_assure", "pytest_bdd", "httpx", "jinja2")


def _importable(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except (ImportError, ValueError):
        return False


_MISSING = [name for name in _NEEDED if not _importable(name)]

if _MISSING:

    def pytest_configure(config: pytest.Config) -> None:
        raise pytest.UsageError(
            f"this pytest runs on {sys.executable}, which cannot import {', '.join(_MISSING)}: "
            "run `make test` (or `.venv/bin/pytest`, or `. .venv/bin/activate` first), or "
            "install the suite into this Python with `pip install -e '.[dev]'`"
        )

else:
    pytest_plugins = [
        "gpc_assure.run.plugin",
        "steps.request_steps",
        "steps.jwt_steps",
        "steps.response_steps",
        "steps.transport_steps",
        "steps.chain_steps",
    ]
