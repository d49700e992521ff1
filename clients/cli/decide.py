"""`verdict decide`: ask the server what the policies say about a case."""
from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    pass
