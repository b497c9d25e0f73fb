"""Report folder integrity: manifest, signature, and verification of every byte."""

import base64
import datetime
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from gpc_assure.integrity import (
    MANIFEST,
    SIGNATURE,
    IntegrityError,
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
    assert manifest["manifest_version"] == "1"
    assert manifest["algorithm"] == "sha256"
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    assert created.utcoffset() == datetime.timedelta(0)
    assert manifest["files"] == {
        rel: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for rel, data in REPORT_FILES.items()
    }
    assert list(manifest["files"]) == sorted(manifest["files"])


def test_manifest_leaves_out_itself_and_the_signature(
    report: Path, write_key: Callable[[str, bytes], Path]
) -> None:
    key_file = write_key("key.pem", private_pem(ed25519.Ed25519PrivateKey.generate()))
    signed_report(report, key_file)

    write_manifest(report)

    files = json.loads((report / MANIFEST).read_bytes())["files"]
    assert MANIFEST not in files
    assert SIGNATURE not in files
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

    signature = json.loads((report / SIGNATURE).read_bytes())
    assert (
        signature["algorithm"]
        == {
            "ed25519": "ed25519",
            "ec-p256": "ecdsa-sha256",
            "ec-p384": "ecdsa-sha256",
            "rsa-2048": "rsa-pss-sha256",
        }[kind]
    )
    assert signature["public_key"].encode() == public_pem(key)
    assert signature["certificate"] is None
    assert verify(report) == []
    assert verify(report, cert=write_key("public.pem", public_pem(key))) == []


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


@pytest.mark.parametrize("rel", [MANIFEST, SIGNATURE])
def test_every_single_byte_of_manifest_and_signature_is_covered(
    report: Path, write_key: Callable[[str, bytes], Path], rel: str
) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    key_file = write_key("key.pem", private_pem(key) + cert_pem(key))
    signed_report(report, key_file)

    for index, mask, problems in each_flip(report / rel, masks=(0x01, 0x20, 0x80)):
        assert any(line.startswith(rel) for line in problems), (index, mask, problems)
    assert verify(report) == []


def test_every_single_byte_of_an_unsigned_manifest_is_covered(report: Path) -> None:
    write_manifest(report)

    for index, mask, problems in each_flip(report / MANIFEST, masks=(0x01, 0x20, 0x80)):
        assert any(line.startswith(MANIFEST) for line in problems), (index, mask, problems)
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
    assert verify(report) == ["manifest.json: missing"]


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
        "manifest.sig: signed by a key that does not match --cert"
    ]


def test_re_signed_by_another_key_verifies_without_cert_but_not_with_it(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ec-p256"])))
    expected = write_key("cert.pem", cert_pem(keys["ec-p256"]))
    (report / "summary.json").write_bytes(b'{"verdict": "fail"}\n')
    signed_report(report, write_key("attacker.pem", private_pem(keys["ed25519"])))

    assert verify(report) == []
    assert verify(report, cert=expected) == [
        "manifest.sig: signed by a key that does not match --cert"
    ]


def test_cert_requires_a_signature(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    write_manifest(report)

    problems = verify(report, cert=write_key("cert.pem", cert_pem(keys["ed25519"])))

    assert problems == ["manifest.sig: missing (required by --cert)"]


def test_signature_without_cert_checks_the_embedded_key(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    signed_report(report, write_key("key.pem", private_pem(keys["ed25519"])))
    signature = json.loads((report / SIGNATURE).read_bytes())
    forged = bytearray(base64.b64decode(signature["signature"]))
    forged[0] ^= 0xFF
    signature["signature"] = base64.b64encode(bytes(forged)).decode()
    body = {key: value for key, value in signature.items() if key != "content_sha256"}
    compact = json.dumps(body, sort_keys=True, separators=(",", ":"))
    signature["content_sha256"] = hashlib.sha256(compact.encode()).hexdigest()
    (report / SIGNATURE).write_text(json.dumps(signature, indent=2, sort_keys=True) + "\n")

    assert verify(report) == ["manifest.sig: signature does not verify"]


def test_key_and_certificate_pem_embeds_the_certificate(
    report: Path, keys: dict[str, PrivateKey], write_key: Callable[[str, bytes], Path]
) -> None:
    key = keys["ec-p384"]
    certificate = cert_pem(key)
    signed_report(report, write_key("bundle.pem", certificate + private_pem(key)))

    signature = json.loads((report / SIGNATURE).read_bytes())
    assert signature["certificate"].encode() == certificate
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
    signature = json.loads(text)
    assert set(signature) == {
        "algorithm",
        "signature",
        "public_key",
        "certificate",
        "content_sha256",
    }
    assert "PRIVATE" not in text
    assert PASSWORD.decode() not in text
    unencrypted_body = b"".join(private_pem(key).splitlines()[1:-1]).decode()
    assert unencrypted_body not in text.replace("\\n", "")
    for written in (report / MANIFEST, report / SIGNATURE):
        assert b"PRIVATE" not in written.read_bytes()
