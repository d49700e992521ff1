"""The `verdict` and `verdict-admin` commands and `make run`, as a newcomer would use them from the README."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, free_port

VERDICT = str(ROOT / ".venv" / "bin" / "verdict")
VERDICT_ADMIN = str(ROOT / ".venv" / "bin" / "verdict-admin")


def verdict(*args: str, env: dict | None = None, check: bool = False, program: str = VERDICT) -> subprocess.CompletedProcess:
    result = subprocess.run([program, *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def verdict_admin(*args: str, env: dict | None = None, check: bool = False) -> subprocess.CompletedProcess:
    return verdict(*args, env=env, check=check, program=VERDICT_ADMIN)


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """`make run` (server.devrun) on free ports with its own database."""
    tmp = tmp_path_factory.mktemp("run")
    grpc_port, opa_port, console_port = free_port(), free_port(), free_port()
    env = {**os.environ, "VERDICT_LISTEN": f"127.0.0.1:{grpc_port}", "VERDICT_OPA_ADDR": f"127.0.0.1:{opa_port}",
           "VERDICT_CONSOLE_LISTEN": f"127.0.0.1:{console_port}",
           "VERDICT_DB": f"sqlite:///{tmp}/verdict.db", "VERDICT_LOG_KEY": "", "VERDICT_LOG_KEY_FILE": f"{tmp}/log-signing.key",
           "VERDICT_WITNESS_DIR": f"{tmp}/witness"}
    process = subprocess.Popen([sys.executable, "-m", "server.devrun"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    banner = []
    deadline = time.monotonic() + 60
    for line in process.stdout:
        banner.append(line)
        if line.startswith("Stop with Ctrl-C") or time.monotonic() > deadline:
            break
    yield {"VERDICT_SERVER": f"127.0.0.1:{grpc_port}", "VERDICT_TOKEN": "verdict-demo-token", "banner": "".join(banner),
           "VERDICT_LOG_PUBLIC_KEY": f"{tmp}/log-signing.pub", "witness": f"{tmp}/witness",
           "VERDICT_DB": env["VERDICT_DB"], "VERDICT_LOG_KEY_FILE": env["VERDICT_LOG_KEY_FILE"]}
    process.terminate()
    process.wait(timeout=20)


def run_env(make_run) -> dict:
    return {k: v for k, v in make_run.items() if k not in ("banner", "witness", "VERDICT_DB", "VERDICT_LOG_KEY_FILE")}


def test_make_run_prints_how_to_call_it(make_run):
    banner = make_run["banner"]
    assert "verdict is running" in banner
    assert "export VERDICT_TOKEN=verdict-demo-token" in banner
    assert "verdict decide --account acc-candidate-250k --post post-1 --policy hateful_conduct" in banner


def test_documented_call_for_a_verified_candidate_with_250k_followers(make_run):
    out = verdict("decide", "--account", "acc-candidate-250k", "--post", "post-1", "--policy", "hateful_conduct",
                  env=run_env(make_run), check=True).stdout
    assert "Outcome: PUBLIC INTEREST REVIEW" in out
    assert "Eligible for the public-interest exception, route to Trust & Safety review" in out
    for criterion in ("[x] PI-1.1", "[x] PI-1.2", "[x] PI-1.3", "[x] PI-1.4"):
        assert criterion in out
    assert "PI-3.4" in out and "PI-5g" in out


def test_exactly_100000_followers_unverified_and_terrorism_are_not_eligible(make_run):
    env = run_env(make_run)
    out = verdict("decide", "--account", "acc-candidate-100k", "--post", "post-2", "--policy", "hateful_conduct", env=env, check=True).stdout
    assert "not eligible" in out and "[ ] PI-1.3" in out
    out = verdict("decide", "--account", "acc-unverified-2m", "--post", "post-3", "--policy", "hateful_conduct", env=env, check=True).stdout
    assert "not eligible" in out and "[ ] PI-1.2" in out
    out = verdict("decide", "examples/cases/terrorism_promotion.json", env=env, check=True).stdout
    assert "never eligible" in out and "PI-5a" in out and "PERMANENT SUSPENSION" in out


def test_json_output_and_dutch_reasons(make_run):
    env = run_env(make_run)
    doc = json.loads(verdict("decide", "examples/cases/candidate_hateful_conduct.json", "--json", env=env, check=True).stdout)
    assert doc["outcome"] == "OUTCOME_PUBLIC_INTEREST_REVIEW" and doc["public_interest"]["eligible"] is True
    nl = verdict("decide", "examples/cases/candidate_hateful_conduct.json", "--lang", "nl", env=env, check=True).stdout
    assert "Komt in aanmerking voor de uitzondering" in nl


def test_dutch_output_translates_the_labels_too(make_run):
    nl = verdict("decide", "examples/cases/candidate_hateful_conduct.json", "--lang", "nl", env=run_env(make_run), check=True).stdout
    assert "Uitkomst: BEOORDELING ALGEMEEN BELANG" in nl
    assert "Uitzondering in verband met het algemeen belang: KOMT IN AANMERKING" in nl
    assert "Gevolgen:" in nl and "bezwaar mogelijk" in nl and "Redenen:" in nl and "aanbeveling:" in nl
    assert "Het account heeft 250.000 volgers, meer dan 100.000." in nl  # PI-1.3 worded for the count
    for english in ("Outcome:", "Effects:", "Reasons:", "Public-interest exception", "appeal available", "recommendation:"):
        assert english not in nl
    out = verdict("decide", "--account", "acc-citizen", "--post", "nl-2", "--policy", "ei", "--category", "how_to_vote",
                  "--lang", "nl", env=run_env(make_run), check=True).stdout
    assert "Uitkomst: MENSELIJKE BEOORDELING" in out and "niet vermeld" in out and "case.violation.ei.confirmed" in out


def test_errors_are_clear(make_run):
    env = run_env(make_run)
    missing = verdict("decide", "--account", "acc-nobody", "--post", "p", "--policy", "hateful_conduct", env=env)
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr and "acc-nobody" in missing.stderr
    bad = verdict("decide", "--account", "acc-citizen", "--policy", "hateful_conduct", env=env)
    assert bad.returncode == 1 and "INVALID_ARGUMENT: case.content.kind" in bad.stderr
    no_token = verdict("decide", "--account", "acc-citizen", "--post", "p", "--policy", "hateful_conduct",
                       env={**env, "VERDICT_TOKEN": ""})
    assert no_token.returncode == 1 and "UNAUTHENTICATED" in no_token.stderr
    unknown_enum = verdict("decide", "--account", "acc-citizen", "--post", "p", "--policy", "tve", "--category", "juggling", env=env)
    assert unknown_enum.returncode == 2 and "category" in unknown_enum.stderr


def test_audit_commands(make_run):
    env = run_env(make_run)
    decision = json.loads(verdict("decide", "--account", "acc-mayor", "--post", "audit-1", "--policy", "abuse_harassment",
                                  "--json", env=env, check=True).stdout)
    listed = verdict("audit", "query", "--account", "acc-mayor", env=env, check=True).stdout
    assert decision["decision_id"] in listed
    assert decision["policy_revision"][:12] in listed  # the revision each decision was made with
    shown = verdict("audit", "show", decision["decision_id"], env=env, check=True).stdout
    assert "enrichment:" in shown and "PUBLIC INTEREST REVIEW" in shown
    explained = verdict("audit", "explain", decision["decision_id"], env=env, check=True).stdout
    assert "Rules that fired" in explained and "data.verdict.pi.assessment" in explained
    replay = verdict("audit", "replay", env=env, check=True).stdout
    assert "faults 0" in replay and "every decision reproduced exactly" in replay
    verified = verdict("audit", "verify", env=env, check=True).stdout
    assert verified.startswith("OK: ") and "signed checkpoints agree" in verified


def test_make_run_creates_a_development_key_and_publishes_checkpoints(make_run, tmp_path):
    env = run_env(make_run)
    public = env["VERDICT_LOG_PUBLIC_KEY"]
    assert open(public).read().startswith("verdict.local/dev-decision-log+")
    assert "new development key" in make_run["banner"] and public in make_run["banner"]
    decision = json.loads(verdict("decide", "--account", "acc-mayor", "--post", "proof-1", "--policy", "abuse_harassment",
                                  "--json", env=env, check=True).stdout)
    proof = tmp_path / "proof.json"
    verdict("audit", "prove", decision["decision_id"], "--out", str(proof), env=env, check=True)
    checked = verdict("audit", "verify-proof", str(proof), "--key", public, env={"VERDICT_LOG_PUBLIC_KEY": ""}, check=True).stdout
    assert checked.startswith(f"OK: {decision['decision_id']} is record")
    note = verdict("audit", "checkpoint", env=env, check=True).stdout
    assert note.startswith("verdict.local/dev-decision-log\n") and "\u2014 verdict.local/dev-decision-log " in note


def test_help_explains_every_command():
    for args in (["--help"], ["decide", "--help"], ["accounts", "show", "--help"], ["audit", "replay", "--help"],
                 ["audit", "verify", "--help"], ["audit", "prove", "--help"], ["audit", "verify-proof", "--help"],
                 ["audit", "checkpoint", "--help"], ["dsa", "statements", "--help"]):
        result = verdict(*args, check=True)
        assert "usage: verdict" in result.stdout
    assert "examples:" in verdict("decide", "--help").stdout
    for args in (["--help"], ["migrate", "--help"], ["accounts", "import", "--help"], ["rego", "test", "--help"],
                 ["rego", "coverage", "--help"], ["token", "new", "--help"], ["audit", "verify", "--help"],
                 ["audit", "prove", "--help"], ["audit", "checkpoint", "--help"], ["audit", "keygen", "--help"],
                 ["bundle", "build", "--help"], ["dsa", "submit", "--help"]):
        result = verdict_admin(*args, check=True)
        assert "usage: verdict-admin" in result.stdout


def test_verdict_says_which_admin_command_to_run():
    """The commands that work on the database and files directly are verdict-admin's; verdict names them."""
    for args in (["rego", "test", "--coverage"], ["accounts", "import", "x.jsonl", "--db", "sqlite:///x.db"],
                 ["audit", "keygen", "--origin", "o"], ["token", "new", "n", "--scopes", "decide"],
                 ["audit", "verify", "--db", "sqlite:///x.db"], ["audit", "prove", "d-1", "--db", "sqlite:///x.db"],
                 ["dsa", "submit", "--url", "u", "--token-file", "t"], ["bundle", "build"]):
        result = verdict(*args)
        assert result.returncode == 2 and f"run `verdict-admin {' '.join(args)}`" in result.stderr, result.stderr
        assert "admin command" in result.stderr
    assert "admin: create or update accounts" in verdict("accounts", "--help", check=True).stdout
    assert "unrecognized arguments: --bogus" in verdict("decide", "--bogus").stderr


