"""The `sparkprime` command line (Typer + Rich): `cli.main.app`, the console script `main`.

DESIGN: cli/ holds no business logic; every command calls the same facade a notebook user
calls (`sim.facade`, `sim.facade_lend`, `sim.facade_journal`, `sim.replay`, `report`).
"""

from __future__ import annotations

from sparkprime.cli.main import app, main

__all__ = [
    "app",
    "main",
]
