"""The auditor's side: what the log hands out, checked with the key the auditor trusts, and printed.

A verification of the whole log is run by the server (``verdict audit
verify``, AuditService.VerifyLog) or on the database (``verdict-admin audit
verify``); either way its result is checked here against the public key
the auditor trusts (the tree head must be signed by it) and, given a
checkpoint the auditor kept, against a consistency proof from that
checkpoint to the head. Checkpoints print the same from either too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from shared.terminal import print_json
from shared.tlog.merkle import ProofError
from shared.tlog.note import Checkpoint, NoteError, Verifier, load_verifier, open_checkpoint
from shared.tlog.proof import check_consistency

DEFAULT_PUBLIC_KEY = Path("var/log-signing.pub")

# size -> (consistency proof, the signed note it leads to, that tree's size)
ConsistencyProver = Callable[[int], tuple[list[bytes], str, int]]


def trusted_key(key: str | None, required: bool = True) -> Verifier | None:
    """The trusted public key: ``key`` (text or file), VERDICT_LOG_PUBLIC_KEY, or var/log-signing.pub."""
    key = key or os.environ.get("VERDICT_LOG_PUBLIC_KEY")
    if not key and DEFAULT_PUBLIC_KEY.is_file():
        key = str(DEFAULT_PUBLIC_KEY)
    if not key:
        if required:
            raise ValueError("the log's public key is needed: --public-key FILE (the .pub next to the signing key) "
                             "or VERDICT_LOG_PUBLIC_KEY")
        return None
    return load_verifier(key)


def read_checkpoint(path: Path | None) -> str | None:
    """A checkpoint kept outside the database (``verdict audit checkpoint > FILE``); OSError or NoteError."""
    if path is None:
        return None
    note = path.read_text(encoding="utf-8")
    Checkpoint.of_note(note)
    return note


def report(response: Message, verifier: Verifier | None, since: str | None,
           prove_consistency: ConsistencyProver | None) -> dict[str, Any]:
    """The VerifyLogResponse as a document, with what the trusted key and the kept checkpoint add to its findings."""
    doc = MessageToDict(response, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)
    for name in ("records", "first_bad_seq", "checkpoints", "witnessed"):  # 64-bit integers arrive as strings
        doc[name] = int(doc[name])
    doc["covered"] = {what: int(n) for what, n in doc["covered"].items()}
    findings = doc["findings"]
    for f in findings:
        f["seq"] = int(f.get("seq", 0))
    if verifier is not None and doc["checkpoint"]:
        try:
            open_checkpoint(doc["checkpoint"], verifier)
        except NoteError as exc:
            findings.append({"kind": "tree_head", "message": f"the log's checkpoint is not signed by the key you trust: {exc}"})
    if since is not None and verifier is not None and prove_consistency is not None:
        try:
            proof, note, _ = prove_consistency(Checkpoint.of_note(since).size)
            old, new = check_consistency(since, note, proof, verifier)
            doc["consistency"] = f"the log ({new.size} records) extends the checkpoint given ({old.size} records): consistency proof verified"
        except (ProofError, NoteError, ValueError, LookupError) as exc:
            findings.append({"kind": "consistency", "message": f"no valid consistency proof from the checkpoint given: {exc}"})
    doc["ok"] = not findings
    return doc


def print_report(doc: dict[str, Any], as_json: bool = False) -> None:
    """The report as text, or as JSON."""
    if as_json:
        print_json(doc)
        return
    records = int(doc["records"])
    rate = records / doc["seconds"] if doc["seconds"] else 0
    if doc["ok"] and not doc["checkpoint"]:
        print("OK: the log is empty (nothing was ever appended)")
    elif doc["ok"]:
        head = Checkpoint.of_note(doc["checkpoint"])
        signer = doc["checkpoint"].rsplit("\n\n", 1)[1].split(" ")[1]
        print(f"OK: {records} records verified against the checkpoint signed by {signer} "
              f"({head.size} records, root {head.root.hex()[:16]}...)")
        print(f"  checkpoints  {doc['checkpoints']} signed checkpoints agree ({doc['witnessed']} of them from the witness)")
        if doc.get("consistency"):
            print(f"  since        {doc['consistency']}")
        covered = ", ".join(f"{n} {what}" for what, n in sorted(doc["covered"].items()))
        print(f"  covered      {covered} match the log")
    else:
        print(f"FAILED: {len(doc['findings'])} problem(s) in a log of {records} records")
        for f in doc["findings"]:
            print(f"  [{f['kind']}] {f['message']}")
    print(f"  time         {doc['seconds']:.2f} s ({rate:,.0f} records/s)")


def print_checkpoint(note: str, as_json: bool) -> None:
    """A signed checkpoint byte for byte, or its fields as JSON."""
    if as_json:
        checkpoint = Checkpoint.of_note(note)
        print_json({"checkpoint": note, "origin": checkpoint.origin, "tree_size": checkpoint.size, "root_hash": checkpoint.root.hex()})
    else:
        sys.stdout.write(note)
