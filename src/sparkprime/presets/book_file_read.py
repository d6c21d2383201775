"""Reading a book file: YAML nodes -> checked records, every error at its file, line, field.

Each section of the file (`presets.book_file`'s docstring) becomes `prime.book` records,
read through `presets.book_file_yaml` (nodes keep their lines); references (venues,
borrowers, accounts, assets, prices) are checked after the records they name, and an asset
in no policy group becomes a warning, not an error.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, TypeVar

import yaml

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.atlas_policy import atlas_policy
from sparkprime.presets.book_file import (
    FORMAT_VERSION,
    POSITION_FIELDS,
    BookFile,
    ts_of,
)
from sparkprime.presets.book_file_yaml import Map, Reader, compose_file
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
from sparkprime.prime.policy import Policy, VenueKind

__all__ = ["read_book"]

_E = ErrorCode
_T = TypeVar("_T")
_NON_NEGATIVE_WHAT: Final = {
    PositionKind.SPOT: "a spot quantity",
    PositionKind.PENDLE_PT: "a PT quantity",
    PositionKind.DEX_LP: "an LP token quantity",
    PositionKind.LENDING_SUPPLY: "a supplied quantity",
    PositionKind.LENDING_BORROW: "a debt (lending_borrow) quantity",
    PositionKind.VAULT_SHARES: "a share quantity",
}
# Record fields named by `prime.book`'s errors -> the file's names.
_FILE_NAME: Final = {
    "position_id": "id",
    "account_id": "account",
    "venue_id": "venue",
    "borrower_id": "id",
    "loan_id": "id",
    "entry_price_usd_e8": "entry_price_usd",
    "expiry_ts_s": "expiry",
    "pt_amm_liquidity_usd_wad": "pt_amm_liquidity_usd",
    "share_rate_wad": "share_rate",
    "margin_value_usd_wad": "margin_value_usd",
    "originated_ts_s": "originated",
    "term_end_ts_s": "term_end",
    "last_accrual_ts_s": "last_accrual",
    "solvency_attested_ts_s": "solvency_attested",
}


def _unique(r: Reader, seen: dict[str, int], ident: str, node: yaml.Node, path: str) -> None:
    first = seen.get(ident)
    if first is not None:
        raise r.fail(
            _E.BOOK_FILE_DUPLICATE_ID, node, path, f"duplicate id {ident!r} (first at line {first})"
        )
    seen[ident] = node.start_mark.line + 1


def _build(r: Reader, m: Map, make: Callable[..., _T], **fields: Any) -> _T:
    """Run a record's own checks; its error names the record field -> the file's field."""
    try:
        return make(**fields)
    except ProtocolError as err:
        name = str(err.context.get("field", ""))
        key = _FILE_NAME.get(name, name.split("[", maxsplit=1)[0])
        node = m.items.get(key, m.node)
        raise r.fail(
            _E.BOOK_FILE_INVALID_VALUE, node, m.at(key), str(err.context.get("reason", err.message))
        ) from None


def _symbol(r: Reader, node: yaml.Node, path: str, assets: dict[str, Asset]) -> Asset:
    symbol = r.text(node, path)
    asset = assets.get(symbol)
    if asset is None:
        raise r.fail(
            _E.BOOK_FILE_UNKNOWN_REFERENCE,
            node,
            path,
            f"{symbol!r} is not in assets (its decimals are needed)",
        )
    return asset


def _assets(r: Reader, root: Map) -> dict[str, Asset]:
    out: dict[str, Asset] = {}
    for symbol, _, node in r.entries(root, "assets"):
        m = r.mapping(node, f"assets.{symbol}", ("decimals",), ("pegged_to",))
        decimals = r.integer(m.items["decimals"], m.at("decimals"))
        pegged = r.opt(m, "pegged_to", r.text)
        out[symbol] = _build(r, m, Asset, symbol=symbol, decimals=decimals, pegged_to=pegged)
    return out


def _venues(r: Reader, root: Map, policy: Policy) -> list[Venue]:
    out: list[Venue] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(r.seq(root.items["venues"], "venues")):
        m = r.mapping(node, f"venues[{i}]", ("id", "name"), ("kind", "master_account"))
        ident = r.text(m.items["id"], m.at("id"))
        _unique(r, seen, ident, m.items["id"], m.at("id"))
        name = r.text(m.items["name"], m.at("name"))
        approved = {v.name: v for v in policy.venues}
        if name not in approved:
            raise r.fail(
                _E.BOOK_FILE_UNKNOWN_VENUE,
                m.items["name"],
                m.at("name"),
                f"{name!r} is not a venue of policy {policy.version} "
                f"(approved: {', '.join(approved)})",
            )
        kind = r.opt(m, "kind", lambda n, p: r.enum(n, p, VenueKind)) or approved[name].kind
        if kind is not approved[name].kind:
            raise r.fail(
                _E.BOOK_FILE_INVALID_VALUE,
                m.items["kind"],
                m.at("kind"),
                f"{name} is a {approved[name].kind} venue, not {kind}",
            )
        master = r.opt(m, "master_account", r.text)
        out.append(_build(r, m, Venue, venue_id=ident, name=name, kind=kind, master_account=master))
    return out


def _borrowers(r: Reader, root: Map) -> list[Borrower]:
    out: list[Borrower] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(r.seq(root.items["borrowers"], "borrowers")):
        m = r.mapping(
            node,
            f"borrowers[{i}]",
            ("id", "name", "entity", "kyc", "sanctioned"),
            ("solvency_attested", "insolvent", "in_administration"),
        )
        ident = r.text(m.items["id"], m.at("id"))
        _unique(r, seen, ident, m.items["id"], m.at("id"))
        name = r.text(m.items["name"], m.at("name"))
        entity = r.text(m.items["entity"], m.at("entity"))
        kyc = r.enum(m.items["kyc"], m.at("kyc"), KycStatus)
        sanctioned = r.boolean(m.items["sanctioned"], m.at("sanctioned"))
        attested = r.opt(m, "solvency_attested", r.ts)
        insolvent = bool(r.opt(m, "insolvent", r.boolean))
        admin = bool(r.opt(m, "in_administration", r.boolean))
        out.append(
            _build(
                r,
                m,
                Borrower,
                borrower_id=ident,
                name=name,
                entity=entity,
                kyc=kyc,
                sanctioned=sanctioned,
                solvency_attested_ts_s=attested,
                insolvent=insolvent,
                in_administration=admin,
            )
        )
    return out


@dataclass(slots=True)
class _Ctx:
    """What checking a position needs from the rest of the file, and what it records."""

    r: Reader
    policy: Policy
    now_ts_s: int
    assets: dict[str, Asset]
    venues: set[str]
    position_ids: dict[str, int]
    priced: list[tuple[str, yaml.Node, str]]  # (price key, node, path) that need a price

    def unapproved(self, node: yaml.Node, path: str, why: str) -> None:
        self.r.warn(node, path, f"{why}: unapproved (100% haircut in margin, never offset)")

    def held(self, symbol: str, node: yaml.Node, path: str) -> None:
        """A held asset: it needs a price; one in no policy group is warned about."""
        self.priced.append((symbol, node, path))
        if self.policy.group_of(symbol) is None:
            self.unapproved(
                node, path, f"{symbol} is in no asset group of policy {self.policy.version}"
            )


def _opt_fields(r: Reader, m: Map, kind: PositionKind, ctx: _Ctx) -> dict[str, object]:
    kw: dict[str, object] = {}
    if (n := m.get("entry_price_usd")) is not None:
        kw["entry_price_usd_e8"] = r.units(
            n, m.at("entry_price_usd"), 8, what="an entry price", positive=True
        )
    if (n := m.get("expiry")) is not None:
        kw["expiry_ts_s"] = expiry = r.ts(n, m.at("expiry"))
        if expiry <= ctx.now_ts_s:
            raise r.fail(
                _E.BOOK_FILE_INVALID_VALUE,
                n,
                m.at("expiry"),
                f"{kind} expired at ts {expiry}, on or before as_of",
            )
    if (n := m.get("pt_amm_liquidity_usd")) is not None:
        kw["pt_amm_liquidity_usd_wad"] = r.units(
            n, m.at("pt_amm_liquidity_usd"), 18, what="an AMM liquidity"
        )
    if (n := m.get("price_symbol")) is not None:
        kw["price_symbol"] = r.text(n, m.at("price_symbol"))
    if (n := m.get("dex_kind")) is not None:
        kw["dex_kind"] = r.text(n, m.at("dex_kind"))
    if (n := m.get("share_rate")) is not None:
        kw["share_rate_wad"] = r.units(
            n, m.at("share_rate"), 18, what="a share rate", positive=True
        )
    if (n := m.get("underlying")) is not None:
        kw["legs"] = ((_symbol(r, n, m.at("underlying"), ctx.assets).symbol, 0),)
    if (n := m.get("legs")) is not None:
        legs: list[tuple[str, int]] = []
        for j, leg_node in enumerate(r.seq(n, m.at("legs"))):
            leg = r.mapping(leg_node, f"{m.at('legs')}[{j}]", ("symbol", "qty"))
            asset = _symbol(r, leg.items["symbol"], leg.at("symbol"), ctx.assets)
            qty = r.units(leg.items["qty"], leg.at("qty"), asset.decimals, what="a leg quantity")
            legs.append((asset.symbol, qty))
            ctx.held(asset.symbol, leg.items["symbol"], leg.at("symbol"))
        kw["legs"] = tuple(legs)
    return kw


def _position(r: Reader, node: yaml.Node, path: str, account_id: str, ctx: _Ctx) -> Position:
    every = {f for fs in POSITION_FIELDS.values() for f in fs}
    kind = r.enum(
        r.mapping(node, path, ("kind",), {"id", "venue", "symbol", *every}).items["kind"],
        f"{path}.kind",
        PositionKind,
    )
    m = r.mapping(node, path, ("id", "venue", "kind", "symbol"), POSITION_FIELDS[kind])
    ident = r.text(m.items["id"], m.at("id"))
    _unique(r, ctx.position_ids, ident, m.items["id"], m.at("id"))
    venue = r.text(m.items["venue"], m.at("venue"))
    if venue not in ctx.venues:
        raise r.fail(
            _E.BOOK_FILE_UNKNOWN_REFERENCE,
            m.items["venue"],
            m.at("venue"),
            f"no venue {venue!r} in venues",
        )
    asset = _symbol(r, m.items["symbol"], m.at("symbol"), ctx.assets)
    if kind is PositionKind.MARGIN_VALUE:
        if "margin_value_usd" not in m.items:
            raise r.fail(
                _E.BOOK_FILE_MISSING_FIELD,
                m.node,
                m.at("margin_value_usd"),
                "a margin_value position needs the venue's reported value",
            )
        kw: dict[str, object] = {
            "margin_value_usd_wad": r.units(
                m.items["margin_value_usd"], m.at("margin_value_usd"), 18
            )
        }
        qty = 0
    else:
        if "qty" not in m.items:
            raise r.fail(_E.BOOK_FILE_MISSING_FIELD, m.node, m.at("qty"), "missing required field")
        qty = r.units(
            m.items["qty"], m.at("qty"), asset.decimals, what=_NON_NEGATIVE_WHAT.get(kind, "")
        )
        kw = _opt_fields(r, m, kind, ctx)
    sym_node, sym_path = m.items["symbol"], m.at("symbol")
    if kind is PositionKind.PENDLE_PT and (n := m.get("price_symbol")) is not None:
        ctx.priced.append((str(kw["price_symbol"]), n, m.at("price_symbol")))
        if ctx.policy.group_of(asset.symbol) is None:
            ctx.unapproved(sym_node, sym_path, f"{asset.symbol} is in no asset group")
    elif kind is PositionKind.VAULT_SHARES and "legs" in kw:
        legs = kw["legs"]
        assert isinstance(legs, tuple)  # set by _opt_fields from `underlying`
        under = legs[0][0]
        ctx.priced.append((under, m.items["underlying"], m.at("underlying")))
        group = ctx.policy.group_of(asset.symbol)
        if group is None or ctx.policy.group_of(under) is not group:
            ctx.unapproved(
                sym_node,
                sym_path,
                f"vault share {asset.symbol} (of {under}) is not an approved version",
            )
    elif kind is PositionKind.DEX_LP:
        dex = kw.get("dex_kind")
        if dex is not None and dex not in ctx.policy.eligible_dex_kinds:
            ctx.unapproved(
                m.items["dex_kind"], m.at("dex_kind"), f"DEX pool kind {dex!r} is not eligible"
            )
    elif kind is not PositionKind.MARGIN_VALUE:
        ctx.held(asset.symbol, sym_node, sym_path)
    return _build(
        r,
        m,
        Position,
        position_id=ident,
        account_id=account_id,
        venue_id=venue,
        kind=kind,
        symbol=asset.symbol,
        qty=qty,
        **kw,
    )


def _accounts(
    r: Reader, root: Map, ctx: _Ctx, pool_id: str, borrowers: set[str]
) -> tuple[list[Account], list[Position]]:
    accounts: list[Account] = []
    positions: list[Position] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(r.seq(root.items["accounts"], "accounts")):
        m = r.mapping(node, f"accounts[{i}]", ("id", "borrower"), ("pool", "positions"))
        ident = r.text(m.items["id"], m.at("id"))
        _unique(r, seen, ident, m.items["id"], m.at("id"))
        borrower = r.text(m.items["borrower"], m.at("borrower"))
        if borrower not in borrowers:
            raise r.fail(
                _E.BOOK_FILE_UNKNOWN_REFERENCE,
                m.items["borrower"],
                m.at("borrower"),
                f"no borrower {borrower!r} in borrowers",
            )
        pool = r.opt(m, "pool", r.text) or pool_id
        try:
            ctx.policy.pool(pool)
        except ProtocolError:
            raise r.fail(
                _E.BOOK_FILE_UNKNOWN_REFERENCE,
                m.items["pool"],
                m.at("pool"),
                f"no pool {pool!r} in policy {ctx.policy.version}",
            ) from None
        accounts.append(_build(r, m, Account, account_id=ident, borrower_id=borrower, pool_id=pool))
        if (n := m.get("positions")) is not None:
            for j, p_node in enumerate(r.seq(n, m.at("positions"))):
                positions.append(_position(r, p_node, f"{m.at('positions')}[{j}]", ident, ctx))
    return accounts, positions


def _loans(
    r: Reader, root: Map, accounts: dict[str, Account], policy: Policy, assets: dict[str, Asset]
) -> list[Loan]:
    out: list[Loan] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(r.seq(root.items["loans"], "loans")):
        m = r.mapping(
            node,
            f"loans[{i}]",
            ("id", "account", "kind", "principal", "rate_bps", "originated"),
            ("term_end", "accrued_interest", "last_accrual"),
        )
        ident = r.text(m.items["id"], m.at("id"))
        _unique(r, seen, ident, m.items["id"], m.at("id"))
        account_id = r.text(m.items["account"], m.at("account"))
        account = accounts.get(account_id)
        if account is None:
            raise r.fail(
                _E.BOOK_FILE_UNKNOWN_REFERENCE,
                m.items["account"],
                m.at("account"),
                f"no account {account_id!r} in accounts",
            )
        borrowed = policy.pool(account.pool_id).borrowed_asset
        if borrowed not in assets:
            raise r.fail(
                _E.BOOK_FILE_UNKNOWN_REFERENCE,
                m.items["principal"],
                m.at("principal"),
                f"the pool's asset {borrowed!r} is not in assets",
            )
        dec = assets[borrowed].decimals
        kind = r.enum(m.items["kind"], m.at("kind"), LoanKind)
        principal = r.units(m.items["principal"], m.at("principal"), dec, what="a principal")
        rate = r.integer(m.items["rate_bps"], m.at("rate_bps"))
        originated = r.ts(m.items["originated"], m.at("originated"))
        term_end = r.opt(m, "term_end", r.ts)
        accrued = 0
        if (n := m.get("accrued_interest")) is not None:
            accrued = r.units(n, m.at("accrued_interest"), dec, what="accrued interest")
        last = r.opt(m, "last_accrual", r.ts)
        out.append(
            _build(
                r,
                m,
                Loan,
                loan_id=ident,
                account_id=account_id,
                principal=principal,
                rate_bps=rate,
                kind=kind,
                originated_ts_s=originated,
                term_end_ts_s=term_end,
                accrued_interest=accrued,
                last_accrual_ts_s=originated if last is None else last,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class _Market:
    prices: dict[str, int]
    price_nodes: dict[str, yaml.Node]
    depths: dict[str, MarketDepth]
    supply: dict[str, int]
    ssr_bps: int | None
    sofr_bps: int | None


def _market(r: Reader, root: Map, assets: dict[str, Asset]) -> _Market | None:
    node = root.get("market")
    if node is None:
        return None
    m = r.mapping(
        node,
        "market",
        (),
        ("prices_usd", "prices_usd_e8", "depth", "circulating_supply", "ssr_bps", "sofr_bps"),
    )
    prices: dict[str, int] = {}
    where: dict[str, yaml.Node] = {}
    for key, dec in (("prices_usd", 8), ("prices_usd_e8", 0)):
        for symbol, k, v in r.entries(m, key):
            path = f"market.{key}.{symbol}"
            if symbol in prices:
                raise r.fail(
                    _E.BOOK_FILE_DUPLICATE_ID,
                    k,
                    path,
                    f"{symbol} is priced twice (first at line {where[symbol].start_mark.line + 1})",
                )
            prices[symbol] = r.units(v, path, dec, what="a price", positive=True)
            where[symbol] = v
    depths: dict[str, MarketDepth] = {}
    for symbol, _, v in r.entries(m, "depth"):
        d = r.mapping(
            v, f"market.depth.{symbol}", ("depth_1pct_usd", "depth_2pct_usd"), ("adv_usd",)
        )
        amounts = {k: r.units(n, d.at(k), 18, what="a market depth") for k, n in d.items.items()}
        depths[symbol] = _build(
            r,
            d,
            MarketDepth,
            symbol=symbol,
            depth_1pct_usd_wad=amounts["depth_1pct_usd"],
            depth_2pct_usd_wad=amounts["depth_2pct_usd"],
            adv_usd_wad=amounts.get("adv_usd", 0),
        )
    supply: dict[str, int] = {}
    for symbol, k, v in r.entries(m, "circulating_supply"):
        asset = _symbol(r, k, f"market.circulating_supply.{symbol}", assets)
        supply[symbol] = r.units(
            v, f"market.circulating_supply.{symbol}", asset.decimals, what="a circulating supply"
        )
    ssr = r.opt(m, "ssr_bps", r.integer)
    sofr = r.opt(m, "sofr_bps", r.integer)
    return _Market(prices, where, depths, supply, ssr, sofr)


def read_book(path: Path, policy: Policy | None) -> BookFile:
    """Read `path` (see `presets.book_file.load_book_file`)."""
    r = Reader(str(path))
    root = r.mapping(
        compose_file(r, path),
        "",
        ("as_of", "pool", "assets", "venues", "borrowers", "accounts", "loans"),
        ("format_version", "market", "sll"),
    )
    if (n := root.get("format_version")) is not None and r.integer(n, "format_version") != 1:
        raise r.fail(
            _E.BOOK_FILE_INVALID_VALUE,
            n,
            "format_version",
            f"this reads format_version {FORMAT_VERSION}, got {n.value}",
        )
    as_of = r.date(root.items["as_of"], "as_of")
    if policy is None:
        try:
            policy = atlas_policy(as_of)
        except ProtocolError as err:
            raise r.fail(
                _E.BOOK_FILE_INVALID_VALUE, root.items["as_of"], "as_of", err.message
            ) from None
    pool_id = r.text(root.items["pool"], "pool")
    if pool_id not in {p.pool_id for p in policy.pools}:
        raise r.fail(
            _E.BOOK_FILE_UNKNOWN_REFERENCE,
            root.items["pool"],
            "pool",
            f"no pool {pool_id!r} in policy {policy.version}",
        )
    assets = _assets(r, root)
    venues = _venues(r, root, policy)
    borrowers = _borrowers(r, root)
    ctx = _Ctx(r, policy, ts_of(as_of), assets, {v.venue_id for v in venues}, {}, [])
    accounts, positions = _accounts(r, root, ctx, pool_id, {b.borrower_id for b in borrowers})
    by_id = {a.account_id: a for a in accounts}
    loans = _loans(r, root, by_id, policy, assets)
    market = _market(r, root, assets)
    if market is not None:
        for symbol, node, where in ctx.priced:
            if symbol not in market.prices:
                raise r.fail(
                    _E.BOOK_FILE_UNKNOWN_REFERENCE,
                    node,
                    where,
                    f"no price for {symbol!r} in market.prices_usd",
                )
        for ln in loans:
            borrowed = policy.pool(by_id[ln.account_id].pool_id).borrowed_asset
            if borrowed not in market.prices:
                raise r.fail(
                    _E.BOOK_FILE_UNKNOWN_REFERENCE,
                    root.items["market"],
                    "market",
                    f"no price for the borrowed asset {borrowed!r}",
                )
    return BookFile(
        as_of=as_of,
        pool_id=pool_id,
        policy=policy,
        assets=MappingProxyType(assets),
        borrowers=tuple(borrowers),
        venues=tuple(venues),
        accounts=tuple(accounts),
        positions=tuple(positions),
        loans=tuple(loans),
        prices=MappingProxyType(market.prices if market else {}),
        depths=MappingProxyType(market.depths if market else {}),
        circulating_supply=MappingProxyType(market.supply if market else {}),
        ssr_bps=market.ssr_bps if market else None,
        sofr_bps=market.sofr_bps if market else None,
        sll_max_exposure_usd_wad=_sll(r, root, as_of),
        warnings=tuple(r.warnings),
    )


def _sll(r: Reader, root: Map, as_of: datetime.date) -> int:
    node = root.get("sll")
    if node is None:
        try:
            arkis = sll_limits_preset(as_of).instance("arkis")
        except ProtocolError as err:
            raise r.fail(
                _E.BOOK_FILE_MISSING_FIELD,
                root.node,
                "sll.max_exposure_usd",
                f"no SLL Arkis instance at as_of: {err.message}",
            ) from None
        return int(arkis.max_exposure_usd or 0) * 10**18
    m = r.mapping(node, "sll", ("max_exposure_usd",))
    return r.units(
        m.items["max_exposure_usd"], m.at("max_exposure_usd"), 18, what="a maximum exposure"
    )
