"""SparkLend's interest rate strategies, contract-exact.

What a reserve's rates are after each action: `calculate_interest_rates(params)` returns the
liquidity (supply) rate, the stable borrow rate and the variable borrow rate, all APRs in ray.

- `DefaultReserveInterestRateStrategy`: Aave v3.0.2 `contracts/protocol/pool/
  DefaultReserveInterestRateStrategy.sol` (SparkLend v1.0.0 runs it unchanged), two slopes
  around an optimal usage ratio, with the stable-rate machinery.
- `VariableBorrowInterestRateStrategy`: sparkdotfi/sparklend-advanced `src/`, the default
  without stable borrowing; `RateTargetBaseInterestRateStrategy` (base rate = a rate source's
  APR + spread) and `RateTargetKinkInterestRateStrategy` (slope 1 such that the rate at the
  kink is the source's APR + an int256 spread, clamped at 0) extend it.
- the historical DAI-market strategy lives in `dai_rate_strategy`.

Arithmetic is Solidity 0.8's: checked `+ - *` (an overflow or underflow, `Panic(0x11)` on
chain, raises `MATH_OVERFLOW`), `/` floors, and `ray_mul`/`ray_div`/`percent_mul` round half
up as Aave's `WadRayMath`/`PercentageMath` do. The contracts' `IERC20(reserve).balanceOf(aToken)`
is the `available_liquidity` field of the params: the aToken's underlying balance at the
moment of the call, before the action's own transfer (the Pool passes that transfer as
`liquidity_added` / `liquidity_taken`).

Example:
    >>> strategy = VariableBorrowInterestRateStrategy(
    ...     optimal_usage_ratio=8 * RAY // 10, base_variable_borrow_rate=0,
    ...     variable_rate_slope1=4 * RAY // 100, variable_rate_slope2=75 * RAY // 100)
    >>> params = CalculateInterestRatesParams(
    ...     unbacked=0, liquidity_added=0, liquidity_taken=0, total_stable_debt=0,
    ...     total_variable_debt=80 * 10**18, average_stable_borrow_rate=0,
    ...     reserve_factor=1_000, available_liquidity=20 * 10**18)
    >>> strategy.calculate_interest_rates(params).variable_borrow_rate_ray == 4 * RAY // 100
    True
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final, NamedTuple, Protocol, runtime_checkable

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import PERCENTAGE_FACTOR, RAY, percent_mul, ray_div, ray_mul
from sparkprime.core.fixed import wad_to_ray as _wad_to_ray
from sparkprime.core.uint import (
    INT256_MAX,
    INT256_MIN,
    UINT256_MAX,
    check_int256,
    check_uint,
    check_uint256,
)
from sparkprime.protocols.sparklend.rate_sources import (
    RATE_SOURCE_DECIMALS_MAX,
    RateSource,
)

__all__ = [
    "CalculateInterestRatesParams",
    "DefaultInterestRateStrategy",
    "DefaultReserveInterestRateStrategy",
    "InterestRates",
    "RateTargetBaseInterestRateStrategy",
    "RateTargetKinkInterestRateStrategy",
    "ReserveInterestRateStrategy",
    "VariableBorrowInterestRateStrategy",
    "solidity_add",
    "solidity_mul",
    "solidity_sub",
]

_WORD: Final = 2**256


# --- Solidity 0.8 checked arithmetic ------------------------------------------------------


def _add(a: int, b: int, op: str) -> int:
    r = a + b
    if r > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, a=a, b=b)
    return r


def _sub(a: int, b: int, op: str) -> int:
    if b > a:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=f"{op} (underflow)", a=a, b=b)
    return a - b


def _mul(a: int, b: int, op: str) -> int:
    r = a * b
    if r > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, a=a, b=b)
    return r


def _int256(value: int) -> int:
    """Solidity's `int256(uint256)`: the same 256 bits read as two's complement (no check)."""
    return value - _WORD if value > INT256_MAX else value


def _checked_int256(r: int, op: str) -> int:
    if not INT256_MIN <= r <= INT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=f"{op} (int256)", result=r)
    return r


def _invalid_ratio(code: ErrorCode, *, field: str, value: int) -> ProtocolError:
    """Aave v3 `Errors.sol` '83' / '84': a ratio above RAY."""
    return ProtocolError(code, field=field, value=value, max=RAY)


# --- the interface ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CalculateInterestRatesParams:
    """Aave's `DataTypes.CalculateInterestRatesParams`, with the aToken's underlying balance
    in place of the `reserve` / `aToken` addresses the contract reads it through.

    Amounts are in the asset's base units, `average_stable_borrow_rate` in ray,
    `reserve_factor` in bps; each is a uint256 (checked here, as ABI decoding would).
    """

    unbacked: int
    liquidity_added: int
    liquidity_taken: int
    total_stable_debt: int
    total_variable_debt: int
    average_stable_borrow_rate: int
    reserve_factor: int
    available_liquidity: int

    def __post_init__(self) -> None:
        for name in _PARAM_FIELDS:
            check_uint256(getattr(self, name), field=name)


_PARAM_FIELDS: Final = tuple(f.name for f in fields(CalculateInterestRatesParams))


class InterestRates(NamedTuple):
    """What `calculateInterestRates` returns, in its order (APRs in ray)."""

    liquidity_rate_ray: int
    stable_borrow_rate_ray: int
    variable_borrow_rate_ray: int


@runtime_checkable
class ReserveInterestRateStrategy(Protocol):
    """`IReserveInterestRateStrategy`: what the Pool calls after every action."""

    def calculate_interest_rates(self, params: CalculateInterestRatesParams, /) -> InterestRates:
        """The liquidity, stable borrow and variable borrow rates for the reserve's state."""
        ...


