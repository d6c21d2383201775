"""`sparkprime presets list` and `sparkprime presets show NAME [--json]`.

The presets are data with their sources and dates; `show` prints one as JSON (exact ints,
dates as ISO text) or as tables: its top-level fields, then one table per list of records.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any, Final

import typer
from rich.table import Table
from rich.text import Text

from sparkprime.cli.common import JsonOption, handled, print_json, stdout_console
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.atlas_policy import atlas_policy_history
from sparkprime.presets.example_book import example_book, strategy_of
from sparkprime.presets.price_scenarios import list_price_scenarios, price_scenario
from sparkprime.presets.sll_limits import sll_limits_preset
from sparkprime.presets.sparklend_ethereum import sparklend_ethereum_preset

__all__ = ["PRESETS", "app", "plain"]

app = typer.Typer(help="The data presets: policy, limits, market, scenarios, example book.")
_MAX_COLUMNS: Final = 7


def plain(value: Any) -> Any:
    """A preset record as JSON values (dataclasses, mappings, dates, enums, Decimals)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _atlas() -> Any:
    return {"versions": plain(atlas_policy_history().versions)}


def _scenarios() -> Any:
    return {"scenarios": [plain(price_scenario(n)) for n in list_price_scenarios()]}


def _example_book() -> Any:
    book = example_book()
    by_strategy = Counter(str(strategy_of(a.account_id)) for a in book.accounts)
    return {
        "as_of": book.as_of.isoformat(),
        "pool": book.pool_id,
        "policy": book.policy.version,
        "borrowers": len(book.borrowers),
        "accounts": len(book.accounts),
        "positions": len(book.positions),
        "loans": len(book.loans),
        "sll_max_exposure_usd_wad": book.sll_max_exposure_usd_wad,
        "accounts_by_strategy": dict(sorted(by_strategy.items())),
        "warnings": list(book.warnings),
    }


PRESETS: Final[Mapping[str, tuple[str, Callable[[], Any]]]] = {
    "atlas_policy": ("the Atlas Spark Prime / Arkis policy, both dated versions", _atlas),
    "sll_limits": ("Spark Liquidity Layer limits (globals, instances)",
                   lambda: plain(sll_limits_preset())),
    "sparklend_ethereum": ("the SparkLend Ethereum market parameters",
                           lambda: plain(sparklend_ethereum_preset())),
    "price_scenarios": ("named historical price shocks with sources", _scenarios),
    "example_book": ("the shipped 200-borrower example prime book", _example_book),
}  # fmt: skip


@app.command("list")
@handled()
def list_presets(json_out: Annotated[bool, JsonOption] = False) -> None:
    """The presets' names and what each holds."""
    if json_out:
        print_json([{"name": n, "description": d} for n, (d, _) in PRESETS.items()])
        return
    table = Table(title="Presets (sparkprime presets show NAME)")
    table.add_column("name")
    table.add_column("holds")
    for name, (description, _) in PRESETS.items():
        table.add_row(name, description)
    stdout_console().print(table)


def _cell(value: Any) -> str:
    if isinstance(value, dict) and all(not isinstance(v, dict | list) for v in value.values()):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, dict | list):
        return f"({len(value)} items)"
    return "" if value is None else str(value)


def _tables(title: str, data: Mapping[str, Any]) -> list[Table]:
    head = Table(title=Text(title), show_header=False)
    head.add_column("", style="bold")
    head.add_column("")
    out = [head]
    for key, value in data.items():
        rows = value if isinstance(value, list) else None
        if rows and all(isinstance(r, dict) for r in rows):
            columns = [k for k, v in rows[0].items() if not isinstance(v, dict | list)]
            table = Table(title=Text(f"{title}: {key} ({len(rows)})"))
            for column in columns[:_MAX_COLUMNS]:
                table.add_column(column)
            for r in rows:
                table.add_row(*(Text(_cell(r.get(c))) for c in columns[:_MAX_COLUMNS]))
            out.append(table)
        else:
            head.add_row(key, Text(_cell(value)))
    return out


@app.command("show")
@handled()
def show(
    name: Annotated[str, typer.Argument(help="A preset name (sparkprime presets list).")],
    json_out: Annotated[bool, JsonOption] = False,
) -> None:
    """One preset's data."""
    entry = PRESETS.get(name)
    if entry is None:
        raise ProtocolError(
            ErrorCode.CLI_BAD_OPTION, option="NAME",
            reason=f"no preset {name!r}; known: {', '.join(PRESETS)}",
        )  # fmt: skip
    data = entry[1]()
    if json_out:
        print_json(data)
        return
    console = stdout_console()
    for table in _tables(name, data):
        console.print(table)
