"""Clause coverage: every clause of POLICIES.md traced to a Rego rule and a test.

A rule *cites* a clause when its body holds the clause ID as a string
literal (every reason is built from one); a test *exercises* it when a
``test_*`` rule names it in an assertion or a decision-table case expects
it among the cited clauses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from server.engine.bundle import Bundle

CLAUSE_LITERAL = re.compile(r'"((?:TVE|PI|EI|CHA|PRIV)-\d+(?:\.\d+)?(?:[a-z]\d*)?)"')
POLICIES_ID = re.compile(r"^- ((?:TVE|PI|EI|CHA|PRIV)-\d+)\b", re.MULTILINE)
RULE_HEAD = re.compile(r"^(?:default\s+)?([a-z_][A-Za-z0-9_]*)\b")


@dataclass
class ClauseTrace:
    clause_id: str
    in_policies_md: bool
    in_catalog: bool
    rules: set[str] = field(default_factory=set)
    tests: set[str] = field(default_factory=set)
    table_cases: set[str] = field(default_factory=set)

    @property
    def problems(self) -> list[str]:
        out = []
        if not self.in_catalog:
            out.append("not in the clause catalog")
        if not self.rules:
            out.append("no rule cites it")
        if not self.tests and not self.table_cases:
            out.append("no test or table case exercises it")
        return out


def _citations(bundle: Bundle) -> dict[str, list[tuple[str, str]]]:
    """file -> [(rule name, clause id)] for every clause literal in a rule body."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path, source in bundle.modules.items():
        package = re.search(r"^package\s+([\w.]+)", source, re.MULTILINE)
        prefix = package.group(1) if package else path
        rule = ""
        for line in source.splitlines():
            code = line.split("#", 1)[0]
            if not code.strip():
                continue
            head = RULE_HEAD.match(code)
            if head and head.group(1) not in ("package", "import"):
                rule = head.group(1)
            for clause in CLAUSE_LITERAL.findall(code):
                found.setdefault(path, []).append((f"{prefix}.{rule}", clause))
    return found


def trace(bundle: Bundle, policies_md: Path) -> list[ClauseTrace]:
    catalog: dict[str, dict] = {}
    for policy in (bundle.data.get("verdict", {}).get("catalog", {}) or {}).values():
        catalog.update(policy)
    documented = set(POLICIES_ID.findall(policies_md.read_text(encoding="utf-8")))
    traces = {cid: ClauseTrace(cid, cid in documented, cid in catalog) for cid in documented | set(catalog)}

    def get(cid: str) -> ClauseTrace:
        return traces.setdefault(cid, ClauseTrace(cid, cid in documented, cid in catalog))

    for path, cites in _citations(bundle).items():
        for rule, clause in cites:
            target = get(clause)
            (target.tests if path.endswith("_test.rego") else target.rules).add(rule)
    for table, doc in (bundle.data.get("tables") or {}).items():
        for case in doc.get("cases", []):
            for clause in case.get("expect", {}).get("clauses", []):
                get(clause).table_cases.add(case.get("id", f"{table}:?"))
    return [traces[k] for k in sorted(traces, key=_order)]


def _order(clause_id: str) -> tuple:
    policy, _, rest = clause_id.partition("-")
    parts = re.findall(r"\d+|[a-z]+", rest)
    return (["TVE", "PI", "EI", "CHA", "PRIV"].index(policy) if policy in ("TVE", "PI", "EI", "CHA", "PRIV") else 9,
            [int(p) if p.isdigit() else p for p in parts])


def report_json(traces: list[ClauseTrace]) -> str:
    return json.dumps([
        {"clause_id": t.clause_id, "in_policies_md": t.in_policies_md, "in_catalog": t.in_catalog,
         "rules": sorted(t.rules), "tests": sorted(t.tests), "table_cases": sorted(t.table_cases), "problems": t.problems}
        for t in traces
    ], indent=2)
