"""The book facade: what the `sparkprime` command (and a notebook) asks of a book file.

DESIGN: cli/ and service/ hold no business logic; they call these functions, which call the
margin, limit and what-if rules of `prime` (never copied):

- `book_margin(book)`: every account's margin at the book's date (or `now_ts_s`): RF,
  status, STPV, borrowed, binding scenario; and the book-wide limits (`prime.limits`);
- `account_what_if(book, account_id, ...)`: `prime.whatif.what_if` on one account of the
  book, with the changes given as the command line writes them (`position_spec`,
  `withdraw_spec`, `borrow_units`: human units, converted exactly with the book's decimals).

Every refusal of the caller's input is a `ProtocolError` (`CLI_BAD_OPTION` naming the option,
`CLI_UNKNOWN_ACCOUNT`), so the command can answer it as bad input.

Example:
    >>> from sparkprime.presets.example_book import small_book
    >>> view = book_margin(small_book())
    >>> len(view.accounts), all(c.ok for c in view.limits)
    (8, True)
    >>> position_spec(small_book(), "x", "id=p9,venue=onchain,kind=spot,symbol=ETH,qty=1.5").qty
    1500000000000000000
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.book_file import BookFile, units_of
from sparkprime.prime.book import Position, PositionKind
from sparkprime.prime.limits import LimitCheck, check_book
from sparkprime.prime.margin import RF_NO_DEBT_WAD, margin_account
from sparkprime.prime.whatif import WhatIfResult, what_if

__all__ = [
    "AccountMarginRow",
    "BookMargin",
    "account_what_if",
    "book_label",
    "book_margin",
    "borrow_units",
    "position_spec",
    "require_account",
    "what_if_json",
    "withdraw_spec",
]

_SPEC_KINDS = {PositionKind.SPOT: (), PositionKind.PERP: ("entry_price_usd",)}


def _bad(option: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.CLI_BAD_OPTION, option=option, reason=reason)


def _rf(rf_wad: int) -> int | None:
    """None for an account that owes nothing (RF is unbounded)."""
    return None if rf_wad == RF_NO_DEBT_WAD else rf_wad


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountMarginRow:
    """One account's margin (USD wad; `rf_wad` None when it owes nothing)."""

    account_id: str
    borrower_id: str
    rf_wad: int | None
    status: str
    value_usd_wad: int
    stpv_usd_wad: int
    borrowed_usd_wad: int
    binding_scenario: str
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class BookMargin:
    """A snapshot of the whole book: every account, every limit, the load's warnings."""

    now_ts_s: int
    policy_version: str
    accounts: tuple[AccountMarginRow, ...]
    limits: tuple[LimitCheck, ...]
    warnings: tuple[str, ...]

    def to_json_value(self) -> dict[str, Any]:
        """Plain JSON values (ints exact)."""
        return {
            "now_ts_s": self.now_ts_s,
            "policy_version": self.policy_version,
            "accounts": [
                {
                    "account_id": a.account_id,
                    "borrower_id": a.borrower_id,
                    "rf_wad": a.rf_wad,
                    "status": a.status,
                    "value_usd_wad": a.value_usd_wad,
                    "stpv_usd_wad": a.stpv_usd_wad,
                    "borrowed_usd_wad": a.borrowed_usd_wad,
                    "binding_scenario": a.binding_scenario,
                    "warnings": list(a.warnings),
                }
                for a in self.accounts
            ],
            "limits": [
                {
                    "name": c.name,
                    "value_usd_wad": c.curr_usd_wad,
                    "limit_usd_wad": c.limit_usd_wad,
                    "ok": c.ok,
                }
                for c in self.limits
            ],
            "warnings": list(self.warnings),
        }


def _now(book: BookFile, now_ts_s: int | None) -> int:
    return book.now_ts_s if now_ts_s is None else now_ts_s


def book_margin(book: BookFile, *, now_ts_s: int | None = None) -> BookMargin:
    """Every account's margin and the book's limits at `now_ts_s` (default: `book.as_of`)."""
    now = _now(book, now_ts_s)
    rows = []
    for account in book.accounts:
        m = margin_account(
            book.account_positions(account.account_id), book.account_loans(account.account_id),
            book.prices, book.policy, book.policy.pool(account.pool_id), assets=book.assets,
            now_ts_s=now, depths=book.depths,
        )  # fmt: skip
        rows.append(
            AccountMarginRow(
                account_id=account.account_id,
                borrower_id=account.borrower_id,
                rf_wad=_rf(m.rf_wad),
                status=m.status.value,
                value_usd_wad=m.value_usd_wad,
                stpv_usd_wad=m.stpv_usd_wad,
                borrowed_usd_wad=m.borrowed_usd_wad,
                binding_scenario=m.binding_scenario,
                warnings=tuple(m.warnings),
            )
        )
    state = book.limit_state()
    if now != state.now_ts_s:
        state = replace(state, now_ts_s=now)
    return BookMargin(
        now_ts_s=now,
        policy_version=book.policy.version,
        accounts=tuple(rows),
        limits=tuple(check_book(state)),
        warnings=book.warnings,
    )


def require_account(book: BookFile, account_id: str, *, source: str | None = None) -> str:
    """The pool of `account_id`; `CLI_UNKNOWN_ACCOUNT` naming `source` if it is not there."""
    for account in book.accounts:
        if account.account_id == account_id:
            return account.pool_id
    raise ProtocolError(
        ErrorCode.CLI_UNKNOWN_ACCOUNT, file=source or book_label(book), account_id=account_id
    )


_account = require_account


