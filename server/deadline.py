"""The deadline of the call being served, so that a wait deep in the server
(for the decision log's commit) ends in time for the server to say what
happened, rather than leaving the caller with its own DEADLINE_EXCEEDED.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

# What the server keeps back from the caller's deadline to answer in time.
MARGIN = 0.2

_deadline: ContextVar[float | None] = ContextVar("call_deadline", default=None)


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Serve a call that must be answered within ``seconds`` (None: the caller set no deadline)."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining(default: float) -> float:
    """How long a wait may last: ``default``, or less if the caller's deadline comes sooner."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return max(0.0, min(default, deadline - time.monotonic() - MARGIN))
