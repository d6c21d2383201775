"""The scalar margin model, rebuilt step by step from the Arkis docs and whitepaper and the
Atlas rules (spec/spark-prime.md §1.3, §2), plus Hypothesis properties (issue 5 Done means)."""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Asset, Loan, Position
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.margin import RF_NO_DEBT_WAD, MarginResult, MarginStatus, margin_account
from sparkprime.prime.policy import Policy, PoolParams, RateFloorRule
from tests.prime.prime_fixtures import (
    ASSETS,
    DAY,
    E8,
    NOW,
    POOL,
    WAD,
    group,
    loan,
    make_policy,
    pos,
    usd,
)  # fmt: skip

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
POLICY = make_policy()
PRICES = {"BTC": 60_000 * E8, "WBTC": 60_000 * E8, "ETH": 3_000 * E8, "WETH": 3_000 * E8,
          "stETH": 3_000 * E8, "rsETH": 100 * E8, "USDC": E8, "USDT": E8, "USDe": E8,
          "DOGE": E8 // 10}  # fmt: skip
USDC6 = 10**6


def m(
    positions: Sequence[Position],
    loans: Sequence[Loan] = (),
    prices: Mapping[str, int] = PRICES,
    policy: Policy = POLICY,
    pool: PoolParams = POOL,
    **kw: Any,
) -> MarginResult:
    return margin_account(positions, loans, prices, policy, pool, assets=ASSETS, now_ts_s=NOW,
                          **kw)  # fmt: skip


def test_arkis_docs_risk_factor_example():
    # docs.arkis.xyz/home/concepts/risk-factor: borrowed $10,000, STV $11,200 -> RF 1.12,
    # below the 1.15 margin call and above the 1.00 liquidation: a margin call.
    r = m([pos(K.SPOT, "USDC", 11_200 * USDC6)], [loan(10_000 * USDC6)])
    assert (r.stpv_usd_wad, r.borrowed_usd_wad) == (usd(11_200), usd(10_000))
    assert r.rf_wad == 112 * 10**16
    assert r.status is MarginStatus.MARGIN_CALL


def test_pt_example_and_an_eth_perp_short_improves_it():
    # $100 rsETH PT (ETH group, stress 20%) + $100 borrowed USDC kept in the account:
    # STPV = 100 x 0.8 + 100 = 180, borrowed 100, RF 1.8.
    prices = {**PRICES, "ETH": 2_500 * E8, "rsETH": 2_500 * E8}
    pt = pos(K.PENDLE_PT, "rsETH", 4 * 10**16, expiry_ts_s=NOW + 30 * DAY,
             pt_amm_liquidity_usd_wad=usd(10**6))  # fmt: skip
    cash = pos(K.SPOT, "USDC", 100 * USDC6)
    r = m([pt, cash], [loan(100 * USDC6)], prices=prices)
    assert r.stpv_usd_wad == usd(180)
    assert r.rf_wad == 18 * 10**17
    # a matching ETH-perp short (same ETH group, at its entry price) nets the exposure to 0
    hedge = pos(K.PERP, "ETH", -4 * 10**16, entry_price_usd_e8=2_500 * E8)
    r2 = m([pt, cash, hedge], [loan(100 * USDC6)], prices=prices)
    assert r2.by_group[0].net_usd_wad == 0
    assert r2.stpv_usd_wad == usd(200)
    assert r2.rf_wad == 2 * WAD


def _whitepaper_policy() -> Policy:
    # The whitepaper's stress matrix: ETH 0.2, CRV 0.3, CRVUSD 0.1 (pegged); USDT borrowed.
    return Policy(
        version="arkis-v2-whitepaper",
        effective_from=datetime.date(2024, 1, 1),
        source="Arkis_Margin_Engine_v2.tex",
        groups=(
            group(1, "ETH", 2000, 2000, ("ETH",)),
            group(2, "CRV", 3000, 3000, ("CRV",)),
            group(3, "CRVUSD", 1000, 0, ("CRVUSD",), pegged=True),
            group(4, "USDT", 0, 0, ("USDT",), pegged=True),
        ),
        venues=POLICY.venues,
        pools=(dataclasses.replace(POOL, borrowed_asset="USDT"),),
        eligible_dex_kinds=frozenset({"curve_tricrypto"}),
        rate_floors=(
            RateFloorRule(
                effective_from=datetime.date(2024, 1, 1), ssr_spread_bps=0, sofr_spread_bps=0
            ),
        ),
    )


WP_PRICES = {"ETH": 5_000 * E8, "CRV": E8 // 2, "CRVUSD": E8, "USDT": E8}
WP_LOAN = [loan(1_000_000 * USDC6)]


def _dec(units: str) -> int:
    whole, _, frac = units.partition(".")
    return int(whole) * WAD + int((frac + "0" * 18)[:18])


def _tricrv(eth: str, crv: str, crvusd: str) -> Position:
    legs = (("ETH", _dec(eth)), ("CRV", _dec(crv)), ("CRVUSD", _dec(crvusd)))
    return pos(K.DEX_LP, "LP", 1, dex_kind="curve_tricrypto", legs=legs)


def _wp(positions: Sequence[Position]) -> MarginResult:
    policy = _whitepaper_policy()
    return margin_account(positions, WP_LOAN, WP_PRICES, policy, policy.pools[0],
                          assets=ASSETS, now_ts_s=NOW)  # fmt: skip


def test_whitepaper_asset_manager_a():
    # 5000*133.33*0.8 + 0.5*1333333.333*0.7 + 666666.66*0.9 = 1,599,986.66; RF 1.599
    r = _wp([_tricrv("133.33", "1333333.333", "666666.66")])
    assert r.stpv_usd_wad // 10**16 == 1_599_986_66
    assert r.rf_wad // 10**15 == 1_599
    assert r.binding_scenario == "down"
    assert r.stpv_usd_wad == min(r.stpv_up_usd_wad, r.stpv_down_usd_wad)


def test_whitepaper_asset_manager_b():
    # ... + 1,000,000 USDT on Aave = 1,799,973.3328 exactly; RF 1.799
    r = _wp([_tricrv("66.66", "666666.666", "333333.333"),
             pos(K.LENDING_SUPPLY, "USDT", 1_000_000 * USDC6)])  # fmt: skip
    assert r.stpv_usd_wad == 1_799_973 * WAD + 3328 * 10**14
    assert r.rf_wad // 10**15 == 1_799


def test_whitepaper_asset_manager_c_delta_neutral_with_okx_margin_value():
    # DEX LP + OKX sub-account (margin value 1,000,000 as in the whitepaper's breakdown, USDT
    # posted as margin, ETH and CRV perps short): STPV+ = STPV- = 1,966,633.33, RF 1.96.
    okx = {"venue_id": "okx"}
    r = _wp([
        _tricrv("66.66", "666666.666", "333333.333"),
        pos(K.MARGIN_VALUE, "USDT", 0, margin_value_usd_wad=usd(1_000_000), **okx),
        pos(K.SPOT, "USDT", 1_000_000 * USDC6, **okx),
        pos(K.PERP, "ETH", -_dec("66.66"), entry_price_usd_e8=5_000 * E8, **okx),
        pos(K.PERP, "CRV", -_dec("666666.66"), entry_price_usd_e8=E8 // 2, **okx),
    ])  # fmt: skip
    assert r.stpv_usd_wad // 10**16 == 1_966_633_33
    assert r.stpv_up_usd_wad // 10**16 == r.stpv_down_usd_wad // 10**16 == 1_966_633_33
    assert r.rf_wad // 10**16 == 196


def test_delta_neutral_btc_basis_trade_takes_no_haircut():
    spot = pos(K.SPOT, "WBTC", 10 * E8)
    okx = {"venue_id": "okx"}
    short = [pos(K.MARGIN_VALUE, "USDC", 0, margin_value_usd_wad=usd(100_000), **okx),
             pos(K.FUTURE, "BTC", -10 * E8, entry_price_usd_e8=61_000 * E8,
                 expiry_ts_s=NOW + 90 * DAY, **okx)]  # fmt: skip
    naked = m([spot], [loan(500_000 * USDC6)])
    hedged = m([spot, *short], [loan(500_000 * USDC6)])
    assert naked.stress_charge_usd_wad == usd(120_000)  # 20% of $600k
    assert hedged.stress_charge_usd_wad == 0
    assert hedged.stpv_usd_wad == usd(700_000)  # spot + margin value (PnL is inside it)
    assert hedged.rf_wad > naked.rf_wad


def test_unapproved_long_and_short_never_offset():
    long_ = pos(K.SPOT, "DOGE", 10_000 * E8)  # $1,000
    short = pos(K.PERP, "DOGE", -10_000 * E8, entry_price_usd_e8=E8 // 10)
    r = m([long_, short, pos(K.SPOT, "USDC", 5_000 * USDC6)], [loan(1_000 * USDC6)])
    assert r.unapproved_charge_usd_wad == usd(2_000)
    assert r.stpv_usd_wad == usd(1_000 + 5_000 - 2_000)
    assert r.attribution[long_.position_id] == usd(1_000)
    assert r.attribution[short.position_id] == usd(1_000)
    assert any("DOGE is in no asset group" in w for w in r.warnings)


def test_pegged_never_stressed_up():
    # net short USDe (a SparkLend borrow): USDe is pegged, its up move is never applied
    r = m([pos(K.LENDING_BORROW, "USDe", 1_000 * WAD), pos(K.SPOT, "USDC", 2_000 * USDC6)],
          [loan(500 * USDC6)])  # fmt: skip
    assert r.stress_charge_usd_wad == 0
    assert r.stpv_usd_wad == usd(1_000)
    # net long USDe takes -10% on both sides (the whitepaper's CRVUSD rule)
    r2 = m([pos(K.SPOT, "USDe", 1_000 * WAD)], [loan(500 * USDC6)])
    assert r2.stpv_up_usd_wad == r2.stpv_down_usd_wad == r2.stpv_usd_wad == usd(900)


def test_each_asset_net_exposure_is_haircut_no_cross_group_offset():
    btc = pos(K.SPOT, "WBTC", E8)  # +$60k
    eth = pos(K.PERP, "ETH", -20 * WAD, entry_price_usd_e8=3_000 * E8)  # -$60k
    r = m([btc, eth, pos(K.SPOT, "USDC", 100_000 * USDC6)], [loan(50_000 * USDC6)])
    assert r.stress_charge_usd_wad == usd(24_000)  # 20% of each
    assert r.binding_scenario == "both"
    # the Arkis whole-portfolio sides credit the opposite move: both are above STPV
    assert r.stpv_down_usd_wad == r.stpv_up_usd_wad == usd(160_000)
    assert r.stpv_usd_wad == usd(136_000)


def test_extra_haircut_borrowed_rounding_and_no_debt():
    pool = dataclasses.replace(POOL, liquidation_extra_haircut_bps=500)
    r = m([pos(K.SPOT, "USDC", 1_000 * USDC6)], [loan(100 * USDC6, accrued=1)], pool=pool)
    assert r.extra_haircut_usd_wad == usd(50)
    assert r.stpv_usd_wad == usd(950)
    assert r.borrowed_usd_wad == usd(100) + 10**12  # principal + accrued at $1
    usde_pool = dataclasses.replace(POOL, borrowed_asset="USDe")  # 18 decimals
    dust = m([pos(K.SPOT, "USDC", USDC6)], [loan(1)], prices={**PRICES, "USDe": 1},
             pool=usde_pool)  # fmt: skip
    assert dust.borrowed_usd_wad == 1  # 1e-26 USD of debt rounds up to 1 wei
    none = m([pos(K.SPOT, "USDC", 1 * USDC6)])
    assert none.rf_wad == RF_NO_DEBT_WAD
    assert none.status is MarginStatus.HEALTHY


def test_inputs_must_be_one_account():
    with pytest.raises(ProtocolError) as info:
        m([pos(K.SPOT, "USDC", 1, account_id="x")], [loan(1)])
    assert info.value.code is ErrorCode.PRIME_INVALID_MARGIN_INPUT


def test_two_pts_of_one_market_share_the_accounts_cap():
    # 30 + 40 rsETH PT at $100 = $7,000 against 10 x $500 of AMM liquidity: $2,000 unapproved
    # (-100%) in one account; one by one each ($3,000, $4,000) would fit its own $5,000
    def pt(pid: str, qty: int, account: str = "a") -> Position:
        return pos(K.PENDLE_PT, "rsETH", qty * WAD, position_id=pid, account_id=account,
                   expiry_ts_s=NOW + 30 * DAY, pt_amm_liquidity_usd_wad=usd(500))  # fmt: skip

    r = m([pt("x", 30), pt("y", 40)])
    assert r.unapproved_charge_usd_wad == usd(2_000)
    assert r.by_group[0].long_usd_wad == usd(5_000)
    assert sum(r.attribution.values()) == r.stress_charge_usd_wad
    for p in (pt("x", 30, "a"), pt("y", 40, "b")):
        assert m([p]).unapproved_charge_usd_wad == 0


def test_attribution_credits_the_hedge():
    long_ = pos(K.SPOT, "WBTC", 2 * E8)
    hedge = pos(K.PERP, "BTC", -E8, entry_price_usd_e8=60_000 * E8)
    r = m([long_, hedge], [loan(1 * USDC6)])
    assert r.stress_charge_usd_wad == usd(12_000)
    assert r.attribution[long_.position_id] == usd(24_000)
    assert r.attribution[hedge.position_id] == -usd(12_000)


# ---- Hypothesis properties -------------------------------------------------------------

SYMS = ["WBTC", "BTC", "ETH", "stETH", "USDC", "USDe", "DOGE"]


@st.composite
def books(draw: st.DrawFn) -> list[Position]:
    out = []
    for i in range(draw(st.integers(1, 6))):
        sym = draw(st.sampled_from(SYMS))
        kind = draw(st.sampled_from([K.SPOT, K.PERP, K.LENDING_BORROW]))
        dec = ASSETS[sym].decimals
        qty = draw(st.integers(0, 50 * 10**dec))
        if kind is K.PERP:
            qty = draw(st.sampled_from([1, -1])) * qty
            entry = draw(st.integers(1, 2 * PRICES[sym]))
            out.append(pos(kind, sym, qty, entry_price_usd_e8=entry, position_id=f"h{i}"))
        else:
            out.append(pos(kind, sym, qty, position_id=f"h{i}"))
    cash = draw(st.integers(0, 10**6)) * USDC6
    return [*out, pos(K.SPOT, "USDC", cash, position_id="cash")]


PROPS = settings(max_examples=60 * FUZZ, deadline=None)
LOAN = [loan(50_000 * USDC6)]


@PROPS
@given(books())
def test_attribution_sums_exactly_to_the_total_charge(book: list[Position]) -> None:
    r = m(book, LOAN)
    assert sum(r.attribution.values()) == r.stress_charge_usd_wad
    assert r.stpv_usd_wad == r.value_usd_wad - r.stress_charge_usd_wad
    assert r.stpv_usd_wad <= min(r.stpv_up_usd_wad, r.stpv_down_usd_wad)


@PROPS
@given(books())
def test_a_perfect_btc_hedge_never_lowers_rf(book: list[Position]) -> None:
    # BTC and WBTC have 8 decimals, so the hedge's notional cancels the group's exactly
    net_qty = sum(p.qty * (-1 if p.kind is K.LENDING_BORROW else 1) for p in book
                  if p.symbol in ("BTC", "WBTC"))  # fmt: skip
    hedge = pos(K.PERP, "BTC", -net_qty, entry_price_usd_e8=PRICES["BTC"], position_id="hedge")
    before, after = m(book, LOAN), m([*book, hedge], LOAN)
    assert all(g.net_usd_wad == 0 for g in after.by_group if g.name == "BTC")
    assert after.rf_wad >= before.rf_wad


@PROPS
@given(books(), st.integers(0, 10_000), st.integers(0, 10_000), st.sampled_from(["BTC", "ETH"]))
def test_raising_a_haircut_never_raises_rf(
    book: list[Position], h1: int, h2: int, name: str
) -> None:
    lo, hi = sorted((h1, h2))
    r_lo = m(book, LOAN, policy=make_policy(haircuts={name: lo}))
    r_hi = m(book, LOAN, policy=make_policy(haircuts={name: hi}))
    assert r_hi.rf_wad <= r_lo.rf_wad


@PROPS
@given(st.integers(1, 100 * E8), st.integers(1, 10**6 * E8), st.integers(1, 10**6 * E8),
       st.booleans())  # fmt: skip
def test_rf_is_monotone_in_price_one_asset(qty: int, p1: int, p2: int, short: bool) -> None:
    lo, hi = sorted((p1, p2))
    if short:
        book = [pos(K.PERP, "BTC", -qty, entry_price_usd_e8=E8), pos(K.SPOT, "USDC", 10**12)]
    else:
        book = [pos(K.SPOT, "WBTC", qty)]
    r_lo = m(book, LOAN, prices={**PRICES, "BTC": lo, "WBTC": lo})
    r_hi = m(book, LOAN, prices={**PRICES, "BTC": hi, "WBTC": hi})
    assert (r_hi.rf_wad <= r_lo.rf_wad) if short else (r_hi.rf_wad >= r_lo.rf_wad)


def test_asset_registry_is_required_for_the_borrowed_asset():
    with pytest.raises(ProtocolError) as info:
        margin_account([], [loan(1)], PRICES, POLICY, POOL,
                       assets={"X": Asset(symbol="X", decimals=1)}, now_ts_s=NOW)  # fmt: skip
    assert info.value.code is ErrorCode.PRIME_UNKNOWN_ASSET
