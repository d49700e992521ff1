"""Who may call what: tokens, scopes, mTLS, and what gets logged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from clients.client import VerdictClient, VerdictError
from server.api.auth import AuthConfigError, caller_entry, load_callers

from tests.conftest import import_accounts, start_server

TOKENS = {"decider": ["decide"], "applier": ["decide", "apply"], "auditor": ["audit:read"], "accounts": ["accounts:read"],
          "root": ["admin"]}


def case(post: str = "p-1") -> dict:
    return {
        "content": {"kind": "post", "post_id": post, "author_account_id": "acc-candidate-100k"},
        "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}},
        "as_of": "2024-05-01T12:00:00Z",
    }


@pytest.fixture
def callers_file(tmp_path) -> Path:
    path = tmp_path / "callers.toml"
    path.write_text("".join(caller_entry(name, f"token-{name}", scopes) for name, scopes in TOKENS.items()))
    return path


@pytest.fixture
def secured(sqlite_url, opa_url, tmp_path, callers_file):
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, opa_url, tmp_path, callers_file=callers_file)
    yield app
    app.stop()


def client_for(app, name: str | None) -> VerdictClient:
    return VerdictClient(f"127.0.0.1:{app.port}", token=f"token-{name}" if name else None)


def code_of(call) -> grpc.StatusCode:
    try:
        call()
    except VerdictError as exc:
        return exc.code
    return grpc.StatusCode.OK


def test_no_token_or_an_unknown_token_is_unauthenticated(secured):
    with client_for(secured, None) as anonymous:
        assert code_of(lambda: anonymous.decide(case())) == grpc.StatusCode.UNAUTHENTICATED
    with VerdictClient(f"127.0.0.1:{secured.port}", token="not-a-token") as stranger:
        assert code_of(lambda: stranger.decide(case())) == grpc.StatusCode.UNAUTHENTICATED
        assert code_of(lambda: stranger.verify_log()) == grpc.StatusCode.UNAUTHENTICATED


def test_each_rpc_needs_its_scope(secured):
    with client_for(secured, "decider") as decider, client_for(secured, "auditor") as auditor, \
            client_for(secured, "applier") as applier, client_for(secured, "root") as root:
        decision = decider.decide(case("p-scope"))
        assert code_of(lambda: decider.decide(case("p-apply"), apply=True)) == grpc.StatusCode.PERMISSION_DENIED
        assert code_of(lambda: decider.apply(decision.decision_id)) == grpc.StatusCode.PERMISSION_DENIED
        assert code_of(lambda: decider.get_decision(decision.decision_id)) == grpc.StatusCode.PERMISSION_DENIED
        assert code_of(lambda: auditor.decide(case())) == grpc.StatusCode.PERMISSION_DENIED
        assert code_of(lambda: list(auditor.replay())) == grpc.StatusCode.PERMISSION_DENIED
        assert auditor.get_decision(decision.decision_id).caller == "decider"
        assert applier.decide(case("p-applied"), apply=True).decision_id
        assert root.verify_log().ok
        assert list(root.replay())[-1].summary.faults == 0


def test_health_is_open_without_a_token(secured):
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{secured.port}") as channel:
        assert health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest()).status == health_pb2.HealthCheckResponse.SERVING


def test_audit_reads_are_logged_with_the_caller_and_private_data_is_masked(secured):
    with client_for(secured, "decider") as decider, client_for(secured, "auditor") as auditor:
        priv = case("p-priv")
        priv["violation"] = {"policy": "private_information", "priv": {"category": "contact_information", "subject_id": "Jane Doe",
                                                                         "information": "+31 6 12345678"}}
        priv["reporter"] = {"reporter_id": "Jane Doe", "role": "subject"}
        decision = decider.decide(priv)
        auditor.get_decision(decision.decision_id)
    rows = secured.db.query("SELECT caller, record FROM decision_log")
    assert ("auditor", "audit_read") in {(c, json.loads(r)["kind"]) for c, r in rows}
    everything = " ".join(r for _, r in rows)
    assert "Jane Doe" not in everything and "12345678" not in everything
    record = next(json.loads(r) for _, r in rows if json.loads(r)["decision_id"] == decision.decision_id)
    priv_facts = record["input"]["case"]["violation"]["priv"]
    assert priv_facts["subject_id"].startswith("hmac:") and priv_facts["subject_id"] == record["input"]["case"]["reporter"]["reporter_id"]


def test_an_account_read_needs_its_scope_and_is_logged_before_it_answers(secured):
    """`verdict accounts show` reads through the API: scope accounts:read, an audit_read record with the caller."""
    with client_for(secured, "decider") as decider, client_for(secured, "auditor") as auditor, \
            client_for(secured, "accounts") as reader:
        assert code_of(lambda: decider.get_account("acc-candidate-100k")) == grpc.StatusCode.PERMISSION_DENIED
        assert code_of(lambda: auditor.get_account("acc-candidate-100k")) == grpc.StatusCode.PERMISSION_DENIED
        assert code_of(lambda: reader.decide(case())) == grpc.StatusCode.PERMISSION_DENIED
        shown = reader.get_account("acc-candidate-100k")
        assert shown.account.account_id == "acc-candidate-100k" and shown.account.followers == 100_000
        assert shown.account.HasField("updated_at") and shown.source.startswith("import:")
        with pytest.raises(VerdictError) as unknown:
            reader.get_account("acc-nobody")
        assert unknown.value.code == grpc.StatusCode.NOT_FOUND and unknown.value.details.startswith("account_id: ")
        with pytest.raises(VerdictError) as bad:
            reader.get_account("")
        assert bad.value.code == grpc.StatusCode.INVALID_ARGUMENT and "account_id" in bad.value.details
    reads = [json.loads(r) for c, r in secured.db.query("SELECT caller, record FROM decision_log WHERE kind = 'audit_read'")
             if c == "accounts"]
    assert [(r["rpc"], r["read"]) for r in reads] == [("GetAccount", {"account_id": "acc-candidate-100k"}),
                                                      ("GetAccount", {"account_id": "acc-nobody"})]


def test_a_bad_callers_file_is_refused(tmp_path):
    bad = tmp_path / "callers.toml"
    bad.write_text('[[caller]]\nname = "x"\ntoken_sha256 = "abc"\nscopes = ["decide"]\n')
    with pytest.raises(AuthConfigError, match="token_sha256"):
        load_callers(bad)
    bad.write_text(caller_entry("x", "t", ["decide", "fly"]))
    with pytest.raises(AuthConfigError, match="scopes"):
        load_callers(bad)


# ---------------------------------------------------------------- mTLS

def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _cert(subject: str, key, issuer_key, issuer_name: x509.Name | None = None, ca: bool = False, san: str | None = None):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name or name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a server certificate for localhost and a client certificate, made for this test run."""
    d = tmp_path_factory.mktemp("pki")
    ca_key = _key()
    ca = _cert("verdict test CA", ca_key, ca_key, ca=True)
    server_key, client_key = _key(), _key()
    files = {
        "ca.pem": ca.public_bytes(serialization.Encoding.PEM),
        "server.pem": _cert("localhost", server_key, ca_key, ca.subject, san="localhost").public_bytes(serialization.Encoding.PEM),
        "server.key": _pem(server_key),
        "client.pem": _cert("moderation-queue", client_key, ca_key, ca.subject).public_bytes(serialization.Encoding.PEM),
        "client.key": _pem(client_key),
    }
    for name, content in files.items():
        (d / name).write_bytes(content)
    return d


