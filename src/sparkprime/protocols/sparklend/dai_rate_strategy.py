"""The historical DAI-market strategy of SparkLend (retired in 2024), contract-exact.

marsfoundation/sparklend-deployments `src/DaiInterestRateStrategy.sol` (the final D3M version,
with `live()`): a flat spread on the DSR while the D3M is under its debt ceiling, rising toward
`max_rate` above it. Arithmetic as in `rate_strategies`.
"""

from __future__ import annotations

from typing import Final, Protocol

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.core.uint import (
    UINT128_MAX,
    check_uint256,
)
from sparkprime.protocols.sparklend.rate_sources import (
    SECONDS_PER_YEAR,
    PotLike,
)
from sparkprime.protocols.sparklend.rate_strategies import (
    CalculateInterestRatesParams,
    InterestRates,
)
from sparkprime.protocols.sparklend.rate_strategies import (
    solidity_add as _add,
)
from sparkprime.protocols.sparklend.rate_strategies import (
    solidity_mul as _mul,
)
from sparkprime.protocols.sparklend.rate_strategies import (
    solidity_sub as _sub,
)

__all__ = ["UINT88_MAX", "DaiInterestRateStrategy", "VatLike"]

UINT88_MAX: Final = 2**88 - 1  # the contract stores its debt ratio in a uint88
_UINT40_MASK: Final = 2**40 - 1
_WORD: Final = 2**256  # unchecked arithmetic wraps modulo 2**256

# --- the historical DAI market strategy ----------------------------------------------------


class VatLike(Protocol):
    """What `DaiInterestRateStrategy` reads from Maker's Vat."""

    def ilks(self, ilk: bytes, /) -> tuple[int, int, int, int, int]:
        """(Art [wad], rate [ray], spot [ray], line [rad], dust [rad]) of the ilk."""
        ...

    def live(self) -> int:
        """1 while the Vat is live, 0 after emergency shutdown (`cage`)."""
        ...


