"""The batch kernels against the scalar reference `prime.margin.margin_account` (issue 5:
"batch results equal scalar results"), plus worked examples from the Arkis docs and the
Arkis v2 whitepaper rebuilt through the arrays."""

from __future__ import annotations

import dataclasses
import datetime
import doctest
import os
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Account, Asset, Loan, LoanKind, Position
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.margin import MarginResult, MarginStatus, margin_account
from sparkprime.prime.policy import AssetGroup, Policy, RateFloorRule
from sparkprime.prime.scenarios import Scenario, default_grid
from sparkprime.prime.scenarios import grid_stpv as scalar_grid
from sparkprime.risk import book_arrays, margin_kernels
from sparkprime.risk.book_arrays import build_book_arrays, reprice
from sparkprime.risk.margin_kernels import (
    STATUS_ORDER,
    MarginBatch,
    grid_stpv,
    margin_batch,
    stpv_two_sided,
)
from tests.risk.risk_books import (
    ASSETS,
    NOW,
    POLICY,
    POOL,
    Book,
    assert_matches,
    books,
    by_account,
    prices,
    stpv_tol_usd,
)

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
PROPS = settings(max_examples=40 * FUZZ, deadline=None)
WAD = 10**18
E8 = 10**8
USDC6 = 10**6
DAY = 86_400


def _build(book: Book, px: dict[str, int]) -> book_arrays.BookArrays:
    accounts, positions, loans, depths = book
    return build_book_arrays(accounts, positions, loans, px, POLICY, assets=ASSETS,
                             now_ts_s=NOW, depths=depths)  # fmt: skip


def _scalar(book: Book, px: dict[str, int], account: str, **kw: Any) -> MarginResult:
    _, positions, loans, depths = book
    return margin_account(by_account(positions, account), by_account(loans, account), px,
                          POLICY, POOL, assets=ASSETS, now_ts_s=NOW, depths=depths or None,
                          **kw)  # fmt: skip


def test_doctests() -> None:
    assert doctest.testmod(book_arrays).failed == 0
    assert doctest.testmod(margin_kernels).failed == 0


# --- batch = scalar (the property) --------------------------------------------------


@PROPS
@given(book=books(), px=prices())
def test_batch_equals_scalar(book: Book, px: dict[str, int]) -> None:
    arr = _build(book, px)
    batch = margin_batch(arr)
    stpv, up, down = stpv_two_sided(arr)
    assert np.array_equal(stpv, batch.stpv_usd)
    assert np.array_equal(up, batch.stpv_up_usd)
    assert np.array_equal(down, batch.stpv_down_usd)
    for i, acct in enumerate(book[0]):
        assert_matches(_scalar(book, px, acct.account_id), batch, i)


@PROPS
@given(book=books(), px=prices(), tick=prices())
def test_price_tick_equals_a_fresh_scalar_margin(
    book: Book, px: dict[str, int], tick: dict[str, int]
) -> None:
    # built at one set of prices, repriced to another: as if margined from scratch there
    # (PT caps re-applied, perp PnL moved, borrowed revalued)
    batch = margin_batch(reprice(_build(book, px), tick))
    for i, acct in enumerate(book[0]):
        assert_matches(_scalar(book, tick, acct.account_id), batch, i)


@PROPS
@given(book=books(max_accounts=3), px=prices())
def test_grid_equals_scalar_grid(book: Book, px: dict[str, int]) -> None:
    grid = default_grid(POLICY)
    g = grid_stpv(_build(book, px), grid, block_rows=2)  # blocks smaller than the book
    for i, acct in enumerate(book[0]):
        r = _scalar(book, px, acct.account_id, scenario_grid=grid)
        assert r.grid is not None
        tol = stpv_tol_usd(r)
        assert abs(r.grid.stpv_usd_wad / WAD - g.stpv_usd[i]) <= tol
        # the binding scenario's own value is the minimum (ties may name another scenario)
        by_name = dict(r.grid.by_scenario)
        assert abs(by_name[g.names[g.binding[i]]] / WAD - g.stpv_usd[i]) <= tol


# --- worked examples through the arrays ------------------------------------------------------


