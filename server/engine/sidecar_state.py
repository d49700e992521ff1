"""The sidecar's state: the active bundle and the embedded engine over it, activated in place and reloaded on change."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import structlog

from server.engine.bundle import Bundle
from server.engine.embedded import EmbeddedEngine
from server.engine.opa_golib import opa_version

log = structlog.get_logger("sidecar")

BUNDLE_NAME = "verdict"


class SidecarState:
    """The active bundle and the engine over it; a new bundle is activated in place."""

    def __init__(self, bundle: Bundle | None = None, bundle_dir: Path | None = None, expected: tuple[str, ...] = ()) -> None:
        self.bundle_dir = bundle_dir
        self.engine: EmbeddedEngine | None = None
        self.bundle_name = BUNDLE_NAME
        self.expected = set(expected)  # bundles to download: /health?bundles waits for them
        self.version = opa_version()
        self._lock = threading.Lock()
        if bundle is not None:
            self.activate(BUNDLE_NAME, bundle)

    @classmethod
    def from_directory(cls, bundle_dir: Path) -> "SidecarState":
        return cls(Bundle.from_directory(bundle_dir), bundle_dir)

    def activate(self, name: str, bundle: Bundle) -> None:
        """Serve ``bundle`` from now on; raises (and keeps the active one) if it does not compile."""
        with self._lock:
            if self.engine is None:
                engine = EmbeddedEngine(bundle, name="sidecar")
                engine.prewarm()
                self.engine = engine
            else:
                self.engine.reload(bundle)
            self.bundle_name = name
            self.expected.discard(name)

    def activated(self) -> bool:
        return self.engine is not None and not self.expected

    def provenance(self, revision: str | None) -> dict[str, Any]:
        """OPA's provenance; ``revision``: of the bundle the answer was evaluated on."""
        return {
            "version": self.version,
            "build_commit": "",
            "build_timestamp": "",
            "build_hostname": "",
            "bundles": {self.bundle_name: {"revision": revision}} if self.engine is not None and revision is not None else {},
        }

    def watch(self, interval: float = 1.0) -> None:
        """Reload the bundle directory when its content changes (like ``opa run --watch``)."""
        while True:
            time.sleep(interval)
            try:
                bundle = Bundle.from_directory(self.bundle_dir)
                if self.engine is None or bundle.revision != self.engine.revision:
                    self.activate(BUNDLE_NAME, bundle)
                    log.info("bundle reloaded", revision=bundle.revision)
            except Exception as exc:  # keep serving the last good bundle
                log.warning("bundle reload failed; keeping the previous revision", error=str(exc))
