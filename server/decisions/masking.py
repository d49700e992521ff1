"""Keyed hashes for fields that can carry private data.

Fields marked ``(verdict.v1.private_data) = true`` in the proto are replaced
by ``hmac:<hex>`` (HMAC-SHA256 under the server's masking key) before the
case reaches OPA or the decision log. Equal values keep equal hashes, so a
policy can still tell that the reporter is the person in the post. The key
lives outside the database (VERDICT_MASK_KEY or a key file), so whoever
reads the log cannot test guesses against it.
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
Path_ = tuple[str, ...]


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


@lru_cache(maxsize=None)
def private_paths(descriptor: Descriptor) -> tuple[Path_, ...]:
    """Every path (by proto field name) to a private string field below ``descriptor``."""
    found: list[Path_] = []
    for field in descriptor.fields:
        if field.GetOptions().Extensions[options_pb2.private_data]:
            found.append((field.name,))
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not field.message_type.full_name.startswith("google.protobuf."):
            found.extend((field.name, *sub) for sub in private_paths(field.message_type))
    return tuple(found)


class Masker:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the masking key must be at least 16 bytes")
        self._key = key

    def hash(self, value: str) -> str:
        """The keyed hash of one value; "" stays "" (nothing to hide, nothing to match)."""
        if not value or value.startswith(PREFIX):
            return value
        digest = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return PREFIX + digest[:40]

    def mask(self, doc: dict[str, Any], descriptor: Descriptor) -> dict[str, Any]:
        """Replace, in place, the private fields of a protobuf-JSON dict of ``descriptor``."""
        for path in private_paths(descriptor):
            self._mask_path(doc, path)
        return doc

    def _mask_path(self, node: Any, path: Path_) -> None:
        if isinstance(node, list):
            for item in node:
                self._mask_path(item, path)
            return
        if not isinstance(node, dict) or path[0] not in node:
            return
        if len(path) == 1:
            value = node[path[0]]
            node[path[0]] = [self.hash(v) for v in value] if isinstance(value, list) else self.hash(value)
        else:
            self._mask_path(node[path[0]], path[1:])
