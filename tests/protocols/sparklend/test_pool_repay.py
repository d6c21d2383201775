"""Port of sparklend-testing `test/integration/btt/Repay.t.sol` (RepayFailureTests and
RepayConcreteTests), for each suite version in `SUITES` (see `sparklend_test_base`)."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.protocols.sparklend.addresses import make_addr

from .sparklend_test_base import (
    ETHER,
    HEAD,
    MAX_UINT256,
    PRE_528F,
    WARP_TIME,
    PoolReserveState,
    SparkLendTestBase,
    Suite,
    assert_asset_state,
    assert_debt_token_state,
    assert_pool_reserve_state,
    compounded_normalized_interest,
    sci,
    updated_rates,
)

#: Repay.t.sol at marsfoundation 528f5c41 (HALF_UP_V1, 5% reserve factor) and at sparkdotfi
#: HEAD (DIRECTED).
SUITES = (PRE_528F, HEAD)
suites = pytest.mark.parametrize("suite", SUITES, ids=str)


def _expect(code: ErrorCode):
    return pytest.raises(ProtocolError, match=code.name)


class RepayBase(SparkLendTestBase):
    def __init__(self, suite: Suite) -> None:
        super().__init__(suite)
        self.borrower = make_addr("borrower")
        self.lender = make_addr("lender")
        self.coll = self.collateral_asset.address
        self.brrw = self.borrow_asset.address
        self.init_collateral(self.coll, 5000, 5000, 100_01)
        self.configurator.set_reserve_borrowing(self.brrw, True)
        self.supply_and_use_as_collateral(self.borrower, self.coll, 1000 * ETHER)
        self.supply(self.lender, self.brrw, 500 * ETHER)
        self.borrow(self.borrower, self.brrw, 500 * ETHER)
        self.debt_token = self.debt_token_of(self.brrw)

    def call_repay(self, asset, amount, rate_mode, on_behalf_of) -> int:
        return self.pool.repay(asset, amount, rate_mode, on_behalf_of, sender=self.borrower)

    def approve(self, amount: int) -> None:
        self.borrow_asset.approve(self.pool.address, amount, sender=self.borrower)

    def isolation_mode_total_debt(self) -> int:
        return self.pool.get_reserve_data(self.coll).isolation_mode_total_debt


# --- RepayFailureTests ---


@suites
def test_repay_when_amount_zero(suite):
    t = RepayBase(suite)
    with _expect(ErrorCode.INVALID_AMOUNT):
        t.call_repay(t.brrw, 0, 2, t.borrower)


@suites
def test_repay_when_amount_is_uint256_max_and_user_not_owner(suite):
    t = RepayBase(suite)
    with _expect(ErrorCode.NO_EXPLICIT_AMOUNT_TO_REPAY_ON_BEHALF):
        t.call_repay(t.brrw, MAX_UINT256, 2, make_addr("user"))


@suites
def test_repay_when_not_active(suite):
    t = RepayBase(suite)
    t.repay(t.borrower, t.brrw, 500 * ETHER)
    t.withdraw(t.lender, t.brrw, 500 * ETHER)
    t.configurator.set_reserve_active(t.brrw, False)
    with _expect(ErrorCode.RESERVE_INACTIVE):
        t.call_repay(t.brrw, 500 * ETHER, 2, t.borrower)


@suites
def test_repay_when_paused(suite):
    t = RepayBase(suite)
    t.configurator.set_reserve_pause(t.brrw, True)
    t.approve(500 * ETHER)
    with _expect(ErrorCode.RESERVE_PAUSED):
        t.call_repay(t.brrw, 500 * ETHER, 2, t.borrower)


@suites
def test_repay_success_when_frozen(suite):
    t = RepayBase(suite)
    t.configurator.set_reserve_freeze(t.brrw, True)
    t.approve(500 * ETHER)
    t.call_repay(t.brrw, 500 * ETHER, 2, t.borrower)


@suites
def test_repay_no_debt(suite):
    t = RepayBase(suite)
    with _expect(ErrorCode.NO_DEBT_OF_SELECTED_TYPE):
        t.call_repay(t.brrw, 500 * ETHER, 2, t.lender)


@suites
def test_repay_insufficient_approval_boundary(suite):
    # MockERC20 panics (stdError.arithmeticError); the Erc20 model: INSUFFICIENT_ALLOWANCE.
    t = RepayBase(suite)
    t.approve(500 * ETHER - 1)
    with _expect(ErrorCode.INSUFFICIENT_ALLOWANCE):
        t.call_repay(t.brrw, 500 * ETHER, 2, t.borrower)
    t.approve(500 * ETHER)
    t.call_repay(t.brrw, 500 * ETHER, 2, t.borrower)


@suites
def test_repay_insufficient_balance_boundary(suite):
    t = RepayBase(suite)
    t.borrow_asset.set_balance(t.borrower, 500 * ETHER - 1)
    t.approve(500 * ETHER)
    with _expect(ErrorCode.INSUFFICIENT_BALANCE):
        t.call_repay(t.brrw, 500 * ETHER, 2, t.borrower)
    t.borrow_asset.set_balance(t.borrower, 500 * ETHER)
    t.call_repay(t.brrw, 500 * ETHER, 2, t.borrower)


# --- RepayConcreteTests ---


def _fully_utilized_state() -> PoolReserveState:
    return PoolReserveState(
        liquidity_index=RAY,
        current_liquidity_rate=sci("0.3515", 27),  # fully utilized (37% * 95%)
        variable_borrow_index=RAY,
        current_variable_borrow_rate=sci("0.37", 27),  # 5% + 2% + 30%
        current_stable_borrow_rate=0,
        last_update_timestamp=1,
        accrued_to_treasury=0,
        unbacked=0,
    )


def _repay_no_time_passed(t: RepayBase, extra: int) -> None:
    """_repay{More,EqualTo,LessThan}DebtNoTimePassedTest: repay 500 ether + extra."""
    amount = 500 * ETHER + extra
    t.approve(amount)
    if extra > 0:
        t.borrow_asset.mint(t.borrower, extra)
    state = _fully_utilized_state()
    assert_pool_reserve_state(t, t.brrw, state)
    assert_debt_token_state(
        t.debt_token, user=t.borrower, user_balance=500 * ETHER, total_supply=500 * ETHER
    )
    assert_asset_state(
        t,
        user=t.borrower,
        asset=t.brrw,
        allowance=amount,
        user_balance=500 * ETHER + max(extra, 0),
        a_token_balance=0,
    )
    t.call_repay(t.brrw, amount, 2, t.borrower)
    if extra >= 0:
        state.current_liquidity_rate = 0
        state.current_variable_borrow_rate = sci("0.05", 27)
        left = 0
        assert_asset_state(
            t,
            user=t.borrower,
            asset=t.brrw,
            allowance=extra,  # more than the debt: the allowance is not all used
            user_balance=extra,
            a_token_balance=500 * ETHER,
        )
    else:
        # 1/500e18 = 2e-21 utilization: 2e-21 * (0.05e27 + 5e4) = 1e5 and 2e-21/0.8 * 2%
        state.current_liquidity_rate = 10**5 * 95 // 100
        state.current_variable_borrow_rate = sci("0.05", 27) + 5 * 10**4
        left = 1
        assert_asset_state(
            t,
            user=t.borrower,
            asset=t.brrw,
            allowance=0,
            user_balance=1,
            a_token_balance=500 * ETHER - 1,
        )
    assert_pool_reserve_state(t, t.brrw, state)
    assert_debt_token_state(t.debt_token, user=t.borrower, user_balance=left, total_supply=left)


def _repay_some_time_passed(t: RepayBase, extra: int) -> None:
    """_repay{More,EqualTo,LessThan}DebtSomeTimePassedTest: repay the debt + extra."""
    borrow_rate, liquidity_rate = updated_rates(500 * ETHER, 500 * ETHER, reserve_factor=5_00)
    assert borrow_rate == sci("0.37", 27)
    assert liquidity_rate == sci("0.3515", 27)
    supplier_yield = sci("0.3515", 27) * 500 * ETHER // 100 // RAY  # 1% of APR
    compounded = compounded_normalized_interest(borrow_rate, WARP_TIME)
    borrower_debt = (compounded - RAY) * 500 * ETHER // RAY + 1  # rounding
    amount = 500 * ETHER + borrower_debt + extra
    t.approve(amount)
    t.borrow_asset.mint(t.borrower, borrower_debt + extra)
    assert supplier_yield == sci("1.7575", 18)
    assert compounded == sci("1.003706853420131674241446640", 27)
    assert borrower_debt == sci("1.853426710065837121", 18)
    state = PoolReserveState(
        liquidity_index=RAY,
        current_liquidity_rate=liquidity_rate,
        variable_borrow_index=RAY,
        current_variable_borrow_rate=borrow_rate,
        current_stable_borrow_rate=0,
        last_update_timestamp=1,
        accrued_to_treasury=0,
        unbacked=0,
    )
    assert_pool_reserve_state(t, t.brrw, state)
    assert_debt_token_state(
        t.debt_token,
        user=t.borrower,
        user_balance=500 * ETHER + borrower_debt,
        total_supply=500 * ETHER + borrower_debt,
    )
    assert_asset_state(
        t, user=t.borrower, asset=t.brrw, allowance=amount, user_balance=amount, a_token_balance=0
    )

    t.call_repay(t.brrw, amount, 2, t.borrower)

    expected_liquidity_index = RAY + liquidity_rate * 1 // 100
    expected_variable_borrow_index = RAY * compounded // RAY
    assert expected_liquidity_index == sci("1.003515", 27)
    assert expected_variable_borrow_index == sci("1.003706853420131674241446640", 27)
    state.liquidity_index = expected_liquidity_index
    state.variable_borrow_index = expected_variable_borrow_index
    state.last_update_timestamp = WARP_TIME + 1
    state.accrued_to_treasury = borrower_debt * 5 // 100 * RAY // expected_liquidity_index
    if extra >= 0:
        state.current_liquidity_rate = 0
        state.current_variable_borrow_rate = sci("0.05", 27)
        left = 0
        assert_asset_state(
            t,
            user=t.borrower,
            asset=t.brrw,
            allowance=extra,
            user_balance=extra,
            a_token_balance=500 * ETHER + borrower_debt,
        )
    else:
        # 1/501.853426710065837121e18 utilization: 0.99631e5 (x 95%) and 0.05e27 + 4.9815e4
        state.current_liquidity_rate = 99631 * 95 // 100
        state.current_variable_borrow_rate = sci("0.05", 27) + 49815
        left = 2 if t.suite.directed else 1  # HEAD: the debt left rounds up
        assert_asset_state(
            t,
            user=t.borrower,
            asset=t.brrw,
            allowance=0,
            user_balance=0,
            a_token_balance=500 * ETHER + borrower_debt - 1,
        )
    assert_pool_reserve_state(t, t.brrw, state)
    assert_debt_token_state(t.debt_token, user=t.borrower, user_balance=left, total_supply=left)


def _given_in_isolation_mode(t: RepayBase) -> None:
    t.repay(t.borrower, t.brrw, 500 * ETHER)
    t.withdraw(t.borrower, t.coll, 1000 * ETHER)
    t.configurator.set_borrowable_in_isolation(t.brrw, True)
    t.configurator.set_debt_ceiling(t.coll, 1000_00)
    t.supply_and_use_as_collateral(t.borrower, t.coll, 1000 * ETHER)
    t.borrow(t.borrower, t.brrw, 500 * ETHER)


# (test number, isolation mode, time passed, repay amount vs debt, isolated debt after)
_CASES = [
    (1, False, False, 1, 0),
    (2, False, False, 0, 0),
    (3, False, False, -1, 0),
    (4, False, True, 1, 0),
    (5, False, True, 0, 0),
    (6, False, True, -1, 0),
    (7, True, False, 1, 0),
    (8, True, False, 0, 0),
    # Repaid 500 ether - 1: the repaid isolated debt rounds down, 0.01 stays.
    (9, True, False, -1, 1),
    (10, True, True, 1, 0),
    (11, True, True, 0, 0),
    # Repaying 501.85 of isolated debt against 500 stored clamps it to zero.
    (12, True, True, -1, 0),
]


@suites
@pytest.mark.parametrize("case", _CASES, ids=[f"{c[0]:02d}" for c in _CASES])
def test_repay(suite, case):
    """test_repay_01 .. test_repay_12."""
    _, isolated, time_passed, extra, isolated_after = case
    t = RepayBase(suite)
    if isolated:
        _given_in_isolation_mode(t)
    if time_passed:
        t.skip(WARP_TIME)
    assert t.isolation_mode_total_debt() == (500_00 if isolated else 0)
    if time_passed:
        _repay_some_time_passed(t, extra)
    else:
        _repay_no_time_passed(t, extra)
    assert t.isolation_mode_total_debt() == isolated_after
