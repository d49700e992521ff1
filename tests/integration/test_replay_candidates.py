"""What a replay may read: candidate directories only under the configured root (never
anything else on the server's machine, and the answers tell nothing of what lies
outside it), uploaded bundles, git refs of the policies' repository; and a replay
stops when its caller goes away."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time

import grpc
import pytest
import structlog

from clients.client import VerdictClient, VerdictError
from server.engine.bundle import Bundle

from tests.conftest import REGO, import_accounts, start_server
from tests.integration.test_cli import verdict
from tests.integration.test_store_timeouts import case


def lower_threshold(rego_dir) -> None:
    """The candidate of the README: the PI-1.3 follower threshold at 50,000."""
    pi = rego_dir / "verdict" / "pi" / "pi.rego"
    pi.write_text(pi.read_text().replace("follower_threshold := 100000", "follower_threshold := 50000"))


def replay_error(client: VerdictClient, **target) -> VerdictError:
    with pytest.raises(VerdictError) as err:
        list(client.replay(**target))
    return err.value


def test_without_a_candidates_root_no_directory_is_read(client):
    for directory in ("/", "/etc", "/no/such/place", "rego"):
        error = replay_error(client, directory=directory)
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert "directory" in error.details and "--candidates-root" in error.details


@pytest.fixture
def rooted(sqlite_url, opa_url, tmp_path):
    """A server whose candidates root holds one candidate (``lower``), next to a directory
    outside the root (``outside``) and links from inside the root to it."""
    root, outside = tmp_path / "candidates", tmp_path / "outside"
    shutil.copytree(REGO, root / "lower")
    lower_threshold(root / "lower")
    shutil.copytree(REGO, outside)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    shutil.copytree(REGO, root / "leaky")
    (root / "leaky" / "secret.rego").symlink_to(outside / "verdict" / "pi" / "pi.rego")
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, opa_url, tmp_path, candidates_root=root)
    with VerdictClient(f"127.0.0.1:{app.port}", timeout=60) as client:
        for account in ("acc-candidate-100k", "acc-candidate-250k", "acc-citizen"):
            client.decide(case(account, f"p-{account}"))
        yield client, root, outside
    app.stop()


def test_a_candidate_under_the_root_is_replayed_by_its_name_or_its_absolute_path(rooted):
    client, root, _ = rooted
    for name in ("lower", str(root / "lower"), "lower/../lower"):
        summary = list(client.replay(directory=name))[-1].summary
        assert summary.candidate_revision == Bundle.from_directory(root / "lower").revision
        assert summary.changed == 1  # acc-candidate-100k: 100,000 followers are now more than 50,000


def test_nothing_outside_the_root_is_read_and_the_answer_does_not_say_what_exists(rooted):
    client, root, outside = rooted
    answers = {name: replay_error(client, directory=name) for name in (
        str(outside), "../outside", "escape", "/", "/etc", "/no/such/place", "../no-such-place", "lower/../../outside")}
    assert {e.code for e in answers.values()} == {grpc.StatusCode.INVALID_ARGUMENT}
    assert len({e.details for e in answers.values()}) == 1, answers  # one answer, whether it exists or not
    assert "under the server's candidates root" in next(iter(answers.values())).details
    leaky = replay_error(client, directory="leaky")
    assert leaky.code == grpc.StatusCode.INVALID_ARGUMENT and "secret.rego is a link that leads outside" in leaky.details
    assert str(outside) not in leaky.details


def test_an_uploaded_bundle_is_replayed(rooted):
    client, root, _ = rooted
    bundle = Bundle.from_directory(root / "lower")
    summary = list(client.replay(bundle=bundle.tarball()))[-1].summary
    assert summary.candidate_revision == bundle.revision and summary.changed == 1
    assert replay_error(client, bundle=b"not a bundle").code == grpc.StatusCode.INVALID_ARGUMENT


def test_a_replay_stops_when_its_caller_goes_away(sqlite_url, tmp_path):
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, "", tmp_path, engine="embedded")
    try:
        with VerdictClient(f"127.0.0.1:{app.port}", timeout=120) as client:
            for batch in range(10):
                client.decide_batch([case("acc-citizen", f"b{batch}-{n}") for n in range(100)])
            with structlog.testing.capture_logs() as logs:
                stream = client.replay()
                first = next(stream)
                assert first.total == 1000 and not first.HasField("summary")
                stream.close()  # the caller goes away
                deadline = time.monotonic() + 30
                while any(t.name.startswith("replay") for t in threading.enumerate()) and time.monotonic() < deadline:
                    time.sleep(0.05)
            assert not any(t.name.startswith("replay") for t in threading.enumerate())
        [cancelled] = [e for e in logs if e["event"].startswith("replay cancelled")]
        assert cancelled["replayed"] < 1000
    finally:
        app.stop()


def test_replay_against_a_git_ref_as_the_readme_shows(sqlite_url, tmp_path):
    """`verdict audit replay --against main~1`: a repository whose rego/ changed in its last commit."""
    repo = tmp_path / "policies"
    shutil.copytree(REGO, repo / "rego")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)

    git("init", "-q", "-b", "main")
    git("add", "rego")
    git("commit", "-q", "-m", "policies")
    before = Bundle.from_directory(repo / "rego").revision
    lower_threshold(repo / "rego")
    git("commit", "-q", "-am", "PI-1.3 at 50,000")
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, "", tmp_path, engine="embedded", bundle_dir=repo / "rego")
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            for account in ("acc-candidate-100k", "acc-candidate-250k", "acc-citizen"):
                client.decide(case(account, f"p-{account}"))
        out = verdict("audit", "replay", "--against", "main~1", "--json", env={"VERDICT_SERVER": f"127.0.0.1:{app.port}"})
        assert out.returncode == 0, out.stderr
        summary = json.loads(out.stdout)
        assert summary["mode"] == "candidate" and summary["candidate_revision"] == before
        # 100,000 followers: more than 50,000 (as decided), not more than 100,000 (main~1)
        assert summary["outcome_changes"] == [{"from": "OUTCOME_PUBLIC_INTEREST_REVIEW", "to": "OUTCOME_REQUIRE_REMOVAL",
                                              "count": "1", "examples": summary["outcome_changes"][0]["examples"]}]
        text = verdict("audit", "replay", "--against", "main~1", env={"VERDICT_SERVER": f"127.0.0.1:{app.port}"})
        assert text.returncode == 0 and f"Replay on candidate revision {before[:12]} (main~1)" in text.stdout
    finally:
        app.stop()
