"""Signed checkpoints: C2SP signed-note (https://c2sp.org/signed-note) with
Ed25519 signatures, carrying a C2SP tlog-checkpoint body
(https://c2sp.org/tlog-checkpoint): origin, tree size, base64 root hash.

Keys use the text encodings of Go's golang.org/x/mod/sumdb/note, so the
same key works with Go's tools, transparency-dev witnesses and sigsum:

    private  PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || 32-byte seed)>
    public   <name>+<key id hex>+<base64(0x01 || 32-byte public key)>

The log signs through ``Signer``, a name and a ``sign(message)``: a key in
a file or an environment variable here, a KMS or HSM behind the same two
members elsewhere. Verifying needs only the public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
DASH = "\u2014"


class NoteError(ValueError):
    """A note, key or checkpoint that is malformed or not signed by the trusted key; the text says which."""


class Signer(Protocol):
    """What the log needs of its signing key; a KMS-backed signer implements the same."""

    name: str                      # the key name, which is also the log's origin

    def public_key(self) -> bytes: ...        # the raw 32-byte Ed25519 public key

    def sign(self, message: bytes) -> bytes: ...  # a 64-byte Ed25519 signature of message


def key_id(name: str, public_key: bytes) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()
    return struct.unpack(">I", digest[:4])[0]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name) or any(ord(c) < 0x20 for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


@dataclass(frozen=True)
class Verifier:
    """A trusted public key: ``<name>+<key id>+<base64(0x01 || key)>``."""

    name: str
    id: int
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> "Verifier":
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a public key looks like NAME+KEYID+BASE64 (the .pub file the key was created with)")
        name, hex_id, b64 = parts
        _check_name(name)
        try:
            raw = base64.b64decode(b64, validate=True)
            wanted = int(hex_id, 16)
        except (binascii.Error, ValueError):
            raise NoteError("the public key is not valid hex and base64") from None
        if len(hex_id) != 8 or len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("the public key is not an Ed25519 key in signed-note encoding")
        if key_id(name, raw[1:]) != wanted:
            raise NoteError(f"the public key's id {hex_id} does not match its name and key")
        return cls(name, wanted, raw[1:])

    def text(self) -> str:
        return f"{self.name}+{self.id:08x}+{base64.b64encode(bytes([ED25519]) + self.public_key).decode()}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
            return True
        except InvalidSignature:
            return False


class Ed25519Signer:
    """A signing key held by this process (from a file or an environment variable)."""

    def __init__(self, name: str, seed: bytes) -> None:
        _check_name(name)
        if len(seed) != 32:
            raise NoteError("an Ed25519 seed is 32 bytes")
        self.name = name
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self._public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @classmethod
    def generate(cls, name: str) -> "Ed25519Signer":
        return cls(name, os.urandom(32))

    @classmethod
    def parse(cls, text: str) -> "Ed25519Signer":
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("a signing key looks like PRIVATE+KEY+NAME+KEYID+BASE64")
        name, hex_id, b64 = parts[2:]
        try:
            raw = base64.b64decode(b64, validate=True)
            wanted = int(hex_id, 16)
        except (binascii.Error, ValueError):
            raise NoteError("the signing key is not valid hex and base64") from None
        if len(hex_id) != 8 or len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("the signing key is not an Ed25519 key in signed-note encoding")
        signer = cls(name, raw[1:])
        if key_id(name, signer.public_key()) != wanted:
            raise NoteError(f"the signing key's id {hex_id} does not match its name and key")
        return signer

    def public_key(self) -> bytes:
        return self._public

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def text(self) -> str:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        seed = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return f"PRIVATE+KEY+{self.name}+{key_id(self.name, self._public):08x}+{base64.b64encode(bytes([ED25519]) + seed).decode()}"


def verifier_of(signer: Signer) -> Verifier:
    return Verifier(signer.name, key_id(signer.name, signer.public_key()), signer.public_key())


def load_signer(key: str | None, key_file: Path) -> Ed25519Signer:
    """The log's signing key: the key text itself (``key``) or the file it is in."""
    if key:
        return Ed25519Signer.parse(key)
    try:
        return Ed25519Signer.parse(key_file.read_text())
    except FileNotFoundError:
        raise NoteError(
            f"no decision-log signing key at {key_file}: create one with "
            f"`verdict-admin audit keygen --origin NAME --out {key_file}` (make run creates a development key)"
        ) from None


