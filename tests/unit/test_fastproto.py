"""The fast converter gives exactly what protobuf's own JSON parser gives."""

from __future__ import annotations

import pytest
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from server.decisions.fastproto import ProtoShapeError, fill, set_timestamp
from verdict.v1 import decision_pb2

RESULT = {
    "outcome": "OUTCOME_TEMPORARY_LOCK",
    "effects": {"remove_content": True, "lock": {"duration": "43200s", "ends_at": "2024-05-02T00:00:00.123456789Z"},
                "limited_surfaces": ["SURFACE_SEARCH", "SURFACE_REPLIES"], "withheld_in_countries": ["DE"], "appeal_available": True},
    "reasons": [{"clause_id": "EI-1a", "kind": "REASON_KIND_VIOLATION"}, {"clause_id": "EI-6a", "kind": "REASON_KIND_CONSEQUENCE"}],
    "public_interest": {"eligible": False, "criteria": [{"clause_id": "PI-1.1", "met": True}], "likelihood": "LIKELIHOOD_BAND_VERY_SMALL",
                        "route": [], "notice_effects": {"behind_notice": True}},
    "enforcement": {"counts_as_violation": True, "prior_violations": 2, "clause_id": "EI-6a"},
    "policy": "POLICY_ELECTION_INTEGRITY",
    "summary_en": "x", "summary_nl": "y",
}


def test_same_message_as_json_format():
    assert fill(decision_pb2.Decision(), RESULT) == json_format.ParseDict(RESULT, decision_pb2.Decision())


def test_empty_sub_message_is_present():
    assert fill(decision_pb2.Decision(), {"public_interest": {}}).HasField("public_interest")


@pytest.mark.parametrize("text", ["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.5Z", "1999-12-31T23:59:59.000000001Z",
                                  "2024-05-01T14:00:00+02:00", "2024-05-01T07:30:00-04:30", "2024-02-29T00:00:00.123456Z"])
def test_timestamps_match_protobuf(text):
    mine, theirs = Timestamp(), Timestamp()
    set_timestamp(mine, text)
    theirs.FromJsonString(text)
    assert mine == theirs


@pytest.mark.parametrize("doc", [{"nope": 1}, {"outcome": "OUTCOME_MAYBE"}, {"reasons": [{"kind": "REASON_KIND_X"}]},
                                 {"as_of": "yesterday"}, {"effects": []}])
def test_what_does_not_fit_is_an_error(doc):
    with pytest.raises(ProtoShapeError):
        fill(decision_pb2.Decision(), doc)


def test_map_fields_are_filled_like_json_format():
    doc = {"reasons": [{"clause_id": "PI-1.3", "kind": "REASON_KIND_CRITERION_NOT_MET", "values": {"followers": "150"},
                        "missing_facts": ["case.x"]}],
           "public_interest": {"criteria": [{"clause_id": "PI-1.3", "met": False, "values": {"followers": "150"}}]}}
    assert fill(decision_pb2.Decision(), doc) == json_format.ParseDict(doc, decision_pb2.Decision())
