"""Work that outlasts a page: replays, verify runs, Rego test runs.

A job runs on the console's small pool (at most WORKERS at once), one job of
a kind per caller at a time; its page polls the progress. The last KEEP jobs
are kept in memory for their results; a job is only shown to its caller.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

import structlog
from flask import abort, g, render_template, request
from wtforms import Field

from server.api.errors import status_for
from server.console.context import state

log = structlog.get_logger("console")

WORKERS = 2
KEEP = 50


class Busy(Exception):
    """The caller already has a job of this kind running."""


@dataclass
class Job:
    id: str
    owner: str
    kind: str
    asked: dict[str, Any]              # what was asked, for the page
    started_at: float = field(default_factory=time.time)
    done: int = 0
    total: int = 0
    finished: bool = False
    result: Any = None
    error: str = ""
    seconds: float = 0.0

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.finished else 0)


class Jobs:
    def __init__(self, workers: int = WORKERS, keep: int = KEEP) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="console-job")
        self._jobs: "OrderedDict[str, Job]" = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def start(self, owner: str, kind: str, asked: dict[str, Any], work: Callable[[Job], Any]) -> Job:
        with self._lock:
            if any(j.owner == owner and j.kind == kind and not j.finished for j in self._jobs.values()):
                raise Busy(f"You already have a {kind} running: wait for it to finish.")
            job = Job(secrets.token_urlsafe(9), owner, kind, asked)
            self._jobs[job.id] = job
            for old in [j for j in self._jobs.values() if j.finished][: max(0, len(self._jobs) - self._keep)]:
                del self._jobs[old.id]
        self._pool.submit(self._run, job, work)
        return job

    @staticmethod
    def _run(job: Job, work: Callable[[Job], Any]) -> None:
        started = time.perf_counter()
        try:
            job.result = work(job)
        except Exception as exc:  # shown on the job's page, worded as the API would say it
            code, message = status_for(exc)
            job.error = f"{code.name}: {message}"
            log.warning("console job failed", kind=job.kind, owner=job.owner, error_type=type(exc).__name__)
        finally:
            job.seconds = time.perf_counter() - started
            job.finished = True

    def get(self, job_id: str, owner: str, kind: str) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner and job.kind == kind else None

    def of(self, owner: str, kind: str) -> list[Job]:
        """The caller's jobs of a kind, newest first."""
        return [j for j in reversed(self._jobs.values()) if j.owner == owner and j.kind == kind]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------- in a view


def start(kind: str, asked: dict[str, Any], work: Callable[[Job], Any], field: Field) -> Job | None:
    """Start the signed-in caller's job; None, with the reason on ``field``, if one of the kind still runs."""
    try:
        return state().jobs.start(g.caller.name, kind, asked, work)
    except Busy as exc:
        field.errors = [str(exc)]
        return None


def mine(kind: str, job_id: str) -> Job:
    """The signed-in caller's job, or 404."""
    job = state().jobs.get(job_id, g.caller.name, kind)
    if job is None:
        abort(404, description=f"No {kind} of yours by that ID (results are kept while the server runs).")
    return job


def render_job(job: Job, name: str, view: Callable[[Any], dict[str, Any]] | None = None) -> str:
    """The job's page (``NAME_job.html``), or for htmx's polling only its status section
    (``NAME_status.html``), with ``result`` and what ``view`` makes of it once it is there.

    The job is read once, finished first: its result is set before it is marked finished,
    so a page never shows a finished job without its result.
    """
    finished = job.finished
    result = job.result if finished else None
    extra = view(result) if view is not None and result is not None else {}
    template = f"{name}_status.html" if request.headers.get("HX-Request") else f"{name}_job.html"
    return render_template(template, job=job, finished=finished, result=result, **extra)
