"""The example book's market, as illustrative round figures (not market data): its assets
(decimals, peg, price, depth within 1% / 2%, daily volume), PYUSD/RLUSD supplies, the Pendle PT
markets (underlying at par, expiry, implied APY, AMM liquidity), venues, and the prices they
imply as of `AS_OF` (a PT at its underlying's price discounted at its APY to expiry).

`static_records()` turns them into `prime.book` assets and venues (venue kinds from the Atlas
policy as of `AS_OF`) and `prime.addons` market depths (a PT market's from its AMM liquidity).
Used by `presets.example_book` and `presets.example_book_strategies`.

Example:
    >>> PRICES["BTC"], qty_of("USDC", 1_000)
    (9500000000000, 1000000000)
"""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Final

from sparkprime.presets.atlas_policy import atlas_policy
from sparkprime.prime.addons import MarketDepth
from sparkprime.prime.book import Asset, Venue

__all__ = [
    "ALTS",
    "ASSETS",
    "AS_OF",
    "CEXES",
    "CUSTODIANS",
    "PRICES",
    "PT_MARKETS",
    "SUPPLY",
    "VENUES",
    "qty_of",
    "static_records",
]

AS_OF: Final = datetime.date(2026, 7, 20)
_WAD: Final = 10**18

# symbol: (decimals, pegged_to, price USD, depth within 1% / 2% USD, ADV USD). Illustrative.
ASSETS: Final[dict[str, tuple[int, str | None, str, int, int, int]]] = {
    "BTC": (8, None, "95000", 80_000_000, 200_000_000, 20_000_000_000),
    "WBTC": (8, None, "94950", 8_000_000, 20_000_000, 300_000_000),
    "cbBTC": (8, None, "95000", 6_000_000, 15_000_000, 200_000_000),
    "ETH": (18, None, "3400", 60_000_000, 150_000_000, 12_000_000_000),
    "WETH": (18, None, "3400", 30_000_000, 80_000_000, 2_000_000_000),
    "stETH": (18, None, "3398", 10_000_000, 30_000_000, 200_000_000),
    "wstETH": (18, None, "4114", 10_000_000, 30_000_000, 200_000_000),
    "weETH": (18, None, "3638", 6_000_000, 15_000_000, 100_000_000),
    "SOL": (9, None, "165", 25_000_000, 60_000_000, 3_000_000_000),
    "XRP": (6, None, "2.45", 20_000_000, 50_000_000, 2_000_000_000),
    "DOGE": (8, None, "0.21", 10_000_000, 25_000_000, 1_000_000_000),
    "ADA": (6, None, "0.72", 6_000_000, 15_000_000, 500_000_000),
    "HYPE": (18, None, "41", 8_000_000, 20_000_000, 400_000_000),
    "AVAX": (18, None, "23", 5_000_000, 12_000_000, 300_000_000),
    "SUI": (9, None, "3.4", 6_000_000, 15_000_000, 500_000_000),
    "NEAR": (24, None, "2.7", 4_000_000, 10_000_000, 200_000_000),
    "USDe": (18, "USD", "1", 30_000_000, 80_000_000, 500_000_000),
    "sUSDe": (18, None, "1.19", 15_000_000, 40_000_000, 100_000_000),
    "USDT": (6, "USD", "1", 200_000_000, 500_000_000, 50_000_000_000),
    "USDC": (6, "USD", "1", 200_000_000, 500_000_000, 20_000_000_000),
    "spUSDC": (6, None, "1.043", 5_000_000, 12_000_000, 50_000_000),
    "PYUSD": (6, "USD", "1", 5_000_000, 12_000_000, 100_000_000),
    "RLUSD": (18, "USD", "1", 5_000_000, 12_000_000, 100_000_000),
    "USDS": (18, "USD", "1", 30_000_000, 80_000_000, 300_000_000),
    "sUSDS": (18, None, "1.07", 10_000_000, 25_000_000, 50_000_000),
    "PEPE": (18, None, "0.0000105", 3_000_000, 8_000_000, 500_000_000),
    "ENA": (18, None, "0.32", 3_000_000, 8_000_000, 200_000_000),
    "TAO": (9, None, "340", 2_000_000, 5_000_000, 100_000_000),
    "UNIV3-WETH-USDC": (18, None, "", 0, 0, 0),
    "CRVNG-USDC-USDT": (18, None, "", 0, 0, 0),
    "CRVNG-sUSDe-USDC": (18, None, "", 0, 0, 0),
}
SUPPLY: Final = {"PYUSD": 1_000_000_000, "RLUSD": 600_000_000}  # whole tokens, illustrative
# PT price symbol: (underlying at par, expiry, implied APY in bps, AMM liquidity USD).
PT_MARKETS: Final = {
    "PT-sUSDe-24SEP2026": ("USDe", datetime.date(2026, 9, 24), 950, 180_000_000),
    "PT-sUSDe-29OCT2026": ("USDe", datetime.date(2026, 10, 29), 1_020, 120_000_000),
    "PT-USDe-24SEP2026": ("USDe", datetime.date(2026, 9, 24), 880, 90_000_000),
    "PT-wstETH-29OCT2026": ("stETH", datetime.date(2026, 10, 29), 310, 40_000_000),
    "PT-weETH-24SEP2026": ("ETH", datetime.date(2026, 9, 24), 360, 35_000_000),
}
VENUES: Final = (
    ("onchain", "Onchain", None), ("binance", "Binance", "arkis-binance-master"),
    ("okx", "OKX", "arkis-okx-master"), ("bybit", "Bybit", "arkis-bybit-master"),
    ("anchorage", "Anchorage", None), ("bitgo", "Bitgo", None), ("copper", "Copper", None),
    ("ceffu", "Ceffu", None),
)  # fmt: skip
CEXES: Final = ("binance", "okx", "bybit")
CUSTODIANS: Final = ("anchorage", "bitgo", "copper", "ceffu")
ALTS: Final = ("SOL", "XRP", "DOGE", "ADA", "HYPE", "AVAX", "SUI", "NEAR")


