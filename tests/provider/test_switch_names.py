"""Fault and reading switches are enum members the type checker sees: every member is tested
somewhere in the provider's code, no switch is spelt there as a string (a misspelt string would
silently never bend anything), and the declared tables cover every member and nothing else."""

import ast
from enum import StrEnum
from pathlib import Path

import pytest

from gpc_assure.provider import FAULTS, READINGS, Fault, Reading
from gpc_assure.provider.faults import COLLATERAL

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "gpc_assure" / "provider"
DECLARATIONS = ("faults.py", "readings.py")


def provider_code() -> dict[str, ast.Module]:
    """The provider's modules other than the declarations, parsed."""
    return {
        path.name: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PROVIDER_DIR.glob("*.py"))
        if path.name not in DECLARATIONS
    }


def members_used(switches: type[StrEnum]) -> set[str]:
    """The members of *switches* the provider's code names (`Fault.HANG` gives 'HANG')."""
    return {
        node.attr
        for tree in provider_code().values()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == switches.__name__
    }


@pytest.mark.parametrize("switches", [Fault, Reading])
def test_every_switch_is_tested_somewhere_in_the_code(switches: type[StrEnum]) -> None:
    used = members_used(switches)
    assert len(used) > 10  # the walk still finds the switches
    assert sorted(set(switches.__members__) - used) == []


def test_no_switch_is_spelt_as_a_string_in_the_code() -> None:
    """A string equal to a switch name, or the start of one (`f"accept-missing-{claim}"`)."""
    names = {str(member) for member in (*Fault, *Reading)}
    spelt = [
        f"{file}:{node.lineno}: {node.value!r}"
        for file, tree in provider_code().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (
            node.value in names
            or (node.value.endswith("-") and any(n.startswith(node.value) for n in names))
        )
    ]
    assert spelt == []


def test_the_fault_table_declares_every_fault_and_nothing_else() -> None:
    assert list(FAULTS) == list(Fault)  # --list-faults follows the declaration order
    for fault, declared in FAULTS.items():
        assert declared.fault is fault
        assert declared.requirements, f"{fault} breaks no requirement"
    assert set(COLLATERAL) <= set(FAULTS)


def test_the_reading_table_declares_every_reading_and_nothing_else() -> None:
    assert list(READINGS) == list(Reading)
    for reading, declared in READINGS.items():
        assert declared.reading is reading


def test_fault_and_reading_names_do_not_overlap() -> None:
    assert {str(f) for f in Fault}.isdisjoint(str(r) for r in Reading)
