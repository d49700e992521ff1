"""`python -m server`: run the verdict gRPC server."""

from __future__ import annotations

import argparse
from dataclasses import replace
import signal
import sys
import threading
from pathlib import Path

from server.app import ServerConfigError, Settings, build
from server.console.serving import ConsoleConfigError
from server.decisionlog.checkpoints import WitnessMismatch
from server.decisionlog.writer import LogWriter
from shared.tlog.note import NoteError
from server.decisionlog.tree import TreeHeadError
from server.engine.bundle_signing import ALGORITHMS
from server.engine.embedded import reexec_with_go_gc_tuned
from server.logs import configure_logging
from server.ops.http import HttpConfigError


def main(argv: list[str] | None = None, writer: LogWriter | None = None, prog: str = "server") -> int:
    """``writer``: see ``build`` (the benchmark's baseline)."""
    reexec_with_go_gc_tuned(prog)
    defaults = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog=f"python -m {prog}",
        description="verdict gRPC policy server. Every option also reads an environment variable (VERDICT_*).",
    )
    parser.add_argument("--listen", default=defaults.listen, help=f"host:port for gRPC (default {defaults.listen}; VERDICT_LISTEN)")
    parser.add_argument("--engine", choices=["sidecar", "opa", "embedded"], default=defaults.engine,
                        help="how to reach OPA: its REST API (sidecar or a real opa) or the embedded engine (VERDICT_ENGINE)")
    parser.add_argument("--opa-url", default=defaults.opa_url, help=f"OPA REST API (default {defaults.opa_url}; VERDICT_OPA_URL)")
    parser.add_argument("--bundle", type=Path, default=defaults.bundle_dir, help="the Rego bundle directory OPA serves (archived per revision)")
    parser.add_argument("--db", default=defaults.db_url, help="sqlite:///PATH or postgresql://... (VERDICT_DB)")
    parser.add_argument("--opa-timeout", type=float, default=defaults.opa_timeout, help="deadline per OPA call in seconds (VERDICT_OPA_TIMEOUT)")
    parser.add_argument("--workers", type=int, default=defaults.workers, help=f"gRPC worker threads (default {defaults.workers}; VERDICT_WORKERS)")
    parser.add_argument("--max-concurrent-rpcs", type=int, default=defaults.max_concurrent_rpcs,
                        help="calls in flight at once, running or waiting for a worker; more are refused with RESOURCE_EXHAUSTED "
                             f"(default {defaults.max_concurrent_rpcs}; VERDICT_MAX_CONCURRENT_RPCS)")
    parser.add_argument("--max-streams", type=int, default=defaults.max_streams,
                        help="open streams in all, below --workers so unary calls always find a worker; more are refused with "
                             f"RESOURCE_EXHAUSTED (default {defaults.max_streams}; VERDICT_MAX_STREAMS)")
    parser.add_argument("--max-streams-per-caller", type=int, default=defaults.max_streams_per_caller,
                        help="open streams per caller (its name, or its address without authentication) "
                             f"(default {defaults.max_streams_per_caller}; VERDICT_MAX_STREAMS_PER_CALLER)")
    parser.add_argument("--stream-idle-seconds", type=float, default=defaults.stream_idle_seconds,
                        help="close a request stream (DecideStream) that sends nothing for this long, DEADLINE_EXCEEDED; 0 = never "
                             f"(default {defaults.stream_idle_seconds:g}; VERDICT_STREAM_IDLE_SECONDS)")
    parser.add_argument("--account-cache-ttl", type=float, default=defaults.account_cache_ttl,
                        help="seconds a decision that is not applied may use account data read earlier; 0 = always read "
                             "(VERDICT_ACCOUNT_CACHE_TTL; the age is recorded with each decision)")
    parser.add_argument("--account-cache-size", type=int, default=defaults.account_cache_size,
                        help=f"at most this many accounts (and as many groups) are cached (default {defaults.account_cache_size}; "
                             "VERDICT_ACCOUNT_CACHE_SIZE)")
    parser.add_argument("--db-timeout", type=float, default=defaults.db_timeout,
                        help=f"seconds one database statement, a connection or the decision log's commit may take; past it the "
                             f"call fails closed (default {defaults.db_timeout:g}; VERDICT_DB_TIMEOUT)")
    parser.add_argument("--db-lock-timeout", type=float, default=defaults.db_lock_timeout,
                        help=f"seconds a lock is waited for: PostgreSQL's lock_timeout, SQLite's busy timeout "
                             f"(default {defaults.db_lock_timeout:g}; VERDICT_DB_LOCK_TIMEOUT)")
    parser.add_argument("--db-pool-size", type=int, default=defaults.db_pool_size,
                        help=f"database connections held at most (default {defaults.db_pool_size}; VERDICT_DB_POOL_SIZE)")
    parser.add_argument("--health-timeout", type=float, default=defaults.health_timeout,
                        help=f"the store is reported NOT_SERVING when its probe takes longer (default {defaults.health_timeout:g}; "
                             "VERDICT_HEALTH_TIMEOUT)")
    parser.add_argument("--candidates-root", type=Path, default=defaults.candidates_root,
                        help="ReplayDecisions takes candidate directories under this directory only (default: none, the "
                             "`directory` field is refused; VERDICT_CANDIDATES_ROOT)")
    parser.add_argument("--callers", type=Path, default=defaults.callers_file,
                        help="TOML file of caller tokens (hashed) and scopes (VERDICT_CALLERS); without it there is no "
                             "authentication, which the server allows only on a loopback address unless --insecure-no-auth")
    parser.add_argument("--insecure-no-auth", action="store_true", default=defaults.insecure_no_auth,
                        help="run without authentication on an address other machines can reach: anyone who can connect may "
                             "decide, apply and read the decision log (VERDICT_INSECURE_NO_AUTH=1)")
    parser.add_argument("--tls-cert", type=Path, default=defaults.tls_cert, help="server certificate (PEM) for TLS (VERDICT_TLS_CERT)")
    parser.add_argument("--tls-key", type=Path, default=defaults.tls_key, help="server private key (PEM) (VERDICT_TLS_KEY)")
    parser.add_argument("--tls-client-ca", type=Path, default=defaults.tls_client_ca,
                        help="CA that signs client certificates; requires them (mTLS) (VERDICT_TLS_CLIENT_CA)")
    parser.add_argument("--log-key-file", type=Path, default=defaults.log_key_file,
                        help=f"the decision log's signing key, kept outside the database (default {defaults.log_key_file}; "
                             "VERDICT_LOG_KEY_FILE, or the key itself in VERDICT_LOG_KEY); make one with `verdict-admin audit keygen`")
    parser.add_argument("--witness", type=Path, default=defaults.witness_dir,
                        help="directory outside the database where every published checkpoint is appended "
                             f"(default {defaults.witness_dir}; VERDICT_WITNESS_DIR)")
    parser.add_argument("--checkpoint-records", type=int, default=defaults.checkpoint_records,
                        help=f"publish a checkpoint after this many records (default {defaults.checkpoint_records}; VERDICT_CHECKPOINT_RECORDS)")
    parser.add_argument("--checkpoint-seconds", type=float, default=defaults.checkpoint_seconds,
                        help=f"... or after this many seconds, and at shutdown (default {defaults.checkpoint_seconds:g}; VERDICT_CHECKPOINT_SECONDS)")
    parser.add_argument("--console-listen", default=defaults.console_listen, metavar="HOST:PORT",
                        help="serve the web console on this address, e.g. 127.0.0.1:8080 (default: off; VERDICT_CONSOLE_LISTEN). "
                             "It needs --callers (sign-in is with a caller token) and, off loopback, --tls-cert/--tls-key")
    parser.add_argument("--console-session-seconds", type=float, default=defaults.console_session_seconds,
                        help=f"a console session ends after this many idle seconds (default {defaults.console_session_seconds:g}; "
                             "at most 8 hours in any case; VERDICT_CONSOLE_SESSION_SECONDS)")
    parser.add_argument("--http-listen", default=defaults.http_listen, metavar="HOST:PORT",
                        help="the server's HTTP port for operations, e.g. 127.0.0.1:8282: OPA's Bundle Service API at /bundles/ "
                             "(default: off; VERDICT_HTTP_LISTEN). Off loopback it needs --tls-cert/--tls-key")
    parser.add_argument("--health-listen", default=defaults.health_listen, metavar="HOST:PORT",
                        help="a plaintext gRPC port with only grpc.health.v1, for probes that cannot do TLS "
                             "(Kubernetes grpc: probes); services '' (readiness) and 'liveness' (default: off; VERDICT_HEALTH_LISTEN)")
    parser.add_argument("--bundle-service-dir", type=Path, default=defaults.bundle_service_dir, metavar="DIR",
                        help="serve the bundle files in DIR (NAME.tar.gz, from `verdict-admin bundle build`) at /bundles/NAME.tar.gz "
                             "to OPA sidecars; each revision is checked and archived before it is served (VERDICT_BUNDLE_SERVICE_DIR)")
    parser.add_argument("--bundle-verification-key", type=Path, default=defaults.bundle_verification_key, metavar="PEM",
                        help="serve only bundles signed with this key (public key in PEM; VERDICT_BUNDLE_VERIFICATION_KEY)")
    parser.add_argument("--bundle-signing-alg", default=defaults.bundle_signing_alg, choices=ALGORITHMS,
                        help=f"the algorithm of that key (default {defaults.bundle_signing_alg}; VERDICT_BUNDLE_SIGNING_ALG)")
    args = parser.parse_args(argv)
    if args.checkpoint_records < 1 or args.checkpoint_seconds <= 0:
        parser.error("--checkpoint-records and --checkpoint-seconds must be positive")
    if args.console_session_seconds <= 0:
        parser.error("--console-session-seconds must be positive")
    if min(args.db_timeout, args.db_lock_timeout, args.health_timeout) <= 0 or args.db_pool_size < 1 or args.account_cache_size < 0:
        parser.error("--db-timeout, --db-lock-timeout, --health-timeout and --db-pool-size must be positive")
    configure_logging()
    settings = replace(defaults, listen=args.listen, engine=args.engine, opa_url=args.opa_url, opa_timeout=args.opa_timeout,
                       bundle_dir=args.bundle, db_url=args.db, workers=args.workers, callers_file=args.callers,
                       insecure_no_auth=args.insecure_no_auth, max_concurrent_rpcs=args.max_concurrent_rpcs,
                       max_streams=args.max_streams, max_streams_per_caller=args.max_streams_per_caller,
                       stream_idle_seconds=args.stream_idle_seconds,
                       tls_cert=args.tls_cert, tls_key=args.tls_key, tls_client_ca=args.tls_client_ca,
                       account_cache_ttl=args.account_cache_ttl, account_cache_size=args.account_cache_size,
                       db_timeout=args.db_timeout, db_lock_timeout=args.db_lock_timeout, db_pool_size=args.db_pool_size,
                       health_timeout=args.health_timeout, candidates_root=args.candidates_root, log_key_file=args.log_key_file, witness_dir=args.witness,
                       checkpoint_records=args.checkpoint_records, checkpoint_seconds=args.checkpoint_seconds,
                       console_listen=args.console_listen, console_session_seconds=args.console_session_seconds,
                       http_listen=args.http_listen, health_listen=args.health_listen, bundle_service_dir=args.bundle_service_dir,
                       bundle_verification_key=args.bundle_verification_key, bundle_signing_alg=args.bundle_signing_alg)
    try:
        app = build(settings, writer)
    except (NoteError, WitnessMismatch, TreeHeadError, ConsoleConfigError, HttpConfigError, ServerConfigError, OSError) as exc:
        print(f"verdict: cannot start: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    app.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
