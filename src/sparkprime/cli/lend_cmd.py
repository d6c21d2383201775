"""`sparkprime lend reserves|rates|health ADDRESS`: SparkLend market views.

The market is the Ethereum preset listed in a fresh market (`sim.facade_lend.preset_market`),
or, with `--journal FILE`, the market of a SparkLend journal (verified on open). `rates` adds
the borrow rate at the kink and, where a reserve has no borrows, a caption saying why its rates
read 0 (the strategy's base rate, not a missing SSR feed: `sim.facade_lend`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sparkprime.cli.common import JsonOption, handled, print_json, stdout_console
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.sparklend.market import SparkLendMarket
from sparkprime.report.fmt import ray_pct
from sparkprime.sim.facade_lend import (
    health_view,
    journal_market,
    preset_market,
    rate_views,
    reserve_views,
)

__all__ = ["ZERO_UTILIZATION_NOTE", "app"]

ZERO_UTILIZATION_NOTE = (
    "A reserve with no borrows (utilization 0) quotes its strategy's base rate: 0 for the SSR "
    "and LST kinks (DAI, USDC, USDS, USDT, WETH) whatever the SSR; that is what the contracts "
    "give, not a missing rate feed. 'borrow at kink' is the rate at the optimal utilization "
    "(base + slope1, slope1 read live from the SSR or LST source)."
)

app = typer.Typer(help="SparkLend market views (the Ethereum preset, or a journaled market).")

JournalOpt = Annotated[
    Path | None,
    typer.Option("--journal", help="A SparkLend journal (SQLite) instead of the preset."),
]


def _market(journal: Path | None) -> SparkLendMarket:
    if journal is None:
        return preset_market()
    if not journal.is_file():
        raise ProtocolError(ErrorCode.CLI_FILE_NOT_FOUND, file=str(journal))
    return journal_market(str(journal))


def _bps(value: int) -> str:
    return f"{value / 100:.2f}%"


@app.command()
@handled(journal=True)
def reserves(journal: JournalOpt = None, json_out: Annotated[bool, JsonOption] = False) -> None:
    """Each reserve's LTV, liquidation threshold and bonus, caps, eMode and flags."""
    rows = reserve_views(_market(journal))
    if json_out:
        print_json(rows)
        return
    table = Table(title="SparkLend reserves")
    for name in ("reserve", "LTV", "liq. threshold", "liq. bonus", "reserve factor",
                 "supply cap", "borrow cap", "eMode", "state"):  # fmt: skip
        table.add_column(name, justify="left" if name in ("reserve", "state") else "right")
    for r in rows:
        state = "paused" if r["paused"] else "frozen" if r["frozen"] else "active"
        table.add_row(
            Text(r["symbol"]), _bps(r["ltv_bps"]), _bps(r["liquidation_threshold_bps"]),
            _bps(r["liquidation_bonus_bps"]), _bps(r["reserve_factor_bps"]),
            f"{r['supply_cap']:,}" if r["supply_cap"] else "none",
            f"{r['borrow_cap']:,}" if r["borrow_cap"] else "none",
            str(r["emode_category"] or ""), state,
        )  # fmt: skip
    stdout_console().print(table)


@app.command()
@handled(journal=True)
def rates(journal: JournalOpt = None, json_out: Annotated[bool, JsonOption] = False) -> None:
    """Utilization and the supply and variable borrow rates of each reserve."""
    rows = rate_views(_market(journal))
    if json_out:
        print_json(rows)
        return
    table = Table(title="SparkLend rates (annual)")
    for name in ("reserve", "utilization", "supply rate", "borrow rate",
                 "strategy supply", "strategy borrow", "borrow at kink"):  # fmt: skip
        table.add_column(name, justify="left" if name == "reserve" else "right")
    for r in rows:
        kink = r["kink_variable_borrow_rate_ray"]
        table.add_row(
            Text(r["symbol"]), ray_pct(r["utilization_ray"]), ray_pct(r["supply_rate_ray"]),
            ray_pct(r["variable_borrow_rate_ray"]), ray_pct(r["strategy_supply_rate_ray"]),
            ray_pct(r["strategy_variable_borrow_rate_ray"]),
            "\u2014" if kink is None else ray_pct(kink),
        )  # fmt: skip
    if any(r["utilization_ray"] == 0 for r in rows):
        table.caption = ZERO_UTILIZATION_NOTE
    stdout_console().print(table)


@app.command()
@handled(journal=True)
def health(
    address: Annotated[str, typer.Argument(help="The user's address (0x + 40 hex digits).")],
    journal: JournalOpt = None,
    json_out: Annotated[bool, JsonOption] = False,
) -> None:
    """A user's collateral, debt and health factor."""
    view = health_view(_market(journal), address)
    if json_out:
        print_json(view)
        return
    console = stdout_console()
    if not view["has_position"]:
        console.print(Text(f"{view['user']} has no position in this market."))
        return
    table = Table(title=Text(f"SparkLend account {view['user']}"), show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    hf = view["health_factor_wad"]
    table.add_row("collateral (USD)", f"{view['total_collateral_usd_e8'] / 10**8:,.2f}")
    table.add_row("debt (USD)", f"{view['total_debt_usd_e8'] / 10**8:,.2f}")
    table.add_row("available borrows (USD)", f"{view['available_borrows_usd_e8'] / 10**8:,.2f}")
    table.add_row("health factor", "no debt" if hf is None else f"{hf / 10**18:.4f}")
    console.print(table)
