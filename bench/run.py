"""`make bench`: the server against the engine it wraps, in the same run.

Targets, each under the same closed-loop load at several concurrency levels:
  server-sidecar   the verdict gRPC server, OPA over REST (the sidecar), durable logging on
  server-embedded  the verdict gRPC server, OPA in-process, durable logging on
  opa-rest         the same decisions as bare OPA REST queries to the sidecar
  engine           the same decisions evaluated in-process by the embedded engine alone
Then each server at half its peak throughput, paced (p99 without hiding
queueing), and a replay of everything the servers logged.

The transparency log's costs, in the same run: the embedded server with
its Merkle tree and signed checkpoints against the same server storing
records only (bench.baseline_server), alternating, at one concurrency;
and `verdict audit verify` over the embedded server's log (records/s).

Writes bench/results.json and bench/latency_throughput.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc

from bench import load
from bench.baseline_server import RecordsOnlyWriter
from bench.workload import build, save
from server.decisionlog.writer import LogWriter
from shared.tlog.note import Ed25519Signer, verifier_of
from server.decisionlog.tree import TreeWriter
from server.engine.bundle import Bundle
from server.engine.embedded import reexec_with_go_gc_tuned
from server.engine.process import OpaChild, start_opa as start_opa_child

ROOT = Path(__file__).resolve().parent.parent
MASK_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
LOG_KEY = Ed25519Signer.generate("verdict.bench/decision-log")  # a new log per run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_grpc(address: str, timeout: float = 60) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        while time.monotonic() < deadline:
            try:
                if health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    return
            except grpc.RpcError:
                time.sleep(0.2)
    raise RuntimeError(f"server at {address} did not come up")


def start_opa(bundle: Path, port: int, tmp: Path) -> tuple[OpaChild, str]:
    """Real OPA or the sidecar, as `make run` starts it (server.engine.process), its output in tmp/opa.log."""
    child = start_opa_child(bundle, f"127.0.0.1:{port}", tmp)
    return child, child.kind


def start_server(engine: str, db_url: str, opa_url: str, bundle: Path, tmp: Path, module: str = "server") -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "VERDICT_MASK_KEY": MASK_KEY, "VERDICT_LOG_LEVEL": "warning", "VERDICT_LOG_KEY": LOG_KEY.text(),
           "VERDICT_WITNESS_DIR": str(witness_dir(tmp, db_url))}
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--listen", f"127.0.0.1:{port}", "--engine", engine, "--opa-url", opa_url,
         "--bundle", str(bundle), "--db", db_url],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / f"{module}-{engine}-{port}.log", "w"),
    )
    address = f"127.0.0.1:{port}"
    wait_grpc(address)
    return process, address


def witness_dir(tmp: Path, db_url: str) -> Path:
    return tmp / f"witness-{Path(db_url).stem}"


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def measure(name: str, target: str, address: str, workload_path: Path, levels: list[int], seconds: float) -> list[dict]:
    rows = []
    for concurrency in levels:
        result = load.run(target, address, workload_path, concurrency, seconds)
        row = {"name": name, **result.as_dict()}
        rows.append(row)
        if result.errors > result.completed / 100:
            raise SystemExit(f"{name} at concurrency {concurrency}: {result.errors} errors, e.g. {result.first_error}")
        print(f"  {name:<16} c={concurrency:<3} {result.throughput:8.0f}/s  p50 {result.p50:6.2f} ms  "
              f"p95 {result.p95:6.2f}  p99 {result.p99:6.2f}  errors {result.errors}", flush=True)
    return rows


def replay_rate(db_url: str, bundle: Path) -> dict:
    from server.audit.replay import Replayer
    from server.db.database import Database
    from server.engine.archive import PolicyArchive
    from server.decisionlog.reader import Filter, LogReader

    db = Database(db_url)
    replayer = Replayer(LogReader(db), PolicyArchive(db, bundle))
    report = replayer.run(Filter())
    replayer.close()
    db.close()
    return {"replayed": report.replayed, "faults": report.faults, "errors": report.errors,
            "seconds": round(report.seconds, 2), "per_second": round(report.per_second, 1)}


def verify_rate(db_url: str, tmp: Path) -> dict:
    """`verdict audit verify` over a whole log: every record rehashed, every node and checkpoint checked."""
    from server.audit.verify import verify
    from server.db.database import Database
    from server.decisionlog.checkpoints import Witness

    db = Database(db_url)
    cpu = time.process_time()
    result = verify(db, verifier_of(LOG_KEY), Witness(witness_dir(tmp, db_url)))
    cpu = time.process_time() - cpu
    db.close()
    return {"records": result.records, "ok": result.ok, "problems": [f.message for f in result.findings[:3]],
            "checkpoints": result.checkpoints, "seconds": round(result.seconds, 2), "per_second": round(result.per_second),
            "cpu_seconds": round(cpu, 2), "per_cpu_second": round(result.records / cpu) if cpu else 0,
            "load_average": round(os.getloadavg()[0], 2)}


def append_overhead(opa_url: str, bundle: Path, tmp: Path, workload_path: Path, seconds: float, rounds: int,
                    concurrency: int = 16) -> dict:
    """The embedded server with the Merkle tree and checkpoints against the same server storing
    records only, each on a fresh database. Measured in pairs, back to back, the order
    alternating, so load from elsewhere on the machine hits both alike; the overhead is the
    median of the pairs' ratios."""
    policy = Bundle.from_directory(bundle, tests=True)  # the workload is the decision tables
    servers = {}
    try:
        for name, module, writer in (("tree", "server", LogWriter(TreeWriter(LOG_KEY))),
                                     ("records only", "bench.baseline_server", RecordsOnlyWriter())):
            db_url = f"sqlite:///{tmp}/overhead-{'tree' if module == 'server' else 'plain'}.db"
            build(policy, db_url, bytes.fromhex(MASK_KEY), writer)
            servers[name] = start_server("embedded", db_url, opa_url, bundle, tmp, module)
        pairs: list[dict[str, float]] = []
        for n in range(rounds):
            pair = {}
            for name in (("tree", "records only") if n % 2 == 0 else ("records only", "tree")):
                result = load.run("grpc", servers[name][1], workload_path, concurrency, seconds)
                if result.errors:
                    raise SystemExit(f"append overhead, {name}: {result.errors} errors, e.g. {result.first_error}")
                pair[name] = result.throughput
            pairs.append(pair)
            print(f"  round {n + 1}: tree {pair['tree']:6.0f}/s, records only {pair['records only']:6.0f}/s", flush=True)
    finally:
        for process, _ in servers.values():
            stop(process)
    ratio = statistics.median(p["tree"] / p["records only"] for p in pairs)
    return {"concurrency": concurrency, "seconds_each": seconds, "pairs": pairs,
            "tree_median": round(statistics.median(p["tree"] for p in pairs), 1),
            "records_only_median": round(statistics.median(p["records only"] for p in pairs), 1),
            "overhead_percent": round(100 * (1 - ratio), 1)}


