"""The console's Flask application: sessions, CSRF, security headers, pages.

Every response carries a strict Content-Security-Policy (scripts, styles,
images and requests from this origin only; no inline code, no framing); every
POST needs the session's CSRF token (Flask-WTF); pages are not cached.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import structlog
from cachelib import SimpleCache
from flask import Flask, Response, render_template, request
from flask_session import Session
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from server.api.errors import status_for

from server.console import candidates, decisions, integrity, playground, present, replay, revisions, signin
from server.console.candidates import CandidateStore
from server.console.context import EXTENSION, STATE, Services, State
from server.console.jobs import Jobs

log = structlog.get_logger("console")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
MAX_UPLOAD = 8 * 1024 * 1024  # a candidate bundle
MAX_SESSIONS = 1000
# The API's status of a failure, as an HTTP status.
HTTP_STATUS = {"INVALID_ARGUMENT": 400, "PERMISSION_DENIED": 403, "NOT_FOUND": 404, "ABORTED": 409, "UNAVAILABLE": 503,
               "UNKNOWN": 503}


def security_headers(response: Response, tls: bool) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if tls:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"  # audit data stays out of caches and the back-forward cache
    return response


def create_app(services: Services, session_seconds: float = 1800.0, tls: bool = False) -> Flask:
    """The console over the server's ``services``; sessions end after ``session_seconds`` idle."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # signs CSRF tokens; sessions die with the process anyway
        SESSION_TYPE="cachelib",
        SESSION_CACHELIB=SimpleCache(threshold=MAX_SESSIONS, default_timeout=int(session_seconds)),
        SESSION_PERMANENT=True,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=session_seconds),
        SESSION_REFRESH_EACH_REQUEST=True,  # idle time, not time since sign-in
        SESSION_COOKIE_NAME="__Host-verdict-console" if tls else "verdict-console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=tls,
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as its session
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
    )
    app.extensions[EXTENSION] = services
    app.extensions[STATE] = State(Jobs(), CandidateStore())
    Session(app)
    CSRFProtect(app)
    app.after_request(lambda response: security_headers(response, tls))
    present.install(app)

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> Any:
        log.warning("console request refused", reason="csrf", path=request.path, peer=request.remote_addr)
        message = ("This form did not come from your current session of the console (its CSRF token is missing or wrong): "
                   "reload the page and try again. Nothing was changed.")
        return render_template("error.html", title="Request refused", message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if error.code == 413:
            message = f"The upload is larger than {MAX_UPLOAD // 2**20} MiB. Nothing was stored."
        else:
            message = error.description
        return render_template("error.html", title=f"{error.code} {error.name}", message=message), error.code

    @app.errorhandler(Exception)
    def service_error(error: Exception) -> Any:
        """What the server's services raise, worded and classed as the API answers it: with the log or the
        store unavailable, nothing is shown (a read that cannot be recorded is not made)."""
        code, message = status_for(error)
        if code.name not in HTTP_STATUS:
            log.exception("console request failed", path=request.path, error_type=type(error).__name__)
        return render_template("error.html", title=code.name.replace("_", " ").capitalize(),
                               message=f"{code.name}: {message}"), HTTP_STATUS.get(code.name, 500)

    for module in (signin, decisions, revisions, candidates, replay, integrity, playground):
        app.register_blueprint(module.bp)
    return app
