"""Wiring: settings -> engine, store, log, archive, services, gRPC server."""

from __future__ import annotations

import os
import threading
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from verdict.v1 import audit_service_pb2, audit_service_pb2_grpc, policy_service_pb2, policy_service_pb2_grpc
from verdict.v1 import account_service_pb2, account_service_pb2_grpc, dsa_service_pb2, dsa_service_pb2_grpc

from server.api.account_service import AccountServicer
from server.api.audit_service import AuditServicer
from server.api.auth import AuthInterceptor, load_callers
from server.api.decoding import DecodeGuard
from server.api.limits import HealthLane, StreamLimits
from server.api.dsa_service import DsaServicer
from server.api.validation import MAX_MESSAGE_BYTES
from server.api.policy_service import PolicyServicer
from server.console.context import Services as ConsoleServices
from server.console.serving import ConsoleConfigError, ConsoleServer, start_console
from server.db.database import Database, Limits, database_url
from server.db.migrations import migrate
from server.engine.archive import PolicyArchive
from server.decisionlog.checkpoints import Checkpointer, Witness, check_against_witness
from server.decisionlog.log import DecisionLog
from server.decisionlog.writer import LogWriter
from shared.tlog.note import load_signer, verifier_of
from shared.timeutil import utcnow
from server.decisionlog.reader import LogReader
from server.decisionlog.tree import TreeWriter
from server.decisions.masking import Masker, key_id, load_key
from server.decisions.enforce import Enforcer
from server.decisions.evaluate import Evaluator
from server.decisions.pipeline import DecisionPipeline
from server.decisions.prepare import Preparer
from server.decisions.record import Recorder
from server.dsa.records import DsaRecords
from server.engine.base import PolicyEngine
from server.engine.bundle import Bundle
from server.engine.embedded import EmbeddedEngine
from server.engine.resilience import ResilientEngine
from server.engine.rest import RestEngine
from server.enrichment.cache import EnrichmentCache
from server.enrichment.store import AccountReader
from server.ops.endpoints import OpsEndpoints, start_ops
from server.httpserver import is_local_listen

log = structlog.get_logger("server")

SERVICE_NAMES = (
    policy_service_pb2.DESCRIPTOR.services_by_name["PolicyService"].full_name,
    audit_service_pb2.DESCRIPTOR.services_by_name["AuditService"].full_name,
    dsa_service_pb2.DESCRIPTOR.services_by_name["DsaService"].full_name,
    account_service_pb2.DESCRIPTOR.services_by_name["AccountService"].full_name,
)


