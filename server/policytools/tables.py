"""Decision tables, case by case: run each through the policy and say what differs.

The cases live in rego/tables/<policy>/data.json; the checking logic is the
Rego in rego/tables/tables_test.rego (``problems(c)``), so this command and
``make test-rego`` judge a case the same way. ``compare`` runs every case
through two policy revisions and says what each case's result gains or
loses: how a policy change shows up, case by case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.engine.bundle import Bundle
from server.engine.opa_golib import new_engine


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


QUERIES = {"decide": "verdict.decision.result", "report": "verdict.report.result", "group": "verdict.group.result"}


@dataclass
class CaseChange:
    table: str
    case_id: str
    description: str
    changes: list[str] = field(default_factory=list)


def case_input(case: dict[str, Any]) -> dict[str, Any]:
    """The OPA input of a case, with as_of where the server puts it (as tables_test.rego does)."""
    kind = case.get("kind", "decide")
    given = case["input"]
    as_of = {"decide": lambda: given["case"]["as_of"], "report": lambda: given["report"]["as_of"], "group": lambda: given["as_of"]}[kind]()
    return {**given, "as_of": as_of}


def _summary(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict):
        return {"result": "undefined"}
    out = {k: result[k] for k in ("outcome", "admissible", "designated", "effects", "enforcement") if k in result}
    out["reasons"] = sorted({(r["clause_id"], r["kind"].removeprefix("REASON_KIND_")) for r in result.get("reasons", [])})
    return out


def compare(tables_bundle: Bundle, current: Bundle, earlier: Bundle, only: str | None = None) -> list[CaseChange]:
    """What changes for each decision-table case from ``earlier`` to ``current``."""
    engines = {"earlier": new_engine(earlier), "current": new_engine(current)}
    changes = []
    try:
        for name, cases in tables(tables_bundle).items():
            if only and name != only:
                continue
            for case in cases:
                query, doc = QUERIES[case.get("kind", "decide")], case_input(case)
                before, after = (_summary(_evaluate(engines[k], query, doc)) for k in ("earlier", "current"))
                found = CaseChange(name, case.get("id", "?"), case.get("description", ""))
                for key in sorted(set(before) | set(after)):
                    if key == "reasons":
                        gained = [f"{c} ({k.lower()})" for c, k in after[key] if (c, k) not in before.get(key, [])]
                        lost = [f"{c} ({k.lower()})" for c, k in before.get(key, []) if (c, k) not in after[key]]
                        found.changes += [f"now cites {', '.join(gained)}"] if gained else []
                        found.changes += [f"no longer cites {', '.join(lost)}"] if lost else []
                    elif before.get(key) != after.get(key):
                        found.changes.append(f"{key}: {before.get(key)} -> {after.get(key)}")
                if found.changes:
                    changes.append(found)
    finally:
        for engine in engines.values():
            engine.close()
    return changes


def _evaluate(engine: Any, query: str, doc: dict[str, Any]) -> Any:
    try:
        return engine.eval_document(query, doc)
    except Exception:  # an undefined result or an evaluation error: the case has no result there
        return None
