"""Each scenario fails against a provider that breaks what it checks, and only then.

The reference provider is started with one fault at a time; the run must fail the scenario
that checks the broken requirement, name that requirement, and pass every other scenario.
"""

from pathlib import Path

import pytest

from e2e.harness import provider_config_file, run_cli
from gpc_assure.provider import FAULTS, ProviderSettings, ReferenceProvider

pytestmark = pytest.mark.e2e

EXISTING = "test_an_existing_document_is_returned_as_a_binary"
UNKNOWN = "test_an_unknown_document_id_is_answered_404_with_no_record_found"

# fault -> (scenario that must fail, requirement its failure must name)
DETECTED_BY = {
    "success-status-202": (EXISTING, "GPC-DOC-RD-001"),
    "binary-wrong-resource-type": (EXISTING, "GPC-DOC-RD-002"),
    "binary-invalid-base64": (EXISTING, "GPC-DOC-RD-002"),
    "binary-missing-content-type": (EXISTING, "GPC-DOC-RD-002"),
    "binary-invalid-json": (EXISTING, "GPC-DOC-RD-002"),
    "binary-security-context": (EXISTING, "GPC-DOC-RD-002"),
    "binary-missing-version-id": (EXISTING, "GPC-DOC-RD-003"),
    "binary-wrong-id": (EXISTING, "GPC-DOC-RD-004"),
    "binary-wrong-content-type": (EXISTING, "GPC-DOC-RD-005"),
    "binary-corrupt-content": (EXISTING, "GPC-DOC-RD-006"),
    "unknown-id-status-400": (UNKNOWN, "GPC-DOC-NF-001"),
    "unknown-id-plain-text": (UNKNOWN, "GPC-DOC-ERR-001"),
    "unknown-id-wrong-severity": (UNKNOWN, "GPC-DOC-ERR-002"),
    "unknown-id-wrong-issue-code": (UNKNOWN, "GPC-DOC-ERR-003"),
    "unknown-id-wrong-spine-code": (UNKNOWN, "GPC-DOC-NF-001"),
    "unknown-id-wrong-spine-system": (UNKNOWN, "GPC-DOC-ERR-001"),
    "unknown-id-wrong-spine-display": (UNKNOWN, "GPC-DOC-ERR-004"),
}


def test_every_listed_fault_exists() -> None:
    assert set(DETECTED_BY) <= set(FAULTS)


@pytest.mark.parametrize("fault", sorted(DETECTED_BY))
def test_fault_fails_the_scenario_that_checks_it(tmp_path: Path, fault: str) -> None:
    scenario, requirement = DETECTED_BY[fault]
    with ReferenceProvider(ProviderSettings(faults=frozenset({fault}))) as provider:
        config = provider_config_file(provider, tmp_path / "provider.toml")
        result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert result.code == 1, result.stdout + result.stderr
    failed = [s for s in result.summary["scenarios"] if s["outcome"] == "failed"]
    assert failed, "no scenario failed"
    assert {s["id"].split("::")[-1].split("[")[0] for s in failed} == {scenario}
    for record in failed:
        assert record["message"].startswith(requirement), record["message"]
        assert "expected" in record["message"]
        assert "observed" in record["message"]
    others = [s for s in result.summary["scenarios"] if s not in failed]
    assert all(s["outcome"] == "passed" for s in others), others