def _e8(text: str) -> int:
    return int(Fraction(text) * 10**8)


PRICES: Final[dict[str, int]] = {s: _e8(a[2]) for s, a in ASSETS.items() if a[2]}
PRICES.update({
    pt: int(Fraction(PRICES[under]) / (1 + Fraction(apy, 10_000)
        * Fraction((expiry - AS_OF).days, 365)))
    for pt, (under, expiry, apy, _) in PT_MARKETS.items()
})  # fmt: skip


def qty_of(symbol: str, usd: int) -> int:
    """Units of `symbol` worth `usd` dollars at its example price (rounded down)."""
    return int(usd * 10**8 * 10 ** ASSETS[symbol][0] // PRICES[symbol])


def static_records() -> tuple[dict[str, Asset], list[Venue], dict[str, MarketDepth]]:
    """The example assets, venues and market depths (see the module docstring)."""
    assets = {s: Asset(symbol=s, decimals=a[0], pegged_to=a[1]) for s, a in ASSETS.items()}
    venues = [
        Venue(venue_id=v, name=name, kind=atlas_policy(AS_OF).venue(name).kind,
              master_account=master)
        for v, name, master in VENUES
    ]  # fmt: skip
    depths = {
        s: MarketDepth(symbol=s, depth_1pct_usd_wad=a[3] * _WAD,
                       depth_2pct_usd_wad=a[4] * _WAD, adv_usd_wad=a[5] * _WAD)
        for s, a in ASSETS.items() if a[3]
    }  # fmt: skip
    for pt, (_, _, _, liquidity) in PT_MARKETS.items():
        depths[pt] = MarketDepth(symbol=pt, depth_1pct_usd_wad=liquidity * _WAD // 20,
                                 depth_2pct_usd_wad=liquidity * _WAD // 8,
                                 adv_usd_wad=liquidity * _WAD // 10)  # fmt: skip
    return assets, venues, depths
