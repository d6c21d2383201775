"""An example prime book: ~200 borrowers of realistic kinds, generated from a seed, as data.

`generate_example_book(seed, n_borrowers)` builds a `BookFile` as of 2026-07-20 (the SAEP-15
Atlas policy, `presets.atlas_policy`) funded by the SLL Arkis instance (`presets.sll_limits`:
$50M maximum exposure); `data/example_book.yaml` is its output for the default seed, written
by `dump_book_file` (a test keeps the two equal, so nobody edits the YAML by hand), and
`example_book()` loads it. `small_book()` is an 8-borrower book for fast end-to-end tests.

One account per borrower; its id says its strategy (`Strategy`, "basis_btc-017"):

- basis_btc / basis_eth: spot BTC (WBTC, cbBTC on-chain or BTC at a custodian) or ETH (WETH,
  wstETH, weETH, or ETH at a custodian) against a short perp at Binance, OKX or Bybit, whose
  sub-account reports its margin value (USDT collateral and unrealised PnL);
- alt_long_short: SOL/XRP/DOGE/ADA/HYPE/AVAX/SUI/NEAR longs (spot posted as margin or long
  perps) against short perps of others, in one CEX sub-account with its margin value;
- pt_carry: Pendle PTs on USDe/sUSDe or ETH LSTs expiring within 120 days, each market far
  below 10x its AMM liquidity, with a little USDC on-chain;
- stable_loop: SparkLend loops (LENDING_SUPPLY sUSDe/USDe, LENDING_BORROW USDC/USDT);
- lp: Uniswap v3 WETH/USDC (half of them delta-hedged with a short ETH perp) or Curve-ng
  USDC/USDT and sUSDe/USDC stableswap legs;
- stable_carry: spUSDC vault shares, PYUSD/RLUSD (<= 20% of supply) and USDT at a custodian.

Every 25th account (from the 4th) also holds a small unapproved position (PEPE, ENA, TAO, or
sUSDS shares: 100% haircut in margin, a warning on load). Sizing: each account draws its loan
(the draws are scaled so the book's funding is $46M for 200 borrowers) and a target RF in
[1.3, 2.2]; its positions are then scaled so STPV / loan hits the target, so every account
starts HEALTHY (RF > 1.15) and the whole book within the Atlas limits (`prime.limits`): the
generator checks both and raises `InvariantViolation` otherwise. Prices, depths, supplies,
PT yields and liquidities are illustrative round figures, not market data.

Example:
    >>> book = small_book()
    >>> len(book.borrowers), sorted(str(strategy_of(a.account_id)) for a in book.accounts)[:2]
    (8, ['alt_long_short', 'basis_btc'])
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final

from sparkprime.core.errors import InvariantViolation
from sparkprime.core.rng import Rng
from sparkprime.presets.atlas_policy import ARKIS_POOL_ID, atlas_policy
from sparkprime.presets.book_file import BookFile, dump_book_file, load_book_file, ts_of
from sparkprime.presets.sll_limits import sll_limits_preset
from sparkprime.prime.addons import MarketDepth
from sparkprime.prime.book import (
    Account,
    Asset,
    Borrower,
    KycStatus,
    Loan,
    LoanKind,
    Position,
    PositionKind,
    Venue,
)
from sparkprime.prime.limits import check_book
from sparkprime.prime.loans import interest_for
from sparkprime.prime.margin import margin_account
from sparkprime.prime.status import MarginStatus

__all__ = [
    "AS_OF",
    "DEFAULT_SEED",
    "EXAMPLE_BOOK_PATH",
    "Strategy",
    "example_book",
    "example_book_header",
    "generate_example_book",
    "small_book",
    "strategy_of",
    "write_example_book",
]

AS_OF: Final = datetime.date(2026, 7, 20)
DEFAULT_SEED: Final = 20_260_720
EXAMPLE_BOOK_PATH: Final = "data/example_book.yaml"
_WAD: Final = 10**18
_DAY_S: Final = 86_400
_FUNDING_PER_BORROWER_USD: Final = 230_000  # 200 borrowers -> $46M of the $50M
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

# symbol: (decimals, pegged_to, price USD, depth within 1% / 2% USD, ADV USD). Illustrative.
_ASSETS: Final[dict[str, tuple[int, str | None, str, int, int, int]]] = {
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
_SUPPLY: Final = {"PYUSD": 1_000_000_000, "RLUSD": 600_000_000}  # whole tokens, illustrative
# PT price symbol: (underlying at par, expiry, implied APY in bps, AMM liquidity USD).
_PT_MARKETS: Final = {
    "PT-sUSDe-24SEP2026": ("USDe", datetime.date(2026, 9, 24), 950, 180_000_000),
    "PT-sUSDe-29OCT2026": ("USDe", datetime.date(2026, 10, 29), 1_020, 120_000_000),
    "PT-USDe-24SEP2026": ("USDe", datetime.date(2026, 9, 24), 880, 90_000_000),
    "PT-wstETH-29OCT2026": ("stETH", datetime.date(2026, 10, 29), 310, 40_000_000),
    "PT-weETH-24SEP2026": ("ETH", datetime.date(2026, 9, 24), 360, 35_000_000),
}
_VENUES: Final = (
    ("onchain", "Onchain", None), ("binance", "Binance", "arkis-binance-master"),
    ("okx", "OKX", "arkis-okx-master"), ("bybit", "Bybit", "arkis-bybit-master"),
    ("anchorage", "Anchorage", None), ("bitgo", "Bitgo", None), ("copper", "Copper", None),
    ("ceffu", "Ceffu", None),
)  # fmt: skip
_CEXES: Final = ("binance", "okx", "bybit")
_CUSTODIANS: Final = ("anchorage", "bitgo", "copper", "ceffu")
_ALTS: Final = ("SOL", "XRP", "DOGE", "ADA", "HYPE", "AVAX", "SUI", "NEAR")
_NAMES: Final = (
    ("Kestrel", "Halcyon", "Meridian", "Aster", "Boreal", "Cobalt", "Driftwood", "Ember",
     "Fathom", "Granite", "Harbor", "Iris", "Juniper", "Keel", "Lumen", "Mistral", "Northgate",
     "Onyx", "Pelagic", "Quarry", "Redwood", "Sable", "Tidewater", "Umber", "Vantage",
     "Willow", "Xylem", "Yarrow", "Zephyr", "Alder"),
    ("Capital", "Partners", "Trading", "Markets", "Asset Management", "Fund", "Digital",
     "Quant", "Strategies", "Investments"),
    ("Ltd (BVI)", "LLC (Delaware)", "Ltd (Cayman)", "AG (Zug)", "Pte. Ltd. (Singapore)",
     "Ltd (Hong Kong)", "LP (Cayman)", "SA (Luxembourg)"),
)  # fmt: skip


def strategy_of(account_id: str) -> Strategy:
    """The strategy of an example account, from its id ("basis_btc-017" -> BASIS_BTC)."""
    return Strategy(account_id.rsplit("-", 1)[0])


def _e8(text: str) -> int:
    return int(Fraction(text) * 10**8)


_PRICES: Final[dict[str, int]] = {s: _e8(a[2]) for s, a in _ASSETS.items() if a[2]}
_PRICES.update({
    pt: int(Fraction(_PRICES[under]) / (1 + Fraction(apy, 10_000)
        * Fraction((expiry - AS_OF).days, 365)))
    for pt, (under, expiry, apy, _) in _PT_MARKETS.items()
})  # fmt: skip


class _Builder:
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
            dec = _ASSETS[symbol][0]
            price = _PRICES[str(kw.get("price_symbol") or symbol)]
            qty = usd * 10**8 * 10**dec // price
        pid = f"{self.account_id}/p{len(self.out) + 1}"
        self.out.append(Position(position_id=pid, account_id=self.account_id, venue_id=venue,
                                 kind=kind, symbol=symbol, qty=qty, **kw))  # type: ignore[arg-type]  # fmt: skip

    def perp(self, venue: str, symbol: str, usd: int) -> None:
        """A perp of signed notional `usd`, entered within 3% of the mark."""
        entry = _PRICES[symbol] * self.rng.randint(9_700, 10_300) // 10_000
        sign = -1 if usd < 0 else 1
        qty = sign * (abs(usd) * 10**8 * 10 ** _ASSETS[symbol][0] // _PRICES[symbol])
        self.add(venue, _K.PERP, symbol, qty=qty, entry_price_usd_e8=entry)

    def margin_value(self, venue: str, usd: int) -> None:
        self.add(venue, _K.MARGIN_VALUE, "USDT", qty=0, margin_value_usd_wad=usd * _WAD)


def _basis(b: _Builder, btc: bool) -> None:
    cex = b.rng.choice(_CEXES)
    if b.rng.randint(0, 2) == 0:  # a third hold the spot leg at a custodian
        venue, symbol = b.rng.choice(_CUSTODIANS), "BTC" if btc else "ETH"
    else:
        venue = "onchain"
        symbol = b.rng.choice(("WBTC", "cbBTC") if btc else ("WETH", "wstETH", "weETH"))
    spot = b.size
    b.add(venue, _K.SPOT, symbol, usd=spot)
    b.perp(cex, "BTC" if btc else "ETH", -spot * b.rng.randint(9_700, 10_000) // 10_000)
    b.margin_value(cex, b.pct(15, 30))


def _alt_long_short(b: _Builder) -> None:
    cex = b.rng.choice(_CEXES)
    names = list(_ALTS)
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


def _pt_carry(b: _Builder) -> None:
    eth = b.rng.randint(0, 3) == 0
    markets = [m for m, v in _PT_MARKETS.items() if (v[0] != "USDe") == eth]
    for market in sorted({b.rng.choice(markets) for _ in range(b.rng.randint(1, 2))}):
        under, expiry, _, liquidity = _PT_MARKETS[market]
        b.add("onchain", _K.PENDLE_PT, under, usd=b.pct(40, 95), expiry_ts_s=ts_of(expiry),
              pt_amm_liquidity_usd_wad=liquidity * _WAD, price_symbol=market)  # fmt: skip
    b.add("onchain", _K.SPOT, "USDC", usd=b.pct(2, 8))


def _stable_loop(b: _Builder) -> None:
    collateral = b.rng.choice(("sUSDe", "USDe"))
    debt = b.rng.choice(("USDC", "USDT"))
    supplied = b.size * 3
    b.add("onchain", _K.LENDING_SUPPLY, collateral, usd=supplied)
    b.add("onchain", _K.LENDING_BORROW, debt, usd=supplied * b.rng.randint(55, 70) // 100)


def _lp(b: _Builder) -> None:
    pick = b.rng.randint(0, 3)
    if pick <= 1:  # Uniswap v3 WETH/USDC, half of them hedged
        half = b.size // 2
        legs = (("WETH", _qty("WETH", half)), ("USDC", _qty("USDC", half)))
        b.add("onchain", _K.DEX_LP, "UNIV3-WETH-USDC", qty=b.size * _WAD, dex_kind="uniswap_v3",
              legs=legs)  # fmt: skip
        if pick == 1:
            cex = b.rng.choice(_CEXES)
            b.perp(cex, "ETH", -half * b.rng.randint(80, 100) // 100)
            b.margin_value(cex, b.pct(10, 20))
    else:
        symbol, first = (("CRVNG-USDC-USDT", "USDT"), ("CRVNG-sUSDe-USDC", "USDe"))[pick - 2]
        half = b.size // 2
        legs = ((first, _qty(first, half)), ("USDC", _qty("USDC", half)))
        b.add("onchain", _K.DEX_LP, symbol, qty=b.size * _WAD, dex_kind="curve_ng_stableswap",
              legs=legs)  # fmt: skip


def _stable_carry(b: _Builder) -> None:
    venue = b.rng.choice(_CUSTODIANS)
    shares = b.pct(40, 60) * 10**6 * 10**8 // _PRICES["spUSDC"]
    b.add("onchain", _K.VAULT_SHARES, "spUSDC", qty=shares, share_rate_wad=_PRICES["spUSDC"]
          * 10**10, legs=(("USDC", 0),))  # fmt: skip
    b.add(venue, _K.SPOT, b.rng.choice(("PYUSD", "RLUSD")), usd=b.pct(10, 25))
    b.add(venue, _K.SPOT, "USDT", usd=b.pct(15, 30))


def _unapproved(b: _Builder) -> None:
    symbol = b.rng.choice(("PEPE", "ENA", "TAO", "sUSDS"))
    usd = b.pct(1, 3)
    if symbol == "sUSDS":
        shares = usd * 10**18 * 10**8 // _PRICES["sUSDS"]
        b.add("onchain", _K.VAULT_SHARES, symbol, qty=shares,
              share_rate_wad=_PRICES["sUSDS"] * 10**10, legs=(("USDS", 0),))  # fmt: skip
    else:
        b.add("onchain", _K.SPOT, symbol, usd=usd)


def _qty(symbol: str, usd: int) -> int:
    return int(usd * 10**8 * 10 ** _ASSETS[symbol][0] // _PRICES[symbol])


_BUILD: Final[dict[Strategy, Callable[[_Builder], None]]] = {
    Strategy.BASIS_BTC: lambda b: _basis(b, True), Strategy.BASIS_ETH: lambda b: _basis(b, False),
    Strategy.ALT_LONG_SHORT: _alt_long_short, Strategy.PT_CARRY: _pt_carry,
    Strategy.STABLE_LOOP: _stable_loop, Strategy.LP: _lp, Strategy.STABLE_CARRY: _stable_carry,
}  # fmt: skip


def _kinds(rng: Rng, n: int) -> list[Strategy]:
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


def _static() -> tuple[dict[str, Asset], list[Venue], dict[str, MarketDepth]]:
    assets = {s: Asset(symbol=s, decimals=a[0], pegged_to=a[1]) for s, a in _ASSETS.items()}
    venues = [
        Venue(venue_id=v, name=name, kind=atlas_policy(AS_OF).venue(name).kind,
              master_account=master)
        for v, name, master in _VENUES
    ]  # fmt: skip
    depths = {
        s: MarketDepth(symbol=s, depth_1pct_usd_wad=a[3] * _WAD,
                       depth_2pct_usd_wad=a[4] * _WAD, adv_usd_wad=a[5] * _WAD)
        for s, a in _ASSETS.items() if a[3]
    }  # fmt: skip
    for pt, (_, _, _, liquidity) in _PT_MARKETS.items():
        depths[pt] = MarketDepth(symbol=pt, depth_1pct_usd_wad=liquidity * _WAD // 20,
                                 depth_2pct_usd_wad=liquidity * _WAD // 8,
                                 adv_usd_wad=liquidity * _WAD // 10)  # fmt: skip
    return assets, venues, depths


def _loan(rng: Rng, loan_id: str, account_id: str, principal_usd: int) -> Loan:
    now = ts_of(AS_OF)
    kind = (LoanKind.EVERGREEN, LoanKind.EVERGREEN, LoanKind.DEMAND, LoanKind.FIXED)[
        rng.randint(0, 3)
    ]
    originated = now - rng.randint(1, 25) * _DAY_S
    principal = principal_usd * 10**6  # USDC base units
    rate = 480 + 5 * rng.randint(0, 40)  # >= the floor max(SSR 4.5% + 0.3%, SOFR 4.3%)
    return Loan(
        loan_id=loan_id, account_id=account_id, principal=principal, rate_bps=rate, kind=kind,
        originated_ts_s=originated,
        term_end_ts_s=originated + 30 * _DAY_S if kind is LoanKind.FIXED else None,
        accrued_interest=interest_for(principal, rate, now - originated), last_accrual_ts_s=now,
    )  # fmt: skip


def generate_example_book(seed: int = DEFAULT_SEED, n_borrowers: int = 200) -> BookFile:
    """The example book for `seed` (module docstring); deterministic."""
    if not 1 <= n_borrowers <= 1_000:
        raise InvariantViolation("example book size", n_borrowers=n_borrowers)
    rng = Rng(seed)
    policy = atlas_policy(AS_OF)
    pool = policy.pool(ARKIS_POOL_ID)
    assets, venues, depths = _static()
    now = ts_of(AS_OF)
    kinds = _kinds(rng.child("kinds"), n_borrowers)
    sizes = rng.child("sizes")
    weights = [sizes.randint(20, 100) * sizes.randint(1, 8) for _ in range(n_borrowers)]
    funding = _FUNDING_PER_BORROWER_USD * n_borrowers
    borrowers: list[Borrower] = []
    accounts: list[Account] = []
    positions: list[Position] = []
    loans: list[Loan] = []
    for i, kind in enumerate(kinds):
        r = rng.child(f"account/{i}")
        bid, aid = f"bor-{i + 1:03d}", f"{kind}-{i + 1:03d}"
        first, second, third = (r.choice(words) for words in _NAMES)
        name = f"{first} {second} {i + 1}"
        borrowers.append(Borrower(
            borrower_id=bid, name=name, entity=f"{name} {third}", kyc=KycStatus.APPROVED,
            sanctioned=False, solvency_attested_ts_s=now - r.randint(1, 80) * _DAY_S))  # fmt: skip
        accounts.append(Account(account_id=aid, borrower_id=bid, pool_id=ARKIS_POOL_ID))
        loan_usd = max(funding * weights[i] // sum(weights) // 1_000 * 1_000, 25_000)
        loan = _loan(r.child("loan"), f"loan-{i + 1:03d}", aid, loan_usd)
        rf_bps = r.randint(13_000, 22_000)
        build_seed = r.randbits(64)

        def build(size_usd: int, k: Strategy = kind, a: str = aid, s: int = build_seed,
                  unapproved: bool = i % 25 == 3) -> list[Position]:  # fmt: skip
            b = _Builder(a, s, size_usd)
            _BUILD[k](b)
            if unapproved:
                _unapproved(b)
            return b.out

        def stpv(ps: list[Position]) -> int:
            m = margin_account(ps, (), _PRICES, policy, pool, assets=assets, now_ts_s=now,
                               depths=depths)  # fmt: skip
            return int(m.stpv_usd_wad)

        unit = 1_000_000
        target = loan.principal * 10**12 * rf_bps // 10_000  # USD wad of STPV wanted
        size = max(target * unit // max(stpv(build(unit)), 1), 1_000)
        ps = build(size)
        result = margin_account(ps, (loan,), _PRICES, policy, pool, assets=assets, now_ts_s=now,
                                depths=depths)  # fmt: skip
        if result.status is not MarginStatus.HEALTHY:
            raise InvariantViolation("example account healthy", account_id=aid,
                                     rf_wad=result.rf_wad)  # fmt: skip
        positions.extend(ps)
        loans.append(loan)
    book = BookFile(
        as_of=AS_OF, pool_id=ARKIS_POOL_ID, policy=policy, assets=MappingProxyType(assets),
        borrowers=tuple(borrowers), venues=tuple(venues), accounts=tuple(accounts),
        positions=tuple(positions), loans=tuple(loans), prices=MappingProxyType(dict(_PRICES)),
        depths=MappingProxyType(depths),
        circulating_supply=MappingProxyType({
            s: n * 10 ** _ASSETS[s][0] for s, n in _SUPPLY.items()}),
        ssr_bps=450, sofr_bps=430,
        sll_max_exposure_usd_wad=int(
            sll_limits_preset(AS_OF).instance("arkis").max_exposure_usd or 0) * _WAD,
    )  # fmt: skip
    failing = [c.name for c in check_book(book.limit_state()) if not c.ok]
    if failing:
        raise InvariantViolation("example book within limits", failing=failing)
    return book


def small_book(seed: int = DEFAULT_SEED) -> BookFile:
    """An 8-borrower example book (every strategy, one unapproved position) for fast tests."""
    return generate_example_book(seed, n_borrowers=8)


@cache
def example_book() -> BookFile:
    """The shipped example book, `data/example_book.yaml` (200 borrowers, default seed)."""
    ref = resources.files("sparkprime.presets").joinpath(EXAMPLE_BOOK_PATH)
    with resources.as_file(ref) as path:
        return load_book_file(Path(path))


def example_book_header(seed: int = DEFAULT_SEED, n_borrowers: int = 200) -> str:
    """The comment block on top of a generated book file."""
    return (
        "sparkprime example prime book (format: sparkprime.presets.book_file).\n"
        f"Generated by sparkprime.presets.example_book.generate_example_book(seed={seed}, "
        f"n_borrowers={n_borrowers}).\n"
        "Do not edit by hand: a test checks this file equals the generator's output.\n"
        "Regenerate: python -m sparkprime.presets.example_book PATH\n"
        "Prices, depths, supplies, PT yields and liquidities are illustrative, not market data."
    )


def write_example_book(path: str | Path, seed: int = DEFAULT_SEED, n_borrowers: int = 200) -> None:
    """Generate the example book and write it (what ships as `data/example_book.yaml`)."""
    book = generate_example_book(seed, n_borrowers)
    dump_book_file(book, path, header=example_book_header(seed, n_borrowers))


if __name__ == "__main__":  # pragma: no cover - the regeneration entry point
    import sys

    write_example_book(sys.argv[1])
