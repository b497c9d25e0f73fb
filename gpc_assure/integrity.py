"""Tamper evidence for a report folder: a SHA-256 manifest, an optional signature, verification.

`write_manifest` records the digest and size of every regular file in the folder;
`sign_manifest` signs the exact bytes of manifest.json; `verify` reports, one line per file,
everything that no longer matches.

Both manifest.json and manifest.sig are written in one canonical JSON layout and carry a
`content_sha256` of their own content (canonical JSON without that field), so that any single
changed byte in either is reported against that file by name. Without a signature this detects
accidents and careless edits only: anyone can rewrite an unsigned manifest. A signature checked
with `cert` (the signer's certificate or public key, obtained out of band) also proves who
signed.
"""

import base64
import binascii
import datetime
import hashlib
import json
import os
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.utils import CryptographyDeprecationWarning

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_VERSION = "1"
DIGEST_ALGORITHM = "sha256"
SELF_DIGEST_FIELD = "content_sha256"
MIN_RSA_BITS = 2048

ED25519 = "ed25519"
ECDSA_SHA256 = "ecdsa-sha256"
RSA_PSS_SHA256 = "rsa-pss-sha256"

_RESERVED = frozenset({MANIFEST, SIGNATURE})
_CURVES = (ec.SECP256R1, ec.SECP384R1)
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?-----END \1-----", flags=re.DOTALL)
_PRIVATE_KEY_LABELS = frozenset(
    {b"PRIVATE KEY", b"ENCRYPTED PRIVATE KEY", b"RSA PRIVATE KEY", b"EC PRIVATE KEY"}
)
_CHUNK = 1 << 20

_PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
_PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


class IntegrityError(Exception):
    """A key, certificate or folder cannot be used; the message is one line without key material."""


@dataclass
class _Scan:
    """What a report folder holds: regular files by relative path, and anything else."""

    files: dict[str, Path] = field(default_factory=dict)
    irregular: dict[str, tuple[str, str]] = field(default_factory=dict)


def write_manifest(report_dir: Path) -> Path:
    """Write manifest.json listing every regular file under `report_dir`; returns its path.

    Symlinks and other non-regular entries are left out (verify reports them). A manifest.sig
    from an earlier manifest is removed, since it no longer signs what is written.
    """
    if not report_dir.is_dir():
        raise IntegrityError(f"{report_dir}: not a directory")
    scan = _scan(report_dir)
    unreadable = [rel for rel, (kind, _) in scan.irregular.items() if kind == "unreadable"]
    if unreadable:
        raise IntegrityError(f"{report_dir / unreadable[0]}: cannot be read")
    files: dict[str, Any] = {}
    for rel, path in scan.files.items():
        try:
            files[rel] = _digest(path)
        except OSError as exc:
            raise IntegrityError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "algorithm": DIGEST_ALGORITHM,
        "created_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": files,
    }
    _remove(report_dir / SIGNATURE)
    return _write_new(report_dir / MANIFEST, _canonical(_with_self_digest(manifest)))


def sign_manifest(report_dir: Path, key_file: Path, password: bytes | None = None) -> Path:
    """Sign the exact bytes of manifest.json with the PEM key in `key_file`; returns manifest.sig.

    `key_file` holds an Ed25519, EC P-256/P-384 or RSA (>= 2048 bits) private key, optionally
    encrypted with `password` (empty means none), and optionally the matching X.509 certificate,
    which is then embedded. RSA signs with PSS, MGF1-SHA256 and a 32-byte salt.
    """
    key, certificate = _load_signing_material(key_file, password or None)
    manifest_path = report_dir / MANIFEST
    if not _is_regular(manifest_path):
        raise IntegrityError(f"{manifest_path}: missing (write the manifest before signing)")
    try:
        data = manifest_path.read_bytes()
    except OSError as exc:
        raise IntegrityError(f"{manifest_path}: cannot be read ({exc.strerror or exc})") from None
    document: dict[str, Any] = {
        "algorithm": _algorithm_for(key.public_key()),
        "signature": base64.b64encode(_sign(key, data)).decode("ascii"),
        "public_key": _public_pem(key.public_key()),
        "certificate": (
            certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
            if certificate is not None
            else None
        ),
    }
    return _write_new(report_dir / SIGNATURE, _canonical(_with_self_digest(document)))