def _one(
    positions: list[Position], loans: list[Loan], px: dict[str, int], policy: Policy = POLICY,
    assets: dict[str, Asset] = ASSETS,
) -> MarginBatch:  # fmt: skip
    acct = Account(account_id="a", borrower_id="b", pool_id=policy.pools[0].pool_id)
    arr = build_book_arrays([acct], positions, loans, px, policy, assets=assets, now_ts_s=NOW)
    return margin_batch(arr)


def _pos(pid: str, kind: K, symbol: str, qty: int, **kw: object) -> Position:
    return Position(position_id=pid, account_id="a", venue_id=str(kw.pop("venue_id", "onchain")),
                    kind=kind, symbol=symbol, qty=qty, **kw)  # type: ignore[arg-type]  # fmt: skip


def _loan(principal: int) -> Loan:
    return Loan(loan_id="l", account_id="a", principal=principal, rate_bps=800,
                kind=LoanKind.EVERGREEN, originated_ts_s=NOW - DAY, term_end_ts_s=None,
                accrued_interest=0, last_accrual_ts_s=NOW)  # fmt: skip


PX = {"USDC": E8, "USDT": E8, "wstETH": 2_500 * E8, "ETH": 2_500 * E8, "WETH": 2_500 * E8}


def test_arkis_docs_risk_factor_example() -> None:
    # docs.arkis.xyz/home/concepts/risk-factor: borrowed $10,000, STV $11,200 -> RF 1.12,
    # below the 1.15 margin call and above the 1.00 liquidation: a margin call.
    b = _one([_pos("p", K.SPOT, "USDC", 11_200 * USDC6)], [_loan(10_000 * USDC6)], PX)
    assert b.stpv_usd[0] == pytest.approx(11_200, rel=1e-12)
    assert b.rf[0] == pytest.approx(1.12, rel=1e-12)
    assert STATUS_ORDER[b.status_code[0]] is MarginStatus.MARGIN_CALL


def test_arkis_docs_pt_example_with_an_atlas_eth_member() -> None:
    # The docs' $100 PT (ETH group, 20% stress) + $100 USDC, $100 borrowed: STPV 180, RF 1.8
    # (the docs use rsETH; wstETH is the Atlas ETH-group member). A matching ETH perp short
    # nets the group to 0: STPV 200, RF 2.
    pt = _pos("pt", K.PENDLE_PT, "wstETH", 4 * 10**16, expiry_ts_s=NOW + 30 * DAY,
              pt_amm_liquidity_usd_wad=10**6 * WAD)  # fmt: skip
    cash = _pos("c", K.SPOT, "USDC", 100 * USDC6)
    b = _one([pt, cash], [_loan(100 * USDC6)], PX)
    assert (b.stpv_usd[0], b.rf[0]) == (pytest.approx(180, rel=1e-12), pytest.approx(1.8))
    hedge = _pos("h", K.PERP, "ETH", -4 * 10**16, entry_price_usd_e8=2_500 * E8)
    b2 = _one([pt, cash, hedge], [_loan(100 * USDC6)], PX)
    assert (b2.stpv_usd[0], b2.rf[0]) == (pytest.approx(200, rel=1e-12), pytest.approx(2.0))


def _whitepaper_policy() -> Policy:
    # The whitepaper's stress matrix: ETH 0.2, CRV 0.3, CRVUSD 0.1 (pegged); USDT borrowed.
    def g(gid: int, name: str, h: int, pegged: bool = False) -> AssetGroup:
        return AssetGroup(group_id=gid, name=name, haircut_long_bps=h,
                          haircut_short_bps=0 if pegged else h, pegged=pegged,
                          members=(name,))  # fmt: skip

    return Policy(
        version="arkis-v2-whitepaper", effective_from=datetime.date(2024, 1, 1),
        source="Arkis_Margin_Engine_v2.tex",
        groups=(g(1, "ETH", 2000), g(2, "CRV", 3000), g(3, "CRVUSD", 1000, True),
                g(4, "USDT", 0, True)),
        venues=POLICY.venues, pools=(dataclasses.replace(POOL, borrowed_asset="USDT"),),
        eligible_dex_kinds=frozenset({"curve_tricrypto"}),
        rate_floors=(RateFloorRule(effective_from=datetime.date(2024, 1, 1), ssr_spread_bps=0,
                                   sofr_spread_bps=0),),
    )  # fmt: skip


def _units(s: str) -> int:
    whole, _, frac = s.partition(".")
    return int(whole) * WAD + int((frac + "0" * 18)[:18])


