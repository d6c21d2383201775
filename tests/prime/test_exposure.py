"""Positions -> exposures: values, signs, futures-account mapping and every eligibility rule."""

from __future__ import annotations

import math
import os
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Position
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.exposure import (
    Exposure,
    account_exposures,
    position_exposures,
    pt_approved_usd_wad,
    validate_position,
    value_usd_wad,
)
from tests.prime.prime_fixtures import ASSETS, DAY, E8, NOW, WAD, make_policy, pos, usd

POLICY = make_policy()
FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
PRICES = {"ETH": 3_000 * E8, "WETH": 3_000 * E8, "rsETH": 3_100 * E8, "BTC": 60_000 * E8,
          "USDC": E8, "USDT": E8, "DOGE": E8 // 10, "USDS": E8, "XAG": 30 * E8,
          "PT-rsETH": 2_900 * E8}  # fmt: skip


def ex(*positions: Position) -> tuple[Exposure, ...]:
    return account_exposures(positions, prices=PRICES, assets=ASSETS, policy=POLICY,
                             now_ts_s=NOW)  # fmt: skip


def test_value_rounds_against_the_borrower():
    assert value_usd_wad(1, 1, 8) == 100  # 1e-8 units at $1e-8: 1e-16 USD = 100 wei
    assert value_usd_wad(1, 1, 19) == 0  # an asset's dust rounds down
    assert value_usd_wad(-1, 1, 19) == -1  # a liability's dust rounds up


def test_spot_borrow_and_supply():
    (s,), (b,), (sup,) = ex(pos(K.SPOT, "WETH", 2 * WAD)), ex(pos(K.LENDING_BORROW, "USDC",
                                                                 500 * 10**6)), ex(
        pos(K.LENDING_SUPPLY, "USDT", 7 * 10**6))  # fmt: skip
    assert (s.notional_usd_wad, s.value_usd_wad, s.group_id, s.approved) == (
        usd(6000), usd(6000), 2, True)  # fmt: skip
    assert (b.notional_usd_wad, b.value_usd_wad, b.group_id) == (-usd(500), -usd(500), 4)
    assert (sup.notional_usd_wad, sup.group_id) == (usd(7), 5)


def test_perp_notional_is_signed_and_value_is_pnl():
    (e,) = ex(pos(K.PERP, "ETH", -2 * WAD, entry_price_usd_e8=3_100 * E8))
    assert e.notional_usd_wad == -usd(6000)
    assert e.value_usd_wad == usd(200)  # short from 3100 to 3000


def test_futures_account_values_only_the_margin_value():
    okx = {"venue_id": "okx"}
    exps = ex(
        pos(K.MARGIN_VALUE, "USDT", 0, margin_value_usd_wad=usd(500_000), **okx),
        pos(K.SPOT, "USDT", 100_000 * 10**6, **okx),  # posted as margin: token_exposure
        pos(K.PERP, "ETH", -WAD, entry_price_usd_e8=2_000 * E8, **okx),  # PnL inside adjEq
        pos(K.SPOT, "WETH", WAD),  # on-chain: spot
    )
    assert [e.value_usd_wad for e in exps] == [usd(500_000), 0, 0, usd(3000)]
    assert [e.notional_usd_wad for e in exps] == [0, usd(100_000), -usd(3000), usd(3000)]


def test_unknown_symbol_is_unapproved_with_a_warning():
    (e,) = ex(pos(K.SPOT, "DOGE", 10 * E8))
    assert not e.approved
    assert e.group_id is None
    assert "DOGE is in no asset group" in e.reason


def test_derivatives_only_group_approves_perps_not_spot():
    (spot,), (perp,) = ex(pos(K.SPOT, "XAG", WAD)), ex(pos(K.PERP, "XAG", WAD,
                                                          entry_price_usd_e8=30 * E8))  # fmt: skip
    assert not spot.approved
    assert "derivatives only" in spot.reason
    assert perp.approved


@pytest.mark.parametrize(
    ("expiry", "approved"),
    [(NOW + 120 * DAY, True), (NOW + 120 * DAY + 1, False), (NOW, False), (NOW - 5, False)],
)
def test_future_and_pt_window_of_120_days(expiry: int, approved: bool):
    fut = pos(K.FUTURE, "BTC", E8, entry_price_usd_e8=60_000 * E8, expiry_ts_s=expiry)
    pt = pos(K.PENDLE_PT, "rsETH", WAD, expiry_ts_s=expiry, pt_amm_liquidity_usd_wad=usd(10**6))
    assert [e.approved for e in ex(fut, pt)] == [approved, approved]


