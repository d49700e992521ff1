"""One caller cannot take the server from the others.

gRPC's synchronous server gives every call a worker thread for as long as it
runs, and a stream runs as long as the client keeps it open: forty idle
``DecideStream`` calls used to hold every worker, and even health checks
waited. So:

- **streams are bounded**: at most ``per_caller`` open streams (any RPC that
  streams requests or answers) per caller (the authenticated caller's name,
  else the peer's address), and at most ``total`` in all, which is below the
  number of workers, so unary calls always find one. A stream over a limit is
  refused with RESOURCE_EXHAUSTED before it starts.
- **idle request streams end**: a stream that sends no request for
  ``idle_seconds`` is closed with DEADLINE_EXCEEDED, and its worker is free.
- **health checks have threads of their own** (``HealthLane``): a check never
  waits behind other calls, whatever holds the workers.

The number of calls in flight at all is bounded by gRPC's
``maximum_concurrent_rpcs`` (RESOURCE_EXHAUSTED beyond it), set in app.py.
"""

from __future__ import annotations

import queue
import threading
from concurrent import futures
from typing import Any, Callable, Iterator

import grpc
import structlog

from server.api.caller import current_caller
from server.api.handlers import around, rewrap, shape_of

log = structlog.get_logger("limits")

HEALTH_CHECK = "/grpc.health.v1.Health/Check"
# Requests read ahead of an idle-limited stream's consumer (backpressure beyond it).
READ_AHEAD = 64


def peer_host(peer: str) -> str:
    """``ipv4:127.0.0.1:54321`` -> ``ipv4:127.0.0.1`` (a client's streams share its address, not its port)."""
    if peer.startswith(("ipv4:", "ipv6:")):
        return peer.rsplit(":", 1)[0]
    return peer


class StreamSlots:
    """Open streams, per caller and in all."""

    def __init__(self, per_caller: int, total: int) -> None:
        self.per_caller, self.total = per_caller, total
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}
        self._all = 0

    def take(self, who: str) -> str:
        """Take a slot for ``who``; returns why not ("" when taken)."""
        with self._lock:
            held = self._open.get(who, 0)
            if held >= self.per_caller:
                return f"{who} has {held} streams open, the most one caller may hold; close one first"
            if self._all >= self.total:
                return f"the server has {self._all} streams open, the most it holds; try again later"
            self._open[who] = held + 1
            self._all += 1
            return ""

    def give_back(self, who: str) -> None:
        with self._lock:
            self._all -= 1
            held = self._open.pop(who) - 1
            if held:
                self._open[who] = held

    def held(self) -> dict[str, int]:
        with self._lock:
            return dict(self._open)


def idle_limited(requests: Iterator[Any], seconds: float, context: grpc.ServicerContext) -> Iterator[Any]:
    """The requests of a stream; the call ends (DEADLINE_EXCEEDED) when none comes for ``seconds``.

    gRPC's request iterator blocks without a timeout, so a thread reads it
    ahead (at most READ_AHEAD requests) and the consumer waits with one.
    """
    arrived: "queue.Queue[tuple[str, Any]]" = queue.Queue(maxsize=READ_AHEAD)

    def read() -> None:
        try:
            for request in requests:
                arrived.put(("request", request))
            arrived.put(("end", None))
        except BaseException as exc:  # the call ended: cancelled, or closed by the timeout below
            arrived.put(("error", exc))

    threading.Thread(target=read, name="stream-reader", daemon=True).start()
    while True:
        try:
            kind, value = arrived.get(timeout=seconds)
        except queue.Empty:
            log.info("idle stream closed", peer=context.peer(), seconds=seconds)
            context.abort(grpc.StatusCode.DEADLINE_EXCEEDED,
                          f"no request on this stream for {seconds:g} s: it was closed; open a new stream to send more")
        if kind == "end":
            return
        if kind == "error":
            raise value
        yield value


class StreamLimits(grpc.ServerInterceptor):
    def __init__(self, per_caller: int, total: int, idle_seconds: float) -> None:
        self.slots = StreamSlots(per_caller, total)
        self.idle_seconds = idle_seconds

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        handler = continuation(details)
        if handler is None:
            return handler
        shape = shape_of(handler)
        if not (shape.request_streaming or shape.response_streaming):
            return handler
        if shape.request_streaming and self.idle_seconds > 0:
            inner, seconds = shape.behaviour, self.idle_seconds

            def behaviour(requests: Iterator[Any], context: grpc.ServicerContext) -> Any:
                return inner(idle_limited(requests, seconds, context), context)

            handler = rewrap(handler, behaviour)
        method = details.method

        def take_slot(context: grpc.ServicerContext) -> Callable[[], None]:
            who = current_caller.get() or peer_host(context.peer())
            refusal = self.slots.take(who)
            if refusal:
                log.warning("stream refused", method=method, caller=who, reason=refusal)
                context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, refusal)
            return lambda: self.slots.give_back(who)

        return around(handler, take_slot)


class HealthLane(grpc.ServerInterceptor):
    """Health checks run on a small pool of their own (gRPC's per-behaviour
    ``experimental_thread_pool``), so a server whose workers are all busy still
    says how it is. Must be the outermost interceptor: gRPC reads the pool off the
    behaviour it is finally given."""

    def __init__(self, workers: int = 2) -> None:
        self.pool = futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="health")

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        handler = continuation(details)
        if handler is None or details.method != HEALTH_CHECK:
            return handler
        inner = shape_of(handler).behaviour

        def behaviour(request: Any, context: grpc.ServicerContext) -> Any:
            return inner(request, context)

        behaviour.experimental_thread_pool = self.pool  # type: ignore[attr-defined]
        return rewrap(handler, behaviour)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
