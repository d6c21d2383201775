"""Hypothesis properties of Morpho Blue and MetaMorpho beyond the ported suites.

- rounding never favours the user: supply then withdraw every share returns <= the supply,
  and a borrower never owes less than borrowed;
- after any sequence of actions and accruals, total borrow <= total supply, the market's
  token balance covers supply - borrow, and shares sum to the totals;
- the vault's total assets are the sum of its expected positions (plus lost assets, zero
  without bad debt), and a vault depositor never gets back more than deposited plus interest;
- a refused call changes nothing.
"""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ProtocolError
from sparkprime.protocols.sparklend.addresses import make_addr
from tests.protocols.morpho.morpho_env import BORROWER, ONBEHALF, RECEIVER, SUPPLIER, make_env
from tests.protocols.morpho.test_vault import make_vault

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
amounts = st.integers(1, 10**30)


@settings(max_examples=100 * FUZZ, deadline=None)
@given(first=amounts, mine=amounts)
def test_supply_then_withdraw_never_favours_the_user(first: int, mine: int):
    env = make_env()
    alice = make_addr("alice")
    env.deal(env.loan, SUPPLIER, first)
    env.morpho.supply(env.params, first, 0, SUPPLIER, sender=SUPPLIER)
    env.deal(env.loan, alice, mine)
    _, shares = env.morpho.supply(env.params, mine, 0, alice, sender=alice)
    # Without time passing, the round trip can only lose (rounding favours the market).
    got, _ = env.morpho.withdraw(env.params, 0, shares, alice, alice, sender=alice)
    assert got <= mine
    # Buying the same shares back by `shares` costs at least what withdrawing paid.
    env.deal(env.loan, alice, 2 * mine)
    paid, _ = env.morpho.supply(env.params, 0, shares, alice, sender=alice)
    assert paid >= got


ops = st.lists(
    st.tuples(
        st.sampled_from(["supply", "withdraw", "borrow", "repay", "skip", "collateral"]),
        st.integers(0, 10**26),
    ),
    max_size=25,
)


@settings(max_examples=60 * FUZZ, deadline=None)
@given(steps=ops, fee=st.integers(0, 25 * 10**16))
def test_market_invariants_over_a_random_walk(steps: list[tuple[str, int]], fee: int):
    env = make_env()
    m, p = env.morpho, env.params
    if fee:
        m.set_fee(p, fee, sender=make_addr("Owner"))
    env.deal(env.loan, SUPPLIER, 10**30)
    env.deal(env.loan, BORROWER, 10**30)
    env.deal(env.collateral, BORROWER, 10**30)
    for op, x in steps:
        before = (m.market(env.id), env.loan.balances(), env.collateral.balances())
        try:
            if op == "supply":
                m.supply(p, x, 0, SUPPLIER, sender=SUPPLIER)
            elif op == "withdraw":
                m.withdraw(p, x, 0, SUPPLIER, SUPPLIER, sender=SUPPLIER)
            elif op == "borrow":
                m.borrow(p, x, 0, BORROWER, BORROWER, sender=BORROWER)
            elif op == "repay":
                m.repay(p, x, 0, BORROWER, sender=BORROWER)
            elif op == "collateral":
                m.supply_collateral(p, x, BORROWER, sender=BORROWER)
            else:
                env.clock.skip(x % 10**7)
                m.accrue_interest(p, sender=SUPPLIER)
        except ProtocolError:
            assert (m.market(env.id), env.loan.balances(), env.collateral.balances()) == before
        mk = m.market(env.id)
        assert mk.total_borrow_assets <= mk.total_supply_assets
        assert env.loan.balance_of(m.address) >= mk.total_supply_assets - mk.total_borrow_assets
        supply_shares = sum(
            m.position(env.id, a).supply_shares
            for a in (SUPPLIER, BORROWER, make_addr("FeeRecipient"))
        )
        assert supply_shares == mk.total_supply_shares
        assert m.position(env.id, BORROWER).borrow_shares == mk.total_borrow_shares
        # A borrower always owes at least the market's recorded borrow (rounded up).
        assert m.expected_borrow_assets(p, BORROWER) >= mk.total_borrow_assets


vault_ops = st.lists(
    st.tuples(
        st.sampled_from(["deposit", "mint", "withdraw", "redeem", "skip", "borrow"]),
        st.integers(0, 10**24),
    ),
    max_size=20,
)


@settings(max_examples=50 * FUZZ, deadline=None)
@given(steps=vault_ops)
def test_vault_total_assets_is_the_sum_of_its_positions(steps: list[tuple[str, int]]):
    ve = make_vault(cap=10**25)
    vault, env = ve.vault, ve.env
    ve.fund(SUPPLIER, 10**30)
    env.deal(env.collateral, BORROWER, 10**30)
    env.morpho.supply_collateral(env.params, 10**30, BORROWER, sender=BORROWER)
    deposited = withdrawn = 0
    for op, x in steps:
        try:
            if op == "deposit":
                vault.deposit(x, ONBEHALF, sender=SUPPLIER)
                deposited += x
            elif op == "mint":
                deposited += vault.mint(x, ONBEHALF, sender=SUPPLIER)
            elif op == "withdraw":
                vault.withdraw(x, RECEIVER, ONBEHALF, sender=ONBEHALF)
                withdrawn += x
            elif op == "redeem":
                withdrawn += vault.redeem(x, RECEIVER, ONBEHALF, sender=ONBEHALF)
            elif op == "borrow":
                env.morpho.borrow(env.params, x, 0, BORROWER, BORROWER, sender=BORROWER)
            else:
                env.clock.skip(x % 10**7)
        except ProtocolError:
            pass
        held = sum(
            env.morpho.expected_supply_assets(params, vault.address)
            for params in (env.params, ve.idle)
        )
        assert vault.total_assets() == held + vault.lost_assets
        assert vault.lost_assets == 0
        # The depositor's claim never exceeds what the vault holds.
        assert vault.convert_to_assets(vault.balance_of(ONBEHALF)) <= vault.total_assets()
    # Redeeming everything returns at most deposits plus the interest the vault earned.
    shares = vault.balance_of(ONBEHALF)
    if shares and vault.max_redeem(ONBEHALF) == shares:
        interest = vault.total_assets() - (deposited - withdrawn)
        out = vault.redeem(shares, RECEIVER, ONBEHALF, sender=ONBEHALF)
        assert out <= deposited - withdrawn + max(interest, 0)
        assert env.loan.balance_of(RECEIVER) == withdrawn + out
    assert env.loan.balance_of(vault.address) == 0
