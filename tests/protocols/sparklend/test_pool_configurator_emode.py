"""Port of the configurator parts of aave-v3-core `test-suites/emode.spec.ts` (v3.0.2),
against the real Pool: categories and asset assignment, the checks against the assets
already in a category, and the effect of a category change on users in it.

Upstream runs one sequence; each test here replays the state it needs (`_categories`,
`_user1_in_stablecoins`)."""

from __future__ import annotations

from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.core.fixed import wad_mul
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.events import Event

from .configurator_market import Market, aave_test_market, assert_rejected

STABLECOINS = {"id": 1, "ltv": 9800, "lt": 9800, "lb": 10100, "label": "STABLECOINS"}
ETHEREUM = {"id": 2, "ltv": 9800, "lt": 9800, "lb": 10100, "label": "ETHEREUM"}


def _add_category(
    m: Market, category: dict[str, Any], oracle: Address | None = ZERO_ADDRESS
) -> None:
    c = category
    m.configurator.set_emode_category(
        c["id"], c["ltv"], c["lt"], c["lb"], oracle, c["label"], sender=m.pool_admin
    )


def _categories(m: Market, a: dict[str, Address]) -> None:
    """Admin adds a category for stablecoins with DAI and USDC, and one for ethereum with
    WETH."""
    _add_category(m, STABLECOINS)
    m.configurator.set_asset_emode_category(a["DAI"], 1, sender=m.pool_admin)
    m.configurator.set_asset_emode_category(a["USDC"], 1, sender=m.pool_admin)
    _add_category(m, ETHEREUM)
    m.configurator.set_asset_emode_category(a["WETH"], 2, sender=m.pool_admin)


def _user1_in_stablecoins(m: Market, a: dict[str, Address]) -> Address:
    """User 1 supplies 100 USDC and 1 WETH, enters the ethereum category, then the
    stablecoins one (upstream's steps up to 'User 1 activates eMode for stablecoins')."""
    user1 = m.users[1]
    m.supply(user1, a["USDC"], 100 * 10**6)
    m.supply(user1, a["WETH"], 10**18)
    m.pool.set_user_emode(2, sender=user1)
    m.pool.set_user_emode(1, sender=user1)
    return user1


def _update(m: Market, category_id: int, **changes: Any) -> tuple[Any, ...]:
    data = m.pool.get_emode_category_data(category_id)
    params = {
        "ltv": data.ltv,
        "lt": data.liquidation_threshold,
        "lb": data.liquidation_bonus,
        "oracle": data.price_source,
        "label": data.label,
        **changes,
    }
    return (
        category_id,
        params["ltv"],
        params["lt"],
        params["lb"],
        params["oracle"],
        params["label"],
    )


@pytest.fixture
def env():
    return aave_test_market()


def test_admin_adds_the_stablecoin_and_ethereum_categories(env):
    m, a = env
    _categories(m, a)
    assert m.config(a["DAI"]).get_emode_category() == 1
    assert m.config(a["USDC"]).get_emode_category() == 1
    assert m.config(a["WETH"]).get_emode_category() == 2
    assert m.configurator.events.last()[0] == Event("EModeAssetCategoryChanged", (a["WETH"], 0, 2))


@pytest.mark.parametrize("change", [{"ltv": 0}, {"lt": 0}])
def test_setting_the_stablecoin_category_ltv_or_threshold_to_zero_reverts(env, change):
    m, a = env
    _categories(m, a)
    assert_rejected(
        m,
        ErrorCode.INVALID_EMODE_CATEGORY_PARAMS,
        m.configurator.set_emode_category,
        *_update(m, 1, **change),
        sender=m.pool_admin,
    )


def test_lowering_the_ltv_below_an_asset_in_the_category_reverts(env):
    m, a = env
    _categories(m, a)
    dai_ltv, usdc_ltv = m.config(a["DAI"]).get_ltv(), m.config(a["USDC"]).get_ltv()
    new_ltv = max(dai_ltv, usdc_ltv) - 1
    assert_rejected(
        m,
        ErrorCode.INVALID_EMODE_CATEGORY_PARAMS,
        m.configurator.set_emode_category,
        *_update(m, 1, ltv=new_ltv),
        sender=m.pool_admin,
    )


def test_lowering_the_ltv_decreases_the_users_borrowing_power(env):
    m, a = env
    _categories(m, a)
    user1 = _user1_in_stablecoins(m, a)
    before = m.pool.get_user_account_data(user1)
    m.configurator.set_emode_category(*_update(m, 1, ltv=9500), sender=m.pool_admin)
    after = m.pool.get_user_account_data(user1)
    assert after.available_borrows_base < before.available_borrows_base


