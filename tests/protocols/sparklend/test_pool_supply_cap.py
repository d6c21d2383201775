"""Port of aave-v3-core `test-suites/supply-cap.spec.ts` ("PoolConfigurator: Supply Cap",
v3.0.x: `SupplyCapChanged(asset, old, new)`, `SUPPLY_CAP_EXCEEDED`) against the real Pool and
PoolConfigurator on `configurator_market.aave_test_market` (DAI 18 decimals, USDC 6).

The deployer (pool admin upstream; here a plain user, the configurator calls are the pool
admin's) supplies; nobody borrows, so the liquidity index stays at 1 RAY and every supply
cap check is exact: `(scaled supply + accrued to treasury) x index + amount <= cap x 10^dec`.
Each revert also checks the `supplied`/`amount`/`cap` the error reports and that the Pool's
state hash did not move.
"""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.configuration import MAX_VALID_SUPPLY_CAP
from sparkprime.protocols.sparklend.events import Event

from .configurator_market import MAX_UINT256, aave_test_market
from .spec_steps import Steps, assert_reverts

MINTED = 1_000_000_000 * 10**18  # utils.parseEther('1000000000'), for every token


class Env:
    """The test market after the suite's `before` (mint and approve for the deployer)."""

    def __init__(self) -> None:
        m, a = aave_test_market()
        self.m, self.pool, self.configurator = m, m.pool, m.configurator
        self.dai, self.usdc, self.weth = a["DAI"], a["USDC"], a["WETH"]
        self.deployer = make_addr("supply-cap/deployer")
        for asset in (self.dai, self.weth, self.usdc):
            token = m.token(asset)
            token.mint(self.deployer, MINTED)
            token.approve(self.pool.address, MAX_UINT256, sender=self.deployer)

    def units(self, asset: Address, whole: int) -> int:
        """`convertToCurrencyDecimals(asset, whole)`."""
        scale: int = 10 ** self.m.token(asset).decimals
        return whole * scale

    def deposit(self, asset: Address, amount: int) -> None:
        self.pool.deposit(asset, amount, self.deployer, 0, sender=self.deployer)

    def set_caps(self, new_cap: int) -> None:
        """`setSupplyCap` on USDC then DAI, each emitting `SupplyCapChanged(old, new)`."""
        for asset in (self.usdc, self.dai):
            old = self.m.config(asset).get_supply_cap()
            self.configurator.set_supply_cap(asset, new_cap, sender=self.m.pool_admin)
            assert self.configurator.events.last()[0] == Event(
                "SupplyCapChanged", (asset, old, new_cap)
            )
            assert self.m.config(asset).get_supply_cap() == new_cap

    def deposit_reverts(self, asset: Address, amount: int) -> None:
        supplied = self.pool.a_token(asset).total_supply()
        err = assert_reverts(
            self.pool,
            ErrorCode.SUPPLY_CAP_EXCEEDED,
            self.pool.deposit,
            asset,
            amount,
            self.deployer,
            0,
            sender=self.deployer,
        )
        cap = self.m.config(asset).get_supply_cap()
        assert err.context == {
            "supplied": supplied,
            "amount": amount,
            "cap": self.units(asset, cap),
        }
        assert supplied + amount > self.units(asset, cap)


spec = Steps(Env)


@spec.it()
def reserves_initially_have_the_supply_cap_disabled(e: Env) -> None:
    assert e.m.config(e.usdc).get_supply_cap() == 0
    assert e.m.config(e.dai).get_supply_cap() == 0


@spec.it()
def supply_1000_dai_1000_usdc_and_1000_weth(e: Env) -> None:
    for asset in (e.usdc, e.dai, e.weth):
        e.deposit(asset, e.units(asset, 1000))
        assert e.pool.a_token(asset).total_supply() == e.units(asset, 1000)


@spec.it()
def sets_the_supply_cap_for_dai_and_usdc_to_1000_leaving_0_to_the_limit(e: Env) -> None:
    e.set_caps(1000)


