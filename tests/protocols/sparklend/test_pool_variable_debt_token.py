"""Port of aave-v3-core `test-suites/variable-debt-token.spec.ts` (v3.0.x, as kept in
sparkdotfi/sparklend-v1-core `test-suites/`) against the real Pool on
`configurator_market.aave_test_market`. Every upstream case runs between `evmSnapshot` /
`evmRevert`, so each is a test of its own on a fresh market.

Not ported, and why: `getIncentivesController` / `setIncentivesController` (the two
incentives-controller cases; the model has no incentives controller), `getPreviousIndex`
and the `Mint` / `Transfer` events (the model keeps no per-user index and emits no token
events). The event case ("Check Mint and Transfer events when borrowing on behalf") is
ported on the numbers its events carry: the balance increase of the delegator
(`scaled x index_now - scaled x index_before`) and the amount minted (`amount + increase`),
with the index checked against `aave_calculations.compounded_interest`, a port of the
suite helpers' `calcCompoundedInterest`.

The upstream suite lists "User borrows and repays in same block using credit delegation with
zero fees" twice, identically; it is one test here.
"""

from __future__ import annotations

from sparkprime.core.errors import ErrorCode
from sparkprime.core.fixed import RAY, ray_div, ray_mul
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import make_addr

from .aave_calculations import compounded_interest
from .configurator_market import MAX_UINT256, Market, aave_test_market
from .spec_steps import assert_reverts

ETHER = 10**18


class Env:
    def __init__(self) -> None:
        m, a = aave_test_market()
        self.m: Market = m
        self.pool = m.pool
        self.dai, self.usdc, self.weth = a["DAI"], a["USDC"], a["WETH"]
        self.users = [make_addr(f"vdebt/user{i}") for i in range(3)]
        self.deployer = make_addr("vdebt/deployer")
        self.v_dai = self.pool.variable_debt_token(self.dai)

    def mint(self, user: Address, asset: Address, amount: int) -> None:
        token = self.m.token(asset)
        token.mint(user, amount)
        token.approve(self.pool.address, MAX_UINT256, sender=user)

    def supply(self, user: Address, asset: Address, amount: int) -> None:
        self.pool.supply(asset, amount, user, 0, sender=user)


def test_check_initialization():
    e = Env()
    user0, user1 = e.users[0], e.users[1]
    assert e.v_dai.underlying_asset == e.dai
    assert e.v_dai.pool is e.pool
    assert e.v_dai.get_scaled_user_balance_and_supply(user0) == (0, 0)
    # Need to create some debt to do this good
    e.mint(user0, e.dai, 1000 * ETHER)
    e.pool.deposit(e.dai, 1000 * ETHER, user0, 0, sender=user0)
    e.mint(user1, e.weth, 10 * ETHER)
    e.pool.deposit(e.weth, 10 * ETHER, user1, 0, sender=user1)
    e.pool.borrow(e.dai, 200 * ETHER, 2, 0, user1, sender=user1)
    scaled_0, supply_0 = e.v_dai.get_scaled_user_balance_and_supply(user0)
    scaled_1, supply_1 = e.v_dai.get_scaled_user_balance_and_supply(user1)
    assert scaled_0 == 0
    assert supply_0 > 0
    assert supply_1 > 0
    assert supply_0 == supply_1
    # the first borrow, at index 1: scaled = amount
    assert scaled_1 == supply_1 == ray_div(200 * ETHER, RAY) == 200 * ETHER


def test_tries_to_mint_not_being_the_pool():
    e = Env()
    assert_reverts(
        e.pool,
        ErrorCode.CALLER_MUST_BE_POOL,
        e.v_dai.mint,
        e.deployer,
        e.deployer,
        1,
        1,
        sender=e.deployer,
    )


def test_tries_to_burn_not_being_the_pool():
    e = Env()
    assert_reverts(
        e.pool, ErrorCode.CALLER_MUST_BE_POOL, e.v_dai.burn, e.deployer, 1, 1, sender=e.deployer
    )


def test_tries_to_mint_with_amount_scaled_zero():
    e = Env()
    user0 = e.users[0]
    assert_reverts(  # the Pool impersonated
        e.pool,
        ErrorCode.INVALID_MINT_AMOUNT,
        e.v_dai.mint,
        user0,
        user0,
        0,
        RAY,
        sender=e.pool.address,
    )


def test_tries_to_burn_with_amount_scaled_zero():
    e = Env()
    assert_reverts(
        e.pool,
        ErrorCode.INVALID_BURN_AMOUNT,
        e.v_dai.burn,
        e.users[0],
        0,
        RAY,
        sender=e.pool.address,
    )


def test_tries_to_transfer_debt_tokens():
    e = Env()
    user0, user1 = e.users[0], e.users[1]
    assert_reverts(
        e.pool, ErrorCode.OPERATION_NOT_SUPPORTED, e.v_dai.transfer, user1, 500, sender=user0
    )


def test_tries_to_approve_debt_tokens():
    e = Env()
    user0, user1 = e.users[0], e.users[1]
    assert_reverts(
        e.pool, ErrorCode.OPERATION_NOT_SUPPORTED, e.v_dai.approve, user1, 500, sender=user0
    )
    assert_reverts(e.pool, ErrorCode.OPERATION_NOT_SUPPORTED, e.v_dai.allowance, user0, user1)


def test_tries_to_transfer_from_debt_tokens():
    e = Env()
    user0, user1 = e.users[0], e.users[1]
    assert_reverts(
        e.pool,
        ErrorCode.OPERATION_NOT_SUPPORTED,
        e.v_dai.transfer_from,
        user0,
        user1,
        500,
        sender=user0,
    )


