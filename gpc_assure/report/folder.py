"""Claiming the report folder before a run writes to it: the folder must be new or empty, or,
with --force, hold only what an earlier run wrote (which is then removed). Symbolic links are
never followed: a folder that is one, or holds one, is refused."""

import os
import shutil
import stat
from pathlib import Path

RUN_ENTRIES = frozenset(
    {
        "summary.json",
        "assurance-report.json",
        "assurance-report.html",
        "junit.xml",
        "cucumber.json",
        "allure-results",
        "evidence",
        "resolved-config.json",
        "discovery.json",
        "records.jsonl",
        "manifest.json",
        "manifest.sig",
        "SHA256SUMS",
    }
)
"""What a run writes at the top of its report folder: all that --force may remove. A file an
earlier manifest names is not enough, since a manifest can be planted too."""
LONGEST_ENTRY = len("/evidence/") + 150 + len(".json")
"""The longest path a run writes below its folder (an evidence file; see plugin)."""


class ReportFolderError(Exception):
    """The report folder cannot be used; the message is one line naming the folder."""


def claim(report_dir: Path, *, force: bool = False, force_option: str = "--force") -> None:
    """Make `report_dir` ready for a run: create it, or check that it is empty, or (with
    `force`, given as `force_option`) remove what an earlier run wrote there. Raises
    ReportFolderError."""
    _check_length(report_dir)
    try:
        mode = report_dir.lstat().st_mode
    except FileNotFoundError:
        _create(report_dir)
        return
    except OSError as exc:
        raise ReportFolderError(f"{report_dir}: cannot be used ({exc.strerror or exc})") from None
    if stat.S_ISLNK(mode):
        raise ReportFolderError(f"{report_dir}: is a symbolic link; give the folder itself")
    if not stat.S_ISDIR(mode):
        raise ReportFolderError(f"{report_dir}: exists and is not a folder")
    try:
        entries = sorted(entry.name for entry in report_dir.iterdir())
    except OSError as exc:
        raise ReportFolderError(f"{report_dir}: cannot be read ({exc.strerror or exc})") from None
    if not entries:
        return
    link = _first_symlink(report_dir)
    if link is not None:
        raise ReportFolderError(
            f"{report_dir}: holds a symbolic link ({link}); use an empty folder"
        )
    if not force:
        raise ReportFolderError(
            f"{report_dir}: not empty; use a new or empty folder, or {force_option} to replace "
            "an earlier run's report"
        )
    foreign = [e for e in entries if e not in RUN_ENTRIES]
    if foreign:
        raise ReportFolderError(
            f"{report_dir}: holds {foreign[0]!r}, which no run wrote; {force_option} removes only "
            "an earlier run's report: use a new or empty folder"
        )
    for entry in entries:
        _remove(report_dir / entry)


def _check_length(report_dir: Path) -> None:
    """Every file a run writes must fit the system's path limits."""
    absolute = report_dir.absolute()
    try:
        path_max = os.pathconf("/", "PC_PATH_MAX")
        name_max = os.pathconf("/", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        path_max, name_max = 4096, 255
    if len(os.fsencode(absolute)) + LONGEST_ENTRY >= path_max or any(
        len(os.fsencode(part)) > name_max for part in absolute.parts
    ):
        raise ReportFolderError(f"{report_dir}: path too long for the files a run writes")


def _create(report_dir: Path) -> None:
    try:
        report_dir.mkdir(parents=True)
    except OSError as exc:
        raise ReportFolderError(
            f"{report_dir}: cannot be created ({exc.strerror or exc})"
        ) from None


def _first_symlink(report_dir: Path) -> str | None:
    """The first symbolic link under `report_dir` (never followed), relative to it."""
    for root, dirs, files in os.walk(report_dir, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(root) / name
            if path.is_symlink():
                return str(path.relative_to(report_dir))
    return None


def _remove(path: Path) -> None:
    """Remove a file or folder of an earlier run (links inside are unlinked, never followed)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError as exc:
        raise ReportFolderError(f"{path}: cannot be removed ({exc.strerror or exc})") from None


def write_new_text(path: Path, text: str, *, exclusive: bool = True) -> None:
    """Write `text` to `path`, never through a symbolic link; when `exclusive`, the file must
    not exist yet (else it is replaced)."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_EXCL if exclusive else os.O_TRUNC
    with os.fdopen(os.open(path, flags, 0o644), "w", encoding="utf-8") as handle:
        handle.write(text)
