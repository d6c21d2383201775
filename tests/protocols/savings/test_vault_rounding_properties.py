"""ERC-4626 rounding never favours the user, for sDAI and sUSDS, against the exact rational
values (test_vaults.py checks previews against each other; this checks them against
assets * RAY / chi and shares * chi / RAY as fractions): previews of deposit and redeem are
the floor, of mint and withdraw the ceiling; the actions return what their previews said;
deposit-then-redeem never returns more than was deposited, mint-then-withdraw never costs
less than was paid. SPARKPRIME_FUZZ multiplies the examples."""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Final

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.savings.erc4626 import SavingsVault
from sparkprime.protocols.savings.pot import Pot
from sparkprime.protocols.savings.sdai import SavingsDai
from sparkprime.protocols.savings.susds import RATES_ONE_HUNDRED_PCT, SUsds

FUZZ: Final = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
GOV: Final = Address("0x" + "01" * 20)
ALICE: Final = Address("0x" + "aa" * 20)
BOB: Final = Address("0x" + "bb" * 20)
E18: Final = 10**18
MAX: Final = 2**256 - 1


def _vault(which: str, rate: int) -> tuple[Clock, Erc20, SavingsVault]:
    reg = TokenRegistry()
    token = reg.register(Erc20(Address("0x" + "dc" * 20), "USDS", 18))
    clock = Clock(1_700_000_000)
    vault: SavingsVault
    if which == "susds":
        vault = SUsds(token, clock, atomic=reg.atomic, ward=GOV)
        vault.file("ssr", rate, sender=GOV)
    else:
        pot = Pot(clock, ward=GOV, atomic=reg.atomic)
        pot.file("dsr", rate, sender=GOV)
        vault = SavingsDai(token, pot)
    for who in (ALICE, BOB):
        token.mint(who, 10**9 * E18)
        token.approve(vault.address, MAX, sender=who)
    return clock, token, vault


_vaults = st.sampled_from(["susds", "sdai"])
_rates = st.integers(RAY, RATES_ONE_HUNDRED_PCT)
_dts = st.integers(0, 20 * 365 * 86_400)
_amounts = st.one_of(st.integers(0, 1_000), st.integers(0, 10**6 * E18))


@settings(max_examples=150 * FUZZ, deadline=None)
@given(which=_vaults, rate=_rates, dt=_dts, amount=_amounts)
def test_previews_round_against_the_user(which: str, rate: int, dt: int, amount: int) -> None:
    clock, _, vault = _vault(which, rate)
    vault.deposit(E18, BOB, sender=BOB)
    clock.skip(dt)
    chi = vault.chi_now()
    to_shares, to_assets = Fraction(amount * RAY, chi), Fraction(amount * chi, RAY)
    assert to_shares - 1 < vault.preview_deposit(amount) <= to_shares
    assert to_assets - 1 < vault.preview_redeem(amount) <= to_assets
    assert to_assets <= vault.preview_mint(amount) < to_assets + 1
    assert to_shares <= vault.preview_withdraw(amount) < to_shares + 1


@settings(max_examples=100 * FUZZ, deadline=None)
@given(which=_vaults, rate=_rates, dt=_dts, amount=_amounts)
def test_deposit_then_redeem_never_gains(which: str, rate: int, dt: int, amount: int) -> None:
    clock, token, vault = _vault(which, rate)
    vault.deposit(E18, BOB, sender=BOB)
    clock.skip(dt)
    before = token.balance_of(ALICE)
    preview = vault.preview_deposit(amount)
    shares = vault.deposit(amount, ALICE, sender=ALICE)
    assert shares == preview
    preview_out = vault.preview_redeem(shares)
    out = vault.redeem(shares, ALICE, ALICE, sender=ALICE)
    assert out == preview_out
    assert out <= amount
    assert token.balance_of(ALICE) == before - amount + out


@settings(max_examples=100 * FUZZ, deadline=None)
@given(which=_vaults, rate=_rates, dt=_dts, shares=_amounts)
def test_mint_then_withdraw_never_costs_less(which: str, rate: int, dt: int, shares: int) -> None:
    clock, token, vault = _vault(which, rate)
    vault.deposit(E18, BOB, sender=BOB)
    clock.skip(dt)
    before = token.balance_of(ALICE)
    preview = vault.preview_mint(shares)
    paid = vault.mint(shares, ALICE, sender=ALICE)
    assert paid == preview
    back = vault.max_withdraw(ALICE)
    assert back <= paid
    burned = vault.withdraw(back, ALICE, ALICE, sender=ALICE)
    assert burned <= shares
    assert token.balance_of(ALICE) == before - paid + back <= before
    # taking back what was paid needs at least the shares minted
    assert vault.preview_withdraw(paid) >= shares
