"""Port of aave-v3-core `test-suites/configurator.spec.ts` (v3.0.2) against the real Pool.

The hardhat suite runs its `it`s in sequence on one deployment (with `evmSnapshot` /
`evmRevert` around some); here each test starts from a fresh test market and first replays
the state its upstream predecessors left (stated in the test), then makes the same calls and
checks the same values and events. Every expected revert also checks that nothing changed.
"""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.core.fixed import RAY
from sparkprime.protocols.sparklend.acl import FLASH_BORROWER, RISK_ADMIN
from sparkprime.protocols.sparklend.configuration import DEBT_CEILING_DECIMALS
from sparkprime.protocols.sparklend.events import Event
from sparkprime.protocols.sparklend.pool_configurator import InitReserveInput

from .configurator_market import MAX_UINT256, Market, aave_test_market, assert_rejected, strategy

# strategyWETH of the test market, as `baseConfigValues` reads it.
BASE = {
    "decimals": 18,
    "ltv": 8000,
    "liquidation_threshold": 8250,
    "liquidation_bonus": 10500,
    "reserve_factor": 1000,
    "usage_as_collateral_enabled": True,
    "borrowing_enabled": True,
    "stable_borrow_rate_enabled": True,
    "is_active": True,
    "is_frozen": False,
    "is_paused": False,
    "emode_category": 0,
    "borrow_cap": 0,
    "supply_cap": 0,
}


def expect_reserve_configuration(m: Market, asset, **overrides) -> None:
    """`expectReserveConfigurationData`: the data provider's view of the bitmap."""
    c = m.config(asset)
    ltv, lt, lb, decimals, rf, emode = c.get_params()
    active, frozen, borrowing, stable, paused = c.get_flags()
    borrow_cap, supply_cap = c.get_caps()
    actual = {
        "decimals": decimals,
        "ltv": ltv,
        "liquidation_threshold": lt,
        "liquidation_bonus": lb,
        "reserve_factor": rf,
        "usage_as_collateral_enabled": lt != 0,
        "borrowing_enabled": borrowing,
        "stable_borrow_rate_enabled": stable,
        "is_active": active,
        "is_frozen": frozen,
        "is_paused": paused,
        "emode_category": emode,
        "borrow_cap": borrow_cap,
        "supply_cap": supply_cap,
    }
    assert actual == {**BASE, **overrides}


def last_event(m: Market) -> Event:
    return m.configurator.events.last()[0]


@pytest.fixture
def env():
    m, assets = aave_test_market()
    return m, assets["WETH"], assets


def test_init_reserves_via_asset_listing_admin(env):
    m, _, _ = env
    mock = m.new_token("MOCK", 18)
    m.configurator.init_reserves(
        [
            InitReserveInput(
                underlying_asset=mock.address,
                underlying_asset_decimals=18,
                interest_rate_strategy=strategy(0, 0, 0, 0),
                treasury=m.treasury,
                symbol="MOCK",
            )
        ],
        sender=m.asset_listing_admin,
    )
    config = m.config(mock.address)
    assert config.get_decimals() == 18
    assert config.get_flags() == (True, False, False, False, False)
    assert not config.get_flash_loan_enabled()
    assert mock.address in m.pool.get_reserves_list()
    data = m.pool.get_reserve_data(mock.address)
    assert (data.liquidity_index, data.variable_borrow_index) == (RAY, RAY)
    event = last_event(m)
    assert event.name == "ReserveInitialized"
    assert event.args[:2] == (mock.address, data.a_token_address)


def test_deactivates_and_reactivates_the_eth_reserve(env):
    m, weth, _ = env
    m.configurator.set_reserve_active(weth, False, sender=m.pool_admin)
    assert m.config(weth).get_active() is False
    m.configurator.set_reserve_active(weth, True, sender=m.pool_admin)
    assert m.config(weth).get_active() is True


