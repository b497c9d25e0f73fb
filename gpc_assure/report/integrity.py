"""Tamper evidence for a report folder: SHA-256 sums, an optional detached JWS, verification.

`write_manifest` records the digest of every regular file twice, in one content: `SHA256SUMS`
(the coreutils layout, checkable with `sha256sum -c SHA256SUMS` inside the folder) and
`manifest.json` (the same digests with sizes, the time, and whether the folder is signed).
`sign_manifest` signs the exact bytes of SHA256SUMS as a detached JWS (RFC 7515, with the
unencoded payload of RFC 7797) in `manifest.sig`, carrying the signer's certificate chain in
`x5c` (or its public key in `jwk` when no certificate is given). `check` reports, one line per
file, everything that no longer matches, and who signed.

SHA256SUMS is what is signed; manifest.json must agree with it byte for byte, and carries a
`content_sha256` of its own canonical content, so any changed byte of either is reported against
that file by name. Without a trusted certificate or key this is integrity only: anyone can write
an unsigned manifest, or re-sign with their own key. Only a signature checked with `cert` (the
signer's certificate or public key, obtained out of band) proves who signed.
"""

import base64
import binascii
import datetime
import hashlib
import itertools
import json
import os
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SUMS = "SHA256SUMS"
MANIFEST_VERSION = "2"
DIGEST_ALGORITHM = "sha256"
SELF_DIGEST_FIELD = "content_sha256"
MIN_RSA_BITS = 2048

_RESERVED = frozenset({MANIFEST, SIGNATURE, SUMS})
_CURVES = (ec.SECP256R1, ec.SECP384R1)
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?-----END \1-----", flags=re.DOTALL)
_PRIVATE_KEY_LABELS = frozenset(
    {b"PRIVATE KEY", b"ENCRYPTED PRIVATE KEY", b"RSA PRIVATE KEY", b"EC PRIVATE KEY"}
)
_CHUNK = 1 << 20
_MAX_SIGNATURE_BYTES = 1 << 20

_PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
_PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


class IntegrityError(Exception):
    """A key, certificate or folder cannot be used; the message is one line without key material."""


@dataclass(frozen=True)
class Verification:
    """What `check` found: problems (one line each), who signed, and whether that was trusted."""

    problems: list[str]
    signer: str | None = None
    trusted_by: Path | None = None

    @property
    def status(self) -> str:
        """One line saying what an intact folder's check proves (meaningful when no problems)."""
        if self.signer is None:
            return "intact, unsigned (integrity only: anyone could have written this manifest)"
        if self.trusted_by is None:
            return (
                f"intact, signed by {self.signer}, NOT verified against a trusted certificate "
                "(integrity only)"
            )
        return f"intact, signed by {self.signer}, verified against {self.trusted_by}"


@dataclass
class _Scan:
    """What a report folder holds: regular files by relative path, and anything else."""

    files: dict[str, Path] = field(default_factory=dict)
    irregular: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Trusted:
    """The key given with `cert`, how to name it, and the file it came from."""

    key: "_PublicKey"
    name: str
    path: Path


