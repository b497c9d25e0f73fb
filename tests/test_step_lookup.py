"""The cached step look-up: installed into pytest-bdd, and finding, step by step, the same
definitions in the same order as pytest-bdd's own look-up, in a real pytest-bdd session."""

import importlib
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gpc_assure.run import step_lookup

FEATURE = """\
    Feature: Look-up cases
      Scenario: typed, parsed and shared steps
        Given a basket with 3 apples
        When 2 apples are eaten
        Then the basket holds 1 apple
        And the step shared by every type runs

      Scenario Outline: an outline's rendered steps
        Given a basket with <start> apples
        When <eaten> apples are eaten
        Then the basket holds <left> apple

        Examples:
          | start | eaten | left |
          | 5     | 4     | 1    |
          | 2     | 1     | 1    |

      Scenario: a definition the test module overrides
        Given a basket with 3 apples
        Then the overridden step runs the module's definition
    """

CONFTEST = """\
    from pytest_bdd import given, parsers, step, then, when

    @given(parsers.parse("a basket with {count:d} apples"), target_fixture="basket")
    def basket(count):
        return {"apples": count}

    @when(parsers.parse("{count:d} apples are eaten"))
    def eat(basket, count):
        basket["apples"] -= count

    @then(parsers.parse("the basket holds {count:d} apple"))
    def holds(basket, count):
        assert basket["apples"] == count

    @step("the step shared by every type runs")
    def shared():
        pass

    @then("the overridden step runs the module's definition")
    def overridden():
        raise AssertionError("the conftest definition ran instead of the module's")
    """

TEST_MODULE = """\
    from pytest_bdd import scenarios, then

    scenarios("cases.feature")

    @then("the overridden step runs the module's definition")
    def overridden():
        pass
    """


def test_the_lookup_is_installed_into_pytest_bdd() -> None:
    assert step_lookup.install(), "pytest-bdd no longer has find_fixturedefs_for_step"
    module = importlib.import_module("pytest_bdd.scenario")
    assert module.find_fixturedefs_for_step is step_lookup.find_fixturedefs_for_step
    assert step_lookup.replaced_lookup() is not None
    assert step_lookup.install()  # a second install keeps pytest-bdd's own look-up at hand
    assert step_lookup.replaced_lookup() is not step_lookup.find_fixturedefs_for_step


def test_the_cached_lookup_finds_what_pytest_bdd_finds(tmp_path: Path) -> None:
    assert step_lookup.install()
    replaced = step_lookup.replaced_lookup()
    assert replaced is not None
    stock: step_lookup.Lookup = replaced
    (tmp_path / "cases.feature").write_text(textwrap.dedent(FEATURE), encoding="utf-8")
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST), encoding="utf-8")
    (tmp_path / "test_cases.py").write_text(textwrap.dedent(TEST_MODULE), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    looked_up: list[tuple[str, list[Any], list[Any]]] = []

    class CompareLookups:
        @pytest.hookimpl
        def pytest_bdd_before_step(self, request: pytest.FixtureRequest, step: Any) -> None:
            manager = request.config.pluginmanager.get_plugin("funcmanage")
            node = request.node
            theirs = [d.func for d in stock(step, manager, node)]
            ours = [d.func for d in step_lookup.find_fixturedefs_for_step(step, manager, node)]
            looked_up.append((step.name, theirs, ours))

    code = pytest.main(
        [
            str(tmp_path),
            "--rootdir",
            str(tmp_path),
            "-c",
            str(tmp_path / "pytest.ini"),
            "--import-mode=importlib",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        plugins=[CompareLookups()],
    )

    assert code == pytest.ExitCode.OK
    assert len(looked_up) == 4 + 3 + 3 + 2
    for name, theirs, ours in looked_up:
        assert theirs, name
        assert ours == theirs, name