def book_label(book: BookFile) -> str:
    """How messages name a book: its date and pool."""
    return f"book of {book.as_of.isoformat()} ({book.pool_id})"


def _fields(option: str, spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise _bad(option, f"{part.strip()!r} is not key=value")
        if key in out:
            raise _bad(option, f"{key} is given twice")
        out[key] = value
    return out


def _units(book: BookFile, option: str, symbol: str, text: str) -> int:
    asset = book.assets.get(symbol)
    if asset is None:
        raise _bad(option, f"unknown asset {symbol!r} (not in the book's assets)")
    units = units_of(text, asset.decimals)
    if units is None:
        raise _bad(option, f"{text!r} is not a number with at most {asset.decimals} decimals")
    if units < 0:
        raise _bad(option, f"{text} is negative")
    return units


def position_spec(book: BookFile, account_id: str, spec: str) -> Position:
    """A position from `id=..,venue=..,kind=spot|perp,symbol=..,qty=..[,entry_price_usd=..]`.

    `qty` is in whole tokens (a perp may be negative: short); the venue and the symbol must be
    the book's.
    """
    option = "--add-position"
    f = _fields(option, spec)
    need = {"id", "venue", "kind", "symbol", "qty"}
    missing = sorted(need - set(f))
    if missing:
        raise _bad(option, f"missing {', '.join(missing)}")
    try:
        kind = PositionKind(f["kind"])
    except ValueError:
        kind = None
    if kind not in _SPEC_KINDS:
        raise _bad(option, f"kind {f['kind']!r} is not one of spot, perp")
    extra = sorted(set(f) - need - set(_SPEC_KINDS[kind]))
    if extra:
        raise _bad(option, f"unknown field(s) {', '.join(extra)}")
    if f["venue"] not in {v.venue_id for v in book.venues}:
        raise _bad(option, f"unknown venue {f['venue']!r} (not in the book's venues)")
    qty_text = f["qty"]
    short = kind is PositionKind.PERP and qty_text.startswith("-")
    qty = _units(book, option, f["symbol"], qty_text[1:] if short else qty_text)
    entry = None
    if kind is PositionKind.PERP:
        price = f.get("entry_price_usd") or units_text_price(book, f["symbol"])
        entry = units_of(price, 8)
        if entry is None or entry <= 0:
            raise _bad(option, f"entry_price_usd {price!r} is not a positive price")
    try:
        return Position(
            position_id=f["id"], account_id=account_id, venue_id=f["venue"], kind=kind,
            symbol=f["symbol"], qty=-qty if short else qty, entry_price_usd_e8=entry,
        )  # fmt: skip
    except ProtocolError as exc:
        raise _bad(option, exc.message) from None


def units_text_price(book: BookFile, symbol: str) -> str:
    """The book's price of `symbol` as exact USD text (a perp's default entry price)."""
    price = book.prices.get(symbol)
    if price is None:
        raise _bad("--add-position", f"no price for {symbol!r} in the book's market")
    whole, frac = divmod(price, 10**8)
    return f"{whole}.{frac:08d}"


def withdraw_spec(book: BookFile, account_id: str, spec: str) -> tuple[str, int]:
    """(position id, base units) from `POSITION_ID=QTY` (QTY in whole tokens)."""
    option = "--withdraw"
    pid, sep, qty = spec.partition("=")
    pid = pid.strip()
    position = next((p for p in book.account_positions(account_id) if p.position_id == pid), None)
    if not sep or position is None:
        raise _bad(option, f"{spec!r}: expected POSITION_ID=QTY with a position of {account_id}")
    return pid, _units(book, option, position.symbol, qty)


def borrow_units(book: BookFile, account_id: str, amount: str) -> int:
    """Base units of the account's pool asset from whole units (`--borrow 250000`)."""
    pool = book.policy.pool(_account(book, account_id))
    return _units(book, "--borrow", pool.borrowed_asset, amount)


def account_what_if(
    book: BookFile,
    account_id: str,
    *,
    add: Iterable[Position] = (),
    remove: Iterable[str] = (),
    withdraw: Mapping[str, int] | None = None,
    borrow: int = 0,
    now_ts_s: int | None = None,
) -> WhatIfResult:
    """`prime.whatif.what_if` on one account of `book` (with the book's depths)."""
    pool_id = _account(book, account_id)
    owned = {p.position_id for p in book.account_positions(account_id)}
    for pid in remove:
        if pid not in owned:
            raise _bad("--remove-position", f"no position {pid!r} in account {account_id}")
    return what_if(
        book.account_positions(account_id), book.account_loans(account_id), book.prices,
        book.policy, book.policy.pool(pool_id), assets=book.assets,
        now_ts_s=_now(book, now_ts_s), add=add, remove=remove, withdraw=withdraw,
        borrow=borrow, depths=book.depths,
    )  # fmt: skip


def what_if_json(account_id: str, result: WhatIfResult) -> dict[str, Any]:
    """The what-if answer as plain JSON values."""
    return {
        "account_id": account_id,
        "curr_rf_wad": _rf(result.curr_rf_wad),
        "curr_status": result.current.status.value,
        "next_rf_wad": _rf(result.next_rf_wad),
        "next_status": result.next_status.value,
        "next_stpv_usd_wad": result.next.stpv_usd_wad,
        "next_borrowed_usd_wad": result.next.borrowed_usd_wad,
        "max_extra_borrow": result.max_extra_borrow,
        "max_extra_borrow_usd_wad": result.max_extra_borrow_usd_wad,
        "withdraw_allowed": result.withdraw_allowed,
    }
