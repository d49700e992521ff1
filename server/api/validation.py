"""Input checks: every bad request is INVALID_ARGUMENT naming the field.

A generic walk checks what holds for every message (enum values defined,
string and list lengths, sane timestamps); per-RPC rules check what each
call requires. Nothing is defaulted silently.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache
from typing import Iterable

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from verdict.v1 import case_pb2, options_pb2, policy_service_pb2 as ps

from server.dsa.schema import enumeration
from server.dsa.statement import contains_identifier

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,127}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")

MAX_STRING = 256
MAX_PRIVATE_STRING = 4096
MAX_REPEATED = 1000
MAX_REPEATED_BY_FIELD = {"linked_accounts": 10000, "local_law_withhold_countries": 250, "requests": 1000}
# gRPC refuses messages above MAX_MESSAGE_BYTES (RESOURCE_EXHAUSTED); below it,
# a request larger than its RPC's limit is INVALID_ARGUMENT.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
MAX_REQUEST_BYTES = 256 * 1024
MAX_BATCH_BYTES = 8 * 1024 * 1024

# Timestamps: not before the platform existed, not after 2100.
MIN_SECONDS = 1136073600   # 2006-01-01
MAX_SECONDS = 4102444800   # 2100-01-01

FACTS_FOR_POLICY = {
    case_pb2.POLICY_TERRORISM_VIOLENT_EXTREMISM: "tve",
    case_pb2.POLICY_ELECTION_INTEGRITY: "ei",
    case_pb2.POLICY_COORDINATED_HARMFUL_ACTIVITY: "cha",
    case_pb2.POLICY_PRIVATE_INFORMATION: "priv",
}


class ValidationError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _fail(field: str, message: str) -> None:
    raise ValidationError(field, message)


# ---------------------------------------------------------------- generic walk

def check_size(message: Message, limit: int = MAX_REQUEST_BYTES, field: str = "request") -> None:
    size = message.ByteSize()
    if size > limit:
        _fail(field, f"the message is {size} bytes; at most {limit} bytes are accepted")


def check_message(message: Message, path: str) -> None:
    """Enums defined, strings and lists within limits, timestamps sane, recursively."""
    for field, value in message.ListFields():
        name = f"{path}.{field.name}" if path else field.name
        if field.is_repeated:
            limit = MAX_REPEATED_BY_FIELD.get(field.name, MAX_REPEATED)
            if len(value) > limit:
                _fail(name, f"at most {limit} items, got {len(value)}")
            for i, item in enumerate(value):
                _check_value(field, item, f"{name}[{i}]")
        else:
            _check_value(field, value, name)


def _check_value(field: FieldDescriptor, value: object, name: str) -> None:
    if field.type == FieldDescriptor.TYPE_ENUM:
        if value not in field.enum_type.values_by_number:
            _fail(name, f"{value} is not a value of {field.enum_type.name}")
    elif field.type == FieldDescriptor.TYPE_STRING:
        private = field.GetOptions().Extensions[options_pb2.private_data]
        limit = MAX_PRIVATE_STRING if private else MAX_STRING
        if len(value) > limit:  # type: ignore[arg-type]
            _fail(name, f"at most {limit} characters, got {len(value)}")  # type: ignore[arg-type]
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name == "google.protobuf.Timestamp":
            check_timestamp(value, name)  # type: ignore[arg-type]
        elif field.message_type.full_name.startswith("google.protobuf."):
            return
        else:
            check_message(value, name)  # type: ignore[arg-type]


def check_timestamp(ts: Message, name: str) -> None:
    if not 0 <= ts.nanos <= 999_999_999:  # type: ignore[attr-defined]
        _fail(name, "nanos must be between 0 and 999999999")
    if not MIN_SECONDS <= ts.seconds < MAX_SECONDS:  # type: ignore[attr-defined]
        _fail(name, "must be between 2006-01-01 and 2100-01-01")


def require(present: bool, field: str, what: str = "is required") -> None:
    if not present:
        _fail(field, what)


def check_id(value: str, field: str, required: bool = True) -> None:
    if not value:
        if required:
            _fail(field, "is required")
        return
    if not ID.match(value):
        _fail(field, "must be 1-128 characters of letters, digits and _.:@/- starting with a letter or digit")


def check_country(value: str, field: str) -> None:
    if value and not COUNTRY.match(value):
        _fail(field, f"must be an ISO 3166-1 alpha-2 code in capitals like NL, got {value!r}")


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_time_zone(value: str, field: str) -> None:
    """An IANA time zone name ("Europe/Amsterdam"), as OPA's time.date reads it."""
    if value and value not in _time_zones():
        _fail(field, f"must be an IANA time zone name like Europe/Amsterdam, got {value!r}")


