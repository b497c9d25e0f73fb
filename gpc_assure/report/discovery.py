"""discovery.json: how the documents were found from the configured NHS numbers (NHS number ->
Patient -> DocumentReference -> Binary), with the two searches' exchanges as evidence, masked
and bounded like every exchange. A reviewer follows the consumer's path from it."""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from gpc_assure.discovery.chain import Discovery, FoundDocument
from gpc_assure.discovery.roles import DocumentRoles
from gpc_assure.report.folder import write_new_text
from gpc_assure.report.redaction import Redactor

DISCOVERY_FILE = "discovery.json"

_Key = tuple[int, str | None, int | None]


def _key(document: FoundDocument) -> _Key:
    """A found document's place: its search step, DocumentReference and content item."""
    return (document.step_index, document.document_reference_id, document.content_index)


def discovery_view(discovery: Discovery, roles: DocumentRoles | None) -> dict[str, Any]:
    """The discovery as plain JSON values: each step, each document with its part, the problems."""
    parts: dict[_Key, str] = {}
    reasons: dict[_Key, str] = {}
    if roles is not None:
        for document in roles.ordinary:
            parts[_key(document)] = "ordinary"
        if roles.large is not None:
            parts[_key(roles.large)] = "large"
        for document in roles.oversize:
            parts[_key(document)] = "oversize"
        for aside in roles.set_aside:
            parts[_key(aside.document)] = "set aside"
            reasons[_key(aside.document)] = aside.reason
    return {
        "patients": [{"nhs_number": n, "patient_id": p} for n, p in discovery.patients],
        "steps": [
            {**asdict(step), "kind": step.kind.value, "asked": step.asked}
            for step in discovery.steps
        ],
        "documents": [
            {
                **asdict(document),
                "url_form": document.url_form.value,
                "provenance": document.provenance,
                "part": parts.get(_key(document), "none"),
                "set_aside_because": reasons.get(_key(document)),
            }
            for document in discovery.documents
        ],
        "problems": [str(problem) for problem in discovery.problems],
        "notes": list(discovery.notes),
        "stop_reason": discovery.stop_reason,
    }


def write_discovery(
    report_dir: Path, discovery: Discovery, roles: DocumentRoles | None, masks: Redactor
) -> Path:
    """discovery.json in the report folder (masked); the exchanges' bodies are released."""
    sent = (x.request.header("Authorization") for x in discovery.exchanges)
    masks = masks.with_tokens_of(a for a in sent if a is not None)
    view = discovery_view(discovery, roles)
    view["exchanges"] = [exchange.to_evidence() for exchange in discovery.exchanges]
    path = report_dir / DISCOVERY_FILE
    write_new_text(path, json.dumps(masks.mask(view), separators=(",", ":")))
    for exchange in discovery.exchanges:
        exchange.release()
    return path
