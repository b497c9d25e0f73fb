"""From the searches to the reviewer's page: a discovery written to discovery.json is read back
into the assurance report, and the HTML shows each document's path with the provider's strings
as text: its urls never become links."""

import html
import json
import re
from pathlib import Path

from discovery_testkit import BASE, FakeProvider, attachment, document_reference, patient
from discovery_testkit import searchset as bundle
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]
from markupsafe import escape

from gpc_assure.config.provider_config import load_config
from gpc_assure.discovery.chain import discover
from gpc_assure.discovery.roles import assign_roles
from gpc_assure.report.assurance import build_report
from gpc_assure.report.discovery import write_discovery
from gpc_assure.report.html import render_html
from gpc_assure.report.redaction import Redactor
from gpc_assure.spec.paths import SCHEMAS_DIR
from gpc_assure.spec.versions import spec_version

NHS_1 = "9690937278"
HOSTILE = "<img src=x onerror=alert(1)>"
FOREIGN_URL = "https://evil.example/fhir/Binary/doc-2?x='\"><script>alert(1)</script>"


def test_the_page_shows_each_path_with_provider_strings_as_text(tmp_path: Path) -> None:
    config = load_config(None, {}, {"base_url": BASE, "nhs_numbers": [NHS_1]})
    fake = FakeProvider(config).finds(NHS_1, bundle(patient("p-1", NHS_1)))
    fake.holds(
        "p-1",
        bundle(
            document_reference("d-1", "p-1", attachment("doc-1", size=621)),
            document_reference("d-2", "p-1", attachment(url=FOREIGN_URL, title=HOSTILE)),
            document_reference("d-3", "p-1", attachment(None, size=5_500_000, title=HOSTILE)),
        ),
    )
    discovery = discover(fake.send, config, config.nhs_numbers)
    write_discovery(
        tmp_path, discovery, assign_roles(discovery.documents, spec_version("1.6")), Redactor()
    )
    report = build_report(
        report_dir=tmp_path,
        config=config,
        records=[],
        embedded=False,
        started_at="2026-01-01T10:00:00+00:00",
        finished_at="2026-01-01T10:01:00+00:00",
    )
    schema = json.loads((SCHEMAS_DIR / "assurance-report.schema.json").read_text("utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(report)] == []
    parts = [d["part"] for d in report["discovery"]["documents"]]
    assert parts == ["ordinary", "ordinary", "oversize"]
    assert "exchanges" in json.loads((tmp_path / "discovery.json").read_text("utf-8"))

    page = render_html(report)
    section = page[page.index('<section id="discovery"') : page.index('<section id="run"')]
    assert HOSTILE not in page
    assert "<script" not in page
    assert "<a " not in section
    text = html.unescape(re.sub(r"<[^>]*>", "", section))
    for provenance in (
        f"NHS number {NHS_1} -> Patient p-1 -> DocumentReference d-1 -> Binary doc-1",
        f"NHS number {NHS_1} -> Patient p-1 -> DocumentReference d-2 -> Binary doc-2",
        f"NHS number {NHS_1} -> Patient p-1 -> DocumentReference d-3 -> Binary (absent)",
    ):
        assert provenance in text
    assert f"<code>{escape(FOREIGN_URL)}</code>" in section
    assert f"title: {HOSTILE}" in text
    assert "host 'evil.example', not 'provider.example'" in text
