"""One caller cannot hurt another: streams per caller and in all, idle streams
closed, calls in flight bounded, health answered whatever holds the workers,
page tokens checked, and a log record that cannot be written failing only
its own call."""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import grpc
import pytest
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc

from verdict.v1 import audit_service_pb2 as au
from verdict.v1 import audit_service_pb2_grpc as au_grpc
from verdict.v1 import decision_pb2
from verdict.v1 import policy_service_pb2 as ps
from verdict.v1 import policy_service_pb2_grpc as ps_grpc

from server.api.auth import caller_entry
from server.db.database import Database
from server.decisionlog.log import DecisionLog, DecisionLogError
from shared.tlog.record import LogRecord
from tests.conftest import import_accounts, log_writer, start_server
from tests.fakes.opa import FakeOpa

CALLERS = {"streamer": ["decide"], "other": ["decide", "audit:read"]}


def decide_request(post: str) -> ps.DecideRequest:
    return json_format.ParseDict({"case": {
        "content": {"kind": "CONTENT_KIND_POST", "post_id": post, "author_account_id": "acc-candidate-100k"},
        "violation": {"policy": "POLICY_HATEFUL_CONDUCT", "rule": {"confirmed": True}},
        "as_of": "2024-05-01T12:00:00Z"}}, ps.DecideRequest())


def auth(name: str) -> tuple[tuple[str, str], ...]:
    """The caller's token as metadata ("": none, for a server without callers)."""
    return (("authorization", f"Bearer token-{name}"),) if name else ()


@pytest.fixture
def callers_file(tmp_path):
    path = tmp_path / "callers.toml"
    path.write_text("".join(caller_entry(name, f"token-{name}", scopes) for name, scopes in CALLERS.items()))
    return path


@contextmanager
def serving(sqlite_url, opa_url, tmp_path, **settings) -> Iterator[tuple[Any, grpc.Channel, list["IdleStream"]]]:
    """The server with the demo accounts, a channel to it, and the streams a test opens there;
    all closed when the block ends."""
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, opa_url, tmp_path, **settings)
    channel = grpc.insecure_channel(f"127.0.0.1:{app.port}")
    streams: list[IdleStream] = []
    try:
        yield app, channel, streams
    finally:
        for stream in streams:
            stream.close()
        channel.close()
        app.stop()


def health_of(channel: grpc.Channel) -> str:
    """SERVING or NOT_SERVING, or the code the check failed with (DEADLINE_EXCEEDED when it waited in vain)."""
    try:
        status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10).status
    except grpc.RpcError as exc:
        return exc.code().name
    return health_pb2.HealthCheckResponse.ServingStatus.Name(status)


