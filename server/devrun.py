"""`make run`: OPA on 127.0.0.1:8181, then the gRPC server on 127.0.0.1:50051.

OPA is the real ``opa run --server`` when ``opa`` is on PATH (the bundle is
built with its content hash as revision; ``--skip-version-check``, errors
only), otherwise the project's OPA-compatible sidecar over the embedded
engine (reloading rego/ when it changes); either way its output goes to
var/opa.log, not the terminal (server.engine.process). Demo accounts are
loaded into the store, and the way to call the server is printed.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from server.app import Settings, build, open_log_writer
from server.console.serving import ConsoleConfigError
from server.db.database import Database
from server.db.migrations import migrate
from server.decisionlog.checkpoints import WitnessMismatch
from shared.tlog.note import Ed25519Signer, write_keypair
from server.engine.process import start_opa
from server.admin.importer import import_file
from server.logs import configure_logging

OPA_ADDR = os.environ.get("VERDICT_OPA_ADDR", "127.0.0.1:8181")
GRPC_ADDR = os.environ.get("VERDICT_LISTEN", "127.0.0.1:50051")
CONSOLE_ADDR = os.environ.get("VERDICT_CONSOLE_LISTEN", "127.0.0.1:8080")
BUNDLE = Path(os.environ.get("VERDICT_BUNDLE", "rego"))
OPA_LOG = Path("var/opa.log")  # OPA's output: errors only from real OPA, never every request
DEMO_ACCOUNTS = Path("examples/demo_accounts.jsonl")
DEMO_CALLERS = Path("examples/callers.toml")
DEMO_TOKEN = "verdict-demo-token"  # its hash is in examples/callers.toml; public, development only
DEV_ORIGIN = "verdict.local/dev-decision-log"  # the development log's name (and its key's)


def ensure_dev_key(settings: Settings) -> str:
    """Create the development signing key on first run; says where the public key is."""
    if settings.log_key:
        return "from VERDICT_LOG_KEY"
    public = settings.log_key_file.with_suffix(".pub")
    if not settings.log_key_file.exists():
        write_keypair(Ed25519Signer.generate(DEV_ORIGIN), settings.log_key_file)
        return f"{settings.log_key_file} (new development key; public key {public})"
    return f"{settings.log_key_file} (public key {public})"


def main() -> int:
    configure_logging()
    try:
        opa = start_opa(BUNDLE, OPA_ADDR, Path("var"), watch=True, log_path=OPA_LOG)
    except RuntimeError as exc:
        raise SystemExit(f"{exc} (its output is in {OPA_LOG})") from None
    kind = opa.kind
    try:
        settings = Settings.from_env()
        settings.listen, settings.opa_url, settings.engine = GRPC_ADDR, f"http://{OPA_ADDR}", "opa" if kind == "opa" else "sidecar"
        settings.callers_file = settings.callers_file or DEMO_CALLERS
        settings.console_listen = CONSOLE_ADDR
        key = ensure_dev_key(settings)
        db = Database(settings.db_url)
        migrate(db)
        try:
            writer, _ = open_log_writer(db, settings)
        except WitnessMismatch as exc:
            raise SystemExit(f"verdict: cannot start: {exc}") from None
        imported = import_file(db, DEMO_ACCOUNTS, writer)
        db.close()
        try:
            app = build(settings)
        except ConsoleConfigError as exc:
            raise SystemExit(f"verdict: cannot start: {exc} (set VERDICT_CONSOLE_LISTEN to another address, or to off)") from None
        print(BANNER.format(opa_kind="real OPA (opa run --server)" if kind == "opa" else "OPA-compatible sidecar (embedded OPA engine)",
                            opa=OPA_ADDR, opa_log=OPA_LOG, grpc=GRPC_ADDR, db=app.db.describe(), created=imported.created, updated=imported.updated,
                            token=DEMO_TOKEN, callers=settings.callers_file, key=key, witness=settings.witness_dir,
                            public=settings.log_key_file.with_suffix(".pub"),
                            console=app.console.url if app.console else "off (VERDICT_CONSOLE_LISTEN=off)"),
              flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        app.stop()
    finally:
        opa.stop()
    return 0


BANNER = """
verdict is running
  OPA       http://{opa}  — {opa_kind}, bundle rego/ (its log: {opa_log})
  gRPC      {grpc}  — verdict.v1.PolicyService, health, reflection
  console   {console}  — the web console: sign in with the demo token below
  store     {db}  — demo accounts from examples/demo_accounts.jsonl ({created} created, {updated} updated)
  callers   {callers}  — the demo token below may decide, apply, read and replay the audit log, read accounts
  log key   {key}
  witness   {witness}/  — every published checkpoint, outside the database

Call it (in another terminal, from this directory):
  export VERDICT_TOKEN={token}
  .venv/bin/verdict decide --account acc-candidate-250k --post post-1 --policy hateful_conduct
  .venv/bin/verdict decide examples/cases/candidate_hateful_conduct.json
  .venv/bin/verdict decide --account acc-candidate-100k --post post-2 --policy hateful_conduct   # exactly 100,000: not eligible
  .venv/bin/verdict decide --account acc-unverified-2m --post post-3 --policy hateful_conduct    # unverified: not eligible
  .venv/bin/verdict decide examples/cases/terrorism_promotion.json                               # terrorism: never eligible
  .venv/bin/verdict accounts show acc-candidate-250k                                             # what the policies see of it
  .venv/bin/verdict audit query --account acc-candidate-250k                                     # the decision log
  .venv/bin/verdict audit verify --public-key {public}                         # the whole log, signed
  curl -s -X POST http://{opa}/v1/data/verdict/pi/follower_threshold                              # OPA's REST API

Stop with Ctrl-C.
"""

if __name__ == "__main__":
    raise SystemExit(main())