def test_admin_commands_never_create_a_database(tmp_path):
    """Reading (and importing into) a database that is not there is an error naming what to run, not a new empty one."""
    accounts = tmp_path / "accounts.jsonl"
    accounts.write_text('{"account_id": "a-1"}\n')
    public = tmp_path / "log.pub"
    assert verdict_admin("audit", "keygen", "--origin", "t.local/log", "--out", str(tmp_path / "log.key")).returncode == 0
    for where in ("elsewhere/verdict.db", "verdict.db"):
        url = f"sqlite:///{tmp_path}/{where}"
        for args in (["audit", "verify", "--db", url, "--public-key", str(public)], ["audit", "checkpoint", "--db", url],
                     ["audit", "prove", "dec_1", "--db", url],
                     ["accounts", "import", str(accounts), "--db", url, "--log-key-file", str(tmp_path / "log.key")]):
            result = verdict_admin(*args)
            assert result.returncode == 2 and f"no verdict database at {url}" in result.stderr, result.stderr
            assert f"`verdict-admin migrate --db {url}`" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.jsonl", "log.key", "log.pub"]
    (tmp_path / "empty.db").touch()  # a file, but not a verdict database: not migrated by a read
    empty = f"sqlite:///{tmp_path}/empty.db"
    result = verdict_admin("audit", "checkpoint", "--db", empty)
    assert result.returncode == 2 and "has no verdict schema" in result.stderr
    assert sqlite3.connect(tmp_path / "empty.db").execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    migrated = verdict_admin("migrate", "--db", empty, check=True).stdout
    assert "migrations applied" in migrated
    assert verdict_admin("audit", "checkpoint", "--db", empty).returncode == 1  # a database now, with nothing signed yet


