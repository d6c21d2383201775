"""The example book's strategies: what each account holds, drawn from a seed at a given size.

`Strategy` names an account's kind (the prefix of its id, `strategy_of`); `strategy_mix` draws
`n` kinds in the book's proportions; `AccountBuilder` adds one account's positions (priced at
`presets.example_book_market`'s figures), `STRATEGY_BUILDERS` has one builder per strategy and
`add_unapproved` the small unapproved position some accounts also hold. The draws depend on the
seed only, never on the size, so the generator can scale an account to a target RF.

Example:
    >>> b = AccountBuilder("stable_loop-001", seed=1, size_usd=100_000)
    >>> STRATEGY_BUILDERS[strategy_of(b.account_id)](b)
    >>> [str(p.kind) for p in b.out]
    ['lending_supply', 'lending_borrow']
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Final

from sparkprime.core.rng import Rng
from sparkprime.presets.book_file import ts_of
from sparkprime.presets.example_book_market import (
    ALTS,
    ASSETS,
    CEXES,
    CUSTODIANS,
    PRICES,
    PT_MARKETS,
    qty_of,
)
from sparkprime.prime.book import Position, PositionKind

__all__ = [
    "STRATEGY_BUILDERS",
    "AccountBuilder",
    "Strategy",
    "add_unapproved",
    "strategy_mix",
    "strategy_of",
]

_WAD: Final = 10**18
_K = PositionKind


class Strategy(StrEnum):
    """What an example account does (the prefix of its id)."""

    BASIS_BTC = "basis_btc"
    BASIS_ETH = "basis_eth"
    ALT_LONG_SHORT = "alt_long_short"
    PT_CARRY = "pt_carry"
    STABLE_LOOP = "stable_loop"
    LP = "lp"
    STABLE_CARRY = "stable_carry"


# Share of the book per strategy (per 200 borrowers).
_MIX: Final = {
    Strategy.BASIS_BTC: 34, Strategy.BASIS_ETH: 26, Strategy.ALT_LONG_SHORT: 40,
    Strategy.PT_CARRY: 36, Strategy.STABLE_LOOP: 28, Strategy.LP: 20, Strategy.STABLE_CARRY: 16,
}  # fmt: skip


def strategy_of(account_id: str) -> Strategy:
    """The strategy of an example account, from its id ("basis_btc-017" -> BASIS_BTC)."""
    return Strategy(account_id.rsplit("-", 1)[0])


class AccountBuilder:
    """Positions of one account at a given size; the same draws whatever the size."""

    def __init__(self, account_id: str, seed: int, size_usd: int) -> None:
        self.account_id, self.rng, self.size = account_id, Rng(seed), size_usd
        self.out: list[Position] = []

    def pct(self, lo: int, hi: int) -> int:
        """A USD amount: `size` x a drawn share in [lo, hi] percent (drawn in bps)."""
        return self.size * self.rng.randint(lo * 100, hi * 100) // 10_000

    def add(self, venue: str, kind: PositionKind, symbol: str, *, usd: int = 0,
            qty: int | None = None, **kw: object) -> None:  # fmt: skip
        if qty is None:
            dec = ASSETS[symbol][0]
            price = PRICES[str(kw.get("price_symbol") or symbol)]
            qty = usd * 10**8 * 10**dec // price
        pid = f"{self.account_id}/p{len(self.out) + 1}"
        self.out.append(Position(position_id=pid, account_id=self.account_id, venue_id=venue,
                                 kind=kind, symbol=symbol, qty=qty, **kw))  # type: ignore[arg-type]  # fmt: skip

    def perp(self, venue: str, symbol: str, usd: int) -> None:
        """A perp of signed notional `usd`, entered within 3% of the mark."""
        entry = PRICES[symbol] * self.rng.randint(9_700, 10_300) // 10_000
        sign = -1 if usd < 0 else 1
        qty = sign * (abs(usd) * 10**8 * 10 ** ASSETS[symbol][0] // PRICES[symbol])
        self.add(venue, _K.PERP, symbol, qty=qty, entry_price_usd_e8=entry)

    def margin_value(self, venue: str, usd: int) -> None:
        self.add(venue, _K.MARGIN_VALUE, "USDT", qty=0, margin_value_usd_wad=usd * _WAD)


def _basis(b: AccountBuilder, btc: bool) -> None:
    cex = b.rng.choice(CEXES)
    if b.rng.randint(0, 2) == 0:  # a third hold the spot leg at a custodian
        venue, symbol = b.rng.choice(CUSTODIANS), "BTC" if btc else "ETH"
    else:
        venue = "onchain"
        symbol = b.rng.choice(("WBTC", "cbBTC") if btc else ("WETH", "wstETH", "weETH"))
    spot = b.size
    b.add(venue, _K.SPOT, symbol, usd=spot)
    b.perp(cex, "BTC" if btc else "ETH", -spot * b.rng.randint(9_700, 10_000) // 10_000)
    b.margin_value(cex, b.pct(15, 30))


def _alt_long_short(b: AccountBuilder) -> None:
    cex = b.rng.choice(CEXES)
    names = list(ALTS)
    b.rng.shuffle(names)
    n_long, n_short = b.rng.randint(2, 3), b.rng.randint(1, 3)
    for symbol in names[:n_long]:
        usd = b.pct(20, 45)
        if b.rng.randint(0, 1):
            b.add(cex, _K.SPOT, symbol, usd=usd)  # spot posted as margin: notional only
        else:
            b.perp(cex, symbol, usd)
    for symbol in names[n_long : n_long + n_short]:
        b.perp(cex, symbol, -b.pct(20, 45))
    b.margin_value(cex, b.size)


def _pt_carry(b: AccountBuilder) -> None:
    eth = b.rng.randint(0, 3) == 0
    markets = [m for m, v in PT_MARKETS.items() if (v[0] != "USDe") == eth]
    for market in sorted({b.rng.choice(markets) for _ in range(b.rng.randint(1, 2))}):
        under, expiry, _, liquidity = PT_MARKETS[market]
        b.add("onchain", _K.PENDLE_PT, under, usd=b.pct(40, 95), expiry_ts_s=ts_of(expiry),
              pt_amm_liquidity_usd_wad=liquidity * _WAD, price_symbol=market)  # fmt: skip
    b.add("onchain", _K.SPOT, "USDC", usd=b.pct(2, 8))


def _stable_loop(b: AccountBuilder) -> None:
    collateral = b.rng.choice(("sUSDe", "USDe"))
    debt = b.rng.choice(("USDC", "USDT"))
    supplied = b.size * 3
    b.add("onchain", _K.LENDING_SUPPLY, collateral, usd=supplied)
    b.add("onchain", _K.LENDING_BORROW, debt, usd=supplied * b.rng.randint(55, 70) // 100)


def _lp(b: AccountBuilder) -> None:
    pick = b.rng.randint(0, 3)
    if pick <= 1:  # Uniswap v3 WETH/USDC, half of them hedged
        half = b.size // 2
        legs = (("WETH", qty_of("WETH", half)), ("USDC", qty_of("USDC", half)))
        b.add("onchain", _K.DEX_LP, "UNIV3-WETH-USDC", qty=b.size * _WAD, dex_kind="uniswap_v3",
              legs=legs)  # fmt: skip
        if pick == 1:
            cex = b.rng.choice(CEXES)
            b.perp(cex, "ETH", -half * b.rng.randint(80, 100) // 100)
            b.margin_value(cex, b.pct(10, 20))
    else:
        symbol, first = (("CRVNG-USDC-USDT", "USDT"), ("CRVNG-sUSDe-USDC", "USDe"))[pick - 2]
        half = b.size // 2
        legs = ((first, qty_of(first, half)), ("USDC", qty_of("USDC", half)))
        b.add("onchain", _K.DEX_LP, symbol, qty=b.size * _WAD, dex_kind="curve_ng_stableswap",
              legs=legs)  # fmt: skip


def _stable_carry(b: AccountBuilder) -> None:
    venue = b.rng.choice(CUSTODIANS)
    shares = b.pct(40, 60) * 10**6 * 10**8 // PRICES["spUSDC"]
    b.add("onchain", _K.VAULT_SHARES, "spUSDC", qty=shares, share_rate_wad=PRICES["spUSDC"]
          * 10**10, legs=(("USDC", 0),))  # fmt: skip
    b.add(venue, _K.SPOT, b.rng.choice(("PYUSD", "RLUSD")), usd=b.pct(10, 25))
    b.add(venue, _K.SPOT, "USDT", usd=b.pct(15, 30))


def add_unapproved(b: AccountBuilder) -> None:
    symbol = b.rng.choice(("PEPE", "ENA", "TAO", "sUSDS"))
    usd = b.pct(1, 3)
    if symbol == "sUSDS":
        shares = usd * 10**18 * 10**8 // PRICES["sUSDS"]
        b.add("onchain", _K.VAULT_SHARES, symbol, qty=shares,
              share_rate_wad=PRICES["sUSDS"] * 10**10, legs=(("USDS", 0),))  # fmt: skip
    else:
        b.add("onchain", _K.SPOT, symbol, usd=usd)


STRATEGY_BUILDERS: Final[dict[Strategy, Callable[[AccountBuilder], None]]] = {
    Strategy.BASIS_BTC: lambda b: _basis(b, True), Strategy.BASIS_ETH: lambda b: _basis(b, False),
    Strategy.ALT_LONG_SHORT: _alt_long_short, Strategy.PT_CARRY: _pt_carry,
    Strategy.STABLE_LOOP: _stable_loop, Strategy.LP: _lp, Strategy.STABLE_CARRY: _stable_carry,
}  # fmt: skip


def strategy_mix(rng: Rng, n: int) -> list[Strategy]:
    """`n` strategies in `_MIX`'s proportions (largest remainder; every kind once if n >= 7)."""
    total = sum(_MIX.values())
    counts = {s: max(n * w // total, 1 if n >= len(_MIX) else 0) for s, w in _MIX.items()}
    by_rest = sorted(_MIX, key=lambda s: (-(n * _MIX[s] % total), list(_MIX).index(s)))
    i = 0
    while sum(counts.values()) < n:
        counts[by_rest[i % len(by_rest)]] += 1
        i += 1
    while sum(counts.values()) > n:
        biggest = max(counts, key=lambda s: counts[s])
        counts[biggest] -= 1
    kinds = [s for s in _MIX for _ in range(counts[s])]
    rng.shuffle(kinds)
    return kinds
