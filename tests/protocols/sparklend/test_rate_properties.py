"""Properties of the two-slope strategies over random configurations and reserve states.

- Rates never fall as utilisation rises (more debt, less cash), except across the kink,
  where Aave's `ray_div(ray_mul(slope1, u), OPT)` at `u = OPT` can exceed slope 1 by
  `(RAY + OPT) // (2 * OPT)` wei (one wei for any OPT >= RAY/2) while the rate just above the
  kink is `slope1 + ray_mul(slope2, tiny)`. Both the exactness on each side and that bound
  are asserted, and an example of the dip is pinned.
- The liquidity rate is at most the variable rate times the borrow usage (for the default,
  up to its overall-rate round trip through `wadToRay(debt)`: 1e18 / debt wei, which is
  large for dust debts: 64607 wei of debt at a 7.7e-15 rate doubles its liquidity rate).
- Without stable debt the variable-only strategies give the default's variable rate exactly,
  and its liquidity rate up to the default's `wadToRay` round trip (at most 1e18 / debt wei).
- The kink strategy's rate at exactly the optimal usage is APR + spread (base if that is
  lower), exactly when `slope1 * OPT` is a multiple of RAY, within the kink rounding otherwise.
- Every input outside its Solidity type is refused; any uint256 state gives uint256 rates or a
  `ProtocolError`, never a Python exception or a number the EVM could not hold.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, ray_div, ray_mul
from sparkprime.core.uint import INT256_MAX, INT256_MIN, UINT256_MAX
from sparkprime.protocols.sparklend.rate_strategies import (
    CalculateInterestRatesParams,
    DefaultReserveInterestRateStrategy,
    RateTargetBaseInterestRateStrategy,
    RateTargetKinkInterestRateStrategy,
    VariableBorrowInterestRateStrategy,
)
from tests.core.test_fixed_support import BAD_UINT256S, uint256s
from tests.protocols.sparklend.test_rate_support import RateSourceMock, fuzz, params, ray

Strategy = (
    DefaultReserveInterestRateStrategy
    | VariableBorrowInterestRateStrategy
    | RateTargetBaseInterestRateStrategy
    | RateTargetKinkInterestRateStrategy
)

rates = st.integers(0, 10 * RAY)  # up to 1000% APR
optimal_ratios = st.one_of(st.integers(1, RAY), st.sampled_from([1, RAY // 2, ray("0.8"), RAY]))
amounts = st.one_of(st.integers(0, 10**30), st.integers(0, 10**6))


@st.composite
def strategies(draw: st.DrawFn) -> Strategy:
    """A random two-slope strategy of any of the four kinds."""
    kind = draw(st.sampled_from(["default", "variable", "base", "kink"]))
    opt = draw(optimal_ratios)
    slope2 = draw(rates)
    if kind == "default":
        return DefaultReserveInterestRateStrategy(
            optimal_usage_ratio=opt,
            base_variable_borrow_rate=draw(rates),
            variable_rate_slope1=draw(rates),
            variable_rate_slope2=slope2,
            stable_rate_slope1=draw(rates),
            stable_rate_slope2=draw(rates),
            base_stable_rate_offset=draw(rates),
            stable_rate_excess_offset=draw(rates),
            optimal_stable_to_total_debt_ratio=draw(st.integers(0, RAY)),
        )
    if kind == "variable":
        return VariableBorrowInterestRateStrategy(
            optimal_usage_ratio=opt,
            base_variable_borrow_rate=draw(rates),
            variable_rate_slope1=draw(rates),
            variable_rate_slope2=slope2,
        )
    decimals = draw(st.sampled_from([27, 18, 6, 0]))
    source = RateSourceMock(draw(rates) // 10 ** (27 - decimals), decimals)
    if kind == "base":
        return RateTargetBaseInterestRateStrategy(
            rate_source=source,
            optimal_usage_ratio=opt,
            base_variable_borrow_rate_spread=draw(rates),
            variable_rate_slope1=draw(rates),
            variable_rate_slope2=slope2,
        )
    return RateTargetKinkInterestRateStrategy(
        rate_source=source,
        optimal_usage_ratio=opt,
        base_variable_borrow_rate=draw(rates),
        variable_rate_slope1_spread=draw(st.integers(-RAY, RAY)),
        variable_rate_slope2=slope2,
    )


def kink_dip_bound(opt: int) -> int:
    """How far the rate at `u = OPT` can exceed the rate just above it (rounding)."""
    return (RAY + opt) // (2 * opt)


def _usage(debt: int, cash: int) -> int:
    return ray_div(debt, cash + debt) if debt else 0


@fuzz(300)
@given(
    strategy=strategies(),
    debt=amounts,
    cash=amounts,
    more_debt=amounts,
    less_cash=amounts,
    reserve_factor=st.integers(0, 10_000),
)
def test_rates_do_not_fall_as_utilisation_rises(
    *,
    strategy: Strategy,
    debt: int,
    cash: int,
    more_debt: int,
    less_cash: int,
    reserve_factor: int,
) -> None:
    assume(debt > 0)  # an OPT of 1 and no debt is covered below; here u > 0 on both sides
    less_cash = min(less_cash, cash)
    low = strategy.calculate_interest_rates(
        params(total_variable_debt=debt, available_liquidity=cash, reserve_factor=reserve_factor)
    )
    high = strategy.calculate_interest_rates(
        params(
            total_variable_debt=debt + more_debt,
            available_liquidity=cash - less_cash,
            reserve_factor=reserve_factor,
        )
    )
    opt = strategy.OPTIMAL_USAGE_RATIO
    u_low, u_high = _usage(debt, cash), _usage(debt + more_debt, cash - less_cash)
    assert u_low <= u_high
    dip = 0 if (u_low > opt) == (u_high > opt) else kink_dip_bound(opt)
    assert high.variable_borrow_rate_ray >= low.variable_borrow_rate_ray - dip
    assert high.stable_borrow_rate_ray >= low.stable_borrow_rate_ray - dip
    liquidity_slack = dip + 2 if dip else 0
    if isinstance(strategy, DefaultReserveInterestRateStrategy):
        # its overall borrow rate goes through wadToRay(debt): rounding of up to 1e18 / debt
        liquidity_slack += 10**18 // debt + 2
    assert high.liquidity_rate_ray >= low.liquidity_rate_ray - liquidity_slack


def test_the_kink_dip_exists() -> None:
    """u = OPT gives 1 wei more than u = OPT + 1 here: rounding, as on chain."""
    strategy = VariableBorrowInterestRateStrategy(
        optimal_usage_ratio=ray("0.8"),
        base_variable_borrow_rate=0,
        variable_rate_slope1=2,  # ray_mul: 1.6 -> 2; ray_div: 2 / 0.8 = 2.5 -> 3 (half up)
        variable_rate_slope2=10**25,  # slope2 * (5e-27 of excess) rounds to 0
    )

    def rate_at(usage: int) -> int:
        return strategy.calculate_interest_rates(
            params(total_variable_debt=usage, available_liquidity=RAY - usage)
        ).variable_borrow_rate_ray

    assert rate_at(ray("0.4")) == 1
    assert rate_at(ray("0.8")) == 3
    assert rate_at(ray("0.8") + 1) == 2  # slope1 + 0: a wei lower, across the kink
    assert kink_dip_bound(ray("0.8")) == 1


@fuzz(300)
@given(
    strategy=strategies(),
    debt=amounts,
    cash=amounts,
    unbacked=amounts,
    reserve_factor=st.integers(0, 10_000),
)
def test_liquidity_rate_is_at_most_variable_rate_times_usage(
    *, strategy: Strategy, debt: int, cash: int, unbacked: int, reserve_factor: int
) -> None:
    assume(debt > 0 or strategy.OPTIMAL_USAGE_RATIO > 0)
    liquidity, _, variable = strategy.calculate_interest_rates(
        params(
            total_variable_debt=debt,
            available_liquidity=cash,
            unbacked=unbacked,
            reserve_factor=reserve_factor,
        )
    )
    slack = 0
    if isinstance(strategy, DefaultReserveInterestRateStrategy) and debt:
        slack = 10**18 // debt + 2  # its overall rate's wadToRay(debt) round trip
    assert liquidity <= ray_mul(variable, _usage(debt, cash)) + slack
    if debt == 0:
        assert liquidity == 0


def _default_mirror(s: VariableBorrowInterestRateStrategy) -> DefaultReserveInterestRateStrategy:
    return DefaultReserveInterestRateStrategy(
        optimal_usage_ratio=s.OPTIMAL_USAGE_RATIO,
        base_variable_borrow_rate=s.get_base_variable_borrow_rate(),
        variable_rate_slope1=s.get_variable_rate_slope1(),
        variable_rate_slope2=s.get_variable_rate_slope2(),
        stable_rate_slope1=0,
        stable_rate_slope2=0,
        base_stable_rate_offset=s.get_base_stable_borrow_rate(),
        stable_rate_excess_offset=0,
        optimal_stable_to_total_debt_ratio=0,
    )


@fuzz(300)
@given(
    strategy=strategies().filter(lambda s: not isinstance(s, DefaultReserveInterestRateStrategy)),
    debt=amounts,
    cash=amounts,
    unbacked=amounts,
    reserve_factor=st.integers(0, 10_000),
)
def test_variable_only_strategies_agree_with_the_default(
    *,
    strategy: VariableBorrowInterestRateStrategy,
    debt: int,
    cash: int,
    unbacked: int,
    reserve_factor: int,
) -> None:
    p = params(
        total_variable_debt=debt,
        available_liquidity=cash,
        unbacked=unbacked,
        reserve_factor=reserve_factor,
    )
    try:
        expected = _default_mirror(strategy).calculate_interest_rates(p)
    except ProtocolError as err:  # an OPT of 0 can't be drawn; nothing else reverts here
        pytest.fail(f"default reverted: {err}")
    actual = strategy.calculate_interest_rates(p)
    assert actual.variable_borrow_rate_ray == expected.variable_borrow_rate_ray
    assert actual.stable_borrow_rate_ray == 0
    if debt:
        bound = 10**18 // debt + 2  # the default's wadToRay/rayMul/rayDiv round trip
        assert abs(actual.liquidity_rate_ray - expected.liquidity_rate_ray) <= bound
    else:
        assert actual.liquidity_rate_ray == expected.liquidity_rate_ray == 0


@fuzz(300)
@given(
    opt=optimal_ratios,
    apr=rates,
    decimals=st.sampled_from([27, 18, 6]),
    spread=st.integers(-RAY, RAY),
    base=st.integers(0, RAY),
    slope2=rates,
)
@example(opt=ray("0.9"), apr=ray("0.05"), decimals=27, spread=ray("0.0125"), base=0, slope2=0)
@example(opt=ray("0.8"), apr=ray("0.012"), decimals=27, spread=ray("-0.005"), base=ray("0.01"),
         slope2=0)  # fmt: skip
def test_kink_rate_at_the_optimal_usage_is_apr_plus_spread(
    *, opt: int, apr: int, decimals: int, spread: int, base: int, slope2: int
) -> None:
    source = RateSourceMock(apr // 10 ** (27 - decimals), decimals)
    apr_ray = source.rate * 10 ** (27 - decimals)
    strategy = RateTargetKinkInterestRateStrategy(
        rate_source=source,
        optimal_usage_ratio=opt,
        base_variable_borrow_rate=base,
        variable_rate_slope1_spread=spread,
        variable_rate_slope2=slope2,
    )
    at_kink = strategy.calculate_interest_rates(
        params(total_variable_debt=opt, available_liquidity=RAY - opt)
    ).variable_borrow_rate_ray
    target = max(apr_ray + spread, base)
    slope1 = max(apr_ray + spread - base, 0)
    if slope1 * opt % RAY == 0:
        assert at_kink == target
    else:
        assert abs(at_kink - target) <= kink_dip_bound(opt)


# --- inputs out of range --------------------------------------------------------------------

PARAM_FIELDS = [
    "unbacked",
    "liquidity_added",
    "liquidity_taken",
    "total_stable_debt",
    "total_variable_debt",
    "average_stable_borrow_rate",
    "reserve_factor",
    "available_liquidity",
]


@pytest.mark.parametrize("field", PARAM_FIELDS)
@pytest.mark.parametrize(("bad", "code"), BAD_UINT256S)
def test_params_reject_non_uint256(field: str, bad: object, code: ErrorCode) -> None:
    with pytest.raises(ProtocolError) as info:
        params(**{field: bad})  # type: ignore[arg-type]
    assert info.value.code is code
    assert info.value.context["field"] == field


def _variable(**kw: object) -> object:
    args: dict[str, object] = {
        "optimal_usage_ratio": RAY // 2,
        "base_variable_borrow_rate": 0,
        "variable_rate_slope1": 0,
        "variable_rate_slope2": 0,
    }
    return VariableBorrowInterestRateStrategy(**{**args, **kw})  # type: ignore[arg-type]


def _default(**kw: object) -> object:
    args: dict[str, object] = {
        "optimal_usage_ratio": RAY // 2,
        "base_variable_borrow_rate": 0,
        "variable_rate_slope1": 0,
        "variable_rate_slope2": 0,
        "stable_rate_slope1": 0,
        "stable_rate_slope2": 0,
        "base_stable_rate_offset": 0,
        "stable_rate_excess_offset": 0,
        "optimal_stable_to_total_debt_ratio": 0,
    }
    return DefaultReserveInterestRateStrategy(**{**args, **kw})  # type: ignore[arg-type]


def _base(**kw: object) -> object:
    args: dict[str, object] = {
        "rate_source": RateSourceMock(0, 27),
        "optimal_usage_ratio": RAY // 2,
        "base_variable_borrow_rate_spread": 0,
        "variable_rate_slope1": 0,
        "variable_rate_slope2": 0,
    }
    return RateTargetBaseInterestRateStrategy(**{**args, **kw})  # type: ignore[arg-type]


def _kink(**kw: object) -> object:
    args: dict[str, object] = {
        "rate_source": RateSourceMock(0, 27),
        "optimal_usage_ratio": RAY // 2,
        "base_variable_borrow_rate": 0,
        "variable_rate_slope1_spread": 0,
        "variable_rate_slope2": 0,
    }
    return RateTargetKinkInterestRateStrategy(**{**args, **kw})  # type: ignore[arg-type]


CONSTRUCTOR_UINT_FIELDS: list[tuple[Callable[..., object], str]] = [
    (_variable, f)
    for f in (
        "optimal_usage_ratio",
        "base_variable_borrow_rate",
        "variable_rate_slope1",
        "variable_rate_slope2",
    )
] + [
    (_default, f)
    for f in (
        "optimal_usage_ratio",
        "base_variable_borrow_rate",
        "variable_rate_slope1",
        "variable_rate_slope2",
        "stable_rate_slope1",
        "stable_rate_slope2",
        "base_stable_rate_offset",
        "stable_rate_excess_offset",
        "optimal_stable_to_total_debt_ratio",
    )
]
CONSTRUCTOR_UINT_FIELDS += [
    (_base, f)
    for f in (
        "optimal_usage_ratio",
        "base_variable_borrow_rate_spread",
        "variable_rate_slope1",
        "variable_rate_slope2",
    )
]
CONSTRUCTOR_UINT_FIELDS += [
    (_kink, f) for f in ("optimal_usage_ratio", "base_variable_borrow_rate", "variable_rate_slope2")
]


@pytest.mark.parametrize(
    ("build", "field"),
    CONSTRUCTOR_UINT_FIELDS,
    ids=[f"{b.__name__[1:]}-{f}" for b, f in CONSTRUCTOR_UINT_FIELDS],
)
@pytest.mark.parametrize(("bad", "code"), BAD_UINT256S)
def test_constructors_reject_non_uint256(
    build: Callable[..., object], field: str, bad: object, code: ErrorCode
) -> None:
    with pytest.raises(ProtocolError) as info:
        build(**{field: bad})
    assert info.value.code is code
    assert info.value.context["field"] == field


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (INT256_MAX + 1, ErrorCode.VALUE_OUT_OF_RANGE),
        (INT256_MIN - 1, ErrorCode.VALUE_OUT_OF_RANGE),
        (0.0, ErrorCode.INVALID_TYPE),
        (True, ErrorCode.INVALID_TYPE),
        ("1", ErrorCode.INVALID_TYPE),
    ],
)
def test_kink_spread_is_an_int256(bad: object, code: ErrorCode) -> None:
    with pytest.raises(ProtocolError) as info:
        _kink(variable_rate_slope1_spread=bad)
    assert info.value.code is code
    assert info.value.context["field"] == "variable_rate_slope1_spread"
    _kink(variable_rate_slope1_spread=INT256_MIN)
    _kink(variable_rate_slope1_spread=INT256_MAX)


@pytest.mark.parametrize("build", [_variable, _default, _base, _kink])
@given(opt=st.integers(RAY + 1, UINT256_MAX))
@fuzz(20)
def test_optimal_usage_ratio_above_ray_is_rejected(build: Callable[..., object], opt: int) -> None:
    with pytest.raises(ProtocolError) as info:
        build(optimal_usage_ratio=opt)
    assert info.value.code is ErrorCode.INVALID_OPTIMAL_USAGE_RATIO


@pytest.mark.parametrize("build", [_base, _kink])
@pytest.mark.parametrize("decimals", [28, 255, 256, -1, 18.0])
def test_rate_source_decimals_must_be_a_uint8_at_most_27(
    build: Callable[..., object], decimals: object
) -> None:
    with pytest.raises(ProtocolError) as info:
        build(rate_source=RateSourceMock(0, decimals))  # type: ignore[arg-type]
    assert info.value.context["field"] == "rate_source.decimals()"


@pytest.mark.parametrize("build", [_variable, _default, _base, _kink])
def test_an_optimal_usage_ratio_of_zero_reverts_on_an_empty_reserve(
    build: Callable[..., object],
) -> None:
    """As on chain: below the kink the contract divides by OPT, and u = 0 is not above 0."""
    strategy = build(optimal_usage_ratio=0)
    assert isinstance(
        strategy, VariableBorrowInterestRateStrategy | DefaultReserveInterestRateStrategy
    )
    with pytest.raises(ProtocolError) as info:
        strategy.calculate_interest_rates(params())
    assert info.value.code is ErrorCode.DIVISION_BY_ZERO
    rates = strategy.calculate_interest_rates(params(total_variable_debt=1))  # u = 100%
    assert rates.variable_borrow_rate_ray == strategy.get_max_variable_borrow_rate()


def test_reserve_factor_above_100pct_underflows() -> None:
    """The default computes the liquidity rate even without debt, the variable-only one not."""
    with pytest.raises(ProtocolError) as info:
        _default().calculate_interest_rates(params(reserve_factor=10_001))  # type: ignore[attr-defined]
    assert info.value.code is ErrorCode.MATH_OVERFLOW
    _variable().calculate_interest_rates(params(reserve_factor=10_001))  # type: ignore[attr-defined]
    with pytest.raises(ProtocolError):
        _variable().calculate_interest_rates(  # type: ignore[attr-defined]
            params(reserve_factor=10_001, total_variable_debt=1)
        )


@fuzz(300)
@given(
    strategy=strategies(),
    values=st.lists(uint256s(), min_size=8, max_size=8),
)
def test_any_uint256_state_gives_uint256_rates_or_a_protocol_error(
    strategy: Strategy, values: list[int]
) -> None:
    p = CalculateInterestRatesParams(**dict(zip(PARAM_FIELDS, values, strict=True)))
    try:
        outcome: object = strategy.calculate_interest_rates(p)
    except ProtocolError as err:
        outcome = err.code
    if isinstance(outcome, ErrorCode):
        assert outcome in {ErrorCode.MATH_OVERFLOW, ErrorCode.DIVISION_BY_ZERO}
    else:
        assert isinstance(outcome, tuple)
        assert all(0 <= r <= UINT256_MAX for r in outcome)
