"""The whole book as float64 arrays: accounts x columns, ready for the margin kernels.

The exact model (`prime.exposure`, `prime.margin`) decomposes each position into exposures;
this module runs that decomposition once per position (`build_book_arrays`, a Python loop over
positions: the one-off cost) and keeps what a price tick cannot change, in *units*:

- a column is one (exposure symbol, price key) pair; the price key is the symbol itself except
  for a Pendle PT with its own `price_symbol`. Columns map to a policy group (`col_group`, -1
  for none) and a symbol (`symbol_onehot`, for the per-symbol liquidity add-on);
- `units[a, c]`: approved notional / column price (whole units; signed, a short is < 0);
- `value_units[a, c]` and `value_const[a]`: value = value_units @ prices + value_const. Spot-like
  exposures have value = notional; a perp / future outside a futures account has value
  qty x (mark - entry), so its constant is -qty x entry; a venue's MARGIN_VALUE is a constant;
  a position inside a futures account adds no value (it is in the venue's margin value);
- `unapproved_long_units` / `unapproved_short_units`: gross unapproved exposure by sign; each
  unit loses `unapproved_rate` (100%) of its notional, never offset;
- Pendle PTs sit in a side table (one row per PT): each account's PTs in one market
  (`prime.exposure.pt_market`) share one fixed USD cap (10 x the smallest AMM liquidity they
  report), so the approved part is not linear in the price: the market's approved total is
  min(Σ notional, cap), split pro rata to each PT's notional as `prime.exposure` does;
- `borrowed_units[a]` in whole units of the account's pool asset.

`reprice(arr, prices)` is the steady-state step of a price tick: notional = units x prices,
value and unapproved charge as matrix-vector products, the PT table re-capped, group nets as
one (accounts x columns) @ (columns x groups) matmul. No Python loop over accounts. Positions,
loans or the clock (the 120-day windows) changing need a rebuild of the affected rows.

Money is in USD floats (1.0 = $1), not wad: float64 carries 15-16 significant digits either
way, and the kernels agree with the exact model to a relative 1e-9.

Example:
    >>> import numpy as np
    >>> from sparkprime.presets.atlas_policy import atlas_policy
    >>> from sparkprime.prime.book import Account, Asset, Position, PositionKind
    >>> acct = Account(account_id="a", borrower_id="b", pool_id="arkis_usdc")
    >>> weth = Position(position_id="p", account_id="a", venue_id="onchain",
    ...                 kind=PositionKind.SPOT, symbol="WETH", qty=2 * 10**18)
    >>> assets = {"WETH": Asset(symbol="WETH", decimals=18), "USDC": Asset(symbol="USDC",
    ...           decimals=6)}
    >>> arr = build_book_arrays([acct], [weth], [], {"WETH": 3000 * 10**8, "USDC": 10**8},
    ...                         atlas_policy(), assets=assets, now_ts_s=0)
    >>> float(arr.value_usd[0]), float(reprice(arr, {"WETH": 2500 * 10**8,
    ...                                               "USDC": 10**8}).value_usd[0])
    (6000.0, 5000.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.addons import MarketDepth
from sparkprime.prime.book import Account, Asset, Loan, Position, PositionKind, PriceMap
from sparkprime.prime.exposure import margin_venues, position_exposures, pt_market
from sparkprime.prime.policy import BPS, WAD, Policy, PoolParams

__all__ = ["BookArrays", "FloatArray", "IntArray", "build_book_arrays", "price_key", "reprice"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_E8 = 1e8


def _bad(field_name: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.RISK_INVALID_INPUT, field=field_name, reason=reason)


def price_key(position: Position, symbol: str) -> str:
    """The price-map key of `position`'s exposure to `symbol` (a PT may have its own)."""
    if position.kind is PositionKind.PENDLE_PT and position.price_symbol:
        return position.price_symbol
    return symbol


