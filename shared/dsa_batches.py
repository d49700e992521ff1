"""The batch files of DSA statements of reasons: at most 100 statements a file,
each file the body of the Transparency Database's ``POST /api/v1/statements``.

``verdict dsa statements`` writes them from what the server derives;
``verdict-admin dsa submit`` reads them and sends them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

BATCH = 100
DEFAULT_DIR = "var/dsa/statements"
BATCH_GLOB = "statements-*.json"


def write_batches(statements: Iterable[dict[str, Any]], out_dir: Path) -> list[Path]:
    """Files of at most 100 statements, each the body of POST /api/v1/statements.

    Batch files of an earlier run in the directory are replaced, so the
    directory holds exactly this run's statements.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(BATCH_GLOB):
        old.unlink()
    paths, batch = [], []

    def flush() -> None:
        path = out_dir / f"statements-{len(paths) + 1:05d}.json"
        path.write_text(json.dumps({"statements": batch}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)

    for statement in statements:
        batch.append(statement)
        if len(batch) == BATCH:
            flush()
            batch = []
    if batch:
        flush()
    return paths


def read_batches(in_dir: Path) -> Iterator[dict[str, Any]]:
    """The statements of every batch file in a directory, in file order."""
    paths = sorted(in_dir.glob(BATCH_GLOB))
    if not paths:
        raise FileNotFoundError(f"{in_dir}: no {BATCH_GLOB} batch files (write them with `verdict dsa statements --out {in_dir}`)")
    for path in paths:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("statements"), list):
            raise ValueError(f"{path}: expected {{\"statements\": [...]}}")
        yield from doc["statements"]