def write_manifest(report_dir: Path) -> Path:
    """Write SHA256SUMS and manifest.json over every regular file under `report_dir`.

    Returns the manifest.json path. Symlinks and other non-regular entries are left out (verify
    reports them). A manifest.sig from an earlier manifest is removed, since it no longer signs
    what is written; the manifest records the folder as unsigned until `sign_manifest`.
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
        "signed": False,
        "files": files,
    }
    _remove(report_dir / SIGNATURE)
    _write_new(report_dir / SUMS, _sums(files))
    return _write_new(report_dir / MANIFEST, _canonical(_with_self_digest(manifest)))


def sign_manifest(report_dir: Path, key_file: Path, password: bytes | None = None) -> Path:
    """Sign the exact bytes of SHA256SUMS with the PEM key in `key_file`; returns manifest.sig.

    `key_file` holds an Ed25519, EC P-256/P-384 or RSA (>= 2048 bits) private key, optionally
    encrypted with `password` (empty means none), and optionally the matching X.509 certificate
    followed by its issuers, which then form the `x5c` chain. The manifest is marked signed.
    """
    key, chain = _load_signing_material(key_file, password or None)
    manifest_path, sums_path = report_dir / MANIFEST, report_dir / SUMS
    for path in (manifest_path, sums_path):
        if not _is_regular(path):
            raise IntegrityError(f"{path}: missing (write the manifest before signing)")
    try:
        manifest = json.loads(manifest_path.read_bytes())
        payload = sums_path.read_bytes()
    except OSError as exc:
        raise IntegrityError(f"{report_dir}: cannot be read ({exc.strerror or exc})") from None
    except ValueError:
        raise IntegrityError(f"{manifest_path}: not valid JSON") from None
    headers: dict[str, Any] = {"typ": None}
    if chain:
        headers["x5c"] = [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii")
            for c in chain
        ]
    else:
        headers["jwk"] = _jwk(key.public_key())
    token = jwt.PyJWS().encode(
        payload,
        key,
        algorithm=_algorithm_for(key.public_key()),
        headers=headers,
        is_payload_detached=True,
    )
    manifest["signed"] = True
    _write_new(manifest_path, _canonical(_with_self_digest(manifest)))
    return _write_new(report_dir / SIGNATURE, (token + "\n").encode("ascii"))


def verify(report_dir: Path, cert: Path | None = None) -> list[str]:
    """Problems found in `report_dir`, one line each naming the file; [] when intact."""
    return check(report_dir, cert).problems


def check(report_dir: Path, cert: Path | None = None) -> Verification:
    """Check `report_dir` against its manifest and signature; an unusable `cert` raises.

    Without `cert` an existing manifest.sig is checked against the key it names (integrity since
    signing, not identity), and the signer is reported as found. With `cert` (a PEM X.509
    certificate or public key) the folder must be signed, by that key.
    """
    trusted = _load_trusted(cert) if cert is not None else None
    if not report_dir.is_dir():
        return Verification([f"{report_dir}: not a directory"])
    scan = _scan(report_dir)
    problems: list[str] = []

    manifest_bytes = _read_reserved(report_dir, MANIFEST, scan, problems)
    manifest = None if manifest_bytes is None else _check_manifest(manifest_bytes, problems)
    sums_bytes = _read_reserved(report_dir, SUMS, scan, problems)
    if manifest is not None and sums_bytes is not None and sums_bytes != _sums(manifest.files):
        problems.append(f"{SUMS}: does not match {MANIFEST} (changed after it was written)")

    signer: str | None = None
    signature_bytes = _read_reserved(report_dir, SIGNATURE, scan, problems)
    if signature_bytes is None:
        if SIGNATURE not in scan.irregular:
            if manifest is not None and manifest.signed:
                problems.append(
                    f"{SIGNATURE}: signature missing ({MANIFEST} records a signed folder)"
                )
            elif trusted is not None:
                problems.append(
                    f"{SIGNATURE}: missing: the folder is unsigned, so it cannot be verified "
                    f"against {trusted.path}"
                )
    else:
        if manifest is not None and not manifest.signed:
            problems.append(f"{SIGNATURE}: present although {MANIFEST} records an unsigned folder")
        signer = _check_signature(signature_bytes, sums_bytes, trusted, problems)

    problems.extend(
        f"{kind}: {rel} ({reason})"
        for rel, (kind, reason) in scan.irregular.items()
        if rel not in _RESERVED
    )
    if manifest is not None:
        problems.extend(_compare(manifest.files, scan))
    return Verification(problems, signer, trusted.path if trusted is not None else None)


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
    """The one byte layout manifest.json is written in."""
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
    """The bytes of a reserved file, or None (with a problem line unless an absent signature)."""
    if name in scan.irregular:
        kind, reason = scan.irregular[name]
        problems.append(f"{name}: {kind} ({reason})")
        return None
    path = report_dir / name
    if not _is_regular(path):
        if name != SIGNATURE:
            problems.append(f"{name}: missing")
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.append(f"{name}: cannot be read ({exc.strerror or exc})")
        return None


def _parse_self_checked(name: str, data: bytes, problems: list[str]) -> dict[str, Any] | None:
    """Parse manifest.json, checking its layout and its own content digest."""
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


@dataclass(frozen=True)
class _Manifest:
    files: dict[str, Any]
    signed: bool


def _check_manifest(data: bytes, problems: list[str]) -> _Manifest | None:
    """The manifest's file entries and signed flag, or None when it cannot be used."""
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
    signed = manifest.get("signed")
    if not isinstance(files, dict):
        problems.append(f"{MANIFEST}: 'files' is not an object")
        return None
    if not isinstance(signed, bool):
        problems.append(f"{MANIFEST}: 'signed' is not true or false")
        return None
    entries: dict[str, Any] = {}
    for rel, entry in sorted(files.items()):
        if _valid_entry(rel, entry):
            entries[rel] = entry
        else:
            problems.append(f"{MANIFEST}: invalid entry for {rel!r}")
    return _Manifest(entries, signed)