def check_countries(values: Iterable[str], field: str) -> None:
    for i, value in enumerate(values):
        if not COUNTRY.match(value):
            _fail(f"{field}[{i}]", f"must be an ISO 3166-1 alpha-2 code in capitals like NL, got {value!r}")


# ---------------------------------------------------------------- per message

def check_case(case: case_pb2.Case, path: str = "case") -> None:
    check_message(case, path)
    require(case.HasField("as_of"), f"{path}.as_of")
    require(case.HasField("content"), f"{path}.content")
    content = case.content
    require(content.kind != case_pb2.CONTENT_KIND_UNSPECIFIED, f"{path}.content.kind", "is required (CONTENT_KIND_POST or CONTENT_KIND_PROFILE)")
    check_id(content.author_account_id, f"{path}.content.author_account_id")
    check_id(content.post_id, f"{path}.content.post_id", required=content.kind == case_pb2.CONTENT_KIND_POST)
    check_country(case.country, f"{path}.country")
    check_time_zone(case.time_zone, f"{path}.time_zone")
    if case.HasField("reporter"):
        check_country(case.reporter.country, f"{path}.reporter.country")
    check_countries(case.public_interest.local_law_withhold_countries, f"{path}.public_interest.local_law_withhold_countries")
    check_violation(case.violation, case.HasField("violation"), f"{path}.violation")
    check_dsa_facts(case, path)


def check_dsa_facts(case: case_pb2.Case, path: str) -> None:
    """The fields the DSA statement of reasons reports (the policies do not read them)."""
    if case.content_language and case.content_language.upper() not in enumeration("content_language"):
        _fail(f"{path}.content_language", f"must be an ISO 639-1 language code like nl or en, got {case.content_language!r}")
    if case.HasField("received_at") and case.received_at.ToNanoseconds() > case.as_of.ToNanoseconds():
        _fail(f"{path}.received_at", "must not be after as_of (the notice came before the decision)")
    facts = case.violation
    identifiers = {case.case_id, case.content.post_id, case.content.author_account_id, case.reporter.reporter_id,
                   facts.tve.group_id, facts.cha.group_id, facts.priv.subject_id, facts.priv.information, facts.priv.location}
    if contains_identifier(case.legal_ground, frozenset(identifiers)):
        _fail(f"{path}.legal_ground", "is published in the statement of reasons and must not name an ID or private value of the case")


def check_violation(violation: case_pb2.Violation, present: bool, path: str) -> None:
    require(present, path)
    require(violation.policy != case_pb2.POLICY_UNSPECIFIED, f"{path}.policy")
    expected = FACTS_FOR_POLICY.get(violation.policy, "rule")
    given = violation.WhichOneof("facts")
    if given != expected:
        policy = case_pb2.Policy.Name(violation.policy)
        _fail(f"{path}.{expected}", f"is required for {policy}" + (f" (got {path}.{given})" if given else ""))
    facts = getattr(violation, expected)
    # A PRIV case without a category reaches the policy, which sends it to human review.
    if expected in ("tve", "cha"):
        require(facts.category != 0, f"{path}.{expected}.category")
    if expected == "ei":
        require(
            facts.category != 0 or facts.non_violation != 0,
            f"{path}.ei.category", "is required unless ei.non_violation says what the content is (EI-4)",
        )
    if expected in ("tve", "cha"):
        check_id(facts.group_id, f"{path}.{expected}.group_id", required=False)