def test_accounts_import_creates_updates_and_names_bad_lines(make_run, tmp_path):
    """verdict-admin imports into the server's database; verdict accounts show reads it back through the API."""
    env, db = run_env(make_run), make_run["VERDICT_DB"]
    keys = {"VERDICT_LOG_KEY": "", "VERDICT_LOG_KEY_FILE": make_run["VERDICT_LOG_KEY_FILE"], "VERDICT_WITNESS_DIR": make_run["witness"]}
    good = tmp_path / "accounts.jsonl"
    good.write_text('{"account_id": "a-1", "verified": true, "followers": 5, "office_role": "candidate", "office_level": "local"}\n'
                    '\n{"account_id": "a-2"}\n')
    assert "2 created, 0 updated" in verdict_admin("accounts", "import", str(good), "--db", db, env=keys, check=True).stdout
    good.write_text('{"account_id": "a-1", "followers": 7, "dedicated_to_live_location": true}\n')
    assert "0 created, 1 updated" in verdict_admin("accounts", "import", str(good), "--db", db, env=keys, check=True).stdout
    shown = json.loads(verdict("accounts", "show", "a-1", env=env, check=True).stdout)
    assert shown["account"]["followers"] == 7 and shown["account"]["verified"] is False
    assert shown["account"]["dedicated_to_live_location"] is True  # PRIV-9: an account property the policies see
    assert shown["source"] == "import:accounts.jsonl" and shown["history_version"] == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"account_id": "a-3"}\n{"account_id": "a-4", "office_role": "king"}\n')
    result = verdict_admin("accounts", "import", str(bad), "--db", db, env=keys)
    assert result.returncode == 2 and "bad.jsonl:2" in result.stderr and "office_role" in result.stderr
    missing = verdict("accounts", "show", "a-3", env=env)  # nothing of a bad file is imported
    assert missing.returncode == 1 and "NOT_FOUND: account_id: account 'a-3'" in missing.stderr
    missing_level = tmp_path / "level.jsonl"
    missing_level.write_text('{"account_id": "a-5", "office_role": "officeholder"}\n')
    assert "office_level" in verdict_admin("accounts", "import", str(missing_level), "--db", db, env=keys).stderr


