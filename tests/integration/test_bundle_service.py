"""The server as OPA's bundle service, and the project's sidecar pulling from it as `opa run` would.

Real parts: the gRPC server with its HTTP port on free ports, SQLite, signed
bundles, the sidecar as its own process with deploy/opa.yaml, and the
sidecar-backed decision path.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import grpc
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from clients.client import VerdictClient, VerdictError
from server.api.auth import caller_entry
from server.engine.archive import PolicyArchive
from server.engine.bundle import Bundle, read_tarball
from server.engine.bundle_signing import sign, verify, VerificationConfig
from server.engine.rest import wait_until_healthy

from tests.conftest import REGO, ROOT, free_port, import_accounts, start_server, verify_log

SIDECAR_TOKEN = "vdt_sidecar-token"
DECIDER_TOKEN = "vdt_decider-token"
ACCOUNT = "acc-candidate-100k"  # exactly 100,000 followers: eligible only under the lowered threshold


def lowered(threshold: int = 50_000) -> Bundle:
    """rego/ with the PI follower threshold lowered: another revision that decides differently."""
    files = dict(Bundle.from_directory(REGO).files)
    files["verdict/pi/pi.rego"] = files["verdict/pi/pi.rego"].replace(b"follower_threshold := 100000",
                                                                      f"follower_threshold := {threshold}".encode())
    return Bundle.from_files(files)


class Keys:
    def __init__(self, root: Path) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        self.public_file = root / "bundle-signing.pub"
        self.public_file.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                   serialization.PublicFormat.SubjectPublicKeyInfo))

    def publish(self, bundle: Bundle, directory: Path, name: str = "verdict.tar.gz", signed: bool = True) -> bytes:
        """Put a bundle file into the served directory at once (as a ConfigMap update or `verdict-admin bundle build -o` does)."""
        data = bundle.tarball(sign(bundle.entries(), self.private, key_id="verdict-bundles") if signed else None)
        partial = directory / f".{name}.partial"
        partial.write_bytes(data)
        partial.replace(directory / name)
        return data


@pytest.fixture
def setup(tmp_path, opa_url):
    """A server with its bundle service on a free port; SQLite; callers with tokens."""
    db_url = f"sqlite:///{tmp_path}/verdict.db"
    import_accounts(db_url)
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    keys = Keys(tmp_path)
    callers = tmp_path / "callers.toml"
    callers.write_text(caller_entry("opa-sidecar", SIDECAR_TOKEN, ["bundle:read"]) +
                       caller_entry("decider", DECIDER_TOKEN, ["decide", "audit:read"]))
    started = []

    def start(opa: str = opa_url, **overrides):
        settings = dict(http_listen="127.0.0.1:0", health_listen="127.0.0.1:0", bundle_service_dir=bundles,
                        bundle_verification_key=keys.public_file, callers_file=callers)
        app = start_server(db_url, opa, tmp_path, **{**settings, **overrides})
        started.append(app)
        return app

    yield start, bundles, keys, tmp_path
    for app in started:
        app.stop()


def url_of(app) -> str:
    return f"{app.ops.http.url}/bundles/verdict.tar.gz"


def get(app, token: str | None = SIDECAR_TOKEN, **headers) -> requests.Response:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(url_of(app), headers=headers, timeout=10)


def test_bundle_service_etag_304_and_bearer_tokens(setup):
    start, bundles, keys, _ = setup
    app = start()
    data = keys.publish(Bundle.from_directory(REGO), bundles)
    revision = Bundle.from_directory(REGO).revision

    assert get(app, token=None).status_code == 401
    assert get(app, token=None).headers["WWW-Authenticate"].startswith("Bearer")
    assert get(app, token="vdt_wrong").status_code == 401
    assert get(app, token=DECIDER_TOKEN).status_code == 403  # a caller without bundle:read

    first = get(app)
    assert first.status_code == 200 and first.headers["Content-Type"] == "application/gzip"
    assert first.content == data
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["X-Verdict-Revision"] == revision
    assert verify(read_tarball(first.content), VerificationConfig.from_key_file(keys.public_file))  # what OPA will check

    again = get(app, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert get(app, **{"If-None-Match": '"other", ' + etag}).status_code == 304
    assert get(app, **{"If-None-Match": "*"}).status_code == 304
    assert get(app, **{"If-None-Match": '"other"'}).status_code == 200
    head = requests.head(url_of(app), headers={"Authorization": f"Bearer {SIDECAR_TOKEN}"}, timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert requests.post(url_of(app), headers={"Authorization": f"Bearer {SIDECAR_TOKEN}"}, timeout=10).status_code == 405
    assert requests.get(url_of(app).replace("verdict.tar.gz", "other.tar.gz"),
                        headers={"Authorization": f"Bearer {SIDECAR_TOKEN}"}, timeout=10).status_code == 404

    # what it served is archived, and the archive is in the signed log
    assert revision in {r for r, _, _ in PolicyArchive(app.db).revisions()}
    assert verify_log(app.db).ok


def test_only_checked_bundles_are_served_and_a_bad_one_leaves_the_good_one_in_service(setup):
    start, bundles, keys, _ = setup
    app = start()
    archive = PolicyArchive(app.db)

    keys.publish(lowered(), bundles, signed=False)  # the server requires signatures: not served, not archived
    refused = get(app)
    assert refused.status_code == 503 and "missing .signatures.json" in refused.json()["message"]
    assert lowered().revision not in {r for r, _, _ in archive.revisions()}

    good = keys.publish(Bundle.from_directory(REGO), bundles)
    assert get(app).content == good

    forged = dict(read_tarball(good))  # a manifest revision that is not the content hash: never served
    forged[".manifest"] = json.dumps({"revision": "v2", "roots": [""]}).encode()
    from server.engine.bundle import write_tarball

    forged.pop(".signatures.json")
    forged[".signatures.json"] = sign(forged, keys.private, key_id="verdict-bundles")
    (bundles / "verdict.tar.gz").write_bytes(write_tarball(forged))
    still = get(app)
    assert still.status_code == 200 and still.content == good

    newer = keys.publish(lowered(), bundles)
    assert get(app).content == newer
    assert lowered().revision in {r for r, _, _ in archive.revisions()}


def test_the_health_port_answers_grpc_health_without_tls_or_token(setup):
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    start, *_ = setup
    app = start()
    with grpc.insecure_channel(f"127.0.0.1:{app.ops.health_port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        assert stub.Check(health_pb2.HealthCheckRequest(service="liveness")).status == health_pb2.HealthCheckResponse.SERVING
        assert stub.Check(health_pb2.HealthCheckRequest(service="")).status == health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as denied:  # only health: the API is not on this port
            channel.unary_unary("/verdict.v1.PolicyService/Decide")(b"", timeout=5)
        assert denied.value.code() == grpc.StatusCode.UNIMPLEMENTED


class Sidecar:
    """The project's OPA-compatible sidecar as its own process, configured by deploy/opa.yaml."""

    def __init__(self, *args: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([str(ROOT / ".venv/bin/python"), "-m", "server.engine.sidecar",
                                         "--addr", f"127.0.0.1:{self.port}", *args],
                                        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self) -> str:
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err.decode(errors="replace")


def wait_for(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def case(post: str) -> dict:
    return {"content": {"kind": "post", "post_id": post, "author_account_id": ACCOUNT},
            "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}}, "as_of": "2024-05-01T12:00:00Z"}


def test_sidecar_pulls_new_revisions_mid_run_and_each_decision_records_its_revision(setup, tmp_path):
    start, bundles, keys, _ = setup
    port = free_port()
    app = start(opa=f"http://127.0.0.1:{port}", opa_timeout=5.0)
    token_file = tmp_path / "bundle-token"
    token_file.write_text(SIDECAR_TOKEN + "\n")
    sidecar = Sidecar("--config-file", str(ROOT / "deploy/opa.yaml"),  # as `opa run --server --config-file` would
                      "--set", f"services.verdict.url={app.ops.http.url}",
                      "--set", f"services.verdict.credentials.bearer.token_path={token_file}",
                      "--set", "bundles.verdict.polling.min_delay_seconds=1,bundles.verdict.polling.max_delay_seconds=1",
                      "--set-file", f"keys.verdict-bundles.key={keys.public_file}", port=port)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}", token=DECIDER_TOKEN) as client:
            # no bundle served yet: the sidecar has nothing active and the server decides nothing
            wait_until_healthy(sidecar.url, process=sidecar.process)
            assert requests.get(f"{sidecar.url}/health?bundles", timeout=5).status_code == 500
            with pytest.raises(VerdictError) as refused:
                client.decide(case("post-before"))
            assert refused.value.code == grpc.StatusCode.UNAVAILABLE

            first, second = Bundle.from_directory(REGO), lowered()
            keys.publish(first, bundles)
            wait_for(lambda: requests.get(f"{sidecar.url}/health?bundles", timeout=5).status_code == 200, "first bundle")
            before = client.decide(case("post-a"))
            assert before.policy_revision == first.revision and not before.public_interest.eligible

            results: list = []
            failures: list = []
            stop = threading.Event()

            def decide_continuously() -> None:
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        results.append(client.decide(case(f"post-{n}")))
                    except Exception as exc:  # noqa: BLE001 - every failure is reported below
                        failures.append(exc)

            worker = threading.Thread(target=decide_continuously)
            worker.start()
            try:
                wait_for(lambda: len(results) >= 5, "decisions on the first revision")
                keys.publish(second, bundles)  # the rollout, mid-run, no restart anywhere
                wait_for(lambda: results and results[-1].policy_revision == second.revision, "the new revision", 60)
                seen = len(results)
                wait_for(lambda: len(results) >= seen + 5, "decisions on the new revision")
            finally:
                stop.set()
                worker.join(timeout=30)
            assert not failures
            revisions = [d.policy_revision for d in results]
            assert set(revisions) == {first.revision, second.revision}
            assert revisions[-1] == second.revision
            for decision in results:  # the outcome is the one of the revision recorded with it
                assert decision.public_interest.eligible == (decision.policy_revision == second.revision)

            # the log records each decision with the revision it was made with, and both are archived
            logged = dict(app.db.query("SELECT decision_id, revision FROM decision_log WHERE kind = 'decide'"))
            assert all(logged[d.decision_id] == d.policy_revision for d in results)
            assert {first.revision, second.revision} <= {r for r, _, _ in PolicyArchive(app.db).revisions()}
            assert verify_log(app.db).ok
    finally:
        sidecar.stop()


def test_a_revision_the_server_has_not_archived_fails_closed(setup, tmp_path):
    """OPA serving a bundle that never came from this server: nothing is decided, nothing is logged."""
    start, *_ = setup
    other = tmp_path / "other-rego"
    for path, content in lowered(60_000).files.items():
        (other / path).parent.mkdir(parents=True, exist_ok=True)
        (other / path).write_bytes(content)
    sidecar = Sidecar("--bundle", str(other))
    try:
        wait_until_healthy(sidecar.url, process=sidecar.process)
        app = start(opa=sidecar.url)
        before = app.db.query("SELECT COUNT(*) FROM decision_log")[0][0]
        with VerdictClient(f"127.0.0.1:{app.port}", token=DECIDER_TOKEN) as client:
            with pytest.raises(VerdictError) as refused:
                client.decide(case("post-unarchived"))
        assert refused.value.code == grpc.StatusCode.UNAVAILABLE
        assert "cannot be archived" in refused.value.details
        assert app.db.query("SELECT COUNT(*) FROM decision_log")[0][0] == before
        assert lowered(60_000).revision not in {r for r, _, _ in PolicyArchive(app.db).revisions()}
    finally:
        sidecar.stop()


def self_signed(directory: Path) -> tuple[Path, Path]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    (directory / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "server.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
    return directory / "server.pem", directory / "server.key"


def test_off_loopback_the_bundle_service_serves_only_https(setup, tmp_path):
    from server.ops.http import HttpConfigError

    start, bundles, keys, _ = setup
    with pytest.raises(HttpConfigError, match="plain HTTP"):
        start(http_listen="0.0.0.0:0")
    cert, key = self_signed(tmp_path)
    app = start(http_listen="0.0.0.0:0", tls_cert=cert, tls_key=key)
    data = keys.publish(Bundle.from_directory(REGO), bundles)
    answer = requests.get(f"https://localhost:{app.ops.http.port}/bundles/verdict.tar.gz", verify=str(cert),
                          headers={"Authorization": f"Bearer {SIDECAR_TOKEN}"}, timeout=10)
    assert answer.status_code == 200 and answer.content == data