def test_mtls_requires_a_client_certificate(sqlite_url, opa_url, tmp_path, pki, callers_file):
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, opa_url, tmp_path, callers_file=callers_file, listen="localhost:0",
                       tls_cert=pki / "server.pem", tls_key=pki / "server.key", tls_client_ca=pki / "ca.pem")
    try:
        target = f"localhost:{app.port}"
        with VerdictClient(target, token="token-decider", root_certificates=(pki / "ca.pem").read_bytes(),
                           certificate_chain=(pki / "client.pem").read_bytes(), private_key=(pki / "client.key").read_bytes(),
                           timeout=5) as good:
            assert good.decide(case("p-mtls")).decision_id
        with VerdictClient(target, token="token-decider", root_certificates=(pki / "ca.pem").read_bytes(), timeout=5) as no_cert:
            assert code_of(lambda: no_cert.decide(case())) == grpc.StatusCode.UNAVAILABLE
        with VerdictClient(target, token="token-decider", timeout=5) as plaintext:
            assert code_of(lambda: plaintext.decide(case())) == grpc.StatusCode.UNAVAILABLE
    finally:
        app.stop()


# ---------------------------------------------------------------- authentication does not fail open

def test_no_callers_file_on_an_address_other_machines_reach_is_refused(sqlite_url, opa_url, tmp_path):
    from server.app import ServerConfigError

    for listen in ("0.0.0.0:0", "[::]:0"):
        with pytest.raises(ServerConfigError, match="--insecure-no-auth"):
            start_server(sqlite_url, opa_url, tmp_path, listen=listen)


