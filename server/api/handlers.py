"""Rewrapping gRPC method handlers: one place for what every interceptor does.

A server interceptor gets the handler gRPC found for a method and may return
another: the same method, with its behaviour (or request deserializer)
wrapped. Authentication, decoding, stream limits and the health lane all
do that; this module knows the four handler shapes so that they do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import grpc

Behaviour = Callable[[Any, grpc.ServicerContext], Any]

_FACTORIES = {
    "unary_unary": grpc.unary_unary_rpc_method_handler,
    "unary_stream": grpc.unary_stream_rpc_method_handler,
    "stream_unary": grpc.stream_unary_rpc_method_handler,
    "stream_stream": grpc.stream_stream_rpc_method_handler,
}


@dataclass(frozen=True)
class Shape:
    """What a handler is: its kind (``unary_stream``, ...) and its behaviour."""

    kind: str
    behaviour: Behaviour

    @property
    def request_streaming(self) -> bool:
        return self.kind.startswith("stream_")

    @property
    def response_streaming(self) -> bool:
        return self.kind.endswith("_stream")


def shape_of(handler: grpc.RpcMethodHandler) -> Shape:
    for kind in _FACTORIES:
        behaviour = getattr(handler, kind)
        if behaviour is not None:
            return Shape(kind, behaviour)
    raise ValueError("a method handler without a behaviour")


def rewrap(handler: grpc.RpcMethodHandler, behaviour: Behaviour,
           request_deserializer: Callable[[bytes], Any] | None = None) -> grpc.RpcMethodHandler:
    """The same method with ``behaviour`` (and, if given, ``request_deserializer``) in place of its own."""
    factory = _FACTORIES[shape_of(handler).kind]
    return factory(behaviour, request_deserializer=request_deserializer or handler.request_deserializer,
                   response_serializer=handler.response_serializer)


def around(handler: grpc.RpcMethodHandler, before: Callable[[grpc.ServicerContext], Callable[[], None] | None]
           ) -> grpc.RpcMethodHandler:
    """The same method, with ``before(context)`` run first in the worker thread.

    ``before`` may abort the call, or return a function to run once the call is
    over (for a streaming answer: when the stream ends, however it ends).
    """
    shape = shape_of(handler)
    inner = shape.behaviour

    if shape.response_streaming:
        def behaviour(request: Any, context: grpc.ServicerContext) -> Any:
            after = before(context)
            try:
                yield from inner(request, context)
            finally:
                if after is not None:
                    after()
    else:
        def behaviour(request: Any, context: grpc.ServicerContext) -> Any:
            after = before(context)
            try:
                return inner(request, context)
            finally:
                if after is not None:
                    after()

    return rewrap(handler, behaviour)