@pytest.mark.parametrize(
    ("legs", "usdt_supply", "stpv_usd", "rf_floor_e3"),
    [
        # ArkisXYZ/arkis_margin_engine_whitepaper margin_engine_v2/Arkis_Margin_Engine_v2.tex:
        # manager A: 5000*133.33*0.8 + 0.5*1333333.333*0.7 + 666666.66*0.9; RF 1.599
        (("133.33", "1333333.333", "666666.66"), 0, 1_599_986.66, 1_599),
        # manager B: half of A's LP + 1,000,000 USDT on Aave = 1,799,973.3328; RF 1.799
        (("66.66", "666666.666", "333333.333"), 1_000_000, 1_799_973.3328, 1_799),
    ],
)
def test_whitepaper_asset_managers(
    legs: tuple[str, str, str], usdt_supply: int, stpv_usd: float, rf_floor_e3: int
) -> None:
    policy = _whitepaper_policy()
    assets = {s: Asset(symbol=s, decimals=18) for s in ("ETH", "CRV", "CRVUSD", "LP")}
    assets["USDT"] = Asset(symbol="USDT", decimals=6)
    px = {"ETH": 5_000 * E8, "CRV": E8 // 2, "CRVUSD": E8, "USDT": E8}
    lp_legs = tuple(zip(("ETH", "CRV", "CRVUSD"), map(_units, legs), strict=True))
    ps = [_pos("lp", K.DEX_LP, "LP", 1, dex_kind="curve_tricrypto", legs=lp_legs)]
    if usdt_supply:
        ps.append(_pos("s", K.LENDING_SUPPLY, "USDT", usdt_supply * USDC6))
    b = _one(ps, [_loan(1_000_000 * USDC6)], px, policy, assets)
    assert b.stpv_usd[0] == pytest.approx(stpv_usd, rel=1e-9)
    assert int(b.rf[0] * 1000) == rf_floor_e3


def test_unapproved_long_and_short_never_offset() -> None:
    # a long and a short of the same unknown token both lose 100%: value 0 - 2 x $1,000
    px = {**PX, "PEPE": E8}
    assets = {**ASSETS, "PEPE": Asset(symbol="PEPE", decimals=18)}
    long_ = _pos("l", K.SPOT, "PEPE", 1_000 * WAD)
    short = _pos("s", K.LENDING_BORROW, "PEPE", 1_000 * WAD)
    b = _one([long_, short], [_loan(USDC6)], px, assets=assets)
    assert b.unapproved_charge_usd[0] == pytest.approx(2_000, rel=1e-12)
    assert b.stpv_usd[0] == pytest.approx(-2_000, rel=1e-12)
    assert b.rf[0] == 0.0
    assert STATUS_ORDER[b.status_code[0]] is MarginStatus.LIQUIDATION


def test_pt_cap_crossed_by_a_tick() -> None:
    # $1,000 of liquidity caps the approved PT at $10,000: 4 PT at $2,500 sit under it, at
    # $5,000 half of the $20,000 is unapproved (exactly as the scalar splits it)
    pt = _pos("pt", K.PENDLE_PT, "wstETH", 4 * WAD, expiry_ts_s=NOW + 30 * DAY,
              pt_amm_liquidity_usd_wad=1_000 * WAD)  # fmt: skip
    acct = Account(account_id="a", borrower_id="b", pool_id=POOL.pool_id)
    arr = build_book_arrays([acct], [pt], [_loan(USDC6)], PX, POLICY, assets=ASSETS, now_ts_s=NOW)
    assert margin_batch(arr).unapproved_charge_usd[0] == 0.0
    high = {**PX, "wstETH": 5_000 * E8}
    b = margin_batch(reprice(arr, high))
    assert b.unapproved_charge_usd[0] == pytest.approx(10_000, rel=1e-12)
    r = margin_account([pt], [_loan(USDC6)], high, POLICY, POOL, assets=ASSETS, now_ts_s=NOW)
    assert b.stpv_usd[0] == pytest.approx(r.stpv_usd_wad / WAD, rel=1e-12)


def test_pts_of_one_market_share_the_accounts_cap_in_the_kernels() -> None:
    # 2 + 2 wstETH PT (one market) against one $10,000 cap (10 x the smaller $1,000 reported):
    # at $2,500 ($10,000) all approved, at $5,000 $10,000 of $20,000 unapproved; the same two
    # PTs in two accounts are capped one by one (each $10,000 fits its own cap)
    def pt(pid: str, liquidity_usd: int, account: str = "a") -> Position:
        return Position(position_id=pid, account_id=account, venue_id="onchain",
                        kind=K.PENDLE_PT, symbol="wstETH", qty=2 * WAD,
                        expiry_ts_s=NOW + 30 * DAY,
                        pt_amm_liquidity_usd_wad=liquidity_usd * WAD)  # fmt: skip

    one = [pt("x", 1_000), pt("y", 3_000)]
    two = [pt("x", 1_000, "a"), pt("y", 3_000, "b")]
    accts = [Account(account_id=a, borrower_id="b", pool_id=POOL.pool_id) for a in ("a", "b")]
    high = {**PX, "wstETH": 5_000 * E8}
    arr1 = build_book_arrays(accts[:1], one, [_loan(USDC6)], PX, POLICY, assets=ASSETS,
                             now_ts_s=NOW)  # fmt: skip
    arr2 = build_book_arrays(accts, two, [_loan(USDC6)], PX, POLICY, assets=ASSETS, now_ts_s=NOW)
    assert margin_batch(arr1).unapproved_charge_usd[0] == 0.0
    b1, b2 = margin_batch(reprice(arr1, high)), margin_batch(reprice(arr2, high))
    assert b1.unapproved_charge_usd[0] == pytest.approx(10_000, rel=1e-12)
    assert list(b2.unapproved_charge_usd) == [0.0, 0.0]
    r = margin_account(one, [_loan(USDC6)], high, POLICY, POOL, assets=ASSETS, now_ts_s=NOW)
    assert r.unapproved_charge_usd_wad == 10_000 * WAD
    assert b1.stpv_usd[0] == pytest.approx(r.stpv_usd_wad / WAD, rel=1e-12)


def test_no_debt_is_infinite_rf_and_healthy() -> None:
    b = _one([_pos("p", K.SPOT, "WETH", WAD)], [], PX)
    assert np.isinf(b.rf[0])
    assert STATUS_ORDER[b.status_code[0]] is MarginStatus.HEALTHY


# --- refusals ---------------------------------------------------------------------------------


def test_refusals() -> None:
    acct = Account(account_id="a", borrower_id="b", pool_id=POOL.pool_id)
    weth = _pos("p", K.SPOT, "WETH", WAD)
    arr = build_book_arrays([acct], [weth], [], PX, POLICY, assets=ASSETS, now_ts_s=NOW)
    with pytest.raises(ProtocolError) as err:
        reprice(arr, {"USDC": E8})
    assert err.value.code is ErrorCode.PRICE_UNAVAILABLE
    with pytest.raises(ProtocolError) as err:
        build_book_arrays([acct], [dataclasses.replace(weth, account_id="z")], [], PX, POLICY,
                          assets=ASSETS, now_ts_s=NOW)  # fmt: skip
    assert err.value.code is ErrorCode.RISK_INVALID_INPUT
    with pytest.raises(ProtocolError) as err:
        build_book_arrays([acct, acct], [], [], PX, POLICY, assets=ASSETS, now_ts_s=NOW)
    assert err.value.code is ErrorCode.RISK_INVALID_INPUT
    with pytest.raises(ProtocolError) as err:
        grid_stpv(arr, [])
    assert err.value.code is ErrorCode.PRIME_INVALID_SCENARIO


@settings(max_examples=20 * FUZZ, deadline=None)
@given(shock=st.integers(-10_000, 10_000))
def test_symbol_shock_wins_over_its_group(shock: int) -> None:
    acct = Account(account_id="a", borrower_id="b", pool_id=POOL.pool_id)
    ps = [_pos("p", K.SPOT, "WETH", WAD), _pos("q", K.SPOT, "wstETH", WAD)]
    arr = build_book_arrays([acct], ps, [], PX, POLICY, assets=ASSETS, now_ts_s=NOW)
    scen = [Scenario(name="s", shocks_bps={"ETH": shock, "wstETH": -5_000})]
    r = margin_account(ps, [], PX, POLICY, POOL, assets=ASSETS, now_ts_s=NOW)
    want = scalar_grid(r.exposures, scen, POLICY).stpv_usd_wad / WAD
    assert grid_stpv(arr, scen).stpv_usd[0] == pytest.approx(want, rel=1e-12)
