"""The replay's summary for the terminal: Rich tables the CLI prints.

When stdout is not a terminal (a pipe, a file, `make`), Rich would fall back to 80 columns
and wrap the liquidations table badly: `console_width()` gives the CLI a fixed
`NON_TTY_WIDTH` there (unless `COLUMNS` says otherwise). The liquidations table keeps its times
short (`07-20 18:00`, UTC, as its header says).

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

import os
import sys
from typing import TextIO

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sparkprime.report.fmt import rf as fmt_rf
from sparkprime.report.fmt import usd, utc_short
from sparkprime.report.summary import summary_rows
from sparkprime.sim.result import ReplayResult

__all__ = ["MAX_TERMINAL_LIQUIDATIONS", "NON_TTY_WIDTH", "console_width", "summary_renderable"]

MAX_TERMINAL_LIQUIDATIONS = 10  # the worst (largest bad debt, then fee) are listed
NON_TTY_WIDTH = 120  # columns when stdout is not a terminal


def console_width(stream: TextIO | None = None) -> int | None:
    """The width to render at on `stream` (stdout): None (Rich measures) on a terminal or
    when `COLUMNS` is set, else `NON_TTY_WIDTH`."""
    out = sys.stdout if stream is None else stream
    if os.environ.get("COLUMNS") or (hasattr(out, "isatty") and out.isatty()):
        return None
    return NON_TTY_WIDTH


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
    for name in ("time (UTC)", "account", "kind", "proceeds", "fee", "bad debt", "RF before"):
        left = name in ("time (UTC)", "account", "kind")
        liq.add_column(name, justify="left" if left else "right", no_wrap=left)
    for x in worst:
        liq.add_row(
            utc_short(x.ts_s),
            Text(x.account_id),
            "full" if x.full else "partial",
            usd(x.proceeds_usd_wad),
            usd(x.fee_usd_wad),
            usd(x.bad_debt_usd_wad),
            fmt_rf(x.rf_before_wad),
        )
    return Group(table, liq)
