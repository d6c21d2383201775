"""Morpho Blue market actions, ported from morpho-blue `test/forge/integration/*` (v1.0).

`AccrueInterestIntegrationTest.sol` (@0187e946): no time elapsed, no borrow, no fee, with
fee (the IrmMock's rate utilization / 365 days; interest = totalBorrow * wTaylorCompounded;
fee shares priced without the fee). `LiquidateIntegrationTest.sol` (@040ae2e6, its v1.0
formulas: seized input -> repaid shares toSharesUp, repaid assets toAssetsUp): healthy
position, seized input, shares input, bad debt. Revert reasons of supply, withdraw, borrow,
repay, collateral and owner calls (`ErrorsLib`), and all-or-nothing rollbacks.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.morpho.market_math import (
    MAX_FEE,
    ORACLE_PRICE_SCALE,
    VIRTUAL_SHARES,
    WAD,
    MarketParams,
    liquidation_incentive_factor,
    mul_div_down,
    mul_div_up,
    to_assets_up,
    to_shares_down,
    to_shares_up,
    w_div_down,
    w_div_up,
    w_mul_down,
    w_taylor_compounded,
)
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from tests.protocols.morpho.morpho_env import (
    BORROWER,
    FEE_RECIPIENT,
    LIQUIDATOR,
    LLTV,
    MAX_TEST_AMOUNT,
    OWNER,
    RECEIVER,
    SUPPLIER,
    Env,
    make_env,
)

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
YEAR = 365 * 86_400


def _reason(exc: pytest.ExceptionInfo[ProtocolError]) -> str:
    return str(exc.value.context.get("reason"))


def _borrow_setup(env: Env, supplied: int, collateral: int, borrowed: int) -> None:
    env.deal(env.loan, SUPPLIER, supplied)
    env.morpho.supply(env.params, supplied, 0, SUPPLIER, sender=SUPPLIER)
    env.deal(env.collateral, BORROWER, collateral)
    env.morpho.supply_collateral(env.params, collateral, BORROWER, sender=BORROWER)
    env.morpho.borrow(env.params, borrowed, 0, BORROWER, BORROWER, sender=BORROWER)


# --- accrue interest ---


def test_accrue_interest_market_not_created():
    env = make_env()
    other = MarketParams(
        loan_token=env.loan.address,
        collateral_token=env.collateral.address,
        oracle=env.oracle.address,
        irm=env.irm.address,
        lltv=1,
    )
    with pytest.raises(ProtocolError) as err:
        env.morpho.accrue_interest(other, sender=SUPPLIER)
    assert err.value.code is ErrorCode.MORPHO_MARKET_NOT_CREATED
    assert _reason(err) == "market not created"


@settings(max_examples=30 * FUZZ, deadline=None)
@given(supplied=st.integers(2, MAX_TEST_AMOUNT), blocks=st.integers(1, 2**32 - 1))
def test_accrue_interest_no_borrow(supplied: int, blocks: int):
    env = make_env()
    env.deal(env.loan, SUPPLIER, supplied)
    env.morpho.supply(env.params, supplied, 0, SUPPLIER, sender=SUPPLIER)
    env.clock.skip(blocks)
    before = env.morpho.market(env.id)
    env.morpho.accrue_interest(env.params, sender=SUPPLIER)
    after = env.morpho.market(env.id)
    assert after.total_borrow_assets == before.total_borrow_assets
    assert after.total_supply_assets == before.total_supply_assets
    assert after.total_supply_shares == before.total_supply_shares
    assert env.morpho.position(env.id, FEE_RECIPIENT).supply_shares == 0
    assert after.last_update == env.clock.now


@settings(max_examples=50 * FUZZ, deadline=None)
@given(
    borrowed=st.integers(1, 10**27),
    extra=st.integers(0, 10**27),
    blocks=st.integers(0, 10 * YEAR),
    fee=st.integers(0, MAX_FEE),
)
def test_accrue_interest(borrowed: int, extra: int, blocks: int, fee: int):
    # testAccrueInterestNoTimeElapsed / NoFee / WithFees in one: the same formulas.
    env = make_env()
    if fee:
        env.morpho.set_fee(env.params, fee, sender=OWNER)
    _borrow_setup(env, borrowed + extra, 2 * borrowed, borrowed)
    env.clock.skip(blocks)
    m = env.morpho.market(env.id)
    rate = w_div_down(m.total_borrow_assets, m.total_supply_assets) // YEAR
    interest = w_mul_down(m.total_borrow_assets, w_taylor_compounded(rate, blocks))
    fee_amount = w_mul_down(interest, fee)
    fee_shares = to_shares_down(
        fee_amount, m.total_supply_assets + interest - fee_amount, m.total_supply_shares
    )
    if blocks == 0:
        interest = fee_shares = 0
    env.morpho.accrue_interest(env.params, sender=SUPPLIER)
    after = env.morpho.market(env.id)
    assert after.total_borrow_assets == m.total_borrow_assets + interest
    assert after.total_supply_assets == m.total_supply_assets + interest
    assert after.total_supply_shares == m.total_supply_shares + fee_shares
    assert env.morpho.position(env.id, FEE_RECIPIENT).supply_shares == fee_shares
    assert after.last_update == env.clock.now


# --- liquidation ---


def _liquidation_setup(env: Env, supplied: int, collateral: int, borrowed: int, price: int):
    # Borrow at a huge price, then drop it (as the upstream tests do).
    env.oracle.set_price(2**256 // (collateral + 1))
    _borrow_setup(env, supplied, collateral, borrowed)
    env.oracle.set_price(price)
    env.deal(env.loan, LIQUIDATOR, borrowed)


def test_liquidate_healthy_position_and_input_checks():
    env = make_env()
    _borrow_setup(env, 10 * WAD, 10 * WAD, 5 * WAD)
    env.deal(env.loan, LIQUIDATOR, 5 * WAD)
    for seized, shares, code, reason in (
        (0, 0, ErrorCode.MORPHO_INCONSISTENT_INPUT, "inconsistent input"),
        (1, 1, ErrorCode.MORPHO_INCONSISTENT_INPUT, "inconsistent input"),
        (WAD, 0, ErrorCode.MORPHO_HEALTHY_POSITION, "position is healthy"),
    ):
        with pytest.raises(ProtocolError) as err:
            env.morpho.liquidate(env.params, BORROWER, seized, shares, sender=LIQUIDATOR)
        assert err.value.code is code
        assert _reason(err) == reason


def test_liquidation_incentive_factor():
    # min(1.15, 1 / (1 - 0.3 * (1 - lltv))): 0.8 -> 1/0.94, 0.945 -> 1/0.9835, 0 -> 1.15.
    assert liquidation_incentive_factor(8 * 10**17) == WAD * WAD // (94 * 10**16)
    assert liquidation_incentive_factor(945 * 10**15) == WAD * WAD // (9835 * 10**14)
    assert liquidation_incentive_factor(0) == 115 * 10**16


unhealthy = st.tuples(
    st.integers(2, 10**24),  # collateral
    st.integers(10**17, 10**19),  # price as a fraction of 1e36 (1e18 = par)
    st.integers(81, 99),  # borrow percent of collateral value (above the 80% LLTV)
)


@settings(max_examples=50 * FUZZ, deadline=None)
@given(params=unhealthy, seize_f=st.integers(1, 10**6))
def test_liquidate_seized_input_no_bad_debt(params: tuple[int, int, int], seize_f: int):
    collateral, price_f, pct = params
    price = price_f * 10**18
    value = mul_div_down(collateral, price, ORACLE_PRICE_SCALE)
    borrowed = value * pct // 100
    assume(borrowed > w_mul_down(value, LLTV))  # _boundUnhealthyPosition
    env = make_env()
    _liquidation_setup(env, borrowed, collateral, borrowed, price)
    lif = liquidation_incentive_factor(env.params.lltv)
    max_seized = mul_div_down(w_mul_down(borrowed, lif), ORACLE_PRICE_SCALE, price)
    seized = max(1, min(max_seized, collateral - 1) * seize_f // 10**6)
    m = env.morpho.market(env.id)
    exp_shares = to_shares_up(
        w_div_up(mul_div_up(seized, price, ORACLE_PRICE_SCALE), lif),
        m.total_borrow_assets,
        m.total_borrow_shares,
    )
    exp_repaid = to_assets_up(exp_shares, m.total_borrow_assets, m.total_borrow_shares)
    if exp_shares > m.total_borrow_shares:
        return
    got = env.morpho.liquidate(env.params, BORROWER, seized, 0, sender=LIQUIDATOR)
    assert got == (seized, exp_repaid)
    borrow_shares = to_shares_up(borrowed, 0, 0) - exp_shares
    assert env.morpho.position(env.id, BORROWER).borrow_shares == borrow_shares
    assert env.morpho.market(env.id).total_borrow_assets == borrowed - exp_repaid
    assert env.morpho.market(env.id).total_borrow_shares == borrow_shares
    assert env.morpho.position(env.id, BORROWER).collateral == collateral - seized
    assert env.loan.balance_of(LIQUIDATOR) == borrowed - exp_repaid
    assert env.loan.balance_of(env.morpho.address) == exp_repaid
    assert env.collateral.balance_of(LIQUIDATOR) == seized
    assert env.collateral.balance_of(env.morpho.address) == collateral - seized


@settings(max_examples=50 * FUZZ, deadline=None)
@given(params=unhealthy, repay_f=st.integers(1, 10**6))
def test_liquidate_shares_input_no_bad_debt(params: tuple[int, int, int], repay_f: int):
    collateral, price_f, pct = params
    price = price_f * 10**18
    value = mul_div_down(collateral, price, ORACLE_PRICE_SCALE)
    borrowed = value * pct // 100
    assume(borrowed > w_mul_down(value, LLTV))  # _boundUnhealthyPosition
    env = make_env()
    _liquidation_setup(env, borrowed, collateral, borrowed, price)
    lif = liquidation_incentive_factor(env.params.lltv)
    borrow_shares = to_shares_up(borrowed, 0, 0)
    max_repaid_shares = w_div_down(mul_div_down(collateral, price, ORACLE_PRICE_SCALE), lif)
    shares = max(1, min(max_repaid_shares, borrow_shares) * repay_f // 10**6)
    exp_repaid = to_assets_up(shares, borrowed, borrow_shares)
    exp_seized = mul_div_down(
        w_mul_down(shares * (borrowed + 1) // (borrow_shares + VIRTUAL_SHARES), lif),
        ORACLE_PRICE_SCALE,
        price,
    )
    if exp_seized >= collateral:
        return
    got = env.morpho.liquidate(env.params, BORROWER, 0, shares, sender=LIQUIDATOR)
    assert got == (exp_seized, exp_repaid)
    assert env.morpho.position(env.id, BORROWER).borrow_shares == borrow_shares - shares
    assert env.morpho.market(env.id).total_borrow_assets == borrowed - exp_repaid
    assert env.morpho.position(env.id, BORROWER).collateral == collateral - exp_seized
    assert env.collateral.balance_of(LIQUIDATOR) == exp_seized


@settings(max_examples=50 * FUZZ, deadline=None)
@given(collateral=st.integers(2, 10**24), extra_supply=st.integers(0, 10**24))
def test_liquidate_bad_debt(collateral: int, extra_supply: int):
    env = make_env()
    price = 10**36
    borrowed = w_mul_down(collateral, env.params.lltv)
    if borrowed == 0:
        return
    supplied = borrowed + extra_supply
    _liquidation_setup(env, supplied, collateral, borrowed, price)
    env.oracle.set_price(price // 2)  # now deep under water
    price //= 2
    lif = liquidation_incentive_factor(env.params.lltv)
    m = env.morpho.market(env.id)
    exp_shares = to_shares_up(
        w_div_up(mul_div_up(collateral, price, ORACLE_PRICE_SCALE), lif),
        m.total_borrow_assets,
        m.total_borrow_shares,
    )
    exp_repaid = to_assets_up(exp_shares, m.total_borrow_assets, m.total_borrow_shares)
    left_shares = m.total_borrow_shares - exp_shares
    exp_bad_debt = min(
        m.total_borrow_assets - exp_repaid,
        to_assets_up(left_shares, m.total_borrow_assets - exp_repaid, left_shares),
    )
    got = env.morpho.liquidate(env.params, BORROWER, collateral, 0, sender=LIQUIDATOR)
    assert got == (collateral, exp_repaid)
    after = env.morpho.market(env.id)
    assert env.morpho.position(env.id, BORROWER).collateral == 0
    assert env.morpho.position(env.id, BORROWER).borrow_shares == 0
    assert after.total_borrow_shares == 0
    assert after.total_borrow_assets == m.total_borrow_assets - exp_repaid - exp_bad_debt
    assert after.total_supply_assets == m.total_supply_assets - exp_bad_debt
    assert env.collateral.balance_of(LIQUIDATOR) == collateral


# --- reverts of the other actions ---


def test_revert_reasons():
    env = make_env()
    m, p = env.morpho, env.params
    env.deal(env.loan, SUPPLIER, 10 * WAD)
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: m.supply(p, 0, 0, SUPPLIER, sender=SUPPLIER), "inconsistent input"),
        (lambda: m.supply(p, 1, 1, SUPPLIER, sender=SUPPLIER), "inconsistent input"),
        (lambda: m.supply(p, 1, 0, ZERO_ADDRESS, sender=SUPPLIER), "zero address"),
        (lambda: m.withdraw(p, 1, 0, SUPPLIER, ZERO_ADDRESS, sender=SUPPLIER), "zero address"),
        (lambda: m.withdraw(p, 1, 0, SUPPLIER, RECEIVER, sender=BORROWER), "unauthorized"),
        (lambda: m.borrow(p, 1, 0, SUPPLIER, RECEIVER, sender=BORROWER), "unauthorized"),
        (lambda: m.repay(p, 1, 0, ZERO_ADDRESS, sender=SUPPLIER), "zero address"),
        (lambda: m.supply_collateral(p, 0, SUPPLIER, sender=SUPPLIER), "zero assets"),
        (lambda: m.withdraw_collateral(p, 0, SUPPLIER, RECEIVER, sender=SUPPLIER), "zero assets"),
        (lambda: m.set_fee(p, MAX_FEE + 1, sender=OWNER), "max fee exceeded"),
        (lambda: m.set_fee(p, 1, sender=SUPPLIER), "not owner"),
        (lambda: m.enable_lltv(WAD, sender=OWNER), "max LLTV exceeded"),
        (lambda: m.enable_lltv(p.lltv, sender=OWNER), "already set"),
        (lambda: m.enable_irm(p.irm, sender=OWNER), "already set"),
        (lambda: m.create_market(p, sender=SUPPLIER), "market already created"),
        (lambda: m.set_fee_recipient(FEE_RECIPIENT, sender=OWNER), "already set"),
    ]
    for call, reason in cases:
        with pytest.raises(ProtocolError) as err:
            call()
        assert _reason(err) == reason
    lltv_off = MarketParams(
        loan_token=p.loan_token,
        collateral_token=p.collateral_token,
        oracle=p.oracle,
        irm=p.irm,
        lltv=1,
    )
    with pytest.raises(ProtocolError) as err:
        m.create_market(lltv_off, sender=SUPPLIER)
    assert _reason(err) == "LLTV not enabled"
    irm_off = MarketParams(
        loan_token=p.loan_token,
        collateral_token=p.collateral_token,
        oracle=p.oracle,
        irm=make_addr("other irm"),
        lltv=p.lltv,
    )
    with pytest.raises(ProtocolError) as err:
        m.create_market(irm_off, sender=SUPPLIER)
    assert _reason(err) == "IRM not enabled"


def test_borrow_checks_collateral_then_liquidity_and_rolls_back():
    env = make_env()
    env.deal(env.loan, SUPPLIER, 10 * WAD)
    env.morpho.supply(env.params, 10 * WAD, 0, SUPPLIER, sender=SUPPLIER)
    env.deal(env.collateral, BORROWER, 100 * WAD)
    env.morpho.supply_collateral(env.params, 10 * WAD, BORROWER, sender=BORROWER)
    market_before = env.morpho.market(env.id)
    # 10 collateral at par, LLTV 0.8: 8 is the most; 8 + 1 wei is not healthy.
    with pytest.raises(ProtocolError) as err:
        env.morpho.borrow(env.params, 8 * WAD + 1, 0, BORROWER, BORROWER, sender=BORROWER)
    assert _reason(err) == "insufficient collateral"
    assert env.morpho.market(env.id) == market_before
    assert env.morpho.position(env.id, BORROWER).borrow_shares == 0
    env.morpho.borrow(env.params, 8 * WAD, 0, BORROWER, BORROWER, sender=BORROWER)
    env.morpho.supply_collateral(env.params, 90 * WAD, BORROWER, sender=BORROWER)
    with pytest.raises(ProtocolError) as err:
        env.morpho.borrow(env.params, 2 * WAD + 1, 0, BORROWER, BORROWER, sender=BORROWER)
    assert _reason(err) == "insufficient liquidity"
    with pytest.raises(ProtocolError) as err:
        env.morpho.withdraw(env.params, 2 * WAD + 1, 0, SUPPLIER, SUPPLIER, sender=SUPPLIER)
    assert _reason(err) == "insufficient liquidity"
    with pytest.raises(ProtocolError) as err:
        env.morpho.withdraw_collateral(
            env.params, 90 * WAD + 1, BORROWER, BORROWER, sender=BORROWER
        )
    assert _reason(err) == "insufficient collateral"


def test_authorization_lets_a_manager_borrow_and_withdraw():
    env = make_env()
    manager = make_addr("manager")
    _borrow_setup(env, 10 * WAD, 10 * WAD, WAD)
    env.morpho.set_authorization(manager, True, sender=BORROWER)
    env.morpho.borrow(env.params, WAD, 0, BORROWER, manager, sender=manager)
    assert env.loan.balance_of(manager) == WAD
    with pytest.raises(ProtocolError) as err:
        env.morpho.set_authorization(manager, True, sender=BORROWER)
    assert _reason(err) == "already set"


def test_repay_all_by_shares_clears_the_debt():
    env = make_env()
    _borrow_setup(env, 10 * WAD, 10 * WAD, 3 * WAD)
    env.clock.skip(YEAR)
    shares = env.morpho.position(env.id, BORROWER).borrow_shares
    env.deal(env.loan, BORROWER, 10 * WAD)
    assets, repaid_shares = env.morpho.repay(env.params, 0, shares, BORROWER, sender=BORROWER)
    m = env.morpho.market(env.id)
    assert repaid_shares == shares
    assert m.total_borrow_shares == 0
    assert m.total_borrow_assets == 0
    # Interest was charged: more than the 3 borrowed came back.
    assert assets > 3 * WAD
    assert env.loan.balance_of(BORROWER) == 10 * WAD - assets  # deal set it to 10
