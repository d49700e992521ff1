"""Keyed hashes for fields that can carry private data.

Fields marked ``(verdict.v1.private_data) = true`` in the proto are replaced
by ``hmac:<hex>`` before the case reaches OPA or the decision log: an
HMAC-SHA256 under the server's masking key of a domain label, the field's
``private_kind`` and the value. Equal values of one kind keep equal hashes,
so a policy can still tell that the reporter is the person in the post;
values of different kinds never match. Every value is masked, whatever it
looks like: a value that already reads ``hmac:...`` (say, a hash copied from
the log into ``reporter_id``) is hashed like any other, so it matches
nothing and never reaches OPA or the log as given.

The key lives outside the database (VERDICT_MASK_KEY or a key file), so
whoever reads the log cannot test guesses against it. Its ID (``key_id``,
an HMAC of a fixed label, which says nothing of the key) is written into
every log record, so a record says which key masked it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from verdict.v1 import options_pb2

PREFIX = "hmac:"
# Changing it changes every hash: a new label is a new masking scheme.
DOMAIN = b"verdict.v1 private value"
KEY_ID_LABEL = b"verdict.v1 masking key id"
Path_ = tuple[str, ...]
Private = tuple[Path_, str]  # a path to a private field, and the kind of value it holds


def load_key(key_file: Path | None = None) -> bytes:
    """VERDICT_MASK_KEY (hex), else a key file, created (mode 600) on first use."""
    if os.environ.get("VERDICT_MASK_KEY"):
        return bytes.fromhex(os.environ["VERDICT_MASK_KEY"])
    path = Path(os.environ.get("VERDICT_MASK_KEY_FILE", key_file or "var/mask.key"))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def kind_of(field: FieldDescriptor) -> str:
    return field.GetOptions().Extensions[options_pb2.private_kind] or field.full_name


@lru_cache(maxsize=None)
def private_fields(descriptor: Descriptor) -> tuple[Private, ...]:
    """Every path (by proto field name) to a private string field below ``descriptor``, with its kind."""
    found: list[Private] = []
    for field in descriptor.fields:
        if field.GetOptions().Extensions[options_pb2.private_data]:
            found.append(((field.name,), kind_of(field)))
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not field.message_type.full_name.startswith("google.protobuf."):
            found.extend(((field.name, *sub), kind) for sub, kind in private_fields(field.message_type))
    return tuple(found)


def private_paths(descriptor: Descriptor) -> tuple[Path_, ...]:
    return tuple(path for path, _ in private_fields(descriptor))


def key_id(key: bytes) -> str:
    """A short public name of a masking key: which key masked a record, without revealing it."""
    return "mk_" + hmac.new(key, KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


class Masker:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the masking key must be at least 16 bytes")
        self._key = key
        self.key_id = key_id(key)

    def hash(self, value: str, kind: str) -> str:
        """The keyed hash of one value of ``kind``; "" stays "" (nothing to hide, nothing to match).
        Nothing else is passed through: a value that looks masked is masked again."""
        if not value:
            return value
        message = b"\0".join((DOMAIN, kind.encode("utf-8"), value.encode("utf-8")))
        return PREFIX + hmac.new(self._key, message, hashlib.sha256).hexdigest()[:40]

    def mask(self, doc: dict[str, Any], descriptor: Descriptor) -> dict[str, Any]:
        """Replace, in place, the private fields of a protobuf-JSON dict of ``descriptor``."""
        for path, kind in private_fields(descriptor):
            self._mask_path(doc, path, kind)
        return doc

    def _mask_path(self, node: Any, path: Path_, kind: str) -> None:
        if isinstance(node, list):
            for item in node:
                self._mask_path(item, path, kind)
            return
        if not isinstance(node, dict) or path[0] not in node:
            return
        if len(path) == 1:
            value = node[path[0]]
            node[path[0]] = [self.hash(v, kind) for v in value] if isinstance(value, list) else self.hash(value, kind)
        else:
            self._mask_path(node[path[0]], path[1:], kind)
