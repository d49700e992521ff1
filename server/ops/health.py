"""A plaintext gRPC port with only the standard health service (grpc.health.v1).

Orchestrators probe it: Kubernetes' ``grpc:`` probes speak neither TLS nor
bearer tokens, so when the API port requires TLS they need a port of their
own. It shares the API's HealthServicer, so it answers what the API port
answers: the overall status ``""`` (NOT_SERVING while OPA or the store is
unreachable — readiness) and ``liveness``, SERVING while the process serves
(liveness must not restart a server because its database is down).
"""

from __future__ import annotations

from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from server.api.decoding import DecodeGuard
from server.api.limits import StreamLimits

LIVENESS = "liveness"


def serve_health(listen: str, servicer: health.HealthServicer) -> tuple[grpc.Server, int]:
    """Start the health port: the server and the port it listens on; OSError if it cannot listen."""
    # Like the API port: what does not decode is INVALID_ARGUMENT, and Watch streams (open to anyone
    # who reaches the port) hold at most one of the two workers, so Check always finds the other.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="health"),
                         interceptors=[StreamLimits(per_caller=1, total=1, idle_seconds=0), DecodeGuard()],
                         options=[("grpc.so_reuseport", 0)])
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port(listen)
    if port == 0:
        raise OSError(f"the health port cannot listen on {listen}")
    servicer.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)
    server.start()
    return server, port
