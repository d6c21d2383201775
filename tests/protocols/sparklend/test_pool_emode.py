"""Port of the Pool side of aave-v3-core `test-suites/emode.spec.ts` (v3.0.2): choosing an
eMode category, borrowing in it, its LTV / liquidation threshold in the account data, aToken
transfers and leaving a category under the health-factor check, credit delegation across
categories. Against the real Pool and PoolConfigurator on
`configurator_market.aave_test_market` (WETH 4000 USD 8000/8250, DAI 1 USD 7500/8000, USDC
1 USD 8000/8500; categories STABLECOINS (1: DAI, USDC) and ETHEREUM (2: WETH), both
9800/9800/10100).

The configurator cases of the suite are ported in `test_pool_configurator_emode.py`; here
they are replayed (`replay_only`) where the later Pool cases need their effects. Upstream
compares before/after values (`lt`, `gt`); each case here also checks the exact values,
against `expected_account_data`, a port of GenericLogic.calculateUserAccountData's
aggregation (with eMode: a collateral in the user's category counts with the category's
LTV and threshold, any other with its own). The clock stays still (no interest), as
nothing in the suite depends on the seconds hardhat adds per block. The Pool emits no events:
`UserEModeSet(user, id)` is checked as `get_user_emode(user)`, `Repay(...)` as the amount
`repay` returns.

Not ported here: the last case ("User supplies USDC, activates eMode for ethereum category
and borrowing power keeps the same", from a fresh market with WETH as the category's price
source) is `test_entering_the_ethereum_category_keeps_the_borrowing_power_of_a_usdc_supplier`
in the configurator port, with the same assertions.
"""

from __future__ import annotations

import dataclasses

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.core.fixed import percent_div, percent_mul, wad_div, wad_mul
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from sparkprime.protocols.sparklend.types import UserAccountData

from .configurator_market import MAX_UINT256, aave_test_market
from .spec_steps import Steps, assert_reverts

ETHER = 10**18
USDC_UNIT = 10**6
MINT = 10_000 * ETHER  # utils.parseEther('10000') for every token (USDC included)
STABLECOINS, ETHEREUM = 1, 2
CATEGORY = (9800, 9800, 10100)  # ltv, liquidation threshold, liquidation bonus
BASE = 10**8  # one USD in the oracle's base currency


@dataclasses.dataclass(frozen=True)
class Collateral:
    """One enabled collateral: its value in base currency and the LTV / threshold it
    counts with."""

    value_base: int
    ltv: int
    lt: int


def expected_account_data(collaterals: list[Collateral], debt_base: int) -> UserAccountData:
    """GenericLogic.calculateUserAccountData + calculateAvailableBorrows: value-weighted LTV
    and threshold (floor), available = collateral x LTV - debt (floor 0), HF = collateral x
    threshold / debt (uint256.max without debt)."""
    total = sum(c.value_base for c in collaterals)
    ltv = sum(c.value_base * c.ltv for c in collaterals) // total if total else 0
    lt = sum(c.value_base * c.lt for c in collaterals) // total if total else 0
    power = percent_mul(total, ltv)
    return UserAccountData(
        total_collateral_base=total,
        total_debt_base=debt_base,
        available_borrows_base=max(power - debt_base, 0),
        current_liquidation_threshold=lt,
        ltv=ltv,
        health_factor=MAX_UINT256 if debt_base == 0 else wad_div(percent_mul(total, lt), debt_base),
    )


