"""The stress replay: price scenarios stepped through the prime book, SparkLend and the SLL.

Its output is a `sim.result.ReplayResult` that `report/` renders.
"""

from __future__ import annotations

from sparkprime.sim.paths import PricePath, historical_path, synthetic_path
from sparkprime.sim.prices_io import PriceFileError, load_prices
from sparkprime.sim.replay import ReplayOptions, run_replay
from sparkprime.sim.replay_inputs import resolve_scenario
from sparkprime.sim.result import ReplayResult

__all__ = [
    "PriceFileError",
    "PricePath",
    "ReplayOptions",
    "ReplayResult",
    "historical_path",
    "load_prices",
    "resolve_scenario",
    "run_replay",
    "synthetic_path",
]
