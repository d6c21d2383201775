"""PSM3, ported from marsfoundation/spark-psm `test/unit/Deposit.t.sol` (ce0949f) and
`test/unit/Withdraw.t.sol` (70834ca) with their numbers and reverts (the suites' DAI/sDAI are
USDS/sUSDS here; PSMTestBase's rate provider starts at 1.25e27), swap cases at that rate
(SwapExactIn/SwapExactOut: 100 USDC <-> 80 sUSDS, 100 USDS <-> 100 USDC, their reverts), the
pocket, and Hypothesis properties: rounding never favours the user (deposit then withdraw
returns at most the deposit; a swap round trip never profits), rejected calls change nothing.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.psm3 import PSM3
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
OWNER = make_addr("owner")
USER1, USER2 = make_addr("user1"), make_addr("user2")
RECEIVER1, RECEIVER2 = make_addr("receiver1"), make_addr("receiver2")
E6, E18 = 10**6, 10**18
MAX = 2**256 - 1


class MockRateProvider:
    """PSMTestBase's MockRateProvider: a settable conversion rate."""

    def __init__(self, rate: int) -> None:
        self.rate = rate

    def get_conversion_rate(self, timestamp: int | None = None) -> int:
        return self.rate


class Env:
    def __init__(self, rate: int = 125 * RAY // 100) -> None:
        reg = TokenRegistry()
        self.usdc = reg.register(Erc20(make_addr("usdc"), "USDC", 6))
        self.usds = reg.register(Erc20(make_addr("usds"), "USDS", 18))
        self.susds = reg.register(Erc20(make_addr("susds"), "sUSDS", 18))
        self.rate = MockRateProvider(rate)
        self.psm = PSM3(
            make_addr("psm3"),
            owner=OWNER,
            usdc=self.usdc,
            usds=self.usds,
            susds=self.susds,
            rate_provider=self.rate,
            atomic=reg.atomic,
        )

    def deposit(self, token: Erc20, user: str, amount: int, receiver: str | None = None) -> int:
        token.mint(user, amount)  # type: ignore[arg-type]
        token.approve(self.psm.address, amount, sender=user)  # type: ignore[arg-type]
        return self.psm.deposit(token.address, receiver or user, amount, sender=user)  # type: ignore[arg-type]


# --- Deposit.t.sol ---


def test_deposit_reverts() -> None:
    env = Env()
    psm, usdc, usds = env.psm, env.usdc, env.usds
    cases = [
        ((usdc.address, ZERO_ADDRESS, 100 * E6), "PSM3/invalid-receiver"),
        ((usdc.address, USER1, 0), "PSM3/invalid-amount"),
        ((make_addr("new-asset"), USER1, 100 * E6), "PSM3/invalid-asset"),
    ]
    for args, reason in cases:
        with pytest.raises(ProtocolError) as err:
            psm.deposit(*args, sender=USER1)
        assert err.value.context["reason"] == reason
    # insufficientApproveBoundary / insufficientBalanceBoundary
    usds.mint(USER1, 100 * E18)
    usds.approve(psm.address, 100 * E18 - 1, sender=USER1)
    with pytest.raises(ProtocolError, match="INSUFFICIENT_ALLOWANCE"):
        psm.deposit(usds.address, USER1, 100 * E18, sender=USER1)
    assert psm.total_shares == 0
    assert psm.shares(USER1) == 0
    usds.approve(psm.address, 100 * E18, sender=USER1)
    usds.set_balance(USER1, 100 * E18 - 1)
    with pytest.raises(ProtocolError, match="INSUFFICIENT_BALANCE"):
        psm.deposit(usds.address, USER1, 100 * E18, sender=USER1)
    usds.mint(USER1, 1)
    psm.deposit(usds.address, USER1, 100 * E18, sender=USER1)
    assert psm.shares(USER1) == 100 * E18


@pytest.mark.parametrize(
    ("symbol", "amount", "shares"),
    [
        ("usds", 100 * E18, 100 * E18),
        ("usdc", 100 * E6, 100 * E18),
        ("susds", 100 * E18, 125 * E18),
    ],
)
def test_first_deposit(symbol: str, amount: int, shares: int) -> None:
    env = Env()
    token = getattr(env, symbol)
    assert env.psm.convert_to_shares(E18) == E18
    assert env.deposit(token, USER1, amount, RECEIVER1) == shares
    assert token.allowance(USER1, env.psm.address) == 0
    assert token.balance_of(USER1) == 0
    assert token.balance_of(env.psm.address) == amount
    assert env.psm.total_shares == shares
    assert env.psm.shares(USER1) == 0
    assert env.psm.shares(RECEIVER1) == shares
    assert env.psm.convert_to_shares(E18) == E18


def test_deposit_usdc_then_susds() -> None:
    env = Env()
    assert env.deposit(env.usdc, USER1, 100 * E6, RECEIVER1) == 100 * E18
    assert env.deposit(env.susds, USER1, 100 * E18, RECEIVER1) == 125 * E18
    assert env.usdc.balance_of(env.psm.address) == 100 * E6
    assert env.psm.total_shares == 225 * E18
    assert env.psm.shares(RECEIVER1) == 225 * E18
    assert env.psm.convert_to_shares(E18) == E18


def test_deposit_multi_user_change_conversion_rate() -> None:
    env = Env()
    psm = env.psm
    env.deposit(env.usdc, USER1, 100 * E6, RECEIVER1)
    env.deposit(env.susds, USER1, 100 * E18, RECEIVER1)
    assert psm.convert_to_asset_value(psm.shares(RECEIVER1)) == 225 * E18
    env.rate.rate = 15 * RAY // 10
    assert psm.convert_to_shares(E18) == 9 * E18 // 10
    assert psm.convert_to_asset_value(psm.shares(RECEIVER1)) == 250 * E18
    assert psm.total_assets() == 250 * E18
    assert env.deposit(env.susds, USER2, 100 * E18, RECEIVER2) == 135 * E18
    assert env.susds.balance_of(psm.address) == 200 * E18
    assert psm.total_shares == 360 * E18
    assert psm.shares(RECEIVER1) == 225 * E18
    assert psm.shares(RECEIVER2) == 135 * E18
    assert psm.convert_to_asset_value(psm.shares(RECEIVER1)) == 250 * E18
    assert psm.convert_to_asset_value(psm.shares(RECEIVER2)) == 150 * E18
    assert psm.total_assets() == 400 * E18


@settings(max_examples=40 * FUZZ, deadline=None)
@given(st.integers(1, 10**12 * E6), st.integers(1, 10**12 * E18))
def test_fuzz_deposit_usdc_then_susds(usdc_amount: int, susds_amount: int) -> None:
    env = Env()
    assert env.deposit(env.usdc, USER1, usdc_amount, RECEIVER1) == usdc_amount * 10**12
    assert env.deposit(env.susds, USER1, susds_amount, RECEIVER1) == susds_amount * 125 // 100
    assert env.psm.total_shares == usdc_amount * 10**12 + susds_amount * 125 // 100
    assert env.psm.convert_to_shares(E18) == E18


# --- Withdraw.t.sol ---


def test_withdraw_reverts() -> None:
    env = Env()
    env.deposit(env.usdc, USER1, 100 * E6)
    psm = env.psm
    cases = [
        ((env.usdc.address, ZERO_ADDRESS, 100 * E6), "PSM3/invalid-receiver"),
        ((env.usdc.address, RECEIVER1, 0), "PSM3/invalid-amount"),
        ((make_addr("new-asset"), RECEIVER1, 100 * E6), "PSM3/invalid-asset"),
    ]
    for args, reason in cases:
        with pytest.raises(ProtocolError) as err:
            psm.withdraw(*args, sender=USER1)
        assert err.value.context["reason"] == reason
    assert psm.shares(USER1) == 100 * E18


@pytest.mark.parametrize(
    ("symbol", "amount", "shares"),
    [("usds", 100 * E18, 100 * E18), ("usdc", 100 * E6, 100 * E18), ("susds", 80 * E18, 100 * E18)],
)
def test_withdraw_only_one_asset(symbol: str, amount: int, shares: int) -> None:
    env = Env()
    token = getattr(env, symbol)
    env.deposit(token, USER1, amount)
    assert env.psm.total_shares == shares
    assert env.psm.withdraw(token.address, RECEIVER1, amount, sender=USER1) == amount
    assert token.balance_of(RECEIVER1) == amount
    assert token.balance_of(env.psm.address) == 0
    assert env.psm.total_shares == 0
    assert env.psm.shares(USER1) == 0
    assert env.psm.convert_to_shares(E18) == E18


def test_withdraw_usdc_then_susds() -> None:
    env = Env()
    psm = env.psm
    env.deposit(env.usdc, USER1, 100 * E6)
    env.deposit(env.susds, USER1, 100 * E18)
    assert psm.total_shares == 225 * E18
    assert psm.withdraw(env.usdc.address, RECEIVER1, 100 * E6, sender=USER1) == 100 * E6
    assert psm.total_shares == 125 * E18
    assert psm.shares(USER1) == 125 * E18
    assert psm.withdraw(env.susds.address, RECEIVER1, 100 * E18, sender=USER1) == 100 * E18
    assert env.susds.balance_of(RECEIVER1) == 100 * E18
    assert psm.total_shares == 0
    assert psm.convert_to_shares(E18) == E18


def test_withdraw_amount_higher_than_balance_of_asset() -> None:
    env = Env()
    env.deposit(env.usdc, USER1, 100 * E6)
    env.deposit(env.susds, USER1, 100 * E18)
    assert env.psm.withdraw(env.usdc.address, RECEIVER1, 125 * E6, sender=USER1) == 100 * E6
    assert env.usdc.balance_of(RECEIVER1) == 100 * E6
    assert env.psm.total_shares == 125 * E18  # only burns $100 of shares
    assert env.psm.shares(USER1) == 125 * E18


def test_withdraw_amount_higher_than_user_shares() -> None:
    env = Env()
    env.deposit(env.usdc, USER1, 100 * E6)
    env.deposit(env.susds, USER1, 100 * E18)
    env.deposit(env.usdc, USER2, 200 * E6)
    assert env.psm.total_shares == 425 * E18
    assert env.psm.withdraw(env.usdc.address, RECEIVER2, 225 * E6, sender=USER2) == 200 * E6
    assert env.usdc.balance_of(RECEIVER2) == 200 * E6
    assert env.usdc.balance_of(env.psm.address) == 100 * E6
    assert env.psm.total_shares == 225 * E18
    assert env.psm.shares(USER2) == 0


# --- swaps at 1.25 ---


def _seeded() -> Env:
    env = Env()
    env.deposit(env.usdc, USER2, 1_000 * E6)
    env.deposit(env.usds, USER2, 1_000 * E18)
    env.deposit(env.susds, USER2, 1_000 * E18)
    return env


@pytest.mark.parametrize(
    ("token_in", "token_out", "amount_in", "amount_out"),
    [
        ("usdc", "usds", 100 * E6, 100 * E18),
        ("usdc", "susds", 100 * E6, 80 * E18),
        ("usds", "usdc", 100 * E18, 100 * E6),
        ("usds", "susds", 100 * E18, 80 * E18),
        ("susds", "usdc", 80 * E18, 100 * E6),
        ("susds", "usds", 80 * E18, 100 * E18),
    ],
)
def test_swaps_at_rate(token_in: str, token_out: str, amount_in: int, amount_out: int) -> None:
    env = _seeded()
    tin, tout = getattr(env, token_in), getattr(env, token_out)
    psm = env.psm
    assert psm.preview_swap_exact_in(tin.address, tout.address, amount_in) == amount_out
    assert psm.preview_swap_exact_out(tin.address, tout.address, amount_out) == amount_in
    tin.mint(USER1, 2 * amount_in)
    tin.approve(psm.address, MAX, sender=USER1)
    out = psm.swap_exact_in(
        tin.address, tout.address, amount_in, amount_out, RECEIVER1, 0, sender=USER1
    )
    assert out == amount_out
    assert tout.balance_of(RECEIVER1) == amount_out
    paid = psm.swap_exact_out(
        tin.address, tout.address, amount_out, amount_in, RECEIVER1, 0, sender=USER1
    )
    assert paid == amount_in
    assert tin.balance_of(USER1) == 0
    assert tout.balance_of(RECEIVER1) == 2 * amount_out


def test_swap_reverts_change_nothing() -> None:
    env = _seeded()
    psm, usdc, usds = env.psm, env.usdc, env.usds
    usdc.mint(USER1, 100 * E6)
    usdc.approve(psm.address, MAX, sender=USER1)
    cases = [
        (
            psm.swap_exact_in,
            (usdc.address, usds.address, 0, 0, RECEIVER1, 0),
            "PSM3/invalid-amountIn",
        ),
        (
            psm.swap_exact_in,
            (usdc.address, usds.address, 1, 0, ZERO_ADDRESS, 0),
            "PSM3/invalid-receiver",
        ),
        (psm.swap_exact_in, (usdc.address, usdc.address, 1, 0, RECEIVER1, 0), "PSM3/invalid-asset"),
        (
            psm.swap_exact_in,
            (usdc.address, usds.address, 100 * E6, 100 * E18 + 1, RECEIVER1, 0),
            "PSM3/amountOut-too-low",
        ),
        (
            psm.swap_exact_out,
            (usdc.address, usds.address, 0, 0, RECEIVER1, 0),
            "PSM3/invalid-amountOut",
        ),
        (
            psm.swap_exact_out,
            (usdc.address, usds.address, 1, MAX, ZERO_ADDRESS, 0),
            "PSM3/invalid-receiver",
        ),
        (
            psm.swap_exact_out,
            (usdc.address, usds.address, 100 * E18, 100 * E6 - 1, RECEIVER1, 0),
            "PSM3/amountIn-too-high",
        ),
    ]
    for call, args, reason in cases:
        with pytest.raises(ProtocolError) as err:
            call(*args, sender=USER1)
        assert err.value.context["reason"] == reason
    usdc.mint(USER1, 2_000 * E6)
    with pytest.raises(ProtocolError, match="INSUFFICIENT_BALANCE"):  # the PSM's USDS is short
        psm.swap_exact_in(usdc.address, usds.address, 2_000 * E6, 0, RECEIVER1, 0, sender=USER1)
    assert usdc.balance_of(USER1) == 2_100 * E6  # the pull was undone
    assert usdc.balance_of(psm.address) == 1_000 * E6
    assert usds.balance_of(RECEIVER1) == 0


# --- pocket ---


def test_set_pocket_moves_usdc_and_keeps_accounting() -> None:
    env = _seeded()
    psm, usdc = env.psm, env.usdc
    pocket = make_addr("pocket")
    with pytest.raises(ProtocolError, match="PSM3_NOT_OWNER"):
        psm.set_pocket(pocket, sender=USER1)
    with pytest.raises(ProtocolError) as err:
        psm.set_pocket(ZERO_ADDRESS, sender=OWNER)
    assert err.value.context["reason"] == "PSM3/invalid-pocket"
    with pytest.raises(ProtocolError) as err:
        psm.set_pocket(psm.address, sender=OWNER)
    assert err.value.context["reason"] == "PSM3/same-pocket"
    assets = psm.total_assets()
    psm.set_pocket(pocket, sender=OWNER)
    assert usdc.balance_of(pocket) == 1_000 * E6
    assert usdc.balance_of(psm.address) == 0
    assert psm.total_assets() == assets
    usdc.approve(psm.address, MAX, sender=pocket)
    assert psm.withdraw(usdc.address, RECEIVER2, 10 * E6, sender=USER2) == 10 * E6
    env.deposit(usdc, USER1, 5 * E6)
    assert usdc.balance_of(pocket) == 995 * E6
    second = make_addr("pocket2")
    psm.set_pocket(second, sender=OWNER)
    assert usdc.balance_of(second) == 995 * E6


def test_constructor_checks() -> None:
    env = Env()
    with pytest.raises(ProtocolError) as err:
        PSM3(
            make_addr("x"),
            owner=OWNER,
            usdc=env.usdc,
            usds=env.usdc,
            susds=env.susds,
            rate_provider=env.rate,
            atomic=env.psm.atomic,
        )
    assert err.value.context["reason"] == "PSM3/usdc-usds-same"
    with pytest.raises(ProtocolError) as err:
        PSM3(
            make_addr("x"),
            owner=OWNER,
            usdc=env.usdc,
            usds=env.usds,
            susds=env.susds,
            rate_provider=MockRateProvider(0),
            atomic=env.psm.atomic,
        )
    assert err.value.context["reason"] == "PSM3/rate-provider-returns-zero"


# --- properties ---

assets = st.sampled_from(("usdc", "usds", "susds"))


@settings(max_examples=60 * FUZZ, deadline=None)
@given(
    seed=st.lists(st.tuples(assets, st.integers(1, 10**9)), min_size=1, max_size=3),
    asset=assets,
    amount=st.integers(1, 10**30),
    rate=st.integers(RAY, 3 * RAY),
    bump=st.integers(0, RAY // 10),
)
def test_deposit_then_withdraw_never_returns_more(
    seed: list[tuple[str, int]], asset: str, amount: int, rate: int, bump: int
) -> None:
    env = Env(rate)
    for symbol, units in seed:
        env.deposit(getattr(env, symbol), USER2, units * 10 ** getattr(env, symbol).decimals)
    env.rate.rate = rate + bump
    token = getattr(env, asset)
    preview = env.psm.preview_deposit(token.address, amount)
    assert env.deposit(token, USER1, amount) == preview
    got = env.psm.withdraw(token.address, USER1, MAX, sender=USER1)
    assert got <= amount
    # Other LPs never lose value to this round trip.
    assert env.psm.convert_to_asset_value(env.psm.shares(USER2)) >= 0
    assert env.psm.total_assets() >= env.psm.convert_to_asset_value(env.psm.total_shares)


@settings(max_examples=60 * FUZZ, deadline=None)
@given(a=assets, b=assets, amount=st.integers(1, 10**27), rate=st.integers(RAY, 3 * RAY))
def test_swap_round_trip_never_profits(a: str, b: str, amount: int, rate: int) -> None:
    if a == b:
        return
    env = Env(rate)
    for symbol in ("usdc", "usds", "susds"):
        env.deposit(getattr(env, symbol), USER2, 10**40)
    psm, ta, tb = env.psm, getattr(env, a), getattr(env, b)
    out = psm.preview_swap_exact_in(ta.address, tb.address, amount)
    back = psm.preview_swap_exact_in(tb.address, ta.address, out)
    assert back <= amount
    if out:
        # Paying what exact-out asks for `out` always buys at least `out` with exact-in.
        need = psm.preview_swap_exact_out(ta.address, tb.address, out)
        assert psm.preview_swap_exact_in(ta.address, tb.address, need) >= out
        # And buying back exactly `amount` costs at least `out`.
        assert psm.preview_swap_exact_out(tb.address, ta.address, amount) >= out
