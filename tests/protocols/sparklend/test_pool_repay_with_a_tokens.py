"""Port of sparklend-testing `test/integration/btt/RepayWithATokens.t.sol` (failure and
concrete tests), for each suite version in `SUITES` (see `sparklend_test_base`)."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.protocols.sparklend.addresses import make_addr

from .sparklend_test_base import (
    ETHER,
    MAX_UINT256,
    PRE_6D08,
    WARP_TIME,
    PoolReserveState,
    SparkLendTestBase,
    Suite,
    assert_a_token_state,
    assert_debt_token_state,
    assert_pool_reserve_state,
    compounded_normalized_interest,
    sci,
    updated_rates,
)

#: RepayWithATokens.t.sol at marsfoundation 6d08ef19 (HALF_UP_V1, no reserve factor).
SUITES = (PRE_6D08,)
suites = pytest.mark.parametrize("suite", SUITES, ids=str)


def _expect(code: ErrorCode):
    return pytest.raises(ProtocolError, match=code.name)


class RepayWithATokensBase(SparkLendTestBase):
    def __init__(self, suite: Suite) -> None:
        super().__init__(suite)
        self.borrower = make_addr("borrower")
        self.lender = make_addr("lender")
        self.coll = self.collateral_asset.address
        self.brrw = self.borrow_asset.address
        self.init_collateral(self.coll, 5000, 5000, 100_01)
        self.configurator.set_reserve_borrowing(self.brrw, True)
        self.supply_and_use_as_collateral(self.borrower, self.coll, 1000 * ETHER)
        self.supply(self.borrower, self.brrw, 1000 * ETHER)  # aTokens to repay with
        self.borrow(self.borrower, self.brrw, 500 * ETHER)
        self.debt_token = self.debt_token_of(self.brrw)

    def isolation_mode_total_debt(self) -> int:
        return self.pool.get_reserve_data(self.coll).isolation_mode_total_debt


# --- RepayWithATokensFailureTests (calls without a prank come from the test contract) ---


@suites
def test_repay_with_a_tokens_when_amount_zero(suite):
    t = RepayWithATokensBase(suite)
    with _expect(ErrorCode.INVALID_AMOUNT):
        t.pool.repay_with_a_tokens(t.brrw, 0, 2, sender=make_addr("test"))


@suites
def test_repay_with_a_tokens_when_not_active(suite):
    t = RepayWithATokensBase(suite)
    t.repay(t.borrower, t.brrw, 500 * ETHER)
    t.withdraw(t.borrower, t.brrw, 1000 * ETHER)
    t.configurator.set_reserve_active(t.brrw, False)
    with _expect(ErrorCode.RESERVE_INACTIVE):
        t.pool.repay_with_a_tokens(t.brrw, 500 * ETHER, 2, sender=make_addr("test"))


@suites
def test_repay_with_a_tokens_when_paused(suite):
    t = RepayWithATokensBase(suite)
    t.configurator.set_reserve_pause(t.brrw, True)
    with _expect(ErrorCode.RESERVE_PAUSED):
        t.pool.repay_with_a_tokens(t.brrw, 500 * ETHER, 2, sender=make_addr("test"))


@suites
def test_repay_with_a_tokens_success_when_frozen(suite):
    t = RepayWithATokensBase(suite)
    t.configurator.set_reserve_freeze(t.brrw, True)
    t.pool.repay_with_a_tokens(t.brrw, 500 * ETHER, 2, sender=t.borrower)


@suites
def test_repay_with_a_tokens_no_debt(suite):
    t = RepayWithATokensBase(suite)
    with _expect(ErrorCode.NO_DEBT_OF_SELECTED_TYPE):
        t.pool.repay_with_a_tokens(t.brrw, 500 * ETHER, 2, sender=make_addr("test"))


# --- RepayWithATokensConcreteTests ---


def _half_utilized() -> PoolReserveState:
    return PoolReserveState(
        liquidity_index=RAY,
        current_liquidity_rate=sci("0.03125", 27),
        variable_borrow_index=RAY,
        current_variable_borrow_rate=sci("0.0625", 27),  # 5% + 2% * (50%/80%)
        current_stable_borrow_rate=0,
        last_update_timestamp=1,
        accrued_to_treasury=0,
        unbacked=0,
    )


def _repay_no_time_passed(t: RepayWithATokensBase, kind: str) -> None:
    """_repayMoreThanDebt(useMaxUint) / _repayEqualToDebt / _repayLessThanDebt, no time."""
    state = _half_utilized()
    assert_pool_reserve_state(t, t.brrw, state)
    assert_debt_token_state(
        t.debt_token, user=t.borrower, user_balance=500 * ETHER, total_supply=500 * ETHER
    )
    assert_a_token_state(
        t.a_borrow_asset, user=t.borrower, user_balance=1000 * ETHER, total_supply=1000 * ETHER
    )
    amount = {
        "more": 500 * ETHER + 1,
        "max": MAX_UINT256,
        "equal": 500 * ETHER + 1,  # as upstream: the "equal" case also sends 500 ether + 1
        "less": 500 * ETHER - 1,
    }[kind]
    t.pool.repay_with_a_tokens(t.brrw, amount, 2, sender=t.borrower)
    if kind == "less":
        # 1/500e18 = 2e-21: 2e-21 * (0.05e27 + 5e4) = 1e5 and 2e-21/0.8 * 0.02 = 5e4 in ray
        state.current_liquidity_rate = 10**5
        state.current_variable_borrow_rate = sci("0.05", 27) + 5 * 10**4
        debt_left, a_left = 1, 500 * ETHER + 1
    else:
        state.current_liquidity_rate = 0
        state.current_variable_borrow_rate = sci("0.05", 27)
        debt_left, a_left = 0, 500 * ETHER  # paid back 500 ether, not the + 1
    assert_pool_reserve_state(t, t.brrw, state)
    assert_debt_token_state(
        t.debt_token, user=t.borrower, user_balance=debt_left, total_supply=debt_left
    )
    assert_a_token_state(
        t.a_borrow_asset, user=t.borrower, user_balance=a_left, total_supply=a_left
    )


def _repay_some_time_passed(t: RepayWithATokensBase, kind: str) -> None:
    """The same after WARP_TIME."""
    borrow_rate, liquidity_rate = updated_rates(500 * ETHER, 1000 * ETHER)
    assert borrow_rate == sci("0.0625", 27)
    assert liquidity_rate == sci("0.03125", 27)
    supplier_yield = sci("0.03125", 27) * 1000 * ETHER // 100 // RAY  # 1% of APR
    compounded = compounded_normalized_interest(borrow_rate, WARP_TIME)
    borrower_debt = (compounded - RAY) * 500 * ETHER // RAY
    assert supplier_yield == sci("0.3125", 18)
    assert compounded == sci("1.000625195348470672890933200", 27)
    assert borrower_debt == sci("0.312597674235336445", 18)
    state = _half_utilized()
    assert_pool_reserve_state(t, t.brrw, state)
    assert_debt_token_state(
        t.debt_token,
        user=t.borrower,
        user_balance=500 * ETHER + borrower_debt,
        total_supply=500 * ETHER + borrower_debt,
    )
    assert_a_token_state(
        t.a_borrow_asset,
        user=t.borrower,
        user_balance=1000 * ETHER + supplier_yield,
        total_supply=1000 * ETHER + supplier_yield,
    )
    amount = {
        "more": 500 * ETHER + borrower_debt + 1,
        "max": MAX_UINT256,
        "equal": 500 * ETHER + borrower_debt,
        "less": 500 * ETHER + borrower_debt - 1,
    }[kind]
    t.pool.repay_with_a_tokens(t.brrw, amount, 2, sender=t.borrower)

    expected_liquidity_index = RAY + RAY * liquidity_rate // 100 // RAY
    expected_variable_borrow_index = RAY * compounded // RAY
    assert expected_liquidity_index == sci("1.0003125", 27)
    assert expected_variable_borrow_index == sci("1.000625195348470672890933200", 27)
    state.liquidity_index = expected_liquidity_index
    state.variable_borrow_index = expected_variable_borrow_index
    state.last_update_timestamp = WARP_TIME + 1
    if kind == "less":
        remaining_supply = (1000 * ETHER + supplier_yield) - (500 * ETHER + borrower_debt - 1)
        assert remaining_supply == sci("499.999902325764663556", 18)
        borrow_rate, liquidity_rate = updated_rates(1, remaining_supply)
        assert borrow_rate == sci("0.050000000000000000000050000", 27)
        assert liquidity_rate == sci("0.000000000000000000000100000", 27)
        state.current_liquidity_rate = liquidity_rate
        state.current_variable_borrow_rate = borrow_rate
        debt_left, a_left = 1, remaining_supply
    else:
        state.current_liquidity_rate = 0
        state.current_variable_borrow_rate = sci("0.05", 27)
        debt_left = 0
        a_left = (1000 * ETHER + supplier_yield) - (500 * ETHER + borrower_debt)
    assert_pool_reserve_state(t, t.brrw, state)
    assert_debt_token_state(
        t.debt_token, user=t.borrower, user_balance=debt_left, total_supply=debt_left
    )
    assert_a_token_state(
        t.a_borrow_asset, user=t.borrower, user_balance=a_left, total_supply=a_left
    )


def _given_in_isolation_mode(t: RepayWithATokensBase) -> None:
    t.repay(t.borrower, t.brrw, 500 * ETHER)
    t.withdraw(t.borrower, t.coll, 1000 * ETHER)
    t.configurator.set_borrowable_in_isolation(t.brrw, True)
    t.configurator.set_debt_ceiling(t.coll, 1000_00)
    t.supply_and_use_as_collateral(t.borrower, t.coll, 1000 * ETHER)
    t.borrow(t.borrower, t.brrw, 500 * ETHER)


# (test number, isolation mode, time passed, repayment kind, isolated debt after)
_CASES = [
    (1, False, False, "more", 0),
    (2, False, False, "max", 0),
    (3, False, False, "equal", 0),
    (4, False, False, "less", 0),
    (5, False, True, "more", 0),
    (6, False, True, "max", 0),
    (7, False, True, "equal", 0),
    (8, False, True, "less", 0),
    (9, True, False, "more", 0),
    (10, True, False, "max", 0),
    (11, True, False, "equal", 0),
    (12, True, False, "less", 1),  # 500 ether - 1 repaid rounds down: 0.01 stays
    (13, True, True, "more", 0),
    (14, True, True, "max", 0),
    (15, True, True, "equal", 0),
    (16, True, True, "less", 0),  # 501.85 repaid against 500 stored: clamped to 0
]


@suites
@pytest.mark.parametrize("case", _CASES, ids=[f"{c[0]:02d}" for c in _CASES])
def test_repay_with_a_tokens(suite, case):
    """test_repayWithATokens_01 .. _16."""
    _, isolated, time_passed, kind, isolated_after = case
    t = RepayWithATokensBase(suite)
    if isolated:
        _given_in_isolation_mode(t)
    if time_passed:
        t.skip(WARP_TIME)
    assert t.isolation_mode_total_debt() == (500_00 if isolated else 0)
    if time_passed:
        _repay_some_time_passed(t, kind)
    else:
        _repay_no_time_passed(t, kind)
    assert t.isolation_mode_total_debt() == isolated_after
