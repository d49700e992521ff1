"""What the console works through: the running server's services, handed over at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from flask import current_app

from server.api.auth import Caller
from server.engine.archive import PolicyArchive
from server.decisionlog.checkpoints import Witness
from server.decisionlog.log import DecisionLog
from shared.tlog.note import Verifier
from server.decisionlog.reader import LogReader
from server.decisions.pipeline import DecisionPipeline

if TYPE_CHECKING:
    from server.console.candidates import CandidateStore
    from server.console.jobs import Jobs

EXTENSION = "verdict.console"
STATE = "verdict.console.state"


@dataclass
class Services:
    """The server's own objects: what the console shows is what the API answers."""

    decisions: DecisionPipeline
    reader: LogReader
    archive: PolicyArchive
    log: DecisionLog
    verifier: Verifier | None
    witness: Witness | None
    callers: Mapping[str, Caller]    # token SHA-256 -> caller, as the gRPC interceptor has them
    bundle_dir: Path
    examples_dir: Path = Path("examples/cases")


def services() -> Services:
    """The services of the app handling the current request."""
    return current_app.extensions[EXTENSION]


@dataclass
class State:
    """The console's own memory: running jobs and the candidates callers brought."""

    jobs: "Jobs"
    candidates: "CandidateStore"


def state() -> State:
    return current_app.extensions[STATE]
