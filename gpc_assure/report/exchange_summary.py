"""A scenario's recorded exchanges in a few lines of plain text, for result formats that show text
rather than the evidence file: each request line, the status, the response headers a reviewer
looks at first and what the body was (format, size, digest, detected type, the FHIR resource it
held), never its content. Provider values are cut short and their control characters written as
escapes (`\\x1b`)."""

from collections.abc import Mapping, Sequence
from typing import Any

from gpc_assure.report.terminal_text import printable
from gpc_assure.transport.exchange import bounded_text

KEY_RESPONSE_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Encoding",
    "Transfer-Encoding",
    "ETag",
    "Cache-Control",
    "Location",
    "WWW-Authenticate",
)
MAX_VALUE_CHARS = 200
"""The most of any one provider value (a header, a code, an error) a summary shows."""
MAX_EXCHANGES = 10
"""The most exchanges (or TLS probes) a summary lists; the evidence file holds them all."""


def _value(value: object) -> str:
    return bounded_text(printable(str(value)), MAX_VALUE_CHARS)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _header_values(headers: object, name: str) -> list[str]:
    if not isinstance(headers, list):
        return []
    wanted = name.lower()
    return [
        str(row[1])
        for row in headers
        if isinstance(row, list) and len(row) > 1 and str(row[0]).lower() == wanted
    ]


def _request_line(request: Mapping[str, Any]) -> str:
    query = request.get("query")
    pairs = (
        [p for p in query if isinstance(p, list) and len(p) == 2] if isinstance(query, list) else []
    )
    url = str(request.get("url", ""))
    if pairs:
        url += "?" + "&".join(f"{name}={value}" for name, value in pairs)
    return f"{_value(request.get('method', ''))} {_value(url)}"


def _resource(value: Mapping[str, Any]) -> str:
    """What a JSON body held: its resource type and, for a Binary or an OperationOutcome, the
    facts a reviewer looks for (the document only as its digest)."""
    kind = value.get("resourceType")
    if not isinstance(kind, str):
        return "no resourceType"
    if kind == "Binary":
        content = _mapping(value.get("content"))
        if "sha256" in content:
            held = (
                f"document of {_value(content.get('size'))} bytes, sha256 "
                f"{_value(content.get('sha256'))}, detected type "
                f"{_value(content.get('detected_type'))}"
            )
        elif content:
            held = f"{_value(content.get('redacted', 'content'))}"
        else:
            held = "no content"
        return f"Binary (contentType {_value(value.get('contentType', '(none)'))}; {held})"
    if kind == "OperationOutcome":
        issues = value.get("issue")
        issues = issues if isinstance(issues, list) else []
        if not issues:
            return "OperationOutcome (no issue)"
        first = _mapping(issues[0])
        codes = [
            str(_mapping(c).get("code"))
            for c in _mapping(first.get("details")).get("coding") or []
            if isinstance(c, Mapping)
        ]
        said = " ".join(
            str(part) for part in (first.get("severity"), first.get("code"), *codes) if part
        )
        return f"OperationOutcome ({len(issues)} issue(s); first: {_value(said)})"
    return _value(kind)


def body_line(body: Mapping[str, Any]) -> str:
    """One line saying what a recorded body was."""
    form = body.get("format", "unknown")
    if form == "empty":
        return "body: empty"
    facts = [_value(form)]
    if isinstance(body.get("size"), int):
        facts.append(f"{body['size']:,} bytes")
    if body.get("truncated"):
        facts.append("too large to keep whole (an excerpt is in the evidence file)")
    for key in ("sha256", "detected_type", "note"):
        if key in body:
            facts.append(f"{key.replace('_', ' ')} {_value(body[key])}")
    if form == "json" and isinstance(body.get("json"), Mapping):
        facts.append(_resource(body["json"]))
    return "body: " + ", ".join(facts)


def exchange_lines(number: int, exchange: Mapping[str, Any]) -> list[str]:
    request = _mapping(exchange.get("request"))
    lines = [f"#{number} {_request_line(request)}"]
    lines += [f"  Accept: {_value(v)}" for v in _header_values(request.get("headers"), "Accept")]
    response = exchange.get("response")
    if not isinstance(response, Mapping):
        lines.append(f"  no response: {_value(exchange.get('error', 'none recorded'))}")
        return lines
    elapsed = exchange.get("elapsed_ms")
    took = f" in {elapsed:,.1f} ms" if isinstance(elapsed, int | float) else ""
    status = f"{_value(response.get('http_version', ''))} {_value(response.get('status', ''))}"
    lines.append(f"  answered {status.strip()}{took}")
    for name in KEY_RESPONSE_HEADERS:
        values = _header_values(response.get("headers"), name)
        if values:
            lines.append(f"  {name}: {_value(', '.join(values))}")
    lines.append(f"  {body_line(_mapping(response.get('body')))}")
    return lines


def probe_line(probe: Mapping[str, Any]) -> str:
    return f"TLS probe {_value(probe.get('attempt', ''))}: {_value(probe.get('detail', ''))}"


def evidence_summary(
    exchanges: Sequence[Mapping[str, Any]], probes: Sequence[Mapping[str, Any]], limit: int
) -> str:
    """The exchanges and TLS probes in plain text, at most `limit` characters ("" when none)."""
    lines: list[str] = []
    for number, exchange in enumerate(exchanges[:MAX_EXCHANGES], 1):
        lines += exchange_lines(number, _mapping(exchange))
    if len(exchanges) > MAX_EXCHANGES:
        lines.append(f"... and {len(exchanges) - MAX_EXCHANGES} more exchange(s)")
    lines += [probe_line(_mapping(probe)) for probe in probes[:MAX_EXCHANGES]]
    if len(probes) > MAX_EXCHANGES:
        lines.append(f"... and {len(probes) - MAX_EXCHANGES} more TLS probe(s)")
    return bounded_text("\n".join(lines), limit) if lines else ""
