"""Hypothesis properties of liquidation plans over random books (issue 5): proceeds never
exceed mark value, bad debt and residual are never negative, an insolvent account's proceeds
plus bad debt equal its debt plus the fee, plans are deterministic, executing at the expected
prices reproduces the plan, and no batch leaves any asset group more exposed than at the start.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.prime.book import Position
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.exposure import account_exposures
from sparkprime.prime.liquidation import TRADE_ACTIONS, LiquidationPlan
from sparkprime.prime.liquidation_exec import execute_liquidation
from sparkprime.prime.margin import margin_account
from sparkprime.prime.status import MarginStatus, rf_status
from tests.prime.liquidation_support import POLICY, PRICES, USDC, plan
from tests.prime.prime_fixtures import ASSETS, E8, NOW, POOL, WAD, loan, pos

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
OKX = {"venue_id": "okx"}


@st.composite
def books(draw: Any) -> tuple[list[Position], list[Any], dict[str, int]]:
    prices = {**PRICES, "BTC": draw(st.integers(10_000, 100_000)) * E8,
              "ETH": draw(st.integers(500, 5_000)) * E8}  # fmt: skip
    prices["WBTC"], prices["WETH"] = prices["BTC"], prices["ETH"]
    positions: list[Position] = []
    n = iter(range(100))

    def add(kind: K, symbol: str, qty: int, **kw: Any) -> None:
        positions.append(pos(kind, symbol, qty, position_id=f"q{next(n)}", **kw))

    if q := draw(st.integers(0, 5 * 10**8)):
        add(K.SPOT, "WBTC", q)
    if q := draw(st.integers(0, 50 * 10**18)):
        add(K.LENDING_SUPPLY, "WETH", q)
    if q := draw(st.integers(0, 20_000 * USDC)):
        add(K.LENDING_BORROW, "USDT", q)
    if q := draw(st.integers(0, 10**13)):
        add(K.SPOT, "DOGE", q)
    if q := draw(st.integers(0, 10_000 * USDC)):
        add(K.SPOT, "USDC", q)
    if q := draw(st.integers(-5 * 10**8, 5 * 10**8)):
        entry = draw(st.integers(10_000, 100_000)) * E8
        add(K.MARGIN_VALUE, "USDT", 0, margin_value_usd_wad=draw(st.integers(-5_000, 50_000)) * WAD,
            **OKX)  # fmt: skip
        add(K.PERP, "BTC", q, entry_price_usd_e8=entry, **OKX)
    if not positions:
        add(K.SPOT, "WETH", 10**18)
    loans = [loan(draw(st.integers(0, 600_000 * USDC)), accrued=draw(st.integers(0, 10**9)))]
    return positions, loans, prices


def _venue_values(positions: list[Position], prices: dict[str, int]) -> dict[str, int]:
    venue = {p.position_id: p.venue_id for p in positions}
    out: dict[str, int] = {}
    exps = account_exposures(positions, prices=prices, assets=ASSETS, policy=POLICY, now_ts_s=NOW)
    for e in exps:
        out[venue[e.position_id]] = out.get(venue[e.position_id], 0) + e.value_usd_wad
    return out


def _net_by_group(positions: list[Position], prices: dict[str, int]) -> dict[int, int]:
    out: dict[int, int] = {}
    exps = account_exposures(positions, prices=prices, assets=ASSETS, policy=POLICY, now_ts_s=NOW)
    for e in exps:
        if e.approved and e.group_id is not None:
            out[e.group_id] = out.get(e.group_id, 0) + e.notional_usd_wad
    return out


def _fills(p: LiquidationPlan) -> dict[int, int]:
    return {s.index: s.expected_price_usd_e8 for s in p.steps if s.action in TRADE_ACTIONS}


@settings(max_examples=60 * FUZZ, deadline=None)
@given(books())
def test_full_plan_accounting(book: tuple[list[Position], list[Any], dict[str, int]]):
    positions, loans, prices = book
    p = plan(positions, loans, prices=prices)
    assert p == plan(positions, loans, prices=prices)  # deterministic
    assert p.bad_debt >= 0
    assert p.residual_returned_to_borrower >= 0
    assert p.fee >= 0
    if p.bad_debt:
        assert p.expected_proceeds + p.bad_debt == p.debt + p.fee
        assert p.residual_returned_to_borrower == 0
    else:
        assert p.repaid == p.debt
        assert p.fee == -(-p.debt * POOL.liquidation_fee_bps // 10_000)
        assert p.expected_proceeds == p.debt + p.fee + p.residual_returned_to_borrower
    # each venue's cash (USDC at $1: one unit = 1e12 wad) never exceeds its value at mark
    values = _venue_values(positions, prices)
    for venue, cash in p.venue_cash:
        assert cash * 10**12 <= max(values.get(venue, 0), 0)
    # executing at the expected prices reproduces the plan and closes everything
    left, left_loans, out = execute_liquidation(p, positions, loans, fills=_fills(p))
    assert (left, left_loans) == ((), ())
    assert (out.realised_proceeds, out.repaid, out.fee, out.bad_debt) == (
        p.expected_proceeds,
        p.repaid,
        p.fee,
        p.bad_debt,
    )
    assert out.residual_returned_to_borrower == p.residual_returned_to_borrower


@settings(max_examples=60 * FUZZ, deadline=None)
@given(books())
def test_no_batch_leaves_a_group_more_exposed(
    book: tuple[list[Position], list[Any], dict[str, int]],
):
    positions, loans, prices = book
    p = plan(positions, loans, prices=prices)
    start = _net_by_group(positions, prices)
    done: set[str] = set()
    for b in sorted({s.batch for s in p.steps}):
        done |= {s.position_id for s in p.steps if s.batch == b and s.position_id}
        now = _net_by_group([q for q in positions if q.position_id not in done], prices)
        for gid, net in now.items():
            assert abs(net) <= abs(start.get(gid, 0))
    closes = [s.index for s in p.steps if s.action.value.startswith("close")]
    hedged = {s.batch for s in p.steps if s.action.value.startswith("close")} & {
        s.batch for s in p.steps if s.action.value.startswith("sell")}  # fmt: skip
    first_unhedged_sale = min((s.index for s in p.steps if s.action.value.startswith("sell")
                               and s.batch not in hedged), default=10**9)  # fmt: skip
    assert all(i < first_unhedged_sale for i in closes)


@settings(max_examples=40 * FUZZ, deadline=None)
@given(books())
def test_to_healthy_plan_stops_healthy_or_uses_everything(
    book: tuple[list[Position], list[Any], dict[str, int]],
):
    positions, loans, prices = book
    p = plan(positions, loans, prices=prices, target="to_healthy")
    assert p == plan(positions, loans, prices=prices, target="to_healthy")
    assert p.bad_debt == 0
    assert p.residual_returned_to_borrower >= 0
    assert p.rf_before_wad is not None
    assert p.rf_after_wad is not None
    if rf_status(p.rf_before_wad, POOL) is MarginStatus.HEALTHY:
        assert p.steps == ()
        return
    left, left_loans, _ = execute_liquidation(p, positions, loans, fills=_fills(p))
    after = margin_account(left, left_loans, prices, POLICY, POOL, assets=ASSETS, now_ts_s=NOW)
    assert after.rf_wad == p.rf_after_wad
    batches = sorted({s.batch for s in p.steps if s.position_id})
    if rf_status(after.rf_wad, POOL) is MarginStatus.HEALTHY and len(batches) > 1:
        # one batch fewer was not enough: the plan stopped as soon as it could
        keep = [s for s in p.steps if s.batch != batches[-1] and s.position_id]
        shorter = execute_liquidation(
            dataclasses.replace(p, steps=tuple(keep)),
            positions, loans, fills={s.index: s.expected_price_usd_e8 for s in keep
                                     if s.action in TRADE_ACTIONS})  # fmt: skip
        rf_short = margin_account(shorter[0], shorter[1], prices, POLICY, POOL, assets=ASSETS,
                                  now_ts_s=NOW).rf_wad  # fmt: skip
        assert rf_status(rf_short, POOL) is not MarginStatus.HEALTHY
