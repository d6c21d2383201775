"""The two-slope strategies: Aave v3.0.2's default and sparklend-advanced's variable-only,
rate-target-base and rate-target-kink strategies.

Ported with their exact numbers:
- aave/aave-v3-core `test-suites/rate-strategy.spec.ts` (v3.0.x, `rateStrategyStableTwo` and
  `strategyDAI.reserveFactor` = 1000 from aave-v3-deploy `markets/test/`): all 10 cases. The
  aDAI balance is 0 there (each suite starts from a fresh snapshot), so
  `available_liquidity` = 0.
- sparklend-advanced `test/VariableBorrowInterestRateStrategy.t.sol` (1),
  `test/RateTargetBaseInterestRateStrategy.t.sol` (3), `test/RateTargetKinkInterestRateStrategy
  .t.sol` (6), and `test/InterestRateStrategyBase.t.sol`'s fuzz test, run for each of the
  three strategies with the upstream bounds.
- The numbers of the fork tests (`test/SparkLendMainnetIntegration.t.sol`, Dec 2023 and May 2024
  versions; `test/SparkDaiMarketInterestRateStrategyIntegration.t.sol`) that follow from known
  inputs: the DSR then was 5% APY, and the getters depend on the spreads alone. For the borrow
  rates before/after an IRM swap, the fork's utilisation is not in the test; a utilisation is
  given that reproduces the "before" rate with the old parameters, and the "after" rate must
  then follow from the new strategy exactly (every such utilisation found by search does).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import PERCENTAGE_FACTOR, RAY, percent_mul, ray_div, ray_mul
from sparkprime.protocols.sparklend.errors import from_revert_string, revert_string
from sparkprime.protocols.sparklend.rate_sources import (
    CappedFallbackRateSource,
    PotRateSource,
)
from sparkprime.protocols.sparklend.rate_strategies import (
    CalculateInterestRatesParams,
    DefaultInterestRateStrategy,
    DefaultReserveInterestRateStrategy,
    InterestRates,
    RateTargetBaseInterestRateStrategy,
    RateTargetKinkInterestRateStrategy,
    ReserveInterestRateStrategy,
    VariableBorrowInterestRateStrategy,
)
from tests.protocols.sparklend.test_rate_support import (
    FIVE_PCT_APY_APR,
    FIVE_PCT_APY_RATE,
    PotMock,
    RateSourceMock,
    fuzz,
    params,
    ray,
)

E18 = 10**18

# --- aave-v3-core test-suites/rate-strategy.spec.ts -----------------------------------------

STABLE_TWO = {  # aave-v3-deploy markets/test/rateStrategies.ts: rateStrategyStableTwo
    "optimal_usage_ratio": ray("0.8"),
    "base_variable_borrow_rate": 0,
    "variable_rate_slope1": ray("0.04"),
    "variable_rate_slope2": ray("0.75"),
    "stable_rate_slope1": ray("0.02"),
    "stable_rate_slope2": ray("0.75"),
    "base_stable_rate_offset": ray("0.02"),
    "stable_rate_excess_offset": ray("0.05"),
    "optimal_stable_to_total_debt_ratio": ray("0.2"),
}
DAI_RESERVE_FACTOR = 1000  # strategyDAI.reserveFactor
BASE_STABLE_RATE = ray("0.04") + ray("0.02")  # variableRateSlope1 + baseStableRateOffset


@pytest.fixture
def aave() -> DefaultReserveInterestRateStrategy:
    return DefaultReserveInterestRateStrategy(provider="addressesProvider", **STABLE_TWO)


def _dai(**overrides: int) -> CalculateInterestRatesParams:
    return params(reserve_factor=DAI_RESERVE_FACTOR, **overrides)


def test_aave_rates_at_0pct_usage_ratio_empty_reserve(
    aave: DefaultReserveInterestRateStrategy,
) -> None:
    rates = aave.calculate_interest_rates(_dai())
    assert rates == (0, BASE_STABLE_RATE, 0)
    assert isinstance(rates, InterestRates)
    assert rates.stable_borrow_rate_ray == 60_000000_000000_000000_000000


def test_aave_rates_at_80pct_usage_ratio(aave: DefaultReserveInterestRateStrategy) -> None:
    liquidity, stable, variable = aave.calculate_interest_rates(
        _dai(liquidity_added=200000000000000000, total_variable_debt=800000000000000000)
    )
    expected_variable = 0 + ray("0.04")
    assert liquidity == percent_mul(
        percent_mul(expected_variable, 8000), PERCENTAGE_FACTOR - DAI_RESERVE_FACTOR
    )
    assert liquidity == ray("0.0288")
    assert variable == expected_variable
    assert stable == BASE_STABLE_RATE + ray("0.02") == ray("0.08")


def test_aave_rates_at_100pct_usage_ratio(aave: DefaultReserveInterestRateStrategy) -> None:
    liquidity, stable, variable = aave.calculate_interest_rates(
        _dai(total_variable_debt=1000000000000000000)
    )
    expected_variable = 0 + ray("0.04") + ray("0.75")
    assert liquidity == percent_mul(expected_variable, PERCENTAGE_FACTOR - DAI_RESERVE_FACTOR)
    assert liquidity == ray("0.711")
    assert variable == expected_variable
    assert stable == BASE_STABLE_RATE + ray("0.02") + ray("0.75") == ray("0.83")


def test_aave_rates_at_100pct_usage_half_stable_half_variable_10pct_avg_stable_rate(
    aave: DefaultReserveInterestRateStrategy,
) -> None:
    liquidity, stable, variable = aave.calculate_interest_rates(
        _dai(
            total_stable_debt=400000000000000000,
            total_variable_debt=400000000000000000,
            average_stable_borrow_rate=100000000000000000000000000,
        )
    )
    expected_variable = 0 + ray("0.04") + ray("0.75")
    expected_liquidity = percent_mul(
        (variable + ray("0.1")) // 2, PERCENTAGE_FACTOR - DAI_RESERVE_FACTOR
    )
    assert variable == expected_variable
    assert liquidity == expected_liquidity == ray("0.4005")
    assert stable == (
        BASE_STABLE_RATE + ray("0.02") + ray("0.75") + ray_mul(ray("0.05"), ray("0.375"))
    )
    assert stable == ray("0.84875")


def test_aave_rates_at_80pct_borrow_usage_and_50pct_supply_usage_due_to_minted_tokens(
    aave: DefaultReserveInterestRateStrategy,
) -> None:
    liquidity, stable, variable = aave.calculate_interest_rates(
        _dai(
            unbacked=600000000000000000,
            liquidity_added=200000000000000000,
            total_variable_debt=800000000000000000,
        )
    )
    expected_variable = ray("0.04")
    assert liquidity == percent_mul(
        percent_mul(expected_variable, 5000), PERCENTAGE_FACTOR - DAI_RESERVE_FACTOR
    )
    assert liquidity == ray("0.018")
    assert variable == expected_variable
    assert stable == BASE_STABLE_RATE + ray("0.02")


def test_aave_rates_at_80pct_borrow_usage_and_0_8pct_supply_usage_due_to_minted_tokens(
    aave: DefaultReserveInterestRateStrategy,
) -> None:
    available, total_variable_debt = 200000000000000000, 800000000000000000
    liquidity, stable, variable = aave.calculate_interest_rates(
        _dai(
            unbacked=total_variable_debt * 124 - available,
            liquidity_added=available,
            total_variable_debt=total_variable_debt,
        )
    )
    expected_variable = ray("0.04")
    assert liquidity == percent_mul(
        percent_mul(expected_variable, 80), PERCENTAGE_FACTOR - DAI_RESERVE_FACTOR
    )
    assert liquidity == ray("0.000288")
    assert variable == expected_variable
    assert stable == BASE_STABLE_RATE + ray("0.02")


def test_aave_rates_at_0_8pct_usage(aave: DefaultReserveInterestRateStrategy) -> None:
    liquidity, stable, variable = aave.calculate_interest_rates(
        _dai(liquidity_added=9920000000000000000000, total_variable_debt=80000000000000000000)
    )
    usage_ratio = percent_mul(RAY, 80)
    opt = STABLE_TWO["optimal_usage_ratio"]
    expected_variable = 0 + ray_mul(ray("0.04"), ray_div(usage_ratio, opt))
    assert liquidity == percent_mul(
        percent_mul(expected_variable, 80), PERCENTAGE_FACTOR - DAI_RESERVE_FACTOR
    )
    assert liquidity == ray("0.00000288")
    assert variable == expected_variable == ray("0.0004")
    assert stable == BASE_STABLE_RATE + ray_mul(ray("0.02"), ray_div(usage_ratio, opt))
    assert stable == ray("0.0602")


def test_aave_getters(aave: DefaultReserveInterestRateStrategy) -> None:
    assert STABLE_TWO["optimal_usage_ratio"] == aave.OPTIMAL_USAGE_RATIO
    assert aave.get_base_variable_borrow_rate() == STABLE_TWO["base_variable_borrow_rate"]
    assert aave.get_variable_rate_slope1() == STABLE_TWO["variable_rate_slope1"]
    assert aave.get_variable_rate_slope2() == STABLE_TWO["variable_rate_slope2"]
    assert aave.get_stable_rate_slope1() == STABLE_TWO["stable_rate_slope1"]
    assert aave.get_stable_rate_slope2() == STABLE_TWO["stable_rate_slope2"]
    assert aave.get_max_variable_borrow_rate() == ray("0") + ray("0.04") + ray("0.75")
    assert RAY - STABLE_TWO["optimal_usage_ratio"] == aave.MAX_EXCESS_USAGE_RATIO
    assert (
        RAY - STABLE_TWO["optimal_stable_to_total_debt_ratio"]
    ) == aave.MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO
    assert aave.get_stable_rate_excess_offset() == STABLE_TWO["stable_rate_excess_offset"]
    # and the rest of IDefaultInterestRateStrategy
    assert ray("0.2") == aave.OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO
    assert aave.get_base_stable_borrow_rate() == BASE_STABLE_RATE
    assert aave.ADDRESSES_PROVIDER == "addressesProvider"
    assert isinstance(aave, DefaultInterestRateStrategy)
    assert isinstance(aave, ReserveInterestRateStrategy)


def test_aave_deploy_with_optimal_usage_ratio_out_of_range_reverts() -> None:
    with pytest.raises(ProtocolError) as info:
        DefaultReserveInterestRateStrategy(**{**STABLE_TWO, "optimal_usage_ratio": 10 * RAY})
    assert info.value.code is ErrorCode.INVALID_OPTIMAL_USAGE_RATIO
    assert revert_string(info.value.code) == "83"


def test_aave_deploy_with_optimal_stable_to_total_debt_ratio_out_of_range_reverts() -> None:
    with pytest.raises(ProtocolError) as info:
        DefaultReserveInterestRateStrategy(
            **{**STABLE_TWO, "optimal_stable_to_total_debt_ratio": 10 * RAY}
        )
    assert info.value.code is ErrorCode.INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO
    assert revert_string(info.value.code) == "84"


def test_aave_optimal_ratios_of_exactly_ray_are_allowed() -> None:
    strategy = DefaultReserveInterestRateStrategy(
        **{**STABLE_TWO, "optimal_usage_ratio": RAY, "optimal_stable_to_total_debt_ratio": RAY}
    )
    assert strategy.MAX_EXCESS_USAGE_RATIO == 0
    assert strategy.MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO == 0
    # 100% usage is not above the optimal ratio: no division by the zero excess
    assert strategy.calculate_interest_rates(_dai(total_variable_debt=E18)).variable_borrow_rate_ray
    assert strategy.calculate_interest_rates(_dai(total_stable_debt=E18)).stable_borrow_rate_ray


# --- sparklend-advanced test/VariableBorrowInterestRateStrategy.t.sol ---------------------


@pytest.fixture
def variable_borrow() -> VariableBorrowInterestRateStrategy:
    return VariableBorrowInterestRateStrategy(
        provider=123,
        optimal_usage_ratio=ray("0.8"),
        base_variable_borrow_rate=ray("0.005"),
        variable_rate_slope1=ray("0.01"),
        variable_rate_slope2=ray("0.45"),
    )


def test_variable_borrow_constructor(variable_borrow: VariableBorrowInterestRateStrategy) -> None:
    s = variable_borrow
    assert s.ADDRESSES_PROVIDER == 123
    assert ray("0.8") == s.OPTIMAL_USAGE_RATIO
    assert s.OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO == 0
    assert ray("0.2") == s.MAX_EXCESS_USAGE_RATIO
    assert s.MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO == RAY
    assert s.get_variable_rate_slope1() == ray("0.01")
    assert s.get_variable_rate_slope2() == ray("0.45")
    assert s.get_stable_rate_slope1() == 0
    assert s.get_stable_rate_slope2() == 0
    assert s.get_stable_rate_excess_offset() == 0
    assert s.get_base_stable_borrow_rate() == ray("0.01")
    assert s.get_base_variable_borrow_rate() == ray("0.005")
    assert s.get_max_variable_borrow_rate() == ray("0.465")
    assert isinstance(s, DefaultInterestRateStrategy)


# --- sparklend-advanced test/RateTargetBaseInterestRateStrategy.t.sol ---------------------


@pytest.fixture
def source() -> RateSourceMock:
    return RateSourceMock(ray("0.05"), 27)


@pytest.fixture
def target_base(source: RateSourceMock) -> RateTargetBaseInterestRateStrategy:
    return RateTargetBaseInterestRateStrategy(
        provider=123,
        rate_source=source,
        optimal_usage_ratio=ray("0.8"),
        base_variable_borrow_rate_spread=ray("0.005"),
        variable_rate_slope1=ray("0.01"),
        variable_rate_slope2=ray("0.45"),
    )


def test_target_base_constructor(
    source: RateSourceMock, target_base: RateTargetBaseInterestRateStrategy
) -> None:
    s = target_base
    assert s.ADDRESSES_PROVIDER == 123
    assert s.RATE_SOURCE is source
    assert ray("0.8") == s.OPTIMAL_USAGE_RATIO
    assert s.OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO == 0
    assert ray("0.2") == s.MAX_EXCESS_USAGE_RATIO
    assert s.MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO == RAY
    assert s.get_variable_rate_slope1() == ray("0.01")
    assert s.get_variable_rate_slope2() == ray("0.45")
    assert s.get_stable_rate_slope1() == 0
    assert s.get_stable_rate_slope2() == 0
    assert s.get_stable_rate_excess_offset() == 0
    assert s.get_base_stable_borrow_rate() == ray("0.01")
    assert s.get_base_variable_borrow_rate() == ray("0.055")
    assert s.get_max_variable_borrow_rate() == ray("0.515")
    assert s.get_base_variable_borrow_rate_spread() == ray("0.005")


def test_target_base_rate_source_change(
    source: RateSourceMock, target_base: RateTargetBaseInterestRateStrategy
) -> None:
    s = target_base
    assert s.get_variable_rate_slope1() == ray("0.01")
    assert s.get_variable_rate_slope2() == ray("0.45")
    assert s.get_base_variable_borrow_rate() == ray("0.055")
    assert s.get_max_variable_borrow_rate() == ray("0.515")

    source.set_rate(7 * E18 // 100)  # 0.07e18
    source.set_decimals(18)

    assert s.get_variable_rate_slope1() == ray("0.01")
    assert s.get_variable_rate_slope2() == ray("0.45")
    assert s.get_base_variable_borrow_rate() == ray("0.075")
    assert s.get_max_variable_borrow_rate() == ray("0.535")


def test_target_base_rate_source_invalid_decimals(source: RateSourceMock) -> None:
    source.set_rate(7 * 10**28 // 100)  # 0.07e28
    source.set_decimals(28)
    with pytest.raises(ProtocolError) as info:
        RateTargetBaseInterestRateStrategy(
            provider=123,
            rate_source=source,
            optimal_usage_ratio=ray("0.8"),
            base_variable_borrow_rate_spread=ray("0.005"),
            variable_rate_slope1=ray("0.01"),
            variable_rate_slope2=ray("0.45"),
        )
    assert info.value.code is ErrorCode.RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS
    assert info.value.context["contract"] == "RateTargetBaseInterestRateStrategy"
    assert revert_string(info.value.code) == (
        "RateTargetBaseInterestRateStrategy/invalid-rate-source-decimals"
    )


# --- sparklend-advanced test/RateTargetKinkInterestRateStrategy.t.sol ---------------------


def _kink(
    source: RateSourceMock, *, optimal: int, spread: int
) -> RateTargetKinkInterestRateStrategy:
    return RateTargetKinkInterestRateStrategy(
        provider=123,
        rate_source=source,
        optimal_usage_ratio=optimal,
        base_variable_borrow_rate=ray("0.01"),
        variable_rate_slope1_spread=spread,
        variable_rate_slope2=ray("0.55"),
    )


@pytest.fixture
def kink(source: RateSourceMock) -> RateTargetKinkInterestRateStrategy:
    return _kink(source, optimal=ray("0.8"), spread=ray("-0.005"))


def test_kink_constructor(source: RateSourceMock, kink: RateTargetKinkInterestRateStrategy) -> None:
    s = kink
    assert s.ADDRESSES_PROVIDER == 123
    assert s.RATE_SOURCE is source
    assert ray("0.8") == s.OPTIMAL_USAGE_RATIO
    assert s.OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO == 0
    assert ray("0.2") == s.MAX_EXCESS_USAGE_RATIO
    assert s.MAX_EXCESS_STABLE_TO_TOTAL_DEBT_RATIO == RAY
    assert s.get_variable_rate_slope1() == ray("0.035")
    assert s.get_variable_rate_slope2() == ray("0.55")
    assert s.get_stable_rate_slope1() == 0
    assert s.get_stable_rate_slope2() == 0
    assert s.get_stable_rate_excess_offset() == 0
    assert s.get_base_stable_borrow_rate() == ray("0.035")
    assert s.get_base_variable_borrow_rate() == ray("0.01")
    assert s.get_max_variable_borrow_rate() == ray("0.595")
    assert s.get_variable_rate_slope1_spread() == ray("-0.005")

    positive = _kink(source, optimal=0, spread=ray("0.005"))
    assert positive.get_variable_rate_slope1() == ray("0.045")
    assert positive.get_variable_rate_slope2() == ray("0.55")
    assert positive.get_max_variable_borrow_rate() == ray("0.605")
    assert positive.get_variable_rate_slope1_spread() == ray("0.005")


def _assert_kink(s: RateTargetKinkInterestRateStrategy, slope1: str, max_rate: str) -> None:
    assert s.get_variable_rate_slope1() == ray(slope1)
    assert s.get_variable_rate_slope2() == ray("0.55")
    assert s.get_base_variable_borrow_rate() == ray("0.01")
    assert s.get_max_variable_borrow_rate() == ray(max_rate)


def test_kink_rate_source_change_kink_above_base(
    source: RateSourceMock, kink: RateTargetKinkInterestRateStrategy
) -> None:
    _assert_kink(kink, "0.035", "0.595")
    source.set_rate(ray("0.07"))
    _assert_kink(kink, "0.055", "0.615")


def test_kink_rate_source_change_kink_below_base(
    source: RateSourceMock, kink: RateTargetKinkInterestRateStrategy
) -> None:
    _assert_kink(kink, "0.035", "0.595")
    source.set_rate(ray("0.012"))  # 1.2% - 0.5% = 0.7% < 1.0%
    _assert_kink(kink, "0", "0.56")


def test_kink_rate_source_change_rate_below_base(
    source: RateSourceMock, kink: RateTargetKinkInterestRateStrategy
) -> None:
    _assert_kink(kink, "0.035", "0.595")
    source.set_rate(0)
    _assert_kink(kink, "0", "0.56")


def test_kink_rate_source_change_decimals(
    source: RateSourceMock, kink: RateTargetKinkInterestRateStrategy
) -> None:
    _assert_kink(kink, "0.035", "0.595")
    # the rate still converts to 27 decimals when reported at 18
    source.set_rate(5 * E18 // 100)
    source.set_decimals(18)
    _assert_kink(kink, "0.035", "0.595")


def test_kink_rate_source_invalid_decimals(source: RateSourceMock) -> None:
    source.set_rate(7 * 10**28 // 100)
    source.set_decimals(28)
    with pytest.raises(ProtocolError) as info:
        _kink(source, optimal=ray("0.8"), spread=ray("-0.005"))
    assert info.value.code is ErrorCode.RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS
    assert info.value.context["contract"] == "RateTargetKinkInterestRateStrategy"
    assert (
        from_revert_string("RateTargetKinkInterestRateStrategy/invalid-rate-source-decimals")
        is info.value.code
    )


def test_decimals_raised_past_27_after_construction_underflow(
    source: RateSourceMock,
    kink: RateTargetKinkInterestRateStrategy,
    target_base: RateTargetBaseInterestRateStrategy,
) -> None:
    """`10 ** (27 - decimals())` is evaluated on every read: Panic(0x11) past 27."""
    source.set_decimals(28)
    for read in (kink.get_variable_rate_slope1, target_base.get_base_variable_borrow_rate):
        with pytest.raises(ProtocolError) as info:
            read()
        assert info.value.code is ErrorCode.MATH_OVERFLOW


# --- sparklend-advanced test/InterestRateStrategyBase.t.sol -------------------------------

MAX_TOKEN_AMOUNT = 10**27  # 1 billion tokens at 18 decimals


def _default_mirror(s: VariableBorrowInterestRateStrategy) -> DefaultReserveInterestRateStrategy:
    """`initBase`: a DefaultReserveInterestRateStrategy with the strategy's getters' values."""
    return DefaultReserveInterestRateStrategy(
        provider=s.ADDRESSES_PROVIDER,
        optimal_usage_ratio=s.OPTIMAL_USAGE_RATIO,
        base_variable_borrow_rate=s.get_base_variable_borrow_rate(),
        variable_rate_slope1=s.get_variable_rate_slope1(),
        variable_rate_slope2=s.get_variable_rate_slope2(),
        stable_rate_slope1=s.get_stable_rate_slope1(),
        stable_rate_slope2=s.get_stable_rate_slope2(),
        base_stable_rate_offset=s.get_base_stable_borrow_rate() - s.get_stable_rate_slope1(),
        stable_rate_excess_offset=s.get_stable_rate_excess_offset(),
        optimal_stable_to_total_debt_ratio=s.OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO,
    )


def _base_test_strategies() -> list[VariableBorrowInterestRateStrategy]:
    """The strategy of each upstream suite that calls `initBase`, built as its setUp does."""
    source = RateSourceMock(ray("0.05"), 27)
    return [
        VariableBorrowInterestRateStrategy(
            provider=123,
            optimal_usage_ratio=ray("0.8"),
            base_variable_borrow_rate=ray("0.005"),
            variable_rate_slope1=ray("0.01"),
            variable_rate_slope2=ray("0.45"),
        ),
        RateTargetBaseInterestRateStrategy(
            provider=123,
            rate_source=source,
            optimal_usage_ratio=ray("0.8"),
            base_variable_borrow_rate_spread=ray("0.005"),
            variable_rate_slope1=ray("0.01"),
            variable_rate_slope2=ray("0.45"),
        ),
        _kink(source, optimal=ray("0.8"), spread=ray("-0.005")),
    ]


@st.composite
def base_test_params(draw: st.DrawFn) -> CalculateInterestRatesParams:
    """The upstream bounds: stable borrowing off, amounts up to 1e27, RF up to 100%."""
    liquidity_available = draw(st.integers(0, MAX_TOKEN_AMOUNT))
    liquidity_added = draw(st.integers(0, MAX_TOKEN_AMOUNT))
    return params(
        available_liquidity=liquidity_available,
        unbacked=draw(st.integers(0, MAX_TOKEN_AMOUNT)),
        liquidity_added=liquidity_added,
        liquidity_taken=draw(st.integers(0, liquidity_available + liquidity_added)),
        total_stable_debt=0,
        total_variable_debt=draw(st.integers(0, MAX_TOKEN_AMOUNT)),
        average_stable_borrow_rate=draw(st.integers(0, 2**256 - 1)),
        reserve_factor=draw(st.integers(0, 100_00)),
    )


def _assert_approx_eq_rel(left: int, right: int, max_percent_delta_wad: int) -> None:
    """forge-std `assertApproxEqRel(left, right, maxPercentDelta)` (delta relative to right)."""
    if right == 0:
        assert left == right
        return
    assert abs(left - right) * E18 // right <= max_percent_delta_wad, (left, right)


@pytest.mark.parametrize("index", range(3), ids=["variable_borrow", "target_base", "kink"])
@fuzz(300)
@given(p=base_test_params())
def test_calculate_interest_rates_matches_the_default_strategy(
    index: int, p: CalculateInterestRatesParams
) -> None:
    strategy = _base_test_strategies()[index]
    expected_liquidity, _, expected_variable = _default_mirror(strategy).calculate_interest_rates(p)
    actual_liquidity, actual_stable, actual_variable = strategy.calculate_interest_rates(p)
    # small diff from dropping the stable-debt weighting, which removes integer-division rounding
    _assert_approx_eq_rel(expected_liquidity, actual_liquidity, 10**12)  # 0.000001e18
    assert expected_variable == actual_variable
    assert actual_stable == 0


# --- the fork tests' reproducible numbers ------------------------------------------------


def _borrow_rate(strategy: ReserveInterestRateStrategy, usage_ray: int) -> int:
    """The variable rate at a utilisation given in ray: debt = u, cash = RAY - u, exactly."""
    return strategy.calculate_interest_rates(
        params(total_variable_debt=usage_ray, available_liquidity=RAY - usage_ray)
    ).variable_borrow_rate_ray


def _dai_irm(spread: int) -> RateTargetBaseInterestRateStrategy:
    return RateTargetBaseInterestRateStrategy(
        rate_source=PotRateSource(PotMock(FIVE_PCT_APY_RATE)),
        optimal_usage_ratio=RAY,
        base_variable_borrow_rate_spread=spread,
        variable_rate_slope1=0,
        variable_rate_slope2=0,
    )


@pytest.mark.parametrize("usage", [0, 1, ray("0.5"), ray("0.9999"), RAY])
def test_dai_market_irm_dec_2023(usage: int) -> None:
    """SparkLendMainnetIntegration.t.sol `test_dai_market_irm` (block 18784436, DSR 5%) and
    SparkDaiMarketInterestRateStrategyIntegration.t.sol (block 18627155): a flat rate."""
    current_borrow_rate = ray("0.053790164207174267760128000")
    assert current_borrow_rate == FIVE_PCT_APY_APR + ray("0.005")
    assert _borrow_rate(_dai_irm(ray("0.005")), usage) == current_borrow_rate
    # a 1% spread: 0.5% higher
    assert _borrow_rate(_dai_irm(ray("0.01")), usage) == current_borrow_rate + ray("0.005")


def _eth_prev_irm(slope1: int) -> DefaultReserveInterestRateStrategy:
    return DefaultReserveInterestRateStrategy(
        optimal_usage_ratio=ray("0.9"),
        base_variable_borrow_rate=0,
        variable_rate_slope1=slope1,
        variable_rate_slope2=ray("1.2"),
        stable_rate_slope1=0,
        stable_rate_slope2=0,
        base_stable_rate_offset=0,
        stable_rate_excess_offset=0,
        optimal_stable_to_total_debt_ratio=0,
    )


def test_eth_market_irm_dec_2023() -> None:
    """SparkLendMainnetIntegration.t.sol `test_eth_market_irm` (block 18784436)."""
    mock_eth_yield = 38239847239023837090000000  # 0.03823984723902383709e27
    strategy = RateTargetKinkInterestRateStrategy(
        rate_source=RateSourceMock(mock_eth_yield, 27),
        optimal_usage_ratio=ray("0.9"),
        base_variable_borrow_rate=0,
        variable_rate_slope1_spread=ray("-0.008"),
        variable_rate_slope2=ray("1.2"),
    )
    prev = _eth_prev_irm(ray("0.032"))
    assert strategy.get_base_variable_borrow_rate() == prev.get_base_variable_borrow_rate()
    assert prev.get_variable_rate_slope1() == ray("0.032")
    assert strategy.get_variable_rate_slope1() == mock_eth_yield - ray("0.008")
    assert strategy.get_variable_rate_slope2() == prev.get_variable_rate_slope2()
    assert prev.get_max_variable_borrow_rate() == ray("1.232")
    assert strategy.get_max_variable_borrow_rate() == ray("1.2") + mock_eth_yield - ray("0.008")

    usage = 827407123039200126001167141  # reproduces the fork's "before" rate
    assert _borrow_rate(prev, usage) == ray("0.029418919930282671146708166")
    # slope1 has adjusted down a bit, so the rate is slightly lower at the same utilisation
    assert _borrow_rate(strategy, usage) == ray("0.027800738894650680218981526")


def test_eth_market_irm_may_2024() -> None:
    """SparkLendMainnetIntegration.t.sol `test_eth_market_irm` (block 19895484): an 18-decimal
    LST yield through a CappedFallbackRateSource [1%, 8%], default 3%."""
    lst_yield_e18 = 28485207053926554  # 2.8% APR, 18 decimals
    rate_source = CappedFallbackRateSource(
        RateSourceMock(lst_yield_e18, 18), 10**16, 8 * 10**16, 3 * 10**16
    )
    eth_yield = ray("0.028485207053926554")
    spread = ray("0.0015")
    strategy = RateTargetKinkInterestRateStrategy(
        rate_source=rate_source,
        optimal_usage_ratio=ray("0.9"),
        base_variable_borrow_rate=0,
        variable_rate_slope1_spread=-spread,
        variable_rate_slope2=ray("1.2"),
    )
    prev = _eth_prev_irm(ray("0.028"))
    assert strategy.get_base_variable_borrow_rate() == prev.get_base_variable_borrow_rate()
    assert strategy.get_variable_rate_slope1() == eth_yield - spread
    assert strategy.get_variable_rate_slope2() == prev.get_variable_rate_slope2()
    assert prev.get_max_variable_borrow_rate() == ray("1.228")
    assert strategy.get_max_variable_borrow_rate() == ray("1.2") + eth_yield - spread

    usage = 566500826088385127490880125
    assert _borrow_rate(prev, usage) == ray("0.017624470144971981744160716")
    assert _borrow_rate(strategy, usage) == ray("0.016985713431350567055736333")


@pytest.mark.parametrize(
    ("usage", "current_rate", "increase"),
    [
        (  # USDC
            898678631282356566808225445,
            ray("0.042370487857489861390961744"),
            ray("0.001891955013226013824859422"),
        ),
        (  # USDT
            902136152482283887155022036,
            ray("0.042533501480957788642828711"),
            ray("0.001899234005225860815063204"),
        ),
    ],
    ids=["USDC", "USDT"],
)
def test_usdc_usdt_market_irms_dec_2023(usage: int, current_rate: int, increase: int) -> None:
    """SparkLendMainnetIntegration.t.sol `test_usdc_usdt_market_irms` (block 18784436, DSR 5%):
    the DSR kink with a -0.4% spread keeps the rates, -0.2% raises them by almost 0.2%."""

    def strategy(spread: int) -> RateTargetKinkInterestRateStrategy:
        return RateTargetKinkInterestRateStrategy(
            rate_source=PotRateSource(PotMock(FIVE_PCT_APY_RATE)),
            optimal_usage_ratio=ray("0.95"),
            base_variable_borrow_rate=0,
            variable_rate_slope1_spread=spread,
            variable_rate_slope2=ray("0.2"),
        )

    first = strategy(ray("-0.004"))
    assert ray("0.95") == first.OPTIMAL_USAGE_RATIO
    assert ray("0.05") == first.MAX_EXCESS_USAGE_RATIO
    assert first.get_variable_rate_slope1() == FIVE_PCT_APY_APR - ray("0.004")
    assert _borrow_rate(first, usage) == current_rate
    # almost +0.2%: utilisation is slightly below the kink
    assert _borrow_rate(strategy(ray("-0.002")), usage) == current_rate + increase
