"""Real OPA is a drop-in in the tests, in `make run` and in `verdict rego test`.

No ``opa`` binary can be installed here, so a stand-in named ``opa`` is put
first on PATH: ``opa run --server`` serves the bundle it is given with the
embedded engine and writes 4 KiB to stderr for every request (as an OPA
logging requests does); ``opa test`` prints what ``opa test --bundle`` does
in bundle mode, one file under two names. Each records its arguments.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import REGO, ROOT, OpaProcess, free_port

STAND_IN = '''#!{python}
"""A stand-in for the opa binary (tests/integration/test_opa_process.py)."""
import json, os, sys
from pathlib import Path

sys.path.insert(0, {root!r})
args = sys.argv[1:]
with open(os.environ["FAKE_OPA_ARGV"], "a") as out:
    out.write(json.dumps(args) + "\\n")

if args[0] == "run":
    from server.audit.candidates import from_bundle
    from server.engine import sidecar_http, sidecar_state

    bundle = from_bundle(Path(args[-1]).read_bytes())  # the tarball built for it (files named "/verdict/...")
    serve = sidecar_http.OpaHandler.do_POST

    def noisy(self):
        sys.stderr.write("stand-in opa: request " + "x" * 4096 + "\\n")
        sys.stderr.flush()  # blocks once a pipe nobody reads is full
        serve(self)

    sidecar_http.OpaHandler.do_POST = noisy
    host, port = args[args.index("--addr") + 1].rsplit(":", 1)
    sidecar_http.SidecarServer((host, int(port)), sidecar_state.SidecarState(bundle)).serve_forever()
elif args[0] == "test":
    root = args[args.index("--bundle") + 1]
    if "--coverage" in args:  # bundle mode: covered lines under one name, the lines not covered under another
        print(json.dumps({{"files": {{
            root + "/verdict/pi/pi.rego": {{"covered": [{{"start": {{"row": 1}}, "end": {{"row": 10}}}}]}},
            "/verdict/pi/pi.rego": {{"not_covered": [{{"start": {{"row": 11}}, "end": {{"row": 12}}}}]}},
            os.path.abspath(root) + "/verdict/ei/ei.rego": {{"covered": [{{"start": {{"row": 1}}, "end": {{"row": 4}}}}]}},
        }}}}))
    else:
        print(json.dumps([{{"location": {{"file": root + "/verdict/pi/pi_test.rego", "row": 3}}, "package": "data.verdict.pi",
                           "name": "test_stand_in", "duration": 1000000}}]))
'''


@pytest.fixture
def stand_in_opa(tmp_path, monkeypatch) -> Path:
    """The stand-in, first on PATH; returns the file its invocations are recorded in."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opa = bin_dir / "opa"
    opa.write_text(STAND_IN.format(python=sys.executable, root=str(ROOT)))
    opa.chmod(opa.stat().st_mode | stat.S_IXUSR)
    argv = tmp_path / "opa-argv.jsonl"
    argv.touch()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_OPA_ARGV", str(argv))
    return argv


def invocations(argv: Path) -> list[list[str]]:
    return [json.loads(line) for line in argv.read_text().splitlines()]


def test_real_opa_writing_heavily_to_stderr_never_blocks(stand_in_opa):
    """The tests' own OPA fixture (OpaProcess) with a real opa on PATH."""
    before = set(ROOT.glob("bundle-*.tar.gz"))
    opa = OpaProcess(REGO).start()
    try:
        assert opa.real  # the opa on PATH, not the sidecar
        answered = 0
        for n in range(300):  # 300 x 4 KiB: a pipe nobody reads is full after 16
            response = requests.post(f"{opa.url}/v1/data/verdict/config", json={"input": {}}, timeout=10)
            answered += response.status_code == 200
        assert answered == 300
        [run] = invocations(stand_in_opa)
        assert run[:2] == ["run", "--server"] and "--skip-version-check" in run
        assert run[run.index("--log-level") + 1] == "error"
        assert (opa.workdir / "opa.log").stat().st_size >= 300 * 4096  # OPA's output went to its log file
    finally:
        opa.stop()
    assert set(ROOT.glob("bundle-*.tar.gz")) == before  # the bundle was built in the work directory


def test_verdict_rego_test_gives_opa_a_timeout_and_lists_each_file_once(stand_in_opa):
    verdict = [sys.executable, "-m", "server.admin", "rego", "test", "--coverage", "--json"]  # `verdict-admin`, from this tree
    out = subprocess.run(verdict, cwd=ROOT, capture_output=True, text=True, timeout=120)
    report = json.loads(out.stdout)
    assert report["engine"] == "opa test"
    assert set(report["coverage"]) == {"verdict/pi/pi.rego", "verdict/ei/ei.rego"}
    assert report["coverage"]["verdict/pi/pi.rego"] == {"percent": round(100 * 10 / 12, 2), "not_covered_lines": [11, 12]}
    assert [t["file"] for t in report["tests"]] == ["verdict/pi/pi_test.rego"]
    for run in invocations(stand_in_opa):
        assert run[0] == "test" and run[run.index("--timeout") + 1] == "120s"
    table = subprocess.run(verdict[:-1] + ["--timeout", "30"], cwd=ROOT, capture_output=True, text=True, timeout=120).stdout
    assert table.count("verdict/pi/pi.rego") == 1
    assert all(run[run.index("--timeout") + 1] == "30s" for run in invocations(stand_in_opa)[-2:])


def test_make_run_starts_real_opa_quietly(stand_in_opa, tmp_path):
    """`make run` with opa on PATH: real OPA, --skip-version-check, and its request logging not on the terminal."""
    grpc_port, opa_port = free_port(), free_port()
    env = {**os.environ, "VERDICT_LISTEN": f"127.0.0.1:{grpc_port}", "VERDICT_OPA_ADDR": f"127.0.0.1:{opa_port}",
           "VERDICT_DB": f"sqlite:///{tmp_path}/verdict.db", "VERDICT_LOG_KEY": "", "VERDICT_LOG_KEY_FILE": f"{tmp_path}/log.key",
           "VERDICT_WITNESS_DIR": f"{tmp_path}/witness", "VERDICT_CONSOLE_LISTEN": "off"}
    terminal = tmp_path / "terminal.txt"
    with open(terminal, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "server.devrun"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while "Stop with Ctrl-C" not in terminal.read_text():
            assert process.poll() is None and time.monotonic() < deadline, terminal.read_text()
            time.sleep(0.1)
        for _ in range(20):
            assert requests.post(f"http://127.0.0.1:{opa_port}/v1/data/verdict/config", json={}, timeout=10).status_code == 200
        shown = terminal.read_text()
        assert "real OPA (opa run --server)" in shown
        assert "stand-in opa: request" not in shown
        [run] = invocations(stand_in_opa)
        assert "--skip-version-check" in run
    finally:
        process.terminate()
        process.wait(timeout=30)
