"""The book file: a prime book (borrowers, venues, accounts, positions, loans, market) as YAML.

`load_book_file(path)` reads a file into a `BookFile` of `prime.book`'s frozen records, or
refuses it with one `BookFileError` whose `str()` is a single line naming the file, the line
and the field, like a compiler (`book.yaml:42: accounts[3].positions[1].qty: -5 is negative;
a spot quantity must be >= 0`). `dump_book_file(book, path)` writes the same data back
(deterministic; `load_book_file(dump_book_file(b)) == b`), atomically.

The format (top-level keys; `market`, `sll` and `format_version` are optional)::

    format_version: 1
    as_of: 2026-07-20          # the book's date; the policy is atlas_policy(as_of)
    pool: arkis_usdc            # the accounts' default lending pool
    assets: {BTC: {decimals: 8}, USDC: {decimals: 6, pegged_to: USD}, ...}
    venues: [{id: binance, name: Binance, kind: cex, master_account: arkis-master}, ...]
    borrowers: [{id: b001, name: ..., entity: ..., kyc: approved, sanctioned: false,
                 solvency_attested: 2026-07-01}, ...]
    accounts:
      - id: basis_btc-001
        borrower: b001
        positions:
          - {id: p1, venue: binance, kind: perp, symbol: BTC, qty: -12.5,
             entry_price_usd: 95000}
    loans: [{id: l1, account: basis_btc-001, kind: evergreen, principal: 1000000,
             rate_bps: 520, originated: 2026-07-01}, ...]
    market: {prices_usd: {BTC: 95000}, depth: {...}, circulating_supply: {...},
             ssr_bps: 450, sofr_bps: 430}
    sll: {max_exposure_usd: 50000000}

Amounts are written in human units and converted exactly from the YAML source text (never
through a float): `qty` in whole tokens of the symbol's `decimals`, loan amounts in whole
units of the pool's borrowed asset, `*_usd` in dollars (prices to 8 decimals, other USD to
18), `share_rate` in underlying per share. A time is a date (00:00 UTC) or an int `ts_s`.

An asset in no policy group is not an error (margin takes it at the unapproved 100% haircut):
it is reported in `BookFile.warnings`, also as `file:line: field: ...`.

Example:
    >>> err = BookFileError(ErrorCode.BOOK_FILE_NEGATIVE_VALUE, file="book.yaml", line=42,
    ...                     field="accounts[3].positions[1].qty",
    ...                     reason="-5 is negative; a spot quantity must be >= 0")
    >>> str(err)
    'book.yaml:42: accounts[3].positions[1].qty: -5 is negative; a spot quantity must be >= 0'
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import yaml

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.addons import MarketDepth
from sparkprime.prime.book import Account, Asset, Borrower, Loan, Position, PositionKind, Venue
from sparkprime.prime.limits import LimitState
from sparkprime.prime.margin import MarginResult, margin_account
from sparkprime.prime.policy import Policy

__all__ = [
    "FORMAT_VERSION",
    "BookFile",
    "BookFileError",
    "book_yaml",
    "dump_book_file",
    "load_book_file",
    "ts_of",
    "units_of",
    "units_text",
]

FORMAT_VERSION: Final = 1
_WAD: Final = 10**18
_E8: Final = 10**8
_DAY_S: Final = 86_400
_EPOCH: Final = datetime.date(1970, 1, 1)


def ts_of(day: datetime.date) -> int:
    """00:00 UTC of `day` in seconds since the epoch (how the file reads a date)."""
    return (day - _EPOCH).days * _DAY_S


class BookFileError(ProtocolError):
    """A refused book file; `str()` is one line: `file:line: field: reason`."""

    def __init__(self, code: ErrorCode, /, *, file: str, line: int, field: str, reason: str):
        reason = " ".join(str(reason).split())  # one line, whatever the cause said
        super().__init__(code, file=file, line=line, field=field, reason=reason)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, self.context))


def _rebuild(code: ErrorCode, context: dict[str, Any]) -> BookFileError:
    return BookFileError(code, **context)


@dataclass(frozen=True, slots=True, kw_only=True)
class BookFile:
    """A book as loaded from a file: records, market data and the load's warnings."""

    as_of: datetime.date
    pool_id: str
    policy: Policy
    assets: Mapping[str, Asset] = field(hash=False)
    borrowers: tuple[Borrower, ...]
    venues: tuple[Venue, ...]
    accounts: tuple[Account, ...]
    positions: tuple[Position, ...]
    loans: tuple[Loan, ...]
    prices: Mapping[str, int] = field(hash=False)  # symbol -> price_usd_e8
    depths: Mapping[str, MarketDepth] = field(hash=False)
    circulating_supply: Mapping[str, int] = field(hash=False)  # symbol -> base units
    ssr_bps: int | None = None
    sofr_bps: int | None = None
    sll_max_exposure_usd_wad: int
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def now_ts_s(self) -> int:
        """00:00 UTC of `as_of`."""
        return ts_of(self.as_of)

    def account_positions(self, account_id: str) -> tuple[Position, ...]:
        """The positions of one account, in file order."""
        return tuple(p for p in self.positions if p.account_id == account_id)

    def account_loans(self, account_id: str) -> tuple[Loan, ...]:
        """The loans of one account, in file order."""
        return tuple(ln for ln in self.loans if ln.account_id == account_id)

    def margin(self, account_id: str, *, with_depths: bool = True) -> MarginResult:
        """`prime.margin.margin_account` of one account at `as_of` (with the add-on)."""
        account = next(a for a in self.accounts if a.account_id == account_id)
        return margin_account(
            self.account_positions(account_id), self.account_loans(account_id), self.prices,
            self.policy, self.policy.pool(account.pool_id), assets=self.assets,
            now_ts_s=self.now_ts_s, depths=self.depths if with_depths else None,
        )  # fmt: skip

    def limit_state(self) -> LimitState:
        """The whole book as `prime.limits` reads it (`check_book(book.limit_state())`)."""
        return LimitState(
            positions=self.positions, loans=self.loans,
            venues={v.venue_id: v for v in self.venues}, assets=self.assets,
            prices=self.prices, policy=self.policy, now_ts_s=self.now_ts_s,
            max_funding_usd_wad=self.sll_max_exposure_usd_wad,
            circulating_supply=self.circulating_supply,
            funding_asset=self.policy.pool(self.pool_id).borrowed_asset,
        )  # fmt: skip