@runtime_checkable
class DefaultInterestRateStrategy(ReserveInterestRateStrategy, Protocol):
    """`IDefaultInterestRateStrategy`: the getters of the two-slope strategies (all ray)."""

    @property
    def OPTIMAL_USAGE_RATIO(self) -> int: ...  # noqa: N802 - the contract's name

    @property
    def OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO(self) -> int: ...  # noqa: N802

    @property
    def MAX_EXCESS_USAGE_RATIO(self) -> int: ...  # noqa: N802

    @property
    def MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO(self) -> int: ...  # noqa: N802

    @property
    def ADDRESSES_PROVIDER(self) -> object: ...  # noqa: N802

    def get_variable_rate_slope1(self) -> int: ...

    def get_variable_rate_slope2(self) -> int: ...

    def get_stable_rate_slope1(self) -> int: ...

    def get_stable_rate_slope2(self) -> int: ...

    def get_stable_rate_excess_offset(self) -> int: ...

    def get_base_stable_borrow_rate(self) -> int: ...

    def get_base_variable_borrow_rate(self) -> int: ...

    def get_max_variable_borrow_rate(self) -> int: ...


def _usage_ratios(total_debt: int, params: CalculateInterestRatesParams) -> tuple[int, int]:
    """(borrow usage, supply usage) in ray for a reserve with debt (total_debt != 0)."""
    available = _sub(
        _add(params.available_liquidity, params.liquidity_added, "balance + liquidityAdded"),
        params.liquidity_taken,
        "balance + liquidityAdded - liquidityTaken",
    )
    available_plus_debt = _add(available, total_debt, "availableLiquidity + totalDebt")
    borrow_usage = ray_div(total_debt, available_plus_debt)
    supply_usage = ray_div(
        total_debt, _add(available_plus_debt, params.unbacked, "liquidityPlusDebt + unbacked")
    )
    return borrow_usage, supply_usage


# --- Aave v3.0.2 ----------------------------------------------------------------------------


