"""Port of aave-v3-core `test-suites/configurator-edge.spec.ts` (v3.0.2), then the
configurator's own edge cases: listing batches, dropping, debt ceilings and isolated debt,
pausing the pool, ABI types, and v3.0.2's reserve factor that does not accrue first.

Every rejected call is checked to leave the Pool as it was (`assert_rejected`)."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.configuration import (
    MAX_RESERVES_COUNT,
    MAX_VALID_BORROW_CAP,
    MAX_VALID_SUPPLY_CAP,
    MAX_VALID_UNBACKED_MINT_CAP,
)
from sparkprime.protocols.sparklend.events import Event
from sparkprime.protocols.sparklend.pool_configurator import InitReserveInput

from .configurator_market import (
    MAX_UINT256,
    Market,
    ReserveParams,
    aave_test_market,
    assert_rejected,
    sparklend_test_market,
    strategy,
)


@pytest.fixture
def env():
    return aave_test_market()


# --- configurator-edge.spec.ts ---


def test_liquidation_bonus_above_max_valid(env):
    m, a = env
    assert_rejected(
        m,
        ErrorCode.INVALID_LIQ_BONUS,
        m.configurator.configure_reserve_as_collateral,
        a["DAI"],
        5,
        10,
        65535 + 1,
        sender=m.pool_admin,
    )


@pytest.mark.parametrize("reserve_factor", [20000, 65536])
def test_reserve_factor_above_percentage_factor(env, reserve_factor):
    m, a = env
    assert_rejected(
        m,
        ErrorCode.INVALID_RESERVE_FACTOR,
        m.configurator.set_reserve_factor,
        a["DAI"],
        reserve_factor,
        sender=m.pool_admin,
    )


@pytest.mark.parametrize(
    ("ltv", "lt", "lb"),
    [
        (65535 + 1, 8000, 10500),  # ltv > liquidationThreshold
        (7500, 8000, 10000),  # liquidationBonus <= 10000
        (10001, 10001, 10001),  # threshold x bonus > 100%
        (0, 0, 10500),  # threshold 0 and bonus > 0
    ],
)
def test_configure_reserve_as_collateral_invalid_params(env, ltv, lt, lb):
    m, a = env
    assert_rejected(
        m,
        ErrorCode.INVALID_RESERVE_PARAMS,
        m.configurator.configure_reserve_as_collateral,
        a["DAI"],
        ltv,
        lt,
        lb,
        sender=m.pool_admin,
    )


def test_bridge_protocol_fee_above_percentage_factor(env):
    m, _ = env
    assert_rejected(
        m,
        ErrorCode.BRIDGE_PROTOCOL_FEE_INVALID,
        m.configurator.update_bridge_protocol_fee,
        10001,
        sender=m.pool_admin,
    )


def test_flashloan_premiums_above_percentage_factor(env):
    m, _ = env
    assert_rejected(
        m,
        ErrorCode.FLASHLOAN_PREMIUM_INVALID,
        m.configurator.update_flashloan_premium_total,
        10001,
        sender=m.pool_admin,
    )
    assert_rejected(
        m,
        ErrorCode.FLASHLOAN_PREMIUM_INVALID,
        m.configurator.update_flashloan_premium_to_protocol,
        10001,
        sender=m.pool_admin,
    )


@pytest.mark.parametrize(
    ("method", "value", "code"),
    [
        ("set_borrow_cap", MAX_VALID_BORROW_CAP + 1, ErrorCode.INVALID_BORROW_CAP),
        ("set_supply_cap", MAX_VALID_SUPPLY_CAP + 1, ErrorCode.INVALID_SUPPLY_CAP),
        (
            "set_unbacked_mint_cap",
            MAX_VALID_UNBACKED_MINT_CAP + 1,
            ErrorCode.INVALID_UNBACKED_MINT_CAP,
        ),
    ],
)
def test_caps_above_max(env, method, value, code):
    m, a = env
    assert_rejected(m, code, getattr(m.configurator, method), a["WETH"], value, sender=m.pool_admin)


def test_borrow_cap_of_an_unlisted_asset(env):
    m, _ = env
    assert_rejected(
        m,
        ErrorCode.ASSET_NOT_LISTED,
        m.configurator.set_borrow_cap,
        m.users[5],
        10,
        sender=m.pool_admin,
    )


def test_emode_category_without_a_price_source(env):
    m, _ = env
    m.configurator.set_emode_category(7, 9000, 9100, 10100, ZERO_ADDRESS, "Z", sender=m.risk_admin)
    assert m.pool.get_emode_category_data(7).price_source is None  # each asset's own price
    assert m.configurator.events.last()[0] == Event(
        "EModeCategoryAdded", (7, 9000, 9100, 10100, ZERO_ADDRESS, "Z")
    )


def test_emode_category_id_zero_is_reserved(env):
    m, _ = env
    assert_rejected(
        m,
        ErrorCode.EMODE_CATEGORY_RESERVED,
        m.configurator.set_emode_category,
        0,
        9800,
        9800,
        10100,
        ZERO_ADDRESS,
        "INVALID_ID_CATEGORY",
        sender=m.pool_admin,
    )


@pytest.mark.parametrize(
    ("ltv", "lt", "lb"),
    [
        (9900, 9800, 10100),  # ltv > liquidation threshold
        (9800, 9800, 10000),  # no liquidation bonus
        (9800, 9800, 11000),  # too large liquidation bonus
        (9800, 10100, 10100),  # liquidation threshold > 1
    ],
)
def test_emode_category_invalid_params(env, ltv, lt, lb):
    m, _ = env
    assert_rejected(
        m,
        ErrorCode.INVALID_EMODE_CATEGORY_PARAMS,
        m.configurator.set_emode_category,
        16,
        ltv,
        lt,
        lb,
        ZERO_ADDRESS,
        "STABLECOINS",
        sender=m.pool_admin,
    )


def test_dai_emode_category_undefined(env):
    m, a = env
    assert_rejected(
        m,
        ErrorCode.INVALID_EMODE_CATEGORY_ASSIGNMENT,
        m.configurator.set_asset_emode_category,
        a["DAI"],
        100,
        sender=m.pool_admin,
    )


def test_dai_emode_category_with_too_low_threshold(env):
    m, a = env
    dai = m.config(a["DAI"])
    m.configurator.set_emode_category(
        100,
        dai.get_ltv(),
        dai.get_liquidation_threshold() - 1,
        10100,
        ZERO_ADDRESS,
        "LT_TOO_LOW_FOR_DAI",
        sender=m.pool_admin,
    )
    assert_rejected(
        m,
        ErrorCode.INVALID_EMODE_CATEGORY_ASSIGNMENT,
        m.configurator.set_asset_emode_category,
        a["DAI"],
        100,
        sender=m.pool_admin,
    )


def test_disable_the_dai_reserve_with_liquidity_on_it(env):
    m, a = env
    m.supply(m.users[0], a["DAI"], 1000 * 10**18)
    assert_rejected(
        m,
        ErrorCode.RESERVE_LIQUIDITY_NOT_ZERO,
        m.configurator.set_reserve_active,
        a["DAI"],
        False,
        sender=m.pool_admin,
    )


def test_withdraw_from_an_inactive_reserve(env):
    m, a = env
    dai, user = a["DAI"], m.users[0]
    m.supply(user, dai, 1000 * 10**18)
    # Impersonate the configurator: switch `active` off without the no-suppliers check.
    m.pool.set_configuration(dai, m.config(dai).set_active(False), sender=m.configurator.address)
    assert m.config(dai).get_active() is False
    with pytest.raises(ProtocolError, match="RESERVE_INACTIVE"):
        m.withdraw(user, dai, 1000 * 10**18)


# --- listing and dropping ---


def _input(m: Market, token: Address, decimals: int = 18) -> InitReserveInput:
    return InitReserveInput(
        underlying_asset=token,
        underlying_asset_decimals=decimals,
        interest_rate_strategy=strategy(),
        treasury=m.treasury,
    )


def test_init_reserves_batch_is_all_or_nothing(env):
    m, a = env
    fresh = m.new_token("FRESH").address
    count = m.pool.get_reserves_count()
    # the second input is already listed: nothing of the batch is listed
    assert_rejected(
        m,
        ErrorCode.RESERVE_ALREADY_INITIALIZED,
        m.configurator.init_reserves,
        [_input(m, fresh), _input(m, a["DAI"])],
        sender=m.pool_admin,
    )
    # the same asset twice in one batch
    assert_rejected(
        m,
        ErrorCode.RESERVE_ALREADY_INITIALIZED,
        m.configurator.init_reserves,
        [_input(m, fresh), _input(m, fresh)],
        sender=m.pool_admin,
    )
    # not a contract (no token at that address)
    assert_rejected(
        m,
        ErrorCode.NOT_CONTRACT,
        m.configurator.init_reserves,
        [_input(m, fresh), _input(m, m.nobody)],
        sender=m.pool_admin,
    )
    # decimals are a uint8 in the ABI
    assert_rejected(
        m,
        ErrorCode.VALUE_OUT_OF_RANGE,
        m.configurator.init_reserves,
        [_input(m, fresh, 256)],
        sender=m.pool_admin,
    )
    assert fresh not in m.pool.get_reserves_list()
    assert m.pool.get_reserves_count() == count
    m.configurator.init_reserves([_input(m, fresh, 8)], sender=m.asset_listing_admin)
    assert m.config(fresh).get_decimals() == 8
    assert m.pool.get_reserves_count() == count + 1


def test_no_more_reserves_than_max_and_dropped_ids_are_reused():
    m, coll, brrw = sparklend_test_market()
    tokens = [m.new_token(f"T{i}").address for i in range(MAX_RESERVES_COUNT - 1)]
    # 2 listed + 127 = 129 > 128: the whole batch is refused at the last input
    assert_rejected(
        m,
        ErrorCode.NO_MORE_RESERVES_ALLOWED,
        m.configurator.init_reserves,
        [_input(m, t) for t in tokens],
        sender=m.pool_admin,
    )
    m.configurator.init_reserves([_input(m, t) for t in tokens[:-1]], sender=m.pool_admin)
    assert m.pool.get_reserves_count() == MAX_RESERVES_COUNT
    assert_rejected(
        m,
        ErrorCode.NO_MORE_RESERVES_ALLOWED,
        m.configurator.init_reserves,
        [_input(m, tokens[-1])],
        sender=m.pool_admin,
    )
    coll_id = m.pool.get_reserve_data(coll).id
    m.configurator.drop_reserve(coll, sender=m.pool_admin)
    assert m.configurator.events.last()[0] == Event("ReserveDropped", (coll,))
    m.configurator.init_reserves([_input(m, tokens[-1])], sender=m.pool_admin)
    assert m.pool.get_reserve_data(tokens[-1]).id == coll_id
    assert m.pool.get_reserves_count() == MAX_RESERVES_COUNT
    assert brrw in m.pool.get_reserves_list()


def test_drop_reserve_with_suppliers_or_borrowers():
    m, coll, brrw = sparklend_test_market()
    m.configurator.configure_reserve_as_collateral(coll, 5000, 6000, 10500, sender=m.pool_admin)
    m.configurator.set_reserve_borrowing(brrw, True, sender=m.pool_admin)
    user, lender = m.users[0], m.users[1]
    m.supply(lender, brrw, 100 * 10**18)
    m.supply(user, coll, 100 * 10**18)
    m.borrow(user, brrw, 10 * 10**18)
    assert_rejected(
        m,
        ErrorCode.UNDERLYING_CLAIMABLE_RIGHTS_NOT_ZERO,
        m.configurator.drop_reserve,
        coll,
        sender=m.pool_admin,
    )
    assert_rejected(
        m,
        ErrorCode.VARIABLE_DEBT_SUPPLY_NOT_ZERO,
        m.configurator.drop_reserve,
        brrw,
        sender=m.pool_admin,
    )


# --- no suppliers, no borrowers ---


def test_removing_collateral_status_needs_no_suppliers_and_no_treasury_share():
    m, coll, brrw = sparklend_test_market()
    c = m.configurator
    c.configure_reserve_as_collateral(coll, 5000, 6000, 10500, sender=m.pool_admin)
    c.configure_reserve_as_collateral(brrw, 5000, 6000, 10500, sender=m.pool_admin)
    c.set_reserve_borrowing(brrw, True, sender=m.pool_admin)
    c.set_reserve_factor(brrw, 1000, sender=m.pool_admin)
    user, lender = m.users[0], m.users[1]
    m.supply(lender, brrw, 100 * 10**18)
    m.supply(user, coll, 100 * 10**18)
    m.borrow(user, brrw, 40 * 10**18)
    m.clock.skip(365 * 86400)
    m.token(brrw).mint(user, 10 * 10**18)  # the interest
    m.repay(user, brrw, MAX_UINT256)  # accrues: the treasury is owed its share
    m.withdraw(lender, brrw, MAX_UINT256)
    assert m.pool.a_token(brrw).total_supply() == 0
    assert m.pool.get_reserve_data(brrw).accrued_to_treasury > 0
    for call in (
        lambda: c.configure_reserve_as_collateral(brrw, 0, 0, 0, sender=m.pool_admin),
        lambda: c.set_reserve_active(brrw, False, sender=m.pool_admin),
    ):
        assert_rejected(m, ErrorCode.RESERVE_LIQUIDITY_NOT_ZERO, call)
    m.pool.mint_to_treasury([brrw])
    m.withdraw(m.treasury, brrw, MAX_UINT256)
    c.configure_reserve_as_collateral(brrw, 0, 0, 0, sender=m.pool_admin)
    c.set_reserve_active(brrw, False, sender=m.pool_admin)
    assert m.config(brrw).get_params()[:3] == (0, 0, 0)
    assert m.config(brrw).get_active() is False


def test_a_zero_debt_ceiling_resets_the_isolated_debt():
    m, coll, brrw = sparklend_test_market()
    c = m.configurator
    c.configure_reserve_as_collateral(coll, 5000, 6000, 10500, sender=m.pool_admin)
    c.set_debt_ceiling(coll, 1000_00, sender=m.risk_admin)
    c.set_reserve_borrowing(brrw, True, sender=m.pool_admin)
    c.set_borrowable_in_isolation(brrw, True, sender=m.risk_admin)
    assert c.events.last()[0] == Event("BorrowableInIsolationChanged", (brrw, True))
    user, lender = m.users[0], m.users[1]
    m.supply(lender, brrw, 1000 * 10**18)
    m.supply(user, coll, 1000 * 10**18)
    m.pool.set_user_use_reserve_as_collateral(coll, True, sender=user)
    m.borrow(user, brrw, 100 * 10**18)
    assert m.pool.get_reserve_data(coll).isolation_mode_total_debt == 100_00
    # from one ceiling to another: no supplier check, the isolated debt stays
    c.set_debt_ceiling(coll, 2000_00, sender=m.risk_admin)
    assert m.pool.get_reserve_data(coll).isolation_mode_total_debt == 100_00
    c.set_debt_ceiling(coll, 0, sender=m.risk_admin)
    assert c.events.last()[0] == Event("DebtCeilingChanged", (coll, 2000_00, 0))
    assert m.pool.get_reserve_data(coll).isolation_mode_total_debt == 0
    # back from 0 to a ceiling needs no suppliers
    assert_rejected(
        m,
        ErrorCode.RESERVE_LIQUIDITY_NOT_ZERO,
        c.set_debt_ceiling,
        coll,
        1000_00,
        sender=m.risk_admin,
    )


def test_siloed_borrowing_can_be_switched_off_with_borrowers():
    m, coll, brrw = sparklend_test_market()
    c = m.configurator
    c.configure_reserve_as_collateral(coll, 5000, 6000, 10500, sender=m.pool_admin)
    c.set_reserve_borrowing(brrw, True, sender=m.pool_admin)
    c.set_siloed_borrowing(brrw, True, sender=m.risk_admin)
    m.supply(m.users[1], brrw, 100 * 10**18)
    m.supply(m.users[0], coll, 100 * 10**18)
    m.borrow(m.users[0], brrw, 10 * 10**18)
    c.set_siloed_borrowing(brrw, False, sender=m.risk_admin)  # no check when switching off
    assert m.config(brrw).get_siloed_borrowing() is False
    assert_rejected(
        m, ErrorCode.RESERVE_DEBT_NOT_ZERO, c.set_siloed_borrowing, brrw, True, sender=m.risk_admin
    )


# --- pauses, addresses, types ---


def test_set_pool_pause_pauses_and_unpauses_every_reserve(env):
    m, a = env
    m.configurator.set_pool_pause(True, sender=m.emergency_admin)
    assert all(m.config(asset).get_paused() for asset in a.values())
    assert [e.name for e in m.configurator.events] == ["ReservePaused"] * len(a)
    m.configurator.set_pool_pause(False, sender=m.emergency_admin)
    assert not any(m.config(asset).get_paused() for asset in a.values())


def test_zero_and_unlisted_assets(env):
    m, _ = env
    c = m.configurator
    assert_rejected(
        m,
        ErrorCode.ZERO_ADDRESS_NOT_VALID,
        c.set_reserve_freeze,
        ZERO_ADDRESS,
        True,
        sender=m.pool_admin,
    )
    assert_rejected(
        m,
        ErrorCode.ZERO_ADDRESS_NOT_VALID,
        c.set_reserve_interest_rate_strategy_address,
        ZERO_ADDRESS,
        strategy(),
        sender=m.pool_admin,
    )
    assert_rejected(
        m,
        ErrorCode.ASSET_NOT_LISTED,
        c.set_reserve_interest_rate_strategy_address,
        m.nobody,
        strategy(),
        sender=m.pool_admin,
    )
    assert_rejected(
        m,
        ErrorCode.ASSET_NOT_LISTED,
        c.configure_reserve_as_collateral,
        m.nobody,
        0,
        0,
        0,
        sender=m.pool_admin,
    )


def test_abi_types_are_checked_before_the_role(env):
    m, a = env
    c = m.configurator
    # a non-admin sending a malformed call gets the decoding error, as the EVM decodes first
    assert_rejected(m, ErrorCode.INVALID_TYPE, c.set_reserve_freeze, a["DAI"], 1, sender=m.nobody)
    assert_rejected(
        m,
        ErrorCode.VALUE_OUT_OF_RANGE,
        c.set_emode_category,
        256,
        9000,
        9100,
        10100,
        None,
        "X",
        sender=m.nobody,
    )
    assert_rejected(
        m,
        ErrorCode.VALUE_OUT_OF_RANGE,
        c.set_emode_category,
        1,
        65536,
        9100,
        10100,
        None,
        "X",
        sender=m.pool_admin,
    )
    assert_rejected(
        m,
        ErrorCode.VALUE_OUT_OF_RANGE,
        c.update_flashloan_premium_total,
        2**128,
        sender=m.pool_admin,
    )
    assert_rejected(m, ErrorCode.INVALID_TYPE, c.set_supply_cap, a["DAI"], 1.5, sender=m.pool_admin)
    assert_rejected(
        m,
        ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN,
        c.set_reserve_freeze,
        a["DAI"],
        True,
        sender=m.nobody,
    )


def test_reserve_factor_does_not_accrue_the_reserve_first():
    """v3.0.2: `setReserveFactor` only rewrites the bitmap (Aave v3.1 added the accrual):
    the new factor applies to the interest accrued since the last update."""
    m, coll, brrw = sparklend_test_market()
    c = m.configurator
    c.configure_reserve_as_collateral(coll, 5000, 6000, 10500, sender=m.pool_admin)
    c.set_reserve_borrowing(brrw, True, sender=m.pool_admin)
    m.supply(m.users[1], brrw, 100 * 10**18)
    m.supply(m.users[0], coll, 100 * 10**18)
    m.borrow(m.users[0], brrw, 40 * 10**18)
    before = m.pool.get_reserve_data(brrw)
    m.clock.skip(30 * 86400)
    c.set_reserve_factor(brrw, 5000, sender=m.risk_admin)
    after = m.pool.get_reserve_data(brrw)
    assert after.last_update_timestamp == before.last_update_timestamp
    assert after.accrued_to_treasury == 0
    assert after.liquidity_index == before.liquidity_index
    m.supply(m.users[2], brrw, 10**18)  # the next action accrues at the new factor
    assert m.pool.get_reserve_data(brrw).accrued_to_treasury > 0


def test_collateral_and_params_through_the_market_helper():
    m, coll, _ = sparklend_test_market()
    asset = m.list_reserve(
        "X",
        params=ReserveParams(ltv=7000, liquidation_threshold=7500, liquidation_bonus=10500),
    )
    assert m.config(asset).get_params()[:3] == (7000, 7500, 10500)
    assert m.config(coll).get_params()[:3] == (0, 0, 0)
