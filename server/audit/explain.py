"""Explain a logged decision: the rules that fired on its own revision, and its reasons in words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.decisionlog.archive import PolicyArchive
from server.decisionlog.chain import LogRecord
from server.decisions.results import Catalog
from server.engine.embedded import new_engine
from server.policytools.clauses import CLAUSE_LITERAL, RULE_HEAD

_NAME = re.compile(r"^(?:default\s+)?([A-Za-z_]\w*)")
_SKIP = ("verdict/lib/", "_test.rego", "tables/")


@dataclass
class FiredRule:
    rule: str
    location: str
    clause_ids: list[str]


def _spans(source: str) -> list[tuple[int, int]]:
    """(first row, last row) of every rule in a module, 1-based."""
    lines = source.splitlines()
    heads = [i + 1 for i, line in enumerate(lines)
             if RULE_HEAD.match(line.split("#", 1)[0]) and not line.startswith(("package", "import"))]
    return [(start, (heads[n + 1] - 1) if n + 1 < len(heads) else len(lines)) for n, start in enumerate(heads)]


def fired_rules(record: LogRecord, archive: PolicyArchive) -> list[FiredRule]:
    """The policy rules whose bodies succeeded for this input, in evaluation order."""
    bundle = archive.load(record.revision)
    engine = new_engine(bundle)
    try:
        engine.eval_document(record.body["query"].replace("/", "."), record.body["input"], trace=True)
        trace = engine.last_trace or []
    finally:
        engine.close()
    packages = {path: (re.search(r"^package\s+([\w.]+)", src, re.MULTILINE) or [None, path])[1] for path, src in bundle.modules.items()}
    seen: set[str] = set()
    fired: list[FiredRule] = []
    for event in trace:
        if event.get("op") != "Exit":
            continue
        location = str(event.get("location", ""))
        path, _, row = location.rpartition(":")
        if location in seen or path not in bundle.modules or any(s in path for s in _SKIP):
            continue
        seen.add(location)
        name = _NAME.match(str(event.get("node", "")))
        if not name or name.group(1) == "data" or name.group(1).startswith("__"):
            continue  # compiler-generated helpers, not rules of the policy
        lines = bundle.modules[path].splitlines()
        span = next(((a, b) for a, b in _spans(bundle.modules[path]) if a == int(row)), (int(row), int(row)))
        clauses = sorted({c for line in lines[span[0] - 1:span[1]] for c in CLAUSE_LITERAL.findall(line.split("#", 1)[0])})
        fired.append(FiredRule(f"data.{packages[path]}.{name.group(1)}", location, clauses))
    return fired


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
            entry = catalog.get(r.get("clause_id"), {})
            key = "nl" if nl else "en"
            text = entry.get(f"{key}_not", entry.get(key)) if r.get("kind") == "REASON_KIND_CRITERION_NOT_MET" else entry.get(key)
            lines.append(f"  {r.get('clause_id')} ({kind}): {text}")
    return "\n".join(lines)


def explain(record: LogRecord, archive: PolicyArchive) -> tuple[list[FiredRule], str, str]:
    rules = fired_rules(record, archive) if "query" in record.body else []
    catalog = archive.catalog(record.revision) if record.revision else {}
    return rules, in_words(record, catalog, "en"), in_words(record, catalog, "nl")