class DefaultReserveInterestRateStrategy:
    """Aave v3.0.2 `DefaultReserveInterestRateStrategy` (SparkLend v1.0.0's).

    Construction reverts `INVALID_OPTIMAL_USAGE_RATIO` ('83') if `optimal_usage_ratio > RAY`
    and `INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO` ('84') if that ratio is above RAY.
    `provider` is the PoolAddressesProvider the contract caches; the math never reads it.
    """

    __slots__ = (
        "ADDRESSES_PROVIDER",
        "MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO",
        "MAX_EXCESS_USAGE_RATIO",
        "OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO",
        "OPTIMAL_USAGE_RATIO",
        "_base_stable_rate_offset",
        "_base_variable_borrow_rate",
        "_stable_rate_excess_offset",
        "_stable_rate_slope1",
        "_stable_rate_slope2",
        "_variable_rate_slope1",
        "_variable_rate_slope2",
    )

    def __init__(
        self,
        *,
        provider: object = None,
        optimal_usage_ratio: int,
        base_variable_borrow_rate: int,
        variable_rate_slope1: int,
        variable_rate_slope2: int,
        stable_rate_slope1: int,
        stable_rate_slope2: int,
        base_stable_rate_offset: int,
        stable_rate_excess_offset: int,
        optimal_stable_to_total_debt_ratio: int,
    ) -> None:
        for field, value in (
            ("optimal_usage_ratio", optimal_usage_ratio),
            ("base_variable_borrow_rate", base_variable_borrow_rate),
            ("variable_rate_slope1", variable_rate_slope1),
            ("variable_rate_slope2", variable_rate_slope2),
            ("stable_rate_slope1", stable_rate_slope1),
            ("stable_rate_slope2", stable_rate_slope2),
            ("base_stable_rate_offset", base_stable_rate_offset),
            ("stable_rate_excess_offset", stable_rate_excess_offset),
            ("optimal_stable_to_total_debt_ratio", optimal_stable_to_total_debt_ratio),
        ):
            check_uint256(value, field=field)
        if optimal_usage_ratio > RAY:
            raise _invalid_ratio(
                ErrorCode.INVALID_OPTIMAL_USAGE_RATIO,
                field="optimal_usage_ratio",
                value=optimal_usage_ratio,
            )
        if optimal_stable_to_total_debt_ratio > RAY:
            raise _invalid_ratio(
                ErrorCode.INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO,
                field="optimal_stable_to_total_debt_ratio",
                value=optimal_stable_to_total_debt_ratio,
            )
        self.OPTIMAL_USAGE_RATIO: Final = optimal_usage_ratio
        self.MAX_EXCESS_USAGE_RATIO: Final = RAY - optimal_usage_ratio
        self.OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO: Final = optimal_stable_to_total_debt_ratio
        self.MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO: Final = RAY - optimal_stable_to_total_debt_ratio
        self.ADDRESSES_PROVIDER: Final = provider
        self._base_variable_borrow_rate: Final = base_variable_borrow_rate
        self._variable_rate_slope1: Final = variable_rate_slope1
        self._variable_rate_slope2: Final = variable_rate_slope2
        self._stable_rate_slope1: Final = stable_rate_slope1
        self._stable_rate_slope2: Final = stable_rate_slope2
        self._base_stable_rate_offset: Final = base_stable_rate_offset
        self._stable_rate_excess_offset: Final = stable_rate_excess_offset

    def get_variable_rate_slope1(self) -> int:
        return self._variable_rate_slope1

    def get_variable_rate_slope2(self) -> int:
        return self._variable_rate_slope2

    def get_stable_rate_slope1(self) -> int:
        return self._stable_rate_slope1

    def get_stable_rate_slope2(self) -> int:
        return self._stable_rate_slope2

    def get_stable_rate_excess_offset(self) -> int:
        return self._stable_rate_excess_offset

    def get_base_stable_borrow_rate(self) -> int:
        return _add(
            self._variable_rate_slope1, self._base_stable_rate_offset, "getBaseStableBorrowRate"
        )

    def get_base_variable_borrow_rate(self) -> int:
        return self._base_variable_borrow_rate

    def get_max_variable_borrow_rate(self) -> int:
        return _add(
            _add(self._base_variable_borrow_rate, self._variable_rate_slope1, "maxRate"),
            self._variable_rate_slope2,
            "getMaxVariableBorrowRate",
        )

    def calculate_interest_rates(self, params: CalculateInterestRatesParams, /) -> InterestRates:
        total_debt = _add(params.total_stable_debt, params.total_variable_debt, "totalDebt")
        variable_rate = self._base_variable_borrow_rate
        stable_rate = self.get_base_stable_borrow_rate()
        borrow_usage = supply_usage = stable_to_total = 0
        if total_debt != 0:
            stable_to_total = ray_div(params.total_stable_debt, total_debt)
            borrow_usage, supply_usage = _usage_ratios(total_debt, params)

        opt = self.OPTIMAL_USAGE_RATIO
        if borrow_usage > opt:
            excess = ray_div(borrow_usage - opt, self.MAX_EXCESS_USAGE_RATIO)
            stable_rate = _add(
                stable_rate,
                _add(
                    self._stable_rate_slope1,
                    ray_mul(self._stable_rate_slope2, excess),
                    "stableSlope1 + stableSlope2 * excess",
                ),
                "currentStableBorrowRate",
            )
            variable_rate = _add(
                variable_rate,
                _add(
                    self._variable_rate_slope1,
                    ray_mul(self._variable_rate_slope2, excess),
                    "variableSlope1 + variableSlope2 * excess",
                ),
                "currentVariableBorrowRate",
            )
        else:
            stable_rate = _add(
                stable_rate,
                ray_div(ray_mul(self._stable_rate_slope1, borrow_usage), opt),
                "currentStableBorrowRate",
            )
            variable_rate = _add(
                variable_rate,
                ray_div(ray_mul(self._variable_rate_slope1, borrow_usage), opt),
                "currentVariableBorrowRate",
            )

        opt_stable = self.OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO
        if stable_to_total > opt_stable:
            excess_stable = ray_div(
                stable_to_total - opt_stable, self.MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO
            )
            stable_rate = _add(
                stable_rate,
                ray_mul(self._stable_rate_excess_offset, excess_stable),
                "currentStableBorrowRate",
            )

        # Computed with or without debt, like the contract: a reserve factor above 100%
        # reverts here even on an empty reserve.
        liquidity_rate = percent_mul(
            ray_mul(
                _overall_borrow_rate(
                    params.total_stable_debt,
                    params.total_variable_debt,
                    variable_rate,
                    params.average_stable_borrow_rate,
                ),
                supply_usage,
            ),
            _sub(PERCENTAGE_FACTOR, params.reserve_factor, "PERCENTAGE_FACTOR - reserveFactor"),
        )
        return InterestRates(liquidity_rate, stable_rate, variable_rate)


