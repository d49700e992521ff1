"""Payloads that do not decode, sent raw to every method of every service.

Random bytes, valid requests cut short and string fields that are not
UTF-8 go over a raw channel (identity serializers), so the server's own
deserializers see them. Each must be INVALID_ARGUMENT naming the request
type, never INTERNAL, on PolicyService, AuditService, DsaService, health
and reflection; nothing is logged as a decision.

``ReplayDecisions`` candidates that cannot be paths or git refs (too long,
a NUL byte) are INVALID_ARGUMENT naming the field, and nothing of the
request reaches the server's log.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from typing import Iterator

import grpc
import pytest
import structlog
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2

from verdict.v1 import audit_service_pb2 as au
from verdict.v1 import audit_service_pb2_grpc as au_grpc
from verdict.v1 import dsa_service_pb2, policy_service_pb2

from tests.conftest import served_on_sqlite

SERVICES = [
    policy_service_pb2.DESCRIPTOR.services_by_name["PolicyService"],
    au.DESCRIPTOR.services_by_name["AuditService"],
    dsa_service_pb2.DESCRIPTOR.services_by_name["DsaService"],
    health_pb2.DESCRIPTOR.services_by_name["Health"],
    reflection_pb2.DESCRIPTOR.services_by_name["ServerReflection"],
]
METHODS = [m for service in SERVICES for m in service.methods]
PER_KIND = 12  # payloads of each kind per method
# Bytes that are not UTF-8: a lone continuation byte, an overlong encoding, a surrogate, a truncated sequence, 0xff.
NOT_UTF8 = [b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"ok\xe2\x82", b"\xff\xfeabc", b"caf\xe9", b"\xf8\x88\x80\x80\x80"]


def request_class(method: MethodDescriptor) -> type:
    return message_factory.GetMessageClass(method.input_type)


def _decodes(cls: type, data: bytes) -> bool:
    try:
        cls.FromString(data)
        return True
    except Exception:
        return False


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _length_delimited(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def string_paths(descriptor: Descriptor, depth: int = 0) -> list[list[FieldDescriptor]]:
    """Paths (field by field) to the string fields a request can carry, a few levels down."""
    paths: list[list[FieldDescriptor]] = []
    for field in descriptor.fields:
        if field.type == FieldDescriptor.TYPE_STRING:
            paths.append([field])
        elif field.type == FieldDescriptor.TYPE_MESSAGE and depth < 3 and not field.message_type.GetOptions().map_entry:
            paths.extend([field, *sub] for sub in string_paths(field.message_type, depth + 1))
    return paths


def _fill(message, rng: random.Random, depth: int = 0) -> None:
    """Something in every field a few levels down: strings, numbers that take several bytes, nested messages."""
    for field in message.DESCRIPTOR.fields:
        if field.containing_oneof is not None and message.WhichOneof(field.containing_oneof.name) is not None:
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth < 3 and not field.message_type.GetOptions().map_entry:
                container = getattr(message, field.name)
                _fill(container.add() if field.is_repeated else container, rng, depth + 1)
            continue
        if field.type == FieldDescriptor.TYPE_STRING:
            value = "".join(rng.choice("abcdefgh-é€") for _ in range(rng.randint(3, 30)))
        elif field.type == FieldDescriptor.TYPE_BYTES:
            value = b"bytes"
        elif field.type == FieldDescriptor.TYPE_BOOL:
            value = True
        elif field.type == FieldDescriptor.TYPE_ENUM:
            value = field.enum_type.values[-1].number
        elif field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            value = 1.5
        else:
            value = rng.randint(200_000, 900_000)
        if field.is_repeated:
            getattr(message, field.name).append(value)
        else:
            setattr(message, field.name, value)


def filled(cls: type, rng: random.Random) -> bytes:
    """A valid request with something in every field it can reach (to cut short)."""
    message = cls()
    _fill(message, rng)
    return message.SerializeToString()


def payloads(method: MethodDescriptor, rng: random.Random) -> dict[str, list[bytes]]:
    """Per kind, payloads that do not decode as the method's request (checked with protobuf here)."""
    cls = request_class(method)
    out: dict[str, list[bytes]] = {"random": [], "truncated": [], "not_utf8": []}
    while len(out["random"]) < PER_KIND:
        data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        if not _decodes(cls, data):
            out["random"].append(data)
    whole = filled(cls, rng)
    cuts = [whole[:n] for n in range(1, len(whole)) if not _decodes(cls, whole[:n])]
    out["truncated"] = rng.sample(cuts, min(PER_KIND, len(cuts)))
    paths = string_paths(cls.DESCRIPTOR)
    for i in range(PER_KIND if paths else 0):
        path = paths[i % len(paths)]
        data = _length_delimited(path[-1].number, NOT_UTF8[i % len(NOT_UTF8)])
        for field in reversed(path[:-1]):
            data = _length_delimited(field.number, data)
        if not _decodes(cls, data):
            out["not_utf8"].append(data)
    return out


