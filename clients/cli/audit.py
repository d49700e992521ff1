"""`verdict audit`: find, show, explain, replay and verify logged decisions."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from clients.cli.decide import add_connection_args, connect, print_decision
from clients.cli.output import fail, print_json, table


def register(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser(
        "audit", help="find, explain, replay and verify logged decisions",
        description="For auditors: every decision the server made is in its hash-chained decision log.",
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
            "With --against DIR or --against GITREF, the same inputs are evaluated on that candidate revision\n"
            "and the summary shows what would change: old -> new outcome, clauses gained and lost, examples.\n"
            "DIR is a path on the server's machine; GITREF a commit, branch or tag of the repository the\n"
            "server's rego/ lives in."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument("--against", metavar="DIR|GITREF", help="candidate revision: a bundle directory or a git ref")
    replay.add_argument("--examples", type=int, default=5, help="example decision IDs per change (default 5)")
    replay.add_argument("--list-changed", action="store_true", help="print every changed decision ID")
    replay.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_filter_args(replay)
    _common(replay, handler=run_replay)

    verify = sub.add_parser(
        "verify", help="check the hash chain of the decision log",
        description="Walk the hash chain; name the first record that was changed, deleted or reordered (exit code 1).",
    )
    verify.add_argument("--db", help="check this database directly, without the server (VERDICT_DB URL)")
    _common(verify, handler=run_verify)


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
    from clients.protojson import ProtoJsonError

    try:
        with connect(args) as client:
            return work(client)
    except ProtoJsonError as exc:
        return fail(f"bad filter: {exc}")
    except VerdictError as exc:
        return fail(f"{exc.code.name}: {exc.details}", 1)


def run_query(args: argparse.Namespace) -> int:
    from clients.protojson import to_dict

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
                 r.outcome.removeprefix("OUTCOME_") or "-", " ".join(r.clauses[:4]) + (" ..." if len(r.clauses) > 4 else "")]
                for r in records]
        print(table(rows, ["seq", "decision", "recorded", "kind", "account", "outcome", "clauses"]) if rows else "no matching decisions")
        return 0

    return _rpc(args, work)


def run_show(args: argparse.Namespace) -> int:
    from clients.protojson import to_dict

    def work(client) -> int:
        record = client.get_decision(args.decision_id)
        if args.json:
            print_json(to_dict(record))
            return 0
        print(f"record {record.seq} ({record.kind}) recorded {record.recorded_at.ToJsonString()} for {record.caller}")
        print(f"engine {record.engine} (OPA {record.opa_version}), revision {record.policy_revision}")
        print(f"hash {record.hash}\nprev {record.prev_hash or '(first record)'}")
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
    from clients.protojson import to_dict

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


def run_replay(args: argparse.Namespace) -> int:
    import os

    from clients.protojson import to_dict

    def work(client) -> int:
        target: dict[str, Any] = {}
        if args.against:
            target = {"directory": os.path.abspath(args.against)} if os.path.isdir(args.against) else {"git_ref": args.against}
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
    if args.db:
        from server.audit.verify import verify
        from server.db.database import Database

        result = verify(Database(args.db))
        doc = {"ok": result.ok, "records": result.records, "first_bad_seq": result.first_bad_seq,
               "first_bad_decision_id": result.first_bad_decision_id, "problem": result.problem}
    else:
        from clients.protojson import to_dict

        holder: dict[str, Any] = {}

        def work(client) -> int:
            holder["doc"] = to_dict(client.verify_log())
            return 0

        code = _rpc(args, work)
        if code:
            return code
        doc = {"ok": False, "records": 0, "first_bad_seq": 0, "first_bad_decision_id": "", "problem": "", **holder["doc"]}
    if args.json:
        print_json(doc)
    elif doc["ok"]:
        print(f"OK: the decision log's hash chain is intact ({doc['records']} records)")
    else:
        print(f"FAILED after {doc['records']} good records: {doc['problem']}")
    return 0 if doc["ok"] else 1
