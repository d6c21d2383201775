"""What every report shows first: the summary rows, and account statuses in ladder order.

`summary_rows` gives (label, value) text pairs (the terminal table and the HTML header);
statuses list the margin ladder best first, then `liquidated` (accounts a full liquidation
closed out: `prime.queries.LIQUIDATED`), then any others sorted.

Example:
    >>> ordered_statuses({"liquidation": 1, "closed": 2, "liquidated": 4, "healthy": 3})
    (('healthy', 3), ('liquidation', 1), ('liquidated', 4), ('closed', 2))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sparkprime.prime.queries import LIQUIDATED
from sparkprime.prime.status import MarginStatus
from sparkprime.report.fmt import rf as fmt_rf
from sparkprime.report.fmt import usd, utc
from sparkprime.sim.result import ReplayResult

__all__ = ["ordered_statuses", "status_names", "summary_rows"]

_LADDER = (*(s.value for s in MarginStatus), LIQUIDATED)


def status_names(names: Iterable[str]) -> tuple[str, ...]:
    """`names` deduplicated: the ladder's rungs in ladder order, `liquidated`, the rest sorted."""
    seen = set(names)
    return tuple(s for s in _LADDER if s in seen) + tuple(sorted(seen - set(_LADDER)))


def ordered_statuses(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """The (status, count) pairs of `counts` in report order."""
    return tuple((name, counts[name]) for name in status_names(counts))


def summary_rows(result: ReplayResult) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs of the summary, in display order (the HTML header uses them too)."""
    s = result.summary
    steps = result.steps
    span = f"{utc(steps[0].ts_s)} \u2192 {utc(steps[-1].ts_s)}" if steps else "\u2014"
    worst = fmt_rf(s.worst_rf_wad)
    if s.worst_rf_wad is not None and s.worst_rf_account_id is not None:
        when = f" at {utc(s.worst_rf_ts_s)}" if s.worst_rf_ts_s is not None else ""
        worst += f" ({s.worst_rf_account_id}{when})"
    by_status = ", ".join(f"{k} {v}" for k, v in ordered_statuses(s.accounts_by_status)) or "none"
    used = f"{usd(s.peak_funding_used_usd_wad)} of {usd(s.sll_max_usd_wad)}"
    return (
        ("book", result.book_name),
        ("scenario", result.scenario_name),
        ("seed", str(result.seed)),
        ("run", result.run_id),
        ("steps", f"{len(steps)} \u00d7 {result.step_s} s"),
        ("period", span),
        ("accounts", str(s.accounts)),
        ("final status", by_status),
        ("liquidations", str(s.liquidations)),
        ("margin calls", str(s.margin_calls)),
        ("recalls", str(s.recalls)),
        ("bad debt", usd(s.total_bad_debt_usd_wad)),
        ("liquidation fees", usd(s.total_liquidation_fees_usd_wad)),
        ("worst RF", worst),
        ("peak funding used (of SLL max)", used),
        ("journal", result.journal_path or "\u2014"),
    )