def load_verifier(key: str) -> Verifier:
    """A public key given as its text or as the path of a file holding it."""
    path = Path(key)
    if "+" not in key or path.is_file():
        try:
            key = path.read_text()
        except OSError as exc:
            raise NoteError(f"cannot read the public key {key}: {exc.strerror}") from None
    return Verifier.parse(key)


def write_keypair(signer: Ed25519Signer, path: Path) -> Path:
    """Write the signing key (mode 0600) and its public key next to it (``.pub``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.text() + "\n")
    public = path.with_suffix(".pub")
    public.write_text(verifier_of(signer).text() + "\n")
    return public


# ---------------------------------------------------------------- notes


def sign_note(text: str, signer: Signer) -> str:
    if not text.endswith("\n"):
        raise NoteError("a note's text ends with a newline")
    signature = signer.sign(text.encode())
    blob = struct.pack(">I", key_id(signer.name, signer.public_key())) + signature
    return f"{text}\n{DASH} {signer.name} {base64.b64encode(blob).decode()}\n"


def open_note(note: str, verifier: Verifier) -> str:
    """The text of a note signed by ``verifier``; NoteError naming what is wrong otherwise.

    As the spec says: signatures by other keys are ignored, a bad signature by
    the trusted key rejects the note, and at least one must verify.
    """
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("the note contains control characters")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("not a signed note (no blank line before the signatures)")
    text, lines = note[: split + 1], note[split + 2:].splitlines()
    if not lines:
        raise NoteError("the note has no signatures")
    others, good = [], False
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"malformed signature line {line!r}")
        name, b64 = parts[1], parts[2]
        try:
            blob = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raise NoteError(f"the signature by {name} is not base64") from None
        if len(blob) < 5:
            raise NoteError(f"the signature by {name} is too short")
        sig_id = struct.unpack(">I", blob[:4])[0]
        if name != verifier.name or sig_id != verifier.id:
            others.append(f"{name}+{sig_id:08x}")
            continue
        if not verifier.verify(text.encode(), blob[4:]):
            raise NoteError(f"the signature by {verifier.name}+{verifier.id:08x} does not verify: the note was altered after signing")
        good = True
    if not good:
        signed_by = ", ".join(others)
        raise NoteError(f"not signed by the trusted key {verifier.name}+{verifier.id:08x} "
                        f"(signed by {signed_by}: a different key was substituted)")
    return text


# ---------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    """A tree head as a C2SP tlog-checkpoint: the tree of ``size`` leaves has root ``root``."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise NoteError("a checkpoint is an origin, a tree size and a root hash, one per line")
        origin, size_text, root_text = lines[:3]
        if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
            raise NoteError(f"the checkpoint's tree size {size_text!r} is not a decimal number")
        try:
            root = base64.b64decode(root_text, validate=True)
        except binascii.Error:
            raise NoteError("the checkpoint's root hash is not base64") from None
        if len(root) != 32:
            raise NoteError("the checkpoint's root hash is not 32 bytes")
        return cls(origin, int(size_text), root)

    @classmethod
    def of_note(cls, note: str) -> "Checkpoint":
        """The checkpoint a note carries, without checking its signature (for notes already trusted)."""
        return cls.parse(note.partition("\n\n")[0] + "\n")

    def sign(self, signer: Signer) -> str:
        return sign_note(self.text(), signer)


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """A checkpoint signed by the trusted key, for the trusted key's log."""
    checkpoint = Checkpoint.parse(open_note(note, verifier))
    if checkpoint.origin != verifier.name:
        raise NoteError(f"the checkpoint is for log {checkpoint.origin!r}, not {verifier.name!r}")
    return checkpoint
