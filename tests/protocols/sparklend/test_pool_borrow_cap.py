"""Port of aave-v3-core `test-suites/borrow-cap.spec.ts` ("PoolConfigurator: Borrow Cap",
v3.0.x: `BorrowCapChanged(asset, old, new)`, `BORROW_CAP_EXCEEDED`) against the real Pool and
PoolConfigurator on `configurator_market.aave_test_market`.

Stable-rate debt is not modelled (it is off on every SparkLend market), so the borrows the
upstream suite makes at the stable rate are made at the variable rate here. The cap counts
both kinds together (`stable total + scaled variable x index + amount <= cap x 10^dec`), so
every cap decision is the same; only the interest on those loans differs, and no decision
in the suite is close enough for that to matter (the closest, 20 + 99 <= 120 units, has
under 1e-5 units of interest). Each revert checks the total the error reports against the
debt tokens' supply plus the amount, and that the Pool's state hash did not move.

As upstream, user 1 supplies "1000 USDC" converted with DAI's 18 decimals (1e21 units,
1e15 USDC): USDC then has a utilization of almost zero.
"""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.configuration import MAX_VALID_BORROW_CAP
from sparkprime.protocols.sparklend.events import Event

from .configurator_market import MAX_UINT256, aave_test_market
from .spec_steps import Steps, assert_reverts

MINTED = 1_000_000_000 * 10**18
VARIABLE = 2
STABLE_AS_VARIABLE = 2  # upstream borrows at the stable rate (1); see the module docstring


class Env:
    """The test market after the suite's `before`: the deployer and user 1 funded."""

    def __init__(self) -> None:
        m, a = aave_test_market()
        self.m, self.pool, self.configurator = m, m.pool, m.configurator
        self.dai, self.usdc, self.weth = a["DAI"], a["USDC"], a["WETH"]
        self.deployer = make_addr("borrow-cap/deployer")
        self.user1 = make_addr("borrow-cap/user1")
        for user in (self.deployer, self.user1):
            for asset in (self.dai, self.weth, self.usdc):
                token = m.token(asset)
                token.mint(user, MINTED)
                token.approve(self.pool.address, MAX_UINT256, sender=user)

    def units(self, asset: Address, whole: int) -> int:
        scale: int = 10 ** self.m.token(asset).decimals
        return whole * scale

    def borrow(self, asset: Address, whole: int, mode: int) -> None:
        amount = self.units(asset, whole)
        self.pool.borrow(asset, amount, mode, 0, self.deployer, sender=self.deployer)

    def total_debt(self, asset: Address) -> int:
        return (
            self.pool.stable_debt_token(asset).total_supply()
            + self.pool.variable_debt_token(asset).total_supply()
        )

    def set_cap(self, asset: Address, new_cap: int) -> None:
        old = self.m.config(asset).get_borrow_cap()
        self.configurator.set_borrow_cap(asset, new_cap, sender=self.m.pool_admin)
        assert self.configurator.events.last()[0] == Event(
            "BorrowCapChanged", (asset, old, new_cap)
        )
        assert self.m.config(asset).get_borrow_cap() == new_cap

    def borrow_reverts(self, asset: Address, whole: int, mode: int) -> None:
        amount = self.units(asset, whole)
        expected_total = self.total_debt(asset) + amount
        err = assert_reverts(
            self.pool,
            ErrorCode.BORROW_CAP_EXCEEDED,
            self.pool.borrow,
            asset,
            amount,
            mode,
            0,
            self.deployer,
            sender=self.deployer,
        )
        cap = self.m.config(asset).get_borrow_cap()
        assert err.context == {"total_debt": expected_total, "cap": cap}
        assert expected_total > self.units(asset, cap)


spec = Steps(Env)


@spec.it()
def reserves_initially_have_the_borrow_cap_disabled(e: Env) -> None:
    assert e.m.config(e.usdc).get_borrow_cap() == 0
    assert e.m.config(e.dai).get_borrow_cap() == 0


@spec.it()
def borrows_10_stable_dai_and_10_variable_usdc(e: Env) -> None:
    e.pool.deposit(e.weth, e.units(e.weth, 1000), e.deployer, 0, sender=e.deployer)
    e.pool.deposit(e.dai, e.units(e.dai, 1000), e.user1, 0, sender=e.user1)
    # convertToCurrencyDecimals(dai.address, '1000') for the USDC deposit, as upstream
    e.pool.deposit(e.usdc, e.units(e.dai, 1000), e.user1, 0, sender=e.user1)
    e.borrow(e.usdc, 10, VARIABLE)
    e.borrow(e.dai, 10, STABLE_AS_VARIABLE)
    assert e.total_debt(e.usdc) == e.units(e.usdc, 10)
    assert e.total_debt(e.dai) == e.units(e.dai, 10)


