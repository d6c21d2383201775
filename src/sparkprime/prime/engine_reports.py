"""`PrimeBook` handler for what venues report: the CEX sub-accounts' margin values.

A real engine reads each CEX sub-account's margin value (OKX `adjEq`: collateral at mark plus
realised / unrealised / funding PnL, less fees) from the exchange every 30 s; in the book that
value is the account's one MARGIN_VALUE position at the venue (`prime.exposure`: the only
value counted at a futures account). `prime.report_margin_values` replaces those values.

It is the venue's report, not a borrower's action, so it runs none of the position checks of
`prime.upsert_position` (limits, reduce-only, a pending liquidation plan): the book cannot
refuse a fact. A pending plan whose account reports a new value is dropped (it would collect
the old value: its cash steps are fixed amounts, not fills) and re-made from the reported
value at the next `prime.remargin`. It is validated all the same, before anything
changes: every account and venue must be known, each (account, venue) must appear once and
hold exactly one MARGIN_VALUE position (PRIME_ENGINE_NOT_A_MARGIN_ACCOUNT otherwise), and the
value is an int (the command's type check; a negative one is accepted, as `prime.book`
accepts it: an underwater sub-account reports a negative adjEq).

Example:
    >>> from sparkprime.prime.engine_commands import MarginValueEntry, ReportMarginValues
    >>> ReportMarginValues(reports=(MarginValueEntry(
    ...     account_id="a1", venue_id="okx", margin_value_usd_wad=-5 * 10**18),)).KIND
    'prime.report_margin_values'
"""

from __future__ import annotations

from dataclasses import replace

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.book import Position, PositionKind
from sparkprime.prime.engine_margin import lookup
from sparkprime.prime.engine_state import BookState

__all__ = ["report_margin_values"]


def report_margin_values(state: BookState, cmd: ec.ReportMarginValues, now: int) -> int:
    """Replace each reported sub-account's margin value; the number of values replaced."""
    del now  # a report takes effect at the command's time, like a price
    held: dict[tuple[str, str], list[Position]] = {}
    for p in state.positions.values():
        if p.kind is PositionKind.MARGIN_VALUE:
            held.setdefault((p.account_id, p.venue_id), []).append(p)
    updates: dict[str, Position] = {}
    seen: set[tuple[str, str]] = set()
    for e in cmd.reports:
        key = (e.account_id, e.venue_id)
        if key in seen:
            raise ProtocolError(
                ErrorCode.PRIME_ENGINE_INVALID_COMMAND,
                field="reports",
                reason=f"account {e.account_id!r} at venue {e.venue_id!r} appears twice",
            )
        seen.add(key)
        lookup(state.accounts, e.account_id, "account")
        lookup(state.venues, e.venue_id, "venue")
        found = held.get(key, [])
        if len(found) != 1:
            raise ProtocolError(
                ErrorCode.PRIME_ENGINE_NOT_A_MARGIN_ACCOUNT,
                account_id=e.account_id,
                venue_id=e.venue_id,
                count=len(found),
            )
        p = found[0]
        updates[p.position_id] = replace(p, margin_value_usd_wad=e.margin_value_usd_wad)
    for pid, p in updates.items():
        if state.positions[pid].margin_value_usd_wad != p.margin_value_usd_wad:
            state.plans.pop(p.account_id, None)  # stale: re-made at the next remargin
    state.positions.update(updates)
    return len(updates)
