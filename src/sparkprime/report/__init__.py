"""Reports of a replay: a self-contained HTML file (Plotly), a Rich terminal summary, JSON.

`report.html.write_html_report`, `report.terminal.summary_renderable` and
`report.json_out.write_json_result` each take a `sim.result.ReplayResult`; the files are
written atomically (a temporary file renamed into place), so a reader never sees half a file.
"""

__all__: list[str] = []