def test_loopback_callers_or_the_explicit_flag_start(sqlite_url, opa_url, tmp_path, callers_file):
    import structlog

    import_accounts(sqlite_url)
    for overrides in ({"listen": "localhost:0"}, {"listen": "0.0.0.0:0", "callers_file": callers_file},
                      {"listen": "0.0.0.0:0", "insecure_no_auth": True}):
        with structlog.testing.capture_logs() as events:
            app = start_server(sqlite_url, opa_url, tmp_path, **overrides)
        try:
            assert app.port
            warned = [e for e in events if "authentication is off" in e["event"]]
            assert bool(warned) == bool(overrides.get("insecure_no_auth")), overrides
        finally:
            app.stop()


def test_python_m_server_refuses_to_start_without_auth_off_loopback(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run([sys.executable, "-m", "server", "--listen", "0.0.0.0:0", "--db", f"sqlite:///{tmp_path}/v.db"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "cannot start" in result.stderr and "--insecure-no-auth" in result.stderr
    assert not (tmp_path / "v.db").exists()  # refused before anything was opened


def test_every_failed_authentication_is_logged_without_the_token(secured):
    import structlog

    secret = "token-WRONG-s3cr3t-value"
    with structlog.testing.capture_logs() as events:
        with client_for(secured, None) as anonymous:
            assert code_of(lambda: anonymous.decide(case())) == grpc.StatusCode.UNAUTHENTICATED
        with VerdictClient(f"127.0.0.1:{secured.port}", token=secret) as stranger:
            assert code_of(lambda: stranger.verify_log()) == grpc.StatusCode.UNAUTHENTICATED
        with client_for(secured, "auditor") as auditor:
            assert code_of(lambda: auditor.decide(case())) == grpc.StatusCode.PERMISSION_DENIED
    refusals = [e for e in events if e["event"] in ("authentication failed", "permission denied")]
    assert [(e["event"], e["method"]) for e in refusals] == [
        ("authentication failed", "/verdict.v1.PolicyService/Decide"),
        ("authentication failed", "/verdict.v1.AuditService/VerifyLog"),
        ("permission denied", "/verdict.v1.PolicyService/Decide"),
    ]
    assert all(e["peer"].startswith(("ipv4:127.0.0.1:", "ipv6:[::1]:")) and e["reason"] for e in refusals)
    assert "no authorization" in refusals[0]["reason"] and "belongs to no caller" in refusals[1]["reason"]
    assert "audit:read" not in refusals[2]["reason"] and "'decide'" in refusals[2]["reason"]
    assert secret not in str(events) and "s3cr3t" not in str(events)
