"""How long calls take to fail closed with the server's default database timeouts:
a PostgreSQL that hangs (the real one behind a proxy that stops forwarding) and a
SQLite file another process holds the write lock on. 12 decisions at once, a third
applied; also how long health takes to say NOT_SERVING, and SERVING again.

    .venv/bin/python -m bench.store_faults       (PostgreSQL on 127.0.0.1:5432, about a minute)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grpc_health.v1 import health_pb2

from tests.conftest import REGO, OpaProcess, _drop_pg_database, _new_pg_database, import_accounts, start_server
from tests.fakes.pgproxy import PgProxy
from tests.integration.test_faults import health, wait_for
from tests.integration.test_store_timeouts import HOLD_LOCK, Calls, warm

SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING
# The defaults for everything that bounds a wait; a long cache, so plain decisions only wait for the log.
SETTINGS = {"checkpoint_seconds": 3600.0, "account_cache_ttl": 300.0}


def measure(app, break_store, mend_store, what: str) -> None:
    warm(app)
    break_store()
    started = time.monotonic()
    wait_for(lambda: health(app.port) == NOT_SERVING, timeout=60)
    not_serving = time.monotonic() - started
    calls = Calls(app.port)
    calls.many(what.replace(" ", "-"))
    mend_store()
    started = time.monotonic()
    wait_for(lambda: health(app.port) == SERVING, timeout=60)
    codes = {code.name: n for code, n in calls.codes().items()}
    print(f"{what}: {codes}, slowest answer {calls.slowest():.2f} s; NOT_SERVING after {not_serving:.2f} s, "
          f"SERVING {time.monotonic() - started:.2f} s after the store came back")


def main() -> None:
    opa = OpaProcess(REGO).start()
    try:
        name, _ = _new_pg_database()
        proxy = PgProxy()
        url = proxy.url(name)
        import_accounts(url)
        app = start_server(url, opa.url, Path(tempfile.mkdtemp()), **SETTINGS)
        try:
            measure(app, proxy.hang, proxy.resume, "hanging PostgreSQL")
        finally:
            proxy.resume()
            app.stop()
            proxy.close()
            _drop_pg_database(name)
        tmp = Path(tempfile.mkdtemp())
        url = f"sqlite:///{tmp}/verdict.db"
        import_accounts(url)
        app = start_server(url, opa.url, tmp, **SETTINGS)
        holder: list[subprocess.Popen] = []

        def lock() -> None:
            holder.append(subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(app.db.path)], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, text=True))
            holder[0].stdout.readline()  # type: ignore[union-attr]

        def unlock() -> None:
            holder[0].stdin.close()  # type: ignore[union-attr]
            holder[0].wait(timeout=10)

        try:
            measure(app, lock, unlock, "locked SQLite")
        finally:
            app.stop()
    finally:
        opa.stop()


if __name__ == "__main__":
    main()
