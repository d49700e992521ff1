"""Candidate revisions a caller brought: a git ref of the policy repository, or an
uploaded bundle. Kept in memory for the caller, to replay decisions against, try
cases on and run the Rego tests of; never served, never archived."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectChoice, StringField
from wtforms.validators import Length, Optional, Regexp

from server.api.validation import GIT_REF
from server.audit import candidates
from server.console.context import services, state
from server.console.forms import options
from server.console.signin import requires, safe_next
from server.engine.archive import ArchiveError
from server.engine.bundle import Bundle, BundleError, is_test_file

MAX_PER_CALLER = 5

bp = Blueprint("candidates", __name__)


@dataclass
class Candidate:
    id: str
    label: str
    served: Bundle           # the policies and data: what would be served, and its revision
    full: Bundle             # with the Rego tests and decision tables, if it came with them
    added_at: float = field(default_factory=time.time)

    @property
    def revision(self) -> str:
        return self.served.revision


class CandidateStore:
    """Each caller's last MAX_PER_CALLER candidates."""

    def __init__(self) -> None:
        self._by_owner: dict[str, list[Candidate]] = {}
        self._lock = threading.Lock()

    def add(self, owner: str, label: str, full: Bundle) -> Candidate:
        try:
            served = Bundle.from_files({p: c for p, c in full.files.items() if not is_test_file(p)})
        except BundleError as exc:
            raise candidates.CandidateError(f"{label}: {exc}") from None
        candidate = Candidate(secrets.token_urlsafe(6), label, served, full)
        with self._lock:  # the same revision again replaces the older one
            mine = [c for c in self._by_owner.get(owner, []) if c.revision != candidate.revision]
            self._by_owner[owner] = ([candidate] + mine)[:MAX_PER_CALLER]
        return candidate

    def of(self, owner: str) -> list[Candidate]:
        return list(self._by_owner.get(owner, []))

    def get(self, owner: str, candidate_id: str) -> Candidate | None:
        return next((c for c in self._by_owner.get(owner, []) if c.id == candidate_id), None)


def revision_choices(first: list[tuple[str, str]]) -> list[SelectChoice]:
    """``first``, then every archived revision, then the caller's candidates."""
    archived = [(f"archived:{rev}", f"archived {rev[:12]} ({source}, {at[:10]})") for rev, at, source in services().archive.revisions()]
    mine = [(f"candidate:{c.id}", f"candidate {c.revision[:12]} ({c.label})") for c in state().candidates.of(g.caller.name)]
    return options(first + archived + mine)


def resolve(choice: str, tests: bool = False) -> Bundle:
    """The bundle a choice names: "current" (the server's bundle directory as it is now),
    "archived:REV" or "candidate:ID"; with ``tests``, its Rego tests too (when it has them)."""
    kind, _, key = choice.partition(":")
    try:
        if kind == "current":
            return Bundle.from_directory(services().bundle_dir, tests=tests)
        if kind == "archived":
            return services().archive.load(key)
    except (ArchiveError, BundleError) as exc:
        raise candidates.CandidateError(str(exc)) from None
    candidate = state().candidates.get(g.caller.name, key) if kind == "candidate" else None
    if candidate is None:
        raise candidates.CandidateError(f"no revision {choice!r}: choose one from the list")
    return candidate.full if tests else candidate.served


class CandidateForm(FlaskForm):
    git_ref = StringField("Git ref", validators=[Optional(), Length(max=256), Regexp(GIT_REF, message=(
        "A commit, branch or tag, like main~1 or 3f2c1a9: letters, digits and _./~^@{}+- only."))],
        description="Of the repository the server's policies live in.")
    bundle = FileField("or a bundle (.tar.gz)", description="As `verdict-admin bundle build` or `opa build` make it; "
                                                              "with its *_test.rego files to run its tests.")
    next = HiddenField()

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if bool(self.git_ref.data) == bool(self.bundle.data):
            self.git_ref.errors = [*self.git_ref.errors, "Give either a git ref or a bundle file."]
            return False
        return True


@bp.route("/candidates", methods=["POST"])
@requires("audit:replay", "decide")
def add() -> Any:
    form = CandidateForm(prefix="candidate")
    back = safe_next(form.next.data) or url_for("signin.index")
    if form.validate():
        try:
            if form.git_ref.data:
                full = candidates.from_git(form.git_ref.data, services().bundle_dir, tests=True)
                label = f"git {form.git_ref.data}"
            else:
                full = candidates.from_bundle(form.bundle.data.read(), tests=True)
                label = f"upload {form.bundle.data.filename or 'bundle'}"
            candidate = state().candidates.add(g.caller.name, label, full)
        except (candidates.CandidateError, OSError) as exc:
            form.git_ref.errors = [*form.git_ref.errors, str(exc)]
        else:
            flash(f"Candidate {candidate.revision[:12]} ({candidate.label}) added.")
            return redirect(back)
    return render_template("candidate_error.html", form=form, back=back), 400
