"""Port of aave-v3-core `test-suites/liquidation-emode.spec.ts` (09377fa7) against the real
Pool and PoolConfigurator on `configurator_market.aave_test_market` (SparkLend v1.0.0
rounding; the suite's price oracle is the settable fallback oracle, here `SimplePriceOracle`),
with no liquidation protocol fee on USDC (the suite's expectations take the whole seizure out
of the collateral's cash).

The last case, "Liquidation of eMode collateral with eMode debt in EMode with custom price
feed", expects the collateral seized at the assets' own prices (DAI 0.99, USDC 1.01) while
the category has a price source; SparkLend v1.0.0 prices both legs with the category's
source when the user is in eMode and both assets are in it (LiquidationLogic
`_getConfigurationData`; sparklend-testing LiquidationCall `test_liquidationCall_13` asserts
630 = 600 x 105% with a 1.00 source against a 1.01 collateral price). It is ported with
SparkLend's expectation and says so.
"""

from __future__ import annotations

import pytest

from sparkprime.core.fixed import percent_mul
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import make_addr

from .configurator_market import MAX_UINT256, aave_test_market
from .spec_steps import Steps

LTV, LT, LB = 9800, 9850, 10100
ONE = 10**18


class Env:
    def __init__(self) -> None:
        m, a = aave_test_market()
        self.m, self.pool, self.oracle = m, m.pool, m.oracle
        self.dai, self.usdc, self.weth = a["DAI"], a["USDC"], a["WETH"]
        self.users = [make_addr(f"liq-emode/user{i}") for i in range(4)]
        # The suite's expectations take the whole seizure out of the collateral's cash: no
        # liquidation protocol fee on USDC in its market (`aave_test_market` sets 10%).
        m.configurator.set_liquidation_protocol_fee(self.usdc, 0, sender=m.pool_admin)

    def mint_supply(self, user: Address, asset: Address, amount: int) -> None:
        token = self.m.token(asset)
        token.mint(user, amount)
        token.approve(self.pool.address, MAX_UINT256, sender=user)
        self.pool.supply(asset, amount, user, 0, sender=user)

    def category(self, oracle: Address | None = None) -> None:
        admin = self.m.pool_admin
        c = self.m.configurator
        c.set_emode_category(1, LTV, LT, LB, oracle, "STABLECOINS", sender=admin)
        data = self.pool.get_emode_category_data(1)
        assert (data.ltv, data.liquidation_threshold, data.liquidation_bonus) == (LTV, LT, LB)
        assert data.price_source == oracle
        c.set_asset_emode_category(self.dai, 1, sender=admin)
        c.set_asset_emode_category(self.usdc, 1, sender=admin)
        assert self.pool.get_configuration(self.dai).get_emode_category() == 1
        assert self.pool.get_configuration(self.usdc).get_emode_category() == 1

    def account(self, user: Address):
        return self.pool.get_user_account_data(user)

    def debt(self, asset: Address, user: Address) -> int:
        return self.pool.variable_debt_token(asset).balance_of(user)

    def available(self, asset: Address) -> int:
        """`availableLiquidity`: the aToken's cash."""
        return self.m.token(asset).balance_of(self.pool.a_token(asset).address)


spec = Steps(Env)


@spec.it()
def adds_category_id_1_stablecoins(e: Env) -> None:
    c = e.m.configurator
    c.set_emode_category(1, LTV, LT, LB, None, "STABLECOINS", sender=e.m.pool_admin)
    data = e.pool.get_emode_category_data(1)
    assert (data.ltv, data.liquidation_threshold, data.liquidation_bonus) == (LTV, LT, LB)
    assert data.price_source is None


@spec.it()
def add_dai_and_usdc_to_category_id_1(e: Env) -> None:
    for asset in (e.dai, e.usdc):
        e.m.configurator.set_asset_emode_category(asset, 1, sender=e.m.pool_admin)
        assert e.pool.get_configuration(asset).get_emode_category() == 1


@spec.it()
def someone_funds_the_dai_pool(e: Env) -> None:
    e.mint_supply(e.users[0], e.dai, 10**36)


@spec.it()
def deposit_usdc_with_emode(e: Env) -> None:
    e.mint_supply(e.users[1], e.usdc, 10_000 * 10**6)
    e.pool.set_user_emode(1, sender=e.users[1])
    assert e.pool.get_user_emode(e.users[1]) == 1


@spec.it()
def borrow_98_percent_ltv_in_dai(e: Env) -> None:
    depositor = e.users[1]
    whole = e.account(depositor).available_borrows_base // e.oracle.get_asset_price(e.dai)
    e.pool.borrow(e.dai, whole * ONE, 2, 0, depositor, sender=depositor)