@pytest.mark.parametrize("who", ["pool_admin", "emergency_admin"])
def test_pauses_and_unpauses_the_eth_reserve(env, who):
    m, weth, _ = env
    sender = getattr(m, who)
    m.configurator.set_reserve_pause(weth, True, sender=sender)
    assert last_event(m) == Event("ReservePaused", (weth, True))
    expect_reserve_configuration(m, weth, is_paused=True)
    m.configurator.set_reserve_pause(weth, False, sender=sender)
    assert last_event(m) == Event("ReservePaused", (weth, False))
    expect_reserve_configuration(m, weth)


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_freezes_and_unfreezes_the_eth_reserve(env, who):
    m, weth, _ = env
    sender = getattr(m, who)
    m.configurator.set_reserve_freeze(weth, True, sender=sender)
    assert last_event(m) == Event("ReserveFrozen", (weth, True))
    expect_reserve_configuration(m, weth, is_frozen=True)
    m.configurator.set_reserve_freeze(weth, False, sender=sender)
    assert last_event(m) == Event("ReserveFrozen", (weth, False))
    expect_reserve_configuration(m, weth)


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_deactivates_borrowing_while_stable_borrowing_is_active_reverts(env, who):
    m, weth, _ = env
    assert_rejected(
        m,
        ErrorCode.STABLE_BORROWING_ENABLED,
        m.configurator.set_reserve_borrowing,
        weth,
        False,
        sender=getattr(m, who),
    )
    expect_reserve_configuration(m, weth)


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_disables_stable_borrow_rate(env, who):
    m, weth, _ = env
    m.configurator.set_reserve_stable_rate_borrowing(weth, False, sender=getattr(m, who))
    assert last_event(m) == Event("ReserveStableRateBorrowing", (weth, False))
    expect_reserve_configuration(m, weth, stable_borrow_rate_enabled=False)


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_deactivates_borrowing(env, who):
    m, weth, _ = env
    m.configurator.set_reserve_stable_rate_borrowing(weth, False, sender=m.risk_admin)
    m.configurator.set_reserve_borrowing(weth, False, sender=getattr(m, who))
    assert last_event(m) == Event("ReserveBorrowing", (weth, False))
    expect_reserve_configuration(m, weth, borrowing_enabled=False, stable_borrow_rate_enabled=False)


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_enables_stable_borrow_rate_while_borrowing_is_disabled_reverts(env, who):
    m, weth, _ = env
    m.configurator.set_reserve_stable_rate_borrowing(weth, False, sender=m.risk_admin)
    m.configurator.set_reserve_borrowing(weth, False, sender=m.risk_admin)
    assert_rejected(
        m,
        ErrorCode.BORROWING_NOT_ENABLED,
        m.configurator.set_reserve_stable_rate_borrowing,
        weth,
        True,
        sender=getattr(m, who),
    )
    expect_reserve_configuration(m, weth, borrowing_enabled=False, stable_borrow_rate_enabled=False)


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_activates_borrowing(env, who):
    m, weth, _ = env
    m.configurator.set_reserve_stable_rate_borrowing(weth, False, sender=m.risk_admin)
    m.configurator.set_reserve_borrowing(weth, False, sender=m.risk_admin)
    m.configurator.set_reserve_borrowing(weth, True, sender=getattr(m, who))
    assert last_event(m) == Event("ReserveBorrowing", (weth, True))
    expect_reserve_configuration(m, weth, stable_borrow_rate_enabled=False)
    assert m.pool.get_reserve_data(weth).variable_borrow_index == RAY


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_enables_stable_borrow_rate(env, who):
    m, weth, _ = env
    m.configurator.set_reserve_stable_rate_borrowing(weth, False, sender=m.risk_admin)
    m.configurator.set_reserve_stable_rate_borrowing(weth, True, sender=getattr(m, who))
    assert last_event(m) == Event("ReserveStableRateBorrowing", (weth, True))
    expect_reserve_configuration(m, weth)


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_deactivates_and_activates_the_eth_reserve_as_collateral(env, who):
    m, weth, _ = env
    sender = getattr(m, who)
    m.configurator.configure_reserve_as_collateral(weth, 0, 0, 0, sender=sender)
    assert last_event(m) == Event("CollateralConfigurationChanged", (weth, 0, 0, 0))
    expect_reserve_configuration(
        m,
        weth,
        ltv=0,
        liquidation_threshold=0,
        liquidation_bonus=0,
        usage_as_collateral_enabled=False,
    )
    m.configurator.configure_reserve_as_collateral(weth, 8000, 8250, 10500, sender=sender)
    assert last_event(m) == Event("CollateralConfigurationChanged", (weth, 8000, 8250, 10500))
    expect_reserve_configuration(m, weth)


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
@pytest.mark.parametrize("new_reserve_factor", [1000, 10000])
def test_changes_the_reserve_factor_of_weth(env, who, new_reserve_factor):
    m, weth, _ = env
    old = m.config(weth).get_reserve_factor()
    m.configurator.set_reserve_factor(weth, new_reserve_factor, sender=getattr(m, who))
    assert last_event(m) == Event("ReserveFactorChanged", (weth, old, new_reserve_factor))
    expect_reserve_configuration(m, weth, reserve_factor=new_reserve_factor)


