"""`make bench-policy`: the current rego/ against a git ref, in one run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from server.audit.candidates import from_git
from server.engine.bundle import Bundle

ROOT = Path(__file__).resolve().parents[2]


def test_bench_policy_times_both_revisions_and_the_floors():
    out = subprocess.run([sys.executable, "-m", "bench.policy", "--ref", "HEAD", "--rounds", "1", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    cases = sum(1 for doc in Bundle.from_directory(ROOT / "rego", tests=True).data["tables"].values()
                for case in doc["cases"] if case.get("kind", "decide") == "decide")
    assert figures["inputs"] == cases
    assert figures["earlier"]["revision"] == from_git("HEAD", ROOT / "rego").revision
    assert figures["current"]["revision"] == Bundle.from_directory(ROOT / "rego").revision
    for name in ("earlier", "current", "floor", "result_floor"):
        assert figures[name]["evaluations"] == cases
        assert 0 < figures[name]["median_ms"] <= figures[name]["p99_ms"]
    assert figures["median_ratio"] == round(figures["earlier"]["median_ms"] / figures["current"]["median_ms"], 2)


def test_bench_policy_names_a_ref_it_cannot_read():
    out = subprocess.run([sys.executable, "-m", "bench.policy", "--ref", "no-such-ref", "--rounds", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "no-such-ref" in out.stderr
