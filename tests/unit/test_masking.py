from __future__ import annotations

from server.decisions.masking import PREFIX, Masker, private_paths
from verdict.v1 import policy_service_pb2 as ps

MASKER = Masker(bytes(range(32)))


def test_private_fields_are_found_from_the_proto_marks():
    paths = set(private_paths(ps.DecideRequest.DESCRIPTOR))
    assert ("case", "violation", "priv", "subject_id") in paths
    assert ("case", "reporter", "reporter_id") in paths
    assert ("case", "content", "author_account_id") not in paths


def test_private_values_become_keyed_hashes_and_equal_values_stay_equal():
    doc = {"case": {"violation": {"priv": {"subject_id": "alice", "information": "+31 6 1234 5678", "category": "X"}},
                    "reporter": {"reporter_id": "alice"}}}
    MASKER.mask(doc, ps.DecideRequest.DESCRIPTOR)
    priv = doc["case"]["violation"]["priv"]
    assert priv["subject_id"].startswith(PREFIX) and "alice" not in priv["subject_id"]
    assert "1234" not in priv["information"]
    assert priv["subject_id"] == doc["case"]["reporter"]["reporter_id"]
    assert priv["category"] == "X"


def test_different_keys_give_different_hashes_and_empty_stays_empty():
    other = Masker(bytes(reversed(range(32))))
    assert MASKER.hash("alice") != other.hash("alice")
    assert MASKER.hash("alice") != MASKER.hash("bob")
    assert MASKER.hash("") == ""
    assert MASKER.hash(MASKER.hash("alice")) == MASKER.hash("alice")