def _overall_borrow_rate(
    total_stable_debt: int,
    total_variable_debt: int,
    variable_borrow_rate: int,
    average_stable_borrow_rate: int,
) -> int:
    """`_getOverallBorrowRate`: the debt-weighted average of the variable and stable rates."""
    total_debt = _add(total_stable_debt, total_variable_debt, "totalDebt")
    if total_debt == 0:
        return 0
    weighted_variable = ray_mul(_wad_to_ray(total_variable_debt), variable_borrow_rate)
    weighted_stable = ray_mul(_wad_to_ray(total_stable_debt), average_stable_borrow_rate)
    return ray_div(
        _add(weighted_variable, weighted_stable, "weightedVariableRate + weightedStableRate"),
        _wad_to_ray(total_debt),
    )


# --- sparklend-advanced ---------------------------------------------------------------------


class VariableBorrowInterestRateStrategy:
    """sparklend-advanced `VariableBorrowInterestRateStrategy`: the default strategy without
    stable borrowing. The stable rate is always 0, and so are the stable getters.

    The liquidity rate is `percent_mul(ray_mul(variable_rate, supply_usage), 1e4 - RF)`,
    computed only when there is debt; the default's `_getOverallBorrowRate` round trip through
    `wadToRay` is gone, so the two can differ in the last digits (upstream allows 1e-6).
    Subclasses override the three `_get_*` hooks, as the contract's are `internal virtual`.
    """

    # Unused stable-debt functionality: constants, as in the contract.
    MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO: Final = RAY
    OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO: Final = 0

    __slots__ = (
        "ADDRESSES_PROVIDER",
        "MAX_EXCESS_USAGE_RATIO",
        "OPTIMAL_USAGE_RATIO",
        "_base_variable_borrow_rate",
        "_variable_rate_slope1",
        "_variable_rate_slope2",
    )

    def __init__(
        self,
        *,
        provider: object = None,
        optimal_usage_ratio: int,
        base_variable_borrow_rate: int,
        variable_rate_slope1: int,
        variable_rate_slope2: int,
    ) -> None:
        check_uint256(optimal_usage_ratio, field="optimal_usage_ratio")
        check_uint256(base_variable_borrow_rate, field="base_variable_borrow_rate")
        check_uint256(variable_rate_slope1, field="variable_rate_slope1")
        check_uint256(variable_rate_slope2, field="variable_rate_slope2")
        if optimal_usage_ratio > RAY:
            raise _invalid_ratio(
                ErrorCode.INVALID_OPTIMAL_USAGE_RATIO,
                field="optimal_usage_ratio",
                value=optimal_usage_ratio,
            )
        self.OPTIMAL_USAGE_RATIO: Final = optimal_usage_ratio
        self.MAX_EXCESS_USAGE_RATIO: Final = RAY - optimal_usage_ratio
        self.ADDRESSES_PROVIDER: Final = provider
        self._base_variable_borrow_rate: Final = base_variable_borrow_rate
        self._variable_rate_slope1: Final = variable_rate_slope1
        self._variable_rate_slope2: Final = variable_rate_slope2

    # internal virtual hooks
    def _get_base_variable_borrow_rate(self) -> int:
        return self._base_variable_borrow_rate

    def _get_variable_rate_slope1(self) -> int:
        return self._variable_rate_slope1

    def _get_variable_rate_slope2(self) -> int:
        return self._variable_rate_slope2

    # the IDefaultInterestRateStrategy getters
    def get_base_stable_borrow_rate(self) -> int:
        return self._get_variable_rate_slope1()

    def get_base_variable_borrow_rate(self) -> int:
        return self._get_base_variable_borrow_rate()

    def get_variable_rate_slope1(self) -> int:
        return self._get_variable_rate_slope1()

    def get_variable_rate_slope2(self) -> int:
        return self._get_variable_rate_slope2()

    def get_stable_rate_slope1(self) -> int:
        return 0

    def get_stable_rate_slope2(self) -> int:
        return 0

    def get_stable_rate_excess_offset(self) -> int:
        return 0

    def get_max_variable_borrow_rate(self) -> int:
        return _add(
            _add(self._get_base_variable_borrow_rate(), self._get_variable_rate_slope1(), "max"),
            self._get_variable_rate_slope2(),
            "getMaxVariableBorrowRate",
        )

    def calculate_interest_rates(self, params: CalculateInterestRatesParams, /) -> InterestRates:
        total_debt = params.total_variable_debt
        variable_rate = self._get_base_variable_borrow_rate()
        borrow_usage = supply_usage = 0
        if total_debt != 0:
            borrow_usage, supply_usage = _usage_ratios(total_debt, params)

        opt = self.OPTIMAL_USAGE_RATIO
        if borrow_usage > opt:
            excess = ray_div(borrow_usage - opt, self.MAX_EXCESS_USAGE_RATIO)
            variable_rate = _add(
                variable_rate,
                _add(
                    self._get_variable_rate_slope1(),
                    ray_mul(self._get_variable_rate_slope2(), excess),
                    "slope1 + slope2 * excess",
                ),
                "currentVariableBorrowRate",
            )
        else:
            variable_rate = _add(
                variable_rate,
                ray_div(ray_mul(self._get_variable_rate_slope1(), borrow_usage), opt),
                "currentVariableBorrowRate",
            )

        liquidity_rate = 0
        if total_debt != 0:
            liquidity_rate = percent_mul(
                ray_mul(variable_rate, supply_usage),
                _sub(PERCENTAGE_FACTOR, params.reserve_factor, "PERCENTAGE_FACTOR - reserveFactor"),
            )
        return InterestRates(liquidity_rate, 0, variable_rate)


