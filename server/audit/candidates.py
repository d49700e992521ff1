"""Candidate policy revisions for impact analysis: a directory, a git ref or an uploaded bundle."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from server.engine.bundle import Bundle, BundleError, is_test_file


class CandidateError(ValueError):
    """The candidate cannot be loaded; the text says why."""


def from_directory(path: str | Path) -> Bundle:
    try:
        return Bundle.from_directory(Path(path))
    except BundleError as exc:
        raise CandidateError(f"candidate {path}: {exc}") from None


def from_git(ref: str, bundle_dir: Path, tests: bool = False) -> Bundle:
    """The bundle directory as it is at ``ref`` in the repository that holds it:
    what would be served (with ``tests``, the Rego tests and decision tables too)."""
    def git(*args: str, where: Path = bundle_dir) -> bytes:
        result = subprocess.run(["git", "-C", str(where), *args], capture_output=True)
        if result.returncode != 0:
            raise CandidateError(f"git {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
        return result.stdout

    prefix = git("rev-parse", "--show-prefix").decode().strip()  # e.g. "rego/"
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}").decode().strip()
    # The subtree itself (commit:prefix), so paths in the archive start at the bundle.
    top = Path(git("rev-parse", "--show-toplevel").decode().strip())
    archive = git("archive", "--format=tar", f"{commit}:{prefix}" if prefix else commit, where=top)
    files = {}
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            path = member.name
            if member.isfile() and (tests or not is_test_file(path)):
                files[path] = tar.extractfile(member).read()  # type: ignore[union-attr]
    try:
        return Bundle.from_files(files)
    except BundleError as exc:
        raise CandidateError(f"candidate {ref} ({commit[:12]}): {exc}") from None


def from_bundle(data: bytes, tests: bool = False) -> Bundle:
    """The policies and data of an uploaded bundle (a .tar.gz as `verdict-admin bundle build` or
    `opa build` make it; other files are ignored); with ``tests``, its Rego tests and
    decision tables too. Only regular files with paths inside the bundle are read."""
    try:
        return Bundle.from_tarball(data, tests=tests)
    except BundleError as exc:
        message = str(exc)
        raise CandidateError(message if message.startswith("bundle:") else f"bundle: {message}") from None
