"""`make bench-policy`: the decision query, current rego/ against an earlier revision.

Both policy sets are compiled into the embedded OPA engine in the same
process and evaluated on the same inputs, in the same run: every
decision-table case (``kind: decide``) of the current tables, as the table
runner feeds it (the case's input plus ``as_of``). Old and new take turns
input by input, so load from elsewhere on the machine hits both alike.
Reports the median and p99 per evaluation of ``verdict/decision/result``
for each, the ratio, and two floors no policy can go below: the same inputs
through a policy that only returns ``input.as_of`` (handing the input to OPA
and a value back), and through one that returns each input's current result
ready-made from data (the input in and the whole decision out). Every engine
is the server's (``server.engine.opa_golib.Engine``), so all pay the same to
cross the binding.

The earlier revision is a git ref (``--ref``; default ``HEAD``: your edits
against the last commit; ``make bench-policy`` passes the policies before
round 2) whose ``rego/`` is taken with ``git archive``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from server.audit.candidates import CandidateError, from_git
from server.engine.bundle import Bundle
from server.engine.embedded import reexec_with_go_gc_tuned
from server.engine.opa_golib import Engine, new_engine

ROOT = Path(__file__).resolve().parent.parent
QUERY = "verdict.decision.result"
FLOOR = "package bench_floor\n\nimport rego.v1\n\nresult := input.as_of\n"
RESULT_FLOOR = "package bench_result_floor\n\nimport rego.v1\n\nresult := data.bench_result_floor.results[input.bench_case]\n"


def decide_inputs(bundle: Bundle) -> list[tuple[str, dict[str, Any]]]:
    """(case id, OPA input) for every decide case of the decision tables."""
    out = []
    for doc in (bundle.data.get("tables") or {}).values():
        for case in doc.get("cases", []):
            if case.get("kind", "decide") == "decide":
                out.append((case["id"], {**case["input"], "as_of": case["input"]["case"]["as_of"]}))
    return out


def bundle_at(ref: str) -> Bundle:
    """The policies of ``rego/`` at a git ref (tests and tables left out)."""
    try:
        return from_git(ref, ROOT / "rego")
    except CandidateError as exc:
        raise SystemExit(f"cannot read rego/ at {ref!r}: {exc}") from None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(engines: dict[str, tuple[Engine, str]], inputs: list[dict[str, Any]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per evaluation, per engine; engines take turns input by input."""
    times: dict[str, list[float]] = {name: [] for name in engines}
    order = list(engines)
    for r in range(rounds):
        for doc in inputs:
            for name in (order if r % 2 == 0 else order[::-1]):
                engine, query = engines[name]
                started = time.perf_counter()
                engine.eval_document(query, doc)
                times[name].append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    reexec_with_go_gc_tuned("bench.policy")  # the engine settings the server runs with
    parser = argparse.ArgumentParser(prog="python -m bench.policy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ref", default="HEAD", help="the earlier revision: a git ref (default: HEAD)")
    parser.add_argument("--bundle", type=Path, default=ROOT / "rego", help="the current policies (default: rego/)")
    parser.add_argument("--rounds", type=int, default=20, help="passes over all inputs (default 20)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    ref = args.ref
    current = Bundle.from_directory(args.bundle)
    earlier = bundle_at(ref)
    # Every engine gets the same inputs; bench_case only keys the ready-made results.
    inputs = [{**doc, "bench_case": f"c{i}"} for i, (_, doc) in enumerate(decide_inputs(Bundle.from_directory(args.bundle, tests=True)))]
    engines = {"earlier": (new_engine(earlier), QUERY), "current": (new_engine(current), QUERY)}
    floor = Engine()
    floor.add_policy("bench_floor.rego", FLOOR)
    result_floor = Engine()
    result_floor.add_data({"results": {doc["bench_case"]: engines["current"][0].eval_document(QUERY, doc) for doc in inputs}}, "bench_result_floor")
    result_floor.add_policy("bench_result_floor.rego", RESULT_FLOOR)
    engines |= {"floor": (floor, "bench_floor.result"), "result_floor": (result_floor, "bench_result_floor.result")}
    try:
        for engine, query in engines.values():  # prepare and warm every query before measuring
            for doc in inputs:
                engine.eval_document(query, doc)
        times = measure(engines, inputs, args.rounds)
    finally:
        for engine, _ in engines.values():
            engine.close()

    figures = {name: {"median_ms": round(statistics.median(t), 4), "p99_ms": round(percentile(t, 99), 4), "evaluations": len(t)}
               for name, t in times.items()}
    result = {
        "query": "data." + QUERY, "inputs": len(inputs), "rounds": args.rounds,
        "earlier": {"ref": ref, "revision": earlier.revision, **figures["earlier"]},
        "current": {"revision": current.revision, **figures["current"]},
        "floor": figures["floor"],
        "result_floor": figures["result_floor"],
        "median_ratio": round(figures["earlier"]["median_ms"] / figures["current"]["median_ms"], 2),
        "p99_ratio": round(figures["earlier"]["p99_ms"] / figures["current"]["p99_ms"], 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"data.{QUERY} over {len(inputs)} decision-table inputs x {args.rounds} rounds, embedded OPA engine, one process")
    print(f"  {'':<40} {'median':>10} {'p99':>10}")
    for name, label in (("earlier", f"earlier ({ref}, {earlier.revision[:12]})"), ("current", f"current ({current.revision[:12]})"),
                        ("floor", "floor (input in, as_of out)"), ("result_floor", "floor (input in, the decision out)")):
        print(f"  {label:<40} {figures[name]['median_ms']:>8.3f}ms {figures[name]['p99_ms']:>8.3f}ms")
    print(f"  earlier / current: median x{result['median_ratio']}, p99 x{result['p99_ratio']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