def append_cost(tmp: Path, records: int = 20000, batch: int = 16) -> dict:
    """The log alone, without OPA or gRPC: the same records appended in group commits by
    eight threads, with the tree and signed heads and with records only (in turns)."""
    import threading

    from server.db.database import Database
    from server.db.migrations import migrate
    from server.decisionlog.log import DecisionLog
    from shared.tlog.record import LogRecord

    body = {"request": {"case": {"note": "x" * 3000}}, "result": {"outcome": "OUTCOME_REQUIRE_REMOVAL"}}
    out: dict[str, list[float]] = {"tree": [], "records only": []}
    for n in range(4):
        for name in ("tree", "records only") if n % 2 == 0 else ("records only", "tree"):
            db = Database(f"sqlite:///{tmp}/append-{n}-{name.replace(' ', '-')}.db")
            migrate(db)
            log = DecisionLog(db, LogWriter(TreeWriter(LOG_KEY)) if name == "tree" else RecordsOnlyWriter())

            def work(w: int) -> None:
                for i in range(w, records, 8):
                    log.append(LogRecord(decision_id=f"dec_{i:012d}", kind="decide", recorded_at="2024-05-01T12:00:00Z",
                                         caller="bench", revision="r", body={**body, "i": i}, clauses=["PI-1.1", "PI-1.3"]))

            started = time.perf_counter()
            threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            out[name].append(records / (time.perf_counter() - started))
            log.close()
            db.close()
    tree, plain = statistics.median(out["tree"]), statistics.median(out["records only"])
    return {"records": records, "tree_per_second": round(tree), "records_only_per_second": round(plain),
            "microseconds_per_record": round(1e6 / tree - 1e6 / plain, 1)}


