"""gpc_assure.report.diff: comparing two assurance reports for a "no worse than before" gate."""

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from gpc_assure.report.diff import (
    REPORT_FILE,
    SCHEMA_FILE,
    ReportDiff,
    ReportDiffError,
    RequirementChange,
    diff_reports,
    format_diff,
    load_report,
)

Row = tuple[str, str, str]
ID = "GPC-DOC-NF-001"


@functools.cache
def _schema_validator() -> Any:
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def make_report(rows: Sequence[Row], spec_version: str = "1.6") -> dict[str, Any]:
    """A minimal report with one requirement per (id, level, status), checked against the schema."""
    report: dict[str, Any] = {
        "report_version": "1",
        "suite": {"name": "gpc-assure", "version": "0.1.0", "git_commit": None, "build": "ab" * 32},
        "run": {
            "id": "run-1",
            "started_at": "2025-01-01T10:00:00Z",
            "finished_at": "2025-01-01T10:01:00Z",
            "host": "ci",
            "platform": "linux",
            "python": "3.11",
        },
        "provider": {
            "base_url": "https://provider.example/fhir",
            "proxy_url": None,
            "embedded_reference_provider": False,
            "transport": "mutual TLS",
            "transport_assured": True,
        },
        "spec_version": spec_version,
        "verdict": {
            "status": "incomplete",
            "reason": "test sample",
            "counts": {
                "must_passed": 0,
                "must_failed": 0,
                "should_passed": 0,
                "should_warnings": 0,
                "not_tested": 0,
                "manual": 0,
                "not_applicable": 0,
                "scenarios": {"passed": 0, "failed": 0, "warning": 0, "skipped": 0, "error": 0},
            },
        },
        "requirements": [
            {
                "id": requirement_id,
                "level": level,
                "summary": f"summary of {requirement_id}",
                "versions": [spec_version],
                "source": {"page": "p", "section": "s", "url": "https://spec.example/p#s"},
                "notes": "",
                "status": status,
                "status_reason": "",
                "scenarios": [],
            }
            for requirement_id, level, status in rows
        ],
        "scenarios": [],
        "not_tested": [],
    }
    _schema_validator().validate(report)
    return report


def _diff(old: Sequence[Row], new: Sequence[Row]) -> ReportDiff:
    return diff_reports(make_report(old), make_report(new))


