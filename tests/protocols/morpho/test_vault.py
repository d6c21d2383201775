"""MetaMorpho v1.1 as an ERC-4626 vault over Morpho Blue.

Ported from morpho-org/metamorpho-v1.1 `test/forge/ERC4626Test.sol` (@10d8962e): mint,
deposit, redeem, withdraw (also from idle), redeem/withdraw too much, not approved, transfer,
transferFrom, maxWithdraw with borrowed liquidity, maxDeposit at a reached cap. The setup is
the suite's `IntegrationTest`: one lending market and the idle market (zero IRM) last in the
supply queue. Their fuzzed amounts become Hypothesis draws; `CAP` here is large enough that
the fuzzed deposits fit the first market (the suite's own constant is not in the stored copy).
`testWithdrawMoreThanTotalAssets` expects `arithmeticError` at that commit; v1.1's
`_withdraw` clamps `lastTotalAssets` first ("so the error raised is the more informative
NotEnoughLiquidity"), which is what this model raises.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.morpho.market_math import WAD, MarketId, MarketParams, market_id
from sparkprime.protocols.morpho.vault import MarketAllocation, MetaMorpho
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from tests.protocols.morpho.morpho_env import (
    BORROWER,
    MAX_U256,
    ONBEHALF,
    OWNER,
    RECEIVER,
    SUPPLIER,
    Env,
    idle_params,
    make_env,
)

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
MIN_TEST_ASSETS = 10**8
MAX_TEST_ASSETS = 10**28
CAP = 10**30
CURATOR = make_addr("Curator")
ALLOCATOR = make_addr("Allocator")
FEE_TO = make_addr("VaultFeeRecipient")


@dataclasses.dataclass
class VaultEnv:
    env: Env
    vault: MetaMorpho
    idle: MarketParams

    def set_cap(self, params: MarketParams, cap: int) -> None:
        self.vault.submit_cap(params, cap, sender=CURATOR)
        if self.vault.pending_cap(market_id(params)).valid_at:
            self.vault.accept_cap(params, sender=CURATOR)

    def fund(self, who, amount: int) -> None:
        self.env.loan.set_balance(who, amount)
        self.env.loan.approve(self.vault.address, MAX_U256, sender=who)


def make_vault(cap: int = CAP) -> VaultEnv:
    env = make_env()
    morpho = env.morpho
    idle = idle_params(env)
    morpho.enable_irm(ZERO_ADDRESS, sender=OWNER)
    morpho.enable_lltv(0, sender=OWNER)
    morpho.create_market(idle, sender=OWNER)
    vault = MetaMorpho(OWNER, morpho, 0, env.loan, address=make_addr("MetaMorpho"))
    vault.set_curator(CURATOR, sender=OWNER)
    vault.set_is_allocator(ALLOCATOR, True, sender=OWNER)
    ve = VaultEnv(env, vault, idle)
    ve.set_cap(idle, 2**184 - 1)
    if cap:
        ve.set_cap(env.params, cap)
        vault.set_supply_queue([env.id, market_id(idle)], sender=ALLOCATOR)
    else:
        vault.set_supply_queue([market_id(idle)], sender=ALLOCATOR)
    return ve


assets_st = st.integers(MIN_TEST_ASSETS, MAX_TEST_ASSETS)


@settings(max_examples=25 * FUZZ, deadline=None)
@given(assets=assets_st)
def test_mint(assets: int):
    ve = make_vault()
    shares = ve.vault.convert_to_shares(assets)
    ve.fund(SUPPLIER, assets)
    total_before = ve.vault.total_assets()
    deposited = ve.vault.mint(shares, ONBEHALF, sender=SUPPLIER)
    assert deposited > 0
    assert ve.vault.last_total_assets == total_before + deposited
    assert ve.env.loan.balance_of(ve.vault.address) == 0
    assert ve.vault.balance_of(ONBEHALF) == shares
    assert ve.env.morpho.expected_supply_assets(ve.env.params, ve.vault.address) == assets


@settings(max_examples=25 * FUZZ, deadline=None)
@given(assets=assets_st)
def test_deposit(assets: int):
    ve = make_vault()
    ve.fund(SUPPLIER, assets)
    shares = ve.vault.deposit(assets, ONBEHALF, sender=SUPPLIER)
    assert shares > 0
    assert ve.vault.last_total_assets == assets
    assert ve.env.loan.balance_of(ve.vault.address) == 0
    assert ve.vault.balance_of(ONBEHALF) == shares
    assert ve.env.morpho.expected_supply_assets(ve.env.params, ve.vault.address) == assets


@settings(max_examples=25 * FUZZ, deadline=None)
@given(deposited=assets_st, frac=st.integers(0, 10**6))
def test_redeem(deposited: int, frac: int):
    ve = make_vault()
    ve.fund(SUPPLIER, deposited)
    shares = ve.vault.deposit(deposited, ONBEHALF, sender=SUPPLIER)
    redeemed = shares * frac // 10**6
    expected_last = ve.vault.total_assets() - ve.vault.convert_to_assets(redeemed)
    ve.vault.redeem(redeemed, RECEIVER, ONBEHALF, sender=ONBEHALF)
    assert ve.vault.last_total_assets == expected_last
    assert ve.env.loan.balance_of(ve.vault.address) == 0
    assert ve.vault.balance_of(ONBEHALF) == shares - redeemed


@pytest.mark.parametrize("cap", [CAP, 0], ids=["market", "idle"])
@settings(max_examples=20 * FUZZ, deadline=None)
@given(deposited=assets_st, frac=st.integers(0, 10**6))
def test_withdraw(cap: int, deposited: int, frac: int):
    ve = make_vault(cap)
    ve.fund(SUPPLIER, deposited)
    shares = ve.vault.deposit(deposited, ONBEHALF, sender=SUPPLIER)
    withdrawn = deposited * frac // 10**6
    expected_last = ve.vault.total_assets() - withdrawn
    burnt = ve.vault.withdraw(withdrawn, RECEIVER, ONBEHALF, sender=ONBEHALF)
    assert ve.vault.last_total_assets == expected_last
    assert ve.env.loan.balance_of(ve.vault.address) == 0
    assert ve.vault.balance_of(ONBEHALF) == shares - burnt
    assert ve.env.loan.balance_of(RECEIVER) == withdrawn
    if cap == 0:
        held = ve.env.morpho.expected_supply_assets(ve.idle, ve.vault.address)
        assert held == deposited - withdrawn


@settings(max_examples=25 * FUZZ, deadline=None)
@given(deposited=assets_st)
def test_redeem_too_much_and_not_deposited(deposited: int):
    ve = make_vault()
    ve.fund(SUPPLIER, 2 * deposited)
    shares = ve.vault.deposit(deposited, SUPPLIER, sender=SUPPLIER)
    ve.vault.deposit(deposited, ONBEHALF, sender=SUPPLIER)
    with pytest.raises(ProtocolError) as err:
        ve.vault.redeem(shares + 1, RECEIVER, SUPPLIER, sender=SUPPLIER)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert (err.value.context["account"], err.value.context["balance"]) == (SUPPLIER, shares)
    assert err.value.context["amount"] == shares + 1
    with pytest.raises(ProtocolError) as err:
        ve.vault.redeem(shares, RECEIVER, RECEIVER, sender=RECEIVER)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert err.value.context["balance"] == 0


@settings(max_examples=25 * FUZZ, deadline=None)
@given(assets=assets_st)
def test_withdraw_all_and_redeem_all(assets: int):
    ve = make_vault()
    ve.fund(SUPPLIER, 2 * assets)
    minted = ve.vault.deposit(assets, ONBEHALF, sender=SUPPLIER)
    assert ve.vault.max_withdraw(ONBEHALF) == assets
    assert ve.vault.withdraw(assets, RECEIVER, ONBEHALF, sender=ONBEHALF) == minted
    assert ve.vault.balance_of(ONBEHALF) == 0
    assert ve.env.loan.balance_of(RECEIVER) == assets
    assert ve.env.morpho.expected_supply_assets(ve.env.params, ve.vault.address) == 0
    minted = ve.vault.deposit(assets, SUPPLIER, sender=SUPPLIER)
    assert ve.vault.max_redeem(SUPPLIER) == minted
    assert ve.vault.redeem(minted, RECEIVER, SUPPLIER, sender=SUPPLIER) == assets
    assert ve.env.morpho.expected_supply_assets(ve.env.params, ve.vault.address) == 0


@settings(max_examples=25 * FUZZ, deadline=None)
@given(deposited=assets_st)
def test_not_approved(deposited: int):
    ve = make_vault()
    ve.fund(SUPPLIER, deposited)
    shares = ve.vault.deposit(deposited, ONBEHALF, sender=SUPPLIER)
    calls: tuple[tuple[Callable[[], object], int], ...] = (
        (lambda: ve.vault.redeem(shares, RECEIVER, ONBEHALF, sender=RECEIVER), shares),
        (
            lambda: ve.vault.withdraw(deposited, RECEIVER, ONBEHALF, sender=RECEIVER),
            ve.vault.preview_withdraw(deposited),
        ),
        (lambda: ve.vault.transfer_from(ONBEHALF, RECEIVER, shares, sender=SUPPLIER), shares),
    )
    for call, needed in calls:
        with pytest.raises(ProtocolError) as err:
            call()
        assert err.value.code is ErrorCode.INSUFFICIENT_ALLOWANCE
        assert (err.value.context["allowance"], err.value.context["amount"]) == (0, needed)
    assert ve.vault.balance_of(ONBEHALF) == shares


@settings(max_examples=25 * FUZZ, deadline=None)
@given(deposited=assets_st, frac=st.integers(0, 10**6))
def test_transfer_and_transfer_from(deposited: int, frac: int):
    ve = make_vault()
    ve.fund(SUPPLIER, deposited)
    minted = ve.vault.deposit(deposited, ONBEHALF, sender=SUPPLIER)
    amount = minted * frac // 10**6
    ve.vault.approve(SUPPLIER, amount, sender=ONBEHALF)
    ve.vault.transfer_from(ONBEHALF, RECEIVER, amount, sender=SUPPLIER)
    assert ve.vault.balance_of(ONBEHALF) == minted - amount
    assert ve.vault.balance_of(RECEIVER) == amount
    assert ve.vault.balance_of(SUPPLIER) == 0
    ve.vault.transfer(SUPPLIER, amount, sender=RECEIVER)
    assert ve.vault.balance_of(SUPPLIER) == amount


@settings(max_examples=25 * FUZZ, deadline=None)
@given(deposited=assets_st)
def test_withdraw_more_than_balance_but_less_than_total_assets(deposited: int):
    ve = make_vault()
    ve.fund(SUPPLIER, deposited)
    shares = ve.vault.deposit(deposited // 2, ONBEHALF, sender=SUPPLIER)
    ve.vault.deposit(deposited // 2, SUPPLIER, sender=SUPPLIER)
    assets = deposited // 2 + 1
    burnt = ve.vault.preview_withdraw(assets)
    with pytest.raises(ProtocolError) as err:
        ve.vault.withdraw(assets, RECEIVER, ONBEHALF, sender=ONBEHALF)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert (err.value.context["balance"], err.value.context["amount"]) == (shares, burnt)


def _borrow_from_market0(ve: VaultEnv, amount: int) -> None:
    env = ve.env
    env.deal(env.collateral, BORROWER, 2**128 - 1)
    env.morpho.supply_collateral(env.params, 2**128 - 1, BORROWER, sender=BORROWER)
    env.morpho.borrow(env.params, amount, 0, BORROWER, BORROWER, sender=BORROWER)


@settings(max_examples=25 * FUZZ, deadline=None)
@given(deposited=assets_st)
def test_withdraw_more_than_total_assets_and_liquidity(deposited: int):
    ve = make_vault()
    ve.fund(SUPPLIER, deposited)
    ve.vault.deposit(deposited, ONBEHALF, sender=SUPPLIER)
    _borrow_from_market0(ve, 1)
    with pytest.raises(ProtocolError) as err:
        ve.vault.withdraw(deposited + 1, RECEIVER, ONBEHALF, sender=ONBEHALF)
    assert err.value.code is ErrorCode.METAMORPHO_NOT_ENOUGH_LIQUIDITY
    assert err.value.context["reason"] == "NotEnoughLiquidity"


@settings(max_examples=25 * FUZZ, deadline=None)
@given(deposited=assets_st, frac=st.integers(0, 10**6))
def test_max_withdraw(deposited: int, frac: int):
    ve = make_vault()
    borrowed = max(MIN_TEST_ASSETS, deposited * frac // 10**6)
    ve.fund(SUPPLIER, deposited)
    ve.vault.deposit(deposited, ONBEHALF, sender=SUPPLIER)
    _borrow_from_market0(ve, borrowed)
    assert ve.vault.max_withdraw(ONBEHALF) == deposited - borrowed


def test_max_deposit():
    ve = make_vault()
    env, vault = ve.env, ve.vault
    ve.set_cap(env.params, WAD)
    vault.set_supply_queue([env.id], sender=ALLOCATOR)
    env.deal(env.loan, SUPPLIER, WAD)
    env.morpho.supply(env.params, WAD, 0, SUPPLIER, sender=SUPPLIER)
    env.deal(env.collateral, BORROWER, 2 * WAD)
    env.morpho.supply_collateral(env.params, 2 * WAD, BORROWER, sender=BORROWER)
    env.morpho.borrow(env.params, WAD, 0, BORROWER, BORROWER, sender=BORROWER)
    env.clock.skip(1_000)
    ve.fund(SUPPLIER, WAD)
    vault.deposit(WAD, ONBEHALF, sender=SUPPLIER)
    assert vault.max_deposit(SUPPLIER) == 0
    ve.fund(SUPPLIER, 1)
    with pytest.raises(ProtocolError) as err:
        vault.deposit(1, ONBEHALF, sender=SUPPLIER)
    assert err.value.code is ErrorCode.METAMORPHO_ALL_CAPS_REACHED


def test_decimals_offset():
    ve = make_vault()
    assert ve.vault.decimals_offset == 0
    assert ve.vault.decimals == 18


# --- roles, caps, fee, reallocation ---


def test_roles_and_caps():
    ve = make_vault()
    vault, env = ve.vault, ve.env
    stranger = make_addr("stranger")
    with pytest.raises(ProtocolError) as err:
        vault.submit_cap(env.params, 1, sender=stranger)
    assert err.value.code is ErrorCode.METAMORPHO_NOT_CURATOR_ROLE
    with pytest.raises(ProtocolError) as err:
        vault.set_supply_queue([env.id], sender=stranger)
    assert err.value.code is ErrorCode.METAMORPHO_NOT_ALLOCATOR_ROLE
    with pytest.raises(ProtocolError) as err:
        vault.set_curator(stranger, sender=stranger)
    assert err.value.code is ErrorCode.MISSING_ROLE
    with pytest.raises(ProtocolError) as err:
        vault.submit_cap(env.params, CAP, sender=CURATOR)
    assert err.value.code is ErrorCode.METAMORPHO_ALREADY_SET
    with pytest.raises(ProtocolError) as err:
        vault.set_supply_queue(
            [market_id(env.params), MarketId("0x" + "11" * 32)], sender=ALLOCATOR
        )
    assert err.value.code is ErrorCode.METAMORPHO_UNAUTHORIZED_MARKET
    with pytest.raises(ProtocolError) as err:
        vault.accept_cap(env.params, sender=stranger)
    assert err.value.code is ErrorCode.METAMORPHO_NO_PENDING_VALUE


def test_cap_raise_waits_for_the_timelock():
    env = make_env()
    vault = MetaMorpho(OWNER, env.morpho, 86_400, env.loan, address=make_addr("MM2"))
    vault.set_curator(CURATOR, sender=OWNER)
    vault.submit_cap(env.params, WAD, sender=CURATOR)
    assert vault.config(env.id).cap == 0
    with pytest.raises(ProtocolError) as err:
        vault.accept_cap(env.params, sender=OWNER)
    assert err.value.code is ErrorCode.METAMORPHO_TIMELOCK_NOT_ELAPSED
    env.clock.skip(86_400)
    vault.accept_cap(env.params, sender=OWNER)
    assert vault.config(env.id).cap == WAD
    assert vault.withdraw_queue == (env.id,)
    vault.submit_cap(env.params, 1, sender=CURATOR)  # a decrease is immediate
    assert vault.config(env.id).cap == 1
    with pytest.raises(ProtocolError) as err:
        MetaMorpho(OWNER, env.morpho, 15 * 86_400, env.loan, address=make_addr("MM3"))
    assert err.value.code is ErrorCode.METAMORPHO_ABOVE_MAX_TIMELOCK


def test_performance_fee_is_minted_on_interest():
    ve = make_vault()
    vault, env = ve.vault, ve.env
    vault.set_fee_recipient(make_addr("VaultFee"), sender=OWNER)
    vault.set_fee(WAD // 10, sender=OWNER)  # 10%
    ve.fund(SUPPLIER, 100 * WAD)
    vault.deposit(100 * WAD, ONBEHALF, sender=SUPPLIER)
    _borrow_from_market0(ve, 50 * WAD)
    env.clock.skip(365 * 86_400)
    last, supply = vault.last_total_assets, vault.total_supply
    total = vault.total_assets()
    interest = total - last
    assert interest > 0
    fee_assets = interest * (WAD // 10) // WAD
    expected_fee_shares = fee_assets * (supply + 1) // (total - fee_assets + 1)
    vault.deposit(0, ONBEHALF, sender=SUPPLIER)  # any action accrues
    assert vault.balance_of(make_addr("VaultFee")) == expected_fee_shares
    assert vault.last_total_assets == total
    with pytest.raises(ProtocolError) as err:
        vault.set_fee(WAD // 2 + 1, sender=OWNER)
    assert err.value.code is ErrorCode.METAMORPHO_MAX_FEE_EXCEEDED
    with pytest.raises(ProtocolError) as err:
        vault.set_fee_recipient(ZERO_ADDRESS, sender=OWNER)
    assert err.value.code is ErrorCode.METAMORPHO_ZERO_FEE_RECIPIENT


def test_reallocate_moves_supply_between_markets():
    ve = make_vault()
    vault, env = ve.vault, ve.env
    ve.fund(SUPPLIER, 10 * WAD)
    vault.deposit(10 * WAD, ONBEHALF, sender=SUPPLIER)
    vault.reallocate(
        [
            MarketAllocation(market_params=env.params, assets=4 * WAD),
            MarketAllocation(market_params=ve.idle, assets=MAX_U256),
        ],
        sender=ALLOCATOR,
    )
    assert env.morpho.expected_supply_assets(env.params, vault.address) == 4 * WAD
    assert env.morpho.expected_supply_assets(ve.idle, vault.address) == 6 * WAD
    assert vault.total_assets() == 10 * WAD
    with pytest.raises(ProtocolError) as err:
        vault.reallocate([MarketAllocation(market_params=env.params, assets=WAD)], sender=ALLOCATOR)
    assert err.value.code is ErrorCode.METAMORPHO_INCONSISTENT_REALLOCATION
    assert env.morpho.expected_supply_assets(env.params, vault.address) == 4 * WAD


def test_supply_rate_helpers():
    ve = make_vault()
    vault = ve.vault
    assert vault.supply_rate_ray() == 0
    ve.fund(SUPPLIER, 100 * WAD)
    vault.deposit(100 * WAD, ONBEHALF, sender=SUPPLIER)
    _borrow_from_market0(ve, 50 * WAD)
    # IrmMock: borrow rate = 50% / year; supply rate = 50% * 50% utilization = 25% / year.
    borrow_rate = (WAD // 2) // (365 * 86_400)
    per_s = borrow_rate * (WAD // 2) // WAD
    assert vault.supply_rate_ray() == per_s * 365 * 86_400 * 10**9
    assert vault.supply_apy() > vault.supply_rate_ray()
