"""Structured logging for every process of verdict (server, sidecar, CLI)."""

from __future__ import annotations

import logging
import os
import sys

import structlog


def configure_logging(level: str | None = None, json_output: bool | None = None) -> None:
    """Key-value logs to stderr; JSON lines when VERDICT_LOG_JSON=1 (for collectors)."""
    level_name = (level or os.environ.get("VERDICT_LOG_LEVEL", "info")).upper()
    if json_output is None:
        json_output = os.environ.get("VERDICT_LOG_JSON", "") not in ("", "0", "false")
    renderer = structlog.processors.JSONRenderer() if json_output else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level_name, logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