@dataclass
class Settings:
    """Everything the server needs to start; each has a working default."""

    listen: str = "127.0.0.1:50051"
    engine: str = "sidecar"              # "sidecar" (OPA REST API) or "embedded"
    opa_url: str = "http://127.0.0.1:8181"
    opa_timeout: float = 1.0
    bundle_dir: Path = Path("rego")
    db_url: str = field(default_factory=database_url)
    mask_key_file: Path = Path("var/mask.key")
    # The decision log's signing key (C2SP signed-note text), or the file holding it; outside the database.
    log_key: str | None = None
    log_key_file: Path = Path("var/log-signing.key")
    # Where published checkpoints are appended, outside the database.
    witness_dir: Path = Path("var/witness")
    # Publish a checkpoint every this many records or seconds (and at shutdown).
    checkpoint_records: int = 1000
    checkpoint_seconds: float = 10.0
    workers: int = 32
    # Calls in flight at once (running or waiting for a worker); beyond it: RESOURCE_EXHAUSTED.
    max_concurrent_rpcs: int = 128
    # Open streams in all (below workers, so unary calls always find one) and per caller.
    max_streams: int = 16
    max_streams_per_caller: int = 8
    # A request stream that sends nothing for this long is closed (DEADLINE_EXCEEDED); 0: never.
    stream_idle_seconds: float = 60.0
    health_interval: float = 2.0
    # The store's health probe waits at most this long for a connection and the log's locks.
    health_timeout: float = 1.0
    # The database: the most one statement, a connection or the log's commit may take; a lock wait; connections held.
    db_timeout: float = 5.0
    db_lock_timeout: float = 2.0
    db_pool_size: int = 16
    # Seconds a non-applied decision may use an account read earlier (0: always read), and how many are kept.
    account_cache_ttl: float = 5.0
    account_cache_size: int = 10_000
    # ReplayDecisions' `directory`: only candidate directories under this root (None: the field is refused).
    candidates_root: Path | None = None
    # Who may call what (None: no authentication, development only: loopback addresses,
    # or anywhere with insecure_no_auth, which says so in every log line it starts with).
    callers_file: Path | None = None
    insecure_no_auth: bool = False
    # TLS: server certificate and key; with a client CA, client certificates are required (mTLS).
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None
    # The web console: HOST:PORT of its own HTTP port ("" or "off": no console); needs callers_file.
    console_listen: str = ""
    # A console session ends after this many seconds without a request (and after 8 hours in any case).
    console_session_seconds: float = 1800.0
    # Operations: the HTTP port (OPA's Bundle Service API at /bundles), a plaintext gRPC health port for probes,
    # the directory of bundle files to serve and the public key they must be signed with (see server/ops/).
    http_listen: str = ""
    health_listen: str = ""
    bundle_service_dir: Path | None = None
    bundle_verification_key: Path | None = None
    bundle_signing_alg: str = "RS256"

    @property
    def console_on(self) -> bool:
        return self.console_listen not in ("", "off")

    @classmethod
    def from_env(cls) -> "Settings":
        s = cls()
        s.listen = os.environ.get("VERDICT_LISTEN", s.listen)
        s.engine = os.environ.get("VERDICT_ENGINE", s.engine)
        s.opa_url = os.environ.get("VERDICT_OPA_URL", s.opa_url)
        s.bundle_dir = Path(os.environ.get("VERDICT_BUNDLE", s.bundle_dir))
        s.opa_timeout = float(os.environ.get("VERDICT_OPA_TIMEOUT", s.opa_timeout))
        s.account_cache_ttl = float(os.environ.get("VERDICT_ACCOUNT_CACHE_TTL", s.account_cache_ttl))
        s.account_cache_size = int(os.environ.get("VERDICT_ACCOUNT_CACHE_SIZE", s.account_cache_size))
        s.db_timeout = float(os.environ.get("VERDICT_DB_TIMEOUT", s.db_timeout))
        s.db_lock_timeout = float(os.environ.get("VERDICT_DB_LOCK_TIMEOUT", s.db_lock_timeout))
        s.db_pool_size = int(os.environ.get("VERDICT_DB_POOL_SIZE", s.db_pool_size))
        s.health_timeout = float(os.environ.get("VERDICT_HEALTH_TIMEOUT", s.health_timeout))
        s.log_key = os.environ.get("VERDICT_LOG_KEY") or None
        s.checkpoint_records = int(os.environ.get("VERDICT_CHECKPOINT_RECORDS", s.checkpoint_records))
        s.checkpoint_seconds = float(os.environ.get("VERDICT_CHECKPOINT_SECONDS", s.checkpoint_seconds))
        s.console_listen = os.environ.get("VERDICT_CONSOLE_LISTEN", s.console_listen)
        s.console_session_seconds = float(os.environ.get("VERDICT_CONSOLE_SESSION_SECONDS", s.console_session_seconds))
        s.http_listen = os.environ.get("VERDICT_HTTP_LISTEN", s.http_listen)
        s.health_listen = os.environ.get("VERDICT_HEALTH_LISTEN", s.health_listen)
        s.bundle_signing_alg = os.environ.get("VERDICT_BUNDLE_SIGNING_ALG", s.bundle_signing_alg)
        s.workers = int(os.environ.get("VERDICT_WORKERS", s.workers))
        s.max_concurrent_rpcs = int(os.environ.get("VERDICT_MAX_CONCURRENT_RPCS", s.max_concurrent_rpcs))
        s.max_streams = int(os.environ.get("VERDICT_MAX_STREAMS", s.max_streams))
        s.max_streams_per_caller = int(os.environ.get("VERDICT_MAX_STREAMS_PER_CALLER", s.max_streams_per_caller))
        s.stream_idle_seconds = float(os.environ.get("VERDICT_STREAM_IDLE_SECONDS", s.stream_idle_seconds))
        s.insecure_no_auth = os.environ.get("VERDICT_INSECURE_NO_AUTH", "") not in ("", "0", "false")
        for name, var in (("callers_file", "VERDICT_CALLERS"), ("tls_cert", "VERDICT_TLS_CERT"),
                          ("tls_key", "VERDICT_TLS_KEY"), ("tls_client_ca", "VERDICT_TLS_CLIENT_CA"),
                          ("log_key_file", "VERDICT_LOG_KEY_FILE"), ("witness_dir", "VERDICT_WITNESS_DIR"),
                          ("bundle_service_dir", "VERDICT_BUNDLE_SERVICE_DIR"),
                          ("bundle_verification_key", "VERDICT_BUNDLE_VERIFICATION_KEY"),
                          ("candidates_root", "VERDICT_CANDIDATES_ROOT")):
            if os.environ.get(var):
                setattr(s, name, Path(os.environ[var]))
        return s


class ServerConfigError(ValueError):
    """The server cannot start as configured; the text says why and what to change."""


