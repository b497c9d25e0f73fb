"""Report folder integrity: manifest, signature, and verification of every byte."""

import base64
import datetime
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from gpc_assure.report.integrity import (
    MANIFEST,
    SIGNATURE,
    SUMS,
    IntegrityError,
    check,
    sign_manifest,
    verify,
    write_manifest,
)

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

PASSWORD = b"correct horse battery staple"

REPORT_FILES = {
    "summary.json": b'{"verdict": "pass"}\n',
    "assurance-report.json": b'{"requirements": []}\n',
    "assurance-report.html": b"<!doctype html><title>report</title>\n",
    "junit.xml": b'<?xml version="1.0"?><testsuites/>\n',
    "evidence/exchange-1.json": b'{"status": 200}\n',
    "evidence/nested/exchange-2.json": b'{"status": 404}\n',
    "allure-results/abc-result.json": b'{"name": "scenario"}\n',
    "sub/manifest.json": b"a nested file that only shares the manifest's name\n",
    "empty.txt": b"",
}

FLIPPED_FILES = [
    "summary.json",
    "junit.xml",
    "evidence/exchange-1.json",
    "evidence/nested/exchange-2.json",
    "sub/manifest.json",
    MANIFEST,
    SIGNATURE,
    SUMS,
]


def make_report(root: Path) -> Path:
    report = root / "report"
    for rel, data in REPORT_FILES.items():
        path = report / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return report


def private_pem(key: PrivateKey, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def self_signed(key: PrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gpc-assure report signer")])
    now = datetime.datetime.now(datetime.UTC)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, algorithm)
    )


def self_der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


