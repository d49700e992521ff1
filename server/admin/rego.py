"""`verdict-admin rego`: test the policies, their clause coverage and decision tables."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from server.admin.bundle import add_build_arguments
from server.admin import fail
from shared.terminal import print_json, table


def register(commands: argparse._SubParsersAction) -> None:
    rego = commands.add_parser("rego", help="test and inspect the Rego policies", description="Tools for policy engineers working on rego/.")
    sub = rego.add_subparsers(dest="rego_command", metavar="SUBCOMMAND")
    sub.required = True

    test = sub.add_parser(
        "test",
        help="run the Rego unit tests (test_* rules) with line coverage",
        description=(
            "Run every test_* rule in the bundle, like `opa test`: PASS/FAIL per test, a summary and, "
            "with --coverage, line coverage per policy file. Uses the real `opa test` when opa is on PATH "
            "(unless --embedded), otherwise the embedded OPA engine."
        ),
    )
    test.add_argument("--bundle", type=Path, default=Path("rego"), help="bundle directory (default: rego)")
    test.add_argument("--coverage", action="store_true", help="report line coverage per file")
    test.add_argument("--min-coverage", type=float, default=None, metavar="PCT", help="fail when policy line coverage is below PCT")
    test.add_argument("--run", dest="pattern", metavar="REGEX", help="only tests whose package.name matches REGEX")
    test.add_argument("-v", "--verbose", action="store_true", help="list every test, not only failures")
    test.add_argument("--embedded", action="store_true", help="use the embedded engine even when opa is on PATH")
    test.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                      help="the --timeout given to the real `opa test` (default 120 s; OPA's own 5 s is too short "
                           "for the decision tables on a loaded machine)")
    test.add_argument("--each", action="store_true",
                      help="embedded engine: evaluate every test on its own, for per-test timings (slower; "
                           "by default all tests run in one evaluation and a test's time is its share)")
    test.add_argument("--json", action="store_true", help="machine-readable output")
    test.set_defaults(handler=run_test)

    coverage = sub.add_parser(
        "coverage",
        help="clause coverage: every clause of POLICIES.md has a rule and a test",
        description=(
            "For every clause ID in docs/POLICIES.md and the clause catalog, print the Rego rules that cite it "
            "and the tests and decision-table cases that exercise it. Fails when a clause has no rule, no test, "
            "or no catalog entry, or when a rule cites an ID the catalog does not know."
        ),
    )
    coverage.add_argument("--bundle", type=Path, default=Path("rego"), help="bundle directory (default: rego)")
    coverage.add_argument("--policies", type=Path, default=Path("docs/POLICIES.md"), help="the clause list (default: docs/POLICIES.md)")
    coverage.add_argument("-v", "--verbose", action="store_true", help="list every rule, test and case (default: the first two of each)")
    coverage.add_argument("--json", action="store_true", help="machine-readable output")
    coverage.set_defaults(handler=run_coverage)

    tables = sub.add_parser(
        "tables",
        help="run the decision tables case by case",
        description="Run every decision-table case (rego/tables/<policy>/data.json) through the policies and show what differs.",
    )
    tables.add_argument("policy", nargs="?", help="only this table (pi, tve, ei, cha, priv)")
    tables.add_argument("--bundle", type=Path, default=Path("rego"), help="bundle directory (default: rego)")
    tables.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")
    tables.add_argument("--against", metavar="REF",
                        help="compare: run every case through the policies at git ref REF (or a bundle directory) and "
                             "through --bundle, and list what each case's result gains or loses")
    tables.add_argument("--json", action="store_true", help="machine-readable output")
    tables.set_defaults(handler=run_tables)

    build = sub.add_parser(
        "build",
        help="alias of `verdict-admin bundle build`",
        description="The same as `verdict-admin bundle build` (its earlier name): write the policies and data as an OPA bundle.",
    )
    add_build_arguments(build)

    revision = sub.add_parser("revision", help="print the content hash (revision) of a bundle directory")
    revision.add_argument("--bundle", type=Path, default=Path("rego"), help="bundle directory (default: rego)")
    revision.set_defaults(handler=run_revision)


def _load(bundle_dir: Path, tests: bool = False):
    from server.engine.bundle import Bundle

    return Bundle.from_directory(bundle_dir, tests=tests)


def run_revision(args: argparse.Namespace) -> int:
    from server.engine.bundle import BundleError

    try:
        print(_load(args.bundle).revision)
    except BundleError as exc:
        return fail(str(exc))
    return 0


def run_test(args: argparse.Namespace) -> int:
    from server.engine.bundle import BundleError
    from server.policytools import regotest

    try:
        bundle = _load(args.bundle, tests=True)
    except BundleError as exc:
        return fail(str(exc))
    revision = _load(args.bundle).revision  # what the server would serve: tests and tables left out
    use_opa = regotest.opa_binary() and not args.embedded
    started = time.perf_counter()
    try:
        if use_opa:
            report = regotest.run_with_opa(args.bundle, coverage=args.coverage, pattern=args.pattern,
                                           timeout=args.timeout or regotest.DEFAULT_TIMEOUT)
        else:
            report = regotest.run_embedded(bundle, coverage=args.coverage, pattern=args.pattern, each=args.each)
    except Exception as exc:  # a bundle that does not compile
        return fail(f"cannot run the tests: {getattr(exc, 'message', exc)}")
    seconds = time.perf_counter() - started
    engine = "opa test" if use_opa else "embedded OPA engine"
    passed = len(report.results) - len(report.failed)
    policy_coverage = report.policy_coverage()
    if args.json:
        print_json({
            "engine": engine,
            "revision": revision,
            "seconds": round(seconds, 3),
            "passed": passed,
            "failed": len(report.failed),
            "tests": [r.__dict__ | {"ref": r.ref} for r in report.results],
            "coverage": {p: {"percent": round(c.percent, 2), "not_covered_lines": sorted(c.missed)} for p, c in sorted(report.coverage.items())} if args.coverage else None,
            "policy_coverage": round(policy_coverage, 2) if args.coverage else None,
        })
    else:
        _print_results(report, args.verbose)
        print("-" * 80)
        status = "PASS" if not report.failed else "FAIL"
        print(f"{status}: {passed}/{len(report.results)} tests passed in {seconds:.1f}s ({engine}, revision {revision[:12]})")
        if args.coverage:
            _print_coverage(report, policy_coverage)
    if report.failed or not report.results:
        return 1
    if args.coverage and args.min_coverage is not None and policy_coverage < args.min_coverage:
        print(f"coverage {policy_coverage:.1f}% is below the required {args.min_coverage:.1f}%", file=sys.stderr)
        return 1
    return 0


def _print_results(report, verbose: bool) -> None:
    current = None
    for r in report.results:
        if not verbose and r.passed:
            continue
        if r.file != current:
            current = r.file
            print(f"{r.file}:")
        timing = f" ({r.duration_ms:.1f}ms)" if report.timed_each or not r.passed else ""
        print(f"  {r.ref}: {'PASS' if r.passed else 'FAIL'}{timing}")
        if r.error:
            print(f"    error: {r.error}")
        if r.failed_at:
            print(f"    failed at {r.failed_at}")


def _print_coverage(report, policy_coverage: float) -> None:
    from server.policytools.regotest import is_test_file

    rows = []
    for path, cov in sorted(report.coverage.items()):
        if is_test_file(path):
            continue
        missed = sorted(cov.missed)
        shown = ", ".join(str(n) for n in missed[:12]) + (" ..." if len(missed) > 12 else "")
        rows.append([path, f"{cov.percent:5.1f}%", shown])
    print()
    print(table(rows, ["policy file", "lines", "not covered"]))
    print(f"\nline coverage of the policies: {policy_coverage:.1f}% (test files excluded)")


def run_coverage(args: argparse.Namespace) -> int:
    from server.engine.bundle import BundleError
    from server.policytools.clauses import report_json, trace

    try:
        traces = trace(_load(args.bundle, tests=True), args.policies)
    except (BundleError, OSError) as exc:
        return fail(str(exc))
    failing = [t for t in traces if t.problems]
    if args.json:
        print(report_json(traces))
    else:
        def names(items: set[str]) -> str:
            shown = sorted(items)
            if not args.verbose and len(shown) > 2:
                return ", ".join(shown[:2]) + f" +{len(shown) - 2}"
            return ", ".join(shown) or "-"

        rows = [
            [t.clause_id, names({r.removeprefix("verdict.") for r in t.rules}), names({x.rsplit(".", 1)[-1] for x in t.tests} | t.table_cases),
             "; ".join(t.problems) or "ok"]
            for t in traces
        ]
        print(table(rows, ["clause", "rules citing it", "exercised by", "status"]))
        covered = len(traces) - len(failing)
        print(f"\nclause coverage: {covered}/{len(traces)} clauses have a rule and a test ({100.0 * covered / max(len(traces), 1):.1f}%)")
    return 1 if failing else 0


def run_tables(args: argparse.Namespace) -> int:
    from server.engine.bundle import BundleError
    from server.policytools import tables

    if args.against:
        return _compare_tables(args)
    try:
        results = tables.run(_load(args.bundle, tests=True), args.policy)
    except BundleError as exc:
        return fail(str(exc))
    if not results:
        return fail(f"no table cases found{' for ' + args.policy if args.policy else ''}")
    failed = [r for r in results if not r.passed]
    if args.json:
        print_json([r.__dict__ for r in results])
        return 1 if failed else 0
    for r in results:
        if r.passed and not args.verbose:
            continue
        print(f"{'PASS' if r.passed else 'FAIL'}  {r.case_id:<10} {r.description}")
        for problem in r.problems:
            print(f"      - {problem}")
    counts = {}
    for r in results:
        counts.setdefault(r.table, [0, 0])[0 if r.passed else 1] += 1
    print("\n" + table([[t, str(p), str(f)] for t, (p, f) in counts.items()], ["table", "passed", "failed"]))
    print(f"\n{len(results) - len(failed)}/{len(results)} cases pass")
    return 1 if failed else 0


def _compare_tables(args: argparse.Namespace) -> int:
    from server.audit import candidates
    from server.engine.bundle import BundleError
    from server.policytools import tables

    try:
        with_tables = _load(args.bundle, tests=True)
        current = _load(args.bundle)
        earlier = (candidates.from_directory(args.against) if Path(args.against).is_dir()
                   else candidates.from_git(args.against, args.bundle))
    except (BundleError, candidates.CandidateError) as exc:
        return fail(str(exc))
    changes = tables.compare(with_tables, current, earlier, args.policy)
    if args.json:
        print_json([c.__dict__ for c in changes])
        return 0
    for c in changes:
        print(f"{c.case_id:<10} {c.description}")
        for change in c.changes:
            print(f"      {change}")
    print(f"\n{len(changes)} case(s) decide differently on {current.revision[:12]} than on {args.against} ({earlier.revision[:12]})")
    return 0
