"""Decision tables, case by case: run each through the policy and say what differs.

The cases live in rego/tables/<policy>/data.json; the checking logic is the
Rego in rego/tables/tables_test.rego (``problems(c)``), so this command and
``make test-rego`` judge a case the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from server.engine.bundle import Bundle
from server.engine.embedded import new_engine


@dataclass
class CaseResult:
    table: str
    case_id: str
    description: str
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def tables(bundle: Bundle) -> dict[str, list[dict]]:
    return {name: doc.get("cases", []) for name, doc in sorted((bundle.data.get("tables") or {}).items())}


def run(bundle: Bundle, only: str | None = None) -> list[CaseResult]:
    engine = new_engine(bundle)
    results = []
    try:
        for name, cases in tables(bundle).items():
            if only and name != only:
                continue
            for case in cases:
                rows = engine.eval_query(f"x := data.tables_test.problems({json.dumps(case)})")
                problems = sorted(rows[0]["x"]) if rows else ["the table runner found no result"]
                results.append(CaseResult(name, case.get("id", "?"), case.get("description", ""), problems))
    finally:
        engine.close()
    return results
