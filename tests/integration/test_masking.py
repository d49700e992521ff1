"""Masking cannot be bypassed, and every record names the key that masked it.

A caller with audit:read can see a subject's masked ID in the log; copied
into ``reporter_id`` it is masked again like any value, so it does not make
the caller the person shown. A private value that looks masked (``hmac:...``)
is never stored, sent to OPA or returned by the audit API as given. Every
log record carries the masking key's ID in its hashed bytes; records
written before there was one still verify.
"""

from __future__ import annotations

import json
import os

from clients.client import VerdictClient
from server.db.database import Database
from server.db.migrations import migrate
from server.decisionlog.writer import LogWriter
from shared.tlog.note import Ed25519Signer
from server.decisionlog.tree import TreeWriter
from server.admin.importer import import_file
from tests.conftest import ROOT, start_server, verify_log

AS_OF = "2024-05-01T12:00:00Z"


def media_report(subject: str, reporter: str) -> dict:
    return {"policy": "private_information", "priv_category": "private_media", "post_ids": ["p-3"], "as_of": AS_OF,
            "subject_id": subject, "reporter": {"reporter_id": reporter, "role": "bystander"}}


def masked_key_id() -> str:
    from server.decisions.masking import key_id

    return key_id(bytes.fromhex(os.environ["VERDICT_MASK_KEY"]))


def test_a_hash_copied_from_the_log_does_not_make_the_caller_the_person_shown(server):
    with VerdictClient(f"127.0.0.1:{server.port}") as client:
        first = client.assess_report(media_report("person-7", "person-7"))
        assert first.assessment.admissible  # the person shown reports it: first person (PRIV-7)
        logged = json.loads(client.get_decision(first.decision_id).request_json)
        subject_hash = logged["report"]["subject_id"]
        assert subject_hash.startswith("hmac:") and "person-7" not in subject_hash

        copied = client.assess_report(media_report("person-7", subject_hash))
        assert not copied.assessment.admissible  # a bystander, whatever hash they send
        record = client.get_decision(copied.decision_id)
    request, opa_input = json.loads(record.request_json), json.loads(record.input_json)
    assert request["report"]["subject_id"] == subject_hash
    assert request["report"]["reporter"]["reporter_id"] not in (subject_hash, "")
    assert opa_input["report"]["reporter"]["reporter_id"] == request["report"]["reporter"]["reporter_id"]


def test_a_value_that_looks_masked_is_never_kept_as_given(server):
    clear = "hmac:Jane-Doe-Herengracht-12"
    case = {
        "content": {"kind": "post", "post_id": "p-priv", "author_account_id": "acc-candidate-100k"},
        "violation": {"policy": "private_information",
                      "priv": {"category": "contact_information", "subject_id": clear, "information": clear, "location": clear}},
        "reporter": {"reporter_id": clear, "role": "subject"},
        "as_of": AS_OF,
    }
    with VerdictClient(f"127.0.0.1:{server.port}") as client:
        decision = client.decide(case)
        record = client.get_decision(decision.decision_id)
    everything = " ".join(r for (r,) in server.db.query("SELECT record FROM decision_log"))
    assert "Jane-Doe" not in everything
    assert "Jane-Doe" not in record.request_json + record.input_json + record.result_json
    facts = json.loads(record.input_json)["case"]["violation"]["priv"]
    assert facts["subject_id"] != facts["information"] != facts["location"]  # one value, three kinds: three hashes
    assert facts["subject_id"] == json.loads(record.input_json)["case"]["reporter"]["reporter_id"]  # one kind: equal


def test_every_record_names_the_masking_key(server):
    with VerdictClient(f"127.0.0.1:{server.port}") as client:
        decision = client.decide({
            "content": {"kind": "post", "post_id": "p-key", "author_account_id": "acc-candidate-100k"},
            "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}}, "as_of": AS_OF})
        client.get_decision(decision.decision_id)
        client.apply(decision.decision_id)
    kinds = {}
    for kind, text in server.db.query("SELECT kind, record FROM decision_log"):
        kinds.setdefault(kind, set()).add(json.loads(text).get("mask_key_id"))
    assert {"account_import", "policy_archive", "decide", "audit_read", "apply"} <= set(kinds)
    assert all(ids == {masked_key_id()} for ids in kinds.values()), kinds
    assert verify_log(server.db).ok


def test_records_from_before_the_key_id_still_verify(sqlite_url, opa_url, tmp_path):
    """A log whose first records carry no key ID (written before it was recorded) verifies with the new ones."""
    db = Database(sqlite_url)
    migrate(db)
    old_writer = LogWriter(TreeWriter(Ed25519Signer.parse(os.environ["VERDICT_LOG_KEY"])))  # no mask_key_id: as before
    import_file(db, ROOT / "examples/demo_accounts.jsonl", old_writer)
    db.close()
    app = start_server(sqlite_url, opa_url, tmp_path)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            client.decide({
                "content": {"kind": "post", "post_id": "p-new", "author_account_id": "acc-candidate-100k"},
                "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}}, "as_of": AS_OF})
        ids = {kind: json.loads(text).get("mask_key_id") for kind, text in app.db.query("SELECT kind, record FROM decision_log")}
        assert ids["account_import"] is None and ids["decide"] == masked_key_id()
        result = verify_log(app.db)
        assert result.ok, result.findings
    finally:
        app.stop()
