"""`python -m bench.baseline_server`: the server with a decision log that only
stores its records — no leaf hashes, no Merkle tree, no signed heads, no
checkpoints. The benchmark's baseline for what the transparency log costs
the decision path (never a way to run verdict)."""

from __future__ import annotations

from typing import Iterable

from server.__main__ import main
from server.db.database import Cursor
from server.decisionlog.writer import LogWriter, insert_records
from shared.tlog.record import LogRecord


class RecordsOnlyWriter(LogWriter):
    def __init__(self) -> None:
        self.tree = None

    def prepare(self, records: list[LogRecord]) -> None:
        pass

    def write(self, cur: Cursor, records: Iterable[LogRecord]) -> int:
        records = list(records)
        size = int(cur.execute("SELECT COALESCE(MAX(seq), 0) FROM decision_log").fetchone()[0])
        insert_records(cur, records, size + 1)
        return size + len(records)

    def committed(self, size: int) -> None:
        pass


if __name__ == "__main__":
    raise SystemExit(main(writer=RecordsOnlyWriter(), prog="bench.baseline_server"))