def batch_rate(address: str, workload_path: Path, seconds: float, size: int = 200) -> dict:
    """Bulk work: DecideBatch of ``size`` cases, one round trip and one group commit each."""
    from bench.workload import load as load_workload
    from verdict.v1 import policy_service_pb2 as ps

    requests = [ps.DecideRequest.FromString(r) for r in load_workload(workload_path).grpc_requests]
    batch = ps.DecideBatchRequest(requests=[requests[i % len(requests)] for i in range(size)])
    done, started = 0, time.perf_counter()
    with grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", 64 << 20)]) as channel:
        call = channel.unary_unary("/verdict.v1.PolicyService/DecideBatch", request_serializer=ps.DecideBatchRequest.SerializeToString,
                                   response_deserializer=ps.DecideBatchResponse.FromString)
        while time.perf_counter() - started < seconds:
            call(batch, timeout=120)
            done += size
    elapsed = time.perf_counter() - started
    return {"batch_size": size, "decisions": done, "seconds": round(elapsed, 2), "per_second": round(done / elapsed, 1)}


def fill_log(address: str, workload_path: Path, total: int) -> int:
    """Log ``total`` decisions through DecideBatch (for the replay of 100,000)."""
    from bench.workload import load as load_workload
    from verdict.v1 import policy_service_pb2 as ps

    requests = [ps.DecideRequest.FromString(r) for r in load_workload(workload_path).grpc_requests]
    done = 0
    with grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", 64 << 20)]) as channel:
        batch = channel.unary_unary("/verdict.v1.PolicyService/DecideBatch",
                                    request_serializer=ps.DecideBatchRequest.SerializeToString,
                                    response_deserializer=ps.DecideBatchResponse.FromString)
        while done < total:
            size = min(500, total - done)
            batch(ps.DecideBatchRequest(requests=[requests[(done + i) % len(requests)] for i in range(size)]), timeout=300)
            done += size
            print(f"\r  logged {done}/{total}", end="", flush=True)
    print()
    return done