@spec.it()
def tries_to_supply_any_dai_or_usdc_above_the_cap(e: Env) -> None:
    e.deposit_reverts(e.usdc, 10)  # '10' raw: 10 micro-USDC
    e.deposit_reverts(e.dai, e.units(e.dai, 10))


@spec.it()
def tries_to_set_the_supply_cap_above_max_supply_cap(e: Env) -> None:
    for asset in (e.usdc, e.dai):
        events = len(e.configurator.events)
        assert_reverts(
            e.pool,
            ErrorCode.INVALID_SUPPLY_CAP,
            e.configurator.set_supply_cap,
            asset,
            MAX_VALID_SUPPLY_CAP + 1,
            sender=e.m.pool_admin,
        )
        assert len(e.configurator.events) == events


@spec.it()
def sets_the_supply_cap_for_usdc_and_dai_to_1110_leaving_110_to_the_limit(e: Env) -> None:
    e.set_caps(1110)


@spec.it()
def supply_10_dai_and_10_usdc_leaving_100_to_the_limit(e: Env) -> None:
    for asset in (e.usdc, e.dai):
        e.deposit(asset, e.units(asset, 10))


@spec.it()
def tries_to_supply_101_dai_and_101_usdc_one_unit_above_the_limit(e: Env) -> None:
    e.deposit_reverts(e.usdc, e.units(e.usdc, 101))
    e.deposit_reverts(e.dai, e.units(e.dai, 101))


@spec.it()
def supply_99_dai_and_99_usdc_leaving_1_to_the_limit(e: Env) -> None:
    for asset in (e.usdc, e.dai):
        e.deposit(asset, e.units(asset, 99))


@spec.it()
def supply_1_dai_and_1_usdc_reaching_the_limit(e: Env) -> None:
    for asset in (e.usdc, e.dai):
        e.deposit(asset, e.units(asset, 1))
        assert e.pool.a_token(asset).total_supply() == e.units(asset, 1110)


@spec.it()
def time_flies_and_the_supply_stays_at_the_limit_without_borrows(e: Env) -> None:
    e.m.clock.skip(3600)
    for asset in (e.dai, e.usdc):
        total = e.pool.a_token(asset).total_supply()
        cap = e.m.config(asset).get_supply_cap()
        # Upstream compares the aToken supply (in base units) with the cap (in whole tokens).
        assert total > cap
        # Nothing is borrowed, so nothing accrued: the supply is exactly at the cap, and one
        # more base unit is over it.
        assert total == e.units(asset, cap)
        e.deposit_reverts(asset, 1)


@spec.it()
def raises_the_supply_cap_for_usdc_and_dai_to_2000_leaving_800_to_the_limit(e: Env) -> None:
    e.set_caps(2000)


@spec.it()
def supply_100_dai_and_100_usdc_leaving_700_to_the_limit(e: Env) -> None:
    for asset in (e.usdc, e.dai):
        e.deposit(asset, e.units(asset, 100))
        # 1110 + 100: the title's "700 left" is 790 (2000 - 1210)
        assert e.pool.a_token(asset).total_supply() == e.units(asset, 1210)


@spec.it()
def lowers_the_supply_cap_for_usdc_and_dai_to_1200_below_the_supply(e: Env) -> None:
    e.set_caps(1200)


@spec.it()
def tries_to_supply_100_dai_and_100_usdc_above_the_cap(e: Env) -> None:
    e.deposit_reverts(e.usdc, e.units(e.usdc, 100))
    e.deposit_reverts(e.dai, e.units(e.dai, 100))


@spec.it()
def raises_the_supply_cap_for_usdc_and_dai_to_max_supply_cap(e: Env) -> None:
    e.set_caps(MAX_VALID_SUPPLY_CAP)
    assert MAX_VALID_SUPPLY_CAP == 68_719_476_735


@spec.it()
def supply_100_dai_and_100_usdc(e: Env) -> None:
    for asset in (e.usdc, e.dai):
        e.deposit(asset, e.units(asset, 100))
        assert e.pool.a_token(asset).total_supply() == e.units(asset, 1310)


@pytest.mark.parametrize("index", spec.params())
def test_supply_cap(index: int) -> None:
    spec.run(index)
