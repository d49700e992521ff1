"""Requests that do not decode are the caller's error: INVALID_ARGUMENT, never INTERNAL.

gRPC answers a request its deserializer refuses (random or truncated bytes,
a string field that is not UTF-8) with ``INTERNAL: Exception deserializing
request!``, which tells the caller the server broke. This interceptor wraps
the deserializer of every method of every service on the server (ours,
health, reflection): a payload that does not decode becomes a marker, and
the call is refused with INVALID_ARGUMENT before any servicer sees it. For
a request stream, the first message that does not decode ends the call the
same way. Nothing of the payload is logged or echoed.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import grpc

from server.api.handlers import rewrap, shape_of


class Undecodable:
    """Stands for a request message that did not decode."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _type_name(deserializer: Callable[[bytes], Any]) -> str:
    cls = getattr(deserializer, "__self__", None)  # Message.FromString is a classmethod
    descriptor = getattr(cls, "DESCRIPTOR", None)
    return getattr(descriptor, "full_name", "") or "request message"


def tolerant(deserializer: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    """``deserializer`` that returns an Undecodable instead of raising."""
    message = (f"request: not a valid {_type_name(deserializer)}: the bytes do not decode "
               "(truncated or corrupt, or a string field that is not UTF-8)")

    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:  # every way a payload can fail to decode is the caller's
            return Undecodable(message)

    return deserialize


def _refused(request: Any, context: grpc.ServicerContext) -> None:
    if isinstance(request, Undecodable):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.message)


def _checked(requests: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
    for request in requests:
        _refused(request, context)
        yield request


class DecodeGuard(grpc.ServerInterceptor):
    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        handler = continuation(details)
        if handler is None or handler.request_deserializer is None:
            return handler
        shape = shape_of(handler)
        inner = shape.behaviour
        if shape.request_streaming:
            def behaviour(requests: Iterator[Any], context: grpc.ServicerContext) -> Any:
                return inner(_checked(requests, context), context)
        else:
            def behaviour(request: Any, context: grpc.ServicerContext) -> Any:
                _refused(request, context)
                return inner(request, context)
        return rewrap(handler, behaviour, tolerant(handler.request_deserializer))
