"""Property-based fuzzing of every PolicyService request through the real server.

Whatever arrives: never INTERNAL, never a crash, and never a decision logged
for a request that was rejected.
"""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verdict.v1 import audit_service_pb2 as au
from verdict.v1 import audit_service_pb2_grpc as au_grpc
from verdict.v1 import policy_service_pb2 as ps
from verdict.v1 import policy_service_pb2_grpc as ps_grpc

from tests.conftest import served_on_sqlite

KNOWN = ["acc-candidate-250k", "acc-candidate-100k", "acc-citizen", "acc-mayor", "post-1", "g-1", "NL", "DE", "",
         "2024-05-01T12:00:00Z", "hmac:abc", "person-7"]
ACCEPTED = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ABORTED}

strings = st.one_of(st.sampled_from(KNOWN), st.text(max_size=40), st.text(min_size=250, max_size=300, alphabet="ab"))


def _scalar(field: FieldDescriptor) -> st.SearchStrategy:
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        return strings
    if t == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if t == FieldDescriptor.TYPE_ENUM:
        return st.one_of(st.sampled_from([v.number for v in field.enum_type.values]), st.integers(-3, 300))
    if t in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        return st.integers(-(2**63), 2**63 - 1)
    if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32):
        return st.integers(-(2**31), 2**31 - 1)
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return st.integers(0, 2**64 - 1)
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(allow_nan=True)
    raise NotImplementedError(field.full_name)


def _valid_scalar(field: FieldDescriptor) -> st.SearchStrategy:
    if field.type == FieldDescriptor.TYPE_ENUM:
        return st.sampled_from([v.number for v in field.enum_type.values])
    if field.type == FieldDescriptor.TYPE_STRING:
        if "countr" in field.name:
            return st.sampled_from(["NL", "DE", "US", "FR"])
        return st.sampled_from(["person-7", "person-8", "g-1", "", "p-9"])
    return _scalar(field)


@st.composite
def message(draw, descriptor: Descriptor, depth: int = 0, valid: bool = False):
    """A message of ``descriptor``: anything at all, or (valid=True) only defined enums, sane times and IDs."""
    cls = _classes[descriptor.full_name]
    out = cls()
    if descriptor.full_name == "google.protobuf.Timestamp":
        if valid:
            out.seconds = draw(st.integers(1_600_000_000, 1_800_000_000))
            return out
        out.seconds = draw(st.one_of(st.integers(1_600_000_000, 1_800_000_000), st.integers(-(2**40), 2**40)))
        out.nanos = draw(st.one_of(st.just(0), st.integers(-5, 2_000_000_000)))
        return out
    chosen_oneofs: set[str] = set()
    for field in descriptor.fields:
        if field.containing_oneof is not None:
            if field.containing_oneof.name in chosen_oneofs or not draw(st.booleans()):
                continue
            chosen_oneofs.add(field.containing_oneof.name)
        elif not draw(st.booleans()):
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth > 4:
                continue
            sub = message(field.message_type, depth + 1, valid)
            if field.is_repeated:
                for item in draw(st.lists(sub, max_size=3)):
                    getattr(out, field.name).add().CopyFrom(item)
            else:
                getattr(out, field.name).CopyFrom(draw(sub))
        elif field.is_repeated:
            getattr(out, field.name).extend(draw(st.lists((_valid_scalar if valid else _scalar)(field), max_size=7)))
        else:
            setattr(out, field.name, draw((_valid_scalar if valid else _scalar)(field)))
    return out


FACTS = {1: "tve", 2: "ei", 3: "cha", 4: "priv"}


@st.composite
def plausible_case(draw):
    """A well-formed case with random facts: gets past validation, exercises the policies."""
    from verdict.v1 import case_pb2

    case = case_pb2.Case()
    case.content.kind = draw(st.sampled_from([case_pb2.CONTENT_KIND_POST, case_pb2.CONTENT_KIND_PROFILE]))
    case.content.post_id = "post-fuzz"
    case.content.author_account_id = draw(st.sampled_from(KNOWN[:4] + ["acc-state-media", "acc-ministry-of-defence", "acc-repeat-ei"]))
    if draw(st.booleans()):
        case.content.posted_at.seconds = draw(st.integers(1_600_000_000, 1_750_000_000))
    case.as_of.seconds = draw(st.integers(1_600_000_000, 1_750_000_000))
    policy = draw(st.sampled_from([v.number for v in case_pb2.Policy.DESCRIPTOR.values if v.number]))
    case.violation.policy = policy
    kind = FACTS.get(policy, "rule")
    facts = draw(message(case_pb2.Violation.DESCRIPTOR.fields_by_name[kind].message_type, valid=True))
    getattr(case.violation, kind).CopyFrom(facts)
    if kind in ("tve", "cha", "priv") and getattr(case.violation, kind).category == 0:
        getattr(case.violation, kind).category = 1
    if kind == "ei" and not (facts.category or facts.non_violation):
        case.violation.ei.category = 1
    case.public_interest.CopyFrom(draw(message(case_pb2.PublicInterestFacts.DESCRIPTOR, valid=True)))
    if draw(st.booleans()):
        case.reporter.CopyFrom(draw(message(case_pb2.Reporter.DESCRIPTOR, valid=True)))
    return case


