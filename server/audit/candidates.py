"""Candidate policy revisions for impact analysis: a directory, a git ref or an uploaded bundle."""

from __future__ import annotations

import io
import subprocess
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from server.engine.bundle import Bundle, BundleError, is_bundle_file, is_test_file

# An uploaded bundle holds at most this many files and bytes, unpacked.
MAX_FILES = 5_000
MAX_BYTES = 64 * 1024 * 1024


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
    """The policies and data of an uploaded bundle (a .tar.gz as `verdict rego build` or
    `opa build` make it; other files are ignored); with ``tests``, its Rego tests and
    decision tables too. Only regular files with paths inside the bundle are read."""
    files: dict[str, bytes] = {}
    count = size = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r|*") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise CandidateError(f"bundle: {member.name!r} is not a regular file (links and devices are refused)")
                count, size = count + 1, size + member.size
                if count > MAX_FILES or size > MAX_BYTES:
                    raise CandidateError(f"bundle: at most {MAX_FILES} files and {MAX_BYTES // 2**20} MiB unpacked")
                parts = [p for p in PurePosixPath(member.name.lstrip("/")).parts if p != "."]
                if not parts or ".." in parts:
                    raise CandidateError(f"bundle: {member.name!r} is not a path inside the bundle")
                name = "/".join(parts)
                if is_bundle_file(name) and not any(p.startswith(".") for p in parts) and (tests or not is_test_file(name)):
                    files[name] = tar.extractfile(member).read()  # type: ignore[union-attr]
    except (tarfile.TarError, EOFError, OSError, zlib.error):
        raise CandidateError("bundle: not a .tar.gz bundle") from None
    try:
        return Bundle.from_files(files)
    except (BundleError, UnicodeDecodeError) as exc:
        raise CandidateError(f"bundle: {exc}") from None