def verify(report_dir: Path, cert: Path | None = None) -> list[str]:
    """Problems found in `report_dir`, one line each naming the file; [] when intact.

    Without `cert` an existing manifest.sig is checked against its own embedded public key
    (integrity since signing, not identity). With `cert` (a PEM X.509 certificate or public key)
    manifest.sig must exist and verify with that key. An unusable `cert` raises IntegrityError.
    """
    expected_key = _load_verifying_key(cert) if cert is not None else None
    if not report_dir.is_dir():
        return [f"{report_dir}: not a directory"]
    scan = _scan(report_dir)
    problems: list[str] = []

    manifest_bytes = _read_reserved(report_dir, MANIFEST, scan, problems)
    entries: dict[str, Any] | None = None
    if manifest_bytes is not None:
        entries = _check_manifest(manifest_bytes, problems)

    signature_bytes = _read_reserved(report_dir, SIGNATURE, scan, problems)
    if signature_bytes is None:
        if cert is not None and SIGNATURE not in scan.irregular:
            problems.append(f"{SIGNATURE}: missing (required by --cert)")
    elif manifest_bytes is not None:
        _check_signature(signature_bytes, manifest_bytes, expected_key, problems)

    problems.extend(
        f"{kind}: {rel} ({reason})"
        for rel, (kind, reason) in scan.irregular.items()
        if rel not in _RESERVED
    )
    if entries is not None:
        problems.extend(_compare(entries, scan))
    return problems


def _scan(report_dir: Path) -> _Scan:
    """Walk `report_dir` without following symlinks; paths are POSIX and relative, sorted."""
    found = _Scan()
    for rel, entry in _walk(report_dir, ""):
        if entry is None:
            found.irregular[rel] = ("unreadable", "directory cannot be listed")
        elif entry.is_symlink():
            found.irregular[rel] = ("symlink", "not followed")
        elif entry.is_file(follow_symlinks=False):
            found.files[rel] = Path(entry.path)
        else:
            found.irregular[rel] = ("special", "not a regular file")
    for reserved in _RESERVED:
        found.files.pop(reserved, None)
    found.files = dict(sorted(found.files.items()))
    found.irregular = dict(sorted(found.irregular.items()))
    return found


def _walk(directory: Path | str, prefix: str) -> Iterator[tuple[str, os.DirEntry[str] | None]]:
    """Every non-directory entry below `directory`, or (path, None) for an unlistable one."""
    try:
        with os.scandir(directory) as iterator:
            entries = sorted(iterator, key=lambda item: item.name)
    except OSError:
        yield prefix.rstrip("/") or ".", None
        return
    for entry in entries:
        rel = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, rel + "/")
        else:
            yield rel, entry


def _digest(path: Path) -> dict[str, Any]:
    """The SHA-256 (hex) and size of one file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def _canonical(document: dict[str, Any]) -> bytes:
    """The one byte layout manifest.json and manifest.sig are written in."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()


def _content_digest(document: dict[str, Any]) -> str:
    """SHA-256 of the compact canonical JSON of `document` without its self-digest field."""
    body = {key: value for key, value in document.items() if key != SELF_DIGEST_FIELD}
    compact = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(compact.encode()).hexdigest()


def _with_self_digest(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, SELF_DIGEST_FIELD: _content_digest(document)}


def _write_new(path: Path, data: bytes) -> Path:
    """Replace `path` (never writing through a symlink) with `data`."""
    _remove(path)
    try:
        with path.open("xb") as stream:
            stream.write(data)
    except OSError as exc:
        raise IntegrityError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return path


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise IntegrityError(f"{path}: cannot be replaced ({exc.strerror or exc})") from None


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _read_reserved(report_dir: Path, name: str, scan: _Scan, problems: list[str]) -> bytes | None:
    """The bytes of manifest.json or manifest.sig, or None (with a problem line unless absent)."""
    if name in scan.irregular:
        kind, reason = scan.irregular[name]
        problems.append(f"{name}: {kind} ({reason})")
        return None
    path = report_dir / name
    if not _is_regular(path):
        if name == MANIFEST:
            problems.append(f"{MANIFEST}: missing")
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.append(f"{name}: cannot be read ({exc.strerror or exc})")
        return None


