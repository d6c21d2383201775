"""Random books over the Atlas preset for the fast-tier tests, and the batch-vs-scalar check.

Symbols: members of every Atlas group (incl. derivatives-only silver / oil and the reserved
stablecoins), unknown symbols, vault shares (spUSDC -> USDC approved, sUSDS -> USDS not),
Pendle PTs (some with their own PT price), DEX LPs of eligible and ineligible kinds, perps,
dated futures (inside and past the 120-day window), lending supply / borrow, and a CEX
futures account (a MARGIN_VALUE venue: positions there are stressed, not valued).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from hypothesis import strategies as st

from sparkprime.presets.atlas_policy import ARKIS_POOL_ID, atlas_policy
from sparkprime.prime.addons import MarketDepth
from sparkprime.prime.book import Account, Asset, Loan, LoanKind, Position
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.margin import RF_NO_DEBT_WAD, MarginResult
from sparkprime.prime.status import BPS_TO_WAD
from sparkprime.risk.margin_kernels import STATUS_ORDER, MarginBatch

__all__ = [
    "ASSETS",
    "NOW",
    "POLICY",
    "POOL",
    "PRICED",
    "Book",
    "assert_matches",
    "books",
    "near_threshold",
    "position",
    "prices",
    "stpv_tol_usd",
]

WAD = 10**18
E8 = 10**8
DAY = 86_400
NOW = 1_800_000_000
POLICY = atlas_policy()
POOL = POLICY.pool(ARKIS_POOL_ID)
SPOTS = ("BTC", "WBTC", "cbBTC", "ETH", "WETH", "wstETH", "weETH", "XRP", "SOL", "JitoSOL",
         "DOGE", "ADA", "HYPE", "ZEC", "AVAX", "SUI", "NEAR", "USDe", "sUSDe", "USDT", "USDC",
         "PYUSD", "EURC", "XAU", "PAXG", "XAG", "WTI", "PEPE", "USDS")  # fmt: skip
PT_KEYS = ("PT-weETH", "PT-sUSDe")
PRICED = (*SPOTS, *PT_KEYS)
_DEC = {"BTC": 8, "WBTC": 8, "cbBTC": 8, "USDT": 6, "USDC": 6, "spUSDC": 6, "PYUSD": 6,
        "EURC": 6, "XRP": 6, "SOL": 9, "JitoSOL": 9, "ADA": 6, "SUI": 9, "ZEC": 8}  # fmt: skip
ASSETS = {s: Asset(symbol=s, decimals=_DEC.get(s, 18)) for s in (*PRICED, "spUSDC", "sUSDS")}
DEX_KINDS = ("curve_ng_stableswap", "uniswap_v3", "balancer_weighted")
# a few common expiries, so one account often holds two PTs of one market (one shared cap)
_PT_EXPIRY = st.one_of(st.sampled_from((30 * DAY, 150 * DAY)), st.integers(1, 200 * DAY))


@st.composite
def prices(draw: st.DrawFn) -> dict[str, int]:
    """A price for every symbol: $0.01 to $100,000, stablecoins near $1."""
    out = {}
    for s in PRICED:
        if s in ("USDC", "USDT", "USDe", "sUSDe", "PYUSD", "USDS"):
            out[s] = draw(st.integers(90 * E8 // 100, 110 * E8 // 100))
        else:
            out[s] = draw(st.integers(E8 // 100, 100_000 * E8))
    return out


def _qty(symbol: str) -> st.SearchStrategy[int]:
    d = ASSETS[symbol].decimals
    return st.one_of(st.integers(0, 10**d), st.integers(0, 10**6 * 10**d))


@st.composite
def position(draw: st.DrawFn, account: str, pid: str, *, venue: str = "") -> Position:
    """One random position of `account` (any kind but MARGIN_VALUE)."""
    kind = draw(st.sampled_from([k for k in K if k is not K.MARGIN_VALUE]))
    venue = venue or draw(st.sampled_from(("onchain", "okx")))
    base = {"position_id": pid, "account_id": account, "venue_id": venue, "kind": kind}
    sym = draw(st.sampled_from(SPOTS))
    if kind in (K.PERP, K.FUTURE):
        qty = draw(_qty(sym)) * draw(st.sampled_from((1, -1)))
        extra: dict[str, object] = {"entry_price_usd_e8": draw(st.integers(E8 // 100, 10**13))}
        if kind is K.FUTURE:
            extra["expiry_ts_s"] = NOW + draw(st.integers(1, 200 * DAY))
        return Position(**base, symbol=sym, qty=qty, **extra)  # type: ignore[arg-type]
    if kind is K.PENDLE_PT:
        sym, key = draw(st.sampled_from((("weETH", "PT-weETH"), ("sUSDe", "PT-sUSDe"),
                                         ("wstETH", None), ("XAU", None))))  # fmt: skip
        return Position(**base, symbol=sym, qty=draw(_qty(sym)), price_symbol=key,  # type: ignore[arg-type]
                        expiry_ts_s=NOW + draw(_PT_EXPIRY),
                        pt_amm_liquidity_usd_wad=draw(st.integers(0, 10**8)) * WAD)  # fmt: skip
    if kind is K.DEX_LP:
        legs = draw(st.lists(st.sampled_from(SPOTS), min_size=1, max_size=3, unique=True))
        legs_q = tuple((s, draw(_qty(s))) for s in legs)
        return Position(**base, symbol="LP", qty=1, dex_kind=draw(st.sampled_from(DEX_KINDS)),  # type: ignore[arg-type]
                        legs=legs_q)  # fmt: skip
    if kind is K.VAULT_SHARES:
        share, under = draw(st.sampled_from((("spUSDC", "USDC"), ("sUSDS", "USDS"))))
        return Position(**base, symbol=share, qty=draw(_qty(share)), legs=((under, 0),),  # type: ignore[arg-type]
                        share_rate_wad=draw(st.integers(WAD // 2, 2 * WAD)))  # fmt: skip
    return Position(**base, symbol=sym, qty=draw(_qty(sym)))  # type: ignore[arg-type]


Book = tuple[list[Account], list[Position], list[Loan], dict[str, MarketDepth]]


@st.composite
def books(draw: st.DrawFn, *, max_accounts: int = 4) -> Book:
    """1..max_accounts accounts with 0-7 positions, maybe a futures account, 0-2 loans."""
    accounts, positions, loans = [], [], []
    for a in range(draw(st.integers(1, max_accounts))):
        aid = f"a{a}"
        accounts.append(Account(account_id=aid, borrower_id=f"b{a}", pool_id=ARKIS_POOL_ID))
        for i in range(draw(st.integers(0, 7))):
            positions.append(draw(position(aid, f"{aid}p{i}")))
        if draw(st.booleans()):
            mv = draw(st.integers(-(10**7), 10**8)) * WAD
            positions.append(Position(position_id=f"{aid}mv", account_id=aid, venue_id="okx",
                                      kind=K.MARGIN_VALUE, symbol="USDT", qty=0,
                                      margin_value_usd_wad=mv))  # fmt: skip
        for i in range(draw(st.integers(0, 2))):
            loans.append(Loan(loan_id=f"{aid}l{i}", account_id=aid,
                              principal=draw(st.integers(0, 10**15)), rate_bps=800,
                              kind=LoanKind.EVERGREEN, originated_ts_s=NOW - DAY,
                              term_end_ts_s=None, accrued_interest=draw(st.integers(0, 10**9)),
                              last_accrual_ts_s=NOW))  # fmt: skip
    depths = {}
    for s in draw(st.lists(st.sampled_from(SPOTS), max_size=4, unique=True)):
        d1 = draw(st.integers(1, 10**9)) * WAD
        depths[s] = MarketDepth(symbol=s, depth_1pct_usd_wad=d1,
                                depth_2pct_usd_wad=d1 + draw(st.integers(1, 10**9)) * WAD,
                                adv_usd_wad=10**10 * WAD)  # fmt: skip
    return accounts, positions, loans, depths


def stpv_tol_usd(r: MarginResult) -> float:
    """1e-9 of the account's gross amounts, plus 1,000 wei for the scalar's per-term floors."""
    gross = sum(abs(e.value_usd_wad) + abs(e.notional_usd_wad) for e in r.exposures)
    return 1e-9 * (gross + r.borrowed_usd_wad) / WAD + 1e-15


def near_threshold(rf: float, tol: float) -> bool:
    """Is `rf` within `tol` of one of the pool's RF thresholds?"""
    bps = (POOL.liquidation_rf_bps, POOL.reduce_only_rf_bps, POOL.margin_call_rf_bps)
    return any(abs(rf - t * BPS_TO_WAD / WAD) <= tol for t in bps)


