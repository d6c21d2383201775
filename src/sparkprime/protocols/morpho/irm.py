"""Interest rate models for Morpho Blue markets: AdaptiveCurveIrm and two simple ones.

`AdaptiveCurveIrm` follows morpho-org/morpho-blue-irm
`src/adaptive-curve-irm/AdaptiveCurveIrm.sol` @ 10be2221fed129a691ad168fda6457e6227d7a09 with
`libraries/ExpLib.sol`, `libraries/MathLib.sol` @ bab3be06/a2b57ceb and `ConstantsLib.sol`
(curve steepness 4, adjustment speed 50/year, target utilization 90%, initial rate at target
4%/year, rate at target bounded to [0.1%, 200%]/year; all per second, WAD):

    u = totalBorrow / totalSupply (wDivDown; 0 when nothing is supplied)
    err = (u - 0.9) / (u > 0.9 ? 0.1 : 0.9)                     (toward zero)
    curve(r, err) = ((err < 0 ? 1 - 1/4 : 4 - 1) * err + 1) * r  (each product toward zero)
    end = clamp(start * wExp(speed * elapsed)),  speed = 50/year * err
    mid = clamp(start * wExp(speed * elapsed / 2))
    rate = curve((start + end + 2 mid) / 4, err)   (the trapezoidal average; stored: end)

The first call for a market (stored rate at target 0) returns curve(4%/year, err) and stores
4%/year. Int math follows Solidity's signed semantics: `/` truncates toward zero (Python's
`//` floors, so `_sdiv` is used), and `>>` on int256 is arithmetic.

`LinearIrm` is morpho-blue's `src/mocks/IrmMock.sol` (rate = utilization / 365 days: x%
utilization is x% APR), used by the upstream integration tests. `ConstantRateIrm` returns one
fixed per-second rate (a simplification of morpho-blue-irm's FixedRateIrm without its
set-once admin).

Example:
    >>> w_exp(0)
    1000000000000000000
    >>> INITIAL_RATE_AT_TARGET * 365 * 86_400 // 10**14  # 4.00% a year, in bps
    399
"""

from __future__ import annotations

from typing import Final, Protocol

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.morpho.market_math import (
    WAD,
    Market,
    MarketId,
    MarketParams,
    market_id,
    w_div_down,
)
from sparkprime.protocols.sparklend.addresses import make_addr

__all__ = [
    "ADJUSTMENT_SPEED",
    "CURVE_STEEPNESS",
    "INITIAL_RATE_AT_TARGET",
    "LN_2_INT",
    "LN_WEI_INT",
    "MAX_RATE_AT_TARGET",
    "MIN_RATE_AT_TARGET",
    "TARGET_UTILIZATION",
    "WEXP_UPPER_BOUND",
    "WEXP_UPPER_VALUE",
    "AdaptiveCurveIrm",
    "ConstantRateIrm",
    "Irm",
    "LinearIrm",
    "bound",
    "w_div_to_zero",
    "w_exp",
    "w_mul_to_zero",
]

_YEAR: Final = 365 * 86_400
CURVE_STEEPNESS: Final = 4 * WAD
ADJUSTMENT_SPEED: Final = 50 * WAD // _YEAR
TARGET_UTILIZATION: Final = 9 * 10**17
INITIAL_RATE_AT_TARGET: Final = 4 * 10**16 // _YEAR
MIN_RATE_AT_TARGET: Final = 10**15 // _YEAR
MAX_RATE_AT_TARGET: Final = 2 * WAD // _YEAR

LN_2_INT: Final = 693147180559945309
LN_WEI_INT: Final = -41446531673892822312
WEXP_UPPER_BOUND: Final = 93859467695000404319
WEXP_UPPER_VALUE: Final = 57716089161558943949701069502944508345128422502756744429568


class Irm(Protocol):
    """`IIrm`: a market's interest rate model (per-second borrow rate, WAD)."""

    @property
    def address(self) -> Address:
        """Where the IRM is deployed (the `irm` of the markets that use it)."""
        ...

    def borrow_rate(self, market_params: MarketParams, market: Market, *, sender: Address) -> int:
        """The rate to accrue with; may update the IRM's state."""
        ...

    def borrow_rate_view(self, market_params: MarketParams, market: Market) -> int:
        """The rate `borrow_rate` would return, without writing."""
        ...


