"""The depth add-on: the order-book walk, hand-checked, and its place in STPV."""

from __future__ import annotations

import os
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.addons import MarketDepth, unwind_cost_usd_wad
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.margin import margin_account
from tests.prime.prime_fixtures import ASSETS, E8, NOW, POOL, WAD, loan, make_policy, pos, usd

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
D = MarketDepth(symbol="WBTC", depth_1pct_usd_wad=usd(1_000_000), depth_2pct_usd_wad=usd(3_000_000),
                adv_usd_wad=usd(2_000_000))  # fmt: skip


def test_walk_by_hand():
    # $1M: slippage rises 0 -> 1%: average 0.5% = $5,000
    assert unwind_cost_usd_wad(usd(1_000_000), D) == usd(5_000)
    # $3M: + $2M with slippage 1% -> 2% (average 1.5% = $30,000)
    assert unwind_cost_usd_wad(usd(3_000_000), D) == usd(35_000)
    # $5M: beyond D2 the line continues: + $2M from 2% to 3% (average 2.5% = $50,000)
    assert unwind_cost_usd_wad(-usd(5_000_000), D) == usd(85_000)


@settings(max_examples=100 * FUZZ, deadline=None)
@given(st.integers(0, 10**30), st.integers(1, 10**26), st.integers(1, 10**26))
def test_walk_matches_the_integral_and_grows(size: int, d1: int, gap: int) -> None:
    d = MarketDepth(symbol="X", depth_1pct_usd_wad=d1, depth_2pct_usd_wad=d1 + gap, adv_usd_wad=0)
    # slippage(s) = s/(100 d1) up to d1, then 1/100 + (s-d1)/(100 gap): integrate exactly
    s = Fraction(size)
    if s <= d1:
        exact = s * s / (200 * d1)
    else:
        x = s - d1
        exact = Fraction(d1, 200) + x / 100 + x * x / (200 * gap)
    assert unwind_cost_usd_wad(size, d) == min(-((-exact.numerator) // exact.denominator), size)
    assert unwind_cost_usd_wad(size + 1, d) >= unwind_cost_usd_wad(size, d)


def test_bad_depth_is_refused():
    with pytest.raises(ProtocolError) as info:
        MarketDepth(symbol="X", depth_1pct_usd_wad=5, depth_2pct_usd_wad=5, adv_usd_wad=0)
    assert info.value.code is ErrorCode.PRIME_INVALID_MARGIN_INPUT


def test_addon_is_subtracted_from_stpv_on_net_size_per_symbol():
    policy = make_policy()
    prices = {"WBTC": 50_000 * E8, "BTC": 50_000 * E8, "USDC": E8}
    book = [pos(K.SPOT, "WBTC", 60 * E8)]  # $3M
    base = margin_account(book, [loan(10**6)], prices, policy, POOL, assets=ASSETS,
                          now_ts_s=NOW)  # fmt: skip
    r = margin_account(book, [loan(10**6)], prices, policy, POOL, assets=ASSETS, now_ts_s=NOW,
                       depths={"WBTC": D})  # fmt: skip
    assert r.addon_usd_wad == usd(35_000)
    assert r.stpv_usd_wad == base.stpv_usd_wad - usd(35_000)
    assert any("average daily volume" in w for w in r.warnings)
    assert WAD  # the fixture's unit
