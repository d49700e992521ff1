"""An OPA-compatible sidecar over the embedded OPA engine.

For machines without an ``opa`` binary: it serves the parts of OPA's REST API
the server uses, with OPA's JSON and error shapes, so the server's HTTP path
is the same one that talks to a real ``opa run --server`` in production:

- ``POST /v1/data/{path}`` with ``{"input": ...}`` (and ``GET``), with
  ``?provenance=true`` reporting the bundle revision;
- ``GET /v1/policies`` and ``GET /v1/policies/{id}``;
- ``GET /health`` (with ``?bundles``: 500 until the bundle is activated).

The bundle comes from a directory (``--bundle rego``, ``--watch`` reloads it),
from a bundle file (``--bundle bundle.tar.gz``, checked with
``--verification-key`` like ``opa run``), or, like ``opa run --server
--config-file opa.yaml``, from a Bundle Service: downloaded, verified and
activated without a restart whenever a new revision is served (see
``bundle_plugin`` and ``opa_config``).

Like ``opa run --server --bundle``, the bundle owns every path: writes to
policies or data are refused with OPA's ``invalid_parameter`` error. Builtin
errors are always strict (a quirk of the embedded engine; the server asks
real OPA for ``strict-builtin-errors`` too, so both behave the same).
"""

from __future__ import annotations

import argparse
import threading
from dataclasses import replace
from pathlib import Path

import structlog

from server.engine.base import EngineError
from server.engine.bundle import BundleError
from server.engine.bundle_plugin import BundleDownloader, bundle_of
from server.engine.bundle_signing import ALGORITHMS, VerificationConfig
from server.engine.embedded import reexec_with_go_gc_tuned
from server.engine.opa_config import BundleSource, OpaConfigError, bundle_sources, load_config
from server.engine.sidecar_http import SidecarServer
from server.engine.sidecar_state import SidecarState
from server.logs import configure_logging

__all__ = ["SidecarServer", "SidecarState", "main", "serve"]

log = structlog.get_logger("sidecar")


def serve(bundle_dir: Path, host: str, port: int, watch: bool = False) -> SidecarServer:
    """Start the sidecar in a background thread and return it (tests, make run)."""
    server = SidecarServer((host, port), SidecarState.from_directory(bundle_dir))
    threading.Thread(target=server.serve_forever, name="sidecar", daemon=True).start()
    if watch:
        threading.Thread(target=server.state.watch, name="sidecar-watch", daemon=True).start()
    return server


def _initial_state(args: argparse.Namespace, sources: list[BundleSource]) -> SidecarState:
    """What to serve at start: a bundle directory or file, or nothing until the first download."""
    if sources:
        if args.bundle is not None:
            raise BundleError("give either --bundle or bundles in the configuration, not both")
        if len(sources) > 1:
            raise BundleError(f"this sidecar serves one bundle; the configuration has {len(sources)}")
        return SidecarState(expected=(sources[0].name,))
    path = args.bundle or Path("rego")
    if path.is_file():  # a bundle file, as `opa run --server bundle.tar.gz`
        verification = None
        if args.verification_key:
            verification = VerificationConfig.from_key_file(args.verification_key, args.verification_key_id,
                                                            args.signing_alg, args.scope or "")
            verification = replace(verification, exclude_files=tuple(args.exclude_files_verify))
        return SidecarState(bundle_of(path.read_bytes(), verification))
    return SidecarState.from_directory(path)


def main(argv: list[str] | None = None) -> int:
    reexec_with_go_gc_tuned("server.engine.sidecar")
    parser = argparse.ArgumentParser(
        prog="python -m server.engine.sidecar",
        description="OPA-compatible REST sidecar over the embedded OPA engine (for machines without an opa binary). "
                    "It loads a bundle directory or file, or downloads bundles as `opa run --server --config-file` does.",
    )
    parser.add_argument("--bundle", type=Path, default=None,
                        help="bundle directory or .tar.gz to load (default: rego, unless the configuration downloads bundles)")
    parser.add_argument("--addr", default="127.0.0.1:8181", help="host:port to listen on (default: 127.0.0.1:8181)")
    parser.add_argument("--watch", action="store_true", help="reload the bundle directory when its files change")
    parser.add_argument("-c", "--config-file", type=Path, help="OPA configuration file (services, bundles, keys), e.g. deploy/opa.yaml")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a configuration value, as opa run --set (e.g. services.verdict.url=http://...)")
    parser.add_argument("--set-file", action="append", default=[], metavar="KEY=PATH",
                        help="set a configuration value to a file's content, as opa run --set-file (e.g. keys.verdict-bundles.key=pub.pem)")
    parser.add_argument("--verification-key", type=Path, help="public key (PEM) a --bundle file must be signed with")
    parser.add_argument("--verification-key-id", default="default", help="its key ID (default: default)")
    parser.add_argument("--signing-alg", default="RS256", choices=ALGORITHMS, help="its algorithm (default: RS256)")
    parser.add_argument("--scope", help="the scope the signature must have")
    parser.add_argument("--exclude-files-verify", action="append", default=[], metavar="PATTERN",
                        help="files of a --bundle file left out of verification")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        sources = bundle_sources(load_config(args.config_file, args.set, args.set_file))
        state = _initial_state(args, sources)
    except (OpaConfigError, BundleError, EngineError, OSError) as exc:
        log.error("cannot start", error=str(exc))
        return 2
    host, _, port = args.addr.rpartition(":")
    server = SidecarServer((host or "127.0.0.1", int(port)), state)
    stop = threading.Event()
    for source in sources:
        BundleDownloader(source, state.activate).start(stop)
    if args.watch and state.bundle_dir is not None:
        threading.Thread(target=state.watch, name="sidecar-watch", daemon=True).start()
    log.info("OPA sidecar listening", addr=args.addr, opa=state.version,
             revision=state.engine.revision if state.engine else None, downloads=[s.url for s in sources])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
