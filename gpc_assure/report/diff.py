"""Compare two assurance reports requirement by requirement (``gpc-assure diff OLD NEW``).

CI gates a release on "no worse than the last release": :attr:`ReportDiff.has_regression`.

A status change for a requirement present in both reports falls in exactly one bucket:

* regressed: passed -> warning / failed / error, and warning -> failed / error (a check that
  can no longer be evaluated must not turn a gate green); also passed -> not-tested when the
  requirement is MUST in either report (a MUST that used to pass must not silently drop out).
* fixed: failed / warning / error -> passed.
* other changes: everything else, for example passed -> not-tested (SHOULD or MAY),
  passed -> not-applicable or manual, failed -> error. Reported, but not a regression.

A change of level is reported separately, whatever happened to the status; so is a change
of spec version, which is allowed.
"""

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped,unused-ignore]

from gpc_assure.spec.paths import SCHEMAS_DIR
from gpc_assure.spec.schema_validation import json_path

REPORT_FILE: Final = "assurance-report.json"
SCHEMA_FILE: Final = SCHEMAS_DIR / "assurance-report.schema.json"

_MAX_MESSAGE_CHARS: Final = 200
_RANK: Final[Mapping[str, int]] = {
    "passed": 0,
    "reported": 0,
    "warning": 1,
    "failed": 2,
    "error": 3,
}
_WAS_GOOD: Final = frozenset({"passed", "reported", "warning"})
_WAS_BAD: Final = frozenset({"warning", "failed", "error"})


class ReportDiffError(ValueError):
    """A report cannot be read or compared; the message is one line naming the problem."""


@dataclass(frozen=True)
class RequirementChange:
    """One requirement's level and status in the old and the new report (None: absent)."""

    id: str
    level_old: str | None
    level_new: str | None
    status_old: str | None
    status_new: str | None


@dataclass(frozen=True)
class ReportDiff:
    """What changed between two reports; every tuple is sorted by requirement id."""

    regressed: tuple[RequirementChange, ...]
    fixed: tuple[RequirementChange, ...]
    level_changed: tuple[RequirementChange, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    other_changes: tuple[RequirementChange, ...]
    spec_changed: tuple[str, str] | None

    @property
    def has_regression(self) -> bool:
        """True when any requirement got worse: the gate must fail."""
        return bool(self.regressed)


@functools.cache
def _validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= _MAX_MESSAGE_CHARS:
        return flat
    return flat[: _MAX_MESSAGE_CHARS - 3] + "..."


def _schema_problem(report: object) -> str | None:
    errors = list(_validator().iter_errors(report))
    if not errors:
        return None
    error = best_match(errors)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return _one_line(f"{json_path(list(error.absolute_path))}: {error.message}") + more


def load_report(path: Path) -> dict[str, Any]:
    """Read and validate a report: ``path`` is a report folder or its JSON file itself.

    Raises :class:`ReportDiffError` when the file is missing, unreadable, not JSON, does not
    match the assurance report schema, or lists a requirement id twice.
    """
    file = path / REPORT_FILE if path.is_dir() else path
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportDiffError(f"{file}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ReportDiffError(f"{file}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ReportDiffError(_one_line(f"{file}: cannot read: {exc.strerror or exc}")) from None
    try:
        report = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportDiffError(
            f"{file}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    problem = _schema_problem(report)
    if problem is not None:
        raise ReportDiffError(f"{file}: not a valid assurance report: {problem}")
    try:
        _requirements(report)
    except ReportDiffError as exc:
        raise ReportDiffError(f"{file}: {exc}") from None
    result: dict[str, Any] = report
    return result


def _requirements(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    by_id: dict[str, Mapping[str, Any]] = {}
    for requirement in report["requirements"]:
        requirement_id = requirement["id"]
        if requirement_id in by_id:
            raise ReportDiffError(f"requirement {requirement_id} is listed more than once")
        by_id[requirement_id] = requirement
    return by_id


def _is_regression(change: RequirementChange) -> bool:
    old, new = change.status_old, change.status_new
    if old not in _WAS_GOOD or new is None:
        return False
    if new in _RANK:
        return _RANK[new] > _RANK[old]
    is_must = "MUST" in (change.level_old, change.level_new)
    return old == "passed" and new == "not-tested" and is_must


def _is_fix(change: RequirementChange) -> bool:
    return change.status_old in _WAS_BAD and change.status_new == "passed"


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> ReportDiff:
    """Compare two schema-valid reports; raises :class:`ReportDiffError` on a duplicate id."""
    old_by_id, new_by_id = _requirements(old), _requirements(new)
    regressed: list[RequirementChange] = []
    fixed: list[RequirementChange] = []
    level_changed: list[RequirementChange] = []
    other: list[RequirementChange] = []
    for requirement_id in sorted(old_by_id.keys() & new_by_id.keys()):
        before, after = old_by_id[requirement_id], new_by_id[requirement_id]
        change = RequirementChange(
            id=requirement_id,
            level_old=before["level"],
            level_new=after["level"],
            status_old=before["status"],
            status_new=after["status"],
        )
        if change.level_old != change.level_new:
            level_changed.append(change)
        if change.status_old == change.status_new:
            continue
        if _is_regression(change):
            regressed.append(change)
        elif _is_fix(change):
            fixed.append(change)
        else:
            other.append(change)
    old_spec, new_spec = str(old["spec_version"]), str(new["spec_version"])
    return ReportDiff(
        regressed=tuple(regressed),
        fixed=tuple(fixed),
        level_changed=tuple(level_changed),
        added=tuple(sorted(new_by_id.keys() - old_by_id.keys())),
        removed=tuple(sorted(old_by_id.keys() - new_by_id.keys())),
        other_changes=tuple(other),
        spec_changed=(old_spec, new_spec) if old_spec != new_spec else None,
    )


def _status_line(change: RequirementChange) -> str:
    level = change.level_new or change.level_old
    return f"  {change.id} {level}: {change.status_old} -> {change.status_new}"


def _level_line(change: RequirementChange) -> str:
    return f"  {change.id} {change.level_old} -> {change.level_new} (now {change.status_new})"


def format_diff(d: ReportDiff) -> str:
    """Console text: a header line with counts, then one section per non-empty bucket."""
    header = (
        f"{len(d.regressed)} regressed, {len(d.fixed)} fixed, "
        f"{len(d.level_changed)} level changed, {len(d.added)} added, "
        f"{len(d.removed)} removed, {len(d.other_changes)} other changes"
    )
    lines = [f"{'REGRESSION' if d.has_regression else 'No regression'}: {header}"]
    if d.spec_changed is not None:
        lines.append(f"Spec version changed: {d.spec_changed[0]} -> {d.spec_changed[1]}")
    sections: list[tuple[str, list[str]]] = [
        ("Regressed:", [_status_line(c) for c in d.regressed]),
        ("Fixed:", [_status_line(c) for c in d.fixed]),
        ("Level changed:", [_level_line(c) for c in d.level_changed]),
        ("Added:", [f"  {i}" for i in d.added]),
        ("Removed:", [f"  {i}" for i in d.removed]),
        ("Other changes:", [_status_line(c) for c in d.other_changes]),
    ]
    for title, body in sections:
        if body:
            lines.extend([title, *body])
    return "\n".join(lines)