def test_updates_the_unbacked_mint_cap_of_weth(env):
    m, weth, _ = env
    for new_cap in (10000, 20000):
        old = m.config(weth).get_unbacked_mint_cap()
        m.configurator.set_unbacked_mint_cap(weth, new_cap, sender=m.pool_admin)
        assert last_event(m) == Event("UnbackedMintCapChanged", (weth, old, new_cap))
        assert m.config(weth).get_unbacked_mint_cap() == new_cap


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_updates_the_borrow_and_supply_caps_of_weth(env, who):
    m, weth, _ = env
    sender = getattr(m, who)
    m.configurator.set_borrow_cap(weth, 3_000_000, sender=sender)
    assert last_event(m) == Event("BorrowCapChanged", (weth, 0, 3_000_000))
    expect_reserve_configuration(m, weth, borrow_cap=3_000_000)
    m.configurator.set_supply_cap(weth, 3_000_000, sender=sender)
    assert last_event(m) == Event("SupplyCapChanged", (weth, 0, 3_000_000))
    expect_reserve_configuration(m, weth, borrow_cap=3_000_000, supply_cap=3_000_000)


@pytest.mark.parametrize("who", ["pool_admin", "risk_admin"])
def test_updates_the_interest_rate_strategy_of_weth(env, who):
    m, weth, _ = env
    sender = getattr(m, who)
    before = m.pool.get_reserve_data(weth).interest_rate_strategy
    other = strategy(0, 0, 0, 0)
    m.configurator.set_reserve_interest_rate_strategy_address(weth, other, sender=sender)
    assert last_event(m) == Event("ReserveInterestRateStrategyChanged", (weth, before, other))
    assert m.pool.get_reserve_data(weth).interest_rate_strategy is other
    # reset the interest rate strategy to the correct one
    m.configurator.set_reserve_interest_rate_strategy_address(weth, before, sender=sender)
    assert m.pool.get_reserve_data(weth).interest_rate_strategy is before


def test_registers_and_unregisters_a_risk_admin(env):
    m, _, _ = env
    new_risk_admin = m.users[3]
    m.acl.add_risk_admin(new_risk_admin, sender=m.deployer)
    assert m.acl.is_risk_admin(m.risk_admin)
    assert m.acl.is_risk_admin(new_risk_admin)
    m.acl.revoke_role(RISK_ADMIN, new_risk_admin, sender=m.deployer)
    assert m.acl.is_risk_admin(m.risk_admin)
    assert not m.acl.is_risk_admin(new_risk_admin)


