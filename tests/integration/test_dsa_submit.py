"""`verdict dsa statements` and `verdict-admin dsa submit` against a real server and
the fake Transparency Database on a free port: batches of at most 100, each
statement stored once, interruptions, lost answers, 422s, bad tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clients.client import VerdictClient

from tests.conftest import import_accounts, start_server
from tests.fakes.tdb import FakeTdb
from tests.integration.test_cli import verdict, verdict_admin

RESTRICTIVE = 250   # three batches: 100, 100, 50
PERIOD = ("2020-01-01", "2099-01-01")


@pytest.fixture(scope="module")
def decided(tmp_path_factory, opa_url):
    """A server whose log holds 250 restrictive decisions and a few that restrict nothing."""
    tmp = tmp_path_factory.mktemp("submit")
    url = f"sqlite:///{tmp}/verdict.db"
    import_accounts(url)
    app = start_server(url, opa_url, tmp)
    with VerdictClient(f"127.0.0.1:{app.port}") as client:
        cases = [{"content": {"kind": "post", "post_id": f"post-s-{i}", "author_account_id": "acc-citizen"},
                  "violation": {"policy": "violence", "rule": {"confirmed": i < RESTRICTIVE}},
                  "as_of": "2024-05-01T12:00:00Z"} for i in range(RESTRICTIVE + 5)]
        decisions = client.decide_batch(cases)
    yield {"env": {"VERDICT_SERVER": f"127.0.0.1:{app.port}"}, "ids": [d.decision_id for d in decisions[:RESTRICTIVE]]}
    app.stop()


@pytest.fixture
def batches(decided, tmp_path) -> Path:
    out = tmp_path / "statements"
    result = verdict("dsa", "statements", "--since", PERIOD[0], "--until", PERIOD[1], "--out", str(out), env=decided["env"])
    assert result.returncode == 0, result.stderr
    assert f"wrote {RESTRICTIVE} statements in 3 batch files to {out}" in result.stdout
    return out


@pytest.fixture
def fake():
    tdb = FakeTdb(token="tdb-secret").start()
    yield tdb
    tdb.stop()


def submit(fake: FakeTdb, batches: Path, tmp_path: Path, *extra: str, token: str = "tdb-secret"):
    token_file = tmp_path / "tdb.token"
    token_file.write_text(token + "\n")
    return verdict_admin("dsa", "submit", "--url", fake.url, "--token-file", str(token_file), "--dir", str(batches),
                   "--backoff", "0", *extra)


def test_statements_come_in_batches_of_at_most_100_ready_to_post(decided, batches):
    files = sorted(batches.glob("statements-*.json"))
    sizes = [len(json.loads(f.read_text())["statements"]) for f in files]
    assert sizes == [100, 100, 50]
    puids = [s["puid"] for f in files for s in json.loads(f.read_text())["statements"]]
    assert sorted(puids) == sorted(decided["ids"])


def test_statements_to_standard_output_one_per_line(decided):
    result = verdict("dsa", "statements", "--since", PERIOD[0], "--until", PERIOD[1], "--out", "-", env=decided["env"])
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) == RESTRICTIVE
    assert json.loads(lines[0])["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"


def test_submit_stores_each_statement_once(fake, batches, tmp_path, decided):
    result = submit(fake, batches, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"submitted {RESTRICTIVE}, already in the database 0, rejected 0, failed 0" in result.stdout
    assert sorted(fake.stored) == sorted(decided["ids"])
    assert len(fake.posted) == RESTRICTIVE and not fake.duplicates_refused


def test_rerun_after_an_interrupted_submission_sends_no_duplicate(fake, batches, tmp_path):
    fake.faults.extend(["", "503", "503"])  # the second batch fails on both attempts
    first = submit(fake, batches, tmp_path, "--attempts", "2")
    assert first.returncode == 1
    assert "submitted 150, already in the database 0, rejected 0, failed 100" in first.stdout
    assert len(fake.stored) == 150
    posted_before = len(fake.posted)

    again = submit(fake, batches, tmp_path)
    assert again.returncode == 0, again.stdout
    assert "submitted 100, already in the database 150, rejected 0, failed 0" in again.stdout
    assert len(fake.stored) == RESTRICTIVE
    rerun_posts = fake.posted[posted_before:]
    assert len(rerun_posts) == 100 and not set(rerun_posts) & (set(fake.stored) - set(rerun_posts))
    assert not fake.duplicates_refused


def test_a_lost_answer_is_not_sent_again(fake, batches, tmp_path):
    fake.faults.append("drop")  # the first batch is stored, its answer lost
    result = submit(fake, batches, tmp_path)
    assert result.returncode == 0, result.stdout
    assert "submitted 150, already in the database 100, rejected 0, failed 0" in result.stdout
    assert len(fake.posted) == RESTRICTIVE and len(fake.stored) == RESTRICTIVE
    assert not fake.duplicates_refused


def test_a_422_for_one_statement_is_reported_and_the_others_are_stored(fake, batches, tmp_path, decided):
    refused = decided["ids"][120]
    fake.extra_rule = lambda s: {"decision_facts": ["The decision facts field contains personal data."]} if s["puid"] == refused else {}
    result = submit(fake, batches, tmp_path)
    assert result.returncode == 1
    assert f"{refused}: rejected: decision_facts: The decision facts field contains personal data." in result.stdout
    assert "submitted 249, already in the database 0, rejected 1, failed 0" in result.stdout
    assert refused not in fake.stored and len(fake.stored) == RESTRICTIVE - 1


def test_a_statement_broken_by_hand_is_refused_before_it_is_sent(fake, batches, tmp_path):
    path = sorted(batches.glob("statements-*.json"))[2]
    doc = json.loads(path.read_text())
    broken = doc["statements"][0]
    broken["decision_facts"] = "x" * 5001
    broken["territorial_scope"] = ["US"]
    path.write_text(json.dumps(doc))
    result = submit(fake, batches, tmp_path)
    assert result.returncode == 1
    assert f"{broken['puid']}: rejected: decision_facts: at most 5000 characters, got 5001" in result.stdout
    assert f"{broken['puid']}: rejected: territorial_scope: 'US' is not one of the allowed values" in result.stdout
    assert broken["puid"] not in fake.posted and len(fake.stored) == RESTRICTIVE - 1


def test_a_wrong_token_stops_with_a_clear_error(fake, batches, tmp_path):
    result = submit(fake, batches, tmp_path, token="not-the-token")
    assert result.returncode == 2
    assert "the token was not accepted" in result.stderr
    assert not fake.stored


def test_a_missing_token_file_or_empty_directory_is_an_error(fake, tmp_path):
    result = verdict_admin("dsa", "submit", "--url", fake.url, "--token-file", str(tmp_path / "none"), "--dir", str(tmp_path))
    assert result.returncode == 2 and "--token-file" in result.stderr
    (tmp_path / "t").write_text("tdb-secret")
    result = verdict_admin("dsa", "submit", "--url", fake.url, "--token-file", str(tmp_path / "t"), "--dir", str(tmp_path))
    assert result.returncode == 2 and "no statements-*.json batch files" in result.stderr
