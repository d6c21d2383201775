"""A small policy, asset registry and position builders for the prime tests.

The groups copy Atlas rows 1, 2, 12, 14, 13 and 18 (spec/spark-prime.md §1.3); rsETH joins
ETH only so the Arkis docs' rsETH-PT example can be rebuilt (an Arkis pool may approve it;
the Atlas does not list it).
"""

from __future__ import annotations

import datetime
from typing import Any

from sparkprime.prime.book import Asset, Loan, LoanKind, Position, PositionKind
from sparkprime.prime.policy import (
    AssetGroup,
    Policy,
    PoolParams,
    RateFloorRule,
    VenueKind,
    VenuePolicy,
)

__all__ = [
    "ASSETS",
    "DAY",
    "E8",
    "NOW",
    "POOL",
    "WAD",
    "group",
    "loan",
    "make_policy",
    "pos",
    "usd",
]

WAD = 10**18
E8 = 10**8
NOW = 1_800_000_000
DAY = 86_400


def group(gid: int, name: str, h_long: int, h_short: int, members: tuple[str, ...],
          **kw: Any) -> AssetGroup:  # fmt: skip
    return AssetGroup(group_id=gid, name=name, haircut_long_bps=h_long,
                      haircut_short_bps=h_short, pegged=kw.pop("pegged", False),
                      members=members, **kw)  # fmt: skip


def make_policy(*, haircuts: dict[str, int] | None = None) -> Policy:
    """The test policy; `haircuts` overrides a group's long and short haircut (not pegged)."""
    h = {"BTC": 2000, "ETH": 2000, "XAG": 1500, **(haircuts or {})}
    return Policy(
        version="test",
        effective_from=datetime.date(2026, 7, 9),
        source="tests",
        groups=(
            group(1, "BTC", h["BTC"], h["BTC"], ("BTC", "WBTC", "cbBTC", "LBTC")),
            group(
                2, "ETH", h["ETH"], h["ETH"], ("ETH", "WETH", "stETH", "wstETH", "weETH", "rsETH")
            ),
            group(3, "USDe", 1000, 0, ("USDe", "sUSDe"), pegged=True),
            group(4, "USDC", 0, 0, ("USDC", "spUSDC", "sUSDC"), pegged=True),
            group(5, "USDT", 0, 0, ("USDT", "spUSDT"), pegged=True),
            group(6, "XAG", h["XAG"], h["XAG"], ("XAG",), derivatives_only=True),
        ),
        venues=(
            VenuePolicy(name="Onchain", kind=VenueKind.ONCHAIN, limit_usd_wad=None),
            VenuePolicy(name="OKX", kind=VenueKind.CEX, limit_usd_wad=100_000_000 * WAD),
        ),
        pools=(POOL,),
        eligible_dex_kinds=frozenset({"curve_ng_stableswap", "uniswap_v2", "uniswap_v3"}),
        rate_floors=(
            RateFloorRule(
                effective_from=datetime.date(2026, 7, 9), ssr_spread_bps=30, sofr_spread_bps=0
            ),
        ),
    )


POOL = PoolParams(
    pool_id="usdc",
    borrowed_asset="USDC",
    margin_call_rf_bps=11_500,
    liquidation_rf_bps=10_000,
    reduce_only_rf_bps=10_500,
    margin_call_cure_s=DAY,
    withdrawal_haircut_bps=1_000,
    liquidation_fee_bps=500,
)

ASSETS = {
    s: Asset(symbol=s, decimals=d)
    for s, d in {
        "BTC": 8, "WBTC": 8, "cbBTC": 8, "LBTC": 8, "ETH": 18, "WETH": 18, "stETH": 18,
        "wstETH": 18, "weETH": 18, "rsETH": 18, "USDe": 18, "sUSDe": 18, "USDC": 6,
        "spUSDC": 6, "USDT": 6, "XAG": 18, "DOGE": 8, "USDS": 18, "sUSDS": 18, "CRV": 18,
        "CRVUSD": 18, "LP": 18,
    }.items()
}  # fmt: skip

_N = iter(range(10**9))


def pos(kind: PositionKind, symbol: str, qty: int, **kw: Any) -> Position:
    """A position with a fresh id; venue "onchain" and account "a" unless given."""
    return Position(
        position_id=kw.pop("position_id", f"p{next(_N)}"),
        account_id=kw.pop("account_id", "a"),
        venue_id=kw.pop("venue_id", "onchain"),
        kind=kind,
        symbol=symbol,
        qty=qty,
        **kw,
    )


def usd(dollars: int, cents: int = 0) -> int:
    """Dollars (and cents) as USD wad."""
    return dollars * WAD + cents * WAD // 100


def loan(principal: int, accrued: int = 0, loan_id: str = "l1") -> Loan:
    return Loan(loan_id=loan_id, account_id="a", principal=principal, rate_bps=800,
                kind=LoanKind.EVERGREEN, originated_ts_s=NOW - DAY, term_end_ts_s=None,
                accrued_interest=accrued, last_accrual_ts_s=NOW)  # fmt: skip