def _sums(files: dict[str, Any]) -> bytes:
    """The SHA256SUMS text of `files`: coreutils layout, names escaped as `sha256sum` does."""
    lines = []
    for rel, entry in sorted(files.items()):
        escaped = rel.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        prefix = "\\" if escaped != rel else ""
        lines.append(f"{prefix}{entry['sha256']}  {escaped}\n")
    return "".join(lines).encode("utf-8", errors="surrogateescape")


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
    data: bytes, payload: bytes | None, trusted: _Trusted | None, problems: list[str]
) -> str | None:
    """Check the detached JWS in manifest.sig over SHA256SUMS; returns the signer it names."""
    parsed = _parse_jws(data, problems)
    if parsed is None:
        return None
    token, header = parsed
    embedded, signer = _embedded_signer(header, problems)
    if embedded is None and trusted is None:
        return signer
    if trusted is not None and embedded is not None and not _same_key(embedded, trusted.key):
        problems.append(f"{SIGNATURE}: signed by {signer}, expected {trusted.name}")
        return signer
    key = trusted.key if trusted is not None else embedded
    assert key is not None
    if signer is None and trusted is not None:
        signer = trusted.name
    if payload is None:
        return signer
    algorithm = _algorithm_for(key)
    if header.get("alg") != algorithm:
        problems.append(
            f"{SIGNATURE}: algorithm {_printable(str(header.get('alg')))!s} "
            f"does not suit the signer's key (expected {algorithm})"
        )
        return signer
    try:
        jwt.PyJWS().decode_complete(token, key, algorithms=[algorithm], detached_payload=payload)
    except jwt.PyJWTError:
        problems.append(f"{SIGNATURE}: signature does not verify over {SUMS}")
    return signer


def _parse_jws(data: bytes, problems: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The compact detached JWS and its protected header, if laid out as written."""
    if len(data) > _MAX_SIGNATURE_BYTES:
        problems.append(f"{SIGNATURE}: larger than {_MAX_SIGNATURE_BYTES} bytes")
        return None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        problems.append(f"{SIGNATURE}: not a compact JWS (not ASCII)")
        return None
    token = text.removesuffix("\n")
    parts = token.split(".")
    if (
        not text.endswith("\n")
        or len(parts) != 3
        or parts[1] != ""
        or not all(_is_canonical_base64url(part) for part in parts)
    ):
        problems.append(f"{SIGNATURE}: not a detached compact JWS in the layout written")
        return None
    try:
        header = json.loads(_b64url_decode(parts[0]))
    except (ValueError, RecursionError):
        problems.append(f"{SIGNATURE}: protected header is not valid JSON")
        return None
    if not isinstance(header, dict) or header.get("b64") is not False:
        problems.append(f"{SIGNATURE}: protected header is not a detached unencoded-payload JWS")
        return None
    if header.get("crit") != ["b64"]:
        problems.append(f"{SIGNATURE}: protected header 'crit' is not [\"b64\"]")
        return None
    return token, header


def _embedded_signer(
    header: dict[str, Any], problems: list[str]
) -> tuple[_PublicKey | None, str | None]:
    """The key the JWS names (x5c chain or jwk) and how to name its signer."""
    if "x5c" in header:
        chain = _x5c_chain(header["x5c"], problems)
        if chain is None:
            return None, None
        key = chain[0].public_key()
        if not _is_supported(key):
            problems.append(f"{SIGNATURE}: x5c certificate has an unsupported key type")
            return None, None
        assert isinstance(key, _PublicKey)
        return key, _describe(key, chain[0])
    if "jwk" in header:
        try:
            key = jwt.PyJWK.from_dict(header["jwk"]).key
        except (jwt.PyJWTError, TypeError, ValueError, KeyError):
            problems.append(f"{SIGNATURE}: jwk is not a usable public key")
            return None, None
        if not _is_supported(key):
            problems.append(f"{SIGNATURE}: jwk is not a supported public key")
            return None, None
        assert isinstance(key, _PublicKey)
        return key, _describe(key, None)
    problems.append(f"{SIGNATURE}: names no signer (neither x5c nor jwk)")
    return None, None


def _x5c_chain(value: Any, problems: list[str]) -> list[x509.Certificate] | None:
    """The x5c certificates, each issued by the next; None (with a problem) otherwise."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(f"{SIGNATURE}: x5c is not a list of certificates")
        return None
    chain: list[x509.Certificate] = []
    try:
        for item in value:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CryptographyDeprecationWarning)
                certificate = x509.load_der_x509_certificate(base64.b64decode(item, validate=True))
                certificate.subject.rfc4514_string()
                certificate.issuer.rfc4514_string()
                certificate.public_key()
            chain.append(certificate)
    except (ValueError, binascii.Error, UnsupportedAlgorithm, x509.InvalidVersion):
        problems.append(f"{SIGNATURE}: x5c holds a certificate that is not valid DER X.509")
        return None
    for child, issuer in itertools.pairwise(chain):
        try:
            child.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, UnsupportedAlgorithm, InvalidSignature):
            problems.append(
                f"{SIGNATURE}: x5c is not a chain (a certificate is not issued by the next)"
            )
            return None
    return chain