def code_of(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


class IdleStream:
    """A DecideStream that sends one request, reads its answer, then sends nothing until closed."""

    def __init__(self, stub: ps_grpc.PolicyServiceStub, caller: str, n: int) -> None:
        self.stub, self.caller, self.n = stub, caller, n
        self.release = threading.Event()
        self.responses = None

    def _requests(self) -> Iterator[ps.DecideRequest]:
        yield decide_request(f"stream-{self.n}")
        self.release.wait()

    def open(self, wait: float = 10.0) -> grpc.StatusCode | None:
        """OK once the first answer came (the stream is held), the code it was refused with,
        or None if nothing came within ``wait`` seconds (it waits for a worker)."""
        self.responses = self.stub.DecideStream(self._requests(), metadata=auth(self.caller), timeout=120)
        outcome: list[grpc.StatusCode] = []

        def first_answer() -> None:
            try:
                next(self.responses)
                outcome.append(grpc.StatusCode.OK)
            except grpc.RpcError as exc:
                outcome.append(exc.code())

        reader = threading.Thread(target=first_answer, daemon=True)
        reader.start()
        reader.join(wait)
        return outcome[0] if outcome else None

    def finish(self) -> None:
        """Send no more and read to the end: when the stream has ended, the server has let it go."""
        self.release.set()
        for _ in self.responses:
            pass

    def close(self) -> None:
        self.release.set()
        if self.responses is not None:
            self.responses.cancel()


def test_forty_idle_streams_of_one_caller_leave_health_and_other_callers_served(sqlite_url, opa_url, tmp_path, callers_file, capsys):
    with serving(sqlite_url, opa_url, tmp_path, callers_file=callers_file) as (app, channel, streams):
        stub = ps_grpc.PolicyServiceStub(channel)
        streams += [IdleStream(stub, "streamer", n) for n in range(40)]
        opened = [s.open() for s in streams]
        held = opened.count(grpc.StatusCode.OK)
        refused = opened.count(grpc.StatusCode.RESOURCE_EXHAUSTED)
        waiting = opened.count(None)
        health = health_of(channel)
        other = code_of(lambda: stub.Decide(decide_request("other-1"), metadata=auth("other"), timeout=10))
        streams.append(IdleStream(stub, "other", 99))
        other_stream = streams[-1].open()
        with capsys.disabled():
            print(f"\n40 idle DecideStreams of one caller: {held} held, {refused} refused (RESOURCE_EXHAUSTED), "
                  f"{waiting} waiting for a worker; while they are held: health {health}, Decide of another "
                  f"caller {other.name}, a stream of another caller {other_stream.name if other_stream else 'waiting'}")
        assert held == app.settings.max_streams_per_caller == 8
        assert refused == 32
        assert health == "SERVING"
        assert other == other_stream == grpc.StatusCode.OK


def test_streams_in_all_are_bounded_below_the_workers(sqlite_url, opa_url, tmp_path, callers_file):
    with serving(sqlite_url, opa_url, tmp_path, callers_file=callers_file, workers=6, max_streams=3,
                 max_streams_per_caller=2) as (app, channel, streams):
        stub = ps_grpc.PolicyServiceStub(channel)
        streams += [IdleStream(stub, caller, n) for n, caller in enumerate(["streamer", "streamer", "other", "other"])]
        assert [s.open() for s in streams] == [grpc.StatusCode.OK] * 3 + [grpc.StatusCode.RESOURCE_EXHAUSTED]
        assert stub.Decide(decide_request("unary"), metadata=auth("other"), timeout=10).decision.decision_id
        streams[0].finish()
        streams.append(IdleStream(stub, "other", 9))
        assert streams[-1].open() == grpc.StatusCode.OK  # a slot given back is taken again


def test_an_idle_request_stream_is_closed(sqlite_url, opa_url, tmp_path):
    with serving(sqlite_url, opa_url, tmp_path, stream_idle_seconds=0.5) as (app, channel, streams):
        stub = ps_grpc.PolicyServiceStub(channel)
        streams.append(IdleStream(stub, "", 1))
        assert streams[0].open() == grpc.StatusCode.OK
        with pytest.raises(grpc.RpcError) as closed:
            next(streams[0].responses)
        assert closed.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert "no request on this stream" in closed.value.details()
        busy = list(stub.DecideStream(iter([decide_request(f"busy-{n}") for n in range(3)]), timeout=30))
        assert len(busy) == 3  # a stream that keeps sending is not cut


def test_calls_beyond_the_concurrency_limit_are_resource_exhausted(sqlite_url, opa_url, tmp_path):
    with serving(sqlite_url, opa_url, tmp_path, max_concurrent_rpcs=2, workers=4, max_streams=3,
                 max_streams_per_caller=3) as (app, channel, streams):
        stub = ps_grpc.PolicyServiceStub(channel)
        streams += [IdleStream(stub, "", n) for n in range(2)]
        assert [s.open() for s in streams] == [grpc.StatusCode.OK] * 2
        assert code_of(lambda: stub.Decide(decide_request("third"), timeout=10)) == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_health_answers_while_every_worker_is_busy(sqlite_url, opa_url, tmp_path):
    """Both workers wait on an OPA that holds their queries; health checks run on threads of their own."""
    slow = FakeOpa(opa_url)
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        with serving(sqlite_url, slow.url, tmp_path, workers=2, max_streams=1, opa_timeout=60.0) as (app, channel, _):
            stub = ps_grpc.PolicyServiceStub(channel)
            slow.hold.clear()
            calls = [pool.submit(stub.Decide, decide_request(f"held-{n}"), timeout=60) for n in range(2)]
            for _ in range(2):
                assert slow.held.acquire(timeout=30)  # both workers are inside Decide, waiting for OPA
            assert health_of(channel) == "SERVING"
            slow.hold.set()
            assert all(call.result(timeout=60).decision.decision_id for call in calls)
    finally:
        slow.hold.set()
        pool.shutdown(wait=True)
        slow.close()


# ---------------------------------------------------------------- page tokens and the group commit

def token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("page_token", [token(f"seq:{2**63 + 5}"), token(f"seq:{2**64 + 5}"), token("seq:-1"), token("seq:0"),
                                        token("seq:1e3"), "seq:12", "not base64!"])
def test_page_tokens_the_server_never_gave_are_invalid(sqlite_url, opa_url, tmp_path, page_token):
    with serving(sqlite_url, opa_url, tmp_path) as (app, channel, _):
        audit = au_grpc.AuditServiceStub(channel)
        for call in (audit.QueryDecisions, lambda r, **kw: list(audit.StreamDecisions(r, **kw))):
            with pytest.raises(grpc.RpcError) as refused:
                call(au.QueryDecisionsRequest(page_token=page_token), timeout=10)
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert refused.value.details().startswith("page_token:")


def test_bad_page_tokens_never_fail_the_decisions_of_other_callers(sqlite_url, opa_url, tmp_path, callers_file):
    bad = token(f"seq:{2**63 + 5}")
    with serving(sqlite_url, opa_url, tmp_path, callers_file=callers_file) as (app, channel, _):
        stub, audit = ps_grpc.PolicyServiceStub(channel), au_grpc.AuditServiceStub(channel)
        query = lambda n: code_of(lambda: audit.QueryDecisions(  # noqa: E731
            au.QueryDecisionsRequest(page_token=bad), metadata=auth("other"), timeout=30))
        decide = lambda n: code_of(lambda: stub.Decide(decide_request(f"mix-{n}"), metadata=auth("streamer"), timeout=30))  # noqa: E731
        with ThreadPoolExecutor(max_workers=16) as pool:
            queries = [pool.submit(query, n) for n in range(100)]
            decisions = [pool.submit(decide, n) for n in range(200)]
            assert {q.result() for q in queries} == {grpc.StatusCode.INVALID_ARGUMENT}
            assert {d.result() for d in decisions} == {grpc.StatusCode.OK}


def record(decision_id: str, **body) -> LogRecord:
    return LogRecord(decision_id=decision_id, kind="audit_read", recorded_at="2024-05-01T12:00:00.000Z", caller="t",
                     revision="", body={"decision_id": decision_id, "kind": "audit_read", **body})


def test_a_record_that_cannot_be_serialized_fails_before_it_joins_a_group(sqlite_url):
    from server.db.migrations import migrate
    from server.decisionlog.log import UnloggableRecord

    db = Database(sqlite_url)
    migrate(db)
    log = DecisionLog(db, log_writer())
    try:
        with pytest.raises(UnloggableRecord):
            log.append(record("dec_big", after_seq=2**64 + 5))
        log.append(record("dec_fine"))
        assert [d for (d,) in db.query("SELECT decision_id FROM decision_log")] == ["dec_fine"]
    finally:
        log.close()
        db.close()


def test_a_record_the_database_refuses_fails_alone_in_its_group_commit(db_url):
    """A record whose ID is taken joins a group with good ones: only it fails, the others commit."""
    from server.db.migrations import migrate

    db = Database(db_url)
    migrate(db)
    log = DecisionLog(db, log_writer())
    blocker = Database(db_url)
    results: dict[str, str] = {}

    def append(decision_id: str) -> None:
        try:
            log.append(record(decision_id))
            results[decision_id] = "committed"
        except DecisionLogError as exc:
            results[decision_id] = "refused" if type(exc).__name__ == "UnloggableRecord" else "failed with the group"

    try:
        log.append(record("dec_taken"))
        with blocker.transaction(write=True) as cur:  # hold the log's write lock: the next records gather in one group
            cur.execute("UPDATE tree_head SET size = size WHERE id = 1")
            first = threading.Thread(target=append, args=("dec_first",))
            first.start()
            wait_until(lambda: log._queue.qsize() == 0)  # the writer took it and waits for the lock
            group = [threading.Thread(target=append, args=(d,)) for d in ("dec_a", "dec_taken", "dec_b", "dec_c")]
            for t in group:
                t.start()
            wait_until(lambda: log._queue.qsize() == len(group))
        for t in [first, *group]:
            t.join(timeout=60)
        assert results == {"dec_first": "committed", "dec_a": "committed", "dec_taken": "refused",
                           "dec_b": "committed", "dec_c": "committed"}
        logged = [d for (d,) in db.query("SELECT decision_id FROM decision_log ORDER BY seq")]
        assert sorted(logged) == sorted(["dec_taken", "dec_first", "dec_a", "dec_b", "dec_c"])
        from tests.conftest import verify_log

        assert verify_log(db).ok
    finally:
        log.close()
        blocker.close()
        db.close()


def wait_until(condition, timeout: float = 30.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