def call_raw(channel: grpc.Channel, method: MethodDescriptor, payload: bytes) -> tuple[grpc.StatusCode, str]:
    """Send bytes as they are (identity serializers) and return the status the call ends with."""
    path = f"/{method.containing_service.full_name}/{method.name}"
    try:
        if method.client_streaming:
            responses = channel.stream_stream(path)(iter([payload]), timeout=30)
            for _ in responses:
                pass
        elif method.server_streaming:
            for _ in channel.unary_stream(path)(payload, timeout=30):
                pass
        else:
            channel.unary_unary(path)(payload, timeout=30)
    except grpc.RpcError as exc:
        return exc.code(), exc.details() or ""
    return grpc.StatusCode.OK, ""


@pytest.fixture(scope="module")
def target(tmp_path_factory, opa_url):
    with served_on_sqlite(tmp_path_factory.mktemp("undecodable"), opa_url) as app:
        with grpc.insecure_channel(f"127.0.0.1:{app.port}") as channel:
            yield app, channel


def logged(app) -> int:
    return app.db.query("SELECT COUNT(*) FROM decision_log")[0][0]


def test_every_method_answers_undecodable_payloads_with_invalid_argument(target, capsys):
    app, channel = target
    rng = random.Random(20261121)
    before = logged(app)
    counts: dict[str, Counter] = {}
    wrong: list[str] = []
    for method in METHODS:
        name = f"{method.containing_service.name}/{method.name}"
        counts[name] = Counter()
        for kind, sent in payloads(method, rng).items():
            for payload in sent:
                code, details = call_raw(channel, method, payload)
                counts[name][code.name] += 1
                if code != grpc.StatusCode.INVALID_ARGUMENT or method.input_type.full_name not in details:
                    wrong.append(f"{name} ({kind}, {payload[:16]!r}): {code.name} {details}")
    with capsys.disabled():
        total = sum(sum(c.values()) for c in counts.values())
        print(f"\nundecodable payloads: {total} to {len(counts)} methods")
        for name, counter in counts.items():
            print(f"  {name:42} " + ", ".join(f"{code} {n}" for code, n in sorted(counter.items())))
    assert not wrong, "\n".join(wrong[:20])
    assert sum(c["INTERNAL"] for c in counts.values()) == 0
    for method in METHODS:  # every method got random bytes; every request with fields, cut-short ones too
        sent = sum(counts[f"{method.containing_service.name}/{method.name}"].values())
        assert sent > PER_KIND if method.input_type.fields else sent == PER_KIND
    assert logged(app) == before  # nothing of it was logged as a decision or a read
    assert app.health.check()


def test_a_stream_ends_invalid_argument_at_its_first_undecodable_request(target):
    app, channel = target
    decide_stream = policy_service_pb2.DESCRIPTOR.services_by_name["PolicyService"].methods_by_name["DecideStream"]
    code, details = call_raw(channel, decide_stream, b"\x0a\x05\xff\xfe\xfd\xfc\xfb")
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "verdict.v1.DecideRequest" in details


# ---------------------------------------------------------------- ReplayDecisions candidates

MARKER = "Zq7Marker"


@pytest.mark.parametrize("against, value, field", [
    ("directory", "/tmp/" + MARKER * 500, "directory"),
    ("directory", f"/tmp/{MARKER}\x00/etc", "directory"),
    ("git_ref", MARKER * 100, "git_ref"),
    ("git_ref", f"main{MARKER}\x00", "git_ref"),
    ("git_ref", f"--output=/tmp/{MARKER}", "git_ref"),
])
def test_replay_candidates_that_cannot_be_a_path_or_a_ref_are_invalid_and_never_logged(target, caplog, against, value, field):
    app, channel = target
    stub = au_grpc.AuditServiceStub(channel)
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as events:
        with pytest.raises(grpc.RpcError) as refused:
            list(stub.ReplayDecisions(au.ReplayRequest(**{against: value}), timeout=30))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details().startswith(f"{field}:")
    assert MARKER not in refused.value.details()
    assert MARKER not in str(events) and MARKER not in caplog.text


def test_the_health_port_refuses_undecodable_payloads_and_holds_one_watch_at_most(tmp_path, opa_url):
    """The plaintext health port for probes (--health-listen) answers like the API port, and a Watch
    stream nobody closes cannot keep Check from the other of its two workers."""
    health_service = health_pb2.DESCRIPTOR.services_by_name["Health"]
    with served_on_sqlite(tmp_path, opa_url, health_listen="127.0.0.1:0") as app:
        with grpc.insecure_channel(f"127.0.0.1:{app.ops.health_port}") as channel:
            for method in health_service.methods:
                for payload in payloads(method, random.Random(7))["random"][:4]:
                    assert call_raw(channel, method, payload)[0] == grpc.StatusCode.INVALID_ARGUMENT, method.name
            stub = health_pb2_grpc.HealthStub(channel)
            watching = stub.Watch(health_pb2.HealthCheckRequest(), timeout=60)
            assert next(watching).status == health_pb2.HealthCheckResponse.SERVING
            with pytest.raises(grpc.RpcError) as second:
                next(stub.Watch(health_pb2.HealthCheckRequest(), timeout=60))
            assert second.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert stub.Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
            watching.cancel()
