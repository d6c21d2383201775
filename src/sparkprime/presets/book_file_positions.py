"""Reading one position of a book file's account: its kind's fields, references and warnings.

`read_position` checks a position's fields for its kind (`presets.book_file.POSITION_FIELDS`),
that its venue and assets exist, and an expiry after `as_of`; it records in the
`PositionContext` every symbol that needs a price, and warns (not fails) where a held asset is
unapproved: in no policy group, a PT whose asset is in none, a vault share not of an approved
version, or an ineligible DEX pool kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import yaml

from sparkprime.core.errors import ErrorCode
from sparkprime.presets.book_file import POSITION_FIELDS
from sparkprime.presets.book_file_checks import asset_of, build_record, unique_id
from sparkprime.presets.book_file_yaml import Map, Reader
from sparkprime.prime.book import Asset, Position, PositionKind
from sparkprime.prime.policy import Policy

__all__ = ["PositionContext", "read_position"]

_E = ErrorCode
_NON_NEGATIVE_WHAT: Final = {
    PositionKind.SPOT: "a spot quantity",
    PositionKind.PENDLE_PT: "a PT quantity",
    PositionKind.DEX_LP: "an LP token quantity",
    PositionKind.LENDING_SUPPLY: "a supplied quantity",
    PositionKind.LENDING_BORROW: "a debt (lending_borrow) quantity",
    PositionKind.VAULT_SHARES: "a share quantity",
}


@dataclass(slots=True)
class PositionContext:
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


def _opt_fields(r: Reader, m: Map, kind: PositionKind, ctx: PositionContext) -> dict[str, object]:
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
        kw["legs"] = ((asset_of(r, n, m.at("underlying"), ctx.assets).symbol, 0),)
    if (n := m.get("legs")) is not None:
        legs: list[tuple[str, int]] = []
        for j, leg_node in enumerate(r.seq(n, m.at("legs"))):
            leg = r.mapping(leg_node, f"{m.at('legs')}[{j}]", ("symbol", "qty"))
            asset = asset_of(r, leg.items["symbol"], leg.at("symbol"), ctx.assets)
            qty = r.units(leg.items["qty"], leg.at("qty"), asset.decimals, what="a leg quantity")
            legs.append((asset.symbol, qty))
            ctx.held(asset.symbol, leg.items["symbol"], leg.at("symbol"))
        kw["legs"] = tuple(legs)
    return kw


def read_position(
    r: Reader, node: yaml.Node, path: str, account_id: str, ctx: PositionContext
) -> Position:
    """The position at `node` (`path`) of account `account_id` (see the module docstring)."""
    every = {f for fs in POSITION_FIELDS.values() for f in fs}
    kind = r.enum(
        r.mapping(node, path, ("kind",), {"id", "venue", "symbol", *every}).items["kind"],
        f"{path}.kind",
        PositionKind,
    )
    m = r.mapping(node, path, ("id", "venue", "kind", "symbol"), POSITION_FIELDS[kind])
    ident = r.text(m.items["id"], m.at("id"))
    unique_id(r, ctx.position_ids, ident, m.items["id"], m.at("id"))
    venue = r.text(m.items["venue"], m.at("venue"))
    if venue not in ctx.venues:
        raise r.fail(
            _E.BOOK_FILE_UNKNOWN_REFERENCE,
            m.items["venue"],
            m.at("venue"),
            f"no venue {venue!r} in venues",
        )
    asset = asset_of(r, m.items["symbol"], m.at("symbol"), ctx.assets)
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
    return build_record(
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
