"""Attachment urls classified against the configured service root, never followed."""

import pytest
from discovery_testkit import BASE

from gpc_assure.discovery.attachment import UrlForm, read_attachment_url

ROOT_PATH = "/B82617/STU3/1/gpconnect/documents"
SPEC_EXAMPLE = (
    "http://exampleGPSystem.co.uk/GP0001/STU3/1/gpconnect-documents/Binary/"
    "07a6483f-732b-461e-86b6-edb665c45510"
)

CASES: list[tuple[str, object, UrlForm, str | None, str | None]] = [
    ("absent", None, UrlForm.ABSENT, None, "the attachment has no url"),
    ("the configured root", f"{BASE}/Binary/doc-1", UrlForm.SAME_ROOT, "doc-1", None),
    (
        "scheme and host in capitals",
        f"HTTPS://Provider.EXAMPLE{ROOT_PATH}/Binary/doc-1",
        UrlForm.SAME_ROOT,
        "doc-1",
        None,
    ),
    (
        "the default port written out",
        f"https://provider.example:443{ROOT_PATH}/Binary/doc-1",
        UrlForm.SAME_ROOT,
        "doc-1",
        None,
    ),
    ("a percent-encoded id", f"{BASE}/Binary/doc%2D1.v2", UrlForm.SAME_ROOT, "doc-1.v2", None),
    (
        "another port",
        f"https://provider.example:8443{ROOT_PATH}/Binary/doc-1",
        UrlForm.OTHER_ROOT,
        "doc-1",
        "port 8443, not 443",
    ),
    (
        "plain http",
        f"http://provider.example{ROOT_PATH}/Binary/doc-1",
        UrlForm.OTHER_ROOT,
        "doc-1",
        "scheme 'http', not 'https'",
    ),
    (
        "another host",
        f"https://internal.example{ROOT_PATH}/Binary/doc-1",
        UrlForm.OTHER_ROOT,
        "doc-1",
        "host 'internal.example', not 'provider.example'",
    ),
    (
        "the path in other letter case",
        "https://provider.example/B82617/STU3/1/GPConnect/documents/Binary/doc-1",
        UrlForm.OTHER_ROOT,
        "doc-1",
        "service root path '/B82617/STU3/1/GPConnect/documents', not "
        "'/B82617/STU3/1/gpconnect/documents'",
    ),
    (
        "the specification's own example",
        SPEC_EXAMPLE,
        UrlForm.OTHER_ROOT,
        "07a6483f-732b-461e-86b6-edb665c45510",
        "scheme 'http', not 'https'",
    ),
    (
        "the Spine Secure Proxy prefix",
        f"https://proxy.example/{BASE}/Binary/doc-1",
        UrlForm.OTHER_ROOT,
        "doc-1",
        "host 'proxy.example', not 'provider.example'",
    ),
    (
        "user information",
        f"https://someone:secret@provider.example{ROOT_PATH}/Binary/doc-1",
        UrlForm.OTHER_ROOT,
        "doc-1",
        "the url carries user information",
    ),
    (
        "a query",
        f"{BASE}/Binary/doc-1?download=1",
        UrlForm.OTHER_ROOT,
        "doc-1",
        "the url has a query or fragment",
    ),
    (
        "relative",
        "Binary/doc-1",
        UrlForm.RELATIVE,
        "doc-1",
        "'Binary/doc-1' is relative, not a full url",
    ),
    ("absolute path", f"{ROOT_PATH}/Binary/doc-1", UrlForm.RELATIVE, "doc-1", None),
    (
        "network path",
        f"//provider.example{ROOT_PATH}/Binary/doc-1",
        UrlForm.RELATIVE,
        "doc-1",
        None,
    ),
    (
        "no id",
        f"{BASE}/Binary/",
        UrlForm.NOT_BINARY,
        None,
        "the Binary id '' is not a FHIR id",
    ),
    (
        "an id that decodes to a slash",
        f"{BASE}/Binary/a%2Fb",
        UrlForm.NOT_BINARY,
        None,
        "the Binary id 'a/b' is not a FHIR id",
    ),
    ("an id of 65 characters", f"{BASE}/Binary/{'a' * 65}", UrlForm.NOT_BINARY, None, None),
    ("a DocumentReference", f"{BASE}/DocumentReference/doc-1", UrlForm.NOT_BINARY, None, None),
    ("a version of a Binary", f"{BASE}/Binary/doc-1/_history/2", UrlForm.NOT_BINARY, None, None),
    ("Binary as a prefix", f"{BASE}/MyBinary/doc-1", UrlForm.NOT_BINARY, None, None),
    ("a number", 12345, UrlForm.NOT_BINARY, None, "the url is 12345, not a string"),
    ("an object", {"url": "x"}, UrlForm.NOT_BINARY, None, "the url is an object, not a string"),
    ("empty", "", UrlForm.NOT_BINARY, None, "'' is empty or holds spaces"),
    ("a space", f"{BASE}/Binary/doc 1", UrlForm.NOT_BINARY, None, None),
    ("a new line", f"{BASE}/Binary/doc-1\nX-Forged: 1", UrlForm.NOT_BINARY, None, None),
    ("a broken IPv6 host", "https://[::1/Binary/doc-1", UrlForm.NOT_BINARY, None, None),
    (
        "a port out of range",
        "https://provider.example:99999/Binary/a",
        UrlForm.NOT_BINARY,
        None,
        None,
    ),
    ("a urn", "urn:uuid:0b5d5c3e-3e5e-4a1e-9f1e-6b7c3b1d2a4f", UrlForm.NOT_BINARY, None, None),
    (
        "over 2,048 characters",
        f"https://provider.example/{'x' * 3000}/Binary/doc-1",
        UrlForm.NOT_BINARY,
        None,
        "the url is 3,038 characters long (more than 2,048)",
    ),
]


@pytest.mark.parametrize(
    ("url", "form", "binary_id", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_attachment_url_forms(
    url: object, form: UrlForm, binary_id: str | None, reason: str | None
) -> None:
    reading = read_attachment_url(url, BASE)
    assert (reading.form, reading.binary_id) == (form, binary_id)
    if reason is not None:
        assert reading.reason == reason
    assert (reading.reason is None) == (form is UrlForm.SAME_ROOT)
    if reading.reason is not None:
        assert "\n" not in reading.reason
        assert len(reading.reason) <= 200


def test_a_service_root_without_a_path() -> None:
    base = "https://127.0.0.1:8443"
    assert read_attachment_url(f"{base}/Binary/x", base).form is UrlForm.SAME_ROOT
    assert read_attachment_url("https://127.0.0.1/Binary/x", base).form is UrlForm.OTHER_ROOT


def test_a_default_port_in_the_configured_root_matches_none_in_the_url() -> None:
    base = "http://provider.example:80/fhir"
    assert read_attachment_url("http://provider.example/fhir/Binary/x", base).form is (
        UrlForm.SAME_ROOT
    )
