"""Clause coverage: every clause of POLICIES.md traced to a Rego rule and a test.

A rule *cites* a clause when its METADATA annotation lists the clause ID in
``custom.clauses`` (the clause IDs the rule can cite); a clause ID written
in a policy module that no annotation of its package lists is a problem
(a citation nobody declared). A test *exercises* a clause when a
``test_*`` rule names it or a decision-table case expects it among the
cited clauses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from server.engine.bundle import Bundle, is_test_file
from server.policytools.annotations import bundle_annotations

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
    undeclared: set[str] = field(default_factory=set)  # packages that write the ID without an annotation listing it

    @property
    def problems(self) -> list[str]:
        out = []
        if not self.in_catalog:
            out.append("not in the clause catalog")
        if not self.rules:
            out.append("no rule cites it")
        if not self.tests and not self.table_cases:
            out.append("no test or table case exercises it")
        if self.undeclared:
            out.append("written in " + ", ".join(sorted(self.undeclared)) + " without an annotation that lists it")
        return out


def _literals(bundle: Bundle) -> dict[str, list[tuple[str, str]]]:
    """file -> [(package.rule, clause id)] for every clause literal in its code (comments left out)."""
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

    declared: dict[str, set[str]] = {}
    for annotation in bundle_annotations(bundle.modules).values():
        declared.setdefault(annotation.package, set()).update(annotation.clauses)
        for clause in annotation.clauses:
            get(clause).rules.add(f"{annotation.package}.{annotation.rule}")
    for path, cites in _literals(bundle).items():
        for rule, clause in cites:
            package = rule.rsplit(".", 1)[0]
            if is_test_file(path):
                get(clause).tests.add(rule)
            elif clause not in declared.get(package, set()):
                get(clause).undeclared.add(package)
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
