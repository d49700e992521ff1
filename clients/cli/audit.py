"""`verdict audit`: find, show, explain, replay, verify and prove logged decisions."""

from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from clients.cli.decide import add_connection_args, connect, print_decision
from clients.cli.moved import add_admin_only_db, moved
from shared.terminal import fail, print_json, table, write_out


def register(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser(
        "audit", help="find, explain, replay and verify logged decisions",
        description=("For auditors: every decision the server made is a record in its decision log, a Merkle tree\n"
                     "whose checkpoints are signed by the log's key and published outside the database."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    sub.required = True

    query = sub.add_parser("query", help="list logged decisions matching a filter", description="List decision-log records, oldest first.")
    add_filter_args(query)
    query.add_argument("--limit", type=int, default=50, help="at most this many records (default 50; 0 for all)")
    _common(query, handler=run_query)

    show = sub.add_parser("show", help="show one logged decision in full")
    show.add_argument("decision_id")
    show.add_argument("--input", action="store_true", help="also print the exact input given to OPA")
    show.add_argument("--lang", choices=["en", "nl"], default="en")
    _common(show, handler=run_show)

    explain = sub.add_parser("explain", help="explain a decision: its input, the rules that fired, the clauses, in words")
    explain.add_argument("decision_id")
    explain.add_argument("--lang", choices=["en", "nl"], default="en")
    _common(explain, handler=run_explain)

    replay = sub.add_parser(
        "replay", help="re-run logged decisions on their own revision, or on a candidate",
        description=(
            "Without --against, every matching decision is re-evaluated on the policy revision it was made with:\n"
            "each must reproduce exactly, and any difference is reported as a fault (exit code 1).\n"
            "With --against DIR, BUNDLE or GITREF, the same inputs are evaluated on that candidate revision\n"
            "and the summary shows what would change: old -> new outcome, clauses gained and lost, examples.\n"
            "DIR (a bundle directory here) and BUNDLE (a .tar.gz of `verdict bundle build` or `opa build`) are\n"
            "uploaded; GITREF is a commit, branch or tag of the repository the server's rego/ lives in."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument("--against", metavar="DIR|BUNDLE|GITREF",
                        help="candidate revision: a bundle directory or .tar.gz here (uploaded), or a git ref")
    replay.add_argument("--examples", type=int, default=5, help="example decision IDs per change (default 5)")
    replay.add_argument("--list-changed", action="store_true", help="print every changed decision ID")
    replay.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_filter_args(replay)
    _common(replay, handler=run_replay)

    verify = sub.add_parser(
        "verify", help="have the server check the whole log against its signed checkpoints",
        description=(
            "The server rehashes every record into the tree and checks it against the latest signed tree head,\n"
            "every checkpoint in the database and in the witness, and the checkpoint given with --since; it checks\n"
            "the account history, group designations and policy archive against the log, and names everything\n"
            "changed, deleted, inserted or reordered (exit code 1). It runs on a consistent snapshot: a live log\n"
            "verifies without false alarms.\n\n"
            "Here, with the public key you trust (--public-key), the server's checkpoint must be signed by it and,\n"
            "with --since, a consistency proof from your checkpoint to the head must hold.\n"
            "To check a database directly, without the server: `verdict-admin audit verify --db URL` (installed\n"
            "with the server)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("--since", type=Path, metavar="CHECKPOINT",
                        help="a checkpoint file kept outside the database (`verdict audit checkpoint > FILE`): the log must extend it")
    verify.add_argument("--public-key", metavar="KEY",
                        help="the log's public key, or the file holding it (VERDICT_LOG_PUBLIC_KEY; default var/log-signing.pub)")
    add_admin_only_db(verify)
    _common(verify, handler=run_verify)

    checkpoint = sub.add_parser(
        "checkpoint", help="print the latest signed checkpoint",
        description="Print the latest signed checkpoint (a C2SP signed note), byte for byte: keep it anywhere outside the\n"
                    "database and later check the log still extends it with `verdict audit verify --since FILE`.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_admin_only_db(checkpoint)
    _common(checkpoint, handler=run_checkpoint)

    prove = sub.add_parser(
        "prove", help="write an inclusion proof for a logged decision",
        description="Write a proof that a decision is in the log, unaltered: the record, its leaf index, the audit path\n"
                    "and the signed checkpoint it leads to (JSON). Anyone can check it offline with\n"
                    "`verdict audit verify-proof FILE --key PUBLIC_KEY`.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    prove.add_argument("decision_id")
    prove.add_argument("--out", type=Path, help="write the proof to this file (default: standard output)")
    add_admin_only_db(prove)
    _common(prove, handler=run_prove)

    verify_proof = sub.add_parser(
        "verify-proof", help="check an inclusion proof offline, with only the log's public key",
        description="Check a proof file from `verdict audit prove`: the checkpoint is signed by the key, the audit path\n"
                    "leads from the record's leaf to its root. Needs no server and no database (exit code 1 if it fails).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify_proof.add_argument("file", type=Path, help="the proof file")
    verify_proof.add_argument("--key", "--public-key", dest="public_key", metavar="KEY",
                              help="the log's public key, or the file holding it (VERDICT_LOG_PUBLIC_KEY)")
    verify_proof.add_argument("--json", action="store_true", help="machine-readable output")
    verify_proof.set_defaults(handler=run_verify_proof)

    moved(sub, "keygen", "create the log's signing key")


def _common(p: argparse.ArgumentParser, handler: Any) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_connection_args(p)
    p.set_defaults(handler=handler)


def add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--account", dest="account_id", help="author account ID")
    p.add_argument("--post", dest="post_id", help="post ID")
    p.add_argument("--policy", help="policy, e.g. election_integrity or hateful_conduct")
    p.add_argument("--outcome", help="e.g. OUTCOME_TEMPORARY_LOCK, ELIGIBLE, ADMISSIBLE")
    p.add_argument("--clause", dest="clause_id", help="a clause the decision cites, e.g. PI-1.3")
    p.add_argument("--caller", help="who asked")
    p.add_argument("--kind", help="decide, check_public_interest, assess_report, assess_group, apply, audit_read")
    p.add_argument("--since", help="RFC 3339 time, inclusive")
    p.add_argument("--until", help="RFC 3339 time, exclusive")


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    names = ("account_id", "post_id", "policy", "outcome", "clause_id", "caller", "kind", "since", "until")
    return {n: getattr(args, n) for n in names if getattr(args, n, None)}


def _rpc(args: argparse.Namespace, work: Any) -> int:
    from clients.client import VerdictError
    from shared.protojson import ProtoJsonError

    try:
        with connect(args) as client:
            return work(client)
    except ProtoJsonError as exc:
        return fail(f"bad filter: {exc}")
    except VerdictError as exc:
        return fail(f"{exc.code.name}: {exc.details}", 1)


def run_query(args: argparse.Namespace) -> int:
    from shared.protojson import to_dict

    def work(client) -> int:
        records = []
        for record in client.iter_decisions(**_filters(args)):
            records.append(record)
            if args.limit and len(records) >= args.limit:
                break
        if args.json:
            print_json([to_dict(r) for r in records])
            return 0
        rows = [[str(r.seq), r.decision_id, r.recorded_at.ToJsonString()[:19], r.kind, r.account_id or "-",
                 r.outcome.removeprefix("OUTCOME_") or "-", r.policy_revision[:12] or "-",
                 " ".join(r.clauses[:4]) + (" ..." if len(r.clauses) > 4 else "")]
                for r in records]
        print(table(rows, ["seq", "decision", "recorded", "kind", "account", "outcome", "revision", "clauses"])
              if rows else "no matching decisions")
        return 0

    return _rpc(args, work)


def run_show(args: argparse.Namespace) -> int:
    from shared.protojson import to_dict

    def work(client) -> int:
        record = client.get_decision(args.decision_id)
        if args.json:
            print_json(to_dict(record))
            return 0
        print(f"record {record.seq} ({record.kind}) recorded {record.recorded_at.ToJsonString()} for {record.caller}")
        print(f"engine {record.engine} (OPA {record.opa_version}), revision {record.policy_revision}")
        print(f"leaf {record.seq - 1} of the log's Merkle tree, leaf hash {record.hash}")
        print("timings: " + ", ".join(f"{k} {v:.2f} ms" for k, v in sorted(record.timings_ms.items())))
        print("enrichment: " + record.enrichment_json)
        if record.kind == "decide":
            print()
            print_decision(record.decision, args.lang)
        else:
            print("result: " + record.result_json)
        if args.input:
            print("\ninput given to OPA:")
            print(json.dumps(json.loads(record.input_json), indent=2, ensure_ascii=False))
        return 0

    return _rpc(args, work)


def run_explain(args: argparse.Namespace) -> int:
    from shared.protojson import to_dict

    def work(client) -> int:
        explanation = client.explain(args.decision_id)
        if args.json:
            print_json(to_dict(explanation))
            return 0
        print(explanation.text_nl if args.lang == "nl" else explanation.text_en)
        print("\nInput given to OPA:")
        print(json.dumps(json.loads(explanation.record.input_json), indent=2, ensure_ascii=False))
        nl = args.lang == "nl"
        revision = explanation.record.policy_revision[:12]
        print(("\nRegels die vuurden (op revisie %s), en de clausules die ze opleverden:" if nl else
               "\nRules that fired (on revision %s), and the clauses each produced:") % revision)
        for rule in explanation.rules:
            print(f"  {rule.rule}  ({rule.location})  {rule.title}")
            print(f"      {' '.join(rule.clause_ids) or '-'}")
        if explanation.evaluated:
            print("\nAlleen geëvalueerd (geen regel-body slaagde):" if nl else "\nOnly evaluated (no body succeeded):")
            for rule in explanation.evaluated:
                print(f"  {rule.rule}  ({rule.location})  {rule.title}")
        return 0

    return _rpc(args, work)


class ProgressBar:
    """A one-line progress bar on stderr (only when it is a terminal, unless forced)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()

    def update(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        width = 30
        filled = int(width * done / total)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        sys.stderr.write(f"\rreplaying [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {100 * done // total:3d}% {rate:,.0f}/s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def candidate_target(against: str) -> dict[str, Any]:
    """What ReplayDecisions is asked to replay against: a local directory (packed here) or
    bundle file is uploaded, the server reads no path of ours; anything else is a git ref
    of the server's policy repository."""
    path = Path(against)
    if path.is_dir():
        return {"bundle": pack_bundle(path)}
    if path.is_file():
        return {"bundle": path.read_bytes()}
    return {"git_ref": against}


def pack_bundle(directory: Path) -> bytes:
    """The Rego modules and data.json documents under ``directory`` as a .tar.gz bundle
    (hidden files left out; the server keeps what a bundle serves)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory)
            if path.is_file() and (path.suffix == ".rego" or path.name == "data.json") \
                    and not any(part.startswith(".") for part in relative.parts):
                tar.add(path, arcname=relative.as_posix())
    return buffer.getvalue()


def run_replay(args: argparse.Namespace) -> int:
    from shared.protojson import to_dict

    target: dict[str, Any] = {}
    if args.against:
        try:
            target = candidate_target(args.against)
        except OSError as exc:
            return fail(f"--against {args.against}: {exc}")

    def work(client) -> int:
        bar = ProgressBar(not args.no_progress and not args.json and sys.stderr.isatty())
        summary = None
        for update in client.replay(examples=args.examples, list_changed=args.list_changed, **target, **_filters(args)):
            bar.update(update.done, update.total)
            if update.HasField("summary"):
                summary = update.summary
        bar.close()
        if summary is None:
            return fail("the server ended the replay without a summary", 1)
        if args.json:
            print_json(to_dict(summary))
        else:
            print_summary(summary, args.against)
        return 1 if summary.faults or summary.errors else 0

    return _rpc(args, work)


def print_summary(s: Any, against: str | None) -> None:
    if s.mode == "recorded":
        print("Replay on the recorded revisions")
    else:
        print(f"Replay on candidate revision {s.candidate_revision[:12]} ({against})")
    print(f"  replayed {s.replayed}, unchanged {s.unchanged}, changed {s.changed}, faults {s.faults}, errors {s.errors}"
          f"  ({s.seconds:.2f} s, {s.per_second:,.0f} decisions/s)")
    if s.outcome_changes:
        print("\n" + table([[c.__getattribute__("from").removeprefix("OUTCOME_"), c.to.removeprefix("OUTCOME_"), str(c.count), ", ".join(c.examples)]
                            for c in s.outcome_changes], ["from", "to", "decisions", "examples"]))
    if s.clause_changes:
        from verdict.v1 import decision_pb2

        print("\n" + table([[c.clause_id, decision_pb2.ReasonKind.Name(c.kind).removeprefix("REASON_KIND_").lower().replace("_", " "),
                             str(c.added), str(c.removed), ", ".join(c.examples[:3])] for c in s.clause_changes],
                           ["clause", "cited as", "now", "no longer", "examples"]))
    if s.differences:
        print("\ndifferences:" if s.mode == "recorded" else "\nexamples:")
        for d in s.differences:
            print(f"  {d.decision_id}: {d.what}")
    if s.changed_decision_ids:
        print("\nchanged decisions:")
        for decision_id in s.changed_decision_ids:
            print(f"  {decision_id}")
    if s.mode == "recorded":
        print("\nOK: every decision reproduced exactly." if not s.faults and not s.errors else "\nFAULT: not every decision reproduced.")


def run_verify(args: argparse.Namespace) -> int:
    from clients.client import VerdictError
    from shared.tlog.note import Checkpoint, NoteError
    from shared.tlog.auditor import print_report, read_checkpoint, report, trusted_key

    try:
        verifier = trusted_key(args.public_key, required=False)
        since = read_checkpoint(args.since)
    except OSError as exc:
        return fail(f"cannot read {args.since}: {exc.strerror}")
    except NoteError as exc:
        return fail(f"{args.since or '--public-key'}: {exc}")
    except ValueError as exc:
        return fail(str(exc))
    holder: dict[str, Any] = {}

    def work(client) -> int:
        holder["response"] = client.verify_log(since_checkpoint=since or "")
        if since is not None and verifier is not None:
            try:
                p = client.prove_consistency(Checkpoint.of_note(since).size)
                holder["consistency"] = (list(p.proof), p.checkpoint, p.tree_size)
            except VerdictError as exc:  # reported as a finding
                holder["consistency"] = ValueError(exc.details)
        return 0

    code = _rpc(args, work)
    if code:
        return code

    def prove_consistency(size: int) -> tuple:
        if isinstance(holder["consistency"], Exception):
            raise holder["consistency"]
        return holder["consistency"]

    doc = report(holder["response"], verifier, since, prove_consistency)
    print_report(doc, args.json)
    return 0 if doc["ok"] else 1


def run_checkpoint(args: argparse.Namespace) -> int:
    from shared.tlog.auditor import print_checkpoint

    holder: dict[str, str] = {}

    def work(client) -> int:
        holder["note"] = client.checkpoint().checkpoint
        return 0

    code = _rpc(args, work)
    if code:
        return code
    note = holder["note"]
    print_checkpoint(note, args.json)
    return 0


def run_prove(args: argparse.Namespace) -> int:
    from shared.tlog.proof import InclusionProof

    holder: dict[str, Any] = {}

    def work(client) -> int:
        holder["proof"] = client.prove(args.decision_id)
        return 0

    code = _rpc(args, work)
    if code:
        return code
    p = holder["proof"]
    proof = InclusionProof(p.decision_id, p.leaf_index, p.tree_size, p.leaf, list(p.audit_path), p.checkpoint)
    write_out(proof.to_json(), args.out, f"decision {proof.decision_id} is leaf {proof.leaf_index} of {proof.tree_size}")
    return 0


def run_verify_proof(args: argparse.Namespace) -> int:
    from shared.tlog.note import NoteError
    from shared.tlog.proof import InclusionProof, ProofError
    from shared.tlog.auditor import trusted_key

    try:
        verifier = trusted_key(args.public_key)
        text = args.file.read_text(encoding="utf-8")
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror}")
    except ValueError as exc:
        return fail(str(exc))
    try:
        proof = InclusionProof.from_json(text)
        checkpoint, record = proof.check(verifier)
    except (ProofError, NoteError, ValueError) as exc:
        if args.json:
            print_json({"ok": False, "problem": str(exc)})
        else:
            print(f"FAILED: {exc}")
        return 1
    if args.json:
        print_json({"ok": True, "decision_id": record.decision_id, "leaf_index": proof.leaf_index, "tree_size": proof.tree_size,
                    "origin": checkpoint.origin, "key": verifier.text(), "kind": record.kind, "recorded_at": record.recorded_at,
                    "outcome": record.outcome, "clauses": sorted(set(record.clauses))})
        return 0
    print(f"OK: {record.decision_id} is record {proof.leaf_index + 1} of the log {checkpoint.origin}, unaltered:")
    print(f"  its leaf leads to the root of the tree of {checkpoint.size} records signed by {verifier.name}+{verifier.id:08x}")
    print(f"  {record.kind} recorded {record.recorded_at} for {record.caller}")
    for label, value in (("account", record.account_id), ("post", record.post_id), ("policy", record.policy),
                         ("outcome", record.outcome), ("clauses", " ".join(sorted(set(record.clauses)))),
                         ("revision", record.revision)):
        if value:
            print(f"  {label:<9}{value}")
    return 0