def check_decide(request: ps.DecideRequest, path: str = "") -> None:
    prefix = f"{path}." if path else ""
    check_size(request, field=path or "request")
    require(request.HasField("case"), f"{prefix}case")
    check_case(request.case, f"{prefix}case")


def check_batch(request: ps.DecideBatchRequest) -> None:
    check_size(request, MAX_BATCH_BYTES)
    require(len(request.requests) > 0, "requests", "must hold at least one request")
    if len(request.requests) > MAX_REPEATED_BY_FIELD["requests"]:
        _fail("requests", f"at most {MAX_REPEATED_BY_FIELD['requests']} requests per batch, got {len(request.requests)}")
    for i, item in enumerate(request.requests):
        check_decide(item, f"requests[{i}]")


def check_public_interest(request: ps.CheckPublicInterestRequest) -> None:
    check_size(request)
    require(request.HasField("case"), "case")
    check_case(request.case)


def check_apply(request: ps.ApplyDecisionRequest) -> None:
    check_id(request.decision_id, "decision_id")


def check_report(request: ps.AssessReportRequest) -> None:
    check_size(request)
    require(request.HasField("report"), "report")
    report = request.report
    check_message(report, "report")
    require(report.policy != case_pb2.POLICY_UNSPECIFIED, "report.policy")
    require(report.HasField("as_of"), "report.as_of")
    # How many posts a report may cover (TVE-6, PRIV-8) is the policy's to
    # say: a longer report is assessed, logged and not admissible.
    require(len(report.post_ids) > 0, "report.post_ids", "must name at least one post")
    for i, post_id in enumerate(report.post_ids):
        check_id(post_id, f"report.post_ids[{i}]")
    check_country(report.reporter.country, "report.reporter.country")


# ReplayDecisions: a candidate directory (a path on the server) or a git ref.
MAX_PATH = 1024
MAX_GIT_REF = 256
# A commit, branch or tag, never an option to git (the console's candidate form uses it too).
GIT_REF = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./~^@{}+-]{0,255}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_text(value: str, field: str, limit: int) -> None:
    """Within ``limit`` characters and free of NUL and control characters (the value is never echoed)."""
    if len(value) > limit:
        _fail(field, f"at most {limit} characters, got {len(value)}")
    if _CONTROL.search(value):
        _fail(field, "must not contain NUL or other control characters")


def check_replay_target(directory: str | None, git_ref: str | None) -> None:
    """The candidate a replay is against, before anything on the server's disk or in git is touched."""
    if directory is not None:
        require(bool(directory), "directory")
        check_text(directory, "directory", MAX_PATH)
    if git_ref is not None:
        require(bool(git_ref), "git_ref")
        check_text(git_ref, "git_ref", MAX_GIT_REF)
        if not GIT_REF.match(git_ref):
            _fail("git_ref", "must be a branch, tag or commit like main, v1.2 or main~1 "
                             "(letters, digits and ._/@{}~^+-, not starting with -)")


def check_group(request: ps.AssessGroupRequest) -> None:
    check_size(request, MAX_BATCH_BYTES)
    require(request.HasField("group"), "group")
    check_message(request, "")
    require(request.HasField("as_of"), "as_of")
    group = request.group
    check_id(group.group_id, "group.group_id")
    for i, linked in enumerate(group.linked_accounts):
        check_id(linked.account_id, f"group.linked_accounts[{i}].account_id")
    for i, coordination in enumerate(group.coordination):
        require(coordination.type != 0, f"group.coordination[{i}].type")
