"""A multi-process load generator: closed loop (N callers, each waits for its
answer) or paced (a fixed request rate; latency counted from when each request
was due, so queueing is not hidden)."""

from __future__ import annotations

import http.client
import multiprocessing as mp
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PROCESSES = 2
DECIDE = "/verdict.v1.PolicyService/Decide"
OPA_PATH = "/v1/data/verdict/decision/result?provenance=true&strict-builtin-errors=true"


@dataclass
class Result:
    target: str
    mode: str             # closed or paced
    concurrency: int
    rate: float           # requested rate (paced), 0 for closed loop
    completed: int
    errors: int
    seconds: float
    throughput: float
    p50: float
    p95: float
    p99: float
    first_error: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


def _caller(target: str, address: str, workload_path: str):
    """One function per thread that sends request ``i`` and raises on failure."""
    from bench.workload import load

    workload = load(Path(workload_path))
    if target == "grpc":
        import grpc

        channel = grpc.insecure_channel(address)
        method = channel.unary_unary(DECIDE)  # raw bytes in and out: no client-side protobuf work
        items = workload.grpc_requests

        def call(i: int) -> None:
            method(items[i % len(items)], timeout=30)

        return call
    if target == "opa":
        host, _, port = address.rpartition(":")
        local = threading.local()
        bodies = workload.opa_bodies

        def call(i: int) -> None:
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request("POST", OPA_PATH, body=bodies[i % len(bodies)], headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 200 or b'"result"' not in body:
                raise RuntimeError(f"OPA answered {response.status}")

        return call
    if target == "engine":
        from server.engine.bundle import Bundle
        from server.engine.embedded import EmbeddedEngine

        engine = EmbeddedEngine(Bundle.from_directory(address))
        engine.prewarm()
        inputs = workload.opa_inputs

        def call(i: int) -> None:
            engine.evaluate("verdict/decision/result", inputs[i % len(inputs)])

        return call
    raise ValueError(target)


def _process(target: str, address: str, workload_path: str, threads: int, start_at: float, seconds: float,
             interval: float, offset: int, out: mp.Queue) -> None:
    call = _caller(target, address, workload_path)
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    first_error: list[str] = []

    def run(t: int) -> None:
        i = offset + t * 7919
        while time.time() < start_at:  # warm up connections and caches until the start
            try:
                call(i)
            except Exception:
                pass
            i += 1
        end = start_at + seconds
        due = start_at + (t * interval / threads if interval else 0)
        while True:
            if interval:
                now = time.time()
                if due > now:
                    time.sleep(due - now)
                sent_at = due
                due += interval
            else:
                sent_at = time.time()
            if sent_at >= end:
                return
            try:
                call(i)
                latencies[t].append((time.time() - sent_at) * 1000)
            except Exception as exc:
                errors[t] += 1
                if not first_error:
                    first_error.append(f"{type(exc).__name__}: {exc}"[:500])
            i += 1

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(([x for lat in latencies for x in lat], sum(errors), first_error[0] if first_error else ""))


def run(target: str, address: str, workload_path: Path, concurrency: int, seconds: float,
        rate: float = 0.0, warmup: float = 1.5) -> Result:
    """``concurrency`` callers over up to PROCESSES processes; ``rate`` > 0 paces them."""
    processes = min(PROCESSES, concurrency)
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    start_at = time.time() + warmup + 2.0  # spawn time
    per_process = [concurrency // processes + (1 if p < concurrency % processes else 0) for p in range(processes)]
    procs = []
    for p, threads in enumerate(per_process):
        # each thread sends every `interval` seconds so that all of them together make `rate`
        interval = concurrency / rate if rate else 0.0
        proc = ctx.Process(target=_process, args=(target, address, str(workload_path), threads, start_at, seconds,
                                                   interval, p * 104729, out))
        proc.start()
        procs.append(proc)
    latencies: list[float] = []
    errors = 0
    first_error = ""
    for _ in procs:
        lat, err, message = out.get(timeout=seconds + warmup + 120)
        latencies.extend(lat)
        errors += err
        first_error = first_error or message
    for proc in procs:
        proc.join()
    latencies.sort()
    return Result(target, "paced" if rate else "closed", concurrency, rate, len(latencies), errors, seconds,
                  len(latencies) / seconds, _percentile(latencies, 0.50), _percentile(latencies, 0.95), _percentile(latencies, 0.99),
                  first_error)
