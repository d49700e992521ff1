"""`verdict-admin audit`: the decision log in the database, without the server; its signing key.

``verify``, ``checkpoint`` and ``prove`` read the database directly (one
that exists: nothing is created or migrated) and check what they read with
the public key the auditor trusts, as `verdict audit` does with what the
server answers. ``keygen`` creates the log's signing key.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from server.admin import fail
from server.admin.database import DB_HELP, NoDatabase, open_existing
from shared.terminal import print_json, write_out


def register(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser(
        "audit", help="check the decision log in the database; create its signing key",
        description="The decision log read from the database directly, without the server (--db or VERDICT_DB),\n"
                    "and the log's signing key. Asking the server is `verdict audit ...`.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    sub.required = True

    verify = sub.add_parser(
        "verify", help="check the whole log in the database against its signed checkpoints",
        description=(
            "Rehash every record into the tree and check it against the latest signed tree head, every\n"
            "checkpoint in the database and in the witness, and the checkpoint given with --since (with a\n"
            "consistency proof); check the account history, group designations and policy archive against the\n"
            "log. Names everything changed, deleted, inserted or reordered (exit code 1). Runs on a consistent\n"
            "snapshot: a live log verifies without false alarms. Uses the public key you trust, not the server's."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("--db", help=DB_HELP)
    verify.add_argument("--public-key", metavar="KEY",
                        help="the log's public key, or the file holding it (VERDICT_LOG_PUBLIC_KEY; default var/log-signing.pub)")
    verify.add_argument("--witness", type=Path,
                        help="the witness directory of published checkpoints (VERDICT_WITNESS_DIR; default var/witness)")
    verify.add_argument("--since", type=Path, metavar="CHECKPOINT",
                        help="a checkpoint file kept outside the database (`verdict audit checkpoint > FILE`): the log must extend it")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.set_defaults(handler=run_verify)

    checkpoint = sub.add_parser("checkpoint", help="print the latest signed checkpoint from the database",
                                description="Print the latest signed checkpoint (a C2SP signed note) stored in the database, byte for byte.")
    checkpoint.add_argument("--db", help=DB_HELP)
    checkpoint.add_argument("--json", action="store_true", help="machine-readable output")
    checkpoint.set_defaults(handler=run_checkpoint)

    prove = sub.add_parser(
        "prove", help="write an inclusion proof for a logged decision, from the database",
        description="Write a proof that a decision is in the log, unaltered, built from the database: the record, its leaf\n"
                    "index, the audit path and the signed checkpoint it leads to (JSON), for `verdict audit verify-proof`.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    prove.add_argument("decision_id")
    prove.add_argument("--db", help=DB_HELP)
    prove.add_argument("--out", type=Path, help="write the proof to this file (default: standard output)")
    prove.set_defaults(handler=run_prove)

    keygen = sub.add_parser(
        "keygen", help="create the log's signing key and its public key",
        description="Create an Ed25519 signing key for the decision log (C2SP signed-note encoding), readable only by you,\n"
                    "and the public key next to it (.pub) for auditors. The origin names the log in every checkpoint.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    keygen.add_argument("--origin", required=True, help="the log's name, e.g. example.org/verdict/decision-log (no spaces or '+')")
    keygen.add_argument("--out", type=Path, default=Path("var/log-signing.key"), help="where to write the key (default var/log-signing.key)")
    keygen.set_defaults(handler=run_keygen)


def run_verify(args: argparse.Namespace) -> int:
    from server.audit.verify import verify
    from server.decisionlog.checkpoints import Witness
    from server.decisionlog.reader import LogReader
    from shared.tlog.note import NoteError
    from shared.tlog.auditor import print_report, read_checkpoint, report, trusted_key

    try:
        verifier = trusted_key(args.public_key)
        since = read_checkpoint(args.since)
        db = open_existing(args.db)
    except OSError as exc:
        return fail(f"cannot read {args.since}: {exc.strerror}")
    except NoteError as exc:
        return fail(f"{args.since or '--public-key'}: {exc}")
    except (NoDatabase, ValueError) as exc:
        return fail(str(exc))
    witness = Witness(args.witness or Path(os.environ.get("VERDICT_WITNESS_DIR", "var/witness")))
    doc = report(verify(db, verifier, witness, since).message(), verifier, since, LogReader(db).prove_consistency)
    print_report(doc, args.json)
    return 0 if doc["ok"] else 1


def run_checkpoint(args: argparse.Namespace) -> int:
    from server.decisionlog.reader import LogReader, NotSigned
    from shared.tlog.auditor import print_checkpoint

    try:
        note = LogReader(open_existing(args.db)).checkpoint()
    except NoDatabase as exc:
        return fail(str(exc))
    except NotSigned as exc:
        return fail(str(exc), 1)
    print_checkpoint(note, args.json)
    return 0


def run_prove(args: argparse.Namespace) -> int:
    from server.decisionlog.reader import LogReader

    try:
        proof = LogReader(open_existing(args.db)).prove(args.decision_id)
    except NoDatabase as exc:
        return fail(str(exc))
    except LookupError as exc:
        return fail(str(exc), 1)
    write_out(proof.to_json(), args.out, f"decision {proof.decision_id} is leaf {proof.leaf_index} of {proof.tree_size}")
    return 0


def run_keygen(args: argparse.Namespace) -> int:
    from shared.tlog.note import Ed25519Signer, NoteError, write_keypair

    try:
        public = write_keypair(Ed25519Signer.generate(args.origin), args.out)
    except NoteError as exc:
        return fail(f"--origin: {exc}")
    except FileExistsError:
        return fail(f"{args.out} exists: a log keeps its key (move it away first if you really mean a new log)")
    print(f"signing key  {args.out} (keep it outside the database; the server reads it with --log-key-file)")
    print(f"public key   {public}: {public.read_text().strip()}")
    return 0
