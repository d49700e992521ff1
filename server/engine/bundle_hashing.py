"""The hashes OPA records for a bundle's files (``bundle/hash.go``): file bytes, or canonical JSON for structured files.

Structured files (``data.json``, ``.manifest``, ``.signatures.json``) are
parsed and hashed in a canonical form — objects with their keys in order, no
whitespace, numbers as written, strings as Go's JSON encoder writes them — so
whitespace and key order do not change the hash.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath
from typing import Any

from server.engine.bundle import SIGNATURES, BundleError

DEFAULT_HASH = "SHA-256"
_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-224": "sha224", "SHA-256": "sha256", "SHA-384": "sha384",
           "SHA-512": "sha512", "SHA-512-224": "sha512_224", "SHA-512-256": "sha512_256"}
_STRUCTURED = {"data.json", ".manifest", SIGNATURES}


class BundleSignatureError(BundleError):
    """The bundle is not signed as required; the text says what failed (OPA's words where it has them)."""


class _Number(str):
    """A JSON number kept as written (OPA decodes with json.Number and hashes the literal)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _go_string(value: str) -> str:
    """A string as Go's encoding/json writes it with HTML escaping off."""
    value = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)  # Go decodes lone surrogates so
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _canonical(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append("{")
        for i, key in enumerate(sorted(value)):
            if i:
                out.append(",")
            out.append(_go_string(key))
            out.append(":")
            _canonical(value[key], out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _canonical(item, out)
        out.append("]")
    elif isinstance(value, _Number):
        out.append(str.__str__(value))
    elif isinstance(value, str):
        out.append(_go_string(value))
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    else:  # pragma: no cover - json.loads gives nothing else
        raise TypeError(type(value).__name__)


def canonical_json(content: bytes) -> bytes:
    """A structured file in the form OPA hashes it."""
    try:
        value = json.loads(content, parse_int=_Number, parse_float=_Number, parse_constant=_no_constant)
    except ValueError as exc:
        raise BundleSignatureError(f"cannot hash a structured file that is not JSON: {exc}") from None
    out: list[str] = []
    _canonical(value, out)
    return "".join(out).encode("utf-8")


def file_hash(name: str, content: bytes, algorithm: str = DEFAULT_HASH) -> str:
    """The hex digest OPA records for a file of the bundle."""
    if algorithm not in _HASHES:
        raise BundleSignatureError(f"unsupported hashing algorithm: {algorithm}")
    base = PurePosixPath(name).name
    if base in ("data.yaml", "data.yml"):
        raise BundleSignatureError(f"{name}: YAML data files are not supported; use data.json")
    digest = hashlib.new(_HASHES[algorithm])
    digest.update(canonical_json(content) if base in _STRUCTURED else content)
    return digest.hexdigest()
