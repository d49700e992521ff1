"""`verdict rego`: test the policies, their clause coverage and decision tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clients.cli.output import fail, print_json, table


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
    test.add_argument("--json", action="store_true", help="machine-readable output")
    test.set_defaults(handler=run_test)

    revision = sub.add_parser("revision", help="print the content hash (revision) of a bundle directory")
    revision.add_argument("--bundle", type=Path, default=Path("rego"), help="bundle directory (default: rego)")
    revision.set_defaults(handler=run_revision)


def _load(bundle_dir: Path):
    from server.engine.bundle import Bundle

    return Bundle.from_directory(bundle_dir)


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
        bundle = _load(args.bundle)
    except BundleError as exc:
        return fail(str(exc))
    use_opa = regotest.opa_binary() and not args.embedded
    try:
        if use_opa:
            report = regotest.run_with_opa(args.bundle, coverage=args.coverage, pattern=args.pattern)
        else:
            report = regotest.run_embedded(bundle, coverage=args.coverage, pattern=args.pattern)
    except Exception as exc:  # a bundle that does not compile
        return fail(f"cannot run the tests: {exc}")
    engine = "opa test" if use_opa else "embedded OPA engine"
    passed = len(report.results) - len(report.failed)
    policy_coverage = report.policy_coverage()
    if args.json:
        print_json({
            "engine": engine,
            "revision": bundle.revision,
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
        print(f"{status}: {passed}/{len(report.results)} tests passed ({engine}, revision {bundle.revision[:12]})")
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
        print(f"  {r.ref}: {'PASS' if r.passed else 'FAIL'} ({r.duration_ms:.1f}ms)")
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
