"""The log's Merkle tree as stored in the database.

``merkle_nodes`` holds every complete node (level, index, hash), so a proof
reads O(log n) rows and never the log itself. ``tree_head`` (one row) holds
the size, the frontier (the complete subtrees the tree is made of) and the
checkpoint signed when the tree last grew. Appending happens in the
transaction that inserts the records, under the head row's lock, so several
server processes sharing a database grow one tree, and only what commits is
in it, in commit order.

The writer refuses to extend a head it cannot trust: not signed by the log's
key, not matching its frontier, or smaller than a head it has already seen
(the database was rolled back). Signing it would fork the log.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from server.db.database import Cursor
from server.db.tree_rows import store_head, store_nodes
from shared.tlog.merkle import Frontier, Node, consistency_ranges, fold, inclusion_ranges, range_nodes
from shared.tlog.note import Checkpoint, NoteError, Signer, open_checkpoint, verifier_of


class TreeHeadError(Exception):
    """The stored tree cannot be extended without forking the log; nothing was appended."""


@dataclass
class TreeHead:
    size: int
    frontier: Frontier
    checkpoint: str   # the signed note for this size ("" only for a tree never signed)

    def root(self) -> bytes:
        return self.frontier.root()


def read_head(cur: Cursor, lock: bool = False) -> TreeHead:
    """The stored head; ``lock`` holds its row until the transaction ends (one writer at a time)."""
    suffix = " FOR UPDATE" if lock and cur.dialect == "postgresql" else ""
    size, frontier, checkpoint = cur.execute(f"SELECT size, frontier, checkpoint FROM tree_head WHERE id = 1{suffix}").fetchone()
    hashes = [bytes.fromhex(h) for h in frontier.split()]
    size = int(size)
    if len(hashes) != bin(size).count("1"):
        raise TreeHeadError(f"the stored frontier has {len(hashes)} subtrees, a tree of {size} leaves has {bin(size).count('1')}: "
                            "the tree state was altered")
    return TreeHead(size, Frontier(size, hashes), checkpoint)


def node_hashes(cur: Cursor, nodes: list[Node]) -> dict[Node, bytes]:
    """Stored hashes of the given nodes, in one query; KeyError names a node that is missing."""
    wanted = sorted(set(nodes))
    found: dict[Node, bytes] = {}
    for start in range(0, len(wanted), 200):
        chunk = wanted[start:start + 200]
        where = " OR ".join("(level = ? AND idx = ?)" for _ in chunk)
        params = [v for node in chunk for v in node]
        for level, idx, h in cur.execute(f"SELECT level, idx, hash FROM merkle_nodes WHERE {where}", params).fetchall():
            found[(int(level), int(idx))] = bytes.fromhex(h)
    missing = [n for n in wanted if n not in found]
    if missing:
        raise KeyError(f"tree node {missing[0]} is not stored: the tree state was altered")
    return found


def _range_hashes(cur: Cursor, ranges: list[tuple[int, int]]) -> list[bytes]:
    per_range = [range_nodes(start, end) for start, end in ranges]
    stored = node_hashes(cur, [n for nodes in per_range for n in nodes])
    return [fold([stored[n] for n in nodes]) for nodes in per_range]


def root_at(cur: Cursor, size: int) -> bytes:
    """The root of the first ``size`` leaves, from stored nodes."""
    return _range_hashes(cur, [(0, size)])[0] if size else fold([])


def inclusion_proof(cur: Cursor, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 2.1.3.1)."""
    return _range_hashes(cur, inclusion_ranges(index, size))


def consistency_proof(cur: Cursor, old: int, new: int) -> list[bytes]:
    """The proof that the tree of ``new`` leaves extends the one of ``old`` (RFC 9162 2.1.4.1)."""
    if old == new:
        return []
    return _range_hashes(cur, consistency_ranges(old, new))


class TreeWriter:
    """Appends leaves and signs every new head, holding the log's signing key."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer
        self.verifier = verifier_of(signer)
        self._lock = threading.Lock()
        # Heads this process signed or verified, with the frontier that goes with each.
        self._trusted: OrderedDict[str, tuple[bytes, ...]] = OrderedDict()
        self._max_seen = 0                            # the largest head it knows was committed
        self.on_commit: Callable[[int], None] | None = None  # told the size of every head known committed

    @property
    def origin(self) -> str:
        return self.signer.name

    def append(self, cur: Cursor, leaves: list[bytes]) -> TreeHead:
        """Add leaf hashes to the tree in the caller's transaction; returns the new, signed head."""
        head = read_head(cur, lock=True)
        self._check(head)
        frontier = Frontier(head.size, list(head.frontier.hashes))
        completed: list[tuple[int, int, bytes]] = []
        for leaf in leaves:
            frontier.append(leaf, completed)
        store_nodes(cur, completed)
        checkpoint = Checkpoint(self.origin, frontier.size, frontier.root()).sign(self.signer)
        store_head(cur, frontier, checkpoint)
        self._trust(checkpoint, frontier)
        return TreeHead(frontier.size, frontier, checkpoint)

    def observe(self, size: int) -> None:
        """A head of ``size`` leaves is known to be committed: the tree can never be smaller again."""
        with self._lock:
            self._max_seen = max(self._max_seen, size)
        if self.on_commit is not None:
            self.on_commit(size)

    def sign_unsigned_head(self, cur: Cursor) -> bool:
        """Sign a head that was never signed (a log upgraded from the hash chain); True if it was."""
        head = read_head(cur, lock=True)
        if head.checkpoint or not head.size:
            return False
        if root_at(cur, head.size) != head.root():
            raise TreeHeadError("the upgraded tree's nodes do not match its frontier: refusing to sign it")
        store_head(cur, head.frontier, Checkpoint(self.origin, head.size, head.root()).sign(self.signer))
        return True

    def _trust(self, checkpoint: str, frontier: Frontier) -> None:
        with self._lock:
            self._trusted[checkpoint] = tuple(frontier.hashes)
            while len(self._trusted) > 16:
                self._trusted.popitem(last=False)

    def _check(self, head: TreeHead) -> None:
        with self._lock:
            if head.size < self._max_seen:
                raise TreeHeadError(
                    f"the tree went back from {self._max_seen} to {head.size} records: the database was rolled back "
                    "or truncated; refusing to sign a tree that forks the log")
            if not head.checkpoint:
                if head.size:
                    raise TreeHeadError(f"the stored tree of {head.size} records has no signed head: it was altered")
                return
            if self._trusted.get(head.checkpoint) == tuple(head.frontier.hashes):
                return  # the head this process signed (or checked) last, as it left it
        try:
            checkpoint = open_checkpoint(head.checkpoint, self.verifier)
        except NoteError as exc:
            raise TreeHeadError(f"the stored tree head is not one this log signed ({exc}); refusing to extend it") from None
        if checkpoint.size != head.size or checkpoint.root != head.root():
            raise TreeHeadError("the stored tree does not match its signed head: the tree state was altered")
        self._trust(head.checkpoint, head.frontier)
