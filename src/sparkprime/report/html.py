"""The replay report as ONE self-contained HTML file: summary, charts and tables.

Plotly's JavaScript is inlined (`include_plotlyjs=True` on the first chart), so the file opens
offline and loads nothing from the network. The page: a header table (`report.summary`),
the charts of `report.figures` (in `FIGURE_IDS` order, each in a `div` with that id),
the liquidations table and the notices. Every string that came from input (book, scenario,
account and venue names) is HTML-escaped; the chart data is JSON-escaped by Plotly.

The output is deterministic (fixed element ids, no timestamps of its own): the same result
gives the same bytes. It is written atomically: a reader sees the old file or the whole new
one.

Example:
    >>> import pathlib, tempfile
    >>> from sparkprime.sim.result import ReplayResult, ResultSummary
    >>> r = ReplayResult(run_id="r1", book_name="demo", scenario_name="flat", seed=7,
    ...                  started_ts_s=0, step_s=3_600, thresholds=None, steps=(),
    ...                  summary=ResultSummary.empty())
    >>> page = write_html_report(r, pathlib.Path(tempfile.mkdtemp()) / "r.html").read_text()
    >>> page.startswith("<!DOCTYPE html>") and 'id="rf-fan"' in page
    True
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Final

from sparkprime.report.figures import ReportFigure, report_figures
from sparkprime.report.files import write_text_atomic
from sparkprime.report.fmt import rf, usd, utc
from sparkprime.report.summary import summary_rows
from sparkprime.sim.result import ReplayResult

__all__ = ["MAX_HTML_ROWS", "render_html_report", "write_html_report"]

MAX_HTML_ROWS: Final = 2_000  # per table; the JSON result holds every record
_TABLE_LINKS: Final = (
    '<a href="#sec-liquidation-table">Liquidations</a> <a href="#sec-notices">Notices</a>'
)
_PLOT_CONFIG: Final = {"displaylogo": False, "responsive": True}
_STYLE: Final = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1200px; padding: 1rem 2rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.75rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary th { width: 16rem; }
nav a { margin-right: 1rem; }
.note { color: #666; font-size: 0.85rem; }
"""


def _table(head: tuple[str, ...], rows: Sequence[tuple[str, ...]], numeric: frozenset[int]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "\n".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(v)}</td>' if i in numeric else f"<td>{escape(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table>\n<thead><tr>{cells}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _capped(total: int, what: str) -> str:
    if total <= MAX_HTML_ROWS:
        return ""
    return f'<p class="note">The first {MAX_HTML_ROWS} of {total} {what}; the JSON has all.</p>'


def _summary(result: ReplayResult) -> str:
    rows = "\n".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in summary_rows(result)
    )
    return f'<table class="summary">\n{rows}\n</table>'


def _liquidations(result: ReplayResult) -> str:
    if not result.liquidations:
        return '<p class="note">No liquidations.</p>'
    records = sorted(result.liquidations, key=lambda x: (x.ts_s, x.account_id))
    rows = [
        (utc(x.ts_s), x.account_id, x.borrower_id, "full" if x.full else "partial",
         usd(x.debt_before_usd_wad), usd(x.proceeds_usd_wad), usd(x.repaid_usd_wad),
         usd(x.fee_usd_wad), usd(x.bad_debt_usd_wad), rf(x.rf_before_wad), rf(x.rf_after_wad),
         str(x.positions_closed))
        for x in records[:MAX_HTML_ROWS]
    ]  # fmt: skip
    head = ("time", "account", "borrower", "kind", "debt before", "proceeds", "repaid", "fee",
            "bad debt", "RF before", "RF after", "positions closed")  # fmt: skip
    table = _table(head, rows, frozenset(range(4, 12)))
    return table + _capped(len(records), "liquidations")


def _notices(result: ReplayResult) -> str:
    if not result.notices:
        return '<p class="note">No notices.</p>'
    counts = Counter(n.kind for n in result.notices)
    summary = _table(("kind", "notices"), [(k, str(counts[k])) for k in sorted(counts)],
                     frozenset({1}))  # fmt: skip
    records = sorted(result.notices, key=lambda n: n.ts_s)  # stable: keeps the log's order
    rows = [
        (utc(n.ts_s), n.kind, n.account_id or "", n.borrower_id or "", n.loan_id or "",
         n.message)
        for n in records[:MAX_HTML_ROWS]
    ]  # fmt: skip
    table = _table(("time", "kind", "account", "borrower", "loan", "message"), rows, frozenset())
    return summary + "\n<h3>Log</h3>\n" + table + _capped(len(records), "notices")


def _figure_html(fig: ReportFigure, *, first: bool) -> str:
    height = fig.figure.layout.height
    return str(
        fig.figure.to_html(
            full_html=False,
            include_plotlyjs=first,  # the whole plotly.js, once, before the first chart
            div_id=fig.div_id,
            config=_PLOT_CONFIG,
            default_height=f"{height}px" if height else "100%",
        )
    )


def render_html_report(result: ReplayResult) -> str:
    """The report page as text."""
    figures = report_figures(result)
    title = f"{result.book_name} under {result.scenario_name}"
    nav = " ".join(f'<a href="#sec-{f.div_id}">{escape(f.title)}</a>' for f in figures)
    sections = "\n".join(
        f'<section id="sec-{f.div_id}">\n<h2>{escape(f.title)}</h2>\n'
        f"{_figure_html(f, first=i == 0)}\n</section>"
        for i, f in enumerate(figures)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sparkprime replay: {escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Replay: {escape(title)}</h1>
{_summary(result)}
<nav>{nav} {_TABLE_LINKS}</nav>
{sections}
<section id="sec-liquidation-table">
<h2>Liquidations</h2>
{_liquidations(result)}
</section>
<section id="sec-notices">
<h2>Notices</h2>
{_notices(result)}
</section>
<p class="note">sparkprime replay {escape(result.run_id)}, seed {result.seed},
result schema {result.schema_version}. Amounts in USD; RFs as ratios.</p>
</body>
</html>
"""


def write_html_report(result: ReplayResult, path: str | os.PathLike[str]) -> Path:
    """Write the report for `result` to `path` (atomically); returns the path."""
    return write_text_atomic(path, render_html_report(result))
