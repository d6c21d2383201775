"""The HTML report: one self-contained file, escaped, deterministic, atomic, and it renders.

The browser test opens the report in Debian's headless Chromium (driven by Playwright, which
downloads no browser) and checks that every chart renders with no script error and no network
request. Without /usr/bin/chromium it is skipped, unless SPARKPRIME_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import doctest
import importlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.report import figures, files, fmt, html, summary
from sparkprime.report.figures import FIGURE_IDS
from sparkprime.report.html import render_html_report, write_html_report
from sparkprime.sim.result import ReplayResult, ResultSummary
from tests.report.sample import BOOK, sample_result

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Route

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RENDER_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def report_page() -> str:
    return render_html_report(sample_result())


def test_doctests() -> None:
    for module in (figures, files, fmt, html, summary):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__


# --- the file ------------------------------------------------------------------------------


def test_every_chart_has_its_div(report_page: str) -> None:
    for div_id in FIGURE_IDS:
        assert report_page.count(f'<div id="{div_id}" class="plotly-graph-div"') == 1, div_id
        assert f'Plotly.newPlot(                        "{div_id}"' in report_page, div_id
    assert report_page.count("Plotly.newPlot(") == len(FIGURE_IDS) == 8


def test_self_contained_no_external_script(report_page: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc\s*=", report_page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", report_page, re.IGNORECASE)
    assert '<script src="http' not in report_page
    # plotly.js itself is inlined exactly once, before the first chart
    assert report_page.count("* plotly.js v") == 1
    assert report_page.index("* plotly.js v") < report_page.index('<div id="rf-fan"')


def test_input_strings_are_escaped(report_page: str) -> None:
    assert '<script>alert("x")</script>' not in report_page
    assert "Fund &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; [bold]co[/bold]" in (
        report_page
    )
    assert "<b>12,345.67</b>" not in report_page  # a notice's message
    assert "shortfall &lt;b&gt;12,345.67&lt;/b&gt;" in report_page


def test_summary_and_tables_show_exact_figures(report_page: str) -> None:
    # bad debt 1_234_567 * 10**16 wad = $12,345.67; fees 2_000 USD; worst RF 0.9
    assert "<th>bad debt</th><td>$12,345.67</td>" in report_page
    assert "<th>liquidation fees</th><td>$2,000.00</td>" in report_page
    assert "<th>worst RF</th><td>0.9000 (acct-3 at 2024-03-09 18:00:00 UTC)</td>" in report_page
    assert "<th>steps</th><td>6 \u00d7 3600 s</td>" in report_page
    assert "<th>final status</th><td>healthy 5, liquidated 1</td>" in report_page
    # the second liquidation: proceeds 589,654.33, bad debt 12,345.67, no RF after
    assert (
        '<td class="num">$589,654.33</td><td class="num">$589,154.33</td>'
        '<td class="num">$500.00</td><td class="num">$12,345.67</td>'
        '<td class="num">0.9600</td><td class="num">\u2014</td>'
    ) in report_page


def test_deterministic_bytes(tmp_path: Path) -> None:
    a = write_html_report(sample_result(), tmp_path / "a.html").read_bytes()
    b = write_html_report(sample_result(), tmp_path / "b.html").read_bytes()
    assert a == b
    other = write_html_report(sample_result(book_name="other"), tmp_path / "c.html")
    assert other.read_bytes() != a


def test_empty_result_renders_every_chart_with_a_note(tmp_path: Path) -> None:
    empty = ReplayResult(run_id="r", book_name="b", scenario_name="s", seed=0, started_ts_s=0,
                         step_s=60, thresholds=None, steps=(),
                         summary=ResultSummary.empty())  # fmt: skip
    page = write_html_report(empty, tmp_path / "e.html").read_text()
    assert page.count("Plotly.newPlot(") == len(FIGURE_IDS)
    assert "no account owed anything: no RF to show" in page
    assert "No liquidations." in page
    assert "No notices." in page


def test_write_is_atomic_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("the previous report")

    def refuse(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ProtocolError) as err:
        write_html_report(sample_result(), target)
    assert err.value.code is ErrorCode.REPORT_WRITE_FAILED
    assert "No space left on device" in str(err.value)
    assert target.read_text() == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temp file left


def test_write_into_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError) as err:
        write_html_report(sample_result(), tmp_path / "missing" / "r.html")
    assert err.value.code is ErrorCode.REPORT_WRITE_FAILED
    assert err.value.context["path"] == str(tmp_path / "missing" / "r.html")
    assert not (tmp_path / "missing").exists()


def test_write_leaves_only_the_report(tmp_path: Path) -> None:
    path = write_html_report(sample_result(), tmp_path / "r.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
    assert path.stat().st_mode & 0o777 == 0o644
    assert path.read_text().endswith("</html>\n")


# --- the browser ---------------------------------------------------------------------------


def _need_browser() -> Any:
    """Playwright's sync API when Chromium is there; else skip (or fail, when required)."""
    required = os.environ.get("SPARKPRIME_REQUIRE_BROWSER") == "1"
    if not CHROMIUM.exists():
        reason = (
            "no Chromium at /usr/bin/chromium: install Debian's chromium package (.ci/run does)"
        )
        if required:
            pytest.fail(f"SPARKPRIME_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    try:
        return importlib.import_module("playwright.sync_api")
    except ImportError as exc:
        if required:
            pytest.fail(f"SPARKPRIME_REQUIRE_BROWSER=1 but playwright is not installed: {exc}")
        pytest.skip(f"playwright is not installed (requirements.lock has it): {exc}")


def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    sync_api = _need_browser()
    path = write_html_report(sample_result(), tmp_path / "report.html")
    errors: list[str] = []
    outside: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))

            def on_console(msg: ConsoleMessage) -> None:
                if msg.type in ("error", "assert"):
                    errors.append(f"console.{msg.type}: {msg.text}")

            def only_the_file(route: Route) -> None:
                if route.request.url.startswith("file://"):
                    route.continue_()
                else:  # the report must need nothing from the network
                    outside.append(route.request.url)
                    route.abort()

            page.on("console", on_console)
            page.route("**/*", only_the_file)
            page.goto(path.as_uri(), wait_until="load")
            rendered = (
                "Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".filter(d => d.querySelector('.main-svg')).length"
            )
            page.wait_for_function(f"{rendered} === {len(FIGURE_IDS)}", timeout=RENDER_TIMEOUT_MS)
            ids = page.evaluate(
                "Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => d.id)"
            )
            # the RF fan: three bands of two traces each, the median; 3 rung lines as shapes
            fan = page.evaluate(
                "(() => { const d = document.getElementById('rf-fan');"
                " return [d.data.length, d.layout.shapes.length,"
                " d.querySelectorAll('.scatterlayer .trace').length]; })()"
            )
            title = page.title()
        finally:
            browser.close()
    assert errors == []
    assert outside == []
    assert tuple(ids) == FIGURE_IDS
    assert fan == [7, 3, 7]
    assert title == f"sparkprime replay: {BOOK} under ETH -17% (2024-08-05)"
