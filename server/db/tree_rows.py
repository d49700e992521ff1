"""Writing the rows of the log's Merkle tree (``merkle_nodes``, ``tree_head``): the tree writer and the schema upgrade share them."""

from __future__ import annotations

from server.db.database import Cursor
from shared.tlog.merkle import Frontier


def store_nodes(cur: Cursor, nodes: list[tuple[int, int, bytes]]) -> None:
    cur.executemany("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)", [(lv, i, h.hex()) for lv, i, h in nodes])


def store_head(cur: Cursor, frontier: Frontier, checkpoint: str) -> None:
    cur.execute("UPDATE tree_head SET size = ?, frontier = ?, checkpoint = ? WHERE id = 1",
                (frontier.size, " ".join(h.hex() for h in frontier.hashes), checkpoint))
