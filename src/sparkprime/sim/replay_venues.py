"""The replay plays the CEXs: each step it marks every sub-account's margin value to market.

A real engine receives each CEX sub-account's margin value (adjEq) from the exchange every
30 s; a replay has no exchange, so `margin_value_reports(state, prices, now)` computes what the
venue would report when the prices move from the book's current ones to `prices`, as the
entries of one `prime.report_margin_values` the replay submits right after `prime.set_prices`
in the same batch. For every (account, venue) holding exactly one MARGIN_VALUE position:

    MV_new = MV_old + sum over the account's other positions at that venue of
             (value at the new prices - value at the old prices)

where a position's value is what `prime.exposure.position_exposures` gives it outside a
margin account: qty x price for spot, vault and LP legs and PTs, qty x (mark - entry) for
perps and futures, so the change is qty x the price (or mark) move. Without this a delta-neutral
basis trade (spot on-chain, short perp at a CEX) would lose its spot value while the perp's
gain never showed, and be liquidated where a real venue would not.

Exact ints: each value is `prime.exposure.value_usd_wad`'s floor, and the change is the
difference of two floored values, so over any number of steps the reported value is the
starting one plus the exact floored change since then (no rounding accumulates). Funding
payments and fees are not modelled (a documented simplification: the scenarios carry no
funding rates). A pair whose MARGIN_VALUE positions are not exactly one is left out (the engine
would refuse the report), and so is every report of a step whose prices the engine will refuse
(a price <= 0: `prime.set_prices` refuses them all, so the book's prices do not move).

Example:
    >>> margin_value_reports.__name__
    'margin_value_reports'
"""

from __future__ import annotations

from collections.abc import Mapping

from sparkprime.prime import engine_commands as ec
from sparkprime.prime.book import Position, PositionKind
from sparkprime.prime.engine_margin import effective_policy
from sparkprime.prime.engine_state import BookState
from sparkprime.prime.exposure import position_exposures
from sparkprime.prime.policy import Policy

__all__ = ["margin_value_reports"]


def _value(
    p: Position, state: BookState, prices: Mapping[str, int], policy: Policy, now: int
) -> int:
    """The position's value outside a margin account (the module docstring)."""
    return sum(
        e.value_usd_wad
        for e in position_exposures(
            p, prices=prices, assets=state.assets, policy=policy, now_ts_s=now
        )
    )


def margin_value_reports(
    state: BookState, prices: Mapping[str, int], now_ts_s: int
) -> tuple[ec.MarginValueEntry, ...]:
    """What each CEX sub-account reports after the book's prices move to `prices`."""
    if any(p <= 0 for p in prices.values()):
        return ()
    new = {**state.prices, **prices}
    policy = effective_policy(state)
    margin: dict[tuple[str, str], list[Position]] = {}
    legs: dict[tuple[str, str], list[Position]] = {}
    for p in state.positions.values():
        key = (p.account_id, p.venue_id)
        (margin if p.kind is PositionKind.MARGIN_VALUE else legs).setdefault(key, []).append(p)
    out: list[ec.MarginValueEntry] = []
    for (account_id, venue_id), held in sorted(margin.items()):
        if len(held) != 1:
            continue
        mv = held[0].margin_value_usd_wad
        assert mv is not None  # a MARGIN_VALUE position always has one
        for p in legs.get((account_id, venue_id), ()):
            mv += _value(p, state, new, policy, now_ts_s)
            mv -= _value(p, state, state.prices, policy, now_ts_s)
        out.append(
            ec.MarginValueEntry(account_id=account_id, venue_id=venue_id, margin_value_usd_wad=mv)
        )
    return tuple(out)