def test_expired_future_or_pt_is_refused_when_added():
    for p in (
        pos(K.FUTURE, "BTC", E8, entry_price_usd_e8=1, expiry_ts_s=NOW),
        pos(K.PENDLE_PT, "rsETH", 1, expiry_ts_s=NOW - 1, pt_amm_liquidity_usd_wad=1),
    ):
        with pytest.raises(ProtocolError) as info:
            validate_position(p, POLICY, NOW)
        assert info.value.code is ErrorCode.PRIME_POSITION_EXPIRED
    # beyond 120 days is accepted into the book (it is unapproved in margin)
    validate_position(pos(K.FUTURE, "BTC", E8, entry_price_usd_e8=1,
                          expiry_ts_s=NOW + 365 * DAY), POLICY, NOW)  # fmt: skip


def test_pt_priced_at_its_own_key_and_capped_at_10x_amm_liquidity():
    (e,) = ex(pos(K.PENDLE_PT, "rsETH", WAD, expiry_ts_s=NOW + DAY, price_symbol="PT-rsETH",
                  pt_amm_liquidity_usd_wad=usd(1_000)))  # fmt: skip
    assert (e.notional_usd_wad, e.group_id, e.approved) == (usd(2900), 2, True)
    ok, over = ex(pos(K.PENDLE_PT, "rsETH", 10 * WAD, expiry_ts_s=NOW + DAY,
                      price_symbol="PT-rsETH", pt_amm_liquidity_usd_wad=usd(2_000)))  # fmt: skip
    assert (ok.notional_usd_wad, ok.approved) == (usd(20_000), True)
    assert (over.notional_usd_wad, over.approved) == (usd(9_000), False)


def _pt(pid: str, qty_wad: int, liquidity_usd: int, account: str = "a", days: int = 1) -> Position:
    return pos(K.PENDLE_PT, "rsETH", qty_wad, position_id=pid, account_id=account,
               price_symbol="PT-rsETH", expiry_ts_s=NOW + days * DAY,
               pt_amm_liquidity_usd_wad=usd(liquidity_usd))  # fmt: skip


def _by_position(exps: tuple[Exposure, ...]) -> dict[str, tuple[int, int]]:
    """position id -> (approved notional, unapproved notional)."""
    out: dict[str, tuple[int, int]] = {}
    for e in exps:
        ok, over = out.get(e.position_id, (0, 0))
        out[e.position_id] = (
            (ok + e.notional_usd_wad, over) if e.approved else (ok, over + e.notional_usd_wad)
        )
    return out


def test_two_pts_of_one_market_in_one_account_share_one_cap():
    # 3 + 4 PT at $2,900 = $8,700 + $11,600 = $20,300 against $1,000 x 10 = $10,000: one cap,
    # not $10,000 each (capped one by one, $18,700 was approved)
    a, b = _pt("x", 3 * WAD, 1_000), _pt("y", 4 * WAD, 1_000)
    got = _by_position(ex(a, b))
    assert got["x"][0] + got["y"][0] == usd(10_000)
    assert got["x"][1] + got["y"][1] == usd(10_300)
    assert sum(got["x"]) == usd(8_700)
    assert sum(got["y"]) == usd(11_600)
    # pro rata to notional, each share the floor or the ceiling of its exact fraction
    for pid, w in (("x", 87), ("y", 116)):
        exact = Fraction(usd(10_000) * w, 203)
        assert got[pid][0] in (math.floor(exact), math.ceil(exact))
    # deterministic: the order of the positions does not move the extra wei
    assert _by_position(ex(b, a)) == got
    over = [e for e in ex(a, b) if not e.approved]
    assert all("above 10x its AMM liquidity" in e.reason for e in over)


def test_the_shared_cap_uses_the_smallest_liquidity_reported():
    # $2,000 and $1,500 reported: the cap is $15,000 of the $20,300 (as prime.limits reads it)
    got = _by_position(ex(_pt("x", 3 * WAD, 2_000), _pt("y", 4 * WAD, 1_500)))
    assert got["x"][0] + got["y"][0] == usd(15_000)
    assert got["x"][1] + got["y"][1] == usd(5_300)


def test_the_same_pts_in_two_accounts_are_capped_separately():
    # each account's $10,000 cap: $8,700 fits, $11,600 has $1,600 over
    got = _by_position(ex(_pt("x", 3 * WAD, 1_000, "a"), _pt("y", 4 * WAD, 1_000, "b")))
    assert got == {"x": (usd(8_700), 0), "y": (usd(10_000), usd(1_600))}


