"""The HTML assurance report: self-contained, escaped, complete, and fast enough."""

import base64
import copy
import hashlib
import inspect
import json
import re
import sys
from functools import cache
from html.parser import HTMLParser
from typing import Any

import pytest
from jinja2 import UndefinedError
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from gpc_assure.report.html import (
    MAX_BODY_CHARS,
    MAX_LISTED_SCENARIOS,
    PREVIEW_CHARS,
    PREVIEW_LINES,
    TEMPLATE,
    TITLE,
    Status,
    body_view,
    environment,
    page_view,
    render_html,
)
from gpc_assure.spec.paths import SCHEMAS_DIR

HOSTILE = "<script>alert(1)</script>"
SHA = "ab" * 32
SPEC_PAGE = "https://developer.nhs.uk/apis/gpconnect-documents-1-6-0/"
VOID_TAGS = frozenset({"br", "meta", "hr", "img", "input", "link", "wbr", "col", "source"})


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads((SCHEMAS_DIR / "assurance-report.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema)


def assert_valid(report: dict[str, Any]) -> None:
    errors = [e.message for e in _validator().iter_errors(report)]
    assert errors == []


class PageParser(HTMLParser):
    """Collects tags and attributes, checks nesting, and notes the details elements of each
    card."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.ids: list[str] = []
        self.stack: list[str] = []
        self.card: str | None = None
        self.details: dict[str, list[bool]] = {}  # a card's evidence: open or not
        self.full: dict[str, list[bool]] = {}  # its exchanges' "Full exchange": open or not
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.elements.append((tag, dict(attrs)))
        self.attrs.extend(attrs)
        named = dict(attrs)
        if named.get("id"):
            self.ids.append(str(named["id"]))
        if tag == "article":
            self.card = named.get("id")
        if tag == "details" and self.card is not None:
            kind = self.details if named.get("class") == "evidence" else self.full
            kind.setdefault(self.card, []).append("open" in named)
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack.pop() == tag, f"</{tag}> closes the wrong element"
        if tag == "article":
            self.card = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    return parser


# --------------------------------------------------------------------------------------------
# Sample reports


def requirement(req_id: str, status: str, scenarios: list[str], level: str = "MUST") -> Any:
    return {
        "id": req_id,
        "level": level,
        "summary": f"Summary of {req_id}",
        "versions": ["1.6"],
        "source": {"page": "Retrieve a document", "section": "Response", "url": SPEC_PAGE},
        "notes": "",
        "status": status,
        "status_reason": "",
        "scenarios": scenarios,
    }


def scenario(
    sid: str, name: str, outcome: str, reqs: list[str], exchanges: list[Any] | None = None
) -> Any:
    step_status = "failed" if outcome == "failed" else "passed"
    return {
        "id": sid,
        "feature": "Retrieve a document",
        "name": name,
        "tags": [f"req:{r}" for r in reqs],
        "requirements": reqs,
        "outcome": outcome,
        "message": "",
        "steps": [
            {"keyword": "Given", "text": "a valid request", "status": "passed"},
            {"keyword": "Then", "text": "the response status is 200", "status": step_status},
        ],
        "findings": [
            {
                "requirement": r,
                "level": "MUST",
                "verdict": "met" if outcome == "passed" else "failed",
                "expected": "status 200",
                "observed": "status 200" if outcome == "passed" else "status 500",
            }
            for r in reqs
        ],
        "exchanges": exchanges if exchanges is not None else [binary_exchange()],
        "tls_probes": [],
    }


def binary_exchange() -> Any:
    return {
        "started_at": "2025-01-01T10:00:01+00:00",
        "elapsed_ms": 12.5,
        "request": {
            "method": "GET",
            "url": "https://provider.example/fhir/Binary/doc-1",
            "query": [],
            "headers": [["Ssp-TraceID", "abc"], ["Authorization", "Bearer e30.e30."]],
            "jwt": {
                "decoded": True,
                "header": {"alg": "none", "typ": "JWT"},
                "claims": {"iss": "https://consumer.example", "reason_for_request": "directcare"},
                "signature": "",
            },
        },
        "response": {
            "status": 200,
            "http_version": "HTTP/1.1",
            "headers": [["Content-Type", "application/fhir+json"], ["X-Provider", HOSTILE]],
            "tls": {"version": "TLSv1.2", "cipher": "ECDHE-RSA-AES256-GCM-SHA384"},
            "body": {
                "format": "json",
                "size": 321,
                "json": {
                    "resourceType": "Binary",
                    "id": "doc-1",
                    "contentType": "application/pdf",
                    "content": {
                        "redacted": "document content",
                        "sha256": SHA,
                        "size": 5120,
                        "detected_type": "pdf",
                    },
                },
            },
        },
    }


def outcome_exchange() -> Any:
    exchange = binary_exchange()
    exchange["request"]["query"] = [["_format", "json"]]
    exchange["request"]["jwt"] = {"decoded": False, "reason": "2 dot-separated parts, not 3"}
    exchange["response"]["status"] = 500
    exchange["response"]["body"] = {
        "format": "json",
        "size": 400,
        "json": {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": "exception",
                    "details": {"coding": [{"code": "INTERNAL_SERVER_ERROR", "display": "Oops"}]},
                    "diagnostics": f"stack trace {HOSTILE}",
                }
            ],
        },
    }
    return exchange


def failed_connection() -> Any:
    return {
        "started_at": "2025-01-01T10:00:02+00:00",
        "elapsed_ms": 5000.0,
        "request": {
            "method": "GET",
            "url": "https://provider.example/fhir/Binary/doc-2",
            "query": [],
            "headers": [],
            "jwt": None,
        },
        "error": "ConnectTimeout: timed out",
    }


def base_report() -> dict[str, Any]:
    return {
        "report_version": "1",
        "suite": {
            "name": "gpc-assure",
            "version": "0.1.0",
            "git_commit": "0123abcd",
            "build": "ab" * 32,
        },
        "run": {
            "id": "run-42",
            "started_at": "2025-01-01T10:00:00+00:00",
            "finished_at": "2025-01-01T10:01:30+00:00",
            "host": "assure-host",
            "platform": "Linux-6.1-x86_64",
            "python": "3.12.1",
        },
        "provider": {
            "base_url": "https://provider.example/fhir",
            "proxy_url": None,
            "embedded_reference_provider": False,
            "transport": "mutual TLS",
            "transport_assured": True,
        },
        "spec_version": "1.6",
        "verdict": {
            "status": "conformant",
            "reason": "Every MUST requirement passed.",
            "counts": {
                "must_passed": 1,
                "must_failed": 0,
                "should_passed": 0,
                "should_warnings": 0,
                "not_tested": 1,
                "manual": 0,
                "not_applicable": 0,
                "scenarios": {"passed": 1, "failed": 0, "warning": 0, "skipped": 0, "error": 0},
            },
        },
        "requirements": [
            requirement("GPC-DOC-RESP-001", "passed", ["retrieve.feature::Retrieve a PDF"]),
            requirement("GPC-DOC-HDR-002", "not-tested", [], level="SHOULD"),
        ],
        "scenarios": [
            scenario(
                "retrieve.feature::Retrieve a PDF", "Retrieve a PDF", "passed", ["GPC-DOC-RESP-001"]
            )
        ],
        "not_tested": [
            {"kind": "requirement", "id": "GPC-DOC-HDR-002", "reason": "needs manual review"}
        ],
    }


def non_conformant_report() -> dict[str, Any]:
    report = base_report()
    failing = scenario(
        "errors.feature::Unknown document",
        "Unknown document gives an OperationOutcome",
        "failed",
        ["GPC-DOC-ERR-003"],
        exchanges=[outcome_exchange(), failed_connection()],
    )
    failing["feature"] = "Errors"
    failing["message"] = f"GPC-DOC-ERR-003: expected 404; observed 500 {HOSTILE}"
    failing["tls_probes"] = [
        {
            "attempt": "with TLS 1.0 only",
            "connected": True,
            "handshake": False,
            "accepted": False,
            "tls_version": None,
            "cipher": None,
            "detail": "handshake refused: unsupported protocol",
            "unsupported_locally": False,
        }
    ]
    report["scenarios"].append(failing)
    report["requirements"].append(
        requirement("GPC-DOC-ERR-003", "failed", ["errors.feature::Unknown document"])
    )
    report["requirements"][-1]["notes"] = "The spec is ambiguous about 404 versus 400."
    report["verdict"]["status"] = "non-conformant"
    report["verdict"]["reason"] = "1 MUST requirement failed."
    report["verdict"]["counts"]["must_failed"] = 1
    report["verdict"]["counts"]["scenarios"]["failed"] = 1
    return report


def plain_http_report() -> dict[str, Any]:
    report = base_report()
    report["provider"].update(
        {
            "base_url": "http://127.0.0.1:8080/fhir",
            "proxy_url": "http://proxy.example:3128",
            "embedded_reference_provider": True,
            "transport": "plain HTTP (not assured)",
            "transport_assured": False,
        }
    )
    report["verdict"]["status"] = "incomplete"
    report["verdict"]["reason"] = "Transport security was not assured."
    return report


def run_error_report() -> dict[str, Any]:
    report = base_report()
    report["run"]["error"] = "provider unreachable: connection refused"
    report["verdict"]["status"] = "incomplete"
    report["verdict"]["reason"] = "The provider could not be evaluated."
    report["scenarios"] = []
    report["requirements"][0]["status"] = "not-tested"
    report["requirements"][0]["scenarios"] = []
    return report


NHS_1, NHS_2 = "9690937278", "9690937286"
PROVENANCE = (
    f"NHS number {NHS_1} -> Patient gpc-patient-1 -> DocumentReference gpc-docref-small-pdf "
    "-> Binary gpc-doc-small-pdf"
)
PROVIDER_URL = "https://provider.example/fhir/Binary/gpc-doc-small-pdf"


def search_step(
    kind: str, nhs_number: str, index: int, outcome: str, patient_id: str | None = None
) -> dict[str, Any]:
    asked = f"Patient {patient_id} (NHS number {nhs_number})" if patient_id else None
    return {
        "kind": kind,
        "nhs_number": nhs_number,
        "patient_id": patient_id,
        "asked": asked or f"NHS number {nhs_number}",
        "outcome": outcome,
        "ok": True,
        "notes": [],
        "exchange_index": index,
    }


def found_document(
    docref: str, binary: str | None, part: str, size: int, **fields: Any
) -> dict[str, Any]:
    return {
        "provenance": f"NHS number {NHS_1} -> Patient gpc-patient-1 -> DocumentReference "
        f"{docref} -> Binary {binary or '(absent)'}",
        "nhs_number": NHS_1,
        "patient_id": "gpc-patient-1",
        "document_reference_id": docref,
        "binary_id": binary,
        "url": f"https://provider.example/fhir/Binary/{binary}" if binary else None,
        "url_form": "the configured service root's Binary" if binary else "absent",
        "url_reason": None if binary else "the attachment has no url",
        "content_type": "application/pdf",
        "size": size,
        "title": None,
        "remarks": [],
        "part": part,
        "set_aside_because": None,
        **fields,
    }


def discovery_report() -> dict[str, Any]:
    """A conformant run that found its documents from two NHS numbers: the second finds no
    patient; the first a small, a large and an oversize document, and one set aside."""
    report = base_report()
    report["discovery"] = {
        "file": "discovery.json",
        "nhs_numbers": [NHS_1, NHS_2],
        "patients": [{"nhs_number": NHS_1, "patient_id": "gpc-patient-1"}],
        "steps": [
            search_step("Find a Patient", NHS_1, 0, "1 Patient with this NHS number"),
            search_step(
                "DocumentReference search", NHS_1, 1, "4 DocumentReferences", "gpc-patient-1"
            ),
            search_step("Find a Patient", NHS_2, 2, "no Patient with this NHS number"),
        ],
        "documents": [
            found_document("gpc-docref-small-pdf", "gpc-doc-small-pdf", "ordinary", 621),
            found_document("gpc-docref-large-pdf", "gpc-doc-large-pdf", "large", 4_900_000),
            found_document(
                "gpc-docref-oversize-pdf",
                None,
                "oversize",
                5_500_000,
                title="Not returned: over 5MB",
            ),
            found_document(
                "gpc-docref-again",
                "gpc-doc-small-pdf",
                "set aside",
                621,
                set_aside_because="the same Binary as another document",
            ),
        ],
        "problems": [],
        "notes": [],
        "stop_reason": None,
    }
    return report


SAMPLES = {
    "conformant": base_report,
    "non-conformant": non_conformant_report,
    "plain-http": plain_http_report,
    "run-error": run_error_report,
    "discovery": discovery_report,
}


# --------------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("name", SAMPLES)
def test_page_is_self_contained_and_well_formed(name: str) -> None:
    report = SAMPLES[name]()
    assert_valid(report)
    page = render_html(report)
    parsed = parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert TITLE in parsed.text
    assert "script" not in parsed.tags
    assert not {"link", "iframe", "img", "object", "embed"} & set(parsed.tags)
    assert all(attr != "src" for attr, _ in parsed.attrs)
    assert "src=" not in page
    sources = {r["source"]["url"] for r in report["requirements"]}
    hrefs = [value or "" for attr, value in parsed.attrs if attr == "href"]
    assert all(h.startswith("#") or h in sources for h in hrefs)
    ids = set(parsed.ids)
    assert len(ids) == len(parsed.ids), "element ids are unique"
    assert all(h[1:] in ids for h in hrefs if h.startswith("#"))


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("conformant", "Conformant"),
        ("non-conformant", "Non-conformant"),
        ("plain-http", "Incomplete"),
    ],
)
def test_verdict_requirements_and_scenarios_appear(name: str, verdict: str) -> None:
    report = SAMPLES[name]()
    text = "".join(parse(render_html(report)).text)
    assert verdict in text
    assert report["verdict"]["reason"] in text
    for req in report["requirements"]:
        assert req["id"] in text
    for item in report["scenarios"]:
        assert item["name"] in text


def test_hostile_strings_are_escaped() -> None:
    page = render_html(non_conformant_report())
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "script" not in parse(page).tags


def test_hostile_source_url_is_not_a_link() -> None:
    report = base_report()
    for req in report["requirements"]:
        req["source"]["url"] = "javascript:alert(1)"
    page = render_html(report)
    hrefs = [v for a, v in parse(page).attrs if a == "href"]
    assert all(h is not None and h.startswith("#") for h in hrefs)


def test_failed_scenario_shows_its_evidence_open() -> None:
    report = non_conformant_report()
    assert_valid(report)
    page = render_html(report)
    parsed = parse(page)
    text = "".join(parsed.text)
    assert "expected 404; observed 500" in text
    assert "INTERNAL_SERVER_ERROR" in text
    assert "2 dot-separated parts, not 3" in text
    assert "ConnectTimeout: timed out" in text
    assert "handshake refused: unsupported protocol" in text
    assert "with TLS 1.0 only" in text
    assert "The spec is ambiguous about 404 versus 400." in text
    assert "\u2717" in text
    failed_card, passed_card = (
        "scenario-errors-feature-unknown-document",
        "scenario-retrieve-feature-retrieve-a-pdf",
    )
    assert parsed.details[failed_card] == [True]
    assert parsed.details[passed_card] == [False]
    assert f'href="#{failed_card}"' in page or f"href='#{failed_card}'" in page


def test_binary_digest_jwt_and_tls_are_shown() -> None:
    text = "".join(parse(render_html(base_report())).text)
    assert f"SHA-256 {SHA}, 5,120 bytes, detected type pdf" in text
    assert '"reason_for_request": "directcare"' in text
    assert "TLSv1.2" in text
    assert "ECDHE-RSA-AES256-GCM-SHA384" in text
    assert "12.5 ms" in text


def test_plain_http_warns_that_transport_was_not_assured() -> None:
    text = "".join(parse(render_html(plain_http_report())).text)
    assert "transport security was NOT assured" in text
    assert "embedded reference provider" in text
    assert "http://proxy.example:3128" in text
    assured = "".join(parse(render_html(base_report())).text)
    assert "NOT assured" not in assured


def test_run_error_is_shown() -> None:
    report = run_error_report()
    assert_valid(report)
    text = "".join(parse(render_html(report)).text)
    assert "provider unreachable: connection refused" in text
    assert "No scenario ran." in text


def test_large_text_body_is_truncated() -> None:
    report = base_report()
    big = "x" * (5 * 1024 * 1024)
    body = {"format": "text", "size": len(big), "text": big}
    report["scenarios"][0]["exchanges"][0]["response"]["body"] = body
    assert_valid(report)
    page = render_html(report)
    assert len(page) < 200_000
    assert f"first {MAX_BODY_CHARS:,} of {len(big):,} characters" in page


def test_hundred_scenarios_render_quickly_and_compactly() -> None:
    report = non_conformant_report()
    template = report["scenarios"][1]
    report["scenarios"] = []
    for n in range(100):
        item = copy.deepcopy(template)
        item["id"] = f"errors.feature::Scenario {n}"
        item["name"] = f"Scenario {n}"
        item["outcome"] = "passed" if n % 3 else "failed"
        report["scenarios"].append(item)
    assert_valid(report)
    page = render_html(report)
    parse(page)
    assert len(page.encode("utf-8")) < 5_000_000


def test_other_outcomes_and_body_formats() -> None:
    report = base_report()
    warned = scenario("s.feature::Warned", "Warned scenario", "warning", ["GPC-DOC-RESP-001"])
    warned["message"] = "GPC-DOC-HDR-002: expected a Cache-Control header; observed none"
    warned["steps"][1]["status"] = "not-run"
    exchange = warned["exchanges"][0]
    exchange["response"]["body"] = {"format": "xml", "size": 30, "text": "<Binary><id/></Binary>"}
    exchange["request"]["body"] = {"format": "empty", "size": 0}
    raw = binary_exchange()
    raw["response"]["body"] = {"format": "bytes", "sha256": SHA, "size": 7, "detected_type": "zip"}
    skipped = scenario("s.feature::Skipped", "Skipped scenario", "skipped", [], exchanges=[raw])
    skipped["message"] = "no XML document configured"
    report["scenarios"] += [warned, skipped]
    assert_valid(report)
    page = render_html(report)
    parsed = parse(page)
    text = "".join(parsed.text)
    assert "Warning: GPC-DOC-HDR-002: expected a Cache-Control header" in text
    assert "Skipped: no XML document configured" in text
    assert "\u2013not run: Then the response status is 200" in text
    assert "<Binary><id/></Binary>" in text
    assert f"Binary body: SHA-256 {SHA}, 7 bytes, detected type zip" in text
    assert parsed.details["scenario-s-feature-warned"] == [True]
    assert parsed.details["scenario-s-feature-skipped"] == [False]


# --------------------------------------------------------------------------------------------
# Escaping, the Content-Security-Policy and the template environment

# Markup, quotes, an ampersand, non-ASCII, an OSC window-title sequence, a bell, a C1 control
# and a right-to-left override.
NASTY = "<script>alert(1)</script>\"'&<>Zo\u00eb\x1b]0;title\x07\x85\u202e"
CONTROLS = frozenset("\x1b\x07\x85\u202e")
# Every attribute the page uses: no event handler, no style, no src.
PAGE_ATTRIBUTES = frozenset(
    [
        "href",
        "id",
        "class",
        "lang",
        "charset",
        "http-equiv",
        "content",
        "name",
        "aria-label",
        "aria-labelledby",
        "aria-hidden",
        "role",
        "scope",
        "open",
    ]
)
# Where the provider's own JSON sits in a report.
PROVIDER_JSON = (".json.", ".jwt.header.", ".jwt.claims.")
# What decides how a record is shown, kept as it is where each field must be found.
SHAPING_KEYS = frozenset({"format", "resourceType", "outcome", "kind", "part"})
# Fields the page does not show: tags and versions; a decoded token's signature (only its
# length); a source URL that is not http(s) (neither a link nor text); a passed scenario's
# message. Of the discovery: the ids its provenance shows, the patients its steps show, the
# url's form (its reason says what is wrong with it), and the problems (each is a failed step's
# outcome).
NOT_SHOWN = {
    "report_version",
    "requirements[].versions[]",
    "requirements[].source.url",
    "scenarios[].tags[]",
    "scenarios[].message",
    "scenarios[].exchanges[].request.jwt.signature",
    "discovery.patients[].nhs_number",
    "discovery.patients[].patient_id",
    "discovery.steps[].patient_id",
    "discovery.documents[].patient_id",
    "discovery.documents[].document_reference_id",
    "discovery.documents[].binary_id",
    "discovery.documents[].url_form",
    "discovery.problems[]",
}


def every_shape_report() -> dict[str, Any]:
    """A report with every part the page shows: each body form, run error, proxy, ASIDs."""
    report = non_conformant_report()
    report["run"]["error"] = "the run stopped"
    report["provider"].update(
        proxy_url="http://proxy.example:3128",
        embedded_reference_provider=True,
        provider_asid="200000000116",
        consumer_asid="200000000117",
    )
    bodies: list[dict[str, Any]] = [
        {"format": "text", "size": 4, "text": "text"},
        {"format": "xml", "size": 9, "text": "<Binary/>"},
        {"format": "bytes", "sha256": SHA, "size": 7, "detected_type": "zip"},
        {"format": "json", "truncated": True, "excerpt": '{"issue":[', "size": 9, "sha256": SHA},
        {"format": "yaml", "size": 3, "note": "a format the page does not know"},
        {
            "format": "json",
            "size": 90,
            "json": {
                "resourceType": "Binary",
                "contentType": "text/plain",
                "content": {"redacted": "content", "base64_chars": 12, "sha256_of_text": SHA},
            },
        },
    ]
    exchanges = []
    for body in bodies:
        exchange = binary_exchange()
        exchange["response"]["body"] = body
        exchanges.append(exchange)
    exchanges[0]["request"]["body"] = {"format": "text", "size": 4, "text": "sent"}
    shapes = scenario(
        "shapes.feature::Every body", "Every body", "warning", ["GPC-DOC-RESP-001"], exchanges
    )
    shapes["message"] = "a warning"
    report["scenarios"].append(shapes)
    report["not_tested"].append({"kind": "scenario", "id": "never.feature::ran", "reason": "no"})
    discovery = discovery_report()["discovery"]
    discovery["steps"][0]["notes"] = ["a step's note"]
    discovery["documents"][0].update(
        url_reason="another host", title="a title", remarks=["an unusable value"]
    )
    discovery.update(stop_reason="no document found", notes=["a bound met"], problems=["one"])
    report["discovery"] = discovery
    return report


def poison(
    value: Any,
    planted: list[tuple[str, str]],
    keep: frozenset[str] = frozenset(),
    keys: bool = False,
    path: str = "",
) -> Any:
    """`value` with every string replaced by a distinct NASTY one, noted in `planted` with its
    path, except under the keys in `keep`; with `keys`, the keys of the provider's own JSON
    (bodies and token parts) are replaced too."""
    if isinstance(value, str):
        planted.append((path, f"{NASTY}#{len(planted)}#"))
        return planted[-1][1]
    if isinstance(value, list):
        return [poison(item, planted, keep, keys, f"{path}[]") for item in value]
    if isinstance(value, dict):
        own = keys and any(part in f"{path}." for part in PROVIDER_JSON)
        return {
            (NASTY + k if own else k): (
                v if k in keep else poison(v, planted, keep, keys, f"{path}.{k}".lstrip("."))
            )
            for k, v in value.items()
        }
    return value


def shown(text: str) -> str:
    """`text` as the page shows it: control characters written as escapes."""
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}") if c in CONTROLS else c
        for c in text
    )


def test_every_provider_string_is_shown_escaped() -> None:
    planted: list[tuple[str, str]] = []
    page = render_html(poison(every_shape_report(), planted, keep=SHAPING_KEYS))
    text = "".join(parse(page).text)
    missing = {
        path
        for path, value in planted
        if shown(value) not in text
        and shown(json.dumps(value, ensure_ascii=False)[1:-1]) not in text
    }
    assert missing == NOT_SHOWN
    assert "Zo\u00eb" in text


def test_hostile_strings_everywhere_leave_no_markup_and_no_control_character() -> None:
    page = render_html(poison(every_shape_report(), [], keys=True))
    parsed = parse(page)
    assert "<script" not in page.lower()
    assert not CONTROLS & set(page)
    assert {"script", "iframe", "img", "object", "embed", "link"}.isdisjoint(parsed.tags)
    assert {name for name, _ in parsed.attrs} <= PAGE_ATTRIBUTES
    assert shown(NASTY) in "".join(parsed.text)


def test_a_web_source_url_stays_one_escaped_attribute() -> None:
    report = base_report()
    url = f"{SPEC_PAGE}?q='\"><script>alert(1)</script>&Zo\u00eb"
    report["requirements"][0]["source"]["url"] = url
    page = render_html(report)
    assert "<script" not in page
    assert ("href", url) in parse(page).attrs


def template_source(name: str) -> str:
    env = environment()
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def test_policy_forbids_scripts_and_allows_only_the_inlined_stylesheet() -> None:
    page = render_html(non_conformant_report())
    parsed = parse(page)
    policies = [
        attrs["content"] or ""
        for tag, attrs in parsed.elements
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(policies) == 1
    directives = {name: values for name, *values in (d.split() for d in policies[0].split(";"))}
    assert directives["default-src"] == ["'none'"]
    assert "script-src" not in directives
    stylesheet = page.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(stylesheet.encode("utf-8")).digest()).decode()
    assert directives["style-src"] == [f"'sha256-{digest}'"]
    assert stylesheet == template_source("report.css")
    assert page.index("Content-Security-Policy") < page.index("<style>")
    assert page.count("<style") == 1
    assert "style" not in {name for name, _ in parsed.attrs}
    assert "<script" not in page.lower()


def test_the_template_environment_escapes_and_refuses_undefined_values() -> None:
    env = environment()
    assert env.autoescape is True
    rendered = env.from_string("<p title='{{ v }}'>{{ v }}</p>").render(v="'><b>&\"")
    assert rendered == "<p title='&#39;&gt;&lt;b&gt;&amp;&#34;'>&#39;&gt;&lt;b&gt;&amp;&#34;</p>"
    badge = env.get_template("macros.html.j2").module.badge  # type: ignore[attr-defined]
    assert "&lt;i&gt;Zo\u00eb\\x1b" in str(badge(Status("<i>Zo\u00eb\x1b", "none")))
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()


def test_nothing_is_marked_safe() -> None:
    """Escaping cannot be switched off anywhere: no `safe` filter, no Markup, no autoescape
    block, in the templates or in the module that feeds them."""
    templates = [name for name in environment().list_templates() if name.endswith(".j2")]
    assert TEMPLATE in templates
    sources = [template_source(name) for name in templates]
    sources.append(inspect.getsource(sys.modules[render_html.__module__]))
    for source in sources:
        assert not re.search(r"\|\s*safe\b|\bMarkup\b|(?i:autoescape\s+false)", source)


# --------------------------------------------------------------------------------------------
# The verdict leads with what is wrong; a card's evidence is compact until asked for

FAILED_CARD = "scenario-errors-feature-unknown-document"


def verdict_section(page: str) -> str:
    """The page's verdict section, as markup."""
    return page[page.index('<section id="verdict"') : page.index('<section id="discovery"')]


def warned_report() -> dict[str, Any]:
    """A non-conformant report with a SHOULD warning and a MUST left untested (its scenario
    was skipped)."""
    report = non_conformant_report()
    warned = scenario("s.feature::Cache", "Cache-Control is sent", "warning", ["GPC-DOC-HTTP-001"])
    warned["findings"][0].update(
        level="SHOULD", verdict="warning", expected="Cache-Control: no-store", observed="none"
    )
    skipped = scenario("s.feature::Large", "A large document", "skipped", ["GPC-DOC-RD-007"])
    skipped["message"] = "no large_document_id is configured"
    skipped["findings"] = []
    report["scenarios"] += [warned, skipped]
    report["requirements"] += [
        requirement("GPC-DOC-HTTP-001", "warning", ["s.feature::Cache"], level="SHOULD"),
        requirement("GPC-DOC-RD-007", "not-tested", ["s.feature::Large"]),
    ]
    report["requirements"][-1]["status_reason"] = "skipped: no large_document_id is configured"
    return report


def test_failed_requirements_link_to_the_cards_that_failed_them() -> None:
    report = non_conformant_report()
    view = page_view(report).verdict
    assert [(c.ref.id, c.level) for c in view.failed] == [("GPC-DOC-ERR-003", "MUST")]
    (shortfall,) = view.failed[0].shortfalls
    assert shortfall.scenario.anchor == FAILED_CARD
    assert shortfall.scenario.name == "Unknown document gives an OperationOutcome"
    assert shortfall.detail == "expected status 200; observed status 500"
    page = render_html(report)
    section = verdict_section(page)
    assert f'<a href="#{FAILED_CARD}">' in section
    assert FAILED_CARD in parse(page).ids
    text = "".join(parse(section).text)
    assert "Failed requirements" in text
    assert "Summary of GPC-DOC-ERR-003" in text
    assert "Nothing failed" not in text


def test_the_failed_requirements_come_before_the_run_details_and_the_matrix() -> None:
    page = render_html(non_conformant_report())
    first = page.index('id="failed-requirements"')
    assert first < page.index('id="run"') < page.index('id="requirements"')
    assert first < page.index('<table class="facts">')


def test_a_failure_without_a_finding_gives_the_scenario_message() -> None:
    report = non_conformant_report()
    report["scenarios"][1]["findings"] = []
    (shortfall,) = page_view(report).verdict.failed[0].shortfalls
    assert shortfall.detail == f"GPC-DOC-ERR-003: expected 404; observed 500 {HOSTILE}"


def test_a_long_or_multi_line_detail_is_one_bounded_line() -> None:
    report = non_conformant_report()
    report["scenarios"][1]["findings"][0]["observed"] = "a\nb\r\n" + "x" * 5000
    (shortfall,) = page_view(report).verdict.failed[0].shortfalls
    assert shortfall.detail.startswith("expected status 200; observed a b x")
    assert len(shortfall.detail) == 400
    assert shortfall.detail.endswith("\u2026")


def test_warnings_and_untested_requirements_follow_with_their_reasons() -> None:
    report = warned_report()
    assert_valid(report)
    view = page_view(report).verdict
    assert [c.ref.id for c in view.warnings] == ["GPC-DOC-HTTP-001"]
    assert (
        view.warnings[0].shortfalls[0].detail == "expected Cache-Control: no-store; observed none"
    )
    assert view.warnings[0].shortfalls[0].scenario.anchor == "scenario-s-feature-cache"
    assert [(g.reason, [c.ref.id for c in g.requirements]) for g in view.untested] == [
        ("", ["GPC-DOC-HDR-002"]),
        ("skipped: no large_document_id is configured", ["GPC-DOC-RD-007"]),
    ]
    section = verdict_section(render_html(report))
    text = "".join(parse(section).text)
    order = [text.index(h) for h in ("Failed requirements", "Warnings", "Not tested")]
    assert order == sorted(order)
    assert "skipped: no large_document_id is configured" in text


def test_many_failing_scenarios_are_listed_up_to_a_bound() -> None:
    report = non_conformant_report()
    failing = report["scenarios"][1]
    extra = MAX_LISTED_SCENARIOS + 3
    for n in range(extra - 1):
        item = copy.deepcopy(failing)
        item["id"] = f"errors.feature::Unknown document {n}"
        report["scenarios"].append(item)
    concern = page_view(report).verdict.failed[0]
    assert len(concern.shortfalls) == MAX_LISTED_SCENARIOS
    assert concern.more == 3
    text = "".join(parse(verdict_section(render_html(report))).text)
    assert "and 3 more: see the requirement matrix" in text


def test_a_conformant_verdict_says_so_briefly() -> None:
    report = base_report()
    report["requirements"][1]["status"] = "passed"
    page = render_html(report)
    section = verdict_section(page)
    text = "".join(parse(section).text)
    assert "Nothing failed, nothing warned" in text
    assert "failed-requirements" not in section
    assert "Warnings" not in text
    assert len(section) < 2000


def test_the_new_sections_escape_hostile_strings() -> None:
    report = warned_report()
    for req in report["requirements"]:
        req["summary"] = NASTY
        req["status_reason"] = NASTY
    for item in report["scenarios"]:
        item["name"] = NASTY
        item["message"] = NASTY
        for finding in item["findings"]:
            finding.update(expected=NASTY, observed=NASTY)
    section = verdict_section(render_html(report))
    parsed = parse(section)
    assert "<script" not in section.lower()
    assert not CONTROLS & set(section)
    assert {"script", "img", "iframe"}.isdisjoint(parsed.tags)
    text = "".join(parsed.text)
    assert text.count(shown(NASTY)) >= 3 + 2 * 3  # summaries; names and details of 3 scenarios
    assert f"expected {shown(NASTY)}; observed {shown(NASTY)}" in text


def test_requirements_untested_for_one_reason_are_listed_together() -> None:
    report = run_error_report()
    reason = "not run: provider unreachable: connection refused"
    for req in report["requirements"]:
        req.update(status="not-tested", status_reason=reason)
    (group,) = page_view(report).verdict.untested
    assert group.reason == reason
    assert [c.ref.id for c in group.requirements] == ["GPC-DOC-RESP-001", "GPC-DOC-HDR-002"]
    text = "".join(parse(verdict_section(render_html(report))).text)
    assert f"2 requirements: {reason}GPC-DOC-RESP-001 MUST, GPC-DOC-HDR-002 SHOULD" in text


def test_a_selection_is_named_at_the_top_and_in_the_run_details() -> None:
    report = base_report()
    report["run"]["selection"] = {"families": ["transport_security"], "keyword": "tls"}
    assert_valid(report)
    text = "".join(parse(render_html(report)).text)
    assert "limited to --family transport_security, -k tls" in text
    assert "Scenarios chosen by--family transport_security, -k tls" in text


def card_markup(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</article>", start)]


def test_a_card_shows_the_response_and_keeps_the_full_exchange_one_click_away() -> None:
    report = non_conformant_report()
    report["scenarios"][1]["exchanges"][0]["request"]["headers"].append(["Ssp-From", "200001"])
    page = render_html(report)
    parsed = parse(page)
    assert parsed.details[FAILED_CARD] == [True]
    assert parsed.full[FAILED_CARD] == [False, False]  # one per exchange, closed
    compact, full = card_markup(page, FAILED_CARD).split('<details class="full">', 1)
    assert "GET https://provider.example/fhir/Binary/doc-1?_format=json" in compact
    assert "<strong>500</strong>" in compact
    assert "X-Provider" in compact
    assert "INTERNAL_SERVER_ERROR" in compact
    assert "Ssp-From" not in compact
    assert "Ssp-From" in full
    assert "2 dot-separated parts, not 3" in full


def test_a_long_body_is_cut_in_the_card_and_whole_in_the_full_exchange() -> None:
    report = base_report()
    lines = [f"line {n}" for n in range(PREVIEW_LINES * 3)]
    body = {"format": "text", "size": 1000, "text": "\n".join(lines)}
    report["scenarios"][0]["exchanges"][0]["response"]["body"] = body
    card = card_markup(render_html(report), "scenario-retrieve-feature-retrieve-a-pdf")
    compact, full = card.split('<details class="full">', 1)
    assert f"line {PREVIEW_LINES - 1}</pre>" in compact
    assert f"line {PREVIEW_LINES}" not in compact
    assert 'the rest is under "Full exchange"' in compact
    assert f"line {PREVIEW_LINES * 3 - 1}" in full
    assert "the whole response body" in full


@pytest.mark.parametrize(
    ("text", "shown_chars"),
    [
        ("short\nbody", 10),
        ("\n".join(["x" * 10] * (PREVIEW_LINES + 5)), PREVIEW_LINES * 11 - 1),
        ("y" * (PREVIEW_CHARS * 3), PREVIEW_CHARS),
    ],
)
def test_a_preview_keeps_the_first_lines_within_a_bound(text: str, shown_chars: int) -> None:
    preview = body_view({"format": "text", "size": len(text), "text": text}).preview
    assert preview is not None
    assert preview.text == text[:shown_chars]
    assert preview.total == len(text)
    assert preview.truncated == (shown_chars < len(text))


def test_a_matrix_row_folds_a_long_list_of_scenarios() -> None:
    report = base_report()
    ids = [f"retrieve.feature::Retrieve {n}" for n in range(MAX_LISTED_SCENARIOS + 1)]
    for sid in ids:
        report["scenarios"].append(scenario(sid, sid, "passed", ["GPC-DOC-RESP-001"]))
    report["requirements"][0]["scenarios"] = ids
    rows = page_view(report).requirements
    assert rows[0].checked_tally == f"{len(ids)} scenarios: {len(ids)} passed"
    page = render_html(report)
    assert f'<details class="checked"><summary>{len(ids)} scenarios' in page


# --------------------------------------------------------------------------------------------
# How the documents were found


def discovery_markup(page: str) -> str:
    return page[page.index('<section id="discovery"') : page.index('<section id="run"')]


def test_each_document_shows_how_it_was_found_and_the_part_it_plays() -> None:
    report = discovery_report()
    assert_valid(report)
    page = render_html(report)
    section = discovery_markup(page)
    text = "".join(parse(section).text)
    assert PROVENANCE in text
    assert "2 NHS numbers: 1 patient, 4 documents" in text
    for words in (
        "Find a Patient",
        f"NHS number {NHS_1}",
        "1 Patient with this NHS number",
        f"Patient gpc-patient-1 (NHS number {NHS_1})",
        "4 DocumentReferences",
        "exchanges[1]",
        "application/pdf",
        "4,900,000 bytes",
        "ordinary",
        "the large document",
        "oversize: a placeholder",
        "title: Not returned: over 5MB",
        "set aside",
        "the same Binary as another document",
        "the attachment has no url",
        "no Patient with this NHS number",
    ):
        assert words in text, words
    assert text.index(NHS_1) < text.index(PROVENANCE) < text.index(f"NHS number {NHS_2}")
    assert f"<code>{PROVIDER_URL}</code>" in section
    assert "<a " not in section
    assert '<a href="#discovery">How the documents were found</a>' in page
    assert page.index('id="verdict"') < page.index('id="discovery"') < page.index('id="run"')


def test_an_oversize_document_with_a_url_says_that_url_is_asked_for() -> None:
    report = discovery_report()
    report["discovery"]["documents"][2].update(binary_id="gpc-doc-oversize-pdf")
    (path, _) = page_view(report).discovery.paths  # type: ignore[union-attr]
    assert path.documents[2].part == (
        "oversize: a placeholder whose url is asked for (404 NO_RECORD_FOUND expected)"
    )


def test_without_nhs_numbers_the_documents_came_from_the_configuration() -> None:
    report = base_report()
    assert page_view(report).discovery is None
    text = "".join(parse(discovery_markup(render_html(report))).text)
    assert "The documents came from the configuration only: no NHS number was given." in text
    assert "--nhs-number N" in text
    assert "Find a Patient" not in text


def test_a_stopped_discovery_says_why_and_shows_the_failed_search() -> None:
    report = discovery_report()
    discovery = report["discovery"]
    reason = f"no patient found: NHS number {NHS_1}: the Bundle's type is 'collection'"
    discovery.update(patients=[], documents=[], stop_reason=reason, problems=[reason])
    discovery["steps"] = [discovery["steps"][0]]
    discovery["steps"][0].update(ok=False, outcome="the Bundle's type is 'collection'")
    assert_valid(report)
    section = discovery_markup(render_html(report))
    text = "".join(parse(section).text)
    assert f"Stopped: {reason}" in text
    assert "failed the Bundle's type is 'collection'" in text
    assert "Not searched." in text  # the second NHS number
    assert "Found as" not in text


def test_hostile_discovery_strings_are_data_not_markup() -> None:
    report = discovery_report()
    discovery = report["discovery"]
    hostile_url = f"javascript:alert(1)//\"><a href='https://evil.example'>{NASTY}"
    discovery["documents"][0].update(
        provenance=f"NHS number {NHS_1} -> Patient {NASTY} -> DocumentReference x -> Binary y",
        url=hostile_url,
        url_reason=NASTY,
        title=NASTY,
        content_type=NASTY,
        remarks=[NASTY],
        set_aside_because=NASTY,
    )
    discovery["steps"][0].update(asked=NASTY, outcome=NASTY, notes=[NASTY])
    discovery.update(stop_reason=NASTY, notes=[NASTY])
    page = render_html(report)
    section = discovery_markup(page)
    parsed = parse(section)
    assert "<script" not in section.lower()
    assert "<a " not in section
    assert not CONTROLS & set(section)
    assert {name for name, _ in parsed.attrs} <= {"id", "class", "aria-labelledby", "scope"}
    text = "".join(parsed.text)
    assert text.count(shown(NASTY)) == 12  # each field once, the url too
    assert shown(hostile_url) in text


def test_masked_nhs_numbers_are_still_counted_and_their_searches_kept_in_order() -> None:
    report = discovery_report()
    discovery = report["discovery"]
    discovery["nhs_numbers"] = ["[redacted]", "[redacted]"]
    for item in discovery["steps"] + discovery["documents"]:
        item["nhs_number"] = "[redacted]"
    view = page_view(report).discovery
    assert view is not None
    assert view.tally == "2 NHS numbers: 1 patient, 4 documents"
    (path,) = view.paths
    assert [s.exchange for s in path.searches] == ["exchanges[0]", "exchanges[1]", "exchanges[2]"]
