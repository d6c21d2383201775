"""Port of sparklend-testing `test/integration/btt/SetUserUseReserveAsCollateral.t.sol`
(sparkdotfi 12d29b23, the only stored version) against SparkLend v1.0.0 (`HALF_UP_V1`).

That suite version was written against a later Pool, which checks the reserve's flags before
the user's balance and lets a user without a balance turn a collateral off. v1.0.0's
`executeUseReserveAsCollateral` reads the aToken balance and calls
`validateSetUseReserveAsCollateral` (balance != 0, then active, then not paused) before
anything else. Three tests therefore expect, here, what v1.0.0's source does, and say so:
`test_when_not_active` and `test_when_paused` (a user without a balance gets
`UNDERLYING_BALANCE_ZERO`; with a balance, the upstream error), and `test_02` (the no-op
upstream is a revert in v1.0.0, which changes nothing either). Every other expectation is
upstream's."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.sparklend.addresses import make_addr

from .sparklend_test_base import (
    ETHER,
    PRE_528F,
    SparkLendTestBase,
    Suite,
)

SUITES = (PRE_528F,)
suites = pytest.mark.parametrize("suite", SUITES, ids=str)


def _expect(code: ErrorCode):
    return pytest.raises(ProtocolError, match=code.name)


class CollateralBase(SparkLendTestBase):
    def __init__(self, suite: Suite) -> None:
        super().__init__(suite)
        self.user = make_addr("user")
        self.lender = make_addr("lender")
        self.coll = self.collateral_asset.address
        self.brrw = self.borrow_asset.address
        self.init_collateral(self.coll, 50_00, 50_00, 100_01)
        self.coll_id = self.pool.get_reserve_data(self.coll).id
        self.brrw_id = self.pool.get_reserve_data(self.brrw).id

    def set_collateral(self, asset, use: bool) -> None:
        self.pool.set_user_use_reserve_as_collateral(asset, use, sender=self.user)

    def using(self, reserve_id: int) -> bool:
        return self.pool.get_user_configuration(self.user).is_using_as_collateral(reserve_id)


# --- SetUserUseReserveAsCollateralFailureTests ---


@suites
def test_when_not_active(suite):
    t = CollateralBase(suite)
    t.configurator.set_reserve_active(t.coll, False)
    # v1.0.0 checks the balance first (see the module docstring).
    with _expect(ErrorCode.UNDERLYING_BALANCE_ZERO):
        t.set_collateral(t.coll, True)


@suites
def test_when_paused(suite):
    t = CollateralBase(suite)
    t.configurator.set_reserve_pause(t.coll, True)
    with _expect(ErrorCode.UNDERLYING_BALANCE_ZERO):  # v1.0.0: the balance first
        t.set_collateral(t.coll, True)
    t.configurator.set_reserve_pause(t.coll, False)
    t.supply(t.user, t.coll, 1000 * ETHER)
    t.configurator.set_reserve_pause(t.coll, True)
    with _expect(ErrorCode.RESERVE_PAUSED):  # upstream's error once the user has a balance
        t.set_collateral(t.coll, True)


@suites
def test_success_when_frozen(suite):
    t = CollateralBase(suite)
    t.supply(t.user, t.coll, 1000 * ETHER)  # auto-enabled as collateral at supply
    t.configurator.set_reserve_freeze(t.coll, True)
    t.set_collateral(t.coll, False)


@suites
def test_enable_with_zero_scaled_balance(suite):
    t = CollateralBase(suite)
    with _expect(ErrorCode.UNDERLYING_BALANCE_ZERO):
        t.set_collateral(t.coll, True)


@suites
def test_enable_zero_ltv_asset(suite):
    t = CollateralBase(suite)
    t.supply(t.user, t.brrw, 1000 * ETHER)  # LTV zero at supply: not auto-enabled
    with _expect(ErrorCode.USER_IN_ISOLATION_MODE_OR_LTV_ZERO):
        t.set_collateral(t.brrw, True)


@suites
def test_enable_while_in_isolation_mode(suite):
    t = CollateralBase(suite)
    t.configurator.set_debt_ceiling(t.coll, 1000_00)
    t.supply_and_use_as_collateral(t.user, t.coll, 1000 * ETHER)  # isolated collateral
    new_collateral = t.set_up_new_collateral(50_00, 50_00, 100_01)
    t.supply(t.user, new_collateral, 1000 * ETHER)  # not auto-enabled in isolation mode
    with _expect(ErrorCode.USER_IN_ISOLATION_MODE_OR_LTV_ZERO):
        t.set_collateral(new_collateral, True)


@suites
def test_enable_isolated_asset_with_other_collateral(suite):
    t = CollateralBase(suite)
    isolated_asset = t.set_up_new_collateral(50_00, 50_00, 100_01)
    t.configurator.set_debt_ceiling(isolated_asset, 1000_00)
    t.supply_and_use_as_collateral(t.user, t.coll, 1000 * ETHER)
    t.supply(t.user, isolated_asset, 1000 * ETHER)  # isolated assets are never auto-enabled
    with _expect(ErrorCode.USER_IN_ISOLATION_MODE_OR_LTV_ZERO):
        t.set_collateral(isolated_asset, True)


@suites
def test_disable_health_factor_below_one_boundary(suite):
    t = CollateralBase(suite)
    new_collateral = t.set_up_new_collateral(50_00, 50_00, 100_01)
    t.configurator.set_reserve_borrowing(t.brrw, True)
    t.supply(t.lender, t.brrw, 600 * ETHER)
    t.supply_and_use_as_collateral(t.user, t.coll, 1000 * ETHER)
    t.supply_and_use_as_collateral(t.user, new_collateral, 1000 * ETHER)
    # 1e10 for the boundary: HF is computed in 1e8 base-currency precision.
    t.borrow(t.user, t.brrw, 500 * ETHER + 10**10)
    with _expect(ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD):
        t.set_collateral(new_collateral, False)
    t.repay(t.user, t.brrw, 10**10)
    t.set_collateral(new_collateral, False)
    # The remaining 1000 * 50% collateral exactly covers the 500 debt.
    assert t.pool.get_user_account_data(t.user).health_factor == 10**18


@suites
def test_disable_with_other_zero_ltv_collateral(suite):
    t = CollateralBase(suite)
    new_collateral = t.set_up_new_collateral(50_00, 50_00, 100_01)
    t.supply_and_use_as_collateral(t.user, t.coll, 1000 * ETHER)
    t.supply_and_use_as_collateral(t.user, new_collateral, 1000 * ETHER)
    # Zero the LTV after the flag is set; the user keeps the asset as collateral.
    t.init_collateral(new_collateral, 0, 50_00, 100_01)
    with _expect(ErrorCode.LTV_VALIDATION_FAILED):
        t.set_collateral(t.coll, False)


# --- SetUserUseReserveAsCollateralConcreteTests ---


@suites
def test_01(suite):
    t = CollateralBase(suite)
    t.supply(t.user, t.coll, 1000 * ETHER)  # auto-enabled at supply
    assert t.using(t.coll_id)
    before = t.pool.state_hash()
    t.set_collateral(t.coll, True)
    assert t.pool.state_hash() == before  # proveNoOp
    assert t.using(t.coll_id)


@suites
def test_02(suite):
    t = CollateralBase(suite)
    assert t.a_collateral_asset.balance_of(t.user) == 0
    assert not t.using(t.coll_id)
    before = t.pool.state_hash()
    with _expect(ErrorCode.UNDERLYING_BALANCE_ZERO):  # v1.0.0 (see the module docstring)
        t.set_collateral(t.coll, False)
    assert t.pool.state_hash() == before
    assert not t.using(t.coll_id)


@suites
def test_03(suite):
    t = CollateralBase(suite)
    t.supply(t.user, t.brrw, 1000 * ETHER)  # LTV zero at supply: not auto-enabled
    t.init_collateral(t.brrw, 50_00, 50_00, 100_01)
    assert not t.using(t.brrw_id)
    assert t.pool.get_user_account_data(t.user).total_collateral_base == 0
    t.set_collateral(t.brrw, True)
    assert t.using(t.brrw_id)
    assert t.pool.get_user_account_data(t.user).total_collateral_base == 1000 * 10**8


@suites
def test_04(suite):
    t = CollateralBase(suite)
    t.supply(t.user, t.coll, 1000 * ETHER)  # auto-enabled at supply
    assert t.using(t.coll_id)
    assert t.pool.get_user_account_data(t.user).total_collateral_base == 1000 * 10**8
    t.set_collateral(t.coll, False)
    assert not t.using(t.coll_id)
    assert t.pool.get_user_account_data(t.user).total_collateral_base == 0
