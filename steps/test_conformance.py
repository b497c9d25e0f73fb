"""Collects every scenario of every feature file."""

from pytest_bdd import scenarios

from gpc_assure.paths import FEATURES_DIR

scenarios(str(FEATURES_DIR))
