"""junit.xml written from the scenario records (the Ant/Jenkins JUnit flavour): one test case per
scenario, named after it and its feature, its requirements, warnings and evidence file as
properties, and a failure, error or skip with its one-line message."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from gpc_assure.report.folder import write_new_text
from gpc_assure.report.records import ScenarioRecord, totals

SUITE_NAME = "gpc-assure"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    r"""`text` without the characters XML 1.0 cannot carry, each written as an escape (`\x1b`)."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _case_name(record: ScenarioRecord) -> str:
    """The scenario's name, with the document it ran for when that is not part of the name."""
    node = record.id.split("::")[-1]
    document = node.split("[", 1)[1].rstrip("]") if "[" in node else ""
    shown = document if document and document not in record.name else ""
    return f"{record.name} [{shown}]" if shown else record.name or node


def _properties(record: ScenarioRecord) -> list[tuple[str, str]]:
    properties = [("feature", record.feature), ("scenario", record.name)]
    properties += [("requirement", requirement) for requirement in record.requirements]
    for finding in record.findings:
        if finding.get("verdict") == "warning":
            properties.append(
                (
                    "warning",
                    f"{finding['requirement']} (SHOULD): expected {finding['expected']}; "
                    f"observed {finding['observed']}",
                )
            )
    if record.evidence:
        properties.append(("evidence", record.evidence))
    return properties


def _case(record: ScenarioRecord) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=xml_text(record.feature or "gpc-assure"),
        name=xml_text(_case_name(record)),
        time=f"{record.duration:.3f}",
    )
    properties = ET.SubElement(case, "properties")
    for name, value in _properties(record):
        ET.SubElement(properties, "property", name=name, value=xml_text(value))
    element = {"failed": "failure", "error": "error", "skipped": "skipped"}.get(record.outcome)
    if element is not None:
        ET.SubElement(case, element, message=xml_text(record.message)).text = xml_text(
            record.message
        )
    return case


def write_junit(report_dir: Path, records: list[ScenarioRecord]) -> Path:
    counts = totals(records)
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=SUITE_NAME,
        tests=str(len(records)),
        failures=str(counts["failed"]),
        errors=str(counts["error"]),
        skipped=str(counts["skipped"]),
        time=f"{sum(r.duration for r in records):.3f}",
    )
    suite.extend(_case(record) for record in records)
    path = report_dir / "junit.xml"
    text = ET.tostring(suites, encoding="unicode", xml_declaration=False)
    write_new_text(path, '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n")
    return path
