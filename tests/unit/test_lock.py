"""Reproducible installs: the lock files pin every package with hashes, agree with pyproject.toml,
and are what this environment was installed from (`make setup`)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def locked(path: Path) -> dict[str, tuple[Requirement, list[str]]]:
    """name -> (requirement, its hashes) of a pip-compile/uv lock file."""
    entries: dict[str, tuple[Requirement, list[str]]] = {}
    current = None
    for line in path.read_text().splitlines():
        text = line.strip().rstrip("\\").strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("--hash="):
            assert current is not None, f"{path.name}: a hash before any requirement"
            entries[current][1].append(text.removeprefix("--hash="))
            continue
        requirement = Requirement(text)
        current = canonicalize_name(requirement.name)
        entries[current] = (requirement, [])
    return entries


LOCK = locked(ROOT / "requirements.lock")
ENGINE_LOCK = locked(ROOT / "requirements-engine.lock")
CLIENT_LOCK = locked(ROOT / "requirements-client.lock")


def pinned_version(requirement: Requirement) -> str:
    [spec] = list(requirement.specifier)
    assert spec.operator == "==", f"{requirement} is not pinned exactly"
    return spec.version


def test_every_locked_package_is_pinned_with_sha256_hashes():
    for name, (requirement, hashes) in {**LOCK, **ENGINE_LOCK, **CLIENT_LOCK}.items():
        pinned_version(requirement)
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), name


def test_the_lock_holds_every_pin_of_pyproject_at_its_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in LOCK, f"{name} is in pyproject.toml but not in requirements.lock: run make lock"
        assert pinned_version(LOCK[name][0]) == pinned_version(requirement), f"{name}: run make lock"
    # the build backend is locked too: `pip install --no-build-isolation -e .` fetches nothing
    assert "setuptools" in LOCK


def test_this_environment_was_installed_from_the_locks():
    for name, (requirement, _) in {**LOCK, **ENGINE_LOCK}.items():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue  # another platform's package
        assert metadata.version(name) == pinned_version(requirement), name


def test_the_engine_lock_is_the_engine_the_makefile_installs():
    makefile = (ROOT / "Makefile").read_text()
    engine = re.search(r"^ENGINE\s*:=\s*(\S+)$", makefile, re.M).group(1)
    requirement = Requirement(engine)
    assert pinned_version(ENGINE_LOCK[canonicalize_name(requirement.name)][0]) == pinned_version(requirement)
    assert "--require-hashes -r $(LOCK)" in makefile and "--require-hashes --no-deps --ignore-requires-python -r $(ENGINE_LOCK)" in makefile


def test_the_client_alone_gets_the_versions_the_server_is_tested_with():
    """verdict-client (packaging/client) pins what pyproject.toml pins, and its lock what requirements.lock locks."""
    server = {canonicalize_name(Requirement(t).name): Requirement(t)
              for t in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    client = tomllib.loads((ROOT / "packaging" / "client" / "pyproject.toml").read_text())["project"]["dependencies"]
    for text in client:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in server and pinned_version(server[name]) == pinned_version(requirement), name
        assert name in CLIENT_LOCK, f"{name} is not in requirements-client.lock: run make lock"
    for name, (requirement, _) in CLIENT_LOCK.items():
        assert name in LOCK and pinned_version(LOCK[name][0]) == pinned_version(requirement), f"{name}: run make lock"
