"""One scenario's record, folded from pytest's setup, call and teardown reports."""

import json

import pytest

from gpc_assure.report.records import ScenarioRecord, moment


def _one_line(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).strip().splitlines()[0] if crash.message else ""
    text = report.longreprtext.strip()
    return text.splitlines()[0] if text else ""


def outcome_of(
    nodeid: str,
    properties: list[tuple[str, object]],
    phases: dict[str, pytest.TestReport],
) -> ScenarioRecord:
    """Fold the setup, call and teardown reports of one scenario into its record."""
    props: dict[str, list[str]] = {}
    for key, value in properties:
        props.setdefault(key, []).append(str(value))
    findings: list[dict[str, str]] = json.loads(props.get("findings", ["[]"])[-1])
    setup, call, teardown = phases.get("setup"), phases.get("call"), phases.get("teardown")
    outcome, message = "passed", ""
    if setup is not None and setup.failed:
        outcome, message = "error", _one_line(setup)
    elif setup is not None and setup.skipped:
        outcome, message = "skipped", _one_line(setup)
    elif call is not None and call.failed:
        is_requirement = props.get("failure_kind") == ["requirement"]
        outcome, message = ("failed" if is_requirement else "error"), _one_line(call)
    elif call is not None and call.skipped:
        outcome, message = "skipped", _one_line(call)
    elif warnings := [f for f in findings if f["verdict"] == "warning"]:
        outcome = "warning"
        message = "; ".join(
            f"{w['requirement']}: expected {w['expected']}; observed {w['observed']}"
            for w in warnings
        )
    if outcome == "passed" and teardown is not None and teardown.failed:
        outcome, message = "error", _one_line(teardown)
    return ScenarioRecord(
        id=nodeid,
        feature=props.get("feature", [""])[0],
        name=props.get("scenario", [""])[0],
        tags=json.loads(props.get("tags", ["[]"])[0]),
        requirements=props.get("requirement", []),
        outcome=outcome,
        message=message,
        findings=findings,
        evidence=props.get("evidence", [None])[0],
        duration=sum(phase.duration for phase in phases.values()),
        feature_file=props.get("feature_file", [""])[0],
        line=int(props.get("line", ["0"])[0]),
        started_at=moment(min((phase.start for phase in phases.values()), default=0.0)),
        parameters=json.loads(props.get("parameters", ["{}"])[0]),
    )
