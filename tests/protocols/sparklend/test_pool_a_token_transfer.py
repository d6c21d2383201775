"""Port of aave-v3-core `test-suites/atoken-transfer.spec.ts` ("AToken: Transfer", v3.0.x)
against the real Pool on `configurator_market.aave_test_market` (DAI 1 USD, LTV 75% / LT
80%; WETH 4000 USD): transfers to oneself, of a non-collateral balance, of zero; the
collateral flags a transfer moves; the sender's health-factor check.

Differences from upstream, each because the model has no such thing:
- `aDai.getPreviousIndex(user)` (the index of the user's last action, used only for
  events) and `aDai.name()` are not modelled, nor are `Transfer` events;
- user 1's 0.1 WETH borrow is at the variable rate here (upstream: stable; stable debt is
  not modelled, and it is off on SparkLend): the health factors are the same, the debt is
  read from the variable debt token.
Beyond upstream, each case also checks the collateral flags and the exact health factors.
"""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.core.fixed import percent_mul, wad_div
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import make_addr

from .configurator_market import MAX_UINT256, aave_test_market
from .spec_steps import Steps, assert_reverts

ETHER = 10**18
DAI_AMOUNT_TO_DEPOSIT = 1000 * ETHER


class Env:
    def __init__(self) -> None:
        m, a = aave_test_market()
        self.m, self.pool = m, m.pool
        self.dai, self.weth = a["DAI"], a["WETH"]
        self.a_dai = self.pool.a_token(self.dai)
        self.users = [make_addr(f"atoken-transfer/user{i}") for i in range(2)]
        self.deployer = make_addr("atoken-transfer/deployer")  # `pool.signer`

    def mint_and_deposit_dai(self, user: Address) -> None:
        """Top up `user` with 1000 DAI, approve the Pool, deposit it all."""
        token = self.m.token(self.dai)
        token.mint(user, DAI_AMOUNT_TO_DEPOSIT)
        token.approve(self.pool.address, MAX_UINT256, sender=user)
        self.pool.deposit(self.dai, DAI_AMOUNT_TO_DEPOSIT, user, 0, sender=user)

    def collateral(self, user: Address, asset: Address) -> bool:
        reserve_id = self.pool.get_reserve_data(asset).id
        return self.pool.get_user_configuration(user).is_using_as_collateral(reserve_id)


spec = Steps(Env)


@spec.it(reverted=True)
def user_0_deposits_1000_dai_transfers_1000_to_user_0(e: Env) -> None:
    user0 = e.users[0]
    e.mint_and_deposit_dai(user0)
    assert e.a_dai.transfer(user0, DAI_AMOUNT_TO_DEPOSIT, sender=user0)
    assert e.a_dai.balance_of(user0) == DAI_AMOUNT_TO_DEPOSIT
    assert e.collateral(user0, e.dai)  # a transfer to oneself changes no flag


@spec.it(reverted=True)
def user_0_deposits_1000_dai_disables_it_as_collateral_transfers_1000_to_user_1(e: Env) -> None:
    user0, user1 = e.users
    e.mint_and_deposit_dai(user0)
    e.pool.set_user_use_reserve_as_collateral(e.dai, False, sender=user0)
    assert e.a_dai.transfer(user1, DAI_AMOUNT_TO_DEPOSIT, sender=user0)
    assert e.a_dai.balance_of(user0) == 0
    assert e.a_dai.balance_of(user1) == DAI_AMOUNT_TO_DEPOSIT
    assert not e.collateral(user0, e.dai)
    assert e.collateral(user1, e.dai)  # the receiver's first balance


@spec.it(reverted=True)
def user_0_deposits_1000_dai_transfers_5_to_user_1_twice_then_0(e: Env) -> None:
    user0, user1 = e.users
    e.mint_and_deposit_dai(user0)
    five = 5 * ETHER
    for sent in (1, 2):
        assert e.a_dai.transfer(user1, five, sender=user0)
        assert e.a_dai.balance_of(user0) == DAI_AMOUNT_TO_DEPOSIT - sent * five
        assert e.a_dai.balance_of(user1) == sent * five
    assert e.a_dai.transfer(user1, 0, sender=user0)
    assert e.a_dai.balance_of(user0) == 990 * ETHER
    assert e.a_dai.balance_of(user1) == 10 * ETHER
    assert e.collateral(user0, e.dai)  # a partial transfer keeps the sender's flag
    assert e.collateral(user1, e.dai)


@spec.it()
def user_0_deposits_1000_dai_transfers_to_user_1(e: Env) -> None:
    user0, user1 = e.users
    e.mint_and_deposit_dai(user0)
    assert e.collateral(user0, e.dai)
    assert e.a_dai.transfer(user1, DAI_AMOUNT_TO_DEPOSIT, sender=user0)
    assert e.a_dai.balance_of(user0) == 0
    assert e.a_dai.balance_of(user1) == DAI_AMOUNT_TO_DEPOSIT
    assert not e.collateral(user0, e.dai)  # the whole balance left
    assert e.collateral(user1, e.dai)


@spec.it()
def user_0_deposits_1_weth_and_user_1_borrows_it_with_the_received_dai_as_collateral(
    e: Env,
) -> None:
    user0, user1 = e.users
    weth = e.m.token(e.weth)
    weth.mint(user0, ETHER)
    weth.approve(e.pool.address, MAX_UINT256, sender=user0)
    e.pool.deposit(e.weth, ETHER, e.deployer, 0, sender=user0)  # on behalf of pool.signer
    e.pool.borrow(e.weth, ETHER // 10, 2, 0, user1, sender=user1)
    assert e.pool.variable_debt_token(e.weth).balance_of(user1) == ETHER // 10
    # 1000 DAI x 80% against 0.1 WETH x 4000 USD: HF 2
    assert e.pool.get_user_account_data(user1).health_factor == 2 * ETHER


@spec.it()
def user_1_tries_to_transfer_all_the_dai_used_as_collateral_back_to_user_0(e: Env) -> None:
    user0, user1 = e.users
    err = assert_reverts(
        e.pool,
        ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD,
        e.a_dai.transfer,
        user0,
        DAI_AMOUNT_TO_DEPOSIT,
        sender=user1,
    )
    assert err.context["hf"] == 0  # no collateral left after the transfer


@spec.it()
def user_1_transfers_a_small_amount_of_dai_used_as_collateral_back_to_user_0(e: Env) -> None:
    user0, user1 = e.users
    amount = 100 * ETHER
    assert e.a_dai.transfer(user0, amount, sender=user1)
    assert e.a_dai.balance_of(user0) == amount
    assert e.collateral(user0, e.dai)
    hf = e.pool.get_user_account_data(user1).health_factor
    assert hf == wad_div(percent_mul(900 * 10**8, 8000), 400 * 10**8) == 18 * ETHER // 10


@pytest.mark.parametrize("index", spec.params())
def test_a_token_transfer(index: int) -> None:
    spec.run(index)
