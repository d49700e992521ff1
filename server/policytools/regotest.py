"""Run Rego unit tests (``test_*`` rules) like ``opa test``, with line coverage.

With the embedded engine all test rules are evaluated in one query (each
test inside its own comprehension, so an undefined test is a failure and
not an undefined query), with OPA's coverage tracer on: the bundle is
compiled and the coverage report built once, not once per test, which is
what made a run take minutes. A test that fails or errors is then run on
its own to say where it failed. ``each=True`` evaluates every test on its
own, for per-test timings. When an ``opa`` binary is on PATH the real
``opa test`` runs instead.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from opa_bindings import OpaEngine, OpaError

from server.engine.bundle import Bundle
from server.engine.opa_golib import new_engine

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)
# The --timeout given to the real `opa test`, in seconds (`verdict rego test --timeout`).
DEFAULT_TIMEOUT = 120.0


@dataclass
class TestResult:
    file: str
    package: str
    name: str
    passed: bool
    duration_ms: float
    error: str = ""
    failed_at: str = ""  # location of the last failing expression in the test

    @property
    def ref(self) -> str:
        return f"data.{self.package}.{self.name}"


@dataclass
class FileCoverage:
    covered: set[int] = field(default_factory=set)
    not_covered: set[int] = field(default_factory=set)

    @property
    def missed(self) -> set[int]:
        return self.not_covered - self.covered

    @property
    def percent(self) -> float:
        total = len(self.covered | self.missed)
        return 100.0 if total == 0 else 100.0 * len(self.covered) / total


@dataclass
class TestReport:
    results: list[TestResult]
    coverage: dict[str, FileCoverage]
    # False when the tests ran in one query: a test's duration is then its share.
    timed_each: bool = True

    @property
    def failed(self) -> list[TestResult]:
        return [r for r in self.results if not r.passed]

    def policy_coverage(self) -> float:
        """Line coverage over the policy files (test files excluded)."""
        covered = missed = 0
        for path, cov in self.coverage.items():
            if not is_test_file(path):
                covered += len(cov.covered)
                missed += len(cov.missed)
        return 100.0 if covered + missed == 0 else 100.0 * covered / (covered + missed)


def is_test_file(path: str) -> bool:
    return path.endswith("_test.rego")


def discover(bundle: Bundle) -> list[tuple[str, str, str]]:
    """(file, package, rule) for every test rule, in file order."""
    found: list[tuple[str, str, str]] = []
    for path, source in bundle.modules.items():
        package = _PACKAGE.search(source)
        if not package:
            continue
        seen: set[str] = set()
        for name in _TEST_RULE.findall(source):
            if name not in seen:  # a test may have several bodies (incremental rule)
                seen.add(name)
                found.append((path, package.group(1), name))
    return found


def _lines(ranges: list[dict]) -> set[int]:
    lines: set[int] = set()
    for r in ranges or []:
        lines.update(range(r["start"]["row"], r["end"]["row"] + 1))
    return lines


def _merge(coverage: dict[str, FileCoverage], report: dict | None) -> None:
    for path, file_report in ((report or {}).get("files") or {}).items():
        cov = coverage.setdefault(path, FileCoverage())
        cov.covered |= _lines(file_report.get("covered"))
        cov.not_covered |= _lines(file_report.get("not_covered"))


def _failed_at(engine: OpaEngine, query: str, test_file: str) -> str:
    """Where the test failed: the last failing expression inside the test file."""
    try:
        engine.eval_query(query, trace=True)
    except OpaError:
        return ""
    fails = [e for e in engine.last_trace or [] if e.get("op") == "Fail" and str(e.get("location", "")).startswith(test_file + ":")]
    return f"{fails[-1]['location']}: {fails[-1]['node']}" if fails else ""


def _run_one(engine: OpaEngine, path: str, package: str, name: str, coverage: bool,
             merged: dict[str, FileCoverage]) -> TestResult:
    query = f"x := data.{package}.{name}"
    started = time.perf_counter()
    try:
        rows = engine.eval_query(query, coverage=coverage)
        passed = bool(rows) and rows[0].get("x") is True
        error = ""
    except OpaError as exc:
        passed, error = False, exc.message
    elapsed = (time.perf_counter() - started) * 1000
    if coverage:
        _merge(merged, engine.last_coverage)
    result = TestResult(path, package, name, passed, elapsed, error)
    if not passed and not error:
        result.failed_at = _failed_at(engine, query, path)
    return result


def _run_together(engine: OpaEngine, tests: list[tuple[str, str, str]], coverage: bool,
                  merged: dict[str, FileCoverage]) -> list[TestResult] | None:
    """Every test in one query; None when the query errors (a test raised)."""
    query = "; ".join(f"t{i} := [x | x := data.{package}.{name}]" for i, (_, package, name) in enumerate(tests))
    started = time.perf_counter()
    try:
        rows = engine.eval_query(query, coverage=coverage)
    except OpaError:
        return None
    elapsed = (time.perf_counter() - started) * 1000
    if coverage:
        _merge(merged, engine.last_coverage)
    row = rows[0] if rows else {}
    results = []
    for i, (path, package, name) in enumerate(tests):
        passed = row.get(f"t{i}") == [True]
        results.append(TestResult(path, package, name, passed, elapsed / len(tests)))
    return results


def _run_group(engine: OpaEngine, tests: list[tuple[str, str, str]], coverage: bool,
               merged: dict[str, FileCoverage]) -> list[TestResult]:
    """Run tests together; a test that raises an error is found by halving."""
    if len(tests) == 1:
        return [_run_one(engine, *tests[0], coverage, merged)]
    together = _run_together(engine, tests, coverage, merged)
    if together is None:
        half = len(tests) // 2
        return _run_group(engine, tests[:half], coverage, merged) + _run_group(engine, tests[half:], coverage, merged)
    # Say where each failing test failed, from a run of its own.
    return [r if r.passed else _run_one(engine, r.file, r.package, r.name, False, {}) for r in together]


def run_embedded(bundle: Bundle, coverage: bool = True, pattern: str | None = None, each: bool = False) -> TestReport:
    engine = new_engine(bundle)
    merged: dict[str, FileCoverage] = {}
    matcher = re.compile(pattern) if pattern else None
    tests = [t for t in discover(bundle) if not matcher or matcher.search(f"{t[1]}.{t[2]}")]
    try:
        if each or not tests:
            return TestReport([_run_one(engine, *t, coverage, merged) for t in tests], merged)
        return TestReport(_run_group(engine, tests, coverage, merged), merged, timed_each=False)
    finally:
        engine.close()


def opa_binary() -> str | None:
    return shutil.which("opa")


def bundle_path(reported: str, known: Iterable[str]) -> str:
    """A file as ``opa test --bundle`` names it (with the bundle directory in front, absolute,
    with a leading "/" or "file://": bundle mode mixes them, so one file came out as two
    coverage rows) -> its path in the bundle, the one name the embedded runner uses too."""
    path = reported.removeprefix("file://")
    for candidate in sorted(known, key=len, reverse=True):
        if path == candidate or path.endswith("/" + candidate):
            return candidate
    return path.lstrip("/")


def run_with_opa(bundle_dir: Path, coverage: bool = True, pattern: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> TestReport:
    """The real ``opa test``: results from ``--format json``, coverage from ``--coverage``.
    ``timeout``: seconds, passed as ``opa test --timeout`` (OPA's own default, 5 s, is too
    short for the decision tables on a loaded machine)."""
    opa = opa_binary()
    assert opa, "opa is not on PATH"
    known = list(Bundle.from_directory(bundle_dir, tests=True).modules)
    args = [opa, "test", "--bundle", str(bundle_dir), "--timeout", f"{timeout:g}s"]
    if pattern:
        args += ["--run", pattern]
    out = subprocess.run([*args, "--format", "json"], capture_output=True, text=True)
    rows = json.loads(out.stdout or "[]")
    results = [
        TestResult(
            bundle_path(r.get("location", {}).get("file", ""), known), r["package"].removeprefix("data."), r["name"],
            not r.get("fail") and not r.get("error"), r.get("duration", 0) / 1e6,
            json.dumps(r["error"]) if r.get("error") else "",
        )
        for r in rows
    ]
    merged: dict[str, FileCoverage] = {}
    if coverage:
        cov = subprocess.run([*args, "--coverage"], capture_output=True, text=True)
        report = json.loads(cov.stdout or "{}")
        for path, file_report in (report.get("files") or {}).items():
            _merge(merged, {"files": {bundle_path(path, known): file_report}})
    return TestReport(results, merged)