def _collect(module) -> dict:
    from google.protobuf import timestamp_pb2

    classes = {"google.protobuf.Timestamp": timestamp_pb2.Timestamp, "google.protobuf.Duration": None}
    from verdict.v1 import account_pb2, assessments_pb2, case_pb2, decision_pb2

    for mod in (account_pb2, assessments_pb2, case_pb2, decision_pb2, ps, au):
        for name in dir(mod):
            obj = getattr(mod, name)
            if isinstance(obj, type) and hasattr(obj, "DESCRIPTOR") and hasattr(obj.DESCRIPTOR, "full_name"):
                classes[obj.DESCRIPTOR.full_name] = obj
    return classes


_classes = _collect(ps)


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory, opa_url):
    with served_on_sqlite(tmp_path_factory.mktemp("fuzz"), opa_url) as app:
        with grpc.insecure_channel(f"127.0.0.1:{app.port}") as channel:
            yield app, ps_grpc.PolicyServiceStub(channel), au_grpc.AuditServiceStub(channel)


def decisions_logged(app) -> int:
    return app.db.query("SELECT COUNT(*) FROM decision_log WHERE kind NOT IN ('audit_read', 'policy_archive', 'account_import')")[0][0]


def call(method, request):
    try:
        response = method(request, timeout=30)
        return grpc.StatusCode.OK, response, ""
    except grpc.RpcError as exc:
        return exc.code(), None, exc.details()


RPCS = [
    ("Decide", ps.DecideRequest, lambda r: 1),
    ("CheckPublicInterest", ps.CheckPublicInterestRequest, lambda r: 1),
    ("AssessReport", ps.AssessReportRequest, lambda r: 1),
    ("AssessGroup", ps.AssessGroupRequest, lambda r: 1),
    ("DecideBatch", ps.DecideBatchRequest, lambda r: len(r.responses)),
    ("ApplyDecision", ps.ApplyDecisionRequest, lambda r: 1),
]


@pytest.mark.parametrize("rpc, request_type, decisions", RPCS, ids=[r[0] for r in RPCS])
def test_policy_service_never_fails_internally(fuzz_target, rpc, request_type, decisions):
    app, stub, _ = fuzz_target

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(message(request_type.DESCRIPTOR))
    def check(request):
        before = decisions_logged(app)
        code, response, details = call(getattr(stub, rpc), request)
        assert code in ACCEPTED, f"{rpc} answered {code.name}: {details}\nfor {request}"
        if code == grpc.StatusCode.INVALID_ARGUMENT:
            assert ":" in details  # names the field
        after = decisions_logged(app)
        if code != grpc.StatusCode.OK:
            assert after == before, f"{rpc} was refused ({code.name}) but logged a decision"
        elif rpc != "ApplyDecision":
            assert after == before + decisions(response)

    check()
    assert app.health.check()


def test_plausible_cases_always_get_a_decision_with_reasons(fuzz_target):
    """Random facts for every policy: the policies must always decide, and explain."""
    app, stub, _ = fuzz_target
    outcomes = set()

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(plausible_case(), st.booleans())
    def check(case, apply):
        code, response, details = call(stub.Decide, ps.DecideRequest(case=case, apply=apply))
        assert code == grpc.StatusCode.OK, f"Decide answered {code.name}: {details}\nfor {case}"
        decision = response.decision
        assert decision.outcome != 0 and decision.reasons
        assert all(r.clause_id and r.text_en and r.text_nl for r in decision.reasons)
        outcomes.add(decision.outcome)

    check()
    assert len(outcomes) >= 4, outcomes  # the fuzzer reached many different decisions


def test_audit_queries_never_fail_internally(fuzz_target):
    app, _, audit = fuzz_target

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(message(au.QueryDecisionsRequest.DESCRIPTOR))
    def check(request):
        code, _, details = call(audit.QueryDecisions, request)
        assert code in ACCEPTED, f"QueryDecisions answered {code.name}: {details}\nfor {request}"

    check()