def test_authorizes_and_unauthorizes_a_flash_borrower(env):
    m, _, _ = env
    borrower = m.users[4]
    m.acl.add_flash_borrower(borrower, sender=m.deployer)
    assert m.acl.is_flash_borrower(borrower)
    m.acl.revoke_role(FLASH_BORROWER, borrower, sender=m.deployer)
    assert not m.acl.is_flash_borrower(borrower)


def test_updates_bridge_protocol_fee_equal_to_percentage_factor_then_lower(env):
    """configurator.spec.ts: 'Updates bridge protocol fee equal to PERCENTAGE_FACTOR', then
    'Updates bridge protocol fee' (2000, from the previous value)."""
    m, _, _ = env
    assert m.pool.BRIDGE_PROTOCOL_FEE() == 0
    m.configurator.update_bridge_protocol_fee(10000, sender=m.pool_admin)
    assert last_event(m) == Event("BridgeProtocolFeeUpdated", (0, 10000))
    assert m.pool.BRIDGE_PROTOCOL_FEE() == 10000
    old = m.pool.BRIDGE_PROTOCOL_FEE()
    m.configurator.update_bridge_protocol_fee(2000, sender=m.pool_admin)
    assert last_event(m) == Event("BridgeProtocolFeeUpdated", (old, 2000))
    assert m.pool.BRIDGE_PROTOCOL_FEE() == 2000


@pytest.mark.parametrize("new_fee", [10000, 2000])
def test_updates_bridge_protocol_fee(env, new_fee):
    m, _, _ = env
    m.configurator.update_bridge_protocol_fee(new_fee, sender=m.pool_admin)
    assert last_event(m) == Event("BridgeProtocolFeeUpdated", (0, new_fee))
    assert m.pool.BRIDGE_PROTOCOL_FEE() == new_fee


def test_bridge_protocol_fee_only_from_the_configurator(env):
    m, _, _ = env
    assert_rejected(
        m,
        ErrorCode.CALLER_NOT_POOL_CONFIGURATOR,
        m.pool.update_bridge_protocol_fee,
        2000,
        sender=m.pool_admin,
    )


@pytest.mark.parametrize(("total", "to_protocol"), [(10000, 10000), (40, 10)])
def test_updates_flash_loan_premiums(env, total, to_protocol):
    m, _, _ = env
    old_total, old_to_protocol = (
        m.pool.FLASHLOAN_PREMIUM_TOTAL(),
        m.pool.FLASHLOAN_PREMIUM_TO_PROTOCOL(),
    )
    m.configurator.update_flashloan_premium_total(total, sender=m.pool_admin)
    assert last_event(m) == Event("FlashloanPremiumTotalUpdated", (old_total, total))
    m.configurator.update_flashloan_premium_to_protocol(to_protocol, sender=m.pool_admin)
    assert last_event(m) == Event(
        "FlashloanPremiumToProtocolUpdated", (old_to_protocol, to_protocol)
    )
    assert m.pool.FLASHLOAN_PREMIUM_TOTAL() == total
    assert m.pool.FLASHLOAN_PREMIUM_TO_PROTOCOL() == to_protocol


def test_adds_an_emode_category_for_stablecoins_and_assigns_dai(env):
    m, _, assets = env
    one = "0x" + "00" * 19 + "01"
    m.configurator.set_emode_category(1, 9800, 9800, 10100, one, "STABLECOINS", sender=m.pool_admin)
    assert last_event(m) == Event("EModeCategoryAdded", (1, 9800, 9800, 10100, one, "STABLECOINS"))
    category = m.pool.get_emode_category_data(1)
    assert (category.ltv, category.liquidation_threshold, category.liquidation_bonus) == (
        9800,
        9800,
        10100,
    )
    assert category.price_source == one
    assert category.label == "STABLECOINS"
    # Set a eMode category to an asset
    dai = assets["DAI"]
    old = m.config(dai).get_emode_category()
    m.configurator.set_asset_emode_category(dai, 1, sender=m.pool_admin)
    assert last_event(m) == Event("EModeAssetCategoryChanged", (dai, old, 1))
    assert m.config(dai).get_emode_category() == 1
    assert m.pool.get_emode_category_data(1) == category


