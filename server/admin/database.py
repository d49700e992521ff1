"""The database an admin command works on: one that exists, never one made by asking.

Opening a SQLite URL creates the file, and the server migrates whatever it
opens. A command that reads the log or adds accounts must do neither: a
mistyped path or a run from another directory would otherwise answer from
a new, empty database. So the database must exist and carry every
migration; ``verdict-admin migrate`` (or starting the server) is what makes
one.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from server.admin import fail
from server.db.database import Database, DatabaseUnavailable, database_url
from server.db.migrations import MIGRATIONS, migrate

DB_HELP = "database URL (default: VERDICT_DB or sqlite:///var/verdict.db)"


class NoDatabase(Exception):
    """No verdict database at the URL, or one whose schema is not current; the text says what to run."""


def _sqlite_file(url: str) -> Path | None:
    """The file of a sqlite: URL, read as Database reads it (sqlite:///var/x.db is relative); None for PostgreSQL."""
    if urlsplit(url).scheme != "sqlite":
        return None
    path = url[len("sqlite://"):]
    return Path(path[1:] if path.startswith("/") else path)


def open_existing(url: str | None) -> Database:
    """The database at ``url``, if it exists with the current schema; NoDatabase otherwise (nothing is created)."""
    url = url or database_url()
    run_first = f"run the server or `verdict-admin migrate --db {url}` first"
    path = _sqlite_file(url)
    if path is not None and not path.is_file():
        raise NoDatabase(f"no verdict database at {url} (no file {path.resolve()}); {run_first}")
    db = Database(url)
    try:
        with db.transaction() as cur:
            if db.dialect == "sqlite":
                present = cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
            else:
                present = cur.execute("SELECT to_regclass('schema_migrations')").fetchone()[0]
            applied = {v for (v,) in cur.execute("SELECT version FROM schema_migrations").fetchall()} if present else set()
    except (DatabaseUnavailable, sqlite3.DatabaseError) as exc:
        db.close()
        raise NoDatabase(f"cannot read a verdict database at {db.describe()}: {exc}") from None
    if not present:
        db.close()
        raise NoDatabase(f"no verdict database at {db.describe()} (it has no verdict schema); {run_first}")
    missing = sorted({version for version, _, _ in MIGRATIONS} - applied)
    if missing:
        db.close()
        raise NoDatabase(f"the verdict database at {db.describe()} lacks migrations {', '.join(map(str, missing))}; {run_first}")
    return db


def register(commands: argparse._SubParsersAction) -> None:
    migrate_parser = commands.add_parser(
        "migrate", help="create the database, or bring its schema up to date",
        description="Create the verdict database (SQLite file or PostgreSQL schema) or apply the migrations it lacks;\n"
                    "the server does the same when it starts. The only admin command that creates a database.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    migrate_parser.add_argument("--db", help=DB_HELP)
    migrate_parser.set_defaults(handler=run_migrate)


def run_migrate(args: argparse.Namespace) -> int:
    try:
        db = Database(args.db)
        applied = migrate(db)
    except (DatabaseUnavailable, ValueError) as exc:
        return fail(str(exc))
    print(f"{db.describe()}: {applied} migration{'s' if applied != 1 else ''} applied, schema up to date")
    db.close()
    return 0
