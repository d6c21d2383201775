"""Port of sparklend-testing `test/integration/btt/Withdraw.t.sol` (WithdrawFailureTests and
WithdrawConcreteTests), for each suite version in `SUITES` (see `sparklend_test_base`)."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.protocols.sparklend.addresses import make_addr

from .sparklend_test_base import (
    ETHER,
    HEAD,
    MAX_UINT256,
    PRE_6D08,
    WARP_TIME,
    PoolReserveState,
    SparkLendTestBase,
    Suite,
    assert_a_token_state,
    assert_asset_state,
    assert_pool_reserve_state,
    compounded_normalized_interest,
    sci,
    updated_rates,
)

#: Withdraw.t.sol at marsfoundation 6d08ef19 (HALF_UP_V1, no reserve factor) and at sparkdotfi
#: 6b0a9d90 (DIRECTED, 5% reserve factor).
SUITES = (PRE_6D08, HEAD)
suites = pytest.mark.parametrize("suite", SUITES, ids=str)


def _expect(code: ErrorCode):
    return pytest.raises(ProtocolError, match=code.name)


class WithdrawBase(SparkLendTestBase):
    def __init__(self, suite: Suite) -> None:
        super().__init__(suite)
        self.user = make_addr("user")
        self.coll = self.collateral_asset.address
        self.supply(self.user, self.coll, 1000 * ETHER)

    def initial_state(self, last_update: int = 1) -> PoolReserveState:
        return PoolReserveState(
            liquidity_index=RAY,
            current_liquidity_rate=0,
            variable_borrow_index=RAY,
            current_variable_borrow_rate=sci("0.05", 27),
            current_stable_borrow_rate=0,
            last_update_timestamp=last_update,
            accrued_to_treasury=0,
            unbacked=0,
        )

    def given_active_borrow(self) -> None:
        self.init_collateral(self.borrow_asset.address, 50_00, 6000, 100_01)
        self.configurator.set_reserve_borrowing(self.coll, True)
        borrower = make_addr("borrower")
        self.supply_and_use_as_collateral(borrower, self.borrow_asset.address, 1000 * ETHER)
        self.borrow(borrower, self.coll, 100 * ETHER)

    def given_user_has_active_collateral(self) -> None:
        self.init_collateral(self.coll, 50_00, 60_00, 100_01)
        self.pool.set_user_use_reserve_as_collateral(self.coll, True, sender=self.user)


# --- WithdrawFailureTests ---


@suites
def test_withdraw_amount_zero(suite):
    t = WithdrawBase(suite)
    with _expect(ErrorCode.INVALID_AMOUNT):
        t.pool.withdraw(t.coll, 0, t.user, sender=make_addr("test"))


@suites
def test_withdraw_amount_gt_balance_boundary(suite):
    t = WithdrawBase(suite)
    with _expect(ErrorCode.NOT_ENOUGH_AVAILABLE_USER_BALANCE):
        t.pool.withdraw(t.coll, 1000 * ETHER + 1, t.user, sender=t.user)
    t.pool.withdraw(t.coll, 1000 * ETHER, t.user, sender=t.user)


@suites
def test_withdraw_when_paused(suite):
    t = WithdrawBase(suite)
    t.configurator.set_reserve_pause(t.coll, True)
    with _expect(ErrorCode.RESERVE_PAUSED):
        t.pool.withdraw(t.coll, 1000 * ETHER, t.user, sender=t.user)


@suites
def test_withdraw_success_when_frozen(suite):
    t = WithdrawBase(suite)
    t.configurator.set_reserve_freeze(t.coll, True)
    t.pool.withdraw(t.coll, 1000 * ETHER, t.user, sender=t.user)


@suites
def test_withdraw_health_factor_below_threshold_boundary(suite):
    t = WithdrawBase(suite)
    t.init_collateral(t.coll, 50_00, 50_00, 100_01)
    t.pool.set_user_use_reserve_as_collateral(t.coll, True, sender=t.user)
    t.configurator.set_reserve_borrowing(t.borrow_asset.address, True)
    t.supply(make_addr("supplier"), t.borrow_asset.address, 250 * ETHER)
    t.borrow(t.user, t.borrow_asset.address, 250 * ETHER)
    # 1e10 for the boundary: HF is computed in 1e8 base-currency precision.
    with _expect(ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD):
        t.pool.withdraw(t.coll, 500 * ETHER + 10**10 + 1, t.user, sender=t.user)
    t.pool.withdraw(t.coll, 500 * ETHER + 10**10, t.user, sender=t.user)


@suites
def test_withdraw_amount_gt_liquidity_boundary(suite):
    # MockERC20's transfer panics (stdError.arithmeticError): INSUFFICIENT_BALANCE here.
    t = WithdrawBase(suite)
    a_token = t.a_collateral_asset.address
    t.collateral_asset.set_balance(a_token, 1000 * ETHER - 1)
    with _expect(ErrorCode.INSUFFICIENT_BALANCE):
        t.pool.withdraw(t.coll, 1000 * ETHER, t.user, sender=t.user)
    t.collateral_asset.set_balance(a_token, 1000 * ETHER)
    t.pool.withdraw(t.coll, 1000 * ETHER, t.user, sender=t.user)


# --- WithdrawConcreteTests ---


def _withdraw_no_borrow(t: WithdrawBase, last_update_after: int) -> None:
    """test_withdraw_01 / _04."""
    state = t.initial_state()
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset, user=t.user, user_balance=1000 * ETHER, total_supply=1000 * ETHER
    )
    assert_asset_state(
        t, user=t.user, asset=t.coll, allowance=0, user_balance=0, a_token_balance=1000 * ETHER
    )
    t.pool.withdraw(t.coll, 1000 * ETHER, t.user, sender=t.user)
    state.last_update_timestamp = last_update_after
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(t.a_collateral_asset, user=t.user, user_balance=0, total_supply=0)
    assert_asset_state(
        t, user=t.user, asset=t.coll, allowance=0, user_balance=1000 * ETHER, a_token_balance=0
    )


def _first_rates(t: WithdrawBase) -> tuple[int, int]:
    rf = t.suite.reserve_factor
    borrow_rate, liquidity_rate = updated_rates(100 * ETHER, 1000 * ETHER, reserve_factor=rf)
    assert borrow_rate == sci("0.0525", 27)  # 5% + 10%/80% of 2% = 5.25%
    # 10% of 5.25% (HEAD: x 95%)
    assert liquidity_rate == (sci("0.0049875", 27) if rf else sci("0.00525", 27))
    return borrow_rate, liquidity_rate


def _withdraw_after_borrow_no_time(t: WithdrawBase, last_update: int) -> None:
    """test_withdraw_02 / _05."""
    borrow_rate, liquidity_rate = _first_rates(t)
    state = PoolReserveState(
        liquidity_index=RAY,
        current_liquidity_rate=liquidity_rate,
        variable_borrow_index=RAY,
        current_variable_borrow_rate=borrow_rate,
        current_stable_borrow_rate=0,
        last_update_timestamp=last_update,
        accrued_to_treasury=0,
        unbacked=0,
    )
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset, user=t.user, user_balance=1000 * ETHER, total_supply=1000 * ETHER
    )
    assert_asset_state(
        t, user=t.user, asset=t.coll, allowance=0, user_balance=0, a_token_balance=900 * ETHER
    )
    t.pool.withdraw(t.coll, 800 * ETHER, t.user, sender=t.user)
    rf = t.suite.reserve_factor
    borrow_rate, liquidity_rate = updated_rates(100 * ETHER, 200 * ETHER, reserve_factor=rf)
    assert borrow_rate == sci("0.0625", 27)
    assert liquidity_rate == (sci("0.03125", 27) * 95 // 100 if rf else sci("0.03125", 27))
    state.current_liquidity_rate = liquidity_rate
    state.current_variable_borrow_rate = borrow_rate
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset, user=t.user, user_balance=200 * ETHER, total_supply=200 * ETHER
    )
    assert_asset_state(
        t,
        user=t.user,
        asset=t.coll,
        allowance=0,
        user_balance=800 * ETHER,
        a_token_balance=100 * ETHER,
    )


def _withdraw_after_borrow_some_time(t: WithdrawBase, last_update: int) -> None:
    """test_withdraw_03 / _06."""
    rf = t.suite.reserve_factor
    borrow_rate, liquidity_rate = _first_rates(t)
    if rf:
        supplier_yield = sci("0.0049875", 27) * 1000 * ETHER // 100 // RAY
        assert supplier_yield == sci("0.049875", 18)
    else:
        supplier_yield = sci("0.00525", 27) * 1000 * ETHER // 100 // RAY
        assert supplier_yield == sci("0.0525", 18)
    compounded = compounded_normalized_interest(borrow_rate, WARP_TIME)
    borrower_debt = (compounded - RAY) * 100 * ETHER // RAY
    assert compounded == sci("1.00052513783297156325067096", 27)
    assert borrower_debt == sci("0.052513783297156325", 18)
    state = PoolReserveState(
        liquidity_index=RAY,
        current_liquidity_rate=liquidity_rate,
        variable_borrow_index=RAY,
        current_variable_borrow_rate=borrow_rate,
        current_stable_borrow_rate=0,
        last_update_timestamp=last_update,
        accrued_to_treasury=0,
        unbacked=0,
    )
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset,
        user=t.user,
        user_balance=1000 * ETHER + supplier_yield,
        total_supply=1000 * ETHER + supplier_yield,
    )
    assert_asset_state(
        t, user=t.user, asset=t.coll, allowance=0, user_balance=0, a_token_balance=900 * ETHER
    )

    t.pool.withdraw(t.coll, 800 * ETHER, t.user, sender=t.user)

    if rf:
        expected_liquidity_index = RAY + liquidity_rate * 1 // 100
        assert expected_liquidity_index == sci("1.000049875", 27)
    else:
        expected_liquidity_index = RAY + RAY * liquidity_rate // 100 // RAY
        assert expected_liquidity_index == sci("1.0000525", 27)
    expected_variable_borrow_index = RAY * compounded // RAY
    assert expected_variable_borrow_index == sci("1.000525137832971563250670960", 27)
    borrow_rate, liquidity_rate = updated_rates(
        100 * ETHER + borrower_debt, 200 * ETHER + borrower_debt, reserve_factor=rf
    )
    assert borrow_rate == sci("0.062503281249901840824889794", 27)
    assert liquidity_rate == (
        sci("0.031259844180369559207886302", 27) * 95 // 100
        if rf
        else sci("0.031259844180369559207886302", 27)
    )
    state.liquidity_index = expected_liquidity_index
    state.current_liquidity_rate = liquidity_rate + (2 if t.suite.directed else 1)  # rounding
    state.variable_borrow_index = expected_variable_borrow_index
    state.current_variable_borrow_rate = borrow_rate + 1  # rounding
    state.last_update_timestamp = last_update + WARP_TIME
    if rf:
        state.accrued_to_treasury = (
            borrower_debt * 5 // 100 * RAY // expected_liquidity_index + 1  # rounding
        )
    assert_pool_reserve_state(t, t.coll, state)
    rounding = 1 if t.suite.directed else 0
    assert_a_token_state(
        t.a_collateral_asset,
        user=t.user,
        user_balance=200 * ETHER + supplier_yield - rounding,
        total_supply=200 * ETHER + supplier_yield - rounding,
    )
    assert_asset_state(
        t,
        user=t.user,
        asset=t.coll,
        allowance=0,
        user_balance=800 * ETHER,
        a_token_balance=100 * ETHER,
    )


@suites
def test_withdraw_01(suite):
    _withdraw_no_borrow(WithdrawBase(suite), 1)


@suites
def test_withdraw_02(suite):
    t = WithdrawBase(suite)
    t.given_active_borrow()
    assert t.debt_token_of(t.coll).total_supply() > 0
    _withdraw_after_borrow_no_time(t, 1)


@suites
def test_withdraw_03(suite):
    t = WithdrawBase(suite)
    t.given_active_borrow()
    assert t.debt_token_of(t.coll).total_supply() > 0
    t.skip(WARP_TIME)
    _withdraw_after_borrow_some_time(t, 1)


@suites
def test_withdraw_04(suite):
    t = WithdrawBase(suite)
    t.skip(WARP_TIME)
    _withdraw_no_borrow(t, WARP_TIME + 1)


@suites
def test_withdraw_05(suite):
    t = WithdrawBase(suite)
    t.skip(WARP_TIME)
    t.given_active_borrow()
    assert t.debt_token_of(t.coll).total_supply() > 0
    _withdraw_after_borrow_no_time(t, WARP_TIME + 1)


@suites
def test_withdraw_06(suite):
    t = WithdrawBase(suite)
    t.skip(WARP_TIME)
    t.given_active_borrow()
    assert t.debt_token_of(t.coll).total_supply() > 0
    t.skip(WARP_TIME)
    _withdraw_after_borrow_some_time(t, WARP_TIME + 1)


def _withdraw_collateral(t: WithdrawBase, amount: int, left: int) -> None:
    """test_withdraw_07 / _08 / _09: the collateral bit clears only on a full withdraw."""
    t.given_user_has_active_collateral()
    state = t.initial_state()
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset, user=t.user, user_balance=1000 * ETHER, total_supply=1000 * ETHER
    )
    assert t.pool.get_user_configuration(t.user).is_using_as_collateral(0)
    t.pool.withdraw(t.coll, amount, t.user, sender=t.user)
    assert t.pool.get_user_configuration(t.user).is_using_as_collateral(0) == (left != 0)
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(t.a_collateral_asset, user=t.user, user_balance=left, total_supply=left)
    assert_asset_state(
        t,
        user=t.user,
        asset=t.coll,
        allowance=0,
        user_balance=1000 * ETHER - left,
        a_token_balance=left,
    )


@suites
def test_withdraw_07(suite):
    _withdraw_collateral(WithdrawBase(suite), MAX_UINT256, 0)


@suites
def test_withdraw_08(suite):
    _withdraw_collateral(WithdrawBase(suite), 1000 * ETHER, 0)


@suites
def test_withdraw_09(suite):
    _withdraw_collateral(WithdrawBase(suite), 1000 * ETHER - 1, 1)
