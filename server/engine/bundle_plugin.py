"""Downloading bundles from a Bundle Service, as OPA's bundle plugin does.

Each poll is ``GET <service url>/<resource>`` with the bearer token and, once
a bundle is active, ``If-None-Match`` with its ETag: ``304`` changes
nothing, ``200`` brings a bundle that is verified (when the configuration
has ``signing``), compiled and then activated without a restart. A bundle
that fails any step is not activated; the active one keeps serving and the
failure is logged. Polls are spaced a random time between the configured
minimum and maximum delay, so a fleet does not poll in step.

Like OPA, the revision reported for the bundle is the one in its
``.manifest``: the server records it with each decision and decides only on
revisions it has archived.
"""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from typing import Callable

import requests
import structlog

from server.engine.bundle import Bundle, BundleError, is_served_file, manifest_of, read_tarball
from server.engine.bundle_signing import VerificationConfig, verify
from server.engine.opa_config import BundleSource

log = structlog.get_logger("sidecar")

DOWNLOAD_TIMEOUT = 30.0

Activate = Callable[[str, Bundle], None]


class BundleDownloadError(Exception):
    """The service did not answer with a bundle (status, network)."""


def bundle_of(data: bytes, verification: VerificationConfig | None) -> Bundle:
    """A bundle tarball as the bundle to activate: verified, with its manifest's revision."""
    files = read_tarball(data)
    verify(files, verification)
    bundle = Bundle.from_files({path: content for path, content in files.items() if is_served_file(path)})
    return replace(bundle, revision=str(manifest_of(files).get("revision", "")))


class BundleDownloader:
    """Polls one bundle and hands each new one to ``activate`` (which raises if it cannot)."""

    def __init__(self, source: BundleSource, activate: Activate) -> None:
        self.source = source
        self.activate = activate
        self.etag = ""  # of the last bundle activated
        self.revision: str | None = None
        self._session = requests.Session()

    def poll_once(self) -> bool:
        """One request; True when a new bundle was activated."""
        headers = dict(self.source.headers)
        authorization = self.source.authorization()
        if authorization:
            headers["Authorization"] = authorization
        if self.etag:
            headers["If-None-Match"] = self.etag
        try:
            response = self._session.get(self.source.url, headers=headers, timeout=DOWNLOAD_TIMEOUT,
                                         verify=str(self.source.ca_cert) if self.source.ca_cert else True)
        except requests.RequestException as exc:
            raise BundleDownloadError(f"{self.source.url}: {type(exc).__name__}: {exc}") from None
        if response.status_code == 304:
            return False
        if response.status_code != 200:
            raise BundleDownloadError(f"{self.source.url}: server replied with {response.status_code}: {response.text[:200]}")
        bundle = bundle_of(response.content, self.source.verification)
        self.activate(self.source.name, bundle)
        self.etag, self.revision = response.headers.get("ETag", ""), bundle.revision
        log.info("bundle loaded and activated", name=self.source.name, revision=bundle.revision, etag=self.etag)
        return True

    def run(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set; failures are logged and polling goes on."""
        while not stop.is_set():
            try:
                self.poll_once()
            except (BundleDownloadError, BundleError, OSError) as exc:
                log.error("bundle download or activation failed; keeping the active bundle", name=self.source.name,
                          error=str(exc), active=self.revision)
            except Exception as exc:  # a bundle that does not compile, ...
                log.error("bundle activation failed; keeping the active bundle", name=self.source.name,
                          error=str(exc), type=type(exc).__name__, active=self.revision)
            stop.wait(random.uniform(self.source.min_delay, self.source.max_delay))

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name=f"bundle-{self.source.name}", daemon=True)
        thread.start()
        return thread
