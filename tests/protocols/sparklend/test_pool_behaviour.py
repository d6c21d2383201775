"""Pool behaviour the ported suites do not cover, each check read off the contracts' source:
credit delegation, aToken transfers and their health-factor check, donations moving rates,
the configurator-only entry points, reserve listing limits, eMode choice, uint128 storage,
all-or-nothing actions and snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.rate_strategies import InterestRates
from sparkprime.protocols.sparklend.types import EModeCategory

from .sparklend_test_base import ETHER, HEAD, PRE_528F, SparkLendTestBase, Suite, default_strategy

BOTH = pytest.mark.parametrize("suite", [PRE_528F, HEAD], ids=str)
MAX = 2**256 - 1


def _expect(code: ErrorCode):
    return pytest.raises(ProtocolError, match=code.name)


class Market(SparkLendTestBase):
    """COLL is collateral (LTV 50%, LT 60%), BRRW is borrowable with 1000 supplied."""

    def __init__(self, suite: Suite = PRE_528F) -> None:
        super().__init__(suite)
        self.alice, self.bob, self.carol = (make_addr(n) for n in ("alice", "bob", "carol"))
        self.coll = self.collateral_asset.address
        self.brrw = self.borrow_asset.address
        self.init_collateral(self.coll, 50_00, 60_00, 105_00)
        self.configurator.set_reserve_borrowing(self.brrw, True)
        self.supply(make_addr("lender"), self.brrw, 1000 * ETHER)
        self.supply(self.alice, self.coll, 1000 * ETHER)


# --- credit delegation ---


@BOTH
def test_credit_delegation(suite):
    m = Market(suite)
    debt = m.debt_token_of(m.brrw)
    debt.approve_delegation(m.bob, 100 * ETHER, sender=m.alice)
    assert debt.borrow_allowance(m.alice, m.bob) == 100 * ETHER
    m.pool.borrow(m.brrw, 60 * ETHER, 2, 0, m.alice, sender=m.bob)
    assert debt.balance_of(m.alice) == 60 * ETHER  # the debt is alice's
    assert m.borrow_asset.balance_of(m.bob) == 60 * ETHER  # the cash is bob's
    assert debt.borrow_allowance(m.alice, m.bob) == 40 * ETHER
    assert m.pool.get_user_configuration(m.alice).is_borrowing(m.pool.get_reserve_data(m.brrw).id)
    before = m.pool.state_hash()
    # v1.0.0: `_borrowAllowances -= amount` panics; DIRECTED: InsufficientBorrowAllowance.
    code = ErrorCode.INSUFFICIENT_ALLOWANCE if suite.directed else ErrorCode.MATH_OVERFLOW
    with _expect(code):
        m.pool.borrow(m.brrw, 40 * ETHER + 1, 2, 0, m.alice, sender=m.bob)
    assert m.pool.state_hash() == before
    with _expect(code):
        m.pool.borrow(m.brrw, 1, 2, 0, m.alice, sender=m.carol)  # no delegation at all


def test_delegated_borrow_still_checks_the_delegators_collateral():
    m = Market()
    m.debt_token_of(m.brrw).approve_delegation(m.bob, MAX, sender=m.alice)
    with _expect(ErrorCode.COLLATERAL_CANNOT_COVER_NEW_BORROW):
        m.pool.borrow(m.brrw, 501 * ETHER, 2, 0, m.alice, sender=m.bob)


def test_debt_tokens_are_not_transferable():
    m = Market()
    debt = m.debt_token_of(m.brrw)
    calls: list[Callable[[], object]] = [
        lambda: debt.transfer(m.bob, 1, sender=m.alice),
        lambda: debt.transfer_from(m.alice, m.bob, 1, sender=m.bob),
        lambda: debt.approve(m.bob, 1, sender=m.alice),
        lambda: debt.allowance(m.alice, m.bob),
        lambda: debt.increase_allowance(m.bob, 1, sender=m.alice),
        lambda: debt.decrease_allowance(m.bob, 1, sender=m.alice),
    ]
    for call in calls:
        with _expect(ErrorCode.OPERATION_NOT_SUPPORTED):
            call()


def test_token_entry_points_are_pool_only():
    m = Market()
    a_token, debt = m.a_collateral_asset, m.debt_token_of(m.brrw)
    for call in (
        lambda: a_token.burn(m.alice, m.alice, 1, RAY, sender=m.alice),
        lambda: a_token.mint_to_treasury(1, RAY, sender=m.alice),
        lambda: a_token.transfer_on_liquidation(m.alice, m.bob, 1, sender=m.alice),
        lambda: a_token.transfer_underlying_to(m.alice, 1, sender=m.alice),
        lambda: debt.mint(m.alice, m.alice, 1, RAY, sender=m.alice),
        lambda: debt.burn(m.alice, 1, RAY, sender=m.alice),
    ):
        with _expect(ErrorCode.CALLER_MUST_BE_POOL):
            call()
    with _expect(ErrorCode.CALLER_NOT_ATOKEN):
        m.pool.finalize_transfer(m.coll, m.alice, m.bob, 1, 1, 0, sender=m.alice)


# --- aToken transfers ---


def test_a_token_transfer_moves_the_collateral_bits():
    m = Market()
    reserve_id = m.pool.get_reserve_data(m.coll).id
    a_token = m.a_collateral_asset
    assert m.pool.get_user_configuration(m.alice).is_using_as_collateral(reserve_id)
    a_token.transfer(m.bob, 400 * ETHER, sender=m.alice)
    assert a_token.balance_of(m.bob) == 400 * ETHER
    # The receiver's first balance turns the asset on as collateral, like a first supply.
    assert m.pool.get_user_configuration(m.bob).is_using_as_collateral(reserve_id)
    a_token.transfer(m.bob, 600 * ETHER, sender=m.alice)
    # Sending the whole balance turns it off for the sender.
    assert not m.pool.get_user_configuration(m.alice).is_using_as_collateral(reserve_id)


def test_a_token_transfer_keeps_the_sender_healthy():
    m = Market()
    m.borrow(m.alice, m.brrw, 500 * ETHER)  # HF = 1000 * 60% / 500 = 1.2
    a_token = m.a_collateral_asset
    before = m.pool.state_hash()
    with _expect(ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD):
        a_token.transfer(m.bob, 167 * ETHER, sender=m.alice)  # 833 * 60% < 500
    assert m.pool.state_hash() == before  # the balance moved, then the check reverted it all
    a_token.transfer(m.bob, 166 * ETHER, sender=m.alice)  # 834 * 60% >= 500
    assert m.pool.get_user_account_data(m.alice).health_factor >= 10**18


def test_a_token_transfer_when_paused():
    m = Market()
    m.configurator.set_reserve_pause(m.coll, True)
    with _expect(ErrorCode.RESERVE_PAUSED):
        m.a_collateral_asset.transfer(m.bob, 1, sender=m.alice)


@BOTH
def test_a_token_transfer_from(suite):
    m = Market(suite)
    a_token = m.a_collateral_asset
    a_token.approve(m.bob, 10 * ETHER, sender=m.alice)
    a_token.transfer_from(m.alice, m.carol, 4 * ETHER, sender=m.bob)
    assert a_token.allowance(m.alice, m.bob) == 6 * ETHER
    assert a_token.balance_of(m.carol) == 4 * ETHER
    code = ErrorCode.INSUFFICIENT_ALLOWANCE if suite.directed else ErrorCode.MATH_OVERFLOW
    with _expect(code):
        a_token.transfer_from(m.alice, m.carol, 7 * ETHER, sender=m.bob)
    a_token.increase_allowance(m.bob, 1, sender=m.alice)
    a_token.decrease_allowance(m.bob, 2, sender=m.alice)
    assert a_token.allowance(m.alice, m.bob) == 6 * ETHER - 1


# --- rates, donations, accrual ---


def test_a_donation_to_the_a_token_moves_the_rates():
    def borrow_rate(donate: int) -> int:
        m = Market()
        m.borrow(m.alice, m.brrw, 400 * ETHER)
        m.borrow_asset.mint(m.a_borrow_asset.address, donate)
        m.supply(m.bob, m.brrw, ETHER)  # any action recomputes the rates from the cash
        return m.pool.get_reserve_data(m.brrw).current_variable_borrow_rate

    assert borrow_rate(1000 * ETHER) < borrow_rate(0)


def test_state_accrues_once_per_timestamp():
    m = Market()
    m.borrow(m.alice, m.brrw, 400 * ETHER)
    m.skip(86_400)
    m.supply(m.bob, m.brrw, ETHER)
    after_first = m.pool.get_reserve_data(m.brrw)
    m.supply(m.bob, m.brrw, ETHER)  # same block: no second accrual
    after_second = m.pool.get_reserve_data(m.brrw)
    assert after_second.liquidity_index == after_first.liquidity_index
    assert after_second.variable_borrow_index == after_first.variable_borrow_index
    assert after_second.accrued_to_treasury == after_first.accrued_to_treasury


class _HugeRates:
    """A strategy that returns a rate past uint128 (SafeCast must refuse to store it)."""

    def calculate_interest_rates(self, params, /):
        return InterestRates(0, 0, 2**128)


def test_a_rate_past_uint128_reverts_and_changes_nothing():
    m = Market()
    m.pool.set_reserve_interest_rate_strategy_address(
        m.brrw, _HugeRates(), sender=m.configurator_address
    )
    m.borrow_asset.mint(m.bob, ETHER)
    m.borrow_asset.approve(m.pool.address, ETHER, sender=m.bob)
    before = m.pool.state_hash()
    with pytest.raises(ProtocolError, match="MATH_OVERFLOW") as err:
        m.pool.supply(m.brrw, ETHER, m.bob, 0, sender=m.bob)
    assert err.value.context["op"] == "to_uint128"
    assert m.pool.state_hash() == before


@pytest.mark.parametrize("mode", [0, 1, 3, 2**256 - 1])
def test_interest_rate_modes(mode):
    m = Market()
    expected = {
        0: ErrorCode.INVALID_INTEREST_RATE_MODE_SELECTED,
        1: ErrorCode.STABLE_BORROWING_NOT_ENABLED,
    }.get(mode, ErrorCode.VALUE_OUT_OF_RANGE)  # past the enum: a Panic
    with _expect(expected):
        m.pool.borrow(m.brrw, ETHER, mode, 0, m.alice, sender=m.alice)


def test_unlisted_assets():
    m = Market()
    stranger = make_addr("stranger")
    with _expect(ErrorCode.ASSET_NOT_LISTED):
        m.pool.supply(stranger, 1, m.alice, 0, sender=m.alice)
    assert m.pool.get_reserve_normalized_income(stranger) == 0
    assert m.pool.get_configuration(stranger).data == 0


# --- configurator entry points and reserve listing ---


def test_configurator_entry_points_need_the_configurator():
    m = Market()
    config = m.pool.get_configuration(m.coll)
    category = EModeCategory(ltv=90_00, liquidation_threshold=95_00, liquidation_bonus=101_00)
    calls: list[Callable[[Address], object]] = [
        lambda s: m.pool.set_configuration(m.coll, config, sender=s),
        lambda s: m.pool.set_reserve_interest_rate_strategy_address(
            m.coll, default_strategy(), sender=s
        ),
        lambda s: m.pool.configure_emode_category(1, category, sender=s),
        lambda s: m.pool.reset_isolation_mode_total_debt(m.coll, sender=s),
        lambda s: m.pool.update_flashloan_premiums(0, 0, sender=s),
        lambda s: m.pool.drop_reserve(m.coll, sender=s),
    ]
    for call in calls:
        with _expect(ErrorCode.CALLER_NOT_POOL_CONFIGURATOR):
            call(m.admin)
    with _expect(ErrorCode.EMODE_CATEGORY_RESERVED):
        m.pool.configure_emode_category(0, category, sender=m.configurator_address)
    with _expect(ErrorCode.ASSET_NOT_LISTED):
        m.pool.set_configuration(make_addr("stranger"), config, sender=m.configurator_address)
    m.pool.set_configuration(m.coll, config.set_debt_ceiling(1), sender=m.configurator_address)
    with _expect(ErrorCode.DEBT_CEILING_NOT_ZERO):
        m.pool.reset_isolation_mode_total_debt(m.coll, sender=m.configurator_address)


def test_reserve_listing_limits_and_reuse_of_dropped_ids():
    m = SparkLendTestBase()
    for _ in range(126):
        m.set_up_new_reserve()
    assert m.pool.get_reserves_count() == 128
    extra = m.registry.register(Erc20(make_addr("token/extra"), "X", 18))
    with _expect(ErrorCode.NO_MORE_RESERVES_ALLOWED):
        m.configurator.init_reserve(extra, default_strategy())
    with _expect(ErrorCode.RESERVE_ALREADY_INITIALIZED):
        m.configurator.init_reserve(m.borrow_asset, default_strategy())
    dropped = m.pool.get_reserves_list()[5]
    m.pool.drop_reserve(dropped, sender=m.configurator_address)
    assert dropped not in m.pool.get_reserves_list()
    assert m.pool.get_reserve_address_by_id(5) is None
    m.configurator.init_reserve(extra, default_strategy())
    assert m.pool.get_reserve_data(extra.address).id == 5  # the freed id is reused
    assert m.pool.get_reserves_count() == 128
    ghost = make_addr("token/not-a-contract")
    a, s, v = m.pool.deploy_reserve_tokens(m.borrow_asset.address, treasury=m.treasury)
    with _expect(ErrorCode.NOT_CONTRACT):
        m.pool.init_reserve(ghost, a, s, v, default_strategy(), sender=m.configurator_address)


def test_drop_reserve_needs_an_empty_reserve():
    m = Market()
    with _expect(ErrorCode.UNDERLYING_CLAIMABLE_RIGHTS_NOT_ZERO):
        m.pool.drop_reserve(m.coll, sender=m.configurator_address)


# --- eMode ---


def test_set_user_emode():
    m = Market()
    m.configurator.set_emode_category(1, 80_00, 85_00, 101_00, None, "coll")
    m.configurator.set_asset_emode_category(m.coll, 1)
    with _expect(ErrorCode.INCONSISTENT_EMODE_CATEGORY):
        m.pool.set_user_emode(2, sender=m.alice)  # no such category
    m.pool.set_user_emode(1, sender=m.alice)
    assert m.pool.get_user_emode(m.alice) == 1
    data = m.pool.get_user_account_data(m.alice)
    assert (data.ltv, data.current_liquidation_threshold) == (80_00, 85_00)
    with _expect(ErrorCode.INCONSISTENT_EMODE_CATEGORY):
        m.borrow(m.alice, m.brrw, ETHER)  # BRRW is not in category 1
    m.pool.set_user_emode(0, sender=m.alice)
    m.borrow(m.alice, m.brrw, 450 * ETHER)
    m.pool.set_user_emode(0, sender=m.alice)
    with _expect(ErrorCode.INCONSISTENT_EMODE_CATEGORY):
        m.pool.set_user_emode(1, sender=m.alice)  # borrowing outside the category


# --- all-or-nothing and snapshots ---


def test_withdraw_failing_its_health_check_changes_nothing():
    m = Market()
    m.borrow(m.alice, m.brrw, 500 * ETHER)
    m.skip(86_400)
    before = m.pool.state_hash()
    with _expect(ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD):
        m.withdraw(m.alice, m.coll, 500 * ETHER)  # accrual, rates, burn, then the check
    assert m.pool.state_hash() == before


@BOTH
def test_snapshot_restore_round_trip(suite):
    m = Market(suite)
    m.borrow(m.alice, m.brrw, 300 * ETHER)
    m.configurator.set_emode_category(1, 80_00, 85_00, 101_00, None, "coll")
    m.a_collateral_asset.approve(m.bob, 5, sender=m.alice)
    m.debt_token_of(m.brrw).approve_delegation(m.bob, 7, sender=m.alice)
    m.borrow_asset.approve(m.pool.address, MAX, sender=m.alice)
    m.skip(86_400)
    data = json.loads(json.dumps(m.pool.snapshot()))
    twin = Pool.restore(data, oracle=m.oracle)
    assert twin.state_hash() == m.pool.state_hash()
    assert twin.rounding_mode is m.pool.rounding_mode
    for pool in (m.pool, twin):
        pool.clock.skip(3_600)
        pool.repay(m.brrw, 10 * ETHER, 2, m.alice, sender=m.alice)
    assert twin.state_hash() == m.pool.state_hash()
    assert twin.get_user_account_data(m.alice) == m.pool.get_user_account_data(m.alice)


def test_listing_inside_a_failing_action_is_undone():
    """A configurator batch that fails after listing a reserve leaves no trace in the Pool."""
    m = Market()
    before = m.pool.state_hash()
    count = m.pool.get_reserves_count()
    token = m.registry.register(Erc20(make_addr("token/late"), "LATE", 18))
    atomic = m.pool.state.atomic
    mark = atomic.begin()
    m.configurator.init_reserve(token, default_strategy())
    m.pool.update_flashloan_premiums(5, 1, sender=m.configurator_address)
    m.pool.drop_reserve(token.address, sender=m.configurator_address)
    m.configurator.init_reserve(token, default_strategy())
    assert m.pool.get_reserves_count() == count + 1
    atomic.rollback(mark)
    assert m.pool.get_reserves_count() == count
    assert token.address not in m.pool.get_reserves_list()
    assert m.pool.FLASHLOAN_PREMIUM_TOTAL() == 0  # Pool.initialize (v3.0.2) leaves it at 0
    # The ERC-20 registered outside the action stays; the Pool is as it was.
    m.registry.get(token.address)
    assert m.pool.state_hash() != before  # the new ERC-20 is in the registry...
    m2 = Market()
    m2.registry.register(Erc20(make_addr("token/late"), "LATE", 18))
    assert m.pool.state_hash() == m2.pool.state_hash()  # ...and nothing else changed
