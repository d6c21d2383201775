"""Reports of a replay: a self-contained HTML file (Plotly), a Rich terminal summary, JSON.

`report.html.write_html_report`, `report.terminal.summary_renderable` and
`report.json_out.write_json_result` each take a `sim.result.ReplayResult`; the files are
written atomically (a temporary file renamed into place), so a reader never sees half a file.
"""

from __future__ import annotations

from sparkprime.report.html import write_html_report
from sparkprime.report.json_out import read_json_result, write_json_result
from sparkprime.report.terminal import summary_renderable

__all__ = [
    "read_json_result",
    "summary_renderable",
    "write_html_report",
    "write_json_result",
]
