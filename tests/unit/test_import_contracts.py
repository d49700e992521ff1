"""The import contracts (pyproject.toml, `make lint-imports`) fail on the imports they forbid.

Each case copies the packages and the configuration to a temporary
directory, adds one forbidden import there and runs the project's
lint-imports on the copy: the untouched copy passes, every edited one fails
and names the contract and the import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = ROOT / ".venv" / "bin" / "lint-imports"
CONTRACTS = {c["id"]: c["name"] for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]}


def copy_of_the_project(to: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "node_modules", "static", "templates")
    for package in ("server", "clients", "shared"):
        shutil.copytree(ROOT / package, to / package, ignore=ignore)
    shutil.copytree(ROOT / "proto" / "verdict", to / "proto" / "verdict", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", to / "pyproject.toml")
    return to


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """lint-imports on ``project``: its copies of the packages come first on the path."""
    env = {**os.environ, "PYTHONPATH": f"{project}{os.pathsep}{project / 'proto'}"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env, capture_output=True, text=True, timeout=120)


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    project = copy_of_the_project(tmp_path_factory.mktemp("pristine"))
    result = lint_imports(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    return project


@pytest.mark.parametrize("module, line, contract, named", [
    ("clients/cli/decide.py", "import server", "clients-server", "clients.cli.decide -> server"),
    ("server/decisions/masking.py", "from clients import client", "clients-server", "server.decisions.masking -> clients.client"),
    ("shared/timeutil.py", "import clients.client", "shared", "shared.timeutil -> clients.client"),
    ("clients/client.py", "import psycopg", "client-dependencies", "clients.client -> psycopg"),
    ("server/db/database.py", "from server.api import validation", "server-layers", "server.db.database -> server.api.validation"),
    ("server/engine/base.py", "import server.enrichment.store", "server-layers", "server.engine.base -> server.enrichment.store"),
    # enrichment only reads: it never reaches for the room that writes history
    ("server/enrichment/store.py", "import server.enforcement.history", "server-layers",
     "server.enrichment.store -> server.enforcement.history"),
    # the pipeline's steps are independent: only the pipeline composes them
    ("server/decisions/prepare.py", "import server.decisions.record", "decision-pipeline",
     "server.decisions.prepare -> server.decisions.record"),
    ("server/decisions/enforce.py", "from server.decisions import pipeline", "decision-pipeline",
     "server.decisions.enforce -> server.decisions.pipeline"),
])
def test_a_forbidden_import_breaks_its_contract(pristine, tmp_path, module, line, contract, named):
    project = tmp_path / "project"
    shutil.copytree(pristine, project)
    add_line(project / module, line)
    result = lint_imports(project)
    assert result.returncode != 0
    report = " ".join(result.stdout.split())  # rich wraps long lines
    assert f"{CONTRACTS[contract]} BROKEN" in report, report
    assert named in report, report