def _check_rate_source_decimals(source: RateSource, contract: str) -> None:
    decimals = check_uint(source.decimals(), field="rate_source.decimals()", bits=8)
    if decimals > RATE_SOURCE_DECIMALS_MAX:
        raise ProtocolError(
            ErrorCode.RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS,
            field="rate_source.decimals()",
            value=decimals,
            min=0,
            max=RATE_SOURCE_DECIMALS_MAX,
            contract=contract,
        )


def _apr_ray(source: RateSource) -> int:
    """`RATE_SOURCE.getAPR() * 10 ** (27 - RATE_SOURCE.decimals())`, read live.

    A source whose decimals grew past 27 after construction underflows (`Panic(0x11)`).
    """
    apr = check_uint256(source.get_apr(), field="rate_source.get_apr()")
    decimals = check_uint(source.decimals(), field="rate_source.decimals()", bits=8)
    scale = 10 ** _sub(RATE_SOURCE_DECIMALS_MAX, decimals, "27 - RATE_SOURCE.decimals()")
    return _mul(apr, scale, "getAPR() * 10 ** (27 - decimals())")


class RateTargetBaseInterestRateStrategy(VariableBorrowInterestRateStrategy):
    """sparklend-advanced `RateTargetBaseInterestRateStrategy`: the base variable rate is the
    rate source's APR (scaled to 27 decimals) plus a fixed spread, read on every call.

    Construction reverts `RateTargetBaseInterestRateStrategy/invalid-rate-source-decimals`
    if the source reports more than 27 decimals (here
    `RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS`, `contract=` naming the strategy).
    """

    __slots__ = ("RATE_SOURCE", "_base_variable_borrow_rate_spread")

    def __init__(
        self,
        *,
        provider: object = None,
        rate_source: RateSource,
        optimal_usage_ratio: int,
        base_variable_borrow_rate_spread: int,
        variable_rate_slope1: int,
        variable_rate_slope2: int,
    ) -> None:
        check_uint256(base_variable_borrow_rate_spread, field="base_variable_borrow_rate_spread")
        super().__init__(
            provider=provider,
            optimal_usage_ratio=optimal_usage_ratio,
            base_variable_borrow_rate=0,
            variable_rate_slope1=variable_rate_slope1,
            variable_rate_slope2=variable_rate_slope2,
        )
        _check_rate_source_decimals(rate_source, "RateTargetBaseInterestRateStrategy")
        self.RATE_SOURCE: Final = rate_source
        self._base_variable_borrow_rate_spread: Final = base_variable_borrow_rate_spread

    def _get_base_variable_borrow_rate(self) -> int:
        return _add(
            _apr_ray(self.RATE_SOURCE),
            self._base_variable_borrow_rate_spread,
            "apr + baseVariableBorrowRateSpread",
        )

    def get_base_variable_borrow_rate_spread(self) -> int:
        return self._base_variable_borrow_rate_spread