def load_book_file(path: str | os.PathLike[str], *, policy: Policy | None = None) -> BookFile:
    """Read and check a book file (module docstring); `policy` defaults to the Atlas one."""
    from sparkprime.presets.book_file_read import read_book  # noqa: PLC0415

    return read_book(Path(path), policy)


def dump_book_file(book: BookFile, path: str | os.PathLike[str], *, header: str = "") -> None:
    """Write `book` as YAML (deterministic, atomic); `header` lines become `#` comments."""
    text = book_yaml(book, header=header)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# Shared by the reader and the writer: the file's field names per position kind.
POSITION_FIELDS: Final[Mapping[PositionKind, frozenset[str]]] = MappingProxyType({
    PositionKind.SPOT: frozenset({"qty"}),
    PositionKind.PERP: frozenset({"qty", "entry_price_usd"}),
    PositionKind.FUTURE: frozenset({"qty", "entry_price_usd", "expiry"}),
    PositionKind.PENDLE_PT: frozenset({"qty", "expiry", "pt_amm_liquidity_usd", "price_symbol"}),
    PositionKind.DEX_LP: frozenset({"qty", "dex_kind", "legs"}),
    PositionKind.LENDING_SUPPLY: frozenset({"qty"}),
    PositionKind.LENDING_BORROW: frozenset({"qty"}),
    PositionKind.VAULT_SHARES: frozenset({"qty", "share_rate", "underlying"}),
    PositionKind.MARGIN_VALUE: frozenset({"margin_value_usd"}),
})  # fmt: skip


def units_text(amount: int, decimals: int) -> str:
    """`amount` base units as an exact decimal string of whole units ("-12.5")."""
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**decimals)
    digits = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"


def units_of(text: str, decimals: int) -> int | None:
    """Exact base units of a decimal string; None if it has more than `decimals` places."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    number = int("".join(map(str, digits)) or "0")
    shift = exponent + decimals  # exact: no Decimal context rounds a long amount
    if shift < 0:
        number, rest = divmod(number, 10**-shift)
        if rest:
            return None
    else:
        number *= 10**shift
    return int(-number if sign else number)


# --- writing ------------------------------------------------------------------------------


class _Flow(dict[str, Any]):
    """A mapping written on one line (`{id: p1, kind: spot, ...}`)."""


class _Num(str):
    """A number written plain from its exact text (`12.5`), read back from the same text."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML is untyped
    pass


def _flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _num(dumper: yaml.SafeDumper, data: _Num) -> yaml.Node:
    tag = "float" if "." in data else "int"
    return dumper.represent_scalar(f"tag:yaml.org,2002:{tag}", str(data))


_Dumper.add_representer(_Flow, _flow)
_Dumper.add_representer(_Num, _num)


