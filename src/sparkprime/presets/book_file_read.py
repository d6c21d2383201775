"""Reading a book file: YAML nodes -> checked records, every error at its file, line, field.

Each section of the file (`presets.book_file`'s docstring) becomes `prime.book` records,
read through `presets.book_file_yaml` (nodes keep their lines); references (venues,
borrowers, accounts, assets, prices) are checked after the records they name, and an asset
in no policy group becomes a warning, not an error. A position is read by
`presets.book_file_positions`; the shared checks (unique ids, known assets, a record's own
checks at the file's field) are `presets.book_file_checks`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.atlas_policy import atlas_policy
from sparkprime.presets.book_file import (
    FORMAT_VERSION,
    BookFile,
    ts_of,
)
from sparkprime.presets.book_file_checks import asset_of, build_record, unique_id
from sparkprime.presets.book_file_positions import PositionContext, read_position
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
    Venue,
)
from sparkprime.prime.policy import Policy, VenueKind

__all__ = ["read_book"]

_E = ErrorCode


def _assets(r: Reader, root: Map) -> dict[str, Asset]:
    out: dict[str, Asset] = {}
    for symbol, _, node in r.entries(root, "assets"):
        m = r.mapping(node, f"assets.{symbol}", ("decimals",), ("pegged_to",))
        decimals = r.integer(m.items["decimals"], m.at("decimals"))
        pegged = r.opt(m, "pegged_to", r.text)
        out[symbol] = build_record(r, m, Asset, symbol=symbol, decimals=decimals, pegged_to=pegged)
    return out


def _venues(r: Reader, root: Map, policy: Policy) -> list[Venue]:
    out: list[Venue] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(r.seq(root.items["venues"], "venues")):
        m = r.mapping(node, f"venues[{i}]", ("id", "name"), ("kind", "master_account"))
        ident = r.text(m.items["id"], m.at("id"))
        unique_id(r, seen, ident, m.items["id"], m.at("id"))
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
        out.append(
            build_record(r, m, Venue, venue_id=ident, name=name, kind=kind, master_account=master)
        )
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
        unique_id(r, seen, ident, m.items["id"], m.at("id"))
        name = r.text(m.items["name"], m.at("name"))
        entity = r.text(m.items["entity"], m.at("entity"))
        kyc = r.enum(m.items["kyc"], m.at("kyc"), KycStatus)
        sanctioned = r.boolean(m.items["sanctioned"], m.at("sanctioned"))
        attested = r.opt(m, "solvency_attested", r.ts)
        insolvent = bool(r.opt(m, "insolvent", r.boolean))
        admin = bool(r.opt(m, "in_administration", r.boolean))
        out.append(
            build_record(
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


def _accounts(
    r: Reader, root: Map, ctx: PositionContext, pool_id: str, borrowers: set[str]
) -> tuple[list[Account], list[Position]]:
    accounts: list[Account] = []
    positions: list[Position] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(r.seq(root.items["accounts"], "accounts")):
        m = r.mapping(node, f"accounts[{i}]", ("id", "borrower"), ("pool", "positions"))
        ident = r.text(m.items["id"], m.at("id"))
        unique_id(r, seen, ident, m.items["id"], m.at("id"))
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
        accounts.append(
            build_record(r, m, Account, account_id=ident, borrower_id=borrower, pool_id=pool)
        )
        if (n := m.get("positions")) is not None:
            for j, p_node in enumerate(r.seq(n, m.at("positions"))):
                positions.append(read_position(r, p_node, f"{m.at('positions')}[{j}]", ident, ctx))
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
        unique_id(r, seen, ident, m.items["id"], m.at("id"))
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
            build_record(
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
        depths[symbol] = build_record(
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
        asset = asset_of(r, k, f"market.circulating_supply.{symbol}", assets)
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
    ctx = PositionContext(r, policy, ts_of(as_of), assets, {v.venue_id for v in venues}, {}, [])
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
