"""The JSON result file: `ReplayResult.to_json()` written atomically, and read back exactly."""

from __future__ import annotations

import os
from pathlib import Path

from sparkprime.report.files import write_text_atomic
from sparkprime.sim.result import ReplayResult

__all__ = ["read_json_result", "write_json_result"]


def write_json_result(result: ReplayResult, path: str | os.PathLike[str]) -> Path:
    """Write `result` as deterministic JSON (see `sim.result`) to `path`, atomically."""
    return write_text_atomic(path, result.to_json())


def read_json_result(path: str | os.PathLike[str]) -> ReplayResult:
    """Read a result file written by `write_json_result` (checks every field)."""
    return ReplayResult.from_json(Path(path).read_bytes())