def test_mint_values_when_borrowing_on_behalf():
    """The numbers of upstream's `Mint` / `Transfer` events, from the balances and indexes."""
    e = Env()
    user1, user2, user3 = e.users
    # Add liquidity
    e.mint(user3, e.dai, 1000 * ETHER)
    e.supply(user3, e.dai, 1000 * ETHER)
    # User1 supplies 10 WETH and borrows 100 DAI
    e.mint(user1, e.weth, 10 * ETHER)
    e.supply(user1, e.weth, 10 * ETHER)
    assert e.v_dai.balance_of(user2) == 0
    borrow_amount = 100 * ETHER
    e.pool.borrow(e.dai, borrow_amount, 2, 0, user1, sender=user1)
    index_before = e.pool.get_reserve_data(e.dai).variable_borrow_index
    rate = e.pool.get_reserve_data(e.dai).current_variable_borrow_rate
    last_update = e.pool.get_reserve_data(e.dai).last_update_timestamp
    scaled_before = e.v_dai.scaled_balance_of(user1)
    # User1 lets user2 borrow 1000 DAI
    e.v_dai.approve_delegation(user2, 1000 * ETHER, sender=user1)

    e.m.clock.skip(24 * 3600)  # interest accrues

    # User2 borrows 100 DAI on behalf of user1
    on_behalf_amount = 100 * ETHER
    e.pool.borrow(e.dai, on_behalf_amount, 2, 0, user1, sender=user2)
    index_now = e.pool.get_reserve_data(e.dai).variable_borrow_index
    assert index_now == ray_mul(compounded_interest(rate, e.m.clock.now, last_update), index_before)
    assert index_before == RAY  # the first borrow of the reserve

    after = e.v_dai.balance_of(user1)
    interest = after - borrow_amount - on_behalf_amount
    # VariableDebtToken._mintScaled: balanceIncrease and the amount it mints (event values)
    balance_increase = ray_mul(scaled_before, index_now) - ray_mul(scaled_before, index_before)
    amount_to_mint = on_behalf_amount + balance_increase
    assert interest > 0
    assert abs(amount_to_mint - (on_behalf_amount + interest)) <= 2  # upstream's closeTo(.., 2)
    assert abs(balance_increase - interest) <= 2
    assert e.v_dai.borrow_allowance(user1, user2) == 900 * ETHER
    assert e.m.token(e.dai).balance_of(user2) == on_behalf_amount


def test_user_borrows_and_repays_in_the_same_block_with_zero_fees():
    e = Env()
    user = e.users[0]
    a_dai = e.pool.a_token(e.dai).address
    # We need some debt: USDC collateral (parseEther on a 6-decimal token, as upstream), and
    # 2000 DAI of cash given straight to the aToken (no supplier)
    e.mint(user, e.usdc, 2000 * ETHER)
    e.pool.deposit(e.usdc, 2000 * ETHER, user, 0, sender=user)
    dai = e.m.token(e.dai)
    dai.mint(user, 2000 * ETHER)
    dai.transfer(a_dai, 2000 * ETHER, sender=user)
    dai.approve(e.pool.address, MAX_UINT256, sender=user)
    before = e.pool.get_user_account_data(user)
    assert e.v_dai.balance_of(user) == 0

    e.pool.borrow(e.dai, 500 * ETHER, 2, 0, user, sender=user)
    assert e.pool.repay(e.dai, 500 * ETHER, 2, user, sender=user) == 500 * ETHER  # same block

    assert e.v_dai.balance_of(user) == 0
    assert dai.balance_of(user) == 0
    assert dai.balance_of(a_dai) == 2000 * ETHER
    after = e.pool.get_user_account_data(user)
    assert before.total_collateral_base <= after.total_collateral_base
    assert before.health_factor <= after.health_factor
    assert before.total_debt_base == after.total_debt_base == 0
    assert after == before
    reserve_id = e.pool.get_reserve_data(e.dai).id
    assert not e.pool.get_user_configuration(user).is_borrowing(reserve_id)


def test_user_borrows_and_repays_in_the_same_block_using_credit_delegation_with_zero_fees():
    e = Env()
    user1, user2, user3 = e.users
    a_dai = e.pool.a_token(e.dai).address
    dai = e.m.token(e.dai)
    # Add liquidity
    e.mint(user3, e.dai, 1000 * ETHER)
    e.supply(user3, e.dai, 1000 * ETHER)
    # User1 supplies 10 WETH and holds 100 DAI to repay with
    e.mint(user1, e.dai, 100 * ETHER)
    e.mint(user1, e.weth, 10 * ETHER)
    e.supply(user1, e.weth, 10 * ETHER)
    # User1 lets User2 borrow 1000 DAI
    e.v_dai.approve_delegation(user2, 1000 * ETHER, sender=user1)
    before = e.pool.get_user_account_data(user1)

    # User2 borrows 2 DAI on behalf of User1, who repays in the same block
    e.pool.borrow(e.dai, 2 * ETHER, 2, 0, user1, sender=user2)
    assert e.pool.repay(e.dai, 2 * ETHER, 2, user1, sender=user1) == 2 * ETHER

    assert e.v_dai.balance_of(user1) == 0
    assert dai.balance_of(user2) == 2 * ETHER
    assert dai.balance_of(a_dai) == 1000 * ETHER
    after = e.pool.get_user_account_data(user1)
    assert before.total_collateral_base <= after.total_collateral_base
    assert before.health_factor <= after.health_factor
    assert before.total_debt_base == after.total_debt_base == 0
    assert e.v_dai.borrow_allowance(user1, user2) == 998 * ETHER