def _when(ts_s: int) -> datetime.date | int:
    """A time as the file writes it: a date at 00:00 UTC, else the int ts_s."""
    if ts_s % _DAY_S:
        return ts_s
    return _EPOCH + datetime.timedelta(days=ts_s // _DAY_S)


def _position_dict(p: Position, assets: Mapping[str, Asset]) -> _Flow:
    d = _Flow(id=p.position_id, venue=p.venue_id, kind=p.kind.value, symbol=p.symbol)
    if p.kind is PositionKind.MARGIN_VALUE:
        assert p.margin_value_usd_wad is not None  # checked by Position
        d["margin_value_usd"] = _Num(units_text(p.margin_value_usd_wad, 18))
        return d
    d["qty"] = _Num(units_text(p.qty, assets[p.symbol].decimals))
    if p.entry_price_usd_e8 is not None:
        d["entry_price_usd"] = _Num(units_text(p.entry_price_usd_e8, 8))
    if p.expiry_ts_s is not None:
        d["expiry"] = _when(p.expiry_ts_s)
    if p.pt_amm_liquidity_usd_wad is not None:
        d["pt_amm_liquidity_usd"] = _Num(units_text(p.pt_amm_liquidity_usd_wad, 18))
    if p.price_symbol is not None:
        d["price_symbol"] = p.price_symbol
    if p.dex_kind is not None:
        d["dex_kind"] = p.dex_kind
    if p.kind is PositionKind.VAULT_SHARES:
        assert p.share_rate_wad is not None  # checked by Position
        d["share_rate"] = _Num(units_text(p.share_rate_wad, 18))
        d["underlying"] = p.legs[0][0]
    elif p.legs:
        d["legs"] = [
            _Flow(symbol=s, qty=_Num(units_text(q, assets[s].decimals))) for s, q in p.legs
        ]
    return d


def _market_dict(book: BookFile) -> dict[str, Any]:
    market: dict[str, Any] = {}
    if book.prices:
        market["prices_usd"] = {s: _Num(units_text(v, 8)) for s, v in book.prices.items()}
    if book.depths:
        market["depth"] = {
            s: _Flow(
                depth_1pct_usd=_Num(units_text(d.depth_1pct_usd_wad, 18)),
                depth_2pct_usd=_Num(units_text(d.depth_2pct_usd_wad, 18)),
                adv_usd=_Num(units_text(d.adv_usd_wad, 18)),
            )
            for s, d in book.depths.items()
        }
    if book.circulating_supply:
        market["circulating_supply"] = {
            s: _Num(units_text(v, book.assets[s].decimals))
            for s, v in book.circulating_supply.items()
        }
    for key, value in (("ssr_bps", book.ssr_bps), ("sofr_bps", book.sofr_bps)):
        if value is not None:
            market[key] = value
    return market


def _loan_dict(ln: Loan, decimals: int) -> _Flow:
    d = _Flow(id=ln.loan_id, account=ln.account_id, kind=ln.kind.value,
              principal=_Num(units_text(ln.principal, decimals)), rate_bps=ln.rate_bps,
              originated=_when(ln.originated_ts_s))  # fmt: skip
    if ln.term_end_ts_s is not None:
        d["term_end"] = _when(ln.term_end_ts_s)
    if ln.accrued_interest:
        d["accrued_interest"] = _Num(units_text(ln.accrued_interest, decimals))
    if ln.last_accrual_ts_s != ln.originated_ts_s:
        d["last_accrual"] = _when(ln.last_accrual_ts_s)
    return d


def _borrower_dict(b: Borrower) -> _Flow:
    d = _Flow(id=b.borrower_id, name=b.name, entity=b.entity, kyc=b.kyc.value,
              sanctioned=b.sanctioned)  # fmt: skip
    if b.solvency_attested_ts_s is not None:
        d["solvency_attested"] = _when(b.solvency_attested_ts_s)
    if b.insolvent:
        d["insolvent"] = True
    if b.in_administration:
        d["in_administration"] = True
    return d


def book_yaml(book: BookFile, *, header: str = "") -> str:
    """The YAML text of `book` (what `dump_book_file` writes)."""
    pools = {a.account_id: a.pool_id for a in book.accounts}
    by_account: dict[str, list[_Flow]] = {a.account_id: [] for a in book.accounts}
    for p in book.positions:
        by_account[p.account_id].append(_position_dict(p, book.assets))
    accounts: list[dict[str, Any]] = []
    for a in book.accounts:
        d: dict[str, Any] = {"id": a.account_id, "borrower": a.borrower_id}
        if a.pool_id != book.pool_id:
            d["pool"] = a.pool_id
        if by_account[a.account_id]:
            d["positions"] = by_account[a.account_id]
        accounts.append(d)
    decimals = {
        pool.pool_id: book.assets[pool.borrowed_asset].decimals
        for pool in book.policy.pools
        if pool.borrowed_asset in book.assets
    }
    venues = []
    for v in book.venues:
        vd = _Flow(id=v.venue_id, name=v.name, kind=v.kind.value)
        if v.master_account is not None:
            vd["master_account"] = v.master_account
        venues.append(vd)
    assets = {}
    for symbol, asset in book.assets.items():
        ad = _Flow(decimals=asset.decimals)
        if asset.pegged_to is not None:
            ad["pegged_to"] = asset.pegged_to
        assets[symbol] = ad
    data: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "as_of": book.as_of,
        "pool": book.pool_id,
        "assets": assets,
        "venues": venues,
        "borrowers": [_borrower_dict(b) for b in book.borrowers],
        "accounts": accounts,
        "loans": [_loan_dict(ln, decimals[pools[ln.account_id]]) for ln in book.loans],
    }
    market = _market_dict(book)
    if market:
        data["market"] = market
    data["sll"] = {"max_exposure_usd": _Num(units_text(book.sll_max_exposure_usd_wad, 18))}
    body = str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=4096, allow_unicode=True))
    lines = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return lines + body