def _parse_self_checked(name: str, data: bytes, problems: list[str]) -> dict[str, Any] | None:
    """Parse manifest.json or manifest.sig, checking its layout and its own content digest."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        problems.append(f"{name}: not valid JSON ({exc})")
        return None
    if not isinstance(document, dict):
        problems.append(f"{name}: not a JSON object")
        return None
    if document.get(SELF_DIGEST_FIELD) != _content_digest(document):
        problems.append(f"{name}: changed after it was written ({SELF_DIGEST_FIELD} differs)")
    elif _canonical(document) != data:
        problems.append(f"{name}: changed after it was written (layout is not the one written)")
    return document


def _check_manifest(data: bytes, problems: list[str]) -> dict[str, Any] | None:
    """The manifest's file entries, or None when it cannot be used for comparison."""
    manifest = _parse_self_checked(MANIFEST, data, problems)
    if manifest is None:
        return None
    if manifest.get("manifest_version") != MANIFEST_VERSION:
        problems.append(f"{MANIFEST}: unsupported manifest_version (expected {MANIFEST_VERSION!r})")
        return None
    if manifest.get("algorithm") != DIGEST_ALGORITHM:
        problems.append(f"{MANIFEST}: unsupported algorithm (expected {DIGEST_ALGORITHM!r})")
        return None
    files = manifest.get("files")
    if not isinstance(files, dict):
        problems.append(f"{MANIFEST}: 'files' is not an object")
        return None
    entries: dict[str, Any] = {}
    for rel, entry in sorted(files.items()):
        if _valid_entry(rel, entry):
            entries[rel] = entry
        else:
            problems.append(f"{MANIFEST}: invalid entry for {rel!r}")
    return entries


def _valid_entry(rel: str, entry: Any) -> bool:
    parts = rel.split("/")
    return (
        rel not in _RESERVED
        and all(part not in ("", ".", "..") for part in parts)
        and isinstance(entry, dict)
        and set(entry) == {"sha256", "size"}
        and isinstance(entry["sha256"], str)
        and _HEX_SHA256.fullmatch(entry["sha256"]) is not None
        and type(entry["size"]) is int
        and entry["size"] >= 0
    )


def _compare(entries: dict[str, Any], scan: _Scan) -> list[str]:
    """Changed, missing and added files, in path order."""
    lines: list[tuple[str, str]] = []
    for rel, expected in entries.items():
        path = scan.files.get(rel)
        if path is None:
            if rel not in scan.irregular:
                lines.append((rel, f"missing: {rel}"))
            continue
        try:
            actual = _digest(path)
        except OSError as exc:
            lines.append((rel, f"unreadable: {rel} ({exc.strerror or exc})"))
            continue
        if actual["sha256"] != expected["sha256"]:
            lines.append((rel, f"changed: {rel} (sha256 differs)"))
        elif actual["size"] != expected["size"]:
            lines.append((rel, f"changed: {rel} (size differs)"))
    lines.extend(
        (rel, f"added: {rel} (not in the manifest)") for rel in scan.files if rel not in entries
    )
    return [line for _, line in sorted(lines)]


def _check_signature(
    data: bytes, manifest_bytes: bytes, expected_key: _PublicKey | None, problems: list[str]
) -> None:
    """Check manifest.sig against the manifest, with `expected_key` or else its embedded key."""
    document = _parse_self_checked(SIGNATURE, data, problems)
    if document is None:
        return
    algorithm = document.get("algorithm")
    signature_text = document.get("signature")
    public_pem = document.get("public_key")
    certificate_pem = document.get("certificate")
    if not isinstance(signature_text, str):
        problems.append(f"{SIGNATURE}: 'signature' is not a string")
        return
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        problems.append(f"{SIGNATURE}: signature is not valid base64")
        return
    if base64.b64encode(signature).decode("ascii") != signature_text:
        problems.append(f"{SIGNATURE}: signature is not canonical base64")
        return
    embedded = _embedded_key(public_pem, problems)
    if embedded is not None and certificate_pem is not None:
        _check_embedded_certificate(certificate_pem, embedded, problems)
    if expected_key is not None and embedded is not None and not _same_key(embedded, expected_key):
        problems.append(f"{SIGNATURE}: signed by a key that does not match --cert")
        return
    key = expected_key if expected_key is not None else embedded
    if key is None:
        return
    if algorithm != _algorithm_for(key) or not _verifies(key, signature, manifest_bytes):
        problems.append(f"{SIGNATURE}: signature does not verify")


def _embedded_key(public_pem: Any, problems: list[str]) -> _PublicKey | None:
    if not isinstance(public_pem, str):
        problems.append(f"{SIGNATURE}: 'public_key' is not a PEM string")
        return None
    try:
        key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    except (ValueError, UnsupportedAlgorithm, UnicodeEncodeError):
        problems.append(f"{SIGNATURE}: embedded public key is not a usable PEM public key")
        return None
    if not _is_supported(key):
        problems.append(f"{SIGNATURE}: embedded public key is of an unsupported type")
        return None
    assert isinstance(key, _PublicKey)
    return key