def _bucket(d: ReportDiff) -> str | None:
    found = [
        name
        for name, changes in (
            ("regressed", d.regressed),
            ("fixed", d.fixed),
            ("other", d.other_changes),
        )
        if changes
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


TRANSITIONS = [
    ("MUST", "passed", "failed", "regressed"),
    ("SHOULD", "passed", "warning", "regressed"),
    ("MUST", "passed", "warning", "regressed"),
    ("SHOULD", "warning", "failed", "regressed"),
    ("MUST", "passed", "error", "regressed"),
    ("SHOULD", "warning", "error", "regressed"),
    ("MUST", "passed", "not-tested", "regressed"),
    ("SHOULD", "passed", "not-tested", "other"),
    ("MAY", "passed", "not-tested", "other"),
    ("MUST", "passed", "not-applicable", "other"),
    ("MUST", "passed", "manual", "other"),
    ("SHOULD", "warning", "not-tested", "other"),
    ("MUST", "failed", "error", "other"),
    ("MUST", "error", "failed", "other"),
    ("MUST", "not-tested", "failed", "other"),
    ("MUST", "failed", "not-tested", "other"),
    ("MUST", "failed", "passed", "fixed"),
    ("SHOULD", "warning", "passed", "fixed"),
    ("MUST", "error", "passed", "fixed"),
    ("SHOULD", "failed", "warning", "other"),
    ("MUST", "not-tested", "passed", "other"),
    ("MUST", "manual", "passed", "other"),
    ("MUST", "passed", "passed", None),
    ("MUST", "failed", "failed", None),
    ("MUST", "not-tested", "not-tested", None),
]


@pytest.mark.parametrize(
    ("level", "old", "new", "bucket"),
    TRANSITIONS,
    ids=[f"{level}-{old}-to-{new}" for level, old, new, _ in TRANSITIONS],
)
def test_status_transition_is_classified(
    level: str, old: str, new: str, bucket: str | None
) -> None:
    d = _diff([(ID, level, old)], [(ID, level, new)])
    assert _bucket(d) == bucket
    assert d.has_regression is (bucket == "regressed")
    assert d.level_changed == ()
    if bucket is not None:
        change = RequirementChange(ID, level, level, old, new)
        assert change in (*d.regressed, *d.fixed, *d.other_changes)


def test_identical_reports_have_no_changes() -> None:
    rows = [(ID, "MUST", "passed"), ("GPC-DOC-NF-002", "SHOULD", "warning")]
    assert _diff(rows, rows) == ReportDiff((), (), (), (), (), (), None)


def test_level_change_without_status_change() -> None:
    d = _diff([(ID, "SHOULD", "passed")], [(ID, "MUST", "passed")])
    assert d.level_changed == (RequirementChange(ID, "SHOULD", "MUST", "passed", "passed"),)
    assert not d.has_regression
    assert _bucket(d) is None


def test_level_change_is_reported_alongside_status_change() -> None:
    d = _diff([(ID, "MUST", "passed")], [(ID, "SHOULD", "warning")])
    change = RequirementChange(ID, "MUST", "SHOULD", "passed", "warning")
    assert d.level_changed == (change,)
    assert d.regressed == (change,)


@pytest.mark.parametrize(("old_level", "new_level"), [("MUST", "SHOULD"), ("SHOULD", "MUST")])
def test_passed_to_not_tested_regresses_when_must_in_either_report(
    old_level: str, new_level: str
) -> None:
    d = _diff([(ID, old_level, "passed")], [(ID, new_level, "not-tested")])
    assert d.has_regression


def test_added_and_removed_requirements() -> None:
    d = _diff(
        [("GPC-DOC-A-001", "MUST", "passed"), ("GPC-DOC-B-002", "MUST", "failed")],
        [("GPC-DOC-C-003", "SHOULD", "passed"), ("GPC-DOC-A-001", "MUST", "passed")],
    )
    assert d.added == ("GPC-DOC-C-003",)
    assert d.removed == ("GPC-DOC-B-002",)
    assert not d.has_regression


def test_results_are_sorted_by_id() -> None:
    ids = ["GPC-DOC-Z-001", "GPC-DOC-A-001", "GPC-DOC-M-001"]
    d = _diff([(i, "MUST", "passed") for i in ids], [(i, "MUST", "failed") for i in ids])
    assert [c.id for c in d.regressed] == sorted(ids)


def test_spec_version_change_is_reported() -> None:
    rows = [(ID, "MUST", "passed")]
    d = diff_reports(make_report(rows, "1.0"), make_report(rows, "1.6"))
    assert d.spec_changed == ("1.0", "1.6")
    assert not d.has_regression
    assert _diff(rows, rows).spec_changed is None


def test_duplicate_requirement_id_is_rejected() -> None:
    rows = [(ID, "MUST", "passed"), (ID, "MUST", "failed")]
    with pytest.raises(ReportDiffError, match=f"{ID} is listed more than once"):
        diff_reports(make_report(rows), make_report(rows[:1]))


def test_format_diff() -> None:
    old = make_report(
        [
            ("GPC-DOC-NF-001", "MUST", "passed"),
            ("GPC-DOC-NF-002", "SHOULD", "warning"),
            ("GPC-DOC-NF-003", "SHOULD", "passed"),
            ("GPC-DOC-NF-004", "SHOULD", "passed"),
            ("GPC-DOC-NF-005", "MUST", "failed"),
        ],
        "1.0",
    )
    new = make_report(
        [
            ("GPC-DOC-NF-001", "MUST", "failed"),
            ("GPC-DOC-NF-002", "SHOULD", "passed"),
            ("GPC-DOC-NF-003", "MUST", "passed"),
            ("GPC-DOC-NF-004", "SHOULD", "manual"),
            ("GPC-DOC-NF-006", "MAY", "passed"),
        ],
        "1.6",
    )
    assert format_diff(diff_reports(old, new)).splitlines() == [
        "REGRESSION: 1 regressed, 1 fixed, 1 level changed, 1 added, 1 removed, 1 other changes",
        "Spec version changed: 1.0 -> 1.6",
        "Regressed:",
        "  GPC-DOC-NF-001 MUST: passed -> failed",
        "Fixed:",
        "  GPC-DOC-NF-002 SHOULD: warning -> passed",
        "Level changed:",
        "  GPC-DOC-NF-003 SHOULD -> MUST (now passed)",
        "Added:",
        "  GPC-DOC-NF-006",
        "Removed:",
        "  GPC-DOC-NF-005",
        "Other changes:",
        "  GPC-DOC-NF-004 SHOULD: passed -> manual",
    ]


def test_format_diff_without_changes() -> None:
    rows = [(ID, "MUST", "passed")]
    assert format_diff(_diff(rows, rows)) == (
        "No regression: 0 regressed, 0 fixed, 0 level changed, 0 added, 0 removed, 0 other changes"
    )


def _write(path: Path, report: object) -> Path:
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def test_load_report_from_folder_and_file(tmp_path: Path) -> None:
    report = make_report([(ID, "MUST", "passed")])
    file = _write(tmp_path / REPORT_FILE, report)
    assert load_report(tmp_path) == report
    assert load_report(file) == report


def test_load_report_from_a_file_with_another_name(tmp_path: Path) -> None:
    report = make_report([(ID, "MUST", "passed")])
    assert load_report(_write(tmp_path / "release-1.json", report)) == report


def _load_error(path: Path) -> str:
    with pytest.raises(ReportDiffError) as caught:
        load_report(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    assert _load_error(missing) == f"{missing}: no such file"


def test_folder_without_report(tmp_path: Path) -> None:
    assert _load_error(tmp_path) == f"{tmp_path / REPORT_FILE}: no such file"


def test_invalid_json(tmp_path: Path) -> None:
    file = tmp_path / REPORT_FILE
    file.write_text('{"report_version":\n  "1",\n}', encoding="utf-8")
    message = _load_error(tmp_path)
    assert message.startswith(f"{file}: not valid JSON: ")
    assert re.search(r"line \d+ column \d+", message), message  # the wording varies by Python


def test_not_utf8(tmp_path: Path) -> None:
    file = tmp_path / REPORT_FILE
    file.write_bytes(b'{"x": "\xff"}')
    assert _load_error(file).startswith(f"{file}: not UTF-8 text")


def test_schema_invalid_status(tmp_path: Path) -> None:
    report = make_report([(ID, "MUST", "passed")])
    report["requirements"][0]["status"] = "bogus"
    file = _write(tmp_path / REPORT_FILE, report)
    message = _load_error(file)
    assert message.startswith(f"{file}: not a valid assurance report: $.requirements[0].status: ")
    assert "'bogus'" in message


def test_schema_invalid_reports_count_of_further_problems(tmp_path: Path) -> None:
    report = make_report([(ID, "MUST", "passed")])
    del report["run"]
    report["spec_version"] = "9.9"
    message = _load_error(_write(tmp_path / REPORT_FILE, report))
    assert "not a valid assurance report: " in message
    assert message.endswith("(and 1 more)")


def test_not_an_object(tmp_path: Path) -> None:
    message = _load_error(_write(tmp_path / REPORT_FILE, ["not", "a", "report"]))
    assert "not a valid assurance report: $: " in message


def test_duplicate_id_in_loaded_report(tmp_path: Path) -> None:
    report = make_report([(ID, "MUST", "passed"), (ID, "MUST", "failed")])
    file = _write(tmp_path / REPORT_FILE, report)
    assert _load_error(file) == f"{file}: requirement {ID} is listed more than once"
