"""The stress replay: price scenarios stepped through the prime book, SparkLend and the SLL.

Its output is a `sim.result.ReplayResult` that `report/` renders.
"""

__all__: list[str] = []