def chart(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for name in dict.fromkeys(r["name"] for r in rows if r["mode"] == "closed"):
        points = [r for r in rows if r["name"] == name and r["mode"] == "closed"]
        ax.plot([p["throughput"] for p in points], [p["p50"] for p in points], marker="o", label=f"{name} p50")
        ax.plot([p["throughput"] for p in points], [p["p99"] for p in points], marker="x", linestyle="--", label=f"{name} p99")
    ax.set_xlabel("throughput (decisions/s)")
    ax.set_ylabel("latency (ms)")
    ax.set_yscale("log")
    ax.set_title("verdict vs bare OPA: latency against throughput (closed loop)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    reexec_with_go_gc_tuned("bench.run")  # the same engine settings as the server, for the in-process baselines
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short run for development (2 levels, 3 s each, no 100k replay)")
    parser.add_argument("--seconds", type=float, help="seconds per measurement (default 8, quick 3)")
    parser.add_argument("--levels", help="comma-separated concurrency levels (default 1,4,16,32; quick 1,8)")
    parser.add_argument("--replay-records", type=int, help="log this many decisions and replay them (default 100000; quick: none)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    seconds = args.seconds or (3.0 if args.quick else 8.0)
    levels = [int(x) for x in (args.levels or ("1,8" if args.quick else "1,4,16,32")).split(",")]
    replay_records = args.replay_records if args.replay_records is not None else (0 if args.quick else 100_000)
    os.environ["VERDICT_MASK_KEY"] = MASK_KEY

    with tempfile.TemporaryDirectory(prefix="verdict-bench-") as tmpdir:
        tmp = Path(tmpdir)
        bundle = tmp / "rego"  # a copy: editing rego/ during the run must not change what is measured
        shutil.copytree(ROOT / "rego", bundle)
        dbs = {"sidecar": f"sqlite:///{tmp}/sidecar.db", "embedded": f"sqlite:///{tmp}/embedded.db"}
        policy = Bundle.from_directory(bundle, tests=True)  # the workload is the decision tables
        workload = build(policy, dbs["sidecar"], bytes.fromhex(MASK_KEY), LogWriter(TreeWriter(LOG_KEY)))
        build(policy, dbs["embedded"], bytes.fromhex(MASK_KEY), LogWriter(TreeWriter(LOG_KEY)))
        workload_path = tmp / "workload.json"
        save(workload, workload_path)
        print(f"workload: {len(workload.grpc_requests)} decision-table cases; levels {levels}; {seconds:.0f} s each", flush=True)

        opa_port = free_port()
        opa, opa_kind = start_opa(bundle, opa_port, tmp)
        opa_url = f"http://127.0.0.1:{opa_port}"
        rows: list[dict] = []
        batches: dict[str, dict] = {}
        try:
            print("bare engine and bare OPA:", flush=True)
            rows += measure("engine", "engine", str(bundle), workload_path, levels, seconds)
            rows += measure("opa-rest", "opa", f"127.0.0.1:{opa_port}", workload_path, levels, seconds)
            for mode in ("sidecar", "embedded"):
                print(f"server ({mode}):", flush=True)
                server, address = start_server(mode, dbs[mode], opa_url, bundle, tmp)
                try:
                    closed = measure(f"server-{mode}", "grpc", address, workload_path, levels, seconds)
                    rows += closed
                    peak = max(r["throughput"] for r in closed)
                    paced = load.run("grpc", address, workload_path, 16, seconds, rate=peak / 2)
                    rows.append({"name": f"server-{mode}", **paced.as_dict()})
                    print(f"  server-{mode} paced at {peak / 2:.0f}/s (half of peak): p50 {paced.p50:.2f} ms  p99 {paced.p99:.2f} ms  "
                          f"achieved {paced.throughput:.0f}/s", flush=True)
                    batches[f"server-{mode}"] = batch_rate(address, workload_path, seconds)
                    print(f"  server-{mode} DecideBatch of 200: {batches[f'server-{mode}']['per_second']:.0f}/s", flush=True)
                    if mode == "embedded" and replay_records:
                        fill_log(address, workload_path, replay_records)
                finally:
                    stop(server)
            print("append overhead: the Merkle tree and signed checkpoints against records only (embedded, alternating):", flush=True)
            overhead = append_overhead(opa_url, bundle, tmp, workload_path, min(seconds, 4.0), 4 if args.quick else 10)
            print(f"  median {overhead['tree_median']:.0f}/s with the tree, {overhead['records_only_median']:.0f}/s records only: "
                  f"overhead {overhead['overhead_percent']}% (median of the pairs)", flush=True)
        finally:
            opa.stop()

        print("appending to the log alone (8 threads, group commits):", flush=True)
        cost = append_cost(tmp)
        overhead["log_alone"] = cost
        print(f"  {cost['tree_per_second']:,}/s with the tree, {cost['records_only_per_second']:,}/s records only: "
              f"{cost['microseconds_per_record']} us per record", flush=True)
        print("verifying the embedded server's log (verdict audit verify)...", flush=True)
        verified = verify_rate(dbs["embedded"], tmp)
        print(f"  {verified['records']} records in {verified['seconds']} s: {verified['per_second']:,}/s "
              f"({verified['per_cpu_second']:,} per second of CPU; load average {verified['load_average']}), "
              f"{'OK' if verified['ok'] else 'FAILED: ' + '; '.join(verified['problems'])}", flush=True)

        replay_db = dbs["embedded"]
        print("replaying the embedded server's log on the recorded revisions...", flush=True)
        replay = replay_rate(replay_db, bundle)
        print(f"  replayed {replay['replayed']} in {replay['seconds']} s: {replay['per_second']:.0f}/s, faults {replay['faults']}", flush=True)

    results = summarize(rows, replay, opa_kind, levels, seconds)
    results["batch"] = batches
    results["append_overhead"] = overhead
    results["verify"] = verified
    results["goals"].update({
        "verify records/s (whole log, every check)": {"value": verified["per_second"], "target": 50000,
                                                      "met": verified["ok"] and verified["per_second"] >= 50000},
        "append overhead of tree and checkpoints (%)": {"value": overhead["overhead_percent"], "target": 10,
                                                        "met": overhead["overhead_percent"] <= 10},
    })
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    chart(rows, args.out.parent / "latency_throughput.png")
    print_summary(results)
    print(f"\nwrote {args.out} and {args.out.parent / 'latency_throughput.png'}")
    return 0


def summarize(rows: list[dict], replay: dict, opa_kind: str, levels: list[int], seconds: float) -> dict:
    def row(name: str, concurrency: int) -> dict:
        return next(r for r in rows if r["name"] == name and r["concurrency"] == concurrency and r["mode"] == "closed")

    def peak(name: str) -> float:
        return max(r["throughput"] for r in rows if r["name"] == name and r["mode"] == "closed")

    ratios = []
    for c in levels:
        for mode, bare in (("sidecar", "opa-rest"), ("embedded", "engine")):
            server, base = row(f"server-{mode}", c), row(bare, c)
            ratios.append({"concurrency": c, "server": f"server-{mode}", "baseline": bare,
                           "p50_ratio": round(server["p50"] / base["p50"], 2) if base["p50"] else None,
                           "throughput_ratio": round(server["throughput"] / base["throughput"], 2) if base["throughput"] else None})
    paced = {r["name"]: r for r in rows if r["mode"] == "paced"}
    sidecar_p50 = row("server-sidecar", levels[0])["p50"]
    bare_p50 = row("opa-rest", levels[0])["p50"]
    goals = {
        "server p50 within 2x of a bare OPA REST query (lowest concurrency)": {
            "value": round(sidecar_p50 / bare_p50, 2), "target": 2.0, "met": sidecar_p50 <= 2 * bare_p50},
        "embedded mode peak decisions/s": {"value": round(peak("server-embedded")), "target": 1000, "met": peak("server-embedded") >= 1000},
        "sidecar mode peak decisions/s": {"value": round(peak("server-sidecar")), "target": 500, "met": peak("server-sidecar") >= 500},
        "embedded p99 at half of peak (ms)": {"value": round(paced["server-embedded"]["p99"], 2), "target": 20,
                                              "met": paced["server-embedded"]["p99"] < 20},
        "sidecar p99 at half of peak (ms)": {"value": round(paced["server-sidecar"]["p99"], 2), "target": 20,
                                             "met": paced["server-sidecar"]["p99"] < 20},
        "replay decisions/s": {"value": replay["per_second"], "target": 2000, "met": replay["per_second"] >= 2000},
    }
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_at_end": round(os.getloadavg()[0], 2)},
        "opa": opa_kind, "seconds_per_level": seconds, "levels": levels,
        "results": rows, "ratios": ratios, "replay": replay, "goals": goals,
    }


def print_summary(results: dict) -> None:
    print("\nserver / baseline at each level:")
    for r in results["ratios"]:
        print(f"  c={r['concurrency']:<3} {r['server']:<16} vs {r['baseline']:<9} p50 x{r['p50_ratio']}  throughput x{r['throughput_ratio']}")
    print("\ngoals:")
    for name, g in results["goals"].items():
        print(f"  [{'met' if g['met'] else 'NOT met':>7}] {name}: {g['value']} (target {g['target']})")


if __name__ == "__main__":
    raise SystemExit(main())
