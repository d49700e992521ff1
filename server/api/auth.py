"""Who may call what: per-caller tokens with scopes.

Callers are configured in a TOML file; only the SHA-256 of each token is
stored there:

    [[caller]]
    name = "moderation-queue"
    token_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    scopes = ["decide", "apply"]

A call carries ``authorization: Bearer <token>``. No or unknown token:
UNAUTHENTICATED. A token without the RPC's scope: PERMISSION_DENIED. Health
checks and reflection are open (orchestrators and tools need them).
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import grpc
import structlog

from server.api.caller import current_caller
from server.api.handlers import around

log = structlog.get_logger("auth")

SCOPES = ("decide", "apply", "audit:read", "audit:replay", "accounts:read", "bundle:read", "admin")

# The scope each RPC needs. Decide with apply=true also needs "apply",
# checked in the servicer once the request is read.
RPC_SCOPES = {
    "/verdict.v1.PolicyService/Decide": "decide",
    "/verdict.v1.PolicyService/CheckPublicInterest": "decide",
    "/verdict.v1.PolicyService/AssessReport": "decide",
    "/verdict.v1.PolicyService/AssessGroup": "decide",
    "/verdict.v1.PolicyService/DecideBatch": "decide",
    "/verdict.v1.PolicyService/DecideStream": "decide",
    "/verdict.v1.PolicyService/ApplyDecision": "apply",
    "/verdict.v1.AuditService/GetDecision": "audit:read",
    "/verdict.v1.AuditService/QueryDecisions": "audit:read",
    "/verdict.v1.AuditService/StreamDecisions": "audit:read",
    "/verdict.v1.AuditService/ExplainDecision": "audit:read",
    "/verdict.v1.AuditService/VerifyLog": "audit:read",
    "/verdict.v1.AuditService/GetCheckpoint": "audit:read",
    "/verdict.v1.AuditService/ProveDecision": "audit:read",
    "/verdict.v1.AuditService/ProveConsistency": "audit:read",
    "/verdict.v1.AuditService/ReplayDecisions": "audit:replay",
    "/verdict.v1.DsaService/GetStatement": "audit:read",
    "/verdict.v1.DsaService/ListStatements": "audit:read",
    "/verdict.v1.DsaService/GetTransparencyReport": "audit:read",
    "/verdict.v1.AccountService/GetAccount": "accounts:read",
}
OPEN_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

current_scopes: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar("verdict_scopes", default=None)


class AuthConfigError(ValueError):
    """The callers file is wrong; the text names the entry."""


@dataclass(frozen=True)
class Caller:
    name: str
    token_sha256: str
    scopes: frozenset[str]

    def may(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "vdt_" + secrets.token_urlsafe(32)


def load_callers(path: Path) -> dict[str, Caller]:
    """token hash -> caller, from the TOML file."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AuthConfigError(f"{path}: {exc}") from None
    callers: dict[str, Caller] = {}
    for n, entry in enumerate(doc.get("caller", []), 1):
        where = f"{path}: caller {n}"
        name, digest, scopes = entry.get("name"), str(entry.get("token_sha256", "")).lower(), entry.get("scopes", [])
        if not name:
            raise AuthConfigError(f"{where}: name is required")
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise AuthConfigError(f"{where} ({name}): token_sha256 must be the 64-hex SHA-256 of the token")
        unknown = set(scopes) - set(SCOPES)
        if unknown or not scopes:
            raise AuthConfigError(f"{where} ({name}): scopes must be some of {', '.join(SCOPES)}; got {scopes}")
        callers[digest] = Caller(name, digest, frozenset(scopes))
    if not callers:
        raise AuthConfigError(f"{path}: no [[caller]] entries")
    return callers


def caller_with_token(callers: dict[str, Caller], token: str) -> Caller | None:
    """The caller a token belongs to (compared in constant time), or None."""
    digest = token_hash(token) if token else ""
    return next((c for h, c in callers.items() if hmac.compare_digest(h, digest)), None) if digest else None


def caller_entry(name: str, token: str, scopes: list[str]) -> str:
    """The TOML text of one caller entry (for `verdict-admin token new`)."""
    quoted = ", ".join(f'"{s}"' for s in scopes)
    return f'\n[[caller]]\nname = "{name}"\ntoken_sha256 = "{token_hash(token)}"\nscopes = [{quoted}]\n'


class ScopeMissing(PermissionError):
    """The caller is known but may not do this (PERMISSION_DENIED)."""


def require_scope(context: grpc.ServicerContext, scope: str) -> None:
    """For scopes that depend on the request (Decide with apply=true)."""
    scopes = current_scopes.get()
    if scopes is not None and scope not in scopes and "admin" not in scopes:
        raise ScopeMissing(f"caller {current_caller.get()!r} lacks the {scope!r} scope needed to apply decisions")


class AuthInterceptor(grpc.ServerInterceptor):
    """Who calls and what they may do, before anything of the request is read.

    Every refusal is logged with the method, the peer and the reason, never the token.
    """

    def __init__(self, callers: dict[str, Caller]) -> None:
        self.callers = callers

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        method = details.method
        handler = continuation(details)
        if handler is None or method.startswith(OPEN_PREFIXES):
            return handler
        caller, reason = self._identify(details.invocation_metadata or ())
        if caller is None:
            return around(handler, _refuse(grpc.StatusCode.UNAUTHENTICATED, method, reason,
                                           "a valid caller token is required (metadata 'authorization: Bearer <token>')"))
        scope = RPC_SCOPES.get(method, "admin")
        if not caller.may(scope):
            return around(handler, _refuse(grpc.StatusCode.PERMISSION_DENIED, method, f"caller {caller.name!r} lacks the {scope!r} scope",
                                           f"caller {caller.name!r} lacks the {scope!r} scope for {method}"))
        return around(handler, lambda context: _run_as(caller))

    def _identify(self, metadata: Any) -> tuple[Caller | None, str]:
        """The caller a call's token belongs to, or None and why not (the reason never holds the token)."""
        values = [value for key, value in metadata if key == "authorization"]
        if not values:
            return None, "no authorization metadata"
        if not isinstance(values[-1], str) or not values[-1].startswith("Bearer "):
            return None, "the authorization metadata is not 'Bearer <token>'"
        token = values[-1][len("Bearer "):].strip()
        if not token:
            return None, "an empty bearer token"
        caller = caller_with_token(self.callers, token)
        return caller, "" if caller else "a token that belongs to no caller"


def _refuse(code: grpc.StatusCode, method: str, reason: str, message: str) -> Callable[[grpc.ServicerContext], None]:
    def refuse(context: grpc.ServicerContext) -> None:
        event = "authentication failed" if code == grpc.StatusCode.UNAUTHENTICATED else "permission denied"
        log.warning(event, method=method, peer=context.peer(), reason=reason)
        context.abort(code, message)

    return refuse


def _run_as(caller: Caller) -> Callable[[], None]:
    """The servicer sees who calls (decision log) and what they may do (apply), until the call ends."""
    name_token, scope_token = current_caller.set(caller.name), current_scopes.set(caller.scopes)

    def reset() -> None:
        current_caller.reset(name_token)
        current_scopes.reset(scope_token)

    return reset
