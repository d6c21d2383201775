"""Shared pieces for the rate strategy and rate source tests.

The small classes here stand in for the contracts a strategy or source *reads* (a rate
source, Maker's Pot and Vat, sUSDS), like the upstream suites' `RateSourceMock`, `PotMock`,
`VatMock`: they hold a value and return it; none of them replaces code under test.
"""

from __future__ import annotations

import os

from hypothesis import settings

from sparkprime.core.errors import ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.protocols.sparklend.rate_strategies import CalculateInterestRatesParams

RAD = 10**45
RBPS = RAY // 10_000  # one basis point in ray
ONE_PCT = RAY // 100

# Maker's 5% APY per-second rate (`bc -l <<< 'scale=27; e( l(1.05)/(60 * 60 * 24 * 365) )'`)
# and its APR: PotRateSource.t.sol / SSRRateSource.t.sol.
FIVE_PCT_APY_RATE = 1_000000001547125957863212448
FIVE_PCT_APY_APR = 48790164207174267760128000

# Deeper fuzzing on demand: SPARKPRIME_FUZZ=10 runs ten times the examples.
FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))


def fuzz(examples: int = 200) -> settings:
    """Hypothesis settings scaled by SPARKPRIME_FUZZ; no deadline (big ints vary in cost)."""
    return settings(max_examples=examples * FUZZ, deadline=None)


def ray(text: str) -> int:
    """A decimal literal in ray, exactly like Solidity's `0.05e27` (no float involved)."""
    whole, _, frac = text.partition(".")
    frac = frac.ljust(27, "0")
    assert len(frac) == 27, text
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole or "0")) * RAY + int(frac))


def params(**overrides: int) -> CalculateInterestRatesParams:
    """CalculateInterestRatesParams with every field 0 unless given."""
    values = {
        "unbacked": 0,
        "liquidity_added": 0,
        "liquidity_taken": 0,
        "total_stable_debt": 0,
        "total_variable_debt": 0,
        "average_stable_borrow_rate": 0,
        "reserve_factor": 0,
        "available_liquidity": 0,
    }
    values.update(overrides)
    return CalculateInterestRatesParams(**values)


class RateSourceMock:
    """sparklend-advanced `test/mocks/RateSourceMock.sol`: a settable APR and decimals."""

    def __init__(self, rate: int, decimals: int) -> None:
        self.rate = rate
        self._decimals = decimals

    def set_rate(self, rate: int) -> None:
        self.rate = rate

    def set_decimals(self, decimals: int) -> None:
        self._decimals = decimals

    def get_apr(self) -> int:
        return self.rate

    def decimals(self) -> int:
        return self._decimals


class RevertingRateSource:
    """CappedFallbackRateSource.t.sol's `RevertingRateSource`: getAPR reverts with a reason."""

    def __init__(self, error: ProtocolError) -> None:
        self.error = error

    def get_apr(self) -> int:
        raise self.error

    def decimals(self) -> int:
        return 18


class PotMock:
    """A Pot's `dsr()`."""

    def __init__(self, dsr: int) -> None:
        self._dsr = dsr

    def set_dsr(self, dsr: int) -> None:
        self._dsr = dsr

    def dsr(self) -> int:
        return self._dsr


class SUSDSMock:
    """sUSDS's `ssr()`."""

    def __init__(self, ssr: int) -> None:
        self._ssr = ssr

    def set_ssr(self, ssr: int) -> None:
        self._ssr = ssr

    def ssr(self) -> int:
        return self._ssr


class VatMock:
    """DaiInterestRateStrategy.t.sol's `VatMock`: `ilks` returns (Art, RAY, 0, line, 0)."""

    def __init__(self) -> None:
        self.art = 0
        self.line = 0
        self._live = 1
        self.rate = RAY

    def ilks(self, ilk: bytes, /) -> tuple[int, int, int, int, int]:
        assert len(ilk) == 32
        return (self.art, self.rate, 0, self.line, 0)

    def live(self) -> int:
        return self._live

    def set_art(self, art: int) -> None:
        self.art = art

    def set_line(self, line: int) -> None:
        self.line = line

    def cage(self) -> None:
        self._live = 0


def test_ray_literal_matches_solidity_scientific_notation() -> None:
    assert ray("0.05") == 5 * RAY // 100
    assert ray("-0.005") == -5 * RAY // 1000
    assert ray("0.048790164207174267760128000") == FIVE_PCT_APY_APR
    assert ray("1.2") == 12 * RAY // 10
    assert WAD * 10**9 == RAY
