"""junit.xml written from the scenario records, in the Jenkins JUnit flavour (the junit-4.xsd
of Jenkins' dtkit, as Jenkins, GitLab and most CI test views read it), valid against that schema:
one test case per scenario, named after it (`classname` its feature), its status (`passed`,
`failed`, `warning`, `skipped` or `error`: a SHOULD warning stays visible), a failure, error or
skip with its one-line message, and in `<system-out>` the requirement ids, warnings, feature file
and evidence file. The flavour has no per-case properties: run-wide facts are suite properties."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from gpc_assure.report.folder import write_new_text
from gpc_assure.report.records import ScenarioRecord, shown_name, totals

SUITE_NAME = "gpc-assure"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    r"""`text` without the characters XML 1.0 cannot carry, each written as an escape (`\x1b`)."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _system_out(record: ScenarioRecord) -> str:
    """What the flavour has no attribute for, one `name: value` line each."""
    lines = [f"requirement: {requirement}" for requirement in record.requirements]
    for finding in record.findings:
        if finding.get("verdict") == "warning":
            lines.append(
                f"warning: {finding['requirement']} (SHOULD): expected {finding['expected']}; "
                f"observed {finding['observed']}"
            )
    if record.feature_file:
        lines.append(f"feature file: {record.feature_file}:{record.line}")
    if record.evidence:
        lines.append(f"evidence: {record.evidence}")
    return "\n".join(lines)


def _case(record: ScenarioRecord) -> ET.Element:
    case = ET.Element(
        "testcase",
        name=xml_text(shown_name(record.id, record.name)),
        classname=xml_text(record.feature or SUITE_NAME),
        time=f"{record.duration:.3f}",
        status=record.outcome,
    )
    message = xml_text(record.message)
    if record.outcome == "skipped":
        ET.SubElement(case, "skipped").text = message
    elif record.outcome in ("failed", "error"):
        kind = "failure" if record.outcome == "failed" else "error"
        ET.SubElement(case, kind, message=message).text = message
    ET.SubElement(case, "system-out").text = xml_text(_system_out(record))
    return case


def write_junit(
    report_dir: Path, records: list[ScenarioRecord], facts: Mapping[str, str] | None = None
) -> Path:
    """junit.xml for `records`; `facts` (spec version, provider, suite build) as suite
    properties."""
    counts = totals(records)
    seconds = f"{sum(r.duration for r in records):.3f}"
    suites = ET.Element(
        "testsuites",
        name=SUITE_NAME,
        tests=str(len(records)),
        failures=str(counts["failed"]),
        errors=str(counts["error"]),
        time=seconds,
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=SUITE_NAME,
        tests=str(len(records)),
        failures=str(counts["failed"]),
        errors=str(counts["error"]),
        skipped=str(counts["skipped"]),
        time=seconds,
    )
    if facts:
        properties = ET.SubElement(suite, "properties")
        for name, value in facts.items():
            ET.SubElement(properties, "property", name=name, value=xml_text(value))
    suite.extend(_case(record) for record in records)
    path = report_dir / "junit.xml"
    text = ET.tostring(suites, encoding="unicode")
    write_new_text(path, '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n")
    return path
