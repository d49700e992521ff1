"""A Rego bundle on disk or in the archive: its files, data and revision.

The revision is a content hash of the files OPA loads (``*.rego`` and
``data.json``), so the same policy text always has the same revision,
wherever it came from (a directory, a git ref, the policy archive).

What is served, archived and given a revision is the policies and their
data only: Rego tests (``*_test.rego``) and the decision tables
(``tables/``) sit in the same directory for ``opa test``, but a change to
them alone makes no new revision. The Rego tools load them with
``tests=True``.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

DATA_FILE = "data.json"
TEST_SUFFIX = "_test.rego"
TABLES_DIR = "tables"


class BundleError(Exception):
    """The bundle cannot be loaded: a file is unreadable or not valid JSON."""


def is_bundle_file(relpath: str) -> bool:
    """Only Rego modules and data.json documents are part of a bundle."""
    name = PurePosixPath(relpath).name
    return name.endswith(".rego") or name == DATA_FILE


def is_test_file(relpath: str) -> bool:
    """Rego tests and decision tables: loaded by the Rego tools, never served."""
    path = PurePosixPath(relpath)
    return path.name.endswith(TEST_SUFFIX) or path.parts[:1] == (TABLES_DIR,)


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
    def from_directory(cls, root: Path | str, tests: bool = False) -> "Bundle":
        """The policies and data under ``root``; with ``tests``, the Rego tests
        and decision tables too (for the Rego tools, never for serving)."""
        root = Path(root)
        if not root.is_dir():
            raise BundleError(f"{root}: not a directory")
        files = {}
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root).as_posix()
            if not p.is_file() or not is_bundle_file(rel) or any(part.startswith(".") for part in p.relative_to(root).parts):
                continue
            if tests or not is_test_file(rel):
                files[rel] = p.read_bytes()
        return cls.from_files(files)

    @property
    def has_tests(self) -> bool:
        return any(is_test_file(path) for path in self.files)

    def tarball(self) -> bytes:
        """An OPA bundle (``opa run --server bundle.tar.gz``) of exactly these
        files, with the revision in its ``.manifest``."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
            entries = {"/.manifest": json.dumps({"revision": self.revision, "roots": [""]}).encode()}
            entries.update({f"/{path}": content for path, content in sorted(self.files.items())})
            for name, content in entries.items():
                info = tarfile.TarInfo(name)
                info.size = len(content)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(content))
        return buffer.getvalue()
