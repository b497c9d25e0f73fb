"""Collects every scenario of every feature file."""

from pytest_bdd import scenarios

from gpc_assure.spec.paths import FEATURES_DIR

scenarios(str(FEATURES_DIR))
