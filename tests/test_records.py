"""The record stream: appended line by line, read back whole and in scenario order."""

from pathlib import Path

import pytest

from gpc_assure.report.records import RECORDS_FILE, RecordStream, ScenarioRecord


def record(node: str, outcome: str = "passed") -> ScenarioRecord:
    return ScenarioRecord(
        id=f"steps/test_conformance.py::{node}",
        feature="Retrieve a document",
        name=node,
        tags=[],
        requirements=["GPC-DOC-OK-001"],
        outcome=outcome,
        message="",
        findings=[{"requirement": "GPC-DOC-OK-001", "verdict": "met"}],
        duration=0.5,
    )


def test_records_come_back_as_appended_and_sorted_by_id(tmp_path: Path) -> None:
    stream = RecordStream(tmp_path)
    for node in ("test_c", "test_a", "test_b"):
        stream.append(record(node))
    assert [r.name for r in stream] == ["test_c", "test_a", "test_b"]
    assert [r.name for r in stream.sorted()] == ["test_a", "test_b", "test_c"]
    assert stream.sorted()[0] == record("test_a")
    assert len((tmp_path / RECORDS_FILE).read_text().splitlines()) == 3


def test_an_empty_run_has_no_records(tmp_path: Path) -> None:
    assert RecordStream(tmp_path).sorted() == []


def test_the_stream_is_never_written_through_a_symbolic_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("kept")
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / RECORDS_FILE).symlink_to(outside)
    with pytest.raises(OSError, match="symbolic links"):
        RecordStream(folder).append(record("test_a"))
    assert outside.read_text() == "kept"