def cert_pem(key: PrivateKey) -> bytes:
    return self_signed(key).public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def keys() -> dict[str, PrivateKey]:
    return {
        "ed25519": ed25519.Ed25519PrivateKey.generate(),
        "ec-p256": ec.generate_private_key(ec.SECP256R1()),
        "ec-p384": ec.generate_private_key(ec.SECP384R1()),
        "rsa-2048": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return make_report(tmp_path)


@pytest.fixture
def write_key(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def signed_report(report: Path, key_file: Path, password: bytes | None = None) -> Path:
    write_manifest(report)
    sign_manifest(report, key_file, password)
    return report


def jws_header(report: Path) -> dict[str, Any]:
    encoded = (report / SIGNATURE).read_text().split(".")[0]
    header: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    )
    return header


def fingerprint(key: PrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "key SHA256:" + hashlib.sha256(der).hexdigest()


def flip_byte(path: Path, index: int) -> None:
    data = bytearray(path.read_bytes())
    data[index] ^= 0x01
    path.write_bytes(bytes(data))


def each_flip(path: Path, masks: tuple[int, ...]) -> Iterator[tuple[int, int, list[str]]]:
    """Verify the report once per byte of `path` and mask, with that one byte flipped in place."""
    original = path.read_bytes()
    descriptor = os.open(path, os.O_RDWR)
    try:
        for index, byte in enumerate(original):
            for mask in masks:
                os.pwrite(descriptor, bytes([byte ^ mask]), index)
                yield index, mask, verify(path.parent)
            os.pwrite(descriptor, bytes([byte]), index)
    finally:
        os.close(descriptor)
    assert path.read_bytes() == original


def test_manifest_lists_every_file_with_digest_and_size(report: Path) -> None:
    path = write_manifest(report)

    assert path == report / MANIFEST
    manifest = json.loads(path.read_bytes())
    assert manifest["manifest_version"] == "2"
    assert manifest["algorithm"] == "sha256"
    assert manifest["signed"] is False
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    assert created.utcoffset() == datetime.timedelta(0)
    assert manifest["files"] == {
        rel: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for rel, data in REPORT_FILES.items()
    }
    assert list(manifest["files"]) == sorted(manifest["files"])
    assert (report / SUMS).read_text() == "".join(
        f"{hashlib.sha256(data).hexdigest()}  {rel}\n" for rel, data in sorted(REPORT_FILES.items())
    )


def test_manifest_leaves_out_itself_and_the_signature(
    report: Path, write_key: Callable[[str, bytes], Path]
) -> None:
    key_file = write_key("key.pem", private_pem(ed25519.Ed25519PrivateKey.generate()))
    signed_report(report, key_file)

    write_manifest(report)

    files = json.loads((report / MANIFEST).read_bytes())["files"]
    assert not {MANIFEST, SIGNATURE, SUMS} & set(files)
    assert json.loads((report / MANIFEST).read_bytes())["signed"] is False
    assert not (report / SIGNATURE).exists(), "a stale signature is removed"


def test_unsigned_untouched_report_verifies(report: Path) -> None:
    write_manifest(report)

    assert verify(report) == []


@pytest.mark.parametrize("kind", ["ed25519", "ec-p256", "ec-p384", "rsa-2048"])
def test_signed_untouched_report_verifies(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path], kind: str
) -> None:
    key = keys[kind]
    signed_report(report, write_key("key.pem", private_pem(key)))

    header = jws_header(report)
    assert (
        header["alg"]
        == {"ed25519": "EdDSA", "ec-p256": "ES256", "ec-p384": "ES384", "rsa-2048": "PS256"}[kind]
    )
    assert header["b64"] is False
    assert header["crit"] == ["b64"]
    assert "x5c" not in header
    assert header["jwk"]["kty"] in {"OKP", "EC", "RSA"}
    assert json.loads((report / MANIFEST).read_bytes())["signed"] is True
    assert verify(report) == []
    assert verify(report, cert=write_key("public.pem", public_pem(key))) == []
    token = (report / SIGNATURE).read_text().strip()
    verifying = key.public_key()
    jwt.PyJWS().decode_complete(
        token, verifying, algorithms=[header["alg"]], detached_payload=(report / SUMS).read_bytes()
    )


@pytest.mark.parametrize("rel", FLIPPED_FILES)
@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_one_flipped_byte_is_reported_against_its_file(
    report: Path,
    keys: dict[str, PrivateKey],
    write_key: Callable[[str, bytes], Path],
    rel: str,
    position: str,
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ec-p256"])))
    path = report / rel
    size = path.stat().st_size
    flip_byte(path, {"first": 0, "middle": size // 2, "last": size - 1}[position])

    problems = verify(report)

    assert problems
    assert any(rel in line for line in problems), problems


@pytest.mark.parametrize("rel", [MANIFEST, SIGNATURE, SUMS])
def test_every_single_byte_of_manifest_and_signature_is_covered(
    report: Path, write_key: Callable[[str, bytes], Path], rel: str
) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    key_file = write_key("key.pem", private_pem(key) + cert_pem(key))
    signed_report(report, key_file)

    for index, mask, problems in each_flip(report / rel, masks=(0x01, 0x20, 0x80)):
        assert any(line.startswith(rel) for line in problems), (index, mask, problems)
    assert verify(report) == []


@pytest.mark.parametrize("rel", [MANIFEST, SUMS])
def test_every_single_byte_of_an_unsigned_manifest_is_covered(report: Path, rel: str) -> None:
    write_manifest(report)

    for index, mask, problems in each_flip(report / rel, masks=(0x01, 0x20, 0x80)):
        assert any(line.startswith(rel) for line in problems), (index, mask, problems)
    assert verify(report) == []


def test_changed_file_line(report: Path) -> None:
    write_manifest(report)
    (report / "evidence/exchange-1.json").write_bytes(b'{"status": 500}\n')

    assert verify(report) == ["changed: evidence/exchange-1.json (sha256 differs)"]


def test_added_files_are_reported(report: Path) -> None:
    write_manifest(report)
    (report / "extra.txt").write_text("later")
    (report / "evidence/nested/extra.json").write_text("{}")

    assert verify(report) == [
        "added: evidence/nested/extra.json (not in the manifest)",
        "added: extra.txt (not in the manifest)",
    ]


def test_removed_files_are_reported(report: Path) -> None:
    write_manifest(report)
    (report / "junit.xml").unlink()
    (report / "evidence/nested/exchange-2.json").unlink()

    assert verify(report) == ["missing: evidence/nested/exchange-2.json", "missing: junit.xml"]


def test_missing_manifest(report: Path) -> None:
    assert verify(report) == ["manifest.json: missing", "SHA256SUMS: missing"]


def test_manifest_that_is_not_json(report: Path) -> None:
    write_manifest(report)
    (report / MANIFEST).write_text("{not json")

    problems = verify(report)

    assert len(problems) == 1
    assert problems[0].startswith("manifest.json: not valid JSON")


def test_symlinks_are_not_followed_and_are_reported(report: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("outside the report")
    (report / "link.txt").symlink_to(outside)
    (report / "evidence-link").symlink_to(report / "evidence")

    manifest = json.loads(write_manifest(report).read_bytes())

    assert "link.txt" not in manifest["files"]
    assert not any(rel.startswith("evidence-link") for rel in manifest["files"])
    assert verify(report) == [
        "symlink: evidence-link (not followed)",
        "symlink: link.txt (not followed)",
    ]


def test_right_certificate_passes(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    key = keys["rsa-2048"]
    signed_report(report, write_key("key.pem", private_pem(key)))

    assert verify(report, cert=write_key("cert.pem", cert_pem(key))) == []


def test_another_keys_certificate_fails(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ec-p256"])))
    other = write_key("other.pem", cert_pem(keys["ed25519"]))

    assert verify(report, cert=other) == [
        f"manifest.sig: signed by {fingerprint(keys['ec-p256'])}, "
        f"expected CN=gpc-assure report signer ({fingerprint(keys['ed25519'])})"
    ]


def test_re_signed_by_another_key_names_the_signer_and_fails_with_cert(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ec-p256"])))
    expected = write_key("cert.pem", cert_pem(keys["ec-p256"]))
    (report / "summary.json").write_bytes(b'{"verdict": "fail"}\n')
    signed_report(report, write_key("attacker.pem", private_pem(keys["ed25519"])))

    untrusted = check(report)
    assert untrusted.problems == []
    assert untrusted.status == (
        f"intact, signed by {fingerprint(keys['ed25519'])}, NOT verified against a trusted "
        "certificate (integrity only)"
    )
    assert verify(report, cert=expected) == [
        f"manifest.sig: signed by {fingerprint(keys['ed25519'])}, "
        f"expected CN=gpc-assure report signer ({fingerprint(keys['ec-p256'])})"
    ]


def test_forged_unsigned_manifest_over_edited_files(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ec-p256"])))
    (report / "summary.json").write_bytes(b'{"verdict": "fail"}\n')
    write_manifest(report)

    unsigned = check(report)
    assert unsigned.problems == []
    assert unsigned.status.startswith("intact, unsigned (integrity only")
    cert = write_key("cert.pem", cert_pem(keys["ec-p256"]))
    assert verify(report, cert=cert) == [
        f"manifest.sig: missing: the folder is unsigned, so it cannot be verified against {cert}"
    ]


def test_stripped_signature_is_reported(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ed25519"])))
    (report / SIGNATURE).unlink()

    assert verify(report) == [
        "manifest.sig: signature missing (manifest.json records a signed folder)"
    ]


def test_signature_over_an_unsigned_manifest_is_reported(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ed25519"])))
    signature = (report / SIGNATURE).read_bytes()
    write_manifest(report)
    (report / SIGNATURE).write_bytes(signature)

    assert verify(report) == [
        "manifest.sig: present although manifest.json records an unsigned folder"
    ]


def test_verified_signature_names_the_certificate_subject(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    key = keys["ec-p384"]
    certificate = write_key("cert.pem", cert_pem(key))
    signed_report(report, write_key("bundle.pem", private_pem(key) + certificate.read_bytes()))

    result = check(report, cert=certificate)

    assert result.problems == []
    signer = f"CN=gpc-assure report signer ({fingerprint(key)})"
    assert result.status == f"intact, signed by {signer}, verified against {certificate}"
    assert check(report).status == (
        f"intact, signed by {signer}, NOT verified against a trusted certificate (integrity only)"
    )


def test_x5c_carries_the_chain_signer_first(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    ca_key, leaf_key = keys["rsa-2048"], keys["ec-p256"]
    ca = self_signed(ca_key)
    now = datetime.datetime.now(datetime.UTC)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")]))
        .issuer_name(ca.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    pems = [c.public_bytes(serialization.Encoding.PEM) for c in (ca, leaf)]
    signed_report(report, write_key("bundle.pem", pems[0] + private_pem(leaf_key) + pems[1]))

    x5c = jws_header(report)["x5c"]
    assert [base64.b64decode(item) for item in x5c] == [
        c.public_bytes(serialization.Encoding.DER) for c in (leaf, ca)
    ]
    assert check(report, cert=write_key("leaf.pem", pems[1])).problems == []


def test_control_characters_in_a_signer_name_are_escaped(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    key = keys["ed25519"]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evil\x1b]0;title\x07")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, None)
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    signed_report(report, write_key("bundle.pem", private_pem(key) + pem))

    status = check(report).status
    assert "\x1b" not in status
    assert "\x07" not in status
    assert r"CN=evil\x1b]0\;title\x07 (key" in status


def test_signature_without_cert_checks_the_embedded_key(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ed25519"])))
    header, empty, signature = (report / SIGNATURE).read_text().strip().split(".")
    forged = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    forged[0] ^= 0xFF
    encoded = base64.urlsafe_b64encode(bytes(forged)).decode().rstrip("=")
    (report / SIGNATURE).write_text(f"{header}.{empty}.{encoded}\n")

    assert verify(report) == ["manifest.sig: signature does not verify over SHA256SUMS"]


def test_key_and_certificate_pem_embeds_the_certificate(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    key = keys["ec-p384"]
    certificate = cert_pem(key)
    signed_report(report, write_key("bundle.pem", certificate + private_pem(key)))

    x5c = jws_header(report)["x5c"]
    assert x5c == [base64.b64encode(self_der(certificate)).decode()]
    assert verify(report, cert=write_key("cert.pem", certificate)) == []


def test_certificate_that_does_not_match_the_key_is_refused(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    write_manifest(report)
    bundle = write_key("bundle.pem", private_pem(keys["ec-p256"]) + cert_pem(keys["ed25519"]))

    with pytest.raises(IntegrityError, match="does not match the private key"):
        sign_manifest(report, bundle)
    assert not (report / SIGNATURE).exists()


def test_encrypted_key_with_password(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    key = keys["rsa-2048"]
    signed_report(report, write_key("key.pem", private_pem(key, PASSWORD)), PASSWORD)

    assert verify(report, cert=write_key("cert.pem", cert_pem(key))) == []
    assert PASSWORD not in (report / SIGNATURE).read_bytes()


def assert_safe_message(error: IntegrityError, key_file: Path) -> None:
    message = str(error)
    assert "\n" not in message
    assert str(key_file) in message
    assert "-----" not in message
    assert re.search(r"[A-Za-z0-9+/]{40}", message) is None, "no base64 key material"
    assert PASSWORD.decode() not in message
    assert "wrong password" in message or "-----" not in repr(error)


@pytest.mark.parametrize(
    ("contents", "password", "reason"),
    [
        ("encrypted", b"wrong password", "wrong password"),
        ("encrypted", None, "no password was given"),
        ("plain", PASSWORD, "not encrypted"),
        ("garbage", None, "no PEM private key"),
        ("truncated", None, "cannot load the private key"),
        ("rsa-1024", None, "too small"),
        ("ed448", None, "unsupported"),
        ("ec-p521", None, "unsupported"),
    ],
)
def test_unusable_key_files_raise_a_one_line_error(
    report: Path,
    keys: dict[str, PrivateKey],
    write_key: Callable[[str, bytes], Path],
    contents: str,
    password: bytes | None,
    reason: str,
) -> None:
    write_manifest(report)
    pem = private_pem(keys["ed25519"])
    data = {
        "encrypted": private_pem(keys["ec-p256"], PASSWORD),
        "plain": pem,
        "garbage": b"this is not a key\n\x00\xff",
        "truncated": pem.replace(pem.splitlines()[1], pem.splitlines()[1][:10]),
        "rsa-1024": private_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)),
        "ed448": ed448.Ed448PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        "ec-p521": private_pem(ec.generate_private_key(ec.SECP521R1())),
    }[contents]
    key_file = write_key("key.pem", data)

    with pytest.raises(IntegrityError, match=reason) as caught:
        sign_manifest(report, key_file, password)

    assert_safe_message(caught.value, key_file)
    assert not (report / SIGNATURE).exists()


def test_missing_key_file_raises(report: Path, tmp_path: Path) -> None:
    write_manifest(report)

    with pytest.raises(IntegrityError, match="cannot be read"):
        sign_manifest(report, tmp_path / "absent.pem")


def test_signing_needs_a_manifest(report: Path, write_key: Callable[[str, bytes], Path]) -> None:
    key_file = write_key("key.pem", private_pem(ed25519.Ed25519PrivateKey.generate()))

    with pytest.raises(IntegrityError, match=r"manifest\.json: missing"):
        sign_manifest(report, key_file)


def test_unusable_cert_file_raises(report: Path, write_key: Callable[[str, bytes], Path]) -> None:
    write_manifest(report)
    cert = write_key("cert.pem", b"not a certificate")

    with pytest.raises(IntegrityError, match=r"no PEM X\.509 certificate or public key") as caught:
        verify(report, cert=cert)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("kind", ["ed25519", "ec-p256", "rsa-2048"])
def test_signature_file_holds_nothing_secret(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path], kind: str
) -> None:
    key = keys[kind]
    pem = private_pem(key, PASSWORD)
    signed_report(report, write_key("key.pem", pem + cert_pem(key)), PASSWORD)

    text = (report / SIGNATURE).read_text()
    header = jws_header(report)
    assert set(header) == {"alg", "b64", "crit", "x5c"}
    assert "PRIVATE" not in text
    assert PASSWORD.decode() not in text
    unencrypted_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert base64.b64encode(unencrypted_der).decode()[:40] not in json.dumps(header)
    for written in (report / MANIFEST, report / SIGNATURE, report / SUMS):
        assert b"PRIVATE" not in written.read_bytes()


def test_sha256sum_checks_an_untouched_folder(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ed25519"])))

    result = subprocess.run(
        ["sha256sum", "--check", "--strict", SUMS], cwd=report, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == len(REPORT_FILES)
    flip_byte(report / "junit.xml", 3)
    failed = subprocess.run(["sha256sum", "--check", SUMS], cwd=report, capture_output=True)
    assert failed.returncode == 1


def test_sha256sum_checks_names_it_must_escape(report: Path) -> None:
    for name in ("back\\slash.txt", "new\nline.txt", "sp ace.txt"):
        (report / name).write_bytes(name.encode())
    write_manifest(report)

    result = subprocess.run(
        ["sha256sum", "--check", "--strict", SUMS], cwd=report, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert verify(report) == []