def _price_usd(prices: PriceMap, key: str) -> float:
    price = prices.get(key)
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
        raise ProtocolError(ErrorCode.PRICE_UNAVAILABLE, asset=key,
                            reason=f"the price map has {price!r}")  # fmt: skip
    return price / _E8


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class BookArrays:
    """The book's layout (module docstring) and its state priced at `price_map`."""

    # layout
    account_ids: tuple[str, ...]
    account_index: Mapping[str, int] = field(repr=False)
    col_symbols: tuple[str, ...]
    col_price_keys: tuple[str, ...]
    col_index: Mapping[tuple[str, str], int] = field(repr=False)
    col_group: IntArray
    group_names: tuple[str, ...]
    group_onehot: FloatArray  # columns x groups
    move_down: FloatArray  # per group: -haircut_long
    move_up: FloatArray  # per group: +haircut_short; pegged: -haircut_long (never up)
    symbols: tuple[str, ...]
    symbol_onehot: FloatArray  # columns x symbols
    unapproved_rate: float
    # quantities (units of each column's price key)
    units: FloatArray
    value_units: FloatArray
    value_const_usd: FloatArray
    unapproved_long_units: FloatArray
    unapproved_short_units: FloatArray
    pt_row: IntArray
    pt_col: IntArray
    pt_units: FloatArray
    pt_market_of: IntArray  # each PT's index into its account's PT markets
    pt_market_cap_usd: FloatArray  # per (account, PT market): 10 x its smallest AMM liquidity
    pt_eligible: BoolArray
    pt_valued: BoolArray
    pt_cells: IntArray  # the distinct flat (row, column) cells the PTs land in
    pt_cell_of: IntArray  # each PT's index into pt_cells
    borrowed_units: FloatArray
    borrow_key_idx: IntArray
    borrow_keys: tuple[str, ...]
    borrow_decimals: tuple[int, ...]
    # per-account pool thresholds, RF as a float (1.15)
    liquidation_rf: FloatArray
    reduce_only_rf: FloatArray
    margin_call_rf: FloatArray
    extra_haircut_rate: FloatArray
    withdrawal_haircut_rate: FloatArray
    # per-symbol market depth (USD); has_depth False = no add-on
    depth_1pct_usd: FloatArray
    depth_2pct_usd: FloatArray
    has_depth: BoolArray
    # what the single-account what-if needs to decompose a changed position
    margin_venues: Mapping[str, frozenset[str]] = field(repr=False)
    policy: Policy = field(repr=False)
    assets: Mapping[str, Asset] = field(repr=False)
    now_ts_s: int
    # priced state
    price_map: Mapping[str, int] = field(repr=False)
    notional_usd: FloatArray  # approved notional, accounts x columns
    value_usd: FloatArray
    unapproved_usd: FloatArray  # the unapproved charge (rate x gross)
    borrowed_usd: FloatArray
    group_net_usd: FloatArray  # accounts x groups

    @property
    def n_accounts(self) -> int:
        """How many accounts (rows)."""
        return len(self.account_ids)


class _Builder:
    """Collects (row, column, amount) triples while walking the positions once."""

    def __init__(self, prices: PriceMap) -> None:
        self.prices = prices
        self.col_index: dict[tuple[str, str], int] = {}
        self.col_price: list[float] = []
        self.rows: dict[str, tuple[list[int], list[int], list[float]]] = {
            k: ([], [], []) for k in ("units", "value", "un_long", "un_short")
        }
        self.pt: list[tuple[int, int, float, int, bool, bool]] = []
        self.pt_markets: dict[tuple[int, str, int], int] = {}  # (row, market) -> index
        self.pt_market_liquidity: list[int] = []  # the smallest AMM liquidity, wad

    def col(self, symbol: str, key: str) -> int:
        c = self.col_index.get((symbol, key))
        if c is None:
            c = self.col_index[(symbol, key)] = len(self.col_price)
            self.col_price.append(_price_usd(self.prices, key))
        return c

    def add(self, what: str, row: int, col: int, amount: float) -> None:
        r, c, v = self.rows[what]
        r.append(row)
        c.append(col)
        v.append(amount)

    def dense(self, what: str, n_rows: int) -> FloatArray:
        r, c, v = self.rows[what]
        n_cols = len(self.col_price)
        flat = np.asarray(r, dtype=np.int64) * n_cols + np.asarray(c, dtype=np.int64)
        w = np.asarray(v, dtype=np.float64)
        out = np.bincount(flat, weights=w, minlength=n_rows * n_cols).astype(np.float64)
        return out.reshape(n_rows, n_cols)


