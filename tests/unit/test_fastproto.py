"""The fast converter gives exactly what protobuf's own JSON parser gives."""

from __future__ import annotations

import calendar
from datetime import datetime

import pytest
from google.protobuf import json_format
from hypothesis import given, settings
from hypothesis import strategies as st
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


# ---------------------------------------------------------------- strict times, the same as protobuf's

def test_an_impossible_time_is_refused_like_protobuf():
    with pytest.raises(ValueError):
        Timestamp().FromJsonString("2024-02-31T25:61:61Z")
    with pytest.raises(ProtoShapeError):
        set_timestamp(Timestamp(), "2024-02-31T25:61:61Z")


def _field(draw, low: int, high: int, beyond: int) -> str:
    """A field of a time: mostly in its range and two digits wide; sometimes out of range, one or three digits."""
    n = draw(st.one_of(st.integers(low, high), st.integers(low, high), st.integers(low, high), st.integers(0, beyond)))
    return draw(st.sampled_from([f"{n:02d}"] * 6 + [str(n), f"{n:03d}"]))


@st.composite
def rfc3339ish(draw) -> str:
    """Strings near RFC 3339: every field in and out of its range, leap days, fractions of 0-12
    digits, Z/z/offsets in and out of range, 'T' or 't', and a little noise."""
    year = draw(st.one_of(st.integers(1, 9999).map(lambda y: f"{y:04d}"), st.integers(0, 99999).map(str)))
    date = f"{year}-{_field(draw, 1, 12, 13)}-{_field(draw, 1, 31, 32)}"
    time = f"{_field(draw, 0, 23, 25)}:{_field(draw, 0, 59, 61)}:{_field(draw, 0, 59, 62)}"
    fraction = draw(st.one_of(st.just(""), st.just(""), st.just("."),
                              st.text("0123456789", min_size=1, max_size=12).map(lambda d: "." + d)))
    zone = draw(st.one_of(
        st.just("Z"), st.just("Z"), st.sampled_from(["z", "", "+", "-00:00", "+00:00"]),
        st.builds(lambda sign, h, m: f"{sign}{h}:{m}", st.sampled_from("+-"), st.integers(0, 30).map(lambda h: f"{h:02d}"),
                  st.integers(0, 70).map(lambda m: f"{m:02d}")),
        st.builds(lambda sign, hm: f"{sign}{hm}", st.sampled_from("+-"), st.text("0123456789", min_size=1, max_size=4)),
    ))
    text = f"{date}{draw(st.sampled_from(['T'] * 8 + ['t', ' ']))}{time}{fraction}{zone}"
    if draw(st.integers(0, 9)) == 0:  # noise: a character dropped, doubled or replaced
        i = draw(st.integers(0, len(text) - 1))
        text = draw(st.sampled_from([text[:i] + text[i + 1:], text[:i] + text[i] + text[i:],
                                     text[:i] + draw(st.characters()) + text[i + 1:]]))
    return text


def _outcome(parse) -> tuple:
    try:
        ts = parse()
    except (ValueError, json_format.ParseError):
        return ("refused",)
    return (ts.seconds, ts.nanos)


def _theirs(text: str) -> Timestamp:
    return json_format.ParseDict({"as_of": text}, decision_pb2.Decision()).as_of


def _mine(text: str) -> Timestamp:
    return fill(decision_pb2.Decision(), {"as_of": text}).as_of


@settings(max_examples=600, deadline=None, derandomize=True)
@given(st.one_of(rfc3339ish(), st.text(max_size=40)))
def test_set_timestamp_accepts_and_refuses_what_protobuf_does(text):
    assert _outcome(lambda: _mine(text)) == _outcome(lambda: _theirs(text)), text


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)), st.integers(0, 999_999_999),
       st.integers(0, 9))
def test_every_time_protobuf_writes_reads_back_the_same(moment, nanos, digits):
    """The fast path: every instant in protobuf's range, written as protobuf writes it (0, 3, 6 or 9 digits)
    or with any number of fraction digits, parses to the same seconds and nanos as protobuf's parser."""
    written = Timestamp(seconds=calendar.timegm(moment.timetuple()), nanos=nanos).ToJsonString()
    fraction = f"{nanos:09d}"[:digits]
    other = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}" + (f".{fraction}" if digits else "") + "Z"
    for text in (written, other):
        assert _outcome(lambda: _mine(text)) == _outcome(lambda: _theirs(text)) != ("refused",), text
