"""Bundle signing: `verdict-admin bundle build --signing-key` writes what OPA verifies, and we verify as OPA does.

The independent check is OPA's own Go code, through the embedded engine's
builtins: it verifies the JWT (``io.jwt.verify_rs256`` / ``_es256``),
decodes its payload, and hashes every file (``crypto.sha256``; structured
files in the canonical form Go's JSON encoder gives them).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from opa_bindings import OpaEngine

from server.admin.main import main as verdict_admin
from server.engine.bundle import MANIFEST, SIGNATURES, Bundle, read_tarball
from server.engine.bundle_hashing import canonical_json, file_hash
from server.engine.bundle_signing import BundleSignatureError, VerificationConfig, VerificationKey, sign, verify

from tests.conftest import REGO


def pem_pair(kind: str = "rsa") -> tuple[bytes, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private_pem, public_pem.decode()


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[bytes, str]:
    return pem_pair("rsa")


@pytest.fixture(scope="module")
def signed(rsa_keys, tmp_path_factory) -> dict[str, bytes]:
    """The repository's rego/ built and signed by the CLI, unpacked."""
    private, _ = rsa_keys
    root = tmp_path_factory.mktemp("signed")
    (root / "key.pem").write_bytes(private)
    assert verdict_admin(["bundle", "build", "--bundle", str(REGO), "-o", str(root / "b.tar.gz"),
                    "--signing-key", str(root / "key.pem"), "--signing-key-id", "verdict-bundles"]) == 0
    return read_tarball((root / "b.tar.gz").read_bytes())


def config(public: str, key_id: str = "verdict-bundles", algorithm: str = "RS256", **kw) -> VerificationConfig:
    return VerificationConfig({key_id: VerificationKey(public, algorithm)}, key_id, **kw)


def token_of(files: dict[str, bytes]) -> str:
    return json.loads(files[SIGNATURES])["signatures"][0]


def go_canonical_sha256(engine: OpaEngine, content: bytes) -> str:
    """Go's json.Marshal of the parsed document (numbers as written, keys sorted) with HTML escaping undone:
    the form OPA's bundle hasher writes, hashed by OPA's crypto.sha256."""
    marshalled = engine.eval_query("x := json.marshal(json.unmarshal(input.raw))", {"raw": content.decode()})[0]["x"]
    unescaped = marshalled.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    return engine.eval_query("x := crypto.sha256(input.s)", {"s": unescaped})[0]["x"]


def test_opa_verifies_the_jwt_and_every_hash_of_a_signed_bundle(signed, rsa_keys):
    _, public = rsa_keys
    engine = OpaEngine()
    try:
        token = token_of(signed)
        assert engine.eval_query("x := io.jwt.verify_rs256(input.t, input.k)", {"t": token, "k": public})[0]["x"] is True
        header, payload, _ = engine.eval_query("x := io.jwt.decode(input.t)", {"t": token})[0]["x"]
        assert header["alg"] == "RS256" and header["kid"] == "verdict-bundles"
        listed = {f["name"]: f for f in payload["files"]}
        assert set(listed) == set(signed) - {SIGNATURES}  # exactly the files of the bundle, names without "/"
        assert MANIFEST in listed and "verdict/pi/pi.rego" in listed
        for name, content in signed.items():
            if name == SIGNATURES:
                continue
            assert listed[name]["algorithm"] == "SHA-256"
            if name.endswith(".rego"):
                expected = engine.eval_query("x := crypto.sha256(input.s)", {"s": content.decode()})[0]["x"]
            else:
                expected = go_canonical_sha256(engine, content)
            assert listed[name]["hash"] == expected, name
    finally:
        engine.close()


def test_a_signed_bundle_verifies_and_carries_its_revision(signed, rsa_keys):
    _, public = rsa_keys
    assert len(verify(signed, config(public))) == len(signed) - 1
    revision = json.loads(signed[MANIFEST])["revision"]
    assert revision == Bundle.from_directory(REGO).revision


@pytest.mark.parametrize("change, message", [
    (lambda f: f.update({"verdict/pi/pi.rego": f["verdict/pi/pi.rego"] + b"\n# changed\n"}), "digest mismatch"),
    (lambda f: f.update({MANIFEST: json.dumps({"revision": "other", "roots": [""]}).encode()}), "digest mismatch"),
    (lambda f: f.update({"verdict/extra.rego": b"package extra\n"}), "not included in bundle signature"),
    (lambda f: f.pop("verdict/pi/pi.rego"), "specified in bundle signatures but not found"),
    (lambda f: f.pop(SIGNATURES), "bundle missing .signatures.json file"),
])
def test_a_changed_added_or_removed_file_fails_verification(signed, rsa_keys, change, message):
    _, public = rsa_keys
    files = dict(signed)
    change(files)
    with pytest.raises(BundleSignatureError, match=message):
        verify(files, config(public))


def test_another_key_a_wrong_scope_or_no_key_fails(signed, rsa_keys):
    _, public = rsa_keys
    with pytest.raises(BundleSignatureError, match="failed to verify"):
        verify(signed, config(pem_pair("rsa")[1]))
    with pytest.raises(BundleSignatureError, match="scope mismatch"):
        verify(signed, config(public, scope="write"))
    with pytest.raises(BundleSignatureError, match="verification key not provided"):
        verify(signed, None)
    with pytest.raises(BundleSignatureError, match="verification key corresponding to ID other not found"):
        verify(signed, VerificationConfig({"verdict-bundles": VerificationKey(public)}, "other"))