def test_lowering_the_threshold_below_an_asset_in_the_category_reverts(env):
    m, a = env
    _categories(m, a)
    m.configurator.set_emode_category(*_update(m, 1, ltv=9500), sender=m.pool_admin)
    assert_rejected(
        m,
        ErrorCode.INVALID_EMODE_CATEGORY_PARAMS,
        m.configurator.set_emode_category,
        *_update(m, 1, ltv=8300, lt=8500),
        sender=m.pool_admin,
    )


def test_lowering_the_threshold_decreases_the_users_health_factor(env):
    m, a = env
    _categories(m, a)
    user1 = _user1_in_stablecoins(m, a)
    m.configurator.set_emode_category(*_update(m, 1, ltv=9500), sender=m.pool_admin)
    # User 1 withdraws 0.7 WETH and borrows 100 USDC
    m.withdraw(user1, a["WETH"], 7 * 10**17)
    m.borrow(user1, a["USDC"], 100 * 10**6)
    before = m.pool.get_user_account_data(user1)
    new_lt = m.pool.get_emode_category_data(1).ltv
    m.configurator.set_emode_category(*_update(m, 1, lt=new_lt), sender=m.pool_admin)
    after = m.pool.get_user_account_data(user1)
    assert after.health_factor < before.health_factor


def test_a_category_with_its_own_price_feed(env):
    """Admin adds a category for stablecoins with DAI priced by the USDC feed; user 2
    supplies DAI and enters it; then DAI leaves the category."""
    m, a = env
    dai, usdc, user2 = a["DAI"], a["USDC"], m.users[2]
    m.oracle.set_asset_price(dai, 99_900_000)  # DAI at 0.999, USDC at 1: the feeds differ
    category = {**STABLECOINS, "id": 3}
    _add_category(m, category, oracle=usdc)
    assert m.configurator.events.last()[0] == Event(
        "EModeCategoryAdded", (3, 9800, 9800, 10100, usdc, "STABLECOINS")
    )
    data = m.pool.get_emode_category_data(3)
    assert (data.ltv, data.liquidation_threshold, data.liquidation_bonus) == (9800, 9800, 10100)
    assert data.price_source == usdc
    m.configurator.set_asset_emode_category(dai, 3, sender=m.pool_admin)

    dai_amount = 1000 * 10**18
    m.supply(user2, dai, dai_amount)
    before = m.pool.get_user_account_data(user2)
    assert before.total_collateral_base == wad_mul(dai_amount, m.oracle.get_asset_price(dai))
    m.pool.set_user_emode(3, sender=user2)
    assert m.pool.get_user_emode(user2) == 3
    after = m.pool.get_user_account_data(user2)
    assert after.total_collateral_base == wad_mul(dai_amount, m.oracle.get_asset_price(usdc))

    # Remove DAI from the category
    m.configurator.set_asset_emode_category(dai, 0, sender=m.pool_admin)
    assert m.config(dai).get_emode_category() == 0


def test_entering_the_ethereum_category_keeps_the_borrowing_power_of_a_usdc_supplier(env):
    m, a = env
    weth, usdc, user = a["WETH"], a["USDC"], m.users[0]
    _add_category(m, ETHEREUM, oracle=weth)
    m.configurator.set_asset_emode_category(weth, 2, sender=m.pool_admin)
    assert m.config(weth).get_emode_category() == 2
    assert m.pool.get_emode_category_data(2).price_source == weth
    m.supply(user, usdc, 100 * 10**6)
    before = m.pool.get_user_account_data(user)
    assert before.total_collateral_base == 100 * 10**8
    m.pool.set_user_emode(2, sender=user)
    after = m.pool.get_user_account_data(user)
    assert after == before


def test_an_asset_cannot_join_a_category_whose_threshold_is_not_above_its_own(env):
    m, a = env
    _categories(m, a)
    # WETH's own threshold is 8250; a category at 8250 is not above it
    m.configurator.set_emode_category(4, 8000, 8250, 10100, None, "LOW", sender=m.pool_admin)
    assert_rejected(
        m,
        ErrorCode.INVALID_EMODE_CATEGORY_ASSIGNMENT,
        m.configurator.set_asset_emode_category,
        a["WETH"],
        4,
        sender=m.risk_admin,
    )
    # and an asset's own parameters cannot rise to the category's
    assert_rejected(
        m,
        ErrorCode.INVALID_EMODE_CATEGORY_PARAMS,
        m.configurator.set_emode_category,
        *_update(m, 2, ltv=m.config(a["WETH"]).get_ltv()),
        sender=m.pool_admin,
    )