def assert_matches(r: MarginResult, batch: MarginBatch, i: int) -> None:
    """Row `i` of `batch` equals the scalar `r` (STPV, sides, RF, status) to tolerance."""
    tol = stpv_tol_usd(r)
    for scalar, fast in ((r.stpv_usd_wad, batch.stpv_usd), (r.stpv_up_usd_wad,
                         batch.stpv_up_usd), (r.stpv_down_usd_wad, batch.stpv_down_usd),
                         (r.value_usd_wad, batch.value_usd),
                         (r.addon_usd_wad, batch.addon_usd),
                         (r.borrowed_usd_wad, batch.borrowed_usd)):  # fmt: skip
        assert abs(scalar / WAD - fast[i]) <= tol, (scalar / WAD, fast[i], tol)
    rf = float(batch.rf[i])
    if r.rf_wad == RF_NO_DEBT_WAD:
        assert math.isinf(rf)
        assert STATUS_ORDER[batch.status_code[i]] is r.status
        return
    borrowed = r.borrowed_usd_wad / WAD
    rf_tol = tol / borrowed + 1e-9 * r.rf_wad / WAD + 1e-18
    assert abs(rf - r.rf_wad / WAD) <= rf_tol, (rf, r.rf_wad / WAD, rf_tol)
    if not near_threshold(r.rf_wad / WAD, rf_tol):
        assert STATUS_ORDER[batch.status_code[i]] is r.status


def by_account(items: Sequence[Position] | Sequence[Loan], account: str) -> list:  # type: ignore[type-arg]
    """The items of one account, in order."""
    return [x for x in items if x.account_id == account]
