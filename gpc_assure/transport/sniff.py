"""Name a document's file type from its first bytes, so evidence can say what was served
without keeping the bytes."""

_ZIP_MAGIC = b"PK\x03\x04"
_OFFICE_MARKERS = (
    (b"word/", "docx"),
    (b"xl/", "xlsx"),
    (b"ppt/", "pptx"),
)
_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"{\\rtf", "rtf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2 (doc/xls)"),
    (b"\x1f\x8b", "gzip"),
)


def detect_file_type(data: bytes) -> str:
    """A short name such as `pdf`, `docx`, `text` or `unknown`."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    if data.startswith(_ZIP_MAGIC):
        head = data[:65536]
        for marker, name in _OFFICE_MARKERS:
            if marker in head:
                return name
        return "zip"
    head = data[:4096].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "html" if head[:15].lower().startswith((b"<!doctype html", b"<html")) else "xml"
    if not data:
        return "empty"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "unknown"
    return "text"
