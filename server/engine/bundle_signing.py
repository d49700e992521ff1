"""OPA bundle signing: ``.signatures.json`` as OPA writes and verifies it.

A signed bundle carries ``.signatures.json``: ``{"signatures": [JWT]}``,
one JWT whose payload lists every other file of the bundle with its hash
(``{"files": [{"name", "hash", "algorithm"}], "keyid"?, "scope"?}``) and
whose header names the key (``kid``). Real OPA verifies it with
``--verification-key`` or a ``keys`` entry of its configuration; this module
signs so that OPA accepts the bundle, and verifies as OPA does (the project's
sidecar and the bundle service use it):

- the JWT's signature, with the key named by the configuration's ``keyid``,
  else the header's ``kid``, else the payload's ``keyid``;
- the payload's ``scope`` equals the configured one (both may be empty);
- the files listed are exactly the files of the bundle, and each hash matches.

Hashes follow OPA (``bundle_hashing``).

The JWT itself is made and checked with PyJWT over ``cryptography``.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from server.engine.bundle import SIGNATURES
from server.engine.bundle_hashing import DEFAULT_HASH, BundleSignatureError, file_hash

DEFAULT_ALGORITHM = "RS256"
# The JWT algorithms OPA verifies bundles with.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512")


# -- signing ----------------------------------------------------------------

def read_signing_key(value: str) -> str | bytes:
    """``--signing-key`` as OPA takes it: the path of a PEM private key, or an HMAC secret."""
    path = Path(value)
    return path.read_bytes() if path.is_file() else value.encode("utf-8")


def sign(entries: Mapping[str, bytes], signing_key: str | bytes, algorithm: str = DEFAULT_ALGORITHM,
         key_id: str | None = None, scope: str | None = None) -> bytes:
    """``.signatures.json`` for a bundle of these files (every one but the signatures file itself)."""
    if algorithm not in ALGORITHMS:
        raise BundleSignatureError(f"unsupported signing algorithm {algorithm!r}: use one of {', '.join(ALGORITHMS)}")
    files = [{"name": name, "hash": file_hash(name, content), "algorithm": DEFAULT_HASH}
             for name, content in entries.items() if name != SIGNATURES]
    payload: dict[str, Any] = {"files": files}
    if key_id:
        payload["keyid"] = key_id  # deprecated by OPA, still read by older versions
    if scope:
        payload["scope"] = scope
    try:
        token = jwt.encode(payload, signing_key, algorithm=algorithm, headers={"kid": key_id} if key_id else None)
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise BundleSignatureError(f"cannot sign with this key and {algorithm}: {exc}") from None
    return json.dumps({"signatures": [token]}, indent=1).encode()


# -- verification -----------------------------------------------------------

@dataclass(frozen=True)
class VerificationKey:
    """One entry of OPA's ``keys``: a public key in PEM (or an HMAC secret), its algorithm and scope."""

    key: str
    algorithm: str = DEFAULT_ALGORITHM
    scope: str = ""


@dataclass(frozen=True)
class VerificationConfig:
    """What a bundle must be signed with: OPA's ``bundles[_].signing`` and ``keys``."""

    keys: Mapping[str, VerificationKey]
    key_id: str = ""
    scope: str = ""
    exclude_files: tuple[str, ...] = field(default=())

    @classmethod
    def from_key_file(cls, path: Path | str, key_id: str = "default", algorithm: str = DEFAULT_ALGORITHM,
                      scope: str = "") -> "VerificationConfig":
        """As ``opa run --verification-key FILE --verification-key-id ID --signing-alg ALG``."""
        return cls({key_id: VerificationKey(Path(path).read_text(encoding="utf-8"), algorithm, scope)}, key_id, scope)


def _public_key(config: VerificationKey) -> Any:
    if config.algorithm.startswith("HS"):
        return config.key.encode("utf-8")
    data = config.key.encode("utf-8")
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificate(data).public_key()
        return serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise BundleSignatureError(f"the verification key is not a PEM public key or certificate: {exc}") from None


