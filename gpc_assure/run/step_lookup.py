"""Step look-up that scans the registered fixtures once per test module, not once per step.

pytest-bdd finds the definition of each step it runs by asking pytest, for every registered
fixture name (about 110 here), which definitions are visible to the scenario, then matching the
step's text against the step definitions among them: for the ~520 steps of a run, a quarter of
its time. Which step definitions a scenario can see does not change from one scenario of a
module to the next, so they are listed once per module, and the definitions matching a step's
type and text once per module and step: the same definitions, in the same order, as pytest-bdd's
own look-up finds.

pytest-bdd offers no hook for this, so :func:`install` replaces its module-level
``find_fixturedefs_for_step``, the function every look-up goes through; a test checks that the
replacement is installed and that it finds what pytest-bdd finds.
"""

import importlib
from collections.abc import Callable, Iterator
from typing import Any
from weakref import WeakKeyDictionary

from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.steps import step_function_context_registry

_SCENARIO_MODULE = "pytest_bdd.scenario"
_LOOKUP = "find_fixturedefs_for_step"


class _ModuleSteps:
    """The step definitions visible to one module's scenarios, and those matching each step."""

    def __init__(self, fixturemanager: Any, scope: Any) -> None:
        self.definitions: list[tuple[Any, Any]] = []
        for name in get_fixture_names(fixturemanager=fixturemanager):
            for fixturedef in getfixturedefs(fixturemanager, name, scope) or []:
                context = step_function_context_registry.get(fixturedef.func)
                if context is not None:
                    self.definitions.append((fixturedef, context))
        self.matching: dict[tuple[str, str], tuple[Any, ...]] = {}

    def find(self, step_type: str, text: str) -> tuple[Any, ...]:
        key = (step_type, text)
        if key not in self.matching:
            self.matching[key] = tuple(
                fixturedef
                for fixturedef, context in self.definitions
                if (context.type is None or context.type == step_type)
                and context.parser.is_matching(text)
            )
        return self.matching[key]


_modules: WeakKeyDictionary[Any, dict[Any, _ModuleSteps]] = WeakKeyDictionary()


def find_fixturedefs_for_step(step: Any, fixturemanager: Any, node: Any) -> Iterator[Any]:
    """The step definitions that can run `step` for the scenario `node`, as pytest-bdd's
    look-up of the same name yields them."""
    scope = node.parent if node.parent is not None else node
    modules = _modules.setdefault(fixturemanager, {})
    if scope not in modules:
        modules[scope] = _ModuleSteps(fixturemanager, scope)
    return iter(modules[scope].find(step.type, step.name))


Lookup = Callable[[Any, Any, Any], Iterator[Any]]
_replaced: dict[str, Lookup] = {}


def install() -> bool:
    """Have pytest-bdd look steps up through :func:`find_fixturedefs_for_step`; False when this
    pytest-bdd has no such function to replace (its own look-up then stays, slower)."""
    module = importlib.import_module(_SCENARIO_MODULE)
    current = getattr(module, _LOOKUP, None)
    if not callable(current):
        return False
    if current is not find_fixturedefs_for_step:
        _replaced[_LOOKUP] = current
        setattr(module, _LOOKUP, find_fixturedefs_for_step)
    return True


def replaced_lookup() -> Lookup | None:
    """pytest-bdd's own look-up, once :func:`install` has replaced it."""
    return _replaced.get(_LOOKUP)
