"""Writing records into the log in the caller's transaction: number them, insert their rows, grow the Merkle tree over them.

Every transaction that adds records also adds their leaves to the tree and
signs the new tree head; the rows' shape is ``shared.tlog.record``'s.
"""

from __future__ import annotations

from typing import Iterable

import structlog

from server.db.database import Cursor
from server.decisionlog.tree import TreeHeadError, TreeWriter
from shared.tlog.record import ROW_COLUMNS, LogRecord, record_row

log = structlog.get_logger("decisionlog")

_INSERT = f"INSERT INTO decision_log ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join('?' for _ in ROW_COLUMNS)})"


class DecisionLogError(Exception):
    """The record could not be made durable and never will be: the caller must not answer with a decision."""


class UnloggableRecord(DecisionLogError):
    """This record cannot be written at all (it does not serialize, or the database refuses it).
    Only its own call fails: the records committed with it are retried without it."""


def insert_records(cur: Cursor, records: list[LogRecord], first_seq: int) -> None:
    """The records' rows, numbered from ``first_seq``."""
    rows, clause_rows = [], []
    for seq, record in enumerate(records, first_seq):
        record.seq = seq
        rows.append(record_row(record))
        clause_rows.extend((seq, c) for c in sorted(set(record.clauses)))
    cur.executemany(_INSERT, rows)
    if clause_rows:
        cur.executemany("INSERT INTO decision_clauses (seq, clause_id) VALUES (?, ?)", clause_rows)


class LogWriter:
    """Inserts records and grows the tree over them, in the caller's transaction.

    ``mask_key_id``: the ID of the key private values are masked with; every record
    written carries it in its body (``mask_key_id``), so it is part of the leaf hash.
    """

    def __init__(self, tree: TreeWriter, mask_key_id: str = "") -> None:
        self.tree: TreeWriter | None = tree
        self.mask_key_id = mask_key_id

    def prepare(self, records: list[LogRecord]) -> None:
        """Work that needs no lock, done in the caller's thread: stamp, serialize, hash.
        A record that cannot be serialized fails here, before it joins anyone's group commit."""
        for record in records:
            if self.mask_key_id and "mask_key_id" not in record.body:
                record.body["mask_key_id"] = self.mask_key_id
                record.body_text, record._leaf_hash = "", b""
            try:
                record.leaf_hash()
            except (TypeError, ValueError) as exc:  # orjson: an integer beyond 64 bits, a lone surrogate ...
                raise UnloggableRecord(f"the {record.kind} record cannot be serialized ({type(exc).__name__})") from None

    def write(self, cur: Cursor, records: Iterable[LogRecord]) -> int:
        """Number, insert and add records to the tree; returns the tree's new size. The tree
        head's row lock (FOR UPDATE on PostgreSQL; SQLite holds the write lock) makes the
        numbering one sequence for every server process sharing the database."""
        records = list(records)
        self.prepare(records)
        try:
            head = self.tree.append(cur, [r.leaf_hash() for r in records])
        except TreeHeadError as exc:
            log.error("refusing to extend the decision log", reason=str(exc))
            raise DecisionLogError(str(exc)) from None
        insert_records(cur, records, head.size - len(records) + 1)
        return head.size

    def committed(self, size: int) -> None:
        """The transaction that grew the tree to ``size`` committed."""
        self.tree.observe(size)
