from __future__ import annotations

from server.decisions.masking import PREFIX, Masker, key_id, private_fields, private_paths
from verdict.v1 import assessments_pb2, policy_service_pb2 as ps

MASKER = Masker(bytes(range(32)))


def test_private_fields_are_found_from_the_proto_marks():
    paths = set(private_paths(ps.DecideRequest.DESCRIPTOR))
    assert ("case", "violation", "priv", "subject_id") in paths
    assert ("case", "reporter", "reporter_id") in paths
    assert ("case", "content", "author_account_id") not in paths


def test_each_private_field_has_its_kind_from_the_proto():
    kinds = dict(private_fields(ps.DecideRequest.DESCRIPTOR))
    assert kinds[("case", "violation", "priv", "subject_id")] == kinds[("case", "reporter", "reporter_id")] == "person"
    assert kinds[("case", "violation", "priv", "information")] == "information"
    assert kinds[("case", "violation", "priv", "location")] == "location"
    assert dict(private_fields(assessments_pb2.Report.DESCRIPTOR))[("subject_id",)] == "person"


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
    assert MASKER.hash("alice", "person") != other.hash("alice", "person")
    assert MASKER.hash("alice", "person") != MASKER.hash("bob", "person")
    assert MASKER.hash("", "person") == ""


def test_a_value_that_looks_masked_is_masked_like_any_other():
    """A hash copied from the log into reporter_id is hashed again: it reaches nothing in the clear and matches nobody."""
    subject_hash = MASKER.hash("alice", "person")
    assert MASKER.hash(subject_hash, "person") != subject_hash
    assert MASKER.hash("hmac:abc", "person").startswith(PREFIX) and "abc" not in MASKER.hash("hmac:abc", "person")
    doc = {"case": {"violation": {"priv": {"subject_id": "alice"}}, "reporter": {"reporter_id": subject_hash}}}
    MASKER.mask(doc, ps.DecideRequest.DESCRIPTOR)
    assert doc["case"]["violation"]["priv"]["subject_id"] == subject_hash
    assert doc["case"]["reporter"]["reporter_id"] != subject_hash  # the copied hash impersonates nobody


def test_kinds_are_separate_domains():
    assert MASKER.hash("Dam 1, Amsterdam", "location") != MASKER.hash("Dam 1, Amsterdam", "person")
    assert MASKER.hash("Dam 1, Amsterdam", "location") != MASKER.hash("Dam 1, Amsterdam", "information")


def test_the_key_id_names_the_key_without_revealing_it():
    key = bytes(range(32))
    assert MASKER.key_id == key_id(key) == key_id(bytes(range(32)))
    assert key_id(bytes(reversed(range(32)))) != MASKER.key_id
    assert MASKER.key_id.startswith("mk_") and key.hex()[:8] not in MASKER.key_id
