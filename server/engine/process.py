"""OPA as a child process: the real ``opa run --server`` when ``opa`` is on PATH,
otherwise the OPA-compatible sidecar. One code path for ``make run``, the tests
and the benchmark, so real OPA is a drop-in everywhere.

OPA's output goes to a log file, never to a pipe: a pipe nobody reads fills
(64 KiB) and then blocks OPA mid-request. Real OPA runs with
``--skip-version-check`` (no call home at start) and ``--log-level error``
(it does not log every request). Its bundle is built into ``workdir``, never
next to the policies.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from server.engine.bundle import Bundle
from server.engine.rest import wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class OpaChild:
    process: subprocess.Popen
    kind: str          # "opa" or "sidecar"
    url: str
    log_path: Path

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)


def opa_command(bundle_dir: Path, addr: str, workdir: Path, watch: bool = False) -> tuple[list[str], str]:
    """The command that serves ``bundle_dir`` on ``addr``, and which OPA it is."""
    opa = shutil.which("opa")
    if opa:
        tarball = workdir / "bundle.tar.gz"  # policies and data only, the revision in its .manifest
        tarball.write_bytes(Bundle.from_directory(bundle_dir).tarball())
        return [opa, "run", "--server", "--addr", addr, "--skip-version-check", "--log-level", "error", str(tarball)], "opa"
    command = [sys.executable, "-m", "server.engine.sidecar", "--bundle", str(bundle_dir), "--addr", addr]
    return command + (["--watch"] if watch else []), "sidecar"


def start_opa(bundle_dir: Path, addr: str, workdir: Path, watch: bool = False, log_path: Path | None = None,
              timeout: float = 60.0) -> OpaChild:
    """Start OPA and wait until it answers /health; its output is appended to ``log_path``
    (default ``workdir/opa.log``). Raises RuntimeError (the process stopped) if it never does."""
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    command, kind = opa_command(bundle_dir.resolve(), addr, workdir, watch)
    log_path = log_path or workdir / "opa.log"
    log: IO[bytes] = open(log_path, "ab")
    try:
        process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()  # the child has its own descriptor
    child = OpaChild(process, kind, f"http://{addr}", log_path)
    try:
        wait_until_healthy(child.url, timeout=timeout, process=process)
    except RuntimeError:
        child.stop()
        raise
    return child