def _sdiv(a: int, b: int) -> int:
    """Solidity's signed division: truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def w_mul_to_zero(x: int, y: int) -> int:
    """x * y / WAD, rounded toward zero."""
    return _sdiv(x * y, WAD)


def w_div_to_zero(x: int, y: int) -> int:
    """x * WAD / y, rounded toward zero."""
    return _sdiv(x * WAD, y)


def bound(x: int, low: int, high: int) -> int:
    """min(max(x, low), high) (UtilsLib.bound)."""
    return min(max(x, low), high)


def w_exp(x: int) -> int:
    """ExpLib.wExp: e^x (WAD) by x = q ln2 + r and a 2nd-order Taylor polynomial for e^r."""
    if x < LN_WEI_INT:
        return 0
    if x >= WEXP_UPPER_BOUND:
        return WEXP_UPPER_VALUE
    adjustment = -(LN_2_INT // 2) if x < 0 else LN_2_INT // 2
    q = _sdiv(x + adjustment, LN_2_INT)
    r = x - q * LN_2_INT
    exp_r = WAD + r + _sdiv(_sdiv(r * r, WAD), 2)
    return exp_r << q if q >= 0 else exp_r >> -q


def _curve(rate_at_target: int, err: int) -> int:
    coeff = WAD - w_div_to_zero(WAD, CURVE_STEEPNESS) if err < 0 else CURVE_STEEPNESS - WAD
    return w_mul_to_zero(w_mul_to_zero(coeff, err) + WAD, rate_at_target)


def _new_rate_at_target(start: int, linear_adaptation: int) -> int:
    return bound(
        w_mul_to_zero(start, w_exp(linear_adaptation)), MIN_RATE_AT_TARGET, MAX_RATE_AT_TARGET
    )


def _utilization(market: Market) -> int:
    if market.total_supply_assets == 0:
        return 0
    return w_div_down(market.total_borrow_assets, market.total_supply_assets)


class AdaptiveCurveIrm:
    """The AdaptiveCurveIrm: a curve around a rate at target that adapts with utilization."""

    __slots__ = ("_atomic", "_clock", "_rate_at_target", "address", "morpho")

    def __init__(
        self,
        morpho: Address,
        *,
        clock: Clock,
        atomic: Atomic,
        address: Address | None = None,
    ) -> None:
        if int(morpho, 16) == 0:
            raise ProtocolError(
                ErrorCode.MORPHO_ZERO_ADDRESS, field="morpho", reason="zero address"
            )
        self.morpho = morpho
        self.address = address if address is not None else make_addr("AdaptiveCurveIrm")
        self._clock = clock
        self._atomic = atomic
        self._rate_at_target: dict[MarketId, int] = {}

    def rate_at_target(self, id_: MarketId) -> int:
        """The stored rate at target of market `id_` (0 before its first update)."""
        return self._rate_at_target.get(id_, 0)

    def borrow_rate_view(self, market_params: MarketParams, market: Market) -> int:
        """The average rate over the elapsed time, without writing."""
        return self._borrow_rate(market_id(market_params), market)[0]

    def borrow_rate(self, market_params: MarketParams, market: Market, *, sender: Address) -> int:
        """The average rate; stores the end rate at target (only Morpho may call)."""
        if sender != self.morpho:
            raise ProtocolError(ErrorCode.MORPHO_IRM_NOT_MORPHO, sender=sender, reason="not Morpho")
        id_ = market_id(market_params)
        avg_rate, end_rate_at_target = self._borrow_rate(id_, market)
        self._atomic.set_item(self._rate_at_target, id_, end_rate_at_target)
        return avg_rate

    def _borrow_rate(self, id_: MarketId, market: Market) -> tuple[int, int]:
        utilization = _utilization(market)
        norm = WAD - TARGET_UTILIZATION if utilization > TARGET_UTILIZATION else TARGET_UTILIZATION
        err = w_div_to_zero(utilization - TARGET_UTILIZATION, norm)
        start = self._rate_at_target.get(id_, 0)
        if start == 0:
            # First interaction.
            avg = end = INITIAL_RATE_AT_TARGET
        else:
            speed = w_mul_to_zero(ADJUSTMENT_SPEED, err)
            linear_adaptation = speed * (self._clock.now - market.last_update)
            if linear_adaptation == 0:
                avg = end = start
            else:
                end = _new_rate_at_target(start, linear_adaptation)
                mid = _new_rate_at_target(start, _sdiv(linear_adaptation, 2))
                avg = _sdiv(start + end + 2 * mid, 4)
        return _curve(avg, err), end


class LinearIrm:
    """morpho-blue's IrmMock: utilization / 365 days per second (x% used is x% APR)."""

    __slots__ = ("address",)

    def __init__(self, address: Address | None = None) -> None:
        self.address = address if address is not None else make_addr("IrmMock")

    def borrow_rate_view(self, market_params: MarketParams, market: Market) -> int:
        """utilization // 365 days."""
        return _utilization(market) // _YEAR

    def borrow_rate(self, market_params: MarketParams, market: Market, *, sender: Address) -> int:
        """Same as the view: the mock has no state."""
        return self.borrow_rate_view(market_params, market)


class ConstantRateIrm:
    """One fixed per-second borrow rate (WAD) for every market."""

    __slots__ = ("address", "rate_per_s_wad")

    def __init__(self, rate_per_s_wad: int, address: Address | None = None) -> None:
        self.rate_per_s_wad = rate_per_s_wad
        self.address = address if address is not None else make_addr("ConstantRateIrm")

    def borrow_rate_view(self, market_params: MarketParams, market: Market) -> int:
        """The fixed rate."""
        return self.rate_per_s_wad

    def borrow_rate(self, market_params: MarketParams, market: Market, *, sender: Address) -> int:
        """The fixed rate."""
        return self.rate_per_s_wad
