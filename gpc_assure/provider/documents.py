"""The documents the reference provider serves, generated in code with deterministic bytes."""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from dataclasses import dataclass, field
from functools import cache

SIZE_LIMIT_BYTES = 5_000_000  # retrieve page, "File size limit": documents up to 5MB
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"

SMALL_PDF_ID = "gpc-doc-small-pdf"
LETTER_DOCX_ID = "gpc-doc-letter-docx"
LARGE_PDF_ID = "gpc-doc-large-pdf"
OVERSIZE_PDF_ID = "gpc-doc-oversize-pdf"
NOTE_TXT_ID = "gpc-doc-note-txt"

_NOTE = (
    b"GP Connect reference provider: test note.\n"
    b"\n"
    b"A plain-text document of the second test patient, so that the documents a search lists\n"
    b"are of more than one type. It is generated test data and holds no information about\n"
    b"any person.\n"
)
_LARGE_SIZE = 4_900_000
_OVERSIZE_SIZE = 5_500_000


@dataclass(frozen=True)
class ServedDocument:
    """What a consumer may know about a served document (no bytes)."""

    id: str
    content_type: str
    sha256: str
    size: int
    version_id: str
    oversize: bool


@dataclass(frozen=True)
class StoredDocument:
    """A served document together with its bytes; the repr never shows the bytes."""

    info: ServedDocument
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"StoredDocument({self.info!r})"


def _pdf(page_text: str, padding: bytes = b"") -> bytes:
    """A one-page PDF with a correct xref table; *padding* goes into an extra binary stream."""
    content = f"BT /F1 12 Tf 72 720 Td ({page_text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if padding:
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(padding), padding))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)


def _padded_pdf(page_text: str, total_size: int, seed: int) -> bytes:
    """A PDF of exactly *total_size* bytes, filled with seeded pseudo-random bytes."""
    rng_bytes = random.Random(seed).randbytes(total_size)
    length = total_size - len(_pdf(page_text, b"x"))
    for _ in range(3):  # the digits of /Length and the offsets shift the overhead slightly
        candidate = _pdf(page_text, rng_bytes[:length])
        length += total_size - len(candidate)
    return _pdf(page_text, rng_bytes[:length])


_DOCX_PARTS: tuple[tuple[str, str], ...] = (
    (
        "[Content_Types].xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>",
    ),
    (
        "_rels/.rels",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>",
    ),
    (
        "word/document.xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>GP Connect reference provider: test letter.</w:t></w:r></w:p>"
        "</w:body></w:document>",
    ),
)


def _docx() -> bytes:
    """A minimal DOCX; entries are stored (not deflated) with fixed metadata for stable bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in _DOCX_PARTS:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _store(doc_id: str, content_type: str, version_id: str, data: bytes) -> StoredDocument:
    info = ServedDocument(
        id=doc_id,
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        version_id=version_id,
        oversize=len(data) > SIZE_LIMIT_BYTES,
    )
    return StoredDocument(info, data)


@cache
def stored_documents() -> tuple[StoredDocument, ...]:
    """All served documents, built once per process."""
    return (
        _store(SMALL_PDF_ID, PDF, "1", _pdf("GP Connect reference provider: small PDF")),
        _store(LETTER_DOCX_ID, DOCX, "3", _docx()),
        _store(LARGE_PDF_ID, PDF, "2", _padded_pdf("Large PDF", _LARGE_SIZE, seed=4_900_000)),
        _store(
            OVERSIZE_PDF_ID, PDF, "1", _padded_pdf("Oversize PDF", _OVERSIZE_SIZE, seed=5_500_000)
        ),
        _store(NOTE_TXT_ID, TEXT, "1", _NOTE),
    )
