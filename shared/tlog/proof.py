"""Proofs as a third party receives them, and their checks, offline.

An inclusion proof file (JSON) carries the record's leaf bytes, its index,
the audit path and the signed checkpoint the path leads to; checking it
needs nothing but the log's public key. The readable ``record`` in the file
is the leaf decoded, and must be exactly that.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from shared.tlog.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion
from shared.tlog.note import Checkpoint, Verifier, open_checkpoint
from shared.tlog.record import LEAF_FIELDS, LogRecord, record_from_leaf

FORMAT = "verdict-inclusion-proof/1"


def readable(record: LogRecord) -> dict[str, Any]:
    return {**{k: getattr(record, k) for k in LEAF_FIELDS}, "clauses": sorted(set(record.clauses)), "body": record.body}


@dataclass
class InclusionProof:
    decision_id: str
    leaf_index: int
    tree_size: int
    leaf: bytes
    audit_path: list[bytes]
    checkpoint: str

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "decision_id": self.decision_id, "leaf_index": self.leaf_index, "tree_size": self.tree_size,
            "checkpoint": self.checkpoint, "audit_path": [base64.b64encode(h).decode() for h in self.audit_path],
            "leaf": base64.b64encode(self.leaf).decode(), "record": readable(record_from_leaf(self.leaf)),
        }, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "InclusionProof":
        """The proof in a file; ProofError naming what is malformed."""
        try:
            doc = json.loads(text)
            if doc.get("format") != FORMAT:
                raise ProofError(f"not a {FORMAT} file")
            proof = cls(str(doc["decision_id"]), int(doc["leaf_index"]), int(doc["tree_size"]),
                        base64.b64decode(doc["leaf"], validate=True),
                        [base64.b64decode(h, validate=True) for h in doc["audit_path"]], str(doc["checkpoint"]))
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise ProofError(f"not a readable proof file: {exc}") from None
        try:
            decoded = readable(record_from_leaf(proof.leaf))
        except ValueError as exc:
            raise ProofError(f"the proof's leaf is not a log record: {exc}") from None
        if doc.get("record") != decoded:
            raise ProofError("the readable record in the file is not what its leaf says: the file was altered")
        return proof

    def check(self, verifier: Verifier) -> tuple[Checkpoint, LogRecord]:
        """The signed checkpoint and the record, if the proof holds; ProofError or NoteError otherwise."""
        checkpoint = open_checkpoint(self.checkpoint, verifier)
        if checkpoint.size != self.tree_size:
            raise ProofError(f"the proof is for a tree of {self.tree_size} records, its checkpoint for {checkpoint.size}")
        record = record_from_leaf(self.leaf)
        if record.decision_id != self.decision_id:
            raise ProofError(f"the leaf is record {record.decision_id}, not {self.decision_id}")
        verify_inclusion(leaf_hash(self.leaf), self.leaf_index, self.tree_size, self.audit_path, checkpoint.root)
        return checkpoint, record


def check_consistency(old_note: str, new_note: str, proof: list[bytes], verifier: Verifier) -> tuple[Checkpoint, Checkpoint]:
    """Both checkpoints signed by the log's key, and the newer extends the older; ProofError/NoteError otherwise."""
    old, new = open_checkpoint(old_note, verifier), open_checkpoint(new_note, verifier)
    verify_consistency(old.size, new.size, old.root, new.root, proof)
    return old, new

