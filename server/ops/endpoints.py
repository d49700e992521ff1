"""Starting and stopping the operations endpoints the settings ask for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import grpc
import structlog
from grpc_health.v1 import health

from server.api.auth import Caller
from server.bundles.served import ServedBundles
from server.bundles.service import BundleService
from server.engine.archive import PolicyArchive
from server.engine.bundle_signing import VerificationConfig
from server.ops.health import serve_health
from server.ops.http import HttpConfigError, OpsHttpServer

if TYPE_CHECKING:
    from server.app import Settings

log = structlog.get_logger("server")


@dataclass
class OpsEndpoints:
    http: OpsHttpServer | None = None
    health: grpc.Server | None = None
    health_port: int | None = None
    bundles: ServedBundles | None = None

    def stop(self, grace: float = 1.0) -> None:
        if self.http is not None:
            self.http.stop()
        if self.health is not None:
            self.health.stop(grace).wait()


def start_ops(settings: "Settings", health_servicer: health.HealthServicer, archive: PolicyArchive,
              callers: dict[str, Caller] | None) -> OpsEndpoints | None:
    """The HTTP port (with the bundle service) and the health port, as configured; None if neither is."""
    if not (settings.http_listen or settings.health_listen):
        if settings.bundle_service_dir is not None:
            raise HttpConfigError("the bundle service is served on the HTTP port: give --http-listen too")
        return None
    ops = OpsEndpoints()
    try:
        if settings.http_listen:
            apps = {}
            if settings.bundle_service_dir is not None:
                verification = None
                if settings.bundle_verification_key is not None:
                    try:
                        verification = VerificationConfig.from_key_file(settings.bundle_verification_key,
                                                                        algorithm=settings.bundle_signing_alg)
                    except OSError as exc:
                        raise HttpConfigError(f"cannot read the bundle verification key: {exc}") from None
                ops.bundles = ServedBundles(settings.bundle_service_dir, archive, verification)
                apps["/bundles"] = BundleService(ops.bundles, callers)
                log.info("bundle service", directory=str(settings.bundle_service_dir), bundles=ops.bundles.names(),
                         signatures="required" if verification else "not checked",
                         auth="tokens (bundle:read)" if callers is not None else "off (development)")
            tls = (settings.tls_cert, settings.tls_key) if settings.tls_cert and settings.tls_key else None
            ops.http = OpsHttpServer(settings.http_listen, apps, tls).start()
        if settings.health_listen:
            ops.health, ops.health_port = serve_health(settings.health_listen, health_servicer)
            log.info("health port serving", listen=settings.health_listen, port=ops.health_port)
    except Exception:
        ops.stop()
        raise
    return ops