def _units(assets: Mapping[str, Asset], symbol: str, qty: int) -> float:
    return float(qty / 10 ** assets[symbol].decimals)  # exposures checked the decimals


def _exposure_units(p: Position, assets: Mapping[str, Asset]) -> tuple[float, ...]:
    """Whole units behind each of `position_exposures(p)`, in its order, from the quantities
    (not notional / price: a notional floored to 0 wei would lose its units)."""
    k = p.kind
    if k is PositionKind.DEX_LP:
        return tuple(_units(assets, s, q) for s, q in p.legs)
    if k is PositionKind.VAULT_SHARES:
        assert p.share_rate_wad is not None  # checked by Position
        return (_units(assets, p.legs[0][0], p.qty * p.share_rate_wad // WAD),)
    sign = -1 if k is PositionKind.LENDING_BORROW else 1
    return (_units(assets, p.symbol, sign * p.qty),)


def _walk_position(
    b: _Builder, row: int, p: Position, const: FloatArray, *, inside: bool, policy: Policy,
    assets: Mapping[str, Asset], now_ts_s: int,
) -> None:  # fmt: skip
    exps = position_exposures(p, prices=b.prices, assets=assets, policy=policy,
                              now_ts_s=now_ts_s, in_margin_account=inside)  # fmt: skip
    if p.kind is PositionKind.MARGIN_VALUE:
        const[row] += exps[0].value_usd_wad / WAD
        return
    units = _exposure_units(p, assets)
    if p.kind is PositionKind.PENDLE_PT:
        c = b.col(p.symbol, price_key(p, p.symbol))
        assert p.pt_amm_liquidity_usd_wad is not None  # checked by Position
        m = b.pt_markets.setdefault((row, *pt_market(p)), len(b.pt_markets))
        if m == len(b.pt_market_liquidity):
            b.pt_market_liquidity.append(p.pt_amm_liquidity_usd_wad)
        else:
            b.pt_market_liquidity[m] = min(b.pt_market_liquidity[m], p.pt_amm_liquidity_usd_wad)
        b.pt.append((row, c, units[0], m, exps[0].approved, not inside))
        return
    for e, u in zip(exps, units, strict=True):
        if u == 0:
            continue
        c = b.col(e.symbol, price_key(p, e.symbol))
        if e.approved:
            b.add("units", row, c, u)
        elif u > 0:
            b.add("un_long", row, c, u)
        else:
            b.add("un_short", row, c, -u)
        if not inside:
            b.add("value", row, c, u)
            if p.entry_price_usd_e8 is not None:  # a perp / future is valued at its PnL
                const[row] -= u * (p.entry_price_usd_e8 / _E8)


def _borrowed(
    pools: list[PoolParams], loans: Iterable[Loan], index: Mapping[str, int],
    assets: Mapping[str, Asset],
) -> tuple[tuple[str, ...], tuple[int, ...], IntArray, FloatArray]:  # fmt: skip
    """(borrow keys, their decimals, each account's key index, owed whole units)."""
    keys = tuple(sorted({pool.borrowed_asset for pool in pools}))
    decimals: list[int] = []
    for key in keys:
        asset = assets.get(key)
        if asset is None:
            raise ProtocolError(ErrorCode.PRIME_UNKNOWN_ASSET, symbol=key,
                                reason="the pool's borrowed asset has no decimals")  # fmt: skip
        decimals.append(asset.decimals)
    key_idx = {k: i for i, k in enumerate(keys)}
    idx = np.array([key_idx[pool.borrowed_asset] for pool in pools], dtype=np.int64)
    owed = np.zeros(len(pools), dtype=np.float64)
    for ln in loans:
        row = index.get(ln.account_id)
        if row is None:
            raise _bad("loans", f"loan {ln.loan_id}: no account {ln.account_id!r}")
        owed[row] += (ln.principal + ln.accrued_interest) / 10 ** decimals[idx[row]]
    return keys, tuple(decimals), idx, owed


def _column_maps(
    col_keys: list[tuple[str, str]], policy: Policy
) -> tuple[IntArray, FloatArray, tuple[str, ...], FloatArray]:
    """(column -> group index, columns x groups one-hot, symbols, columns x symbols one-hot)."""
    group_pos = {g.group_id: i for i, g in enumerate(policy.groups)}
    col_group = np.full(len(col_keys), -1, dtype=np.int64)
    group_onehot = np.zeros((len(col_keys), len(policy.groups)), dtype=np.float64)
    for c, (sym, _) in enumerate(col_keys):
        g = policy.group_of(sym)
        if g is not None:
            col_group[c] = group_pos[g.group_id]
            group_onehot[c, group_pos[g.group_id]] = 1.0
    symbols = tuple(sorted({s for s, _ in col_keys}))
    sym_pos = {s: i for i, s in enumerate(symbols)}
    symbol_onehot = np.zeros((len(col_keys), len(symbols)), dtype=np.float64)
    for c, (sym, _) in enumerate(col_keys):
        symbol_onehot[c, sym_pos[sym]] = 1.0
    return col_group, group_onehot, symbols, symbol_onehot


def build_book_arrays(
    accounts: Iterable[Account],
    positions: Iterable[Position],
    loans: Iterable[Loan],
    prices: PriceMap,
    policy: Policy,
    *,
    assets: Mapping[str, Asset],
    now_ts_s: int,
    depths: Mapping[str, MarketDepth] | None = None,
    symbols: Iterable[str] = (),
) -> BookArrays:
    """Lay the book out as arrays priced at `prices` (module docstring).

    `symbols`: extra columns (symbol priced as itself) for what-ifs that add a position on a
    symbol the book does not hold yet.
    """
    accounts = tuple(accounts)
    index = {a.account_id: i for i, a in enumerate(accounts)}
    if len(index) != len(accounts):
        raise _bad("accounts", "an account id appears twice")
    n = len(accounts)
    by_account: dict[str, list[Position]] = {}
    for p in positions:
        if p.account_id not in index:
            raise _bad("positions", f"position {p.position_id}: no account {p.account_id!r}")
        by_account.setdefault(p.account_id, []).append(p)
    b = _Builder(prices)
    for s in symbols:
        b.col(s, s)
    const = np.zeros(n, dtype=np.float64)
    venues: dict[str, frozenset[str]] = {}
    for acct_id, ps in by_account.items():
        row = index[acct_id]
        inside_venues = frozenset(v for _, v in margin_venues(ps))
        if inside_venues:
            venues[acct_id] = inside_venues
        for p in ps:
            inside = p.kind is not PositionKind.MARGIN_VALUE and p.venue_id in inside_venues
            _walk_position(b, row, p, const, inside=inside, policy=policy, assets=assets,
                           now_ts_s=now_ts_s)  # fmt: skip
    pools = [policy.pool(a.pool_id) for a in accounts]
    borrow_keys, borrow_decimals, borrow_key_idx, owed = _borrowed(pools, loans, index, assets)
    col_keys = list(b.col_index)
    col_group, group_onehot, sym_list, symbol_onehot = _column_maps(col_keys, policy)
    sym_pos = {s: i for i, s in enumerate(sym_list)}
    d1 = np.zeros(len(sym_list), dtype=np.float64)
    d2 = np.zeros(len(sym_list), dtype=np.float64)
    for s, depth in (depths or {}).items():
        if s in sym_pos:
            d1[sym_pos[s]] = depth.depth_1pct_usd_wad / WAD
            d2[sym_pos[s]] = depth.depth_2pct_usd_wad / WAD
    n_cols = len(col_keys)

    def per_pool(bps: list[int]) -> FloatArray:
        return np.array(bps, dtype=np.float64) / BPS

    pt = b.pt
    flat = np.array([t[0] * n_cols + t[1] for t in pt], dtype=np.int64)
    pt_cells, pt_cell_of = np.unique(flat, return_inverse=True)
    arr = BookArrays(
        account_ids=tuple(index),
        account_index=MappingProxyType(index),
        col_symbols=tuple(s for s, _ in col_keys),
        col_price_keys=tuple(k for _, k in col_keys),
        col_index=MappingProxyType(dict(b.col_index)),
        col_group=col_group,
        group_names=tuple(g.name for g in policy.groups),
        group_onehot=group_onehot,
        move_down=per_pool([-g.haircut_long_bps for g in policy.groups]),
        move_up=per_pool(
            [-g.haircut_long_bps if g.pegged else g.haircut_short_bps for g in policy.groups]
        ),
        symbols=sym_list,
        symbol_onehot=symbol_onehot,
        unapproved_rate=policy.unapproved_haircut_bps / BPS,
        units=b.dense("units", n),
        value_units=b.dense("value", n),
        value_const_usd=const,
        unapproved_long_units=b.dense("un_long", n),
        unapproved_short_units=b.dense("un_short", n),
        pt_row=np.array([t[0] for t in pt], dtype=np.int64),
        pt_col=np.array([t[1] for t in pt], dtype=np.int64),
        pt_units=np.array([t[2] for t in pt], dtype=np.float64),
        pt_market_of=np.array([t[3] for t in pt], dtype=np.int64),
        pt_market_cap_usd=np.array(
            [policy.pt_max_liquidity_multiple * liq / WAD for liq in b.pt_market_liquidity],
            dtype=np.float64,
        ),
        pt_eligible=np.array([t[4] for t in pt], dtype=np.bool_),
        pt_valued=np.array([t[5] for t in pt], dtype=np.bool_),
        pt_cells=pt_cells,
        pt_cell_of=pt_cell_of.astype(np.int64),
        borrowed_units=owed,
        borrow_key_idx=borrow_key_idx,
        borrow_keys=borrow_keys,
        borrow_decimals=tuple(borrow_decimals),
        liquidation_rf=per_pool([p.liquidation_rf_bps for p in pools]),
        reduce_only_rf=per_pool([p.reduce_only_rf_bps for p in pools]),
        margin_call_rf=per_pool([p.margin_call_rf_bps for p in pools]),
        extra_haircut_rate=per_pool([p.liquidation_extra_haircut_bps for p in pools]),
        withdrawal_haircut_rate=per_pool([p.withdrawal_haircut_bps for p in pools]),
        depth_1pct_usd=d1,
        depth_2pct_usd=d2,
        has_depth=d1 > 0,
        margin_venues=MappingProxyType(venues),
        policy=policy,
        assets=assets,
        now_ts_s=now_ts_s,
        price_map=MappingProxyType({}),
        notional_usd=np.zeros((n, n_cols)),
        value_usd=np.zeros(n),
        unapproved_usd=np.zeros(n),
        borrowed_usd=np.zeros(n),
        group_net_usd=np.zeros((n, len(policy.groups))),
    )
    return reprice(arr, prices)


def reprice(arr: BookArrays, prices: PriceMap) -> BookArrays:
    """`arr` priced at `prices`: the steady-state work of a price tick (module docstring)."""
    col_prices = np.array([_price_usd(prices, k) for k in arr.col_price_keys], dtype=np.float64)
    borrow_prices = np.array([_price_usd(prices, k) for k in arr.borrow_keys], dtype=np.float64)
    notional = arr.units * col_prices
    value = arr.value_units @ col_prices + arr.value_const_usd
    gross = arr.unapproved_long_units @ col_prices + arr.unapproved_short_units @ col_prices
    if arr.pt_row.size:
        pt_value = arr.pt_units * col_prices[arr.pt_col]
        total = np.bincount(arr.pt_market_of, weights=pt_value,
                            minlength=arr.pt_market_cap_usd.size)  # fmt: skip
        ok = np.minimum(total, arr.pt_market_cap_usd)
        share = np.divide(ok, total, out=np.zeros_like(total), where=total > 0)  # <= 1
        approved = np.where(arr.pt_eligible, pt_value * share[arr.pt_market_of], 0.0)
        per_cell = np.bincount(arr.pt_cell_of, weights=approved, minlength=arr.pt_cells.size)
        notional.reshape(-1)[arr.pt_cells] += per_cell  # distinct cells: no lost updates
        n = arr.n_accounts
        gross = gross + np.bincount(arr.pt_row, weights=pt_value - approved, minlength=n)
        valued = np.where(arr.pt_valued, pt_value, 0.0)
        value = value + np.bincount(arr.pt_row, weights=valued, minlength=n)
    borrowed = arr.borrowed_units * borrow_prices[arr.borrow_key_idx]
    return replace(
        arr,
        price_map=MappingProxyType(dict(prices)),
        notional_usd=notional,
        value_usd=value,
        unapproved_usd=gross * arr.unapproved_rate,
        borrowed_usd=borrowed,
        group_net_usd=notional @ arr.group_onehot,
    )
