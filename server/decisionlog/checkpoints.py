"""Publishing signed checkpoints: into the database and to a witness outside it.

Every commit leaves a signed tree head in the database; the checkpointer
publishes it every N records or T seconds and at shutdown: a row in
``checkpoints`` and a line appended to the witness, a directory the
database's writers cannot rewrite (another disk, another machine, a bucket
with object lock). Whoever rewrites the database alone cannot rewrite what
the witness holds, and `verdict audit verify` compares the two.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

from server.db.database import Database
from shared.tlog.note import Checkpoint, NoteError, Verifier, open_checkpoint
from server.decisionlog.tree import TreeWriter, read_head, root_at
from shared.timeutil import rfc3339, utcnow

log = structlog.get_logger("checkpoints")


class WitnessMismatch(Exception):
    """The database's log is not an extension of what the witness holds."""


@dataclass
class WitnessEntry:
    line: int
    issued_at: str
    note: str


class Witness:
    """A directory holding ``checkpoints.jsonl``: one JSON line per published
    checkpoint (``{"issued_at": ..., "checkpoint": "<signed note>"}``), only
    ever appended to and synced before the checkpointer moves on."""

    FILE = "checkpoints.jsonl"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / self.FILE

    def append(self, note: str, issued_at: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"issued_at": issued_at, "checkpoint": note}, ensure_ascii=False) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> list[WitnessEntry]:
        """Every line, in order; a line that is not JSON becomes an entry with an empty note."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for n, line in enumerate(text.splitlines(), 1):
            try:
                doc = json.loads(line)
                out.append(WitnessEntry(n, str(doc.get("issued_at", "")), str(doc["checkpoint"])))
            except (ValueError, KeyError, TypeError, AttributeError):
                out.append(WitnessEntry(n, "", ""))
        return out

    def latest(self, verifier: Verifier) -> Checkpoint | None:
        """The largest checkpoint in the witness signed by ``verifier`` (others are not this log's)."""
        best = None
        for entry in self.entries():
            try:
                checkpoint = open_checkpoint(entry.note, verifier)
            except NoteError:
                continue
            if best is None or checkpoint.size > best.size:
                best = checkpoint
        return best


def check_against_witness(db: Database, witness: Witness, verifier: Verifier) -> None:
    """Refuse to serve a log that does not extend the witness's latest checkpoint:
    signing on would fork the log (the database was rolled back, truncated or replaced)."""
    latest = witness.latest(verifier)
    if latest is None:
        return
    with db.transaction() as cur:
        head = read_head(cur)
        if latest.size > head.size:
            raise WitnessMismatch(
                f"the witness {witness.path} holds a checkpoint of {latest.size} records, the database's log has only "
                f"{head.size}: the database was rolled back, truncated or replaced. Restore it, or (for a new log) "
                "move the witness aside.")
        if root_at(cur, latest.size) != latest.root:
            raise WitnessMismatch(
                f"the database's first {latest.size} records do not hash to the checkpoint the witness {witness.path} holds: "
                "the log was rewritten. Run `verdict audit verify` to see where.")


class Checkpointer:
    """Publishes the signed tree head every ``every_records`` records or
    ``every_seconds`` seconds (whichever comes first) and on ``close``."""

    def __init__(self, db: Database, witness: Witness, tree: TreeWriter | None = None,
                 every_records: int = 1000, every_seconds: float = 10.0) -> None:
        self.db, self.witness, self.tree = db, witness, tree
        self.every_records, self.every_seconds = every_records, every_seconds
        self.published = int(db.query("SELECT COALESCE(MAX(size), 0) FROM checkpoints")[0][0])
        self._last_time = time.monotonic()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="checkpointer", daemon=True)

    def start(self) -> "Checkpointer":
        if self.tree is not None:
            self.tree.on_commit = self.committed
        self._thread.start()
        return self

    def committed(self, size: int) -> None:
        """A head of ``size`` records was committed here: publish now if N records are due."""
        if size - self.published >= self.every_records:
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(min(1.0, self.every_seconds))
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.publish(force=False)
            except Exception as exc:  # the next round tries again; appends go on (their heads are signed)
                log.warning("checkpoint not published", error=str(exc))

    def publish(self, force: bool = True) -> Checkpoint | None:
        """Publish the current head if it is new and due (always when ``force``)."""
        with self.db.transaction() as cur:
            head = read_head(cur)
        if self.tree is not None:
            self.tree.observe(head.size)  # committed: the tree can never be smaller again
        due = head.size - self.published >= self.every_records or time.monotonic() - self._last_time >= self.every_seconds
        if head.size <= self.published or not head.checkpoint or not (force or due):
            return None
        issued_at = rfc3339(utcnow())
        checkpoint = Checkpoint.of_note(head.checkpoint)
        with self.db.transaction(write=True) as cur:
            cur.execute("INSERT INTO checkpoints (size, root, checkpoint, issued_at) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING",
                        (head.size, checkpoint.root.hex(), head.checkpoint, issued_at))
        self.witness.append(head.checkpoint, issued_at)  # after the commit: the witness never runs ahead of the database
        self.published, self._last_time = head.size, time.monotonic()
        log.info("checkpoint published", size=head.size, witness=str(self.witness.path))
        return checkpoint

    def close(self) -> None:
        """Stop, and publish the last head (a checkpoint at shutdown)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        try:
            self.publish(force=True)
        except Exception as exc:
            log.error("final checkpoint not published", error=str(exc))
