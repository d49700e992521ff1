"""The bundles the server hands out, from a directory of bundle files.

A bundle file (``verdict-admin bundle build``, optionally signed) is put into the
directory — by hand, by CI, or by Kubernetes when a ConfigMap volume
changes. When a request finds the file changed, the bundle is checked
before anyone gets it: a tarball of policies and data whose ``.manifest``
revision is the content hash of those files (the revision every decision
records), signed with the configured key when one is configured, and
archived in the policy archive (logged in the decision log). Only then is it
served. A file that fails any of this is not served; the last good bundle
of that name stays in service, and the reason is logged.

So every revision a sidecar can receive from the server is archived, and a
decision recorded with it can be replayed.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import structlog

from server.engine.archive import PolicyArchive
from server.engine.bundle import Bundle, BundleError, is_served_file, manifest_of, read_tarball
from server.engine.bundle_signing import VerificationConfig, verify

log = structlog.get_logger("bundles")

SUFFIX = ".tar.gz"


class BundleNotFound(LookupError):
    """No bundle file of that name (HTTP 404)."""


class BundleUnavailable(Exception):
    """The file exists but no good version of it can be served yet (HTTP 503)."""


@dataclass(frozen=True)
class ServedBundle:
    name: str
    data: bytes
    revision: str
    etag: str  # strong entity tag: the SHA-256 of the bytes served


def checked_bundle(data: bytes, verification: VerificationConfig | None) -> Bundle:
    """The bundle in ``data`` if it may be served: BundleError saying why not."""
    files = read_tarball(data)
    verify(files, verification)
    bundle = Bundle.from_files({path: content for path, content in files.items() if is_served_file(path)})
    declared = manifest_of(files).get("revision")
    if declared != bundle.revision:
        raise BundleError(f".manifest revision {str(declared)[:16]!r} is not the content hash {bundle.revision[:16]} "
                          "of its policies and data (build it with `verdict-admin bundle build`)")
    return bundle


@dataclass
class _Slot:
    """One bundle file: the last good version served and the file state last looked at."""

    served: ServedBundle | None = None
    seen: tuple[int, int, int, int] | None = None
    problem: str = ""


class ServedBundles:
    """The bundle files under ``directory``, checked and archived before they are served."""

    def __init__(self, directory: Path, archive: PolicyArchive, verification: VerificationConfig | None = None) -> None:
        self.directory = directory
        self.archive = archive
        self.verification = verification
        self._slots: dict[str, _Slot] = {}
        self._lock = threading.Lock()

    def _path(self, name: str) -> Path:
        parts = PurePosixPath(name).parts
        if not name.endswith(SUFFIX) or not parts or any(p in ("..", ".") or p.startswith(".") for p in parts):
            raise BundleNotFound(name)
        return self.directory.joinpath(*parts)

    def get(self, name: str) -> ServedBundle:
        """The bundle to serve as ``name`` (e.g. ``verdict.tar.gz``); re-read when its file changed."""
        path = self._path(name)
        try:
            stat = path.stat()  # follows symbolic links: a ConfigMap volume swaps a link
        except OSError:
            stat = None
        with self._lock:
            slot = self._slots.setdefault(name, _Slot())
            if stat is None:
                if slot.served is None:
                    raise BundleNotFound(name)
                return slot.served  # gone for a moment (a volume being swapped): keep serving
            seen = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
            if seen != slot.seen:
                self._load(name, path, slot)
                slot.seen = seen
            if slot.served is None:
                raise BundleUnavailable(f"{name}: {slot.problem}")
            return slot.served

    def _load(self, name: str, path: Path, slot: _Slot) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            slot.problem = f"cannot read {path}: {exc}"
            log.error("bundle file unreadable", bundle=name, error=str(exc))
            return
        etag = f'"{hashlib.sha256(data).hexdigest()}"'
        if slot.served is not None and slot.served.etag == etag:
            return
        try:
            bundle = checked_bundle(data, self.verification)
            new = self.archive.store(bundle, source="bundle service")
        except Exception as exc:  # a bad file or the archive unreachable: serve nothing new
            slot.problem = str(exc)
            log.error("bundle not served", bundle=name, error=str(exc), type=type(exc).__name__,
                      still_serving=slot.served.revision if slot.served else None)
            return
        previous = slot.served.revision if slot.served else None
        slot.served, slot.problem = ServedBundle(name, data, bundle.revision, etag), ""
        log.info("bundle served", bundle=name, revision=bundle.revision, previous=previous, newly_archived=new,
                 signed=self.verification is not None, bytes=len(data))

    def names(self) -> list[str]:
        """The bundle files in the directory now (for the log at start)."""
        if not self.directory.is_dir():
            return []
        return sorted(p.relative_to(self.directory).as_posix() for p in self.directory.rglob(f"*{SUFFIX}")
                      if not any(part.startswith(".") for part in p.relative_to(self.directory).parts))

