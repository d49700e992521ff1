"""OPA over its REST Data API: the real ``opa run --server`` or the sidecar.

Uses py-opa-client (PyPI ``opa-python-client``). Each thread keeps its own
client (its own keep-alive connection), so no connection is set up per
request and no session is shared across threads.
"""

from __future__ import annotations

import subprocess
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from opa_client import OpaClient

from server.engine.base import EngineUnavailable, Evaluation, PolicyEvaluationError, UndefinedDecision

# Ask for the bundle revision with every answer, and for strict builtin
# errors so real OPA behaves like the embedded engine (which is always strict).
_QUERY = {"provenance": "true", "strict-builtin-errors": "true"}


def parse_opa_url(url: str) -> tuple[str, int, bool]:
    """``http://127.0.0.1:8181`` -> (host, port, tls)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an OPA URL: {url!r} (expected http://host:port)")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 8181), parts.scheme == "https"


def revision_from_provenance(provenance: dict[str, Any] | None) -> str:
    """The bundle revision OPA reports; several bundles are joined by name."""
    bundles = (provenance or {}).get("bundles") or {}
    revisions = [f"{b.get('revision', '')}" for _, b in sorted(bundles.items())]
    return "+".join(r for r in revisions if r)


class RestEngine:
    """A PolicyEngine that talks to OPA only through its REST API."""

    def __init__(self, url: str, timeout: float = 2.0, name: str = "sidecar") -> None:
        self.url = url
        self.name = name
        self._host, self._port, self._tls = parse_opa_url(url)
        self._timeout = timeout
        self._local = threading.local()

    def _client(self) -> OpaClient:
        client = getattr(self._local, "client", None)
        if client is None:
            # retries=0: retry and backoff are the caller's decision (fail closed, bounded).
            client = OpaClient(host=self._host, port=self._port, ssl=self._tls, retries=0, timeout=self._timeout)
            self._local.client = client
        return client

    def evaluate(self, path: str, input_doc: dict[str, Any] | None) -> Evaluation:
        started = time.perf_counter()
        try:
            answer = self._client().query_rule(input_doc, path.strip("/"), query_params=_QUERY)
        except requests.HTTPError as exc:
            raise self._http_error(exc) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            self._reset()
            raise EngineUnavailable(f"OPA at {self.url} unreachable: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            self._reset()
            raise EngineUnavailable(f"OPA at {self.url}: {exc}") from None
        except ValueError as exc:  # not JSON: not OPA
            raise EngineUnavailable(f"OPA at {self.url} answered something that is not JSON: {exc}") from None
        elapsed = (time.perf_counter() - started) * 1000
        provenance = answer.get("provenance") or {}
        revision = revision_from_provenance(provenance)
        if "result" not in answer:
            if not revision:  # no bundle active yet (a sidecar still downloading its first): fail closed
                raise EngineUnavailable(f"OPA at {self.url} has no bundle activated")
            raise UndefinedDecision(f"data/{path} is undefined")
        return Evaluation(answer["result"], revision, self.name, provenance.get("version", ""), elapsed)

    def _http_error(self, exc: requests.HTTPError) -> Exception:
        response = exc.response
        try:
            body = response.json()
            message = f"{body.get('code', '')}: {body.get('message', '')}"
        except ValueError:
            message = response.text[:200]
        if response.status_code >= 500 and response.status_code != 500:
            return EngineUnavailable(f"OPA at {self.url} answered {response.status_code}: {message}")
        return PolicyEvaluationError(f"OPA answered {response.status_code}: {message}")

    def _reset(self) -> None:
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close_connection()
            self._local.client = None

    def healthy(self) -> bool:
        """OPA answers and has activated its bundles (``/health?bundles``; 200 when it loads files)."""
        return self._client().check_health(diagnostic_url=f"{self.url.rstrip('/')}/health?bundles")

    def close(self) -> None:
        self._reset()


def wait_until_healthy(url: str, timeout: float = 30.0, process: "subprocess.Popen | None" = None) -> None:
    """Poll OPA's /health until it answers 200 (for starting a sidecar or a real OPA)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"OPA exited with code {process.returncode} before it became healthy")
        try:
            if requests.get(f"{url.rstrip('/')}/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"OPA at {url} did not become healthy within {timeout:.0f} s")
