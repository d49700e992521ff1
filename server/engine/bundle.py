"""A Rego bundle on disk or in the archive: its files, data and revision.

The revision is a content hash of the files OPA loads (``*.rego`` and
``data.json``), so the same policy text always has the same revision,
wherever it came from (a directory, a git ref, the policy archive).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

DATA_FILE = "data.json"


class BundleError(Exception):
    """The bundle cannot be loaded: a file is unreadable or not valid JSON."""


def is_bundle_file(relpath: str) -> bool:
    """Only Rego modules and data.json documents are part of a bundle."""
    name = PurePosixPath(relpath).name
    return name.endswith(".rego") or name == DATA_FILE


def revision_of(files: Mapping[str, bytes]) -> str:
    """Content hash over sorted (path, content) pairs; independent of file order."""
    digest = hashlib.sha256()
    for path in sorted(files):
        content = files[path]
        digest.update(path.encode())
        digest.update(b"\0")
        digest.update(len(content).to_bytes(8, "big"))
        digest.update(content)
    return digest.hexdigest()


def _set_path(root: dict[str, Any], path: tuple[str, ...], value: Any, source: str) -> None:
    node = root
    for part in path:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise BundleError(f"{source}: data path {'/'.join(path)} conflicts with another data file")
    if not isinstance(value, dict):
        raise BundleError(f"{source}: a data.json must hold a JSON object")
    for key, item in value.items():
        if key in node:
            raise BundleError(f"{source}: key {key!r} already defined at {'/'.join(path) or 'root'}")
        node[key] = item


@dataclass(frozen=True)
class Bundle:
    """The files of one policy revision and what OPA would make of them."""

    files: Mapping[str, bytes]
    revision: str
    modules: Mapping[str, str] = field(repr=False)
    data: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_files(cls, files: Mapping[str, bytes]) -> "Bundle":
        """Build from relative path -> content, as OPA's bundle loader would.

        A ``data.json`` at ``a/b/data.json`` is the document ``data.a.b``.
        """
        kept = {p: c for p, c in files.items() if is_bundle_file(p)}
        modules: dict[str, str] = {}
        data: dict[str, Any] = {}
        for path in sorted(kept):
            content = kept[path]
            if path.endswith(".rego"):
                modules[path] = content.decode("utf-8")
                continue
            try:
                value = json.loads(content)
            except ValueError as exc:
                raise BundleError(f"{path}: not valid JSON: {exc}") from None
            _set_path(data, PurePosixPath(path).parent.parts, value, path)
        if not modules:
            raise BundleError("the bundle has no .rego files")
        return cls(files=dict(kept), revision=revision_of(kept), modules=modules, data=data)

    @classmethod
    def from_directory(cls, root: Path | str) -> "Bundle":
        root = Path(root)
        if not root.is_dir():
            raise BundleError(f"{root}: not a directory")
        files = {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and is_bundle_file(p.name) and not any(part.startswith(".") for part in p.relative_to(root).parts)
        }
        return cls.from_files(files)
