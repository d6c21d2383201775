"""The historical DAI market strategy (D3M-based, retired 2024).

Ported from marsfoundation/sparklend-deployments `src/test/DaiInterestRateStrategy.t.sol`
(the version with `baseRateConversion`, `performanceBonus` and `vat.cage()`, which matches
the final `src/DaiInterestRateStrategy.sol`): all 10 tests with their numbers, the fuzz test
as a Hypothesis property with the same bounds and assertions. The Vat, Pot and the DAI
balance of the aToken are the suite's mocks; foundry starts `block.timestamp` at 1.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.protocols.sparklend.dai_rate_strategy import UINT88_MAX, DaiInterestRateStrategy
from sparkprime.protocols.sparklend.errors import revert_string
from sparkprime.protocols.sparklend.rate_strategies import ReserveInterestRateStrategy
from tests.protocols.sparklend.test_rate_support import (
    RAD,
    RBPS,
    PotMock,
    VatMock,
    fuzz,
    params,
)

ILK = b"DIRECT-SPARK-DAI"
DSR_ONE_PERCENT = 1000000000315522921573372069
DSR_TWO_HUNDRED_PERCENT = 1000000034836767751273470154
BR = 11055923171930957297759999  # DSR at 1% / 90% to get SFBR as yearly APR
ONE_TRILLION = 1_000_000_000_000
DAY_S = 86_400


class Env:
    """The suite's setUp: Vat line 1M, DSR 1%, and the DAI held by the aToken."""

    def __init__(self) -> None:
        self.clock = Clock(start_ts_s=1)
        self.vat = VatMock()
        self.vat.set_line(1_000_000 * RAD)
        self.pot = PotMock(DSR_ONE_PERCENT)
        self.liquidity = 0
        self.strategy = self.deploy(
            base_rate_conversion=100 * RAY // 90,  # SFBR is defined as DSR / 90%
            borrow_spread=50 * RBPS,  # 0.5%
            supply_spread=25 * RBPS,  # 0.25%
            max_rate=7500 * RBPS,  # 75%
            performance_bonus=100_000 * WAD,  # 100k is reserved for performance bonus
        )

    def deploy(self, **kwargs: int) -> DaiInterestRateStrategy:
        return DaiInterestRateStrategy(
            vat=self.vat, pot=self.pot, ilk=ILK, clock=self.clock, **kwargs
        )

    def assert_rates(self, total_variable_debt: int, supply: int, borrow: int) -> None:
        rates = self.strategy.calculate_interest_rates(
            params(total_variable_debt=total_variable_debt, available_liquidity=self.liquidity)
        )
        assert rates == (supply, 0, borrow)


@pytest.fixture
def env() -> Env:
    return Env()


def test_constructor(env: Env) -> None:
    s = env.strategy
    assert s.vat is env.vat
    assert s.pot is env.pot
    assert s.ilk == ILK + bytes(16)  # a bytes32
    assert s.base_rate_conversion == 1111111111111111111111111111
    assert s.borrow_spread == 50 * RBPS
    assert s.supply_spread == 25 * RBPS
    assert s.max_rate == 7500 * RBPS
    assert s.performance_bonus == 100_000 * WAD
    # recompute ran
    assert s.get_debt_ratio() == 0
    assert s.get_base_rate() == BR
    assert s.get_last_update_timestamp() == env.clock.now == 1
    assert isinstance(s, ReserveInterestRateStrategy)


def test_recompute(env: Env) -> None:
    env.vat.set_art(1_000_000 * WAD)
    env.vat.set_line(2_000_000 * RAD)
    env.pot.set_dsr(RAY)
    env.clock.skip(DAY_S)

    s = env.strategy
    assert s.get_debt_ratio() == 0
    assert s.get_base_rate() == BR
    assert s.get_last_update_timestamp() == env.clock.now - DAY_S

    s.recompute()

    assert s.get_debt_ratio() == WAD // 2
    assert s.get_base_rate() == 0
    assert s.get_last_update_timestamp() == env.clock.now


def test_calculate_interest_rates_no_maker_debt_no_borrows(env: Env) -> None:
    env.assert_rates(0, 0, BR + 50 * RBPS)