def test_the_configured_key_id_overrides_the_jwt_kid_as_in_opa(signed, rsa_keys):
    _, public = rsa_keys
    # opa run --verification-key pub.pem uses the key ID "default" whatever the JWT's kid says
    assert verify(signed, VerificationConfig({"default": VerificationKey(public)}, "default"))
    # without a configured key ID, the JWT's kid picks the key
    assert verify(signed, VerificationConfig({"verdict-bundles": VerificationKey(public)}))


def test_ecdsa_and_hmac_signatures_with_scope():
    bundle = Bundle.from_files({"x/a.rego": b"package x\n", "x/data.json": b'{"n": 1}'})
    private, public = pem_pair("ec")
    signatures = sign(bundle.entries(), private, "ES256", key_id="ec", scope="read")
    files = read_tarball(bundle.tarball(signatures))
    assert verify(files, config(public, "ec", "ES256", scope="read"))
    engine = OpaEngine()
    try:
        assert engine.eval_query("x := io.jwt.verify_es256(input.t, input.k)", {"t": token_of(files), "k": public})[0]["x"]
    finally:
        engine.close()
    hmac_files = read_tarball(bundle.tarball(sign(bundle.entries(), b"s3cret-s3cret-s3cret-s3cret-s3cret", "HS256", key_id="h")))
    assert verify(hmac_files, config("s3cret-s3cret-s3cret-s3cret-s3cret", "h", "HS256"))
    with pytest.raises(BundleSignatureError):
        verify(hmac_files, config("other-other-other-other-other-other", "h", "HS256"))


def test_structured_files_hash_in_canonical_form():
    # whitespace and key order do not matter; numbers are hashed as written, strings as Go writes them
    assert canonical_json(b'{ "b": [1, 2.50, -0, 1e3],\n "a": {"y": null, "x": true} }') == \
        b'{"a":{"x":true,"y":null},"b":[1,2.50,-0,1e3]}'
    assert canonical_json('{"s": "<&> é \\u2028 \\n \\u0001 \\" \\\\"}'.encode()) == \
        '{"s":"<&> é \\u2028 \\n \\u0001 \\" \\\\"}'.encode()
    assert file_hash("a/data.json", b'{"b":1, "a":2}') == file_hash("a/data.json", b'{"a": 2, "b": 1}') == \
        hashlib.sha256(b'{"a":2,"b":1}').hexdigest()
    assert file_hash("a/p.rego", b"package p\n") == hashlib.sha256(b"package p\n").hexdigest()
    with pytest.raises(BundleSignatureError, match="unsupported hashing algorithm"):
        file_hash("a/p.rego", b"", "SHA-3")


def test_verify_command_checks_signature_and_revision(signed, rsa_keys, tmp_path, capsys):
    _, public = rsa_keys
    (tmp_path / "pub.pem").write_text(public)
    good = tmp_path / "good.tar.gz"
    good.write_bytes(Bundle.from_directory(REGO).tarball(signed[SIGNATURES]))
    assert verdict_admin(["bundle", "verify", str(good), "--verification-key", str(tmp_path / "pub.pem")]) == 0
    assert "signature and every file's hash verified" in capsys.readouterr().out
    assert verdict_admin(["bundle", "verify", str(good)]) == 1  # signed, but no key to check it with
    # a manifest whose revision is not the content hash is refused even when it is signed so
    files = dict(signed)
    files[MANIFEST] = json.dumps({"revision": "v1", "roots": [""]}).encode()
    private, public2 = pem_pair("rsa")
    (tmp_path / "pub2.pem").write_text(public2)
    resigned = dict(files)
    resigned[SIGNATURES] = sign({k: v for k, v in files.items() if k != SIGNATURES}, private, key_id="k")
    from server.engine.bundle import write_tarball

    (tmp_path / "v1.tar.gz").write_bytes(write_tarball(resigned))
    capsys.readouterr()
    assert verdict_admin(["bundle", "verify", str(tmp_path / "v1.tar.gz"), "--verification-key", str(tmp_path / "pub2.pem")]) == 1
    assert "is not the content hash" in capsys.readouterr().out


def test_rego_build_is_an_alias_of_bundle_build(tmp_path):
    assert verdict_admin(["rego", "build", "--bundle", str(REGO), "-o", str(tmp_path / "a.tar.gz")]) == 0
    assert verdict_admin(["bundle", "build", "--bundle", str(REGO), "-o", str(tmp_path / "b.tar.gz")]) == 0
    assert read_tarball((tmp_path / "a.tar.gz").read_bytes()) == read_tarball((tmp_path / "b.tar.gz").read_bytes())
    assert SIGNATURES not in read_tarball((tmp_path / "a.tar.gz").read_bytes())


def test_unsigned_bundle_passes_without_a_config_as_in_opa():
    files = read_tarball(Bundle.from_files({"x/a.rego": b"package x\n"}).tarball())
    assert verify(files, None) == []


def test_key_file_config(tmp_path, rsa_keys, signed):
    _, public = rsa_keys
    (tmp_path / "pub.pem").write_text(public)
    assert verify(signed, VerificationConfig.from_key_file(tmp_path / "pub.pem"))
    assert Path(tmp_path / "pub.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
