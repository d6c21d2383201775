"""Port of sparklend-testing `test/integration/btt/Supply.t.sol` (SupplyFailureTests and
SupplyConcreteTests): the same set-up, actions and expected values, to the wei.

Each test runs against the suite versions in `SUITES` (see `sparklend_test_base.Suite`);
where the two versions assert different numbers (the reserve factor, the rounding) both are
written out, each as its version has it."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.protocols.sparklend.acl import ISOLATED_COLLATERAL_SUPPLIER
from sparkprime.protocols.sparklend.addresses import make_addr

from .sparklend_test_base import (
    BASE_RATE,
    ETHER,
    HEAD,
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

#: Supply.t.sol at marsfoundation 6d08ef19 (HALF_UP_V1, no reserve factor) and at sparkdotfi
#: 6b0a9d90 (DIRECTED, 5% reserve factor).
SUITES = (PRE_6D08, HEAD)
suites = pytest.mark.parametrize("suite", SUITES, ids=str)


class SupplyBase(SparkLendTestBase):
    def __init__(self, suite: Suite) -> None:
        super().__init__(suite)
        self.supplier = make_addr("supplier")
        self.reserve_id = self.pool.get_reserve_data(self.collateral_asset.address).id
        self.coll = self.collateral_asset.address

    def call_supply(self, asset, amount, on_behalf_of, referral_code=0) -> None:
        self.pool.supply(asset, amount, on_behalf_of, referral_code, sender=self.supplier)

    def is_using_as_collateral(self) -> bool:
        return self.pool.get_user_configuration(self.supplier).is_using_as_collateral(
            self.reserve_id
        )


def _expect(code: ErrorCode):
    return pytest.raises(ProtocolError, match=code.name)


# --- SupplyFailureTests ---


@suites
def test_supply_when_amount_zero(suite):
    t = SupplyBase(suite)
    with _expect(ErrorCode.INVALID_AMOUNT):
        t.call_supply(t.coll, 0, t.supplier)


@suites
def test_supply_when_not_active(suite):
    t = SupplyBase(suite)
    t.configurator.set_reserve_active(t.coll, False)
    with _expect(ErrorCode.RESERVE_INACTIVE):
        t.call_supply(t.coll, 1000 * ETHER, t.supplier)


@suites
def test_supply_when_paused(suite):
    t = SupplyBase(suite)
    t.configurator.set_reserve_pause(t.coll, True)
    with _expect(ErrorCode.RESERVE_PAUSED):
        t.call_supply(t.coll, 1000 * ETHER, t.supplier)


@suites
def test_supply_when_frozen(suite):
    t = SupplyBase(suite)
    t.configurator.set_reserve_freeze(t.coll, True)
    with _expect(ErrorCode.RESERVE_FROZEN):
        t.call_supply(t.coll, 1000 * ETHER, t.supplier)


@suites
def test_supply_amount_over_supply_cap_boundary(suite):
    t = SupplyBase(suite)
    t.configurator.set_supply_cap(t.coll, 1000)
    t.collateral_asset.mint(t.supplier, 1000 * ETHER)
    t.collateral_asset.approve(t.pool.address, 1000 * ETHER, sender=t.supplier)
    # Boundary is 1 wei, not 1 ether, although the cap is in whole tokens.
    with _expect(ErrorCode.SUPPLY_CAP_EXCEEDED):
        t.call_supply(t.coll, 1000 * ETHER + 1, t.supplier)
    t.call_supply(t.coll, 1000 * ETHER, t.supplier)


@suites
def test_supply_insufficient_approve_boundary(suite):
    # MockERC20 panics (stdError.arithmeticError); the Erc20 model: INSUFFICIENT_ALLOWANCE.
    t = SupplyBase(suite)
    t.collateral_asset.mint(t.supplier, 1000 * ETHER)
    t.collateral_asset.approve(t.pool.address, 1000 * ETHER - 1, sender=t.supplier)
    with pytest.raises(ProtocolError, match="INSUFFICIENT_ALLOWANCE") as err:
        t.call_supply(t.coll, 1000 * ETHER, t.supplier)
    assert err.value.context["allowance"] == 1000 * ETHER - 1
    t.collateral_asset.approve(t.pool.address, 1000 * ETHER, sender=t.supplier)
    t.call_supply(t.coll, 1000 * ETHER, t.supplier)


@suites
def test_supply_insufficient_balance_boundary(suite):
    t = SupplyBase(suite)
    t.collateral_asset.approve(t.pool.address, 1000 * ETHER, sender=t.supplier)
    t.collateral_asset.mint(t.supplier, 1000 * ETHER - 1)
    with _expect(ErrorCode.INSUFFICIENT_BALANCE):
        t.call_supply(t.coll, 1000 * ETHER, t.supplier)
    t.collateral_asset.mint(t.supplier, 1)
    t.call_supply(t.coll, 1000 * ETHER, t.supplier)


@suites
def test_supply_a_token_mint_not_called_by_pool(suite):
    t = SupplyBase(suite)
    this = make_addr("test")
    with _expect(ErrorCode.CALLER_MUST_BE_POOL):
        t.a_collateral_asset.mint(this, this, 1000 * ETHER, ETHER, sender=this)


@suites
def test_supply_a_token_mint_scaled_invalid_amount(suite):
    t = SupplyBase(suite)
    t.init_collateral(t.borrow_asset.address, 50_00, 60_00, 100_01)
    t.configurator.set_reserve_borrowing(t.coll, True)
    user = make_addr("user")
    # Accrue enough interest that the aToken rounds a supply of 1 down to zero.
    t.supply(user, t.coll, 500 * ETHER)
    t.supply(user, t.borrow_asset.address, 1000 * ETHER)
    t.borrow(user, t.coll, 500 * ETHER)
    t.warp(10_000 * 86400)
    t.collateral_asset.approve(t.pool.address, 1, sender=t.supplier)
    t.collateral_asset.mint(t.supplier, 1)
    with _expect(ErrorCode.INVALID_MINT_AMOUNT):
        t.call_supply(t.coll, 1, t.supplier)


# --- SupplyConcreteTests ---


class SupplyConcrete(SupplyBase):
    def __init__(self, suite: Suite) -> None:
        super().__init__(suite)
        self.borrower = make_addr("borrower")
        self.other_collaterals = 0
        self.collateral_asset.mint(self.supplier, 1000 * ETHER)
        self.collateral_asset.approve(self.pool.address, 1000 * ETHER, sender=self.supplier)
        # A more common starting state for the reserve.
        self.supply(make_addr("new-user"), self.coll, 500 * ETHER)

    # BTT modifiers
    def given_isolation_mode_enabled(self) -> None:
        self.withdraw(make_addr("new-user"), self.coll, 500 * ETHER)
        self.configurator.set_debt_ceiling(self.coll, 1000)
        self.supply(make_addr("new-user"), self.coll, 500 * ETHER)

    def given_user_does_have_isolated_collateral_role(self) -> None:
        self.acl.grant_role(ISOLATED_COLLATERAL_SUPPLIER, self.supplier, sender=self.admin)

    def given_ltv_is_not_zero(self) -> None:
        self.configurator.configure_reserve_as_collateral(self.coll, 100, 100, 100_01)

    def when_user_is_using_one_other_collateral(self) -> None:
        self.other1 = self.set_up_new_collateral()
        self.other_collaterals = 1
        self.configurator.set_debt_ceiling(self.other1, 1000)
        self.supply_and_use_as_collateral(self.supplier, self.other1, 1000 * ETHER)

    def given_one_other_collateral_is_in_isolation_mode(self) -> None:
        self.configurator.set_debt_ceiling(self.other1, 1000)

    def given_one_other_collateral_is_not_in_isolation_mode(self) -> None:
        self.configurator.set_debt_ceiling(self.other1, 0)

    def when_user_is_using_multiple_other_collaterals(self) -> None:
        self.other1 = self.set_up_new_collateral()
        self.other2 = self.set_up_new_collateral()
        self.other_collaterals = 2
        self.supply_and_use_as_collateral(self.supplier, self.other1, 1000 * ETHER)
        self.supply_and_use_as_collateral(self.supplier, self.other2, 1000 * ETHER)

    def given_active_borrow(self) -> None:
        self.init_collateral(self.borrow_asset.address, 50_00, 60_00, 100_01)
        self.configurator.set_reserve_borrowing(self.coll, True)
        self.supply_and_use_as_collateral(self.borrower, self.borrow_asset.address, 1000 * ETHER)
        self.borrow(self.borrower, self.coll, 100 * ETHER)

    def given_time_passed_after_borrow(self, passed: bool) -> None:
        assert self.debt_token_of(self.coll).total_supply() > 0
        if passed:
            self.skip(WARP_TIME)

    # test running functions
    def first_supply_test(self) -> None:
        state = PoolReserveState(
            liquidity_index=RAY,
            current_liquidity_rate=0,
            variable_borrow_index=RAY,
            current_variable_borrow_rate=BASE_RATE,
            current_stable_borrow_rate=0,
            last_update_timestamp=1,
            accrued_to_treasury=0,
            unbacked=0,
        )
        assert_pool_reserve_state(self, self.coll, state)
        assert_a_token_state(
            self.a_collateral_asset, user=self.supplier, user_balance=0, total_supply=500 * ETHER
        )
        assert_asset_state(
            self,
            user=self.supplier,
            asset=self.coll,
            allowance=1000 * ETHER,
            user_balance=1000 * ETHER,
            a_token_balance=500 * ETHER,
        )
        assert self.clock.now == 1
        self.call_supply(self.coll, 1000 * ETHER, self.supplier)
        assert_pool_reserve_state(self, self.coll, state)
        assert_a_token_state(
            self.a_collateral_asset,
            user=self.supplier,
            user_balance=1000 * ETHER,
            total_supply=1500 * ETHER,
        )
        assert_asset_state(
            self,
            user=self.supplier,
            asset=self.coll,
            allowance=0,
            user_balance=0,
            a_token_balance=1500 * ETHER,
        )

    def no_automatic_collateral_supply_test(self) -> None:
        assert not self.is_using_as_collateral()
        self.first_supply_test()
        assert not self.is_using_as_collateral()

    def automatic_collateral_supply_test(self) -> None:
        assert not self.is_using_as_collateral()
        self.first_supply_test()
        assert self.is_using_as_collateral()


@suites
def test_supply_01(suite):
    t = SupplyConcrete(suite)
    t.given_isolation_mode_enabled()
    t.no_automatic_collateral_supply_test()


@suites
def test_supply_02(suite):
    t = SupplyConcrete(suite)
    t.given_isolation_mode_enabled()
    t.given_user_does_have_isolated_collateral_role()
    t.no_automatic_collateral_supply_test()


@suites
def test_supply_03(suite):
    t = SupplyConcrete(suite)
    t.given_isolation_mode_enabled()
    t.given_user_does_have_isolated_collateral_role()
    t.given_ltv_is_not_zero()
    t.automatic_collateral_supply_test()
    assert t.other_collaterals == 0


@suites
def test_supply_04(suite):
    t = SupplyConcrete(suite)
    t.given_isolation_mode_enabled()
    t.given_user_does_have_isolated_collateral_role()
    t.given_ltv_is_not_zero()
    t.when_user_is_using_one_other_collateral()
    t.given_one_other_collateral_is_in_isolation_mode()
    t.no_automatic_collateral_supply_test()
    assert t.other_collaterals > 0


@suites
def test_supply_05(suite):
    t = SupplyConcrete(suite)
    t.given_isolation_mode_enabled()
    t.given_user_does_have_isolated_collateral_role()
    t.given_ltv_is_not_zero()
    t.when_user_is_using_one_other_collateral()
    t.given_one_other_collateral_is_not_in_isolation_mode()
    t.no_automatic_collateral_supply_test()
    assert t.other_collaterals > 0


@suites
def test_supply_06(suite):
    t = SupplyConcrete(suite)
    t.given_isolation_mode_enabled()
    t.given_user_does_have_isolated_collateral_role()
    t.given_ltv_is_not_zero()
    t.when_user_is_using_multiple_other_collaterals()
    t.no_automatic_collateral_supply_test()
    assert t.other_collaterals > 0


@suites
def test_supply_07(suite):
    t = SupplyConcrete(suite)
    t.no_automatic_collateral_supply_test()


@suites
def test_supply_08(suite):
    t = SupplyConcrete(suite)
    t.given_ltv_is_not_zero()
    t.automatic_collateral_supply_test()
    assert t.other_collaterals == 0


@suites
def test_supply_09(suite):
    t = SupplyConcrete(suite)
    t.given_ltv_is_not_zero()
    t.when_user_is_using_one_other_collateral()
    t.given_one_other_collateral_is_in_isolation_mode()
    t.no_automatic_collateral_supply_test()


@suites
def test_supply_10(suite):
    t = SupplyConcrete(suite)
    t.given_ltv_is_not_zero()
    t.when_user_is_using_one_other_collateral()
    t.given_one_other_collateral_is_not_in_isolation_mode()
    t.automatic_collateral_supply_test()


@suites
def test_supply_11(suite):
    t = SupplyConcrete(suite)
    t.given_ltv_is_not_zero()
    t.when_user_is_using_multiple_other_collaterals()
    t.automatic_collateral_supply_test()


@suites
def test_supply_12(suite):
    t = SupplyConcrete(suite)
    state = PoolReserveState(
        liquidity_index=RAY,
        current_liquidity_rate=0,
        variable_borrow_index=RAY,
        current_variable_borrow_rate=BASE_RATE,
        current_stable_borrow_rate=0,
        last_update_timestamp=1,
        accrued_to_treasury=0,
        unbacked=0,
    )
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset, user=t.supplier, user_balance=0, total_supply=500 * ETHER
    )
    assert_asset_state(
        t,
        user=t.supplier,
        asset=t.coll,
        allowance=1000 * ETHER,
        user_balance=1000 * ETHER,
        a_token_balance=500 * ETHER,
    )
    assert t.clock.now == 1
    assert not t.is_using_as_collateral()
    t.call_supply(t.coll, 1000 * ETHER, t.supplier)
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset,
        user=t.supplier,
        user_balance=1000 * ETHER,
        total_supply=1500 * ETHER,
    )
    assert_asset_state(
        t, user=t.supplier, asset=t.coll, allowance=0, user_balance=0, a_token_balance=1500 * ETHER
    )
    assert not t.is_using_as_collateral()


def _supply_after_borrow_no_time(t: SupplyConcrete, last_update: int) -> None:
    """test_supply_13 and test_supply_16: a borrow, no time after it, then a supply."""
    t.collateral_asset.approve(t.pool.address, 750 * ETHER, sender=t.supplier)
    rf = t.suite.reserve_factor
    borrow_rate, liquidity_rate = updated_rates(100 * ETHER, 500 * ETHER, reserve_factor=rf)
    assert borrow_rate == sci("0.055", 27)
    # PRE: no reserve factor; HEAD: 1.1% * 95%
    assert liquidity_rate == (sci("0.01045", 27) if t.suite.reserve_factor else sci("0.011", 27))
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
        t.a_collateral_asset, user=t.supplier, user_balance=0, total_supply=500 * ETHER
    )
    assert_asset_state(
        t,
        user=t.supplier,
        asset=t.coll,
        allowance=750 * ETHER,
        user_balance=1000 * ETHER,
        a_token_balance=400 * ETHER,
    )
    assert t.clock.now == last_update
    assert not t.is_using_as_collateral()

    t.call_supply(t.coll, 750 * ETHER, t.supplier)

    borrow_rate, liquidity_rate = updated_rates(100 * ETHER, 1250 * ETHER, reserve_factor=rf)
    assert borrow_rate == sci("0.052", 27)
    assert liquidity_rate == (
        sci("0.00416", 27) * 95 // 100 if t.suite.reserve_factor else sci("0.00416", 27)
    )
    state.current_liquidity_rate = liquidity_rate
    state.current_variable_borrow_rate = borrow_rate
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset, user=t.supplier, user_balance=750 * ETHER, total_supply=1250 * ETHER
    )
    assert_asset_state(
        t,
        user=t.supplier,
        asset=t.coll,
        allowance=0,
        user_balance=250 * ETHER,
        a_token_balance=1150 * ETHER,
    )
    assert not t.is_using_as_collateral()


def _supply_after_borrow_some_time(t: SupplyConcrete, last_update: int) -> None:
    """test_supply_14 and test_supply_17: a borrow, WARP_TIME after it, then a supply."""
    rf = t.suite.reserve_factor
    t.collateral_asset.approve(t.pool.address, 750 * ETHER, sender=t.supplier)
    borrow_rate, liquidity_rate = updated_rates(100 * ETHER, 500 * ETHER, reserve_factor=rf)
    assert borrow_rate == sci("0.055", 27)
    if rf:
        assert liquidity_rate == sci("0.01045", 27)
        supplier_yield = sci("0.01045", 27) * 500 * ETHER // 100 // RAY  # 1% of APR
        assert supplier_yield == sci("0.055", 18) * 95 // 100
    else:
        assert liquidity_rate == sci("0.011", 27)
        supplier_yield = sci("0.011", 27) * 500 * ETHER // 100 // RAY
        assert supplier_yield == sci("0.055", 18)
    compounded = compounded_normalized_interest(borrow_rate, WARP_TIME)
    borrower_debt = (compounded - RAY) * 100 * ETHER // RAY
    assert compounded == sci("1.000550151275656075434506", 27)
    assert borrower_debt == sci("0.055015127565607543", 18)
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
        user=t.supplier,
        user_balance=0,
        total_supply=500 * ETHER + supplier_yield,
    )
    assert_asset_state(
        t,
        user=t.supplier,
        asset=t.coll,
        allowance=750 * ETHER,
        user_balance=1000 * ETHER,
        a_token_balance=400 * ETHER,
    )
    assert t.clock.now == last_update + WARP_TIME
    assert not t.is_using_as_collateral()

    t.call_supply(t.coll, 750 * ETHER, t.supplier)

    if rf:
        expected_liquidity_index = RAY + liquidity_rate * 1 // 100
        assert expected_liquidity_index == sci("1.0001045", 27)
    else:
        expected_liquidity_index = RAY + RAY * liquidity_rate // 100 // RAY
        assert expected_liquidity_index == sci("1.00011", 27)
    expected_variable_borrow_index = RAY * compounded // RAY
    assert expected_variable_borrow_index == sci("1.000550151275656075434506", 27)
    borrow_rate, liquidity_rate = updated_rates(
        100 * ETHER + borrower_debt, 1250 * ETHER + borrower_debt, reserve_factor=rf
    )
    assert borrow_rate == sci("0.052001012233796670018774935", 27)
    assert liquidity_rate == (
        sci("0.004162186465985497605393897", 27) * 95 // 100
        if rf
        else sci("0.004162186465985497605393897", 27)
    )
    state.liquidity_index = expected_liquidity_index
    state.current_liquidity_rate = liquidity_rate
    state.variable_borrow_index = expected_variable_borrow_index
    state.current_variable_borrow_rate = borrow_rate
    state.last_update_timestamp = last_update + WARP_TIME
    if rf:
        state.accrued_to_treasury = borrower_debt * 5 // 100 * RAY // expected_liquidity_index
    assert_pool_reserve_state(t, t.coll, state)
    rounding = 1 if t.suite.directed else 0  # HEAD: "- 1 // Rounding"
    assert_a_token_state(
        t.a_collateral_asset,
        user=t.supplier,
        user_balance=750 * ETHER - rounding,
        total_supply=1250 * ETHER + supplier_yield - rounding,
    )
    assert_asset_state(
        t,
        user=t.supplier,
        asset=t.coll,
        allowance=0,
        user_balance=250 * ETHER,
        a_token_balance=1150 * ETHER,
    )
    assert not t.is_using_as_collateral()


@suites
def test_supply_13(suite):
    t = SupplyConcrete(suite)
    t.given_active_borrow()
    t.given_time_passed_after_borrow(False)
    _supply_after_borrow_no_time(t, 1)


@suites
def test_supply_14(suite):
    t = SupplyConcrete(suite)
    t.given_active_borrow()
    t.given_time_passed_after_borrow(True)
    _supply_after_borrow_some_time(t, 1)


@suites
def test_supply_15(suite):
    t = SupplyConcrete(suite)
    t.skip(WARP_TIME)
    state = PoolReserveState(
        liquidity_index=RAY,
        current_liquidity_rate=0,
        variable_borrow_index=RAY,
        current_variable_borrow_rate=BASE_RATE,
        current_stable_borrow_rate=0,
        last_update_timestamp=1,
        accrued_to_treasury=0,
        unbacked=0,
    )
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset, user=t.supplier, user_balance=0, total_supply=500 * ETHER
    )
    assert t.clock.now == WARP_TIME + 1
    t.call_supply(t.coll, 1000 * ETHER, t.supplier)
    state.last_update_timestamp = WARP_TIME + 1
    assert_pool_reserve_state(t, t.coll, state)
    assert_a_token_state(
        t.a_collateral_asset,
        user=t.supplier,
        user_balance=1000 * ETHER,
        total_supply=1500 * ETHER,
    )
    assert_asset_state(
        t, user=t.supplier, asset=t.coll, allowance=0, user_balance=0, a_token_balance=1500 * ETHER
    )
    assert not t.is_using_as_collateral()


@suites
def test_supply_16(suite):
    t = SupplyConcrete(suite)
    t.skip(WARP_TIME)
    t.given_active_borrow()
    t.given_time_passed_after_borrow(False)
    _supply_after_borrow_no_time(t, WARP_TIME + 1)


@suites
def test_supply_17(suite):
    t = SupplyConcrete(suite)
    t.skip(WARP_TIME)
    t.given_active_borrow()
    t.given_time_passed_after_borrow(True)
    _supply_after_borrow_some_time(t, WARP_TIME + 1)
