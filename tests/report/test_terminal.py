"""The terminal summary (report/terminal.py) and the number formats the reports share."""

from __future__ import annotations

import doctest
import io
from dataclasses import replace

import pytest
from rich.console import Console

from sparkprime.report import terminal
from sparkprime.report.fmt import ray_pct, rf, usd, utc, utc_short
from sparkprime.report.summary import ordered_statuses
from sparkprime.report.terminal import summary_renderable
from tests.report.sample import WAD, sample_result


def _text(renderable: object, width: int = 160) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(renderable)
    return buffer.getvalue()


def test_doctests() -> None:
    outcome = doctest.testmod(terminal)
    assert outcome.failed == 0
    assert outcome.attempted > 0


def test_summary_shows_the_figures_and_the_raw_names() -> None:
    text = _text(summary_renderable(sample_result()))
    # markup in a book name is printed as written, not read as Rich markup
    assert 'Fund <script>alert("x")</script> & [bold]co[/bold]' in text
    for line in (
        "bad debt                       \u2502 $12,345.67",
        "liquidation fees               \u2502 $2,000.00",
        "worst RF                       \u2502 0.9000 (acct-3 at 2024-03-09 18:00:00 UTC)",
        "peak funding used (of SLL max) \u2502 $10,000,000.00 of $50,000,000.00",
        "final status                   \u2502 healthy 5, liquidated 1",
    ):
        assert line in text, line
    assert "Worst liquidations (2 of 2)" in text
    worst_first = text.index("$12,345.67", text.index("Worst liquidations"))
    assert worst_first < text.index("$0.00", text.index("Worst liquidations"))


def test_no_liquidations_no_second_table() -> None:
    text = _text(summary_renderable(replace(sample_result(), liquidations=())))
    assert "Worst liquidations" not in text
    assert "Replay:" in text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "$0.00"),
        (5 * 10**15, "$0.01"),  # half a cent rounds away from zero
        (5 * 10**15 - 1, "$0.00"),
        (-5 * 10**15, "-$0.01"),
        (1_234_567 * WAD // 100, "$12,345.67"),
        (10**9 * WAD, "$1,000,000,000.00"),
    ],
)
def test_usd(amount: int, text: str) -> None:
    assert usd(amount) == text


def test_rf_pct_and_time() -> None:
    assert rf(None) == "\u2014"
    assert rf(WAD) == "1.0000"
    assert rf(115 * WAD // 100) == "1.1500"
    assert rf(99_995 * 10**13) == "1.0000"  # 0.99995 rounds up at four decimals
    assert rf(123_456 * 10**13, decimals=2) == "1.23"
    assert ray_pct(10**27) == "100.00%"
    assert ray_pct(3 * 10**25 + 5 * 10**22) == "3.01%"  # 3.005% rounds up
    assert utc(1_710_000_000) == "2024-03-09 16:00:00 UTC"


def test_statuses_follow_the_ladder() -> None:
    counts = {
        "zombie": 1, "reduce_only": 2, "healthy": 3, "closed": 4, "margin_call": 5,
        "liquidated": 6, "liquidation": 7, "a_status": 8,
    }  # fmt: skip
    assert ordered_statuses(counts) == (
        ("healthy", 3),
        ("margin_call", 5),
        ("reduce_only", 2),
        ("liquidation", 7),
        ("liquidated", 6),  # closed out: after the ladder, before the unknown ones
        ("a_status", 8),
        ("closed", 4),
        ("zombie", 1),
    )


def test_liquidations_table_short_times_no_wrapping() -> None:
    r = sample_result()
    text = _text(summary_renderable(r), width=terminal.NON_TTY_WIDTH)
    table = text[text.index("Worst liquidations") :]
    assert "time (UTC)" in table
    for x in r.liquidations:
        assert utc_short(x.ts_s) in table
        assert utc(x.ts_s) not in table
    assert utc_short(1_710_000_000) == "03-09 16:00"
    # one line per liquidation: nothing wraps at the non-terminal width
    rows = [line for line in table.splitlines() if "acct-" in line]
    assert len(rows) == len(r.liquidations)
    assert max(len(line) for line in text.splitlines()) <= terminal.NON_TTY_WIDTH


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_console_width_fixed_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert terminal.console_width(_Stream(tty=False)) == terminal.NON_TTY_WIDTH == 120
    assert terminal.console_width(_Stream(tty=True)) is None  # Rich measures the terminal
    monkeypatch.setenv("COLUMNS", "200")
    assert terminal.console_width(_Stream(tty=False)) is None  # the user's COLUMNS wins
