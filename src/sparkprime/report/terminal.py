"""The replay's summary for the terminal: Rich tables the CLI prints.

Example:
    >>> import io
    >>> from rich.console import Console
    >>> from sparkprime.sim.result import ResultSummary, ReplayResult
    >>> r = ReplayResult(run_id="r1", book_name="demo", scenario_name="flat", seed=7,
    ...                  started_ts_s=0, step_s=3_600, thresholds=None, steps=(),
    ...                  summary=ResultSummary.empty())
    >>> console = Console(file=io.StringIO(), width=80, color_system=None)
    >>> console.print(summary_renderable(r))
    >>> text = console.file.getvalue()
    >>> "demo" in text and "$0.00" in text
    True
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sparkprime.report.fmt import rf as fmt_rf
from sparkprime.report.fmt import usd, utc
from sparkprime.report.summary import summary_rows
from sparkprime.sim.result import ReplayResult

__all__ = ["MAX_TERMINAL_LIQUIDATIONS", "summary_renderable"]

MAX_TERMINAL_LIQUIDATIONS = 10  # the worst (largest bad debt, then fee) are listed


def summary_renderable(result: ReplayResult) -> RenderableType:
    """The summary table, then the worst liquidations when there were any."""
    # Names come from users' files: Text() keeps Rich from reading "[...]" in them as markup.
    title = Text(f"Replay: {result.book_name} under {result.scenario_name}")
    table = Table(title=title, show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    for label, value in summary_rows(result):
        table.add_row(label, Text(value))
    if not result.liquidations:
        return table
    worst = sorted(
        result.liquidations,
        key=lambda x: (-x.bad_debt_usd_wad, -x.fee_usd_wad, x.ts_s, x.account_id),
    )[:MAX_TERMINAL_LIQUIDATIONS]
    liq = Table(title=f"Worst liquidations ({len(worst)} of {len(result.liquidations)})")
    for name in ("time", "account", "kind", "proceeds", "fee", "bad debt", "RF before"):
        liq.add_column(name, justify="left" if name in ("time", "account", "kind") else "right")
    for x in worst:
        liq.add_row(
            utc(x.ts_s),
            Text(x.account_id),
            "full" if x.full else "partial",
            usd(x.proceeds_usd_wad),
            usd(x.fee_usd_wad),
            usd(x.bad_debt_usd_wad),
            fmt_rf(x.rf_before_wad),
        )
    return Group(table, liq)