@spec.it()
def drop_hf_below_1(e: Env) -> None:
    depositor = e.users[1]
    price = e.oracle.get_asset_price(e.dai)
    hf = e.account(depositor).health_factor
    assert hf > ONE
    e.oracle.set_asset_price(e.dai, price * hf // ONE)
    assert e.account(depositor).health_factor > ONE
    e.oracle.set_asset_price(e.dai, e.oracle.get_asset_price(e.dai) + 1)
    assert e.account(depositor).health_factor < ONE


@spec.it()
def liquidates_the_borrow(e: Env) -> None:
    borrower, liquidator = e.users[1], e.users[3]
    token = e.m.token(e.dai)
    token.mint(liquidator, 100_000 * ONE)
    token.approve(e.pool.address, MAX_UINT256, sender=liquidator)
    dai_before = e.pool.get_reserve_data(e.dai)
    dai_available, usdc_available = e.available(e.dai), e.available(e.usdc)
    debt_before = e.debt(e.dai, borrower)
    amount = debt_before // 2
    account_before = e.account(borrower)
    e.pool.liquidation_call(e.usdc, e.dai, borrower, amount, False, sender=liquidator)
    account = e.account(borrower)
    assert account.health_factor > account_before.health_factor
    assert account.total_collateral_base < account_before.total_collateral_base
    assert account.total_debt_base < account_before.total_debt_base
    expected_collateral = (
        percent_mul(e.oracle.get_asset_price(e.dai) * amount, LB)
        * 10**6
        // (e.oracle.get_asset_price(e.usdc) * ONE)
    )
    assert abs(e.debt(e.dai, borrower) - (debt_before - amount)) <= 2
    dai_after = e.pool.get_reserve_data(e.dai)
    assert dai_after.liquidity_index == dai_before.liquidity_index
    assert dai_after.current_liquidity_rate == 0
    assert abs(e.available(e.dai) - (dai_available + amount)) <= 2
    assert abs(e.available(e.usdc) - (usdc_available - expected_collateral)) <= 2


@spec.it(fresh=True)
def liquidation_of_non_emode_collateral_with_emode_debt_for_user_in_emode(e: Env) -> None:
    user1, user2 = e.users[0], e.users[1]
    e.category()
    e.mint_supply(user1, e.dai, ONE)
    e.mint_supply(user1, e.weth, ONE)
    e.m.token(e.usdc).mint(user2, 10_000 * 10**6)  # minted twice the supply upstream
    e.mint_supply(user2, e.usdc, 10_000 * 10**6)
    e.pool.set_user_emode(1, sender=user1)
    to_borrow = e.account(user1).available_borrows_base // 100  # 8 -> 6 decimals
    e.pool.borrow(e.usdc, to_borrow, 2, 0, user1, sender=user1)
    weth_price = e.oracle.get_asset_price(e.weth)
    assert e.account(user1).health_factor > ONE
    e.oracle.set_asset_price(e.weth, percent_mul(weth_price, 9000))
    assert e.account(user1).health_factor < ONE
    a_weth = e.pool.a_token(e.weth)
    before = a_weth.balance_of(user1)
    e.pool.liquidation_call(e.weth, e.usdc, user1, to_borrow // 2, False, sender=user2)
    weth_bonus = e.pool.get_configuration(e.weth).get_liquidation_bonus()
    expected = (
        percent_mul(e.oracle.get_asset_price(e.usdc) * (to_borrow // 2), weth_bonus)
        * ONE
        // (e.oracle.get_asset_price(e.weth) * 10**6)
    )
    assert abs(before - a_weth.balance_of(user1) - expected) <= 2


@spec.it(fresh=True)
def liquidation_of_emode_collateral_with_emode_debt_in_emode_with_custom_price_feed(
    e: Env,
) -> None:
    """Divergence (see the module docstring): both legs at the category's price source."""
    user1, user2 = e.users[0], e.users[1]
    source = user1  # any address the oracle prices, as upstream
    e.oracle.set_asset_price(source, 10**8)
    e.oracle.set_asset_price(e.dai, 99 * 10**6)
    e.oracle.set_asset_price(e.usdc, 101 * 10**6)
    e.oracle.set_asset_price(e.weth, 4000 * 10**8)
    e.category(source)
    e.mint_supply(user1, e.dai, 5000 * ONE)
    e.mint_supply(user1, e.weth, ONE)
    e.m.token(e.usdc).mint(user2, 10_000 * 10**6)  # minted twice the supply upstream
    e.mint_supply(user2, e.usdc, 10_000 * 10**6)
    e.pool.set_user_emode(1, sender=user1)
    to_borrow = e.account(user1).available_borrows_base // 100
    e.pool.borrow(e.usdc, to_borrow, 2, 0, user1, sender=user1)
    assert e.account(user1).health_factor > ONE
    e.oracle.set_asset_price(source, 2 * e.oracle.get_asset_price(source))
    assert e.account(user1).health_factor < ONE
    a_dai = e.pool.a_token(e.dai)
    before = a_dai.balance_of(user1)
    e.pool.liquidation_call(e.dai, e.usdc, user1, to_borrow // 2, False, sender=user2)
    price = e.oracle.get_asset_price(source)
    expected = percent_mul(price * (to_borrow // 2), LB) * ONE // (price * 10**6)
    assert abs(before - a_dai.balance_of(user1) - expected) <= 2


@pytest.mark.parametrize("index", spec.params())
def test_liquidation_emode_spec(index: int) -> None:
    spec.run(index)