class Env:
    """The test market after the suite's `before`: users 0-2 funded and approved."""

    def __init__(self) -> None:
        m, a = aave_test_market()
        self.m, self.pool, self.configurator = m, m.pool, m.configurator
        self.dai, self.usdc, self.weth = a["DAI"], a["USDC"], a["WETH"]
        self.users = [make_addr(f"emode/user{i}") for i in range(6)]
        user0, user1, user2 = self.users[:3]
        for user, asset in (
            (user0, self.dai),
            (user0, self.usdc),
            (user0, self.weth),
            (user1, self.usdc),
            (user1, self.weth),
            (user2, self.dai),
        ):
            self.m.token(asset).mint(user, MINT)
        for user, asset in (
            (user0, self.dai),
            (user0, self.usdc),
            (user0, self.weth),
            (user1, self.dai),
            (user1, self.usdc),
            (user1, self.weth),
            (user2, self.dai),
        ):
            self.approve(user, asset)

    def approve(self, user: Address, asset: Address) -> None:
        self.m.token(asset).approve(self.pool.address, MAX_UINT256, sender=user)

    def supply(self, user: Address, asset: Address, amount: int) -> None:
        self.pool.supply(asset, amount, user, 0, sender=user)

    def borrow(self, user: Address, asset: Address, amount: int, mode: int = 2) -> None:
        self.pool.borrow(asset, amount, mode, 0, user, sender=user)

    def collateral(self, user: Address, asset: Address) -> bool:
        reserve_id = self.pool.get_reserve_data(asset).id
        return self.pool.get_user_configuration(user).is_using_as_collateral(reserve_id)

    def account(self, user: Address) -> UserAccountData:
        return self.pool.get_user_account_data(user)

    def set_category(self, category_id: int, **changes: int) -> None:
        data = self.pool.get_emode_category_data(category_id)
        params = {"ltv": data.ltv, "lt": data.liquidation_threshold, **changes}
        self.configurator.set_emode_category(
            category_id,
            params["ltv"],
            params["lt"],
            data.liquidation_bonus,
            data.price_source,
            data.label,
            sender=self.m.pool_admin,
        )


def usd(whole: int) -> int:
    return whole * BASE


spec = Steps(Env)


@spec.it(replay_only=True)
def admin_adds_a_category_for_stablecoins_with_dai_and_usdc(e: Env) -> None:
    c, admin = e.configurator, e.m.pool_admin
    c.set_emode_category(STABLECOINS, *CATEGORY, ZERO_ADDRESS, "STABLECOINS", sender=admin)
    c.set_asset_emode_category(e.dai, STABLECOINS, sender=admin)
    c.set_asset_emode_category(e.usdc, STABLECOINS, sender=admin)


@spec.it(replay_only=True)
def admin_adds_a_category_for_ethereum_with_weth(e: Env) -> None:
    c, admin = e.configurator, e.m.pool_admin
    c.set_emode_category(ETHEREUM, *CATEGORY, ZERO_ADDRESS, "ETHEREUM", sender=admin)
    c.set_asset_emode_category(e.weth, ETHEREUM, sender=admin)


@spec.it()
def user_0_activates_emode_for_the_stablecoins_category(e: Env) -> None:
    user0 = e.users[0]
    e.pool.set_user_emode(STABLECOINS, sender=user0)
    assert e.pool.get_user_emode(user0) == STABLECOINS


@spec.it()
def user_0_supplies_100_dai_user_1_supplies_100_usdc(e: Env) -> None:
    user0, user1 = e.users[0], e.users[1]
    e.supply(user0, e.dai, 100 * ETHER)
    assert e.collateral(user0, e.dai)
    e.supply(user1, e.usdc, 100 * USDC_UNIT)
    assert e.collateral(user1, e.usdc)
    # DAI counts with the category's 98% for user 0
    assert e.account(user0) == expected_account_data([Collateral(usd(100), 9800, 9800)], 0)


@spec.it()
def user_0_borrows_98_usdc_and_tries_to_deactivate_emode(e: Env) -> None:
    user0 = e.users[0]
    e.borrow(user0, e.usdc, 98 * USDC_UNIT)  # exactly the 98% LTV of 100 DAI
    data = e.account(user0)
    assert data == expected_account_data([Collateral(usd(100), 9800, 9800)], usd(98))
    assert data.health_factor == ETHER
    # outside eMode DAI counts with its own 80%: HF 80 / 98 < 1
    outside = expected_account_data([Collateral(usd(100), 7500, 8000)], usd(98))
    assert outside.health_factor == wad_div(usd(80), usd(98)) < ETHER
    err = assert_reverts(
        e.pool,
        ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD,
        e.pool.set_user_emode,
        0,
        sender=user0,
    )
    assert err.context["hf"] == outside.health_factor
    assert e.pool.get_user_emode(user0) == STABLECOINS


