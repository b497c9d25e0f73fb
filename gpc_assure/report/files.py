"""Finishing touches on a report folder once the run has written it: readable JUnit names,
redaction of chosen values in every file, and the integrity manifest."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.report.redaction import MIN_SECRET_CHARS as _MIN_SECRET_CHARS
from gpc_assure.report.redaction import REDACTED
from gpc_assure.request.jwt_claims import valid_claims
from gpc_assure.request.retrieve import valid_request

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")


def readable_junit(path: Path) -> None:
    """Name each JUnit test case after its scenario ("Feature: Scenario [example]")."""
    if not path.is_file():
        return
    tree = ET.parse(path)
    for case in tree.iter("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        scenario, feature = properties.get("scenario"), properties.get("feature")
        if not scenario or not feature:
            continue
        name = case.get("name", "")
        document = name.split("[", 1)[1].rstrip("]") if "[" in name else ""
        shown = document if document and document not in scenario else ""
        case.set("name", f"{scenario} [{shown}]" if shown else scenario)
        case.set("classname", feature)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _claim(claims: dict[str, object], path: str) -> list[str]:
    """Every string or number under the dotted `path` (lists are searched through)."""
    nodes: list[object] = [claims]
    for part in path.split("."):
        found: list[object] = []
        for node in nodes:
            items = node if isinstance(node, list) else [node]
            found += [i[part] for i in items if isinstance(i, dict) and part in i]
        nodes = found
    flat: list[str] = []
    for node in nodes:
        for value in node if isinstance(node, list) else [node]:
            if isinstance(value, str | int) and not isinstance(value, bool):
                flat.append(str(value))
    return flat


def secret_values(config: ProviderConfig, names: Iterable[str]) -> tuple[set[str], bool]:
    """The literal values of the named headers and JWT claims, and whether any claim is named
    (then whole tokens must go too: their base64 would still carry the values)."""
    request = valid_request(config, "redaction-probe")
    claims = valid_claims(config, 0)
    values: set[str] = set()
    claim_named = False
    for name in names:
        header = request.header(name)
        if header is not None:
            values.add(header)
            continue
        found = _claim(claims, name)
        if not found:
            raise ValueError(
                f"--redact {name}: not a request header or JWT claim path "
                "(e.g. Ssp-From, Ssp-To, requesting_organization.identifier.value)"
            )
        values.update(found)
        claim_named = True
    short = sorted(v for v in values if len(v) < _MIN_SECRET_CHARS)
    if short:
        raise ValueError(
            f"--redact: a value of {len(short[0])} characters cannot be masked safely "
            f"(at least {_MIN_SECRET_CHARS} needed); drop that name or change its value"
        )
    return values, claim_named


def redact_folder(report_dir: Path, values: set[str], tokens: bool) -> int:
    """Mask `values` (and JWTs when `tokens`) in every text file; returns files changed."""
    changed = 0
    ordered = sorted(values, key=len, reverse=True)
    for path in sorted(p for p in report_dir.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        new = _JWT.sub(REDACTED, text) if tokens else text
        for value in ordered:
            new = new.replace(value, REDACTED)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed
