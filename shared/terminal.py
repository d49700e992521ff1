"""Printing for the command lines (`verdict`, `verdict-admin`): readable text by default, JSON with --json."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, sort_keys=False)
    sys.stdout.write("\n")


def fail(message: str, code: int = 2, program: str = "verdict") -> int:
    """Print an error the user can act on and return the exit code."""
    print(f"{program}: error: {message}", file=sys.stderr)
    return code


def table(rows: list[list[str]], header: list[str] | None = None) -> str:
    """A plain aligned table."""
    all_rows = ([header] if header else []) + rows
    if not all_rows:
        return ""
    widths = [max(len(str(r[i])) for r in all_rows) for i in range(len(all_rows[0]))]
    lines = []
    for n, row in enumerate(all_rows):
        lines.append("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if header and n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_out(text: str, out: Path | None, summary: str) -> None:
    """``text`` to the file ``out`` (saying so, with ``summary``, on standard error) or to standard output."""
    if out is not None:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}: {summary}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def run_handler(args: Any) -> int:
    """Run the command's handler (``args.handler``) and return its exit code; Ctrl-C is 130, a closed pipe 0."""
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