@spec.it()
def user_0_tries_to_send_a_tokens_to_user_3(e: Env) -> None:
    user0, user3 = e.users[0], e.users[3]
    assert e.pool.get_user_emode(user0) == STABLECOINS
    assert e.pool.get_user_emode(user3) == 0
    err = assert_reverts(
        e.pool,
        ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD,
        e.pool.a_token(e.dai).transfer,
        user3,
        10 * ETHER,
        sender=user0,
    )
    after = expected_account_data([Collateral(usd(90), 9800, 9800)], usd(98))
    assert err.context["hf"] == after.health_factor < ETHER
    assert e.pool.get_user_emode(user0) == STABLECOINS
    assert e.pool.get_user_emode(user3) == 0


@spec.it()
def user_0_repays_50_usdc_and_withdraws_10_dai(e: Env) -> None:
    user0 = e.users[0]
    assert e.pool.repay(e.usdc, 50 * USDC_UNIT, 2, user0, sender=user0) == 50 * USDC_UNIT
    assert e.pool.withdraw(e.dai, 10 * ETHER, user0, sender=user0) == 10 * ETHER
    assert e.account(user0) == expected_account_data([Collateral(usd(90), 9800, 9800)], usd(48))


@spec.it()
def user_0_supplies_weth_a_non_category_asset_increasing_borrowing_power(e: Env) -> None:
    user0 = e.users[0]
    before = e.account(user0)
    e.supply(user0, e.weth, ETHER)
    assert e.collateral(user0, e.weth)
    after = e.account(user0)
    assert before.available_borrows_base < after.available_borrows_base
    assert before.total_collateral_base < after.total_collateral_base
    assert before.total_debt_base == after.total_debt_base
    assert before.health_factor < after.health_factor
    # WETH is not in the user's category: it counts with its own 80% / 82.5%
    assert after == expected_account_data(
        [Collateral(usd(90), 9800, 9800), Collateral(usd(4000), 8000, 8250)], usd(48)
    )


@spec.it()
def user_1_supplies_1_weth_and_activates_emode_for_the_ethereum_category(e: Env) -> None:
    user1 = e.users[1]
    weth_price = e.m.oracle.get_asset_price(e.weth)
    before_supply = e.account(user1)
    e.supply(user1, e.weth, ETHER)
    assert e.collateral(user1, e.weth)
    before_emode = e.account(user1)
    assert before_supply.total_collateral_base == (
        before_emode.total_collateral_base - wad_mul(ETHER, weth_price)
    )
    assert before_emode == expected_account_data(
        [Collateral(usd(100), 8000, 8500), Collateral(usd(4000), 8000, 8250)], 0
    )

    e.pool.set_user_emode(ETHEREUM, sender=user1)
    assert e.pool.get_user_emode(user1) == ETHEREUM
    after = e.account(user1)
    assert after.total_collateral_base == before_emode.total_collateral_base
    assert before_emode.available_borrows_base < after.available_borrows_base
    assert after == expected_account_data(
        [Collateral(usd(100), 8000, 8500), Collateral(usd(4000), 9800, 9800)], 0
    )


@spec.it()
def user_0_tries_to_activate_emode_for_the_ethereum_category(e: Env) -> None:
    user0 = e.users[0]
    assert_reverts(  # user 0 borrows USDC, which is not in ETHEREUM
        e.pool, ErrorCode.INCONSISTENT_EMODE_CATEGORY, e.pool.set_user_emode, ETHEREUM, sender=user0
    )
    assert e.pool.get_user_emode(user0) == STABLECOINS


@spec.it()
def user_0_tries_to_borrow_weth_a_non_category_asset(e: Env) -> None:
    user0 = e.users[0]
    assert_reverts(
        e.pool,
        ErrorCode.INCONSISTENT_EMODE_CATEGORY,
        e.borrow,
        user0,
        e.weth,
        ETHER // 10_000,  # 0.0001 WETH
    )


@spec.it()
def user_1_tries_to_borrow_dai_a_non_category_asset(e: Env) -> None:
    assert_reverts(
        e.pool, ErrorCode.INCONSISTENT_EMODE_CATEGORY, e.borrow, e.users[1], e.dai, 10 * ETHER
    )


