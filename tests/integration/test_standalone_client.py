"""The client alone: `pip install` of the verdict-client wheel into a fresh virtual environment.

No server code, none of the server's dependencies, no network: the wheel
is built from the repository (`make client-wheel`), its dependencies come
from the wheels `make setup` downloaded with the hashes of
requirements-client.lock. Installed, `verdict` decides a case against a
real server, reads an account through the API, and checks an inclusion
proof offline with only the log's public key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.conftest import ROOT, TEST_LOG_PUBLIC_KEY, import_accounts, start_server

WHEELHOUSE = ROOT / ".venv" / "wheelhouse"
CLIENT_PACKAGES = {"verdict-client", "grpcio", "protobuf", "cryptography", "cffi", "pycparser", "orjson", "typing-extensions"}
PIP = ROOT / ".venv" / "bin" / "pip"  # installs into the new environment (--python), which then needs no pip of its own


def run(*args: str, cwd: Path, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def client_venv(tmp_path_factory) -> dict:
    """A fresh virtual environment with only the client wheel and its dependencies; returns its bin dir and a clean env."""
    tmp = tmp_path_factory.mktemp("client")
    assert (WHEELHOUSE / ".complete").is_file(), "the client's wheels are downloaded by `make setup`"
    run("make", "-s", "client-wheel", f"DIST={tmp / 'dist'}", cwd=ROOT)
    [wheel] = (tmp / "dist").glob("verdict_client-*.whl")
    run(sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv"), cwd=tmp)
    bin_dir = tmp / "venv" / "bin"
    # Nothing of this environment leaks in: no PYTHONPATH, no pip configuration, no index.
    env = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "HOME": str(tmp), "PIP_CONFIG_FILE": os.devnull,
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    pip = [str(PIP), "--python", str(bin_dir / "python")]
    run(*pip, "install", "--quiet", "--no-index", "--find-links", str(WHEELHOUSE), str(wheel), cwd=tmp, env=env)
    return {"bin": bin_dir, "env": env, "cwd": tmp, "pip": pip}


def test_the_client_installs_alone_without_the_server_or_its_dependencies(client_venv):
    py, env, cwd = str(client_venv["bin"] / "python"), client_venv["env"], client_venv["cwd"]
    listed = json.loads(run(*client_venv["pip"], "list", "--format", "json", cwd=cwd, env=env).stdout)
    assert {canonicalize_name(p["name"]) for p in listed} == CLIENT_PACKAGES
    for module in ("server", "grpc_tools", "psycopg", "flask", "opa_bindings", "jsonschema", "structlog"):
        result = run(py, "-c", f"import {module}", cwd=cwd, env=env, check=False)
        assert result.returncode == 1 and f"No module named '{module}'" in result.stderr, module
    assert "clients/client.py" in run(py, "-c", "import clients.client as c; print(c.__file__)", cwd=cwd, env=env).stdout
    helped = run(str(client_venv["bin"] / "verdict"), "decide", "--help", cwd=cwd, env=env).stdout
    assert helped.startswith("usage: verdict decide") and "examples:" in helped
    refused = run(str(client_venv["bin"] / "verdict"), "rego", "test", cwd=cwd, env=env, check=False)
    assert refused.returncode == 2 and "run `verdict-admin rego test`" in refused.stderr


def test_the_installed_client_decides_reads_accounts_and_checks_proofs(client_venv, opa_url, tmp_path):
    url = f"sqlite:///{tmp_path}/verdict.db"
    import_accounts(url)
    app = start_server(url, opa_url, tmp_path)
    try:
        verdict, cwd = str(client_venv["bin"] / "verdict"), client_venv["cwd"]
        env = {**client_venv["env"], "VERDICT_SERVER": f"127.0.0.1:{app.port}"}
        decided = run(verdict, "decide", "--account", "acc-candidate-250k", "--post", "post-1", "--policy", "hateful_conduct",
                      cwd=cwd, env=env).stdout
        assert "Outcome: PUBLIC INTEREST REVIEW" in decided and "[x] PI-1.3" in decided
        decision_id = decided.split()[1]
        shown = json.loads(run(verdict, "accounts", "show", "acc-candidate-250k", cwd=cwd, env=env).stdout)
        assert shown["account"]["followers"] == 250_000
        run(verdict, "audit", "prove", decision_id, "--out", str(tmp_path / "proof.json"), cwd=cwd, env=env)
        checked = run(verdict, "audit", "verify-proof", str(tmp_path / "proof.json"), "--key", TEST_LOG_PUBLIC_KEY,
                      cwd=cwd, env={**client_venv["env"]}).stdout  # no server address: offline
        assert checked.startswith(f"OK: {decision_id} is record")
    finally:
        app.stop()
