"""Loads the conformance plugin and the step definitions for every pytest session here."""

pytest_plugins = [
    "gpc_assure.run.plugin",
    "steps.request_steps",
    "steps.jwt_steps",
    "steps.response_steps",
    "steps.transport_steps",
]