def test_calculate_interest_rates_no_maker_debt_with_borrows(env: Env) -> None:
    env.liquidity = 200_000 * WAD
    # user-only supply under the performance bonus
    env.assert_rates(100_000 * WAD, 0, BR + 50 * RBPS)
    # over the performance bonus
    env.assert_rates(200_000 * WAD, (BR + 25 * RBPS) * 1 // 2 * 1 // 2, BR + 50 * RBPS)


def test_calculate_interest_rates_maker_debt_no_borrows(env: Env) -> None:
    env.vat.set_art(200_000 * WAD)
    env.liquidity = 200_000 * WAD
    env.strategy.recompute()
    env.assert_rates(0, 0, BR + 50 * RBPS)


def test_calculate_interest_rates_maker_debt_with_borrows(env: Env) -> None:
    env.vat.set_art(200_000 * WAD)
    env.liquidity = 100_000 * WAD
    env.strategy.recompute()
    env.assert_rates(100_000 * WAD, 0, BR + 50 * RBPS)
    env.liquidity = 0  # fully utilized
    env.assert_rates(200_000 * WAD, (BR + 25 * RBPS) * 1 // 2, BR + 50 * RBPS)


def test_calculate_interest_rates_over_debt_limit(env: Env) -> None:
    env.vat.set_art(2_000_000 * WAD)  # 2x over capacity
    env.strategy.recompute()

    br = 7500 * RBPS - (7500 * RBPS - (BR + 50 * RBPS)) // 2
    assert br == 383027961585965478648880000  # about half of the max rate
    env.assert_rates(2_000_000 * WAD, br, br)  # 100% utilization
    env.liquidity = 1_000_000 * WAD  # users add liquidity, still over capacity
    env.assert_rates(2_000_000 * WAD, 255351974390643652177234692, br)


def test_calculate_interest_rates_debt_ceiling_zero(env: Env) -> None:
    env.vat.set_line(0)
    env.vat.set_art(1)  # infinitely over capacity even with 1 wei of debt
    env.strategy.recompute()
    assert env.strategy.get_debt_ratio() == UINT88_MAX

    br = 749999997628498784959732204  # pretty much maxRate, with rounding
    env.assert_rates(100_000 * WAD, br, br)


def test_calculate_interest_rates_vat_caged(env: Env) -> None:
    env.vat.set_art(500_000 * WAD)
    env.vat.cage()
    env.strategy.recompute()

    br = 749999997628498784959732204
    env.assert_rates(500_000 * WAD, br, br)


@fuzz(300)
@given(
    line=st.integers(0, 2**256 - 1),
    art=st.integers(0, 2**256 - 1),
    dsr=st.integers(0, 2**256 - 1),
    base_rate_conversion=st.integers(0, 2**256 - 1),
    total_variable_debt=st.integers(0, 2**256 - 1),
    liquidity=st.integers(0, 2**256 - 1),
    borrow_spread=st.integers(0, 2**256 - 1),
    supply_spread=st.integers(0, 2**256 - 1),
    max_rate=st.integers(0, 2**256 - 1),
    performance_bonus=st.integers(0, 2**256 - 1),
)
def test_calculate_interest_rates_fuzz(
    *,
    line: int,
    art: int,
    dsr: int,
    base_rate_conversion: int,
    total_variable_debt: int,
    liquidity: int,
    borrow_spread: int,
    supply_spread: int,
    max_rate: int,
    performance_bonus: int,
) -> None:
    # keep the numbers sane, exactly as upstream (modulo reductions of uint256 inputs)
    line %= ONE_TRILLION * RAD
    art %= ONE_TRILLION * WAD
    dsr = dsr % (DSR_TWO_HUNDRED_PERCENT - RAY) + RAY
    base_rate_conversion %= 10 * RAY
    total_variable_debt %= ONE_TRILLION * WAD
    liquidity %= ONE_TRILLION * WAD
    max_rate = max_rate % 1_000_000_00 * RBPS
    borrow_spread = borrow_spread % max_rate if max_rate > 0 else 0
    supply_spread = supply_spread % borrow_spread if borrow_spread > 0 else 0
    performance_bonus %= ONE_TRILLION * WAD

    env = Env()
    env.strategy = env.deploy(
        base_rate_conversion=base_rate_conversion,
        borrow_spread=borrow_spread,
        supply_spread=supply_spread,
        max_rate=max_rate,
        performance_bonus=performance_bonus,
    )
    env.vat.set_line(line)
    env.vat.set_art(art)
    env.pot.set_dsr(dsr)
    env.liquidity = liquidity
    env.strategy.recompute()

    supply_ratio = (
        total_variable_debt * WAD // (total_variable_debt + liquidity)
        if total_variable_debt > 0
        else 0
    )
    supply_rate, _, borrow_rate = env.strategy.calculate_interest_rates(
        params(total_variable_debt=total_variable_debt, available_liquidity=liquidity)
    )
    assert supply_ratio <= WAD
    if supply_ratio > 0:
        assert borrow_rate * supply_ratio >= supply_rate
    else:
        assert borrow_rate >= supply_rate
    assert borrow_rate >= env.strategy.get_base_rate() + borrow_spread
    assert borrow_rate <= max_rate


# --- beyond the suite ---------------------------------------------------------------------


def test_constructor_spread_checks(env: Env) -> None:
    with pytest.raises(ProtocolError) as info:
        env.deploy(
            base_rate_conversion=RAY,
            borrow_spread=1,
            supply_spread=2,
            max_rate=10,
            performance_bonus=0,
        )
    assert info.value.code is ErrorCode.DAI_IRM_SUPPLY_SPREAD_GREATER_THAN_BORROW_SPREAD
    assert revert_string(info.value.code) == (
        "DaiInterestRateStrategy/supply-spread-greater-than-borrow-spread"
    )
    with pytest.raises(ProtocolError) as info:
        env.deploy(
            base_rate_conversion=RAY,
            borrow_spread=11,
            supply_spread=2,
            max_rate=10,
            performance_bonus=0,
        )
    assert info.value.code is ErrorCode.DAI_IRM_BORROW_SPREAD_TOO_LARGE
    assert revert_string(info.value.code) == "DaiInterestRateStrategy/borrow-spread-too-large"


def test_recompute_caps_base_rate_at_max_minus_borrow_spread(env: Env) -> None:
    env.pot.set_dsr(DSR_TWO_HUNDRED_PERCENT)
    env.strategy.recompute()
    assert env.strategy.get_base_rate() == 7500 * RBPS - 50 * RBPS
    env.assert_rates(0, 0, 7500 * RBPS)


def test_recompute_with_a_dsr_below_ray_reverts_and_keeps_the_cache(env: Env) -> None:
    env.pot.set_dsr(RAY - 1)
    env.vat.set_art(2_000_000 * WAD)
    env.clock.skip(DAY_S)
    with pytest.raises(ProtocolError) as info:
        env.strategy.recompute()
    assert info.value.code is ErrorCode.MATH_OVERFLOW
    assert env.strategy.get_base_rate() == BR
    assert env.strategy.get_debt_ratio() == 0
    assert env.strategy.get_last_update_timestamp() == 1


def test_debt_ratio_is_capped_at_uint88_max(env: Env) -> None:
    env.vat.set_line(WAD)  # line / WAD = 1
    env.vat.set_art(2**100)
    env.strategy.recompute()
    assert env.strategy.get_debt_ratio() == UINT88_MAX


def test_liquidity_taken_beyond_balance_underflows(env: Env) -> None:
    with pytest.raises(ProtocolError) as info:
        env.strategy.calculate_interest_rates(
            params(total_variable_debt=1, available_liquidity=5, liquidity_taken=6)
        )
    assert info.value.code is ErrorCode.MATH_OVERFLOW


@pytest.mark.parametrize(("ilk", "code"), [("DAI", ErrorCode.INVALID_TYPE), (bytes(33), None)])
def test_ilk_is_a_bytes32(env: Env, ilk: object, code: ErrorCode | None) -> None:
    with pytest.raises(ProtocolError) as info:
        DaiInterestRateStrategy(
            vat=env.vat,
            pot=env.pot,
            ilk=ilk,  # type: ignore[arg-type]
            base_rate_conversion=RAY,
            borrow_spread=0,
            supply_spread=0,
            max_rate=0,
            performance_bonus=0,
            clock=env.clock,
        )
    assert info.value.code is (code or ErrorCode.VALUE_OUT_OF_RANGE)
