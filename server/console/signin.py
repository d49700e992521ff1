"""Signing in with a caller token, signing out, and who may see what.

A session holds the SHA-256 of the caller's token (never the token) and when
it began; the caller's scopes are looked up in the same callers file the gRPC
API uses, on every request. Sessions live in the server's memory: they end
after the idle time (``--console-session-seconds``), after SESSION_MAX in any
case, at sign-out, and when the server restarts.
"""

from __future__ import annotations

import time
from functools import wraps
from typing import Any, Callable

import structlog
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from server.api.auth import Caller, caller_with_token
from server.console.context import services

log = structlog.get_logger("console")

SESSION_MAX = 8 * 3600  # seconds a session may last, however active

bp = Blueprint("signin", __name__)


class SignInForm(FlaskForm):
    token = PasswordField("Caller token", validators=[DataRequired("Enter your caller token."), Length(max=512)],
                          description="The bearer token you call the gRPC API with. Only its hash is kept.")
    next = HiddenField()


def find_caller(token: str) -> Caller | None:
    return caller_with_token(services().callers, token)


def signed_in() -> Caller | None:
    """The caller of this session, if it is signed in and has not expired."""
    data = session.get("caller")
    if not data:
        return None
    caller = services().callers.get(data.get("token_sha256", ""))
    if caller is None or time.time() - float(data.get("since", 0)) > SESSION_MAX:
        session.clear()
        return None
    return caller


def safe_next(target: str | None) -> str | None:
    """Only a path of this console (no open redirect to another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def home_for(caller: Caller) -> str:
    if caller.may("audit:read"):
        return url_for("decisions.search")
    if caller.may("decide"):
        return url_for("playground.page")
    if caller.may("audit:replay"):
        return url_for("replay.page")
    return url_for("signin.nothing")


def requires(*scopes: str) -> Callable:
    """The view needs a signed-in caller with one of ``scopes`` (admin has them all); no scopes: signed in."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            caller = g.caller
            if caller is None:
                if request.headers.get("HX-Request"):
                    return "", 401, {"HX-Redirect": url_for("signin.page", next=request.full_path)}
                return redirect(url_for("signin.page", next=request.full_path))
            if scopes and not any(caller.may(s) for s in scopes):
                return render_template("forbidden.html", needed=scopes), 403
            return view(*args, **kwargs)

        return guarded

    return decorate


@bp.before_app_request
def load_caller() -> None:
    g.caller = signed_in()


@bp.route("/sign-in", methods=["GET", "POST"])
def page() -> Any:
    form = SignInForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        return render_template("signin.html", form=form)
    if not form.validate_on_submit():
        return render_template("signin.html", form=form), 400
    caller = find_caller(form.token.data)
    if caller is None:
        log.warning("console sign-in refused", peer=request.remote_addr, reason="unknown token")
        form.token.errors.append("This token is not one of the server's callers.")
        return render_template("signin.html", form=form), 401
    current_app.session_interface.regenerate(session)  # a new session ID: none planted before sign-in survives
    session.clear()
    session["caller"] = {"token_sha256": caller.token_sha256, "since": time.time()}
    log.info("console sign-in", caller=caller.name, peer=request.remote_addr)
    return redirect(safe_next(form.next.data) or home_for(caller))


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Any:
    if g.caller is not None:  # the CSRF check already passed (every POST)
        log.info("console sign-out", caller=g.caller.name)
    current_app.session_interface.regenerate(session)  # the old session ID is forgotten on the server
    session.clear()
    flash("Signed out.")
    return redirect(url_for("signin.page"))


@bp.route("/")
def index() -> Any:
    return redirect(home_for(g.caller) if g.caller else url_for("signin.page"))


@bp.route("/nothing")
@requires()
def nothing() -> Any:
    """A caller whose scopes open none of the console's pages."""
    return render_template("forbidden.html", needed=("audit:read", "audit:replay", "decide")), 403
