"""The read side of a `PrimeBook`: what the CLI, the service and a notebook ask.

Plain, JSON-able answers computed from the book's state with the same functions the commands
check with (`prime.engine_margin`), at a time the caller gives (default: the book's clock):

- `account_margin(book, account_id)`: value, STPV (both sides), borrowed, RF, the status (the
  ladder rung, or `liquidated` once a full liquidation closed the account out, with
  `liquidated_ts_s`) and its cure deadline, per-group charges, per-position attribution and
  warnings;
- `account_status(state, account_id, now_ts_s)` / `statuses(state, now_ts_s)`: that status
  name for one account / every account;
- `limits_report(book)`: every book-wide limit (`prime.limits.check_book`) with its value and
  cap;
- `notices_since(book, seq)`: the notice log after `seq` (margin calls, recalls,
  liquidations, bad debt, warnings, ...), oldest first.

Amounts are ints (USD wad, borrowed-asset base units); nothing here changes the book.

Example:
    >>> notices_since.__name__, LIQUIDATED
    ('notices_since', 'liquidated')
"""

from __future__ import annotations

from typing import Any, Final

from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.engine_margin import (
    effective_policy,
    limit_state,
    lookup,
    margin_of,
    status_of,
)
from sparkprime.prime.engine_state import BookState, to_plain
from sparkprime.prime.limits import check_book

__all__ = [
    "LIQUIDATED",
    "account_margin",
    "account_status",
    "limits_report",
    "notices_since",
    "statuses",
]

#: The status of an account a FULL liquidation closed out (until its next loan or draw); the
#: engine's ladder (`prime.status.MarginStatus`) reads HEALTHY there, as nothing is owed.
LIQUIDATED: Final = "liquidated"


def account_status(state: BookState, account_id: str, now_ts_s: int) -> str:
    """`LIQUIDATED` for a closed-out account, else its ladder rung's value."""
    if account_id in state.liquidated:
        return LIQUIDATED
    return status_of(state, account_id, now_ts_s).status.value


def statuses(state: BookState, now_ts_s: int) -> dict[str, str]:
    """`account_status` of every account, by account id."""
    return {a: account_status(state, a, now_ts_s) for a in sorted(state.accounts)}


def account_margin(
    book: PrimeBook, account_id: str, *, now_ts_s: int | None = None
) -> dict[str, Any]:
    """One account's margin view (module docstring)."""
    state = book.state
    now = book.clock.now if now_ts_s is None else now_ts_s
    account = lookup(state.accounts, account_id, "account")
    policy = effective_policy(state)
    pool = policy.pool(account.pool_id)
    m = margin_of(state, account_id, now, policy=policy)
    status = status_of(state, account_id, now)
    return {
        "account_id": account_id,
        "borrower_id": account.borrower_id,
        "pool_id": account.pool_id,
        "value_usd_wad": m.value_usd_wad,
        "stpv_usd_wad": m.stpv_usd_wad,
        "stpv_up_usd_wad": m.stpv_up_usd_wad,
        "stpv_down_usd_wad": m.stpv_down_usd_wad,
        "borrowed_usd_wad": m.borrowed_usd_wad,
        "rf_wad": m.rf_wad,
        "rf_status": m.status.value,
        "status": account_status(state, account_id, now),
        "liquidated_ts_s": state.liquidated.get(account_id),
        "cure_deadline_ts_s": status.cure_deadline_ts_s(pool),
        "by_group": [to_plain(g) for g in m.by_group],
        "attribution": dict(sorted(m.attribution.items())),
        "warnings": list(m.warnings),
        "pending_liquidation": account_id in state.plans,
    }


def limits_report(book: PrimeBook, *, now_ts_s: int | None = None) -> list[dict[str, Any]]:
    """Every book-wide limit: name, value, cap and whether it is within it."""
    now = book.clock.now if now_ts_s is None else now_ts_s
    return [
        {
            "name": c.name,
            "value_usd_wad": c.curr_usd_wad,
            "limit_usd_wad": c.limit_usd_wad,
            "ok": c.ok,
        }
        for c in check_book(limit_state(book.state, now))
    ]


def notices_since(book: PrimeBook, seq: int = 0) -> list[dict[str, Any]]:
    """The notices with a sequence number above `seq`, oldest first."""
    return [to_plain(n) for n in book.state.notices if n.seq > seq]