@spec.it()
def user_0_repays_the_usdc_debt_and_activates_emode_for_the_ethereum_category(e: Env) -> None:
    user0 = e.users[0]
    assert e.pool.repay(e.usdc, MAX_UINT256, 2, user0, sender=user0) == 48 * USDC_UNIT
    e.pool.set_user_emode(ETHEREUM, sender=user0)
    assert e.pool.get_user_emode(user0) == ETHEREUM
    assert e.account(user0) == expected_account_data(
        [Collateral(usd(90), 7500, 8000), Collateral(usd(4000), 9800, 9800)], 0
    )


@spec.it()
def user_1_activates_emode_for_the_stablecoins_category(e: Env) -> None:
    user1 = e.users[1]
    e.pool.set_user_emode(STABLECOINS, sender=user1)
    assert e.pool.get_user_emode(user1) == STABLECOINS
    assert e.account(user1) == expected_account_data(
        [Collateral(usd(100), 9800, 9800), Collateral(usd(4000), 8000, 8250)], 0
    )


@spec.it()
def user_0_tries_to_borrow_usdc_a_non_category_asset_at_the_stable_rate(e: Env) -> None:
    # The eMode check comes before any stable-rate rule: the same error at rate mode 1.
    assert_reverts(
        e.pool,
        ErrorCode.INCONSISTENT_EMODE_CATEGORY,
        e.borrow,
        e.users[0],
        e.usdc,
        5 * USDC_UNIT,
        1,
    )


def _user_0_sends_10_a_dai_to_user_3(e: Env) -> None:
    user0, user3 = e.users[0], e.users[3]
    a_dai = e.pool.a_token(e.dai)
    assert e.pool.get_user_emode(user0) == ETHEREUM
    assert e.pool.get_user_emode(user3) == 0
    balance0, balance3 = a_dai.balance_of(user0), a_dai.balance_of(user3)
    assert a_dai.transfer(user3, 10 * ETHER, sender=user0)
    assert e.pool.get_user_emode(user0) == ETHEREUM
    assert e.pool.get_user_emode(user3) == 0
    assert a_dai.balance_of(user0) == balance0 - 10 * ETHER
    assert a_dai.balance_of(user3) == balance3 + 10 * ETHER
    assert e.collateral(user3, e.dai)  # user 3's first aDAI


@spec.it()
def user_0_sends_a_tokens_to_user_3(e: Env) -> None:
    _user_0_sends_10_a_dai_to_user_3(e)
    assert e.pool.a_token(e.dai).balance_of(e.users[0]) == 80 * ETHER


@spec.it()
def user_0_sends_a_tokens_to_user_3_again(e: Env) -> None:
    _user_0_sends_10_a_dai_to_user_3(e)
    assert e.pool.a_token(e.dai).balance_of(e.users[0]) == 70 * ETHER


@spec.it(reverted=True)
def credit_delegation_from_an_emode_user_delegatee_borrows_a_non_emode_asset(e: Env) -> None:
    user3, user4, user5 = e.users[3], e.users[4], e.users[5]
    assert e.m.config(e.dai).get_emode_category() == STABLECOINS
    assert e.m.config(e.usdc).get_emode_category() == STABLECOINS
    assert e.m.config(e.weth).get_emode_category() != STABLECOINS
    e.m.token(e.weth).mint(user3, 100 * ETHER)
    e.approve(user3, e.weth)
    e.supply(user3, e.weth, 100 * ETHER)
    e.m.token(e.dai).mint(user4, 100 * ETHER)
    e.approve(user4, e.dai)
    e.supply(user4, e.dai, 100 * ETHER)  # Alice deposits 100 DAI
    e.pool.set_user_emode(STABLECOINS, sender=user4)  # and enters STABLECOINS
    assert e.pool.get_user_emode(user4) == STABLECOINS
    # Alice delegates 1 WETH at the variable rate to Bob
    e.pool.variable_debt_token(e.weth).approve_delegation(user5, ETHER, sender=user4)
    bob_weth = e.m.token(e.weth).balance_of(user5)
    assert_reverts(  # Bob borrows 0.01 WETH for Alice, outside her category
        e.pool,
        ErrorCode.INCONSISTENT_EMODE_CATEGORY,
        e.pool.borrow,
        e.weth,
        ETHER // 100,
        2,
        0,
        user4,
        sender=user5,
    )
    assert e.m.token(e.weth).balance_of(user5) == bob_weth


