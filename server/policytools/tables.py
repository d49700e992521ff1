"""Decision tables, case by case: run each through the policy and say what differs.

The cases live in rego/tables/<policy>/data.json; the checking logic is the
Rego in rego/tables/tables_test.rego (``problems(c)``), so this command and
``make test-rego`` judge a case the same way.
"""

from __future__ import annotations

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
    """Every case (of one table, with ``only``), judged in one evaluation."""
    chosen = {name: cases for name, cases in tables(bundle).items() if not only or name == only}
    engine = new_engine(bundle)
    try:
        rows = engine.eval_query(
            "x := {name: {sprintf(\"%d\", [i]): p | some i, c in data.tables[name].cases; p := data.tables_test.problems(c)} "
            "| some name in input.tables}",
            {"tables": sorted(chosen)},
        )
    finally:
        engine.close()
    found = rows[0]["x"] if rows else {}
    results = []
    for name, cases in chosen.items():
        problems = found.get(name, {})
        for i, case in enumerate(cases):
            listed = sorted(problems[str(i)]) if str(i) in problems else ["the table runner found no result"]
            results.append(CaseResult(name, case.get("id", "?"), case.get("description", ""), listed))
    return results
