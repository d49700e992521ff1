"""OPA's Bundle Service API over WSGI, mounted at ``/bundles`` of the server's HTTP port.

``GET /bundles/<name>.tar.gz`` answers the bundle (``application/gzip``) with
a strong ``ETag``; a request whose ``If-None-Match`` names it gets ``304 Not
Modified`` and no body, which is how OPA's bundle plugin polls cheaply.
Callers authenticate as on the gRPC API, with ``Authorization: Bearer
<token>`` of the callers file: no or an unknown token is ``401``, a token
without the ``bundle:read`` scope ``403``. Refusals are logged with the
peer, never the token.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

import structlog

from server.api.auth import Caller, caller_with_token
from server.bundles.served import BundleNotFound, BundleUnavailable, ServedBundles

log = structlog.get_logger("bundles")

SCOPE = "bundle:read"
REALM = 'Bearer realm="verdict-bundles"'

StartResponse = Callable[..., Any]


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 13.1.2: ``*`` or any listed tag, compared weakly."""
    if if_none_match.strip() == "*":
        return True
    tags = (tag.strip() for tag in if_none_match.split(","))
    return any(tag.removeprefix("W/") == etag.removeprefix("W/") for tag in tags if tag)


def bearer_token(environ: dict[str, Any]) -> str:
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class BundleService:
    """The WSGI application; ``callers`` None means no authentication (development only)."""

    def __init__(self, bundles: ServedBundles, callers: dict[str, Caller] | None) -> None:
        self.bundles = bundles
        self.callers = callers

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        peer = environ.get("REMOTE_ADDR", "")
        name = environ.get("PATH_INFO", "").lstrip("/")
        if method not in ("GET", "HEAD"):
            return self._error(start_response, "405 Method Not Allowed", "method_not_allowed",
                               "the bundle service only answers GET and HEAD", [("Allow", "GET, HEAD")])
        caller = None
        if self.callers is not None:
            token = bearer_token(environ)
            caller = caller_with_token(self.callers, token)
            if caller is None:
                log.warning("bundle request refused", peer=peer, bundle=name, status=401,
                            reason="no token" if not token else "unknown token")
                challenge = REALM if not token else f'{REALM}, error="invalid_token"'
                return self._error(start_response, "401 Unauthorized", "unauthorized",
                                   "a valid caller token is required (Authorization: Bearer <token>)",
                                   [("WWW-Authenticate", challenge)])
            if not caller.may(SCOPE):
                log.warning("bundle request refused", peer=peer, bundle=name, status=403, caller=caller.name)
                return self._error(start_response, "403 Forbidden", "forbidden",
                                   f"caller {caller.name!r} lacks the {SCOPE!r} scope")
        try:
            bundle = self.bundles.get(name)
        except BundleNotFound:
            return self._error(start_response, "404 Not Found", "resource_not_found", f"no bundle {name!r}")
        except BundleUnavailable as exc:
            return self._error(start_response, "503 Service Unavailable", "unavailable", str(exc), [("Retry-After", "10")])
        headers = [("ETag", bundle.etag), ("Cache-Control", "no-cache"), ("X-Verdict-Revision", bundle.revision)]
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), bundle.etag):
            start_response("304 Not Modified", headers)
            return [b""]
        log.info("bundle sent", bundle=name, revision=bundle.revision, peer=peer, caller=caller.name if caller else None)
        start_response("200 OK", [*headers, ("Content-Type", "application/gzip"), ("Content-Length", str(len(bundle.data)))])
        return [b"" if method == "HEAD" else bundle.data]

    @staticmethod
    def _error(start_response: StartResponse, status: str, code: str, message: str,
               extra: list[tuple[str, str]] | None = None) -> list[bytes]:
        body = json.dumps({"code": code, "message": message}).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *(extra or [])])
        return [body]
