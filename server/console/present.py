"""How values read on a page: enum names in words, times, ages, JSON (Jinja filters)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from flask import Flask

from verdict.v1 import decision_pb2

from server.console.forms import words


def enum_name(value: int, enum: str) -> str:
    """A decision.proto enum value by its name: 7, "Outcome" -> "OUTCOME_HUMAN_REVIEW"."""
    return getattr(decision_pb2, enum).Name(value)


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


def when(rfc3339: str) -> str:
    """2024-05-01T12:00:03.118Z -> 2024-05-01 12:00:03."""
    return rfc3339[:19].replace("T", " ") if rfc3339 else "—"


def clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%H:%M:%S UTC")


def age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = float(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.3f} s"


def install(app: Flask) -> None:
    app.jinja_env.filters.update(words=words, enum_name=enum_name, pretty=pretty, when=when, clock=clock, age=age,
                                 short=lambda revision: (revision or "")[:12])