def test_pts_of_other_expiries_are_other_markets():
    got = _by_position(ex(_pt("x", 3 * WAD, 1_000), _pt("y", 4 * WAD, 1_000, days=2)))
    assert got == {"x": (usd(8_700), 0), "y": (usd(10_000), usd(1_600))}


def test_a_single_pt_is_capped_as_before():
    p = _pt("x", 10 * WAD, 2_000)
    alone = position_exposures(p, prices=PRICES, assets=ASSETS, policy=POLICY, now_ts_s=NOW)
    assert ex(p) == alone
    assert [(e.notional_usd_wad, e.approved) for e in alone] == [
        (usd(20_000), True), (usd(9_000), False)]  # fmt: skip


@settings(max_examples=60 * FUZZ, deadline=None)
@given(
    qtys=st.lists(st.integers(0, 10**6 * WAD), min_size=1, max_size=6),
    liquidities=st.lists(st.integers(0, 10**7 * WAD), min_size=6, max_size=6),
)
def test_pt_shares_sum_to_the_cap_and_never_exceed_a_notional(
    qtys: list[int], liquidities: list[int]
):
    pts = [pos(K.PENDLE_PT, "rsETH", q, position_id=f"p{i}", price_symbol="PT-rsETH",
               expiry_ts_s=NOW + DAY, pt_amm_liquidity_usd_wad=liq)
           for i, (q, liq) in enumerate(zip(qtys, liquidities, strict=False))]  # fmt: skip
    notional = {p.position_id: value_usd_wad(p.qty, PRICES["PT-rsETH"], 18) for p in pts}
    total = sum(notional.values())
    cap = 10 * min(liquidities[: len(pts)])
    shares = pt_approved_usd_wad(pts, prices=PRICES, assets=ASSETS, policy=POLICY)
    assert sum(shares.values()) == min(total, cap)
    assert all(0 <= shares[pid] <= n for pid, n in notional.items())
    got = _by_position(ex(*pts))
    assert all(got[pid] == (shares[pid], n - shares[pid]) for pid, n in notional.items())
    assert pt_approved_usd_wad(pts[::-1], prices=PRICES, assets=ASSETS, policy=POLICY) == shares


def test_dex_lp_legs_and_eligibility():
    legs = (("WETH", WAD), ("USDC", 3_000 * 10**6))
    good = ex(pos(K.DEX_LP, "LP", 5, dex_kind="uniswap_v3", legs=legs))
    assert [(e.symbol, e.notional_usd_wad, e.approved) for e in good] == [
        ("WETH", usd(3000), True), ("USDC", usd(3000), True)]  # fmt: skip
    hooked = ex(pos(K.DEX_LP, "LP", 5, dex_kind="uniswap_v4_unvetted_hook", legs=legs))
    assert [e.approved for e in hooked] == [False, False]
    assert "not eligible" in hooked[0].reason
    bad_leg = ex(pos(K.DEX_LP, "LP", 5, dex_kind="uniswap_v2",
                     legs=(("WETH", WAD), ("DOGE", 10 * E8))))  # fmt: skip
    assert [e.approved for e in bad_leg] == [False, False]
    assert "unapproved leg" in bad_leg[0].reason


def test_vault_shares_map_to_the_underlying():
    (sp,) = ex(pos(K.VAULT_SHARES, "spUSDC", 1_000 * 10**6, share_rate_wad=WAD * 105 // 100,
                   legs=(("USDC", 0),)))  # fmt: skip
    assert (sp.symbol, sp.group_id, sp.notional_usd_wad, sp.approved) == (
        "USDC", 4, usd(1050), True)  # fmt: skip
    # sUSDS and USDS are in no Atlas group: unapproved
    (s,) = ex(pos(K.VAULT_SHARES, "sUSDS", WAD, share_rate_wad=WAD, legs=(("USDS", 0),)))
    assert not s.approved
    assert s.group_id is None


def test_missing_price_or_decimals_is_an_error_not_a_guess():
    with pytest.raises(ProtocolError) as info:
        ex(pos(K.SPOT, "CRV", WAD))
    assert info.value.code is ErrorCode.PRICE_UNAVAILABLE
    with pytest.raises(ProtocolError) as info:
        ex(pos(K.SPOT, "NOPE", WAD))
    assert info.value.code is ErrorCode.PRIME_UNKNOWN_ASSET
