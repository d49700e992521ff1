"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1.

Pure functions, no storage: the hashes (leaf and interior nodes
domain-separated by a 0x00 / 0x01 prefix), the compact range ("frontier")
a log keeps to append leaves and compute its root, which stored nodes an
inclusion or consistency proof is made of, and the two verification
algorithms of sections 2.1.3.2 and 2.1.4.2, which is all a third party
needs to check a proof.

Nodes are named (level, index): the node at level L, index i is the root of
the complete subtree over leaves [i * 2^L, (i + 1) * 2^L).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Node = tuple[int, int]  # (level, index)


class ProofError(ValueError):
    """A proof that does not verify; the text says why."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def fold(hashes: list[bytes]) -> bytes:
    """The root of consecutive complete subtrees (largest first), combined right to left."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for h in reversed(hashes[:-1]):
        root = node_hash(h, root)
    return root


@dataclass
class Frontier:
    """The compact range [0, size): the roots of the complete subtrees a tree
    of ``size`` leaves is made of, largest first (one per set bit of size).
    Appending a leaf merges equal-sized neighbours, like binary addition."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes, completed: list[tuple[int, int, bytes]] | None = None) -> None:
        """Add one leaf hash; ``completed`` collects every node it completes, leaf first."""
        index, level, h = self.size, 0, leaf
        if completed is not None:
            completed.append((0, index, h))
        while (self.size >> level) & 1:
            h = node_hash(self.hashes.pop(), h)
            level += 1
            if completed is not None:
                completed.append((level, index >> level, h))
        self.hashes.append(h)
        self.size += 1

    def root(self) -> bytes:
        return fold(self.hashes)


def range_nodes(start: int, end: int) -> list[Node]:
    """The complete subtrees covering leaves [start, end), left to right.

    For every range a proof asks for (a subtree of the RFC 9162 tree), the
    hash of the range is ``fold`` of these nodes' hashes.
    """
    out = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while start + (1 << level) > end:
            level -= 1
        out.append((level, start >> level))
        start += 1 << level
    return out


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make up PATH(index, D[0:size]), bottom up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make up PROOF(old, D[0:new]) (RFC 9162 2.1.4.1)."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")
    ranges: list[tuple[int, int]] = []
    start, m, n, whole = 0, old, new, True
    while m != n:
        k = _split(n)
        if m <= k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, m, n, whole = start + k, m - k, n - k, False
    if not whole:
        ranges.append((start, start + n))
    return ranges[::-1]


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> None:
    """RFC 9162 2.1.3.2; raises ProofError unless ``leaf`` is leaf ``index`` of the tree."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hashes(path)
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofError("the audit path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the audit path is shorter than the tree is deep")
    if r != root:
        raise ProofError("the audit path does not lead to the root hash: the record or the proof was altered")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> None:
    """RFC 9162 2.1.4.2; raises ProofError unless the tree of ``new_size`` extends the one of ``old_size``."""
    _check_hashes(proof)
    if old_size > new_size:
        raise ProofError(f"the new tree ({new_size} leaves) is smaller than the old one ({old_size})")
    if old_size == new_size:
        if proof:
            raise ProofError("trees of equal size need an empty proof")
        if old_root != new_root:
            raise ProofError(f"two different root hashes for the same tree size {old_size}")
        return
    if old_size == 0:
        if proof:
            raise ProofError("an empty tree needs an empty proof")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than the tree is deep")
    if fr != old_root:
        raise ProofError("the proof does not lead to the old root hash: the old tree was rewritten")
    if sr != new_root:
        raise ProofError("the proof does not lead to the new root hash")


def _check_hashes(hashes: list[bytes]) -> None:
    if len(hashes) > 128:
        raise ProofError("the proof has more hashes than any tree of 2^64 leaves needs")
    for h in hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ProofError("a hash in the proof is not 32 bytes")