@spec.it()
def credit_delegation_to_an_emode_user_cannot_use_the_delegatees_emode(e: Env) -> None:
    user3, user4, user5 = e.users[3], e.users[4], e.users[5]
    e.m.token(e.usdc).mint(user3, 100 * USDC_UNIT)
    e.approve(user3, e.usdc)
    e.supply(user3, e.usdc, 100 * USDC_UNIT)
    e.m.token(e.dai).mint(user4, 100 * ETHER)
    e.approve(user4, e.dai)
    e.supply(user4, e.dai, 100 * ETHER)  # Alice deposits 100 DAI, no eMode
    e.pool.variable_debt_token(e.usdc).approve_delegation(user5, 100 * USDC_UNIT, sender=user4)
    e.pool.set_user_emode(STABLECOINS, sender=user5)  # Bob enters STABLECOINS
    assert e.pool.get_user_emode(user5) == STABLECOINS
    # Bob borrows 90 USDC for Alice: her own (non-eMode) 75% LTV decides
    err = assert_reverts(
        e.pool,
        ErrorCode.COLLATERAL_CANNOT_COVER_NEW_BORROW,
        e.pool.borrow,
        e.usdc,
        90 * USDC_UNIT,
        2,
        0,
        user4,
        sender=user5,
    )
    assert (err.context["needed"], err.context["have"]) == (percent_div(usd(90), 7500), usd(100))
    # Alice is still in a position where she cannot be liquidated
    assert e.account(user4).health_factor > ETHER
    assert e.account(user4) == expected_account_data([Collateral(usd(100), 7500, 8000)], 0)


@spec.it(replay_only=True)
def admin_lowers_the_ltv_of_the_stablecoins_category_to_95(e: Env) -> None:
    e.set_category(STABLECOINS, ltv=9500)


@spec.it()
def user_1_withdraws_0_7_weth_and_borrows_100_usdc(e: Env) -> None:
    user1 = e.users[1]
    assert e.pool.withdraw(e.weth, 7 * ETHER // 10, user1, sender=user1) == 7 * ETHER // 10
    e.borrow(user1, e.usdc, 100 * USDC_UNIT)
    assert e.account(user1) == expected_account_data(
        [Collateral(usd(100), 9500, 9800), Collateral(usd(1200), 8000, 8250)], usd(100)
    )


@spec.it(replay_only=True)
def admin_lowers_the_threshold_of_the_stablecoins_category_to_its_ltv(e: Env) -> None:
    e.set_category(STABLECOINS, lt=e.pool.get_emode_category_data(STABLECOINS).ltv)


@spec.it(replay_only=True)
def admin_adds_a_category_for_stablecoins_with_dai_and_its_own_price_feed(e: Env) -> None:
    c, admin = e.configurator, e.m.pool_admin
    c.set_emode_category(3, *CATEGORY, e.usdc, "STABLECOINS", sender=admin)
    c.set_asset_emode_category(e.dai, 3, sender=admin)


@spec.it(replay_only=True)
def user_2_supplies_dai_and_activates_emode_for_stablecoins_with_its_own_price_feed(
    e: Env,
) -> None:
    e.supply(e.users[2], e.dai, 1000 * ETHER)
    e.pool.set_user_emode(3, sender=e.users[2])


@spec.it()
def user_0_deactivates_emode(e: Env) -> None:
    user0 = e.users[0]
    before = e.account(user0)
    e.pool.set_user_emode(0, sender=user0)
    assert e.pool.get_user_emode(user0) == 0
    after = e.account(user0)
    assert after.total_collateral_base == before.total_collateral_base
    assert after.available_borrows_base < before.available_borrows_base
    assert after.health_factor == before.health_factor == MAX_UINT256  # no debt
    # DAI moved to category 3: in ETHEREUM only WETH had the category's 98%
    assert before == expected_account_data(
        [Collateral(usd(70), 7500, 8000), Collateral(usd(4000), 9800, 9800)], 0
    )
    assert after == expected_account_data(
        [Collateral(usd(70), 7500, 8000), Collateral(usd(4000), 8000, 8250)], 0
    )
    assert after.available_borrows_base == percent_mul(usd(4070), after.ltv)


@pytest.mark.parametrize("index", spec.params())
def test_emode(index: int) -> None:
    spec.run(index)