class RateTargetKinkInterestRateStrategy(VariableBorrowInterestRateStrategy):
    """sparklend-advanced `RateTargetKinkInterestRateStrategy`: slope 1 is chosen so that the
    variable rate at the optimal usage ratio is the source's APR plus a signed spread:
    `slope1 = max(int256(apr) + spread - int256(base), 0)`, read on every call.

    So the kink rate is `APR + spread` when that is at least the base rate, and the base rate
    otherwise; `ray_div(ray_mul(slope1, OPT), OPT)` can differ from slope1 by rounding (a wei
    at a realistic OPT). The `int256` conversions are unchecked reinterpretations, the sums
    checked, as in the contract. Construction reverts
    `RateTargetKinkInterestRateStrategy/invalid-rate-source-decimals` above 27 decimals (here
    `RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS`, `contract=` naming the strategy).
    """

    __slots__ = ("RATE_SOURCE", "_variable_rate_slope1_spread")

    def __init__(
        self,
        *,
        provider: object = None,
        rate_source: RateSource,
        optimal_usage_ratio: int,
        base_variable_borrow_rate: int,
        variable_rate_slope1_spread: int,
        variable_rate_slope2: int,
    ) -> None:
        check_int256(variable_rate_slope1_spread, field="variable_rate_slope1_spread")
        super().__init__(
            provider=provider,
            optimal_usage_ratio=optimal_usage_ratio,
            base_variable_borrow_rate=base_variable_borrow_rate,
            variable_rate_slope1=0,
            variable_rate_slope2=variable_rate_slope2,
        )
        _check_rate_source_decimals(rate_source, "RateTargetKinkInterestRateStrategy")
        self.RATE_SOURCE: Final = rate_source
        self._variable_rate_slope1_spread: Final = variable_rate_slope1_spread

    def _get_variable_rate_slope1(self) -> int:
        op = "int256(apr) + spread - int256(baseVariableBorrowRate)"
        rate = _checked_int256(
            _int256(_apr_ray(self.RATE_SOURCE)) + self._variable_rate_slope1_spread, op
        )
        rate = _checked_int256(rate - _int256(self._base_variable_borrow_rate), op)
        return rate if rate > 0 else 0

    def get_variable_rate_slope1_spread(self) -> int:
        return self._variable_rate_slope1_spread


# Checked Solidity arithmetic, shared with dai_rate_strategy.
solidity_add = _add
solidity_sub = _sub
solidity_mul = _mul
