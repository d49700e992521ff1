"""The RFC 9162 tree against published test vectors and another implementation.

The vectors are Certificate Transparency's reference ones (as used by
transparency-dev/merkle, the Go implementation behind Trillian and the CT
logs): eight leaves, the root of every tree size, inclusion and consistency
proofs. pymerkle, an independent Python implementation, checks roots and
inclusion proofs of trees of every size up to 70; RFC 9162's recursive
definitions, written out, check the consistency proofs.
"""

from __future__ import annotations

import hashlib

import pytest
from pymerkle import InmemoryTree

from shared.tlog.merkle import (
    EMPTY_ROOT,
    Frontier,
    ProofError,
    consistency_ranges,
    fold,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    range_nodes,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
H = bytes.fromhex
INCLUSION = [  # (leaf index, tree size, audit path)
    (0, 8, [H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (5, 8, [H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (2, 3, [H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (1, 5, [H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 8, [H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (6, 8, [H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (2, 5, [H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
    (6, 7, [H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            H("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
]


def mth(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 9162 section 2.1.1, recursively, as the reference."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF of RFC 9162 section 2.1.4.1, recursively, as the reference."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


class Stored:
    """Every complete node of a tree, as the database keeps them."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.frontier = Frontier()
        completed: list = []
        for data in leaves:
            self.frontier.append(leaf_hash(data), completed)
        self.nodes = {(lv, i): h for lv, i, h in completed}

    def range_hash(self, start: int, end: int) -> bytes:
        return fold([self.nodes[n] for n in range_nodes(start, end)])

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return [self.range_hash(a, b) for a, b in inclusion_ranges(index, size)]

    def consistency(self, old: int, new: int) -> list[bytes]:
        return [self.range_hash(a, b) for a, b in consistency_ranges(old, new)] if old != new else []


def grown(leaves: list[bytes]) -> list[Frontier]:
    frontier, out = Frontier(), []
    for data in leaves:
        frontier.append(leaf_hash(data))
        out.append(Frontier(frontier.size, list(frontier.hashes)))
    return out


def test_roots_of_every_size_match_the_published_vectors():
    assert Frontier().root() == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert [f.root() for f in grown(LEAVES)] == ROOTS
    assert [mth(LEAVES[:n]) for n in range(1, 9)] == ROOTS


@pytest.mark.parametrize("index, size, path", INCLUSION)
def test_inclusion_proofs_match_the_published_vectors(index, size, path):
    assert Stored(LEAVES[:size]).inclusion(index, size) == path
    verify_inclusion(leaf_hash(LEAVES[index]), index, size, path, ROOTS[size - 1])


@pytest.mark.parametrize("old, new, proof", CONSISTENCY)
def test_consistency_proofs_match_the_published_vectors(old, new, proof):
    assert Stored(LEAVES[:new]).consistency(old, new) == proof
    verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)


@pytest.mark.parametrize("index, size, path", [p for p in INCLUSION if p[2]])
def test_corrupted_inclusion_proofs_fail(index, size, path):
    leaf, root = leaf_hash(LEAVES[index]), ROOTS[size - 1]
    wrong = [
        (leaf, index + 1, size, path, root), (leaf, index ^ 2, size, path, root), (leaf, index, size * 2, path, root),
        (leaf, index, size, path, EMPTY_ROOT), (leaf_hash(b"WrongLeaf"), index, size, path, root),
        (leaf, index, size, path + [root], root), (leaf, index, size, [root] + path, root), (leaf, index, size, path[:-1], root),
        *[(leaf, index, size, path[:i] + [bytes([path[i][0] ^ 8]) + path[i][1:]] + path[i + 1:], root) for i in range(len(path))],
    ]
    if index > 0:
        wrong.append((leaf, index - 1, size, path, root))
    if size > 1:
        wrong.append((leaf, index, size // 2, path, root))
    for args in wrong:
        with pytest.raises(ProofError):
            verify_inclusion(*args)


@pytest.mark.parametrize("old, new, proof", CONSISTENCY)
def test_corrupted_consistency_proofs_fail(old, new, proof):
    r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
    wrong = [
        (old + 1, new, r1, r2, proof), (old ^ 2, new, r1, r2, proof), (old, new * 2, r1, r2, proof), (old, new // 2, r1, r2, proof),
        (old, new, b"WrongRoot".ljust(32, b"."), r2, proof), (old, new, r1, b"WrongRoot".ljust(32, b"."), proof),
        (old, new, r2, r1, proof), (old, new, r1, r2, []), (old, new, r1, r2, proof + [r1]), (old, new, r1, r2, [r2] + proof),
        (old, new, r1, r2, proof[:-1]),
        *[(old, new, r1, r2, proof[:i] + [bytes([proof[i][0] ^ 16]) + proof[i][1:]] + proof[i + 1:]) for i in range(len(proof))],
    ]
    if old > 1:
        wrong.append((old - 1, new, r1, r2, proof))
    for args in wrong:
        with pytest.raises(ProofError):
            verify_consistency(*args)


def test_every_proof_in_trees_up_to_70_agrees_with_pymerkle_and_the_rfc():
    data = [f"record {i}".encode() for i in range(70)]
    reference = InmemoryTree(algorithm="sha256")
    for item in data:
        reference.append_entry(item)
    stored = Stored(data)
    roots = [f.root() for f in grown(data)]
    for size in range(1, 71):
        assert roots[size - 1] == reference.get_root(size) == mth(data[:size])
        for index in range(size):
            path = stored.inclusion(index, size)
            assert path == reference.prove_inclusion(index + 1, size).path[1:]  # pymerkle counts from 1, starts with the leaf
            verify_inclusion(leaf_hash(data[index]), index, size, path, roots[size - 1])
        for old in range(1, size + 1):
            proof = stored.consistency(old, size)
            assert proof == subproof(old, data[:size], True)  # pymerkle's consistency proofs have a format of their own
            verify_consistency(old, size, roots[old - 1], roots[size - 1], proof)


def test_the_frontier_holds_the_nodes_a_range_is_made_of():
    stored = Stored(LEAVES[:7])
    assert [stored.nodes[n] for n in range_nodes(0, 7)] == stored.frontier.hashes
    assert range_nodes(0, 7) == [(2, 0), (1, 2), (0, 6)] and range_nodes(4, 8) == [(2, 1)] and range_nodes(6, 7) == [(0, 6)]