def check_settings(settings: Settings) -> None:
    """Refuse what would fail open or let one caller hold every worker."""
    if settings.workers < 2 or settings.max_concurrent_rpcs < 1:
        raise ServerConfigError("--workers must be at least 2 and --max-concurrent-rpcs at least 1")
    if not 1 <= settings.max_streams < settings.workers:
        raise ServerConfigError(f"--max-streams must be at least 1 and below --workers ({settings.workers}), "
                                "so that unary calls always find a worker")
    if settings.max_streams_per_caller < 1 or settings.stream_idle_seconds < 0:
        raise ServerConfigError("--max-streams-per-caller must be at least 1 and --stream-idle-seconds not negative")
    if settings.callers_file is None and not settings.insecure_no_auth and not is_local_listen(settings.listen):
        raise ServerConfigError(
            f"{settings.listen} can be reached from other machines and there is no callers file (--callers): anyone "
            "could decide, apply and read the decision log. Give --callers FILE, listen on a loopback address "
            "(127.0.0.1), or pass --insecure-no-auth to run without authentication anyway")


def make_engine(settings: Settings) -> PolicyEngine:
    if settings.engine == "embedded":
        engine = EmbeddedEngine(Bundle.from_directory(settings.bundle_dir))
        engine.prewarm()
        return engine
    if settings.engine in ("sidecar", "opa"):
        return ResilientEngine(RestEngine(settings.opa_url, timeout=settings.opa_timeout, name=settings.engine))
    raise ValueError(f"unknown engine {settings.engine!r}: use 'sidecar', 'opa' or 'embedded'")


def server_credentials(settings: Settings) -> grpc.ServerCredentials | None:
    if not settings.tls_cert:
        return None
    if not settings.tls_key:
        raise ValueError("TLS needs both a certificate and its key (VERDICT_TLS_CERT, VERDICT_TLS_KEY)")
    pair = [(settings.tls_key.read_bytes(), settings.tls_cert.read_bytes())]
    client_ca = settings.tls_client_ca.read_bytes() if settings.tls_client_ca else None
    return grpc.ssl_server_credentials(pair, root_certificates=client_ca, require_client_auth=client_ca is not None)


