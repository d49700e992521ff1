"""A replay report as the console shows it: the old -> new outcome matrix, its
cells' examples, and the outcome counts before and after for the chart."""

from __future__ import annotations

from dataclasses import dataclass

from server.audit.replay import ReplayReport
from server.console.forms import OUTCOMES


def _order(outcome: str) -> tuple[int, str]:
    return (OUTCOMES.index(outcome), "") if outcome in OUTCOMES else (len(OUTCOMES), outcome)


@dataclass
class Matrix:
    rows: list[str]                       # recorded outcomes
    columns: list[str]                    # outcomes on the replayed revision
    cells: dict[tuple[str, str], int]     # recorded -> replayed: how many decisions
    other_reasons: dict[str, int]         # of a diagonal cell: same outcome, reasons or effects differ

    def count(self, before: str, after: str) -> int:
        return self.cells.get((before, after), 0)

    def totals(self) -> list[tuple[str, int, int]]:
        """(outcome, decisions with it as recorded, ... as replayed), for the chart."""
        outcomes = sorted(set(self.rows) | set(self.columns), key=_order)
        return [(o, sum(n for (a, _), n in self.cells.items() if a == o), sum(n for (_, b), n in self.cells.items() if b == o))
                for o in outcomes]


def matrix(report: ReplayReport) -> Matrix:
    cells: dict[tuple[str, str], int] = {}
    for outcome, same in report.unchanged_outcomes.items():
        cells[(outcome, outcome)] = same.count
    other: dict[str, int] = {}
    for (before, after), change in report.outcome_changes.items():
        cells[(before, after)] = cells.get((before, after), 0) + change.count
        if before == after:
            other[before] = change.count
    return Matrix(sorted({a for a, _ in cells}, key=_order), sorted({b for _, b in cells}, key=_order), cells, other)


def cell_examples(report: ReplayReport, before: str, after: str) -> list[tuple[str, str]]:
    """(decision ID, what changed) of a cell's example decisions."""
    found: list[tuple[str, str]] = []
    if before == after and before in report.unchanged_outcomes:
        found += [(d, "reproduced exactly") for d in report.unchanged_outcomes[before].examples]
    change = report.outcome_changes.get((before, after))
    if change is not None:
        found += [(d, report.notes.get(d, "")) for d in change.examples]
    return found


def clause_examples(report: ReplayReport, clause: str, kind: str, change: str) -> list[tuple[str, str]]:
    bucket = (report.clauses_added if change == "added" else report.clauses_removed).get((clause, kind))
    return [(d, report.notes.get(d, "")) for d in bucket.examples] if bucket else []


@dataclass
class Bar:
    label: str
    before: int
    after: int
    before_width: float
    after_width: float


def bars(m: Matrix, width: float = 360.0) -> list[Bar]:
    """The chart's bars, scaled to ``width`` pixels for the largest count."""
    totals = m.totals()
    top = max([max(b, a) for _, b, a in totals] + [1])
    return [Bar(o, b, a, width * b / top, width * a / top) for o, b, a in totals]