def _decode_part(token: str, index: int) -> dict[str, Any]:
    try:
        part = token.split(".")[index]
        value = json.loads(jwt.utils.base64url_decode(part.encode("ascii")))
    except (IndexError, ValueError, UnicodeEncodeError) as exc:
        raise BundleSignatureError(f".signatures.json: not a JWT: {exc}") from None
    if not isinstance(value, dict):
        raise BundleSignatureError(".signatures.json: the JWT's header and payload must be JSON objects")
    return value


def verify(files: Mapping[str, bytes], config: VerificationConfig | None) -> list[str]:
    """Check a bundle's signature as OPA does; returns the names of the files verified.

    ``files``: every file of the bundle by path (``read_tarball``). With no
    config, an unsigned bundle passes and a signed one fails (OPA cannot
    verify it). With a config, the bundle must be signed — stricter than
    OPA, which lets an unsigned bundle through when no ``keyid`` is set.
    """
    signatures = files.get(SIGNATURES)
    if signatures is None:
        if config is not None:
            raise BundleSignatureError("bundle missing .signatures.json file")
        return []
    if config is None:
        raise BundleSignatureError("verification key not provided")
    try:
        tokens = json.loads(signatures).get("signatures") or []
    except (ValueError, AttributeError) as exc:
        raise BundleSignatureError(f"bundle load failed on signatures decode: {exc}") from None
    if len(tokens) != 1 or not isinstance(tokens[0], str):
        raise BundleSignatureError(".signatures.json: expected exactly one JWT")
    token = tokens[0]
    header, payload = _decode_part(token, 0), _decode_part(token, 1)
    key_id = config.key_id or header.get("kid") or payload.get("keyid") or ""
    if not key_id:
        raise BundleSignatureError("verification key ID is empty")
    key = config.keys.get(key_id)
    if key is None:
        raise BundleSignatureError(f"verification key corresponding to ID {key_id} not found")
    if key.algorithm not in ALGORITHMS:
        raise BundleSignatureError(f"unknown signature algorithm: {key.algorithm}")
    try:
        jwt.api_jws.PyJWS().decode_complete(token, key=_public_key(key), algorithms=[key.algorithm])
    except jwt.PyJWTError as exc:
        raise BundleSignatureError(f"failed to verify the bundle's JWT with key {key_id!r} ({key.algorithm}): {exc}") from None
    if payload.get("scope", "") != (config.scope or key.scope):
        raise BundleSignatureError("scope mismatch")
    listed = {str(entry.get("name")): entry for entry in payload.get("files") or [] if isinstance(entry, dict)}
    verified = []
    for name, content in files.items():
        if name == SIGNATURES:
            continue
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in config.exclude_files):
            listed.pop(name, None)
            continue
        entry = listed.pop(name, None)
        if entry is None:
            raise BundleSignatureError(f"file {name} not included in bundle signature")
        if not entry.get("algorithm"):
            raise BundleSignatureError(f"no hashing algorithm provided for file {name}")
        want, got = str(entry.get("hash", "")).lower(), file_hash(name, content, str(entry["algorithm"]))
        if want != got:
            raise BundleSignatureError(f"{name}: digest mismatch (want: {want}, got: {got})")
        verified.append(name)
    if listed:
        raise BundleSignatureError(f"file(s) {sorted(listed)} specified in bundle signatures but not found in the target bundle")
    return verified


def public_key_of(signing_key: str | bytes, algorithm: str) -> str:
    """The verification key for a signing key: its public key in PEM (the secret itself for HMAC)."""
    key = signing_key.encode("utf-8") if isinstance(signing_key, str) else signing_key
    if algorithm.startswith("HS"):
        return key.decode("utf-8")
    try:
        private = serialization.load_pem_private_key(key, password=None)
    except (ValueError, TypeError) as exc:
        raise BundleSignatureError(f"the signing key is not an unencrypted PEM private key: {exc}") from None
    return private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
