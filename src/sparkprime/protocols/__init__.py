"""Contract-exact protocol models: Python ints with the contracts' own rounding, no floats."""

__all__: list[str] = []
