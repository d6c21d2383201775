"""Book-wide margin: the NumPy kernels (`risk/`) against the scalar reference (`prime/`).

Synthetic books, seeded (`core.rng.Rng`): N accounts over 50 assets spread across the 19
Atlas groups (staked / wrapped versions, reserved stablecoins, gold, derivatives-only silver
and oil) plus unapproved tokens; 3-10 positions an account (spot, perps and dated futures,
lending supply / borrow, Pendle PTs), USDC collateral and one USDC loan, sized so that every
status occurs.
The scenario grid is `prime.scenarios.default_grid` of the Atlas policy.

Timed, each for 10,000 and 100,000 accounts:

(a) build: `build_book_arrays` (one Python pass over the positions: the one-off cost);
(b) price tick: every price moves, then `reprice` + `margin_batch` (STPV two-sided, RF,
    status for the whole book): the steady-state re-check;
(c) grid: `grid_stpv` over the whole grid;
(d) what-if: `what_if_fast` (one added position and a borrow on a random account), per-call
    p50 / p99 over 10,000 calls.

The baseline for each is the scalar model measured in the same run on a sample of accounts
(`margin_account`, with `scenario_grid=` for (c), `prime.whatif.what_if` for (d)),
extrapolated per account to the whole book: ratio = scalar time / kernel time. After the
build the book's objects are frozen out of the cyclic GC (`gc.freeze()`, as a long-lived
engine would), so a full collection over a million positions does not land in a what-if.

Run: .venv/bin/python benchmarks/margin.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

from sparkprime.core.rng import Rng
from sparkprime.presets.atlas_policy import ARKIS_POOL_ID, atlas_policy
from sparkprime.prime.book import Account, Asset, Loan, LoanKind, Position, PositionKind
from sparkprime.prime.margin import margin_account
from sparkprime.prime.scenarios import default_grid
from sparkprime.prime.whatif import what_if
from sparkprime.risk.book_arrays import BookArrays, build_book_arrays, reprice
from sparkprime.risk.margin_kernels import grid_stpv, margin_batch
from sparkprime.risk.whatif_fast import what_if_fast

K = PositionKind
E8 = 10**8
DAY = 86_400
NOW = 1_800_000_000
POLICY = atlas_policy()
POOL = POLICY.pool(ARKIS_POOL_ID)
# 50 assets: every Atlas group has members here; the last seven are in no group (unapproved)
SYMBOLS = {
    "BTC": 60_000, "LBTC": 60_000, "cbBTC": 60_000, "WBTC": 60_000, "ETH": 3_000,
    "WETH": 3_000, "stETH": 3_000, "wstETH": 3_500, "weETH": 3_100, "XRP": 2, "SOL": 150,
    "JitoSOL": 170, "BNSOL": 160, "DOGE": 0.2, "ADA": 0.5, "HYPE": 30, "kHYPE": 31,
    "ZEC": 40, "AVAX": 30, "sAVAX": 35, "SUI": 3, "NEAR": 5, "USDe": 1, "sUSDe": 1.15,
    "USDT": 1, "spUSDT": 1.02, "USDC": 1, "spUSDC": 1.03, "sUSDC": 1.04, "PYUSD": 1,
    "USDG": 1, "RLUSD": 1, "USDtb": 1, "EURC": 1.1, "EURCV": 1.1, "EURe": 1.1, "XAU": 2_600,
    "XAUT": 2_600, "PAXG": 2_600, "XAUM": 2_600, "XAG": 30, "BRENT": 80, "WTI": 75,
    "PEPE": 0.00001, "UNI": 8, "LINK": 15, "AAVE": 150, "USDS": 1, "sUSDS": 1.05, "ENA": 0.5,
}  # fmt: skip
DECIMALS = {"BTC": 8, "LBTC": 8, "cbBTC": 8, "WBTC": 8, "USDT": 6, "USDC": 6, "spUSDC": 6,
            "spUSDT": 6, "sUSDC": 6, "PYUSD": 6, "EURC": 6, "XRP": 6, "SOL": 9,
            "ADA": 6}  # fmt: skip
ASSETS = {s: Asset(symbol=s, decimals=DECIMALS.get(s, 18)) for s in SYMBOLS}
PRICES = {s: round(p * E8) for s, p in SYMBOLS.items()}
NAMES = tuple(SYMBOLS)
DERIVED = ("BTC", "ETH", "SOL", "XAG", "WTI", "BRENT", "HYPE", "DOGE", "XAU")
assert len(SYMBOLS) == 50


def _position(rng: Rng, aid: str, i: int) -> Position:
    roll = rng.random()
    sym = rng.choice(NAMES)
    usd = 10 ** rng.uniform(3, 6.5)
    qty = round(usd / (PRICES[sym] / E8) * 10 ** ASSETS[sym].decimals)
    base: dict[str, Any] = {"position_id": f"{aid}p{i}", "account_id": aid,
                            "venue_id": "onchain", "symbol": sym}  # fmt: skip
    if roll < 0.5:
        return Position(**base, kind=K.SPOT, qty=qty)
    if roll < 0.7:
        sym = rng.choice(DERIVED)
        qty = round(usd / (PRICES[sym] / E8) * 10 ** ASSETS[sym].decimals)
        qty = qty if rng.random() < 0.4 else -qty
        kind = K.PERP if rng.random() < 0.7 else K.FUTURE
        expiry = NOW + rng.randint(1, 200) * DAY if kind is K.FUTURE else None
        return Position(**{**base, "symbol": sym}, kind=kind, qty=qty, expiry_ts_s=expiry,
                        entry_price_usd_e8=round(PRICES[sym] * rng.uniform(0.9, 1.1)))  # fmt: skip
    if roll < 0.8:
        return Position(**base, kind=K.LENDING_SUPPLY, qty=qty)
    if roll < 0.93:
        return Position(**base, kind=K.LENDING_BORROW, qty=qty // 3)
    sym = rng.choice(("weETH", "sUSDe", "wstETH"))
    qty = round(usd / (PRICES[sym] / E8) * 10**18)
    liquidity = round(usd * rng.uniform(0.05, 1)) * 10**18  # the 10x cap binds on some
    return Position(**{**base, "symbol": sym}, kind=K.PENDLE_PT, qty=qty,
                    expiry_ts_s=NOW + rng.randint(1, 200) * DAY,
                    pt_amm_liquidity_usd_wad=liquidity)  # fmt: skip


Book = tuple[list[Account], list[list[Position]], list[Loan]]


def make_book(n: int, seed: int = 5) -> Book:
    """`n` accounts, each with 3-10 positions and one USDC loan (see the module docstring)."""
    rng = Rng(seed).child(f"book-{n}")
    accounts, positions, loans = [], [], []
    for a in range(n):
        aid = f"a{a}"
        accounts.append(Account(account_id=aid, borrower_id=f"b{a}", pool_id=ARKIS_POOL_ID))
        ps = [_position(rng, aid, i) for i in range(rng.randint(3, 10))]
        positions.append(ps)
        gross = sum(abs(p.qty) * PRICES[p.symbol] / E8 / 10 ** ASSETS[p.symbol].decimals
                    for p in ps)  # fmt: skip
        cash = round(gross * rng.uniform(0.2, 0.6) * 10**6)  # USDC collateral
        ps.append(Position(position_id=f"{aid}c", account_id=aid, venue_id="onchain",
                           kind=K.SPOT, symbol="USDC", qty=cash))  # fmt: skip
        owed = round(gross * rng.uniform(0.05, 0.5) * 10**6)
        loans.append(Loan(loan_id=f"{aid}l", account_id=aid, principal=owed, rate_bps=800,
                          kind=LoanKind.EVERGREEN, originated_ts_s=NOW - DAY,
                          term_end_ts_s=None, accrued_interest=0,
                          last_accrual_ts_s=NOW))  # fmt: skip
    return accounts, positions, loans


def _time(fn: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _tick(rng: Rng) -> dict[str, int]:
    return {s: max(1, round(p * rng.uniform(0.95, 1.05))) for s, p in PRICES.items()}


def _scalar_per_account(book: Book, sample: int, prices: dict[str, int], **kw: Any) -> float:
    accounts, positions, loans = book
    step = max(1, len(accounts) // sample)
    idx = range(0, len(accounts), step)
    start = time.perf_counter()
    for i in idx:
        margin_account(positions[i], [loans[i]], prices, POLICY, POOL, assets=ASSETS,
                       now_ts_s=NOW, **kw)  # fmt: skip
    return (time.perf_counter() - start) / len(idx)


def _what_ifs(arr: BookArrays, book: Book, calls: int, fast: bool) -> list[float]:
    accounts, positions, loans = book
    rng = Rng(11).child(f"whatif-{fast}")
    out = []
    for c in range(calls):
        i = rng.randint(0, len(accounts) - 1)
        aid = accounts[i].account_id
        add = [Position(position_id=f"w{c}", account_id=aid, venue_id="onchain", kind=K.SPOT,
                        symbol=rng.choice(NAMES), qty=10**6)]  # fmt: skip
        borrow = rng.randint(0, 10**10)
        if fast:
            held = {p.position_id: p for p in positions[i]}
            start = time.perf_counter()
            what_if_fast(arr, aid, held=held, add=add, borrow=borrow)
        else:
            start = time.perf_counter()
            what_if(positions[i], [loans[i]], PRICES, POLICY, POOL, assets=ASSETS,
                    now_ts_s=NOW, add=add, borrow=borrow)  # fmt: skip
        out.append(time.perf_counter() - start)
    return out


def _pct(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]


def run(n: int, rows: list[tuple[str, ...]]) -> None:
    """Time (a)-(d) for a book of `n` accounts and append the table rows."""
    book = make_book(n)
    accounts, positions, loans = book
    flat = [p for ps in positions for p in ps]
    gc.collect()
    start = time.perf_counter()
    arr = build_book_arrays(accounts, flat, loans, PRICES, POLICY, assets=ASSETS, now_ts_s=NOW,
                            symbols=NAMES)  # fmt: skip
    build_s = time.perf_counter() - start
    # a long-lived engine freezes its loaded book: the cyclic GC then skips those objects
    gc.freeze()
    rng = Rng(7).child(f"ticks-{n}")
    ticks = [_tick(rng) for _ in range(5)]
    tick_s = min(_time(lambda t=t: margin_batch(reprice(arr, t))) for t in ticks)  # type: ignore[misc]
    batch = margin_batch(arr)
    grid = default_grid(POLICY)
    grid_s = _time(lambda: grid_stpv(arr, grid), repeat=3)
    scalar = _scalar_per_account(book, 1_000, PRICES) * n
    scalar_grid = _scalar_per_account(book, 100, PRICES, scenario_grid=grid) * n
    counts = [int((batch.status_code == k).sum()) for k in range(4)]
    rows.append((f"{n:,}", "(a) build arrays (one-off)", f"{build_s:.2f} s",
                 f"{scalar:.2f} s", f"{scalar / build_s:.1f}x"))  # fmt: skip
    rows.append((f"{n:,}", "(b) price tick: reprice + margin", f"{tick_s * 1e3:.0f} ms",
                 f"{scalar:.2f} s", f"{scalar / tick_s:.0f}x"))  # fmt: skip
    rows.append((f"{n:,}", f"(c) grid, {len(grid)} scenarios", f"{grid_s * 1e3:.0f} ms",
                 f"{scalar_grid:.1f} s", f"{scalar_grid / grid_s:.0f}x"))  # fmt: skip
    fast = _what_ifs(arr, book, 10_000, fast=True)
    slow = _what_ifs(arr, book, 300, fast=False)
    for q, name in ((0.5, "p50"), (0.99, "p99")):
        f, s = _pct(fast, q), _pct(slow, q)
        rows.append((f"{n:,}", f"(d) what-if {name}", f"{f * 1e6:.0f} µs", f"{s * 1e6:.0f} µs",
                     f"{s / f:.0f}x"))  # fmt: skip
    gc.unfreeze()
    print(f"{n:,} accounts, {len(flat):,} positions, {len(arr.col_symbols)} columns; status "
          f"healthy/margin call/reduce only/liquidation = {counts}; what-if mean "
          f"{statistics.fmean(fast) * 1e6:.0f} µs")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    rows: list[tuple[str, ...]] = []
    for n in args.sizes:
        run(n, rows)
    print()
    print("| accounts | what | kernels | scalar (same run, extrapolated) | scalar / kernels |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
