"""Every fault or reading name the provider's code tests for is a registered one: a misspelt
switch would silently never bend anything."""

import re
from pathlib import Path

from gpc_assure.provider import FAULTS, READINGS

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "gpc_assure" / "provider"
# "name" in self.faults / faults / readings / ...settings.readings; allowed("name"); and the
# names that tables of switches (dict keys and values) give.
TESTED = re.compile(
    r"\"([a-z0-9.-]+)\" (?:not )?in [a-z_.]*(?:faults|readings)\b|allowed\(\"([a-z0-9.-]+)\"\)"
)
TABLED = re.compile(r"^\s+\"([a-z0-9.-]+)\": \"?[A-Za-z0-9 ,:+-]", re.M)


def names_tested_in_code() -> set[str]:
    names: set[str] = set()
    for path in PROVIDER_DIR.glob("*.py"):
        if path.name in ("faults.py", "readings.py"):
            continue
        for match in TESTED.finditer(path.read_text(encoding="utf-8")):
            names.add(match[1] or match[2])
    return names


def test_every_switch_the_code_tests_is_registered() -> None:
    tested = names_tested_in_code()
    assert len(tested) > 60  # the pattern still finds the switches
    assert sorted(tested - set(FAULTS) - set(READINGS)) == []


def test_every_registered_switch_is_tested_somewhere_in_the_code() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in PROVIDER_DIR.glob("*.py")
        if p.name not in ("faults.py", "readings.py")
    )
    unused = sorted(
        name
        for name in (*FAULTS, *READINGS)
        if f'"{name}"' not in source and not _built_from_a_pattern(name, source)
    )
    assert unused == []


def _built_from_a_pattern(name: str, source: str) -> bool:
    """Faults named per claim or header (accept-missing-claim-iss...) are built with f-strings."""
    prefixes = re.findall(r'f"([a-z0-9.-]+-)\{', source)
    return any(name.startswith(prefix) for prefix in prefixes)
