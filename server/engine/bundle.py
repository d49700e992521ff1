"""A Rego bundle on disk or in the archive: its files, data and revision.

The revision is a content hash of the files OPA loads (``*.rego`` and
``data.json``), so the same policy text always has the same revision,
wherever it came from (a directory, a git ref, the policy archive).

What is served, archived and given a revision is the policies and their
data only: Rego tests (``*_test.rego``) and the decision tables
(``tables/``) sit in the same directory for ``opa test``, but a change to
them alone makes no new revision. The Rego tools load them with
``tests=True``.

On the wire a bundle is OPA's format: a gzipped tarball with a
``.manifest`` (the revision) and, when signed, a ``.signatures.json``
(see ``server.engine.bundle_signing``).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

DATA_FILE = "data.json"
TEST_SUFFIX = "_test.rego"
TABLES_DIR = "tables"
MANIFEST = ".manifest"
SIGNATURES = ".signatures.json"

# A bundle tarball read from elsewhere holds at most this many files and bytes, unpacked.
MAX_FILES = 5_000
MAX_BYTES = 64 * 1024 * 1024


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


def is_served_file(relpath: str, tests: bool = False) -> bool:
    """A policy or data file outside hidden directories; test files only with ``tests``."""
    parts = PurePosixPath(relpath).parts
    return (is_bundle_file(relpath) and not any(part.startswith(".") for part in parts)
            and (tests or not is_test_file(relpath)))


def read_tarball(data: bytes) -> dict[str, bytes]:
    """Every regular file of a bundle tarball, by its path inside the bundle
    (no leading ``/``): policies, data, ``.manifest``, ``.signatures.json``.

    Links, devices and paths that leave the bundle are refused, and so is
    more than MAX_FILES files or MAX_BYTES bytes unpacked.
    """
    files: dict[str, bytes] = {}
    count = size = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r|*") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BundleError(f"bundle: {member.name!r} is not a regular file (links and devices are refused)")
                count, size = count + 1, size + member.size
                if count > MAX_FILES or size > MAX_BYTES:
                    raise BundleError(f"bundle: at most {MAX_FILES} files and {MAX_BYTES // 2**20} MiB unpacked")
                parts = [p for p in PurePosixPath(member.name.lstrip("/")).parts if p != "."]
                if not parts or ".." in parts:
                    raise BundleError(f"bundle: {member.name!r} is not a path inside the bundle")
                name = "/".join(parts)
                if name in files:
                    raise BundleError(f"bundle: {name!r} appears twice")
                files[name] = tar.extractfile(member).read()  # type: ignore[union-attr]
    except (tarfile.TarError, EOFError, OSError, zlib.error):
        raise BundleError("bundle: not a .tar.gz bundle") from None
    return files


def write_tarball(entries: Mapping[str, bytes]) -> bytes:
    """A gzipped tarball of these files, in this order, as OPA reads bundles."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, content in entries.items():
            info = tarfile.TarInfo(f"/{name}")
            info.size = len(content)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def manifest_of(files: Mapping[str, bytes]) -> dict[str, Any]:
    """The bundle's ``.manifest`` (empty when it has none)."""
    if MANIFEST not in files:
        return {}
    try:
        manifest = json.loads(files[MANIFEST])
    except ValueError as exc:
        raise BundleError(f"{MANIFEST}: not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise BundleError(f"{MANIFEST}: must hold a JSON object")
    return manifest


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
            if p.is_file() and is_served_file(rel, tests):
                files[rel] = p.read_bytes()
        return cls.from_files(files)

    @classmethod
    def from_tarball(cls, data: bytes, tests: bool = False) -> "Bundle":
        """The policies and data of a bundle tarball (other files are ignored);
        with ``tests``, its Rego tests and decision tables too."""
        files = read_tarball(data)
        try:
            return cls.from_files({p: c for p, c in files.items() if is_served_file(p, tests)})
        except UnicodeDecodeError as exc:
            raise BundleError(f"bundle: a .rego file is not UTF-8: {exc}") from None

    @property
    def has_tests(self) -> bool:
        return any(is_test_file(path) for path in self.files)

    def entries(self) -> dict[str, bytes]:
        """The files of its tarball: the ``.manifest`` with the revision, then the policies and data."""
        manifest = json.dumps({"revision": self.revision, "roots": [""]}).encode()
        return {MANIFEST: manifest, **dict(sorted(self.files.items()))}

    def tarball(self, signatures: bytes | None = None) -> bytes:
        """An OPA bundle (``opa run --server bundle.tar.gz``) of exactly these
        files, with the revision in its ``.manifest``; with ``signatures``
        (see ``bundle_signing.sign``), a signed bundle."""
        entries = self.entries()
        if signatures is not None:
            entries[SIGNATURES] = signatures
        return write_tarball(entries)