def _describe(key: Any, certificate: x509.Certificate | None) -> str:
    """`subject (key SHA256:…)` or `key SHA256:…`: the SHA-256 of the DER public key info."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fingerprint = f"key SHA256:{hashlib.sha256(der).hexdigest()}"
    if certificate is None:
        return fingerprint
    try:
        subject = certificate.subject.rfc4514_string()
    except ValueError:
        subject = "an unreadable subject"
    return f"{_printable(subject)} ({fingerprint})"


def _printable(text: str) -> str:
    """`text` with control and other non-printable characters escaped for the console."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _is_canonical_base64url(part: str) -> bool:
    if _BASE64URL.fullmatch(part) is None or len(part) % 4 == 1:
        return False
    try:
        return base64.urlsafe_b64encode(_b64url_decode(part)).decode().rstrip("=") == part
    except (binascii.Error, ValueError):
        return False


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _jwk(key: _PublicKey) -> dict[str, Any]:
    jwk: dict[str, Any] = jwt.algorithms.get_default_algorithms()[_algorithm_for(key)].to_jwk(
        key, as_dict=True
    )
    return jwk


def _load_signing_material(
    key_file: Path, password: bytes | None
) -> tuple[_PrivateKey, list[x509.Certificate]]:
    """The private key and its certificate chain (signer first) in `key_file`.

    Errors never quote the file.
    """
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
    try:
        loaded = [x509.load_pem_x509_certificate(block) for block in certificates]
    except (ValueError, UnsupportedAlgorithm, x509.InvalidVersion):
        raise IntegrityError(f"{key_file}: a certificate is not valid PEM X.509") from None
    signer = [c for c in loaded if _same_key(c.public_key(), key.public_key())]
    if loaded and not signer:
        raise IntegrityError(f"{key_file}: the certificate does not match the private key")
    chain = signer[:1] + [c for c in loaded if c is not signer[0]] if signer else []
    return key, chain


def _load_trusted(cert: Path) -> _Trusted:
    """The public key of the PEM certificate or public key in `cert`, and its name."""
    blocks = _pem_blocks(cert)
    certificates = [block for label, block in blocks if label == b"CERTIFICATE"]
    public_keys = [block for label, block in blocks if label in (b"PUBLIC KEY", b"RSA PUBLIC KEY")]
    if not certificates and not public_keys:
        raise IntegrityError(f"{cert}: no PEM X.509 certificate or public key found")
    try:
        certificate = x509.load_pem_x509_certificate(certificates[0]) if certificates else None
        key: Any = (
            certificate.public_key()
            if certificate is not None
            else serialization.load_pem_public_key(public_keys[0])
        )
    except (ValueError, UnsupportedAlgorithm, x509.InvalidVersion):
        raise IntegrityError(f"{cert}: not a usable PEM X.509 certificate or public key") from None
    if not _is_supported(key):
        raise IntegrityError(f"{cert}: unsupported public key type")
    assert isinstance(key, _PublicKey)
    return _Trusted(key, _describe(key, certificate), cert)


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
    """The JWS algorithm for `key`: EdDSA, ES256/ES384 by curve, or PS256 for RSA."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ES384" if isinstance(key.curve, ec.SECP384R1) else "ES256"
    return "PS256"


def _public_pem(key: Any) -> str:
    return str(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
    )


def _same_key(first: Any, second: Any) -> bool:
    return _public_pem(first) == _public_pem(second)
