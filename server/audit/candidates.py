"""Candidate policy revisions for impact analysis: a git ref of the policies'
repository, an uploaded bundle, or a directory under the server's candidates
root. The one implementation the gRPC API and the console both load them with.

A remote caller names files on the server's machine only under the root an
operator configured (``--candidates-root``; without one, directories are
refused). Paths are resolved (``..`` and symbolic links followed) before they
are compared with the root, and whatever lies outside it gets the same
answer, whether it exists or not.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from server.engine.bundle import MAX_BYTES, MAX_FILES, Bundle, BundleError, is_bundle_file, is_test_file

# An uploaded bundle, packed.
MAX_UPLOAD = 8 * 1024 * 1024


class CandidateError(ValueError):
    """The candidate cannot be loaded; the text says why."""


def from_directory(name: str, root: Path | None) -> Bundle:
    """The policies and data of a directory under ``root`` (``name``: relative to it, or absolute inside it)."""
    if root is None:
        raise CandidateError("directory: this server takes no candidate directories (it runs without --candidates-root); "
                             "upload a bundle or name a git ref")
    outside = CandidateError("directory: must name a directory under the server's candidates root")
    try:
        base = root.resolve(strict=True)
        path = (base / name).resolve()
        if not path.is_relative_to(base):
            raise outside
        if not path.is_dir():
            raise CandidateError(f"directory: {path.relative_to(base).as_posix() or '.'} is not a directory under the candidates root")
        files: dict[str, bytes] = {}
        size = 0
        for entry in sorted(path.rglob("*")):
            rel = entry.relative_to(path)
            if any(part.startswith(".") for part in rel.parts) or not is_bundle_file(rel.as_posix()) or is_test_file(rel.as_posix()):
                continue
            if not entry.resolve().is_relative_to(base):
                raise CandidateError(f"directory: {rel.as_posix()} is a link that leads outside the candidates root")
            if not entry.is_file():
                continue
            content = entry.read_bytes()
            size += len(content)
            if len(files) >= MAX_FILES or size > MAX_BYTES:
                raise CandidateError(f"directory: at most {MAX_FILES} files and {MAX_BYTES // 2**20} MiB")
            files[rel.as_posix()] = content
    except (OSError, ValueError) as exc:
        if isinstance(exc, CandidateError):
            raise
        raise outside from None
    try:
        return Bundle.from_files(files)
    except (BundleError, UnicodeDecodeError) as exc:
        raise CandidateError(f"directory {name}: {exc}") from None


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
    if len(data) > MAX_UPLOAD:
        raise CandidateError(f"bundle: at most {MAX_UPLOAD // 2**20} MiB")
    try:
        return Bundle.from_tarball(data, tests=tests)
    except BundleError as exc:
        message = str(exc)
        raise CandidateError(message if message.startswith("bundle:") else f"bundle: {message}") from None
