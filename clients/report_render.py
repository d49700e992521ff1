"""The transparency report as CSV and as a self-contained HTML page with charts.

Both take the TransparencyReport message as a plain dict (what the server's
``server.dsa.report`` computes). The page needs nothing from the network: its bar
charts are inline SVG, its figures are also in tables.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

COUNTS = (
    ("decisions_by_outcome", "Decisions by outcome"),
    ("by_policy", "Restrictions by policy"),
    ("by_clause", "Restrictions by clause"),
    ("by_outcome", "Restrictions by outcome"),
    ("by_source_type", "Restrictions by source"),
    ("by_automated_detection", "Automated detection"),
    ("by_automated_decision", "Automated decision"),
    ("by_decision_ground", "Restrictions by ground"),
    ("by_category", "Restrictions by category"),
)
CHARTS = ("by_policy", "by_outcome", "by_source_type", "by_automated_decision")
PI_FIELDS = ("eligible_posts", "notice_recommended", "removal_recommended")


def rows(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(section, key, value): every figure of the report, one per row."""
    out: list[tuple[str, str, Any]] = [("period", "from", report["from"]), ("period", "to", report["to"]),
                                       ("totals", "decisions", report["decisions"]),
                                       ("totals", "restrictions", report["restrictions"]),
                                       ("totals", "statement_errors", report["statement_errors"])]
    for name, _ in COUNTS:
        out += [(name, key, value) for key, value in report.get(name, {}).items()]
    out += [("time_to_decision", key, value) for key, value in report["time_to_decision"].items()]
    suspensions = report["suspensions"]
    out.append(("suspensions", "total", suspensions["total"]))
    out += [("suspensions_by_policy", key, value) for key, value in suspensions.get("by_policy", {}).items()]
    complaints = report["complaints"]
    out += [("complaints", key, complaints.get(key, "")) for key in
            ("available", "received", "upheld", "overturned", "modified", "median_days_to_resolve", "note")]
    for year in report.get("public_interest", []):
        out += [(f"public_interest_{year['year']}", key, year.get(key, 0)) for key in PI_FIELDS]
        out.append((f"public_interest_{year['year']}", "kept_behind_notice", year.get("kept_behind_notice", "")))
    return out


def report_csv(report: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("section", "key", "value"))
    writer.writerows(rows(report))
    return buffer.getvalue()


def bar_chart(title: str, counts: dict[str, int]) -> str:
    """A horizontal bar chart as inline SVG."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if not items:
        return f'<figure><figcaption>{escape(title)}</figcaption><p>none</p></figure>'
    most, bar_height, label_width, width = max(v for _, v in items) or 1, 22, 360, 720
    height = bar_height * len(items) + 10
    bars = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * bar_height
        length = max(1, round((width - label_width - 60) * value / most))
        bars.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{bar_height - 6}" fill="#3b6ea5"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{label_width + length + 6}" y="{y + 15}">{value}</text>'
        )
    return (f'<figure><figcaption>{escape(title)}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="12" '
            f'font-family="sans-serif" role="img" aria-label="{escape(title)}">{"".join(bars)}</svg></figure>')


def _table(header: tuple[str, ...], body: list[tuple[Any, ...]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    lines = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"


def report_html(report: dict[str, Any]) -> str:
    t = report["time_to_decision"]
    hours = t["median_seconds"] / 3600
    complaints = report["complaints"]
    parts = [
        f"<h1>Transparency report</h1><p>Decisions recorded from {escape(report['from'])} to {escape(report['to'])} "
        f"(DSA Art. 15 and 24).</p>",
        _table(("figure", "value"), [
            ("decisions", report["decisions"]), ("restrictions (statements of reasons)", report["restrictions"]),
            ("median time to decision (hours)", f"{hours:.1f}"), ("measured", t["measured"]),
            ("account suspensions", report["suspensions"]["total"]),
            ("restrictions without a valid statement", report["statement_errors"]),
        ]),
        *(bar_chart(title, report.get(name, {})) for name, title in COUNTS if name in CHARTS),
        "<h2>All counts</h2>",
        *(f"<h3>{escape(title)}</h3>" + _table(("", "count"), sorted(report.get(name, {}).items())) for name, title in COUNTS),
        "<h2>Suspensions (Art. 23)</h2>",
        _table(("policy", "count"), sorted(report["suspensions"].get("by_policy", {}).items())),
        "<h2>Complaints (Art. 20)</h2>",
        _table(("figure", "value"), [(k, complaints.get(k, "not available")) for k in
                                     ("received", "upheld", "overturned", "modified", "median_days_to_resolve")])
        + f"<p>{escape(complaints.get('note', ''))}</p>",
        "<h2>Public-interest exception (PI-8)</h2>",
        _table(("year", "eligible posts", "notice recommended", "removal recommended", "kept behind a notice"),
               [(y["year"], y.get("eligible_posts", 0), y.get("notice_recommended", 0), y.get("removal_recommended", 0),
                 y.get("kept_behind_notice", "not recorded")) for y in report.get("public_interest", [])]),
        bar_chart("Posts eligible for the public-interest exception, by year",
                  {str(y["year"]): y.get("eligible_posts", 0) for y in report.get("public_interest", [])}),
        "<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in report.get("notes", [])) + "</ul>",
    ]
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
             "figure{margin:1.5em 0}figcaption{font-weight:bold;margin-bottom:.3em}")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Transparency report</title>'
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")
