"""A scenario's exchanges in a few lines: what each body was (never its content), the key
response headers, bounded values and a bounded number of exchanges."""

from typing import Any

import pytest

from gpc_assure.report.exchange_summary import MAX_EXCHANGES, body_line, evidence_summary

BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("an empty body", {"format": "empty", "size": 0}, "body: empty"),
    (
        "an OperationOutcome: its first issue's codes and how many there were",
        {
            "format": "json",
            "size": 368,
            "json": {
                "resourceType": "OperationOutcome",
                "issue": [
                    {
                        "severity": "error",
                        "code": "invalid",
                        "details": {"coding": [{"code": "BAD_REQUEST", "display": "Bad"}]},
                    },
                    {"severity": "warning", "code": "value"},
                ],
            },
        },
        "body: json, 368 bytes, OperationOutcome (2 issue(s); first: error invalid BAD_REQUEST)",
    ),
    (
        "a Binary whose content was not base64: what the evidence kept of it",
        {
            "format": "json",
            "size": 80,
            "json": {
                "resourceType": "Binary",
                "contentType": "application/pdf",
                "content": {"redacted": "content (not valid base64)", "base64_chars": 9},
            },
        },
        "body: json, 80 bytes, Binary (contentType application/pdf; content (not valid base64))",
    ),
    (
        "a body too large to keep whole: its size and digest, not its excerpt",
        {
            "format": "json",
            "truncated": True,
            "excerpt": "[1,2,",
            "size": 14_400_000,
            "sha256": "ab",
        },
        "body: json, 14,400,000 bytes, too large to keep whole (an excerpt is in the evidence "
        "file), sha256 ab",
    ),
    (
        "bytes that are not text: digest and detected type",
        {"format": "bytes", "sha256": "cd", "size": 3, "detected_type": "pdf"},
        "body: bytes, 3 bytes, sha256 cd, detected type pdf",
    ),
    (
        "XML or plain text: never its text",
        {"format": "xml", "size": 40, "text": "<Binary><content value='SECRET'/></Binary>"},
        "body: xml, 40 bytes",
    ),
    (
        "JSON that is no FHIR resource",
        {"format": "json", "size": 2, "json": {}},
        "body: json, 2 bytes, no resourceType",
    ),
]


@pytest.mark.parametrize(
    ("body", "line"), [case[1:] for case in BODIES], ids=[case[0] for case in BODIES]
)
def test_a_body_is_said_in_one_line_without_its_content(body: dict[str, Any], line: str) -> None:
    assert body_line(body) == line


def exchange(status: int = 200, headers: list[list[str]] | None = None) -> dict[str, Any]:
    return {
        "request": {"method": "GET", "url": "https://127.0.0.1:9/Binary/a", "headers": []},
        "response": {
            "status": status,
            "http_version": "HTTP/1.1",
            "headers": headers or [],
            "body": {"format": "empty", "size": 0},
        },
    }


def test_no_response_says_why_and_a_tls_probe_says_what_it_found() -> None:
    failed = {"request": {"method": "GET", "url": "https://x/Binary/a"}, "error": "time-out"}
    probe = {"attempt": "with TLS 1.1", "detail": "refused: protocol version alert"}
    assert evidence_summary([failed], [probe], 1000).splitlines() == [
        "#1 GET https://x/Binary/a",
        "  no response: time-out",
        "TLS probe with TLS 1.1: refused: protocol version alert",
    ]
    assert evidence_summary([], [], 1000) == ""


def test_headers_values_and_exchanges_are_bounded() -> None:
    headers = [["ETag", "W/" + "9" * 5000], ["etag", "again\x1b[2J"], ["Server", "not shown"]]
    many = [exchange(headers=headers)] + [exchange()] * (MAX_EXCHANGES + 2)
    text = evidence_summary(many, [], 100_000)
    etag = next(line for line in text.splitlines() if line.startswith("  ETag: "))
    assert len(etag) < 300
    assert "Server" not in text
    assert text.count("answered HTTP/1.1 200") == MAX_EXCHANGES
    assert text.endswith("... and 3 more exchange(s)")
    assert len(evidence_summary(many, [], 500)) < 600
    short = [exchange(headers=[["ETag", "1"], ["ETag", "again\x1b[2J"]])]
    assert "  ETag: 1, again\\x1b[2J" in evidence_summary(short, [], 1000)