class DaiInterestRateStrategy:
    """sparklend-deployments `DaiInterestRateStrategy` (the final D3M version, with `live()`).

    `recompute()` caches, from the Pot and the Vat, the base rate
    `min((dsr - RAY) * 365 days * base_rate_conversion / RAY, max_rate - borrow_spread)` and the
    D3M debt ratio `Art * rate / (line / WAD)` [wad] (uint88 max when the line is 0 or the Vat
    is caged, 0 without debt), with the clock's time. It runs in the constructor.

    Then, with `u = debt * WAD / (cash + debt)` (floored):
    - debt ratio <= 1: borrow = base + borrow_spread; supply = 0 up to `performance_bonus` of
      debt, then `(base + supply_spread) * u / WAD * (debt - bonus) / debt`;
    - above 1: borrow = `max - (max - (base + borrow_spread)) * WAD / debtRatio`,
      supply = `borrow * u / WAD`. The stable rate is 0.

    The Vat and Pot are constructor-injected (any objects with `ilks(ilk)`/`live()` and
    `dsr()`); `ilk` is a bytes32, given as up to 32 bytes and right-padded with zeros. Stored
    values are cast like the contract's `Slot0`: the base rate to uint128 and the timestamp to
    uint40 (truncating, as Solidity's explicit casts do). Construction reverts
    `DaiInterestRateStrategy/supply-spread-greater-than-borrow-spread` and
    `.../borrow-spread-too-large` (here `DAI_IRM_SUPPLY_SPREAD_GREATER_THAN_BORROW_SPREAD` and
    `DAI_IRM_BORROW_SPREAD_TOO_LARGE`).
    """

    __slots__ = (
        "_base_rate",
        "_clock",
        "_debt_ratio",
        "_last_update_timestamp",
        "base_rate_conversion",
        "borrow_spread",
        "ilk",
        "max_rate",
        "performance_bonus",
        "pot",
        "supply_spread",
        "vat",
    )

    def __init__(
        self,
        *,
        vat: VatLike,
        pot: PotLike,
        ilk: bytes,
        base_rate_conversion: int,
        borrow_spread: int,
        supply_spread: int,
        max_rate: int,
        performance_bonus: int,
        clock: Clock,
    ) -> None:
        if type(ilk) is not bytes:
            raise ProtocolError(
                ErrorCode.INVALID_TYPE, field="ilk", expected="bytes32", got=type(ilk).__name__
            )
        if len(ilk) > 32:
            raise ProtocolError(
                ErrorCode.VALUE_OUT_OF_RANGE, field="ilk (bytes)", value=len(ilk), min=0, max=32
            )
        check_uint256(base_rate_conversion, field="base_rate_conversion")
        check_uint256(borrow_spread, field="borrow_spread")
        check_uint256(supply_spread, field="supply_spread")
        check_uint256(max_rate, field="max_rate")
        check_uint256(performance_bonus, field="performance_bonus")
        if borrow_spread < supply_spread:
            raise ProtocolError(
                ErrorCode.DAI_IRM_SUPPLY_SPREAD_GREATER_THAN_BORROW_SPREAD,
                field="supply_spread",
                value=supply_spread,
                min=0,
                max=borrow_spread,
            )
        if max_rate < borrow_spread:
            raise ProtocolError(
                ErrorCode.DAI_IRM_BORROW_SPREAD_TOO_LARGE,
                field="borrow_spread",
                value=borrow_spread,
                min=0,
                max=max_rate,
            )
        self.vat: Final = vat
        self.pot: Final = pot
        self.ilk: Final = ilk.ljust(32, b"\x00")
        self.base_rate_conversion: Final = base_rate_conversion
        self.borrow_spread: Final = borrow_spread
        self.supply_spread: Final = supply_spread
        self.max_rate: Final = max_rate
        self.performance_bonus: Final = performance_bonus
        self._clock: Final = clock
        self._debt_ratio = 0
        self._base_rate = 0
        self._last_update_timestamp = 0
        self.recompute()

    def recompute(self) -> None:
        """Re-read the DSR and the ilk's debt and line; all reads happen before any write."""
        ilk_data = self.vat.ilks(self.ilk)
        if type(ilk_data) is not tuple or len(ilk_data) != 5:
            raise ProtocolError(
                ErrorCode.INVALID_TYPE,
                field="vat.ilks(ilk)",
                expected="(uint256, uint256, uint256, uint256, uint256)",
                got=type(ilk_data).__name__,
            )
        for name, value in zip(("Art", "rate", "spot", "line", "dust"), ilk_data, strict=True):
            check_uint256(value, field=f"vat.ilks(ilk).{name}")
        art, rate, _spot, line, _dust = ilk_data
        dsr = check_uint256(self.pot.dsr(), field="pot.dsr()")

        apr = _mul(_sub(dsr, RAY, "dsr - RAY"), SECONDS_PER_YEAR, "(dsr - RAY) * 365 days")
        base_rate = _mul(apr, self.base_rate_conversion, "apr * baseRateConversion") // RAY
        if _add(base_rate, self.borrow_spread, "baseRate + borrowSpread") > self.max_rate:
            base_rate = self.max_rate - self.borrow_spread  # borrow_spread <= max_rate

        line_wad = line // WAD
        if art == 0:
            debt_ratio = 0
        elif line_wad > 0 and check_uint256(self.vat.live(), field="vat.live()") == 1:
            debt_ratio = min(_mul(art, rate, "Art * rate") // line_wad, UINT88_MAX)
        else:
            debt_ratio = UINT88_MAX

        self._debt_ratio = debt_ratio
        self._base_rate = base_rate & UINT128_MAX
        self._last_update_timestamp = self._clock.now & _UINT40_MASK

    def calculate_interest_rates(self, params: CalculateInterestRatesParams, /) -> InterestRates:
        base_rate = self._base_rate
        outstanding = params.total_variable_debt
        supply_utilization = 0
        if outstanding > 0:
            available = _sub(
                _add(params.available_liquidity, params.liquidity_added, "balance + added"),
                params.liquidity_taken,
                "balance + liquidityAdded - liquidityTaken",
            )
            supply_utilization = _mul(outstanding, WAD, "outstandingBorrow * WAD") // _add(
                available, outstanding, "availableLiquidity + outstandingBorrow"
            )

        variable_rate = _add(base_rate, self.borrow_spread, "baseRate + borrowSpread")
        supply_rate = 0
        if self._debt_ratio <= WAD:
            if outstanding > self.performance_bonus:
                delta = outstanding - self.performance_bonus
                flat = _add(base_rate, self.supply_spread, "baseRate + supplySpread")
                scaled = _mul(flat, supply_utilization, "flat * supplyUtilization") // WAD
                supply_rate = _mul(scaled, delta, "... * delta") // outstanding
        else:
            max_rate_delta = (self.max_rate - variable_rate) % _WORD  # unchecked, as upstream
            variable_rate = _sub(
                self.max_rate,
                _mul(max_rate_delta, WAD, "maxRateDelta * WAD") // self._debt_ratio,
                "maxRate - maxRateDelta * WAD / debtRatio",
            )
            supply_rate = _mul(variable_rate, supply_utilization, "borrow * utilization") // WAD
        return InterestRates(supply_rate, 0, variable_rate)

    def get_debt_ratio(self) -> int:
        return self._debt_ratio

    def get_base_rate(self) -> int:
        return self._base_rate

    def get_last_update_timestamp(self) -> int:
        return self._last_update_timestamp
