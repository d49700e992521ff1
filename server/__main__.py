"""`python -m server`: run the verdict gRPC server."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from server.app import Settings, build
from server.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    defaults = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="python -m server",
        description="verdict gRPC policy server. Every option also reads an environment variable (VERDICT_*).",
    )
    parser.add_argument("--listen", default=defaults.listen, help=f"host:port for gRPC (default {defaults.listen}; VERDICT_LISTEN)")
    parser.add_argument("--engine", choices=["sidecar", "opa", "embedded"], default=defaults.engine,
                        help="how to reach OPA: its REST API (sidecar or a real opa) or the embedded engine (VERDICT_ENGINE)")
    parser.add_argument("--opa-url", default=defaults.opa_url, help=f"OPA REST API (default {defaults.opa_url}; VERDICT_OPA_URL)")
    parser.add_argument("--bundle", type=Path, default=defaults.bundle_dir, help="the Rego bundle directory OPA serves (archived per revision)")
    parser.add_argument("--db", default=defaults.db_url, help="sqlite:///PATH or postgresql://... (VERDICT_DB)")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="gRPC worker threads")
    args = parser.parse_args(argv)
    configure_logging()
    settings = Settings(listen=args.listen, engine=args.engine, opa_url=args.opa_url, bundle_dir=args.bundle, db_url=args.db, workers=args.workers)
    app = build(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    app.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
