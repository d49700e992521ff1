"""Shared fixtures: real parts on free ports.

- ``opa_url``: the real ``opa run --server`` when opa is on PATH, otherwise
  the project's OPA-compatible sidecar, serving the repository's rego/.
- ``db_url``: SQLite in a temp dir, or (``postgres`` param) a fresh
  PostgreSQL database on 127.0.0.1:5432, dropped afterwards.
- ``server``: the gRPC server on a free port, talking to OPA over REST.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from server.engine.process import OpaChild, start_opa

ROOT = Path(__file__).resolve().parent.parent
REGO = Path(os.environ.get("VERDICT_TEST_BUNDLE", ROOT / "rego"))
PG_ADMIN = os.environ.get("VERDICT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

os.environ.setdefault("VERDICT_MASK_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
# The decision log's signing key for every test (public, like the mask key above) and its public key.
TEST_LOG_KEY = "PRIVATE+KEY+verdict.test/decision-log+de2d7094+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
TEST_LOG_PUBLIC_KEY = "verdict.test/decision-log+de2d7094+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
os.environ.setdefault("VERDICT_LOG_KEY", TEST_LOG_KEY)
os.environ.setdefault("VERDICT_LOG_PUBLIC_KEY", TEST_LOG_PUBLIC_KEY)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OpaProcess:
    """OPA (real or sidecar) as a separate process that tests may stop and restart: the one
    code path of ``make run`` (server.engine.process), its output in ``workdir/opa.log``."""

    def __init__(self, bundle: Path, port: int | None = None, workdir: Path | None = None) -> None:
        self.bundle = bundle
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._own_workdir = workdir is None  # made here, removed at stop (made again by a restart)
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="verdict-opa-"))
        self.child: OpaChild | None = None

    @property
    def real(self) -> bool:
        return shutil.which("opa") is not None

    @property
    def kind(self) -> str:
        return self.child.kind if self.child else ""

    def start(self) -> "OpaProcess":
        self.child = start_opa(self.bundle, f"127.0.0.1:{self.port}", self.workdir)
        return self

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()
        self.child = None
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def opa(tmp_path_factory) -> Iterator[OpaProcess]:
    proc = OpaProcess(REGO, workdir=tmp_path_factory.mktemp("opa")).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def opa_url(opa: OpaProcess) -> str:
    return opa.url


def _new_pg_database() -> tuple[str, str]:
    import psycopg

    name = f"verdict_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/verdict.db"
        return
    name, url = _new_pg_database()
    yield url
    _drop_pg_database(name)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/verdict.db"


@pytest.fixture
def pg_url() -> Iterator[str]:
    name, url = _new_pg_database()
    yield url
    _drop_pg_database(name)


def log_writer():
    """A writer to the decision log with the test key (what `verdict-admin accounts import` uses)."""
    from server.decisionlog.writer import LogWriter
    from shared.tlog.note import Ed25519Signer
    from server.decisionlog.tree import TreeWriter

    from server.decisions.masking import key_id

    return LogWriter(TreeWriter(Ed25519Signer.parse(os.environ["VERDICT_LOG_KEY"])),
                     mask_key_id=key_id(bytes.fromhex(os.environ["VERDICT_MASK_KEY"])))


def verify_log(db, witness_dir: Path | None = None, since: str | None = None):
    """`verdict audit verify` on a database with the test key (and a witness directory)."""
    from server.audit.verify import verify
    from server.decisionlog.checkpoints import Witness
    from shared.tlog.note import Verifier

    return verify(db, Verifier.parse(TEST_LOG_PUBLIC_KEY), Witness(witness_dir) if witness_dir else None, since)


def import_accounts(db_url: str, path: Path = ROOT / "examples/demo_accounts.jsonl") -> None:
    from server.db.database import Database
    from server.db.migrations import migrate
    from server.admin.importer import import_file

    db = Database(db_url)
    migrate(db)
    import_file(db, path, log_writer())
    db.close()


def start_server(db_url: str, opa_url: str, tmp_path: Path, **overrides):
    from server.app import Settings, build

    settings = Settings(listen="127.0.0.1:0", engine="sidecar", opa_url=opa_url, bundle_dir=REGO, db_url=db_url,
                        mask_key_file=tmp_path / "mask.key", health_interval=0.2, log_key=os.environ["VERDICT_LOG_KEY"],
                        witness_dir=tmp_path / "witness")
    for key, value in overrides.items():
        setattr(settings, key, value)
    return build(settings)


@contextmanager
def served_on_sqlite(tmp: Path, opa_url: str, **overrides) -> Iterator:
    """The server on a fresh SQLite database in ``tmp`` with the demo accounts, stopped when the block ends."""
    url = f"sqlite:///{tmp}/verdict.db"
    import_accounts(url)
    app = start_server(url, opa_url, tmp, **overrides)
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture
def server(db_url, opa_url, tmp_path):
    """The gRPC server with the demo accounts, over OPA's REST API."""
    import_accounts(db_url)
    app = start_server(db_url, opa_url, tmp_path)
    yield app
    app.stop()


@pytest.fixture
def client(server):
    from clients.client import VerdictClient

    with VerdictClient(f"127.0.0.1:{server.port}") as c:
        yield c