@spec.it()
def sets_the_borrow_cap_for_dai_and_usdc_to_10(e: Env) -> None:
    e.set_cap(e.usdc, 10)
    e.set_cap(e.dai, 10)


@spec.it()
def tries_to_borrow_any_dai_or_usdc_above_the_cap(e: Env) -> None:
    e.borrow_reverts(e.usdc, 10, VARIABLE)
    e.borrow_reverts(e.dai, 10, VARIABLE)


@spec.it()
def tries_to_set_the_borrow_cap_above_max_borrow_cap(e: Env) -> None:
    for asset in (e.usdc, e.dai):
        events = len(e.configurator.events)
        assert_reverts(
            e.pool,
            ErrorCode.INVALID_BORROW_CAP,
            e.configurator.set_borrow_cap,
            asset,
            MAX_VALID_BORROW_CAP + 1,
            sender=e.m.pool_admin,
        )
        assert len(e.configurator.events) == events


@spec.it()
def sets_the_borrow_cap_for_dai_and_usdc_to_120(e: Env) -> None:
    e.set_cap(e.usdc, 120)
    e.set_cap(e.dai, 120)


@spec.it()
def borrows_10_stable_dai_and_10_variable_usdc_under_the_cap(e: Env) -> None:
    e.borrow(e.usdc, 10, VARIABLE)
    e.borrow(e.dai, 10, STABLE_AS_VARIABLE)
    assert e.total_debt(e.usdc) == e.units(e.usdc, 20)
    assert e.total_debt(e.dai) == e.units(e.dai, 20)


@spec.it()
def sets_the_borrow_cap_for_weth_to_2(e: Env) -> None:
    e.set_cap(e.weth, 2)


@spec.it()
def borrows_2_variable_weth_equal_to_the_cap(e: Env) -> None:
    e.borrow(e.weth, 2, VARIABLE)
    assert e.total_debt(e.weth) == e.units(e.weth, 2)


@spec.it()
def time_flies_and_the_eth_debt_goes_above_the_cap_with_interest(e: Env) -> None:
    e.m.clock.skip(3600)
    total = e.total_debt(e.weth)
    cap = e.m.config(e.weth).get_borrow_cap()
    assert total > cap  # upstream's comparison (base units against whole tokens)
    assert total > e.units(e.weth, cap)  # and in the same units: interest accrued


@spec.it()
def tries_to_borrow_any_variable_eth_above_the_cap(e: Env) -> None:
    e.borrow_reverts(e.weth, 1, VARIABLE)


@spec.it()
def borrows_99_variable_dai_and_99_stable_usdc_under_the_cap(e: Env) -> None:
    e.borrow(e.usdc, 99, VARIABLE)
    e.borrow(e.dai, 99, STABLE_AS_VARIABLE)
    for asset in (e.usdc, e.dai):
        assert e.units(asset, 119) <= e.total_debt(asset) <= e.units(asset, 120)


@spec.it()
def raises_the_borrow_cap_for_usdc_and_dai_to_1000(e: Env) -> None:
    e.set_cap(e.usdc, 1000)
    e.set_cap(e.dai, 1000)


@spec.it()
def borrows_100_variable_dai_and_100_stable_usdc_under_the_cap(e: Env) -> None:
    e.borrow(e.usdc, 100, STABLE_AS_VARIABLE)
    e.borrow(e.dai, 100, VARIABLE)


@spec.it()
def lowers_the_borrow_cap_for_usdc_and_dai_to_200(e: Env) -> None:
    e.set_cap(e.usdc, 200)
    e.set_cap(e.dai, 200)


@spec.it()
def tries_to_borrow_100_variable_dai_and_100_stable_usdc_above_the_cap(e: Env) -> None:
    e.borrow_reverts(e.usdc, 100, STABLE_AS_VARIABLE)
    e.borrow_reverts(e.dai, 100, VARIABLE)


@spec.it()
def raises_the_borrow_cap_for_usdc_and_dai_to_max_borrow_cap(e: Env) -> None:
    e.set_cap(e.usdc, MAX_VALID_BORROW_CAP)
    e.set_cap(e.dai, MAX_VALID_BORROW_CAP)
    assert MAX_VALID_BORROW_CAP == 68_719_476_735


@spec.it()
def borrows_100_variable_dai_and_100_stable_usdc_again(e: Env) -> None:
    e.borrow(e.usdc, 100, STABLE_AS_VARIABLE)
    e.borrow(e.dai, 100, VARIABLE)
    for asset in (e.usdc, e.dai):
        assert e.units(asset, 319) <= e.total_debt(asset) <= e.units(asset, 320)


@pytest.mark.parametrize("index", spec.params())
def test_borrow_cap(index: int) -> None:
    spec.run(index)
