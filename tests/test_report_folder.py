"""The report folder a run claims: new or empty, or an earlier run's with force; no links."""

from pathlib import Path

import pytest

from gpc_assure.report.discovery import DISCOVERY_FILE
from gpc_assure.report.folder import RUN_ENTRIES, ReportFolderError, claim, write_new_text


def earlier_run(folder: Path) -> None:
    """What a previous run leaves behind."""
    (folder / "evidence").mkdir(parents=True)
    (folder / "evidence" / "scenario.json").write_text("{}")
    for name in ("summary.json", "junit.xml", "manifest.json", "manifest.sig"):
        (folder / name).write_text("old")


def test_a_new_folder_is_created(tmp_path: Path) -> None:
    claim(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    claim(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_with_files_is_refused_without_force(tmp_path: Path) -> None:
    earlier_run(tmp_path)
    with pytest.raises(ReportFolderError, match=r"not empty; .*--force"):
        claim(tmp_path)
    assert (tmp_path / "summary.json").read_text() == "old"


def test_force_removes_an_earlier_runs_files(tmp_path: Path) -> None:
    earlier_run(tmp_path)
    claim(tmp_path, force=True)
    assert list(tmp_path.iterdir()) == []


def test_force_refuses_a_file_no_run_wrote_and_removes_nothing(tmp_path: Path) -> None:
    earlier_run(tmp_path)
    (tmp_path / "thesis.docx").write_text("mine")
    with pytest.raises(ReportFolderError, match=r"'thesis\.docx', which no run wrote"):
        claim(tmp_path, force=True)
    assert (tmp_path / "thesis.docx").read_text() == "mine"
    assert (tmp_path / "summary.json").exists()


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_that_is_a_link_is_refused(tmp_path: Path, force: bool) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(ReportFolderError, match="is a symbolic link"):
        claim(tmp_path / "link", force=force)


@pytest.mark.parametrize("where", ["summary.json", "evidence/scenario.json"])
def test_a_planted_link_is_refused_even_with_force(tmp_path: Path, where: str) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    folder = tmp_path / "report"
    earlier_run(folder)
    (folder / where).unlink()
    (folder / where).symlink_to(outside)
    with pytest.raises(ReportFolderError, match=f"symbolic link \\({where}\\)"):
        claim(folder, force=True)
    assert outside.read_text() == "precious"
    assert (folder / where).is_symlink()


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "report").write_text("x")
    with pytest.raises(ReportFolderError, match="not a folder"):
        claim(tmp_path / "report")
    with pytest.raises(ReportFolderError, match=r"cannot be used \(Not a directory\)"):
        claim(tmp_path / "report" / "below")


@pytest.mark.parametrize("name", ["n" * 300, "/".join(["d" * 200] * 25)])
def test_an_over_long_path_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ReportFolderError, match="path too long"):
        claim(tmp_path / name)


def test_every_report_file_name_is_known() -> None:
    assert {"summary.json", "evidence", "allure-results", "manifest.json"} <= RUN_ENTRIES
    assert DISCOVERY_FILE in RUN_ENTRIES


def test_write_new_text_neither_overwrites_nor_follows_a_link(tmp_path: Path) -> None:
    write_new_text(tmp_path / "a.json", "{}")
    assert (tmp_path / "a.json").read_text() == "{}"
    with pytest.raises(FileExistsError):
        write_new_text(tmp_path / "a.json", "again")
    (tmp_path / "link.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(OSError, match="link"):
        write_new_text(tmp_path / "link.json", "through")
    assert not (tmp_path / "elsewhere.json").exists()


def test_write_new_text_may_replace_a_file_but_never_a_link(tmp_path: Path) -> None:
    write_new_text(tmp_path / "a.json", "old")
    write_new_text(tmp_path / "a.json", "new", exclusive=False)
    assert (tmp_path / "a.json").read_text() == "new"
    (tmp_path / "link.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(OSError, match="link"):
        write_new_text(tmp_path / "link.json", "through", exclusive=False)
    assert not (tmp_path / "elsewhere.json").exists()