def test_accounts_show_asks_the_server(make_run):
    env = run_env(make_run)
    shown = json.loads(verdict("accounts", "show", "acc-candidate-250k", env=env, check=True).stdout)
    assert shown["account"]["office_role"] == "OFFICE_ROLE_CANDIDATE" and shown["account"]["followers"] == 250_000
    no_token = verdict("accounts", "show", "acc-candidate-250k", env={**env, "VERDICT_TOKEN": "nope"})
    assert no_token.returncode == 1 and "UNAUTHENTICATED" in no_token.stderr


@pytest.mark.postgres
def test_admin_commands_never_create_a_postgresql_schema(pg_url):
    missing_db = pg_url.rsplit("/", 1)[0] + "/verdict_no_such_database"
    result = verdict_admin("audit", "checkpoint", "--db", missing_db)
    assert result.returncode == 2 and "cannot read a verdict database" in result.stderr and "does not exist" in result.stderr
    result = verdict_admin("audit", "prove", "dec_1", "--db", pg_url)
    assert result.returncode == 2 and f"no verdict database at {pg_url} (it has no verdict schema)" in result.stderr
    import psycopg

    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
    assert "migrations applied" in verdict_admin("migrate", "--db", pg_url, check=True).stdout
    result = verdict_admin("audit", "checkpoint", "--db", pg_url)
    assert result.returncode == 1, result.stderr  # the schema is there; nothing is signed yet
