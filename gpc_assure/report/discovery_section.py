"""The assurance report's `discovery` section: how each document was found from the NHS numbers
(the searches, their outcomes, each document's provenance and part), read back from
discovery.json without its exchanges, which stay there.

The file is the suite's own, but its strings came from the provider: they are kept as data,
each cut to a bound, and every list is cut too, saying so in the section's notes.
"""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gpc_assure.discovery.chain import MAX_FOUND_DOCUMENTS
from gpc_assure.report.discovery import DISCOVERY_FILE

MAX_FILE_BYTES = 32 * 2**20
"""A discovery.json larger than this is not read back (its exchanges make up nearly all of it)."""
MAX_STEPS = 100
MAX_DOCUMENTS = MAX_FOUND_DOCUMENTS
MAX_LISTED = 100
"""Patients, problems and notes kept, each list."""
MAX_ITEM_NOTES = 10
"""A step's notes and a document's remarks kept, each."""
MAX_TEXT_CHARS = 1000
PARTS = frozenset({"ordinary", "large", "oversize", "set aside", "none"})

__all__ = ["MAX_DOCUMENTS", "MAX_FILE_BYTES", "MAX_STEPS", "discovery_section", "summary_of"]


def discovery_section(
    report_dir: Path, nhs_numbers: Sequence[str], *, error: str | None = None
) -> dict[str, Any] | None:
    """The section, when the run was given NHS numbers or wrote discovery.json; else None.
    `error` is why the run stopped, if it did (the searches may never have been sent)."""
    path = report_dir / DISCOVERY_FILE
    found, problem = _read(path)
    if found is None and problem is None and not nhs_numbers:
        return None
    notes: list[str] = []
    if problem is not None:
        notes.append(problem)
    elif found is None:
        notes.append(
            "nothing was searched for: the run stopped first"
            if error
            else f"no {DISCOVERY_FILE} in the report folder"
        )
    data = found or {}
    steps, documents = _list(data.get("steps")), _list(data.get("documents"))
    bounded = ((steps, MAX_STEPS, "steps"), (documents, MAX_DOCUMENTS, "documents"))
    for items, bound, noun in bounded:
        if len(items) > bound:
            notes.append(
                f"the report lists the first {bound} of {len(items):,} {noun}; "
                f"{DISCOVERY_FILE} holds them all"
            )
    return {
        "file": DISCOVERY_FILE if found is not None else None,
        "nhs_numbers": [_text(n) for n in nhs_numbers],
        "patients": [
            {"nhs_number": _text(p.get("nhs_number")), "patient_id": _text(p.get("patient_id"))}
            for p in _list(data.get("patients"))[:MAX_LISTED]
        ],
        "steps": [_step(step) for step in steps[:MAX_STEPS]],
        "documents": [_document(document) for document in documents[:MAX_DOCUMENTS]],
        "problems": _texts(data.get("problems"), MAX_LISTED),
        "notes": (notes + _texts(data.get("notes"), MAX_LISTED))[:MAX_LISTED],
        "stop_reason": _optional_text(data.get("stop_reason")),
    }


def summary_of(section: Mapping[str, Any]) -> dict[str, Any]:
    """The section in counts, for summary.json."""
    return {
        "nhs_numbers": len(section["nhs_numbers"]),
        "patients": len(section["patients"]),
        "documents": len(section["documents"]),
        "problems": len(section["problems"]),
        "stop_reason": section["stop_reason"],
    }


def _read(path: Path) -> tuple[Mapping[str, Any] | None, str | None]:
    """The file's JSON object, or why it could not be read (both None: there is no file)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{DISCOVERY_FILE} could not be read back: {exc.strerror or exc}"
    if len(data) > MAX_FILE_BYTES:
        return None, (
            f"{DISCOVERY_FILE} is larger than the {MAX_FILE_BYTES // 2**20} MiB the report reads "
            "back: see the file itself"
        )
    try:
        value = json.loads(data)
    except ValueError:
        return None, f"{DISCOVERY_FILE} could not be read back: it is not JSON"
    if not isinstance(value, dict):
        return None, f"{DISCOVERY_FILE} could not be read back: it is not a JSON object"
    return value, None


def _step(step: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": _text(step.get("kind")),
        "nhs_number": _text(step.get("nhs_number")),
        "patient_id": _optional_text(step.get("patient_id")),
        "asked": _text(step.get("asked")),
        "outcome": _text(step.get("outcome")),
        "ok": step.get("ok") is True,
        "notes": _texts(step.get("notes"), MAX_ITEM_NOTES),
        "exchange_index": _count(step.get("exchange_index")),
    }


def _document(document: Mapping[str, Any]) -> dict[str, Any]:
    part = document.get("part")
    return {
        "provenance": _text(document.get("provenance")),
        "nhs_number": _text(document.get("nhs_number")),
        "patient_id": _text(document.get("patient_id")),
        "document_reference_id": _optional_text(document.get("document_reference_id")),
        "binary_id": _optional_text(document.get("binary_id")),
        "url": _optional_text(document.get("url")),
        "url_form": _text(document.get("url_form")),
        "url_reason": _optional_text(document.get("url_reason")),
        "content_type": _optional_text(document.get("content_type")),
        "size": _count(document.get("size")),
        "title": _optional_text(document.get("title")),
        "remarks": _texts(document.get("remarks"), MAX_ITEM_NOTES),
        "part": part if part in PARTS else "none",
        "set_aside_because": _optional_text(document.get("set_aside_because")),
    }


def _list(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text(value: object) -> str:
    """Any value as text, cut at MAX_TEXT_CHARS; None as ""."""
    text = "" if value is None else value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 3] + "..."


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _texts(value: object, bound: int) -> list[str]:
    return [_text(item) for item in value[:bound]] if isinstance(value, list) else []


def _count(value: object) -> int | None:
    """A non-negative integer, or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