class HealthWatcher:
    """Keeps the gRPC health status true: NOT_SERVING while OPA does not answer, or the store
    cannot take a log append within ``timeout`` (probed every ``interval`` seconds)."""

    def __init__(self, servicer: health.HealthServicer, engine: PolicyEngine, db: Database, interval: float,
                 timeout: float = 1.0) -> None:
        self.servicer, self.engine, self.db, self.interval, self.timeout = servicer, engine, db, interval, timeout
        self._stop = threading.Event()
        self.serving: bool | None = None

    def check(self) -> bool:
        try:
            engine_ok = self.engine.healthy()
        except Exception:
            engine_ok = False
        store_ok = self.db.probe(self.timeout)
        ok = engine_ok and store_ok
        status = health_pb2.HealthCheckResponse.SERVING if ok else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", *SERVICE_NAMES):
            self.servicer.set(name, status)
        if ok != self.serving:
            (log.info if ok else log.warning)("health changed", serving=ok, engine_ok=engine_ok, store_ok=store_ok)
            self.serving = ok
        return ok

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()

    def start(self) -> None:
        self.check()
        threading.Thread(target=self.run, name="health", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


@dataclass
class App:
    settings: Settings
    server: grpc.Server
    port: int
    pipeline: DecisionPipeline
    engine: PolicyEngine
    db: Database
    log: DecisionLog
    health: HealthWatcher
    checkpointer: Checkpointer | None
    console: ConsoleServer | None = None
    ops: OpsEndpoints | None = None
    health_lane: HealthLane | None = None

    def stop(self, grace: float = 2.0) -> None:
        if self.console is not None:
            self.console.stop()
        if self.ops is not None:
            self.ops.stop()
        self.health.stop()
        self.server.stop(grace).wait()
        if self.health_lane is not None:
            self.health_lane.close()
        self.log.close()
        if self.checkpointer is not None:
            self.checkpointer.close()  # the checkpoint at shutdown
        self.engine.close()
        self.db.close()


def open_log_writer(db: Database, settings: Settings) -> tuple[LogWriter, Witness]:
    """The writer that appends to the signed tree, once the log is known to extend its witness.

    Raises NoteError (no usable key) or WitnessMismatch (the database was rolled
    back or replaced: signing on would fork the log).
    """
    signer = load_signer(settings.log_key, settings.log_key_file)
    witness = Witness(settings.witness_dir)
    check_against_witness(db, witness, verifier_of(signer))
    tree = TreeWriter(signer)
    with db.transaction(write=True) as cur:
        if tree.sign_unsigned_head(cur):
            log.warning("signed the tree of a log upgraded from the hash chain", origin=signer.name)
    return LogWriter(tree, mask_key_id=key_id(load_key(settings.mask_key_file))), witness


def decision_pipeline(engine: PolicyEngine, accounts: AccountReader, decision_log: DecisionLog, archive: PolicyArchive,
                      masker: Masker, settings: Settings) -> DecisionPipeline:
    """The four steps of the decision path, wired (prepare and enforce share one enrichment cache)."""
    cache = EnrichmentCache(accounts, settings.account_cache_ttl, settings.account_cache_size)
    return DecisionPipeline(Preparer(accounts, cache, masker, utcnow), Evaluator(engine, archive),
                            Recorder(decision_log, LogReader(accounts.db)), Enforcer(accounts, cache), accounts.db, utcnow)


def build(settings: Settings, writer: LogWriter | None = None) -> App:
    """Create everything and start serving; returns once the port is bound.

    ``writer``: a log writer to use instead of the signed Merkle tree (only the
    benchmark's baseline does this); no checkpoints are published then.
    Raises ServerConfigError before anything starts if the settings would fail open.
    """
    check_settings(settings)
    db = Database(settings.db_url, Limits(settings.db_timeout, settings.db_lock_timeout, settings.db_pool_size))
    migrate(db)
    checkpointer, witness = None, None
    if writer is None:
        writer, witness = open_log_writer(db, settings)
        checkpointer = Checkpointer(db, witness, writer.tree, settings.checkpoint_records, settings.checkpoint_seconds)
    engine = make_engine(settings)
    store = AccountReader(db)
    decision_log = DecisionLog(db, writer)
    archive = PolicyArchive(db, settings.bundle_dir, writer)
    masker = Masker(load_key(settings.mask_key_file))
    pipeline = decision_pipeline(engine, store, decision_log, archive, masker, settings)

    callers = load_callers(settings.callers_file) if settings.callers_file else None
    # Outermost first: health checks on their own threads; who calls; their streams; what they sent.
    health_lane = HealthLane()
    interceptors: list[grpc.ServerInterceptor] = [health_lane]
    if callers is not None:
        interceptors.append(AuthInterceptor(callers))
    interceptors += [StreamLimits(settings.max_streams_per_caller, settings.max_streams, settings.stream_idle_seconds),
                     DecodeGuard()]
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="rpc"),
        interceptors=interceptors,
        options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES), ("grpc.so_reuseport", 0)],
        maximum_concurrent_rpcs=settings.max_concurrent_rpcs,
    )
    policy_service_pb2_grpc.add_PolicyServiceServicer_to_server(PolicyServicer(pipeline), server)
    verifier = verifier_of(writer.tree.signer) if writer.tree is not None else None
    reader = LogReader(db)
    audit_service_pb2_grpc.add_AuditServiceServicer_to_server(
        AuditServicer(reader, archive, decision_log, verifier, witness, settings.candidates_root), server)
    dsa_service_pb2_grpc.add_DsaServiceServicer_to_server(DsaServicer(DsaRecords(LogReader(db), archive), decision_log), server)
    account_service_pb2_grpc.add_AccountServiceServicer_to_server(AccountServicer(store, decision_log, masker), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    credentials = server_credentials(settings)
    port = server.add_secure_port(settings.listen, credentials) if credentials else server.add_insecure_port(settings.listen)
    if port == 0:
        raise OSError(f"cannot listen on {settings.listen}")
    console = None
    if settings.console_on:
        if callers is None:
            raise ConsoleConfigError("the console signs callers in with their tokens: it needs a callers file (--callers)")
        console = start_console(ConsoleServices(pipeline, reader, archive, decision_log, verifier, witness, callers,
                                                settings.bundle_dir),
                                settings.console_listen, settings.console_session_seconds,
                                (settings.tls_cert, settings.tls_key) if settings.tls_cert and settings.tls_key else None)
    ops = start_ops(settings, health_servicer, archive, callers)
    watcher = HealthWatcher(health_servicer, engine, db, settings.health_interval, settings.health_timeout)
    server.start()
    watcher.start()
    if checkpointer is not None:
        checkpointer.start()
    log.info("verdict serving", listen=settings.listen, port=port, engine=engine.name, db=db.describe(),
             tls="mtls" if settings.tls_client_ca else ("tls" if credentials else "off"),
             auth="tokens" if settings.callers_file else "off (development)", console=console.url if console else "off")
    if callers is None and not is_local_listen(settings.listen):
        log.warning("authentication is off on an address other machines can reach (--insecure-no-auth)", listen=settings.listen)
    return App(settings, server, port, pipeline, engine, db, decision_log, watcher, checkpointer, console, ops, health_lane)
