"""Who is calling: the authenticated caller name set by the auth interceptor,
else the peer address (when authentication is off, in development)."""

from __future__ import annotations

import contextvars

import grpc

current_caller: contextvars.ContextVar[str] = contextvars.ContextVar("verdict_caller", default="")


def caller_of(context: grpc.ServicerContext) -> str:
    return current_caller.get() or f"peer:{context.peer()}"
