"""The schema, as numbered migrations applied in order on both dialects.

Types are kept to what SQLite and PostgreSQL share: TEXT, BIGINT and
INTEGER (booleans are 0/1). Times are RFC 3339 UTC text, which sorts.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from server.db.database import Cursor, Database


def _upgrade_chain_to_tree(cur: Cursor) -> None:
    from server.db.chain_upgrade import upgrade

    upgrade(cur)


# A step is SQL, or a function run in the migration's transaction.
MIGRATIONS: list[tuple[int, str, list[str | Callable[[Cursor], None]]]] = [
    (1, "accounts and their history", [
        """CREATE TABLE accounts (
            account_id TEXT PRIMARY KEY,
            verified INTEGER NOT NULL DEFAULT 0,
            followers BIGINT NOT NULL DEFAULT 0,
            office_role TEXT NOT NULL DEFAULT 'OFFICE_ROLE_NONE',
            office_level TEXT NOT NULL DEFAULT 'OFFICE_LEVEL_UNSPECIFIED',
            state_affiliated_media INTEGER NOT NULL DEFAULT 0,
            government_or_military INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            history_version BIGINT NOT NULL DEFAULT 0,
            source TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE account_violations (
            account_id TEXT NOT NULL REFERENCES accounts(account_id),
            decision_id TEXT NOT NULL,
            policy TEXT NOT NULL,
            clause_id TEXT NOT NULL,
            at TEXT NOT NULL,
            warning INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (account_id, decision_id)
        )""",
        """CREATE TABLE account_locks (
            account_id TEXT NOT NULL REFERENCES accounts(account_id),
            decision_id TEXT NOT NULL,
            starts_at TEXT NOT NULL,
            ends_at TEXT,
            clause_id TEXT NOT NULL,
            PRIMARY KEY (account_id, decision_id)
        )""",
        """CREATE TABLE account_visibility_limits (
            account_id TEXT NOT NULL REFERENCES accounts(account_id),
            decision_id TEXT NOT NULL,
            group_id TEXT NOT NULL,
            starts_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            PRIMARY KEY (account_id, decision_id, group_id)
        )""",
        """CREATE TABLE account_groups (
            account_id TEXT NOT NULL REFERENCES accounts(account_id),
            group_id TEXT NOT NULL,
            primarily_propagates INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (account_id, group_id)
        )""",
        """CREATE TABLE group_designations (
            group_id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            designated INTEGER NOT NULL DEFAULT 0,
            terrorist_organisation INTEGER NOT NULL DEFAULT 0,
            violent_extremist_group INTEGER NOT NULL DEFAULT 0,
            tve_exception INTEGER NOT NULL DEFAULT 0,
            assessed_at TEXT NOT NULL,
            review_by TEXT,
            limits_expire_at TEXT,
            decision_id TEXT NOT NULL DEFAULT ''
        )""",
    ]),
    (2, "decision log and policy archive", [
        """CREATE TABLE decision_log (
            seq BIGINT PRIMARY KEY,
            decision_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            caller TEXT NOT NULL,
            account_id TEXT NOT NULL DEFAULT '',
            post_id TEXT NOT NULL DEFAULT '',
            policy TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL DEFAULT '',
            revision TEXT NOT NULL,
            record TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX decision_log_account ON decision_log (account_id, seq)",
        "CREATE INDEX decision_log_post ON decision_log (post_id, seq)",
        "CREATE INDEX decision_log_recorded ON decision_log (recorded_at)",
        "CREATE INDEX decision_log_policy ON decision_log (policy, outcome)",
        "CREATE INDEX decision_log_caller ON decision_log (caller, seq)",
        """CREATE TABLE decision_clauses (
            seq BIGINT NOT NULL,
            clause_id TEXT NOT NULL,
            PRIMARY KEY (clause_id, seq)
        )""",
        """CREATE TABLE log_chain_head (
            id INTEGER PRIMARY KEY,
            seq BIGINT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "INSERT INTO log_chain_head (id, seq, hash) VALUES (1, 0, '')",
        """CREATE TABLE policy_revisions (
            revision TEXT PRIMARY KEY,
            archived_at TEXT NOT NULL,
            source TEXT NOT NULL,
            files TEXT NOT NULL
        )""",
    ]),
    (3, "which TVE-5 exception a group designation rests on", [
        "ALTER TABLE group_designations ADD COLUMN tve_exception_clauses TEXT NOT NULL DEFAULT ''",
    ]),
    (11, "PRIV-9 accounts dedicated to someone's live location; designations without a TVE classification", [
        "ALTER TABLE accounts ADD COLUMN dedicated_to_live_location INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE group_designations ADD COLUMN tve_assessed INTEGER NOT NULL DEFAULT 1",
    ]),
    # Numbered by issue, applied in this order: the upgrade reads the audited tables as 11 left them.
    (10, "the log as a Merkle tree: stored nodes, signed tree head, published checkpoints", [
        """CREATE TABLE merkle_nodes (
            level INTEGER NOT NULL,
            idx BIGINT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (level, idx)
        )""",
        """CREATE TABLE tree_head (
            id INTEGER PRIMARY KEY,
            size BIGINT NOT NULL,
            frontier TEXT NOT NULL,
            checkpoint TEXT NOT NULL
        )""",
        "INSERT INTO tree_head (id, size, frontier, checkpoint) VALUES (1, 0, '', '')",
        """CREATE TABLE checkpoints (
            size BIGINT PRIMARY KEY,
            root TEXT NOT NULL,
            checkpoint TEXT NOT NULL,
            issued_at TEXT NOT NULL
        )""",
        "CREATE INDEX decision_clauses_seq ON decision_clauses (seq)",
        _upgrade_chain_to_tree,
        "DROP TABLE log_chain_head",
        "ALTER TABLE decision_log DROP COLUMN prev_hash",
        "ALTER TABLE decision_log DROP COLUMN hash",
    ]),
    (13, "the console's search: each filter of a query answered by an index, newest first", [
        "CREATE INDEX decision_log_policy_seq ON decision_log (policy, seq)",
        "CREATE INDEX decision_log_outcome_seq ON decision_log (outcome, seq)",
        "CREATE INDEX decision_log_kind_seq ON decision_log (kind, seq)",
        # A time range's records in seq order from the index alone (kind: audit reads left out).
        "CREATE INDEX decision_log_recorded_seq ON decision_log (recorded_at, seq, kind)",
        "DROP INDEX decision_log_recorded",
    ]),
]


def migrate(db: Database) -> int:
    """Apply the migrations the database has not seen; returns how many ran."""
    # No statement limit (an index over a large log takes a while); another server migrating is waited for.
    unbounded = {"timeout": None, "lock_timeout": 300.0}
    with db.transaction(write=True, **unbounded) as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)")
    applied = 0
    for version, description, statements in MIGRATIONS:
        with db.transaction(write=True, **unbounded) as cur:
            if db.dialect == "postgresql":
                # Several servers may start at once: one migrates, the others wait.
                cur.execute("SELECT pg_advisory_xact_lock(7356001)")
            if cur.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
                continue
            for statement in statements:
                if callable(statement):
                    statement(cur)
                else:
                    cur.execute(statement)
            cur.execute(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                (version, description, datetime.now(timezone.utc).isoformat()),
            )
            applied += 1
    return applied
