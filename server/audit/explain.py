"""Explain a logged decision from its own evaluation and the rules' annotations.

The record's exact input is evaluated again on its archived revision with
OPA's tracer on. A rule *fired* when a body of it succeeded (a trace Exit);
it was *only evaluated* when OPA entered it and no body succeeded. Each
annotated rule that fired is listed with its METADATA title, the clauses its
annotation says it can cite, and the clauses it produced: the clause IDs in
the value it had in this evaluation. Then the decision in words, from the
catalog of the same revision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from opa_bindings import OpaError

from server.engine.archive import PolicyArchive
from shared.tlog.record import LogRecord
from server.decisions.results import PolicyContractError, words
from server.engine.catalog import Catalog
from server.engine.opa_golib import new_engine
from server.policytools.annotations import Annotation, bundle_annotations

_NAME = re.compile(r"^(?:default\s+)?([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class FiredRule:
    rule: str
    location: str
    clause_ids: list[str]
    title: str = ""
    can_cite: list[str] = field(default_factory=list)


@dataclass
class Trace:
    fired: list[FiredRule]
    evaluated: list[FiredRule]


def clause_ids(value: Any) -> list[str]:
    """The clause IDs a value holds: in reasons, criteria, factors (any object with a clause_id)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("clause_id"), str) and node["clause_id"]:
                found.add(node["clause_id"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return sorted(found)


def _annotated(event: dict[str, Any], annotations: dict[tuple[str, str], Annotation]) -> Annotation | None:
    path = str(event.get("location", "")).rpartition(":")[0]
    name = _NAME.match(str(event.get("node", "")))
    return annotations.get((path, name.group(1))) if name else None


def trace_rules(record: LogRecord, archive: PolicyArchive) -> Trace:
    """The annotated rules that fired for this record's input, and those only evaluated."""
    bundle = archive.load(record.revision)
    annotations = bundle_annotations(bundle.modules)
    query = record.body["query"].replace("/", ".")
    engine = new_engine(bundle)
    try:
        engine.eval_document(query, record.body["input"], trace=True)
        events = engine.last_trace or []
        entered: dict[str, Annotation] = {}
        exits: dict[str, str] = {}
        for event in events:
            annotation = _annotated(event, annotations)
            if annotation is None or event.get("op") not in ("Enter", "Exit"):
                continue
            entered.setdefault(annotation.ref, annotation)
            if event["op"] == "Exit":
                exits.setdefault(annotation.ref, str(event.get("location", "")))
        fired, evaluated = [], []
        for ref, annotation in entered.items():
            rule = FiredRule(ref, exits.get(ref, f"{annotation.path}:{annotation.row}"), [], annotation.title, list(annotation.clauses))
            if ref in exits:
                rule.clause_ids = clause_ids(_value(engine, ref, record.body["input"]))
                fired.append(rule)
            else:
                evaluated.append(rule)
        return Trace(fired, evaluated)
    finally:
        engine.close()


def _value(engine: Any, ref: str, input_doc: Any) -> Any:
    try:
        return engine.eval_document(ref.removeprefix("data."), input_doc)
    except OpaError:  # a function, or a rule undefined on its own: no value to show
        return None


def in_words(record: LogRecord, catalog: Catalog, lang: str = "en") -> str:
    """The record as a paragraph an auditor can read."""
    body, result = record.body, record.body.get("result") or {}
    nl = lang == "nl"
    head = (f"Beslissing {record.decision_id} ({record.kind}), vastgelegd op {record.recorded_at} door {record.caller}, "
            f"op beleidsrevisie {record.revision[:12]}." if nl else
            f"Decision {record.decision_id} ({record.kind}), recorded {record.recorded_at} for {record.caller}, "
            f"on policy revision {record.revision[:12]}.")
    lines = [head]
    summary = result.get("summary_nl" if nl else "summary_en") if isinstance(result, dict) else None
    if summary:
        lines.append(summary)
    elif record.outcome:
        lines.append(("Uitkomst: " if nl else "Outcome: ") + record.outcome + ".")
    account = (body.get("input") or {}).get("account") or {}
    if account:
        lines.append(
            (f"Account {account.get('account_id')}: geverifieerd={account.get('verified')}, volgers={account.get('followers')}, "
             f"functie={account.get('office_role')} ({account.get('office_level')}), {len(account.get('history', []))} eerdere schending(en)."
             if nl else
             f"Account {account.get('account_id')}: verified={account.get('verified')}, followers={account.get('followers')}, "
             f"office={account.get('office_role')} ({account.get('office_level')}), {len(account.get('history', []))} earlier violation(s).")
        )
    reasons = result.get("reasons", []) if isinstance(result, dict) else []
    if reasons:
        lines.append("Gebaseerd op:" if nl else "It rests on:")
        for r in reasons:
            kind = r.get("kind", "").removeprefix("REASON_KIND_").replace("_", " ").lower()
            try:
                en, dutch = words(catalog, r.get("clause_id", ""), r.get("kind") == "REASON_KIND_CRITERION_NOT_MET",
                                  r.get("values"), r.get("missing_facts", ()))
            except PolicyContractError:  # a clause the catalog lacks: say so rather than fail the explanation
                en = dutch = "(not in the clause catalog)"
            lines.append(f"  {r.get('clause_id')} ({kind}): {dutch if nl else en}")
    return "\n".join(lines)


def explain(record: LogRecord, archive: PolicyArchive) -> tuple[Trace, str, str]:
    trace = trace_rules(record, archive) if "query" in record.body else Trace([], [])
    catalog = archive.catalog(record.revision) if record.revision else {}
    return trace, in_words(record, catalog, "en"), in_words(record, catalog, "nl")
