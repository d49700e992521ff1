"""The policy archive: every revision the server served, its files viewable.

A decision names its revision; here is that revision's source, as archived
(and checked against its content hash when it is loaded).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, render_template

from server.console.context import services
from server.console.signin import requires
from server.engine.archive import ArchiveError
from server.engine.bundle import Bundle

bp = Blueprint("revisions", __name__)

REVISION = re.compile(r"^[0-9a-f]{64}$")


def archived(revision: str) -> Bundle:
    if not REVISION.match(revision):
        abort(404, description="A revision is the 64 hex digits of its content hash.")
    try:
        return services().archive.load(revision)
    except ArchiveError as exc:
        abort(404, description=str(exc))


@bp.route("/revisions")
@requires("audit:read", "decide")
def index() -> Any:
    return render_template("revisions.html", revisions=services().archive.revisions())


@bp.route("/revisions/<revision>")
@requires("audit:read", "decide")
def show(revision: str) -> Any:
    bundle = archived(revision)
    return render_template("revision.html", revision=revision, files=sorted(bundle.files.items()))


@bp.route("/revisions/<revision>/files/<path:path>")
@requires("audit:read", "decide")
def source(revision: str, path: str) -> Any:
    bundle = archived(revision)
    if path not in bundle.files:
        abort(404, description=f"Revision {revision[:12]} has no file {path}.")
    return render_template("source.html", revision=revision, path=path, text=bundle.files[path].decode("utf-8"))
