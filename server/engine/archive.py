"""The policy archive (the evaluate step's memory): every revision the server ever served, by content hash.

A decision can only be replayed on the revision it was made with if that
revision's files are kept. The server archives a revision before it logs
the first decision made on it, and refuses to decide on a revision it
cannot archive (OPA serving a bundle the server has no copy of).

Archiving takes no lock of its own while it waits for the database: a
decision that archives inside its own transaction (an applied one, which
holds the database's write lock) and one that archives in a transaction of
its own then never wait for each other in opposite orders. The database
keeps one row per revision (``ON CONFLICT DO NOTHING``), and a revision
counts as archived here only once the transaction that stored it committed.
"""

from __future__ import annotations

import json
from pathlib import Path

from server.db.database import CommitUnknown, Cursor, Database
from server.decisionlog.writer import LogWriter
from server.engine.bundle import Bundle, BundleError
from server.engine.catalog import Catalog, catalog_of
from shared.tlog.record import LogRecord, files_hash, new_record_id
from shared.timeutil import rfc3339, utcnow


class ArchiveError(Exception):
    """The revision is neither archived nor available to archive."""


class PolicyArchive:
    """``writer`` logs each revision archived; without one the archive is read-only."""

    def __init__(self, db: Database, bundle_dir: Path | None = None, writer: LogWriter | None = None) -> None:
        self.db = db
        self.bundle_dir = bundle_dir
        self.writer = writer
        self._known: set[str] = set()   # archived by a committed transaction
        self._catalogs: dict[str, Catalog] = {}

    def ensure(self, revision: str, bundle: Bundle | None = None, cur: Cursor | None = None) -> None:
        """Make sure ``revision`` is archived; cheap after the first call.

        ``cur``: the caller's open transaction, if any (the archive row then
        commits with it, before the decision it serves can; if it rolls back,
        so does the archiving, and the next decision archives again).
        """
        if revision in self._known:
            return
        archived = self._archived(revision, cur)
        found = archived or self._find(revision, bundle)
        if revision not in self._catalogs:
            self._catalogs[revision] = catalog_of(found)
        if cur is not None:
            if archived is None:
                self.store(found, source="served", cur=cur)
            cur.after_commit(lambda: self._known.add(revision))
            return
        if archived is None:
            try:
                self.store(found, source="served")
            except CommitUnknown as exc:
                raise ArchiveError(f"archiving revision {revision[:12]} was not confirmed: {exc}") from None
        self._known.add(revision)

    def _find(self, revision: str, bundle: Bundle | None) -> Bundle:
        """A revision not archived yet (by the bundle service, another server, an earlier run): where it comes from."""
        if bundle is not None and bundle.revision == revision:
            return bundle
        if self.bundle_dir is not None:
            try:
                local = Bundle.from_directory(self.bundle_dir)
            except BundleError as exc:
                raise ArchiveError(f"cannot read {self.bundle_dir} to archive revision {revision[:12]}: {exc}") from None
            if local.revision == revision:
                return local
            raise ArchiveError(
                f"OPA serves revision {revision[:12]} but {self.bundle_dir} holds {local.revision[:12]} and the "
                "archive does not have it: the server cannot archive what OPA decides with, so it decides nothing"
            )
        raise ArchiveError(f"revision {revision[:12]} is not archived and no bundle directory is configured")

    def store(self, bundle: Bundle, source: str, cur: Cursor | None = None) -> bool:
        """Archive a bundle (idempotent) and log the hash of what was stored; True if it was new."""
        if self.writer is None:
            raise ArchiveError("this policy archive is read-only (no decision-log writer)")
        if cur is None:
            with self.db.transaction(write=True) as cur:
                return self.store(bundle, source, cur)
        if cur.execute("SELECT 1 FROM policy_revisions WHERE revision = ?", (bundle.revision,)).fetchone():
            return False
        files = json.dumps({path: content.decode("utf-8") for path, content in bundle.files.items()}, sort_keys=True, ensure_ascii=False)
        archived_at = rfc3339(utcnow())
        # Another transaction may be archiving it right now: its row wins (this one waits for it), nothing is logged twice.
        cur.execute("INSERT INTO policy_revisions (revision, archived_at, source, files) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (revision) DO NOTHING", (bundle.revision, archived_at, source, files))
        if cur.rowcount == 0:
            return False
        record_id = new_record_id("arc")
        self.writer.write(cur, [LogRecord(
            decision_id=record_id, kind="policy_archive", recorded_at=archived_at, caller="server", revision=bundle.revision,
            body={"decision_id": record_id, "kind": "policy_archive", "recorded_at": archived_at, "source": source,
                  "archived": [{"revision": bundle.revision, "files_sha256": files_hash(files)}]},
        )])
        return True

    def revisions(self) -> list[tuple[str, str, str]]:
        """(revision, archived_at, source) of every archived revision, newest first."""
        rows = self.db.query("SELECT revision, archived_at, source FROM policy_revisions ORDER BY archived_at DESC, revision")
        return [(str(r), str(a), str(s)) for r, a, s in rows]

    def load(self, revision: str) -> Bundle:
        """The archived bundle of a revision, verified against its hash."""
        bundle = self._archived(revision)
        if bundle is None:
            raise ArchiveError(f"revision {revision[:12]} is not in the policy archive")
        return bundle

    def _archived(self, revision: str, cur: Cursor | None = None) -> Bundle | None:
        """The archived bundle (read in ``cur``'s transaction if given), or None."""
        sql, params = "SELECT files FROM policy_revisions WHERE revision = ?", (revision,)
        rows = cur.execute(sql, params).fetchall() if cur is not None else self.db.query(sql, params)
        if not rows:
            return None
        files = {path: text.encode("utf-8") for path, text in json.loads(rows[0][0]).items()}
        bundle = Bundle.from_files(files)
        if bundle.revision != revision:
            raise ArchiveError(f"archived revision {revision[:12]} does not hash to itself (the archive was altered)")
        return bundle

    def catalog(self, revision: str) -> Catalog:
        """The clause catalog of a revision (to put its reasons in words)."""
        cached = self._catalogs.get(revision)
        if cached is None:
            cached = self._catalogs[revision] = catalog_of(self.load(revision))
        return cached
