"""Shared set-up for the liquidation tests: prices, depths with round hand-checkable costs."""

from __future__ import annotations

from typing import Any

from sparkprime.prime.addons import MarketDepth
from sparkprime.prime.liquidation import LiquidationPlan
from sparkprime.prime.liquidation_plan import plan_liquidation
from tests.prime.prime_fixtures import ASSETS, E8, NOW, POOL, WAD, make_policy

__all__ = ["DEPTHS", "POLICY", "PRICES", "USDC", "depth", "plan"]

USDC = 10**6  # one USDC in base units
POLICY = make_policy()
PRICES = {
    "BTC": 60_000 * E8, "WBTC": 60_000 * E8, "ETH": 3_000 * E8, "WETH": 3_000 * E8,
    "wstETH": 3_000 * E8, "PT-wstETH": 2_900 * E8, "USDC": E8, "USDT": E8, "DOGE": E8 // 10,
    "spUSDC": E8,
}  # fmt: skip


def depth(symbol: str, d1_dollars: int) -> MarketDepth:
    """A depth with D2 = 2 x D1; below D1 the walk costs S^2 / (200 D1)."""
    d1 = d1_dollars * WAD
    return MarketDepth(symbol=symbol, depth_1pct_usd_wad=d1, depth_2pct_usd_wad=2 * d1,
                       adv_usd_wad=10**12 * WAD)  # fmt: skip


# selling $60,000 of BTC costs 60_000^2 / (200 x 6e6) = $3; $3,000 of ETH costs $0.15
DEPTHS = {
    s: depth(s, d)
    for s, d in {"BTC": 6_000_000, "WBTC": 6_000_000, "ETH": 300_000, "WETH": 300_000,
                 "wstETH": 300_000, "PT-wstETH": 290_000, "USDT": 1_000_000,
                 "DOGE": 1_000_000}.items()
}  # fmt: skip


def plan(positions: Any, loans: Any, **kw: Any) -> LiquidationPlan:
    return plan_liquidation(positions, loans, kw.pop("prices", PRICES), kw.pop("policy", POLICY),
                            kw.pop("pool", POOL), depths=kw.pop("depths", DEPTHS), assets=ASSETS,
                            now_ts_s=kw.pop("now_ts_s", NOW), **kw)  # fmt: skip