def _check_embedded_certificate(pem: Any, key: _PublicKey, problems: list[str]) -> None:
    try:
        if not isinstance(pem, str):
            raise ValueError("not a string")
        with warnings.catch_warnings():
            # A tampered certificate may parse with deprecation warnings; it is reported anyway.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
        matches = _same_key(certificate.public_key(), key)
    except (ValueError, UnsupportedAlgorithm, x509.InvalidVersion):
        problems.append(f"{SIGNATURE}: embedded certificate is not a usable PEM X.509 certificate")
        return
    if not matches:
        problems.append(f"{SIGNATURE}: embedded certificate does not match the embedded public key")


def _load_signing_material(
    key_file: Path, password: bytes | None
) -> tuple[_PrivateKey, x509.Certificate | None]:
    """The private key and optional certificate in `key_file`; errors never quote the file."""
    blocks = _pem_blocks(key_file)
    keys = [block for label, block in blocks if label in _PRIVATE_KEY_LABELS]
    certificates = [block for label, block in blocks if label == b"CERTIFICATE"]
    if len(keys) != 1:
        found = "no" if not keys else "more than one"
        raise IntegrityError(f"{key_file}: {found} PEM private key found (expected exactly one)")
    try:
        key = serialization.load_pem_private_key(keys[0], password)
    except TypeError:
        if password is None:
            raise IntegrityError(
                f"{key_file}: the private key is encrypted and no password was given"
            ) from None
        raise IntegrityError(
            f"{key_file}: a password was given but the private key is not encrypted"
        ) from None
    except UnsupportedAlgorithm:
        raise IntegrityError(f"{key_file}: unsupported private key type") from None
    except ValueError:
        reason = "wrong password or damaged key" if password else "damaged or unsupported key"
        raise IntegrityError(f"{key_file}: cannot load the private key ({reason})") from None
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < MIN_RSA_BITS:
        raise IntegrityError(
            f"{key_file}: RSA key of {key.key_size} bits is too small (at least {MIN_RSA_BITS})"
        )
    if not isinstance(key, _PrivateKey) or not _is_supported(key.public_key()):
        raise IntegrityError(
            f"{key_file}: unsupported private key type (use Ed25519, EC P-256/P-384 "
            f"or RSA >= {MIN_RSA_BITS} bits)"
        )
    certificate = None
    for block in certificates:
        try:
            candidate = x509.load_pem_x509_certificate(block)
            matches = _same_key(candidate.public_key(), key.public_key())
        except (ValueError, UnsupportedAlgorithm, x509.InvalidVersion):
            raise IntegrityError(f"{key_file}: a certificate is not valid PEM X.509") from None
        if matches:
            certificate = candidate
            break
    if certificates and certificate is None:
        raise IntegrityError(f"{key_file}: the certificate does not match the private key")
    return key, certificate


def _load_verifying_key(cert: Path) -> _PublicKey:
    """The public key of the PEM certificate or public key in `cert`."""
    blocks = _pem_blocks(cert)
    certificates = [block for label, block in blocks if label == b"CERTIFICATE"]
    public_keys = [block for label, block in blocks if label in (b"PUBLIC KEY", b"RSA PUBLIC KEY")]
    if not certificates and not public_keys:
        raise IntegrityError(f"{cert}: no PEM X.509 certificate or public key found")
    try:
        if certificates:
            key: Any = x509.load_pem_x509_certificate(certificates[0]).public_key()
        else:
            key = serialization.load_pem_public_key(public_keys[0])
    except (ValueError, UnsupportedAlgorithm, x509.InvalidVersion):
        raise IntegrityError(f"{cert}: not a usable PEM X.509 certificate or public key") from None
    if not _is_supported(key):
        raise IntegrityError(f"{cert}: unsupported public key type")
    assert isinstance(key, _PublicKey)
    return key


def _pem_blocks(path: Path) -> list[tuple[bytes, bytes]]:
    """(label, block) for each PEM block in `path`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IntegrityError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return [(match.group(1), match.group(0)) for match in _PEM_BLOCK.finditer(data)]


def _is_supported(key: Any) -> bool:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return True
    if isinstance(key, ec.EllipticCurvePublicKey):
        return isinstance(key.curve, _CURVES)
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size >= MIN_RSA_BITS
    return False


def _algorithm_for(key: _PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return ED25519
    if isinstance(key, ec.EllipticCurvePublicKey):
        return ECDSA_SHA256
    return RSA_PSS_SHA256


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def _sign(key: _PrivateKey, data: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    return key.sign(data, _pss(), hashes.SHA256())


def _verifies(key: _PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(signature, data, _pss(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _public_pem(key: Any) -> str:
    return str(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
    )


def _same_key(first: Any, second: Any) -> bool:
    return _public_pem(first) == _public_pem(second)