def test_sets_siloed_borrowing_through_the_pool_and_risk_admins(env):
    m, weth, _ = env
    m.configurator.set_siloed_borrowing(weth, True, sender=m.pool_admin)
    assert last_event(m) == Event("SiloedBorrowingChanged", (weth, False, True))
    assert m.config(weth).get_siloed_borrowing() is True
    m.configurator.set_siloed_borrowing(weth, False, sender=m.risk_admin)
    assert last_event(m) == Event("SiloedBorrowingChanged", (weth, True, False))
    assert m.config(weth).get_siloed_borrowing() is False


def test_setting_siloed_borrowing_after_the_asset_is_borrowed_reverts(env):
    m, weth, assets = env
    user1, user2 = m.users[0], m.users[1]
    m.configurator.set_siloed_borrowing(weth, False, sender=m.risk_admin)
    m.supply(user1, weth, 10**18)  # user 1 supplies WETH
    m.supply(user2, assets["DAI"], 1000 * 10**18)  # user 2 supplies DAI, borrows WETH
    m.borrow(user2, weth, 100)
    assert_rejected(
        m,
        ErrorCode.RESERVE_DEBT_NOT_ZERO,
        m.configurator.set_siloed_borrowing,
        weth,
        True,
        sender=m.pool_admin,
    )


def test_sets_a_debt_ceiling_through_the_pool_and_risk_admins(env):
    m, weth, _ = env
    m.configurator.set_debt_ceiling(weth, 1, sender=m.pool_admin)
    assert last_event(m) == Event("DebtCeilingChanged", (weth, 0, 1))
    assert m.config(weth).get_debt_ceiling() == 1
    m.configurator.set_debt_ceiling(weth, 10, sender=m.risk_admin)
    assert last_event(m) == Event("DebtCeilingChanged", (weth, 1, 10))
    assert m.config(weth).get_debt_ceiling() == 10


def test_sets_a_debt_ceiling_larger_than_max_reverts(env):
    m, weth, _ = env
    m.configurator.set_debt_ceiling(weth, 10, sender=m.risk_admin)
    assert_rejected(
        m,
        ErrorCode.INVALID_DEBT_CEILING,
        m.configurator.set_debt_ceiling,
        weth,
        1099511627775 + 1,
        sender=m.risk_admin,
    )
    assert m.config(weth).get_debt_ceiling() == 10


def test_debt_ceiling_needs_no_suppliers_only_when_going_from_zero(env):
    m, weth, _ = env
    user1 = m.users[0]
    m.configurator.set_debt_ceiling(weth, 10, sender=m.risk_admin)
    # Resets the WETH debt ceiling. Tries to set it after liquidity has been provided.
    m.configurator.set_debt_ceiling(weth, 0, sender=m.risk_admin)
    m.supply(user1, weth, 100)
    assert_rejected(
        m,
        ErrorCode.RESERVE_LIQUIDITY_NOT_ZERO,
        m.configurator.set_debt_ceiling,
        weth,
        100,
        sender=m.pool_admin,
    )
    # Withdraws the supplied liquidity, sets the WETH debt ceiling.
    m.withdraw(user1, weth, MAX_UINT256)
    m.configurator.set_debt_ceiling(weth, 100, sender=m.risk_admin)
    assert m.config(weth).get_debt_ceiling() == 100
    # Re-adds liquidity, increases the WETH debt ceiling (no check from a non-zero ceiling).
    m.pool.supply(weth, 100, user1, 0, sender=user1)
    m.configurator.set_debt_ceiling(weth, 200, sender=m.risk_admin)
    assert m.config(weth).get_debt_ceiling() == 200


def test_reads_the_debt_ceiling_decimals():
    assert DEBT_CEILING_DECIMALS == 2
