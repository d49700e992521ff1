"""`verdict accounts`: load the accounts the server enriches cases with."""
from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    pass
