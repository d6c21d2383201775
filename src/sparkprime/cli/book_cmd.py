"""`sparkprime margin BOOK` and `sparkprime whatif BOOK --account ID ...`.

Both read a book file (`presets.book_file`) and call the book facade (`sim.facade`); the
tables here only format its answer.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sparkprime.cli.common import JsonOption, handled, print_json, stdout_console
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.book_file import load_book_file, ts_of
from sparkprime.report.fmt import rf as fmt_rf
from sparkprime.report.fmt import usd
from sparkprime.sim.facade import (
    account_what_if,
    book_margin,
    borrow_units,
    position_spec,
    require_account,
    what_if_json,
    withdraw_spec,
)

__all__ = ["margin", "whatif"]

BookArg = Annotated[Path, typer.Argument(help="A book file (YAML, presets.book_file format).")]


def _as_of(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return ts_of(datetime.date.fromisoformat(text))
    except ValueError:
        raise ProtocolError(
            ErrorCode.CLI_BAD_OPTION, option="--as-of", reason=f"{text!r} is not YYYY-MM-DD"
        ) from None


@handled()
def margin(
    book: BookArg,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD).")] = None,
    json_out: Annotated[bool, JsonOption] = False,
) -> None:
    """One margin snapshot of the book: every account's RF and status, and the book limits."""
    loaded = load_book_file(book)
    view = book_margin(loaded, now_ts_s=_as_of(as_of))
    if json_out:
        print_json(view.to_json_value())
        return
    console = stdout_console()
    table = Table(title=Text(f"Margin of {book.name} ({view.policy_version})"))
    for name in ("account", "borrower", "RF", "status", "STPV", "borrowed", "binding"):
        right = name in ("RF", "STPV", "borrowed")
        table.add_column(name, justify="right" if right else "left", no_wrap=name != "binding")
    for a in view.accounts:
        table.add_row(
            Text(a.account_id), Text(a.borrower_id), fmt_rf(a.rf_wad), a.status,
            usd(a.stpv_usd_wad), usd(a.borrowed_usd_wad), a.binding_scenario,
        )  # fmt: skip
    console.print(table)
    limits = Table(title="Book limits")
    for name in ("limit", "value", "cap", "ok"):
        limits.add_column(name, justify="left" if name == "limit" else "right")
    for c in view.limits:
        limits.add_row(Text(c.name), usd(c.curr_usd_wad), usd(c.limit_usd_wad),
                       "yes" if c.ok else "[bold red]NO[/]")  # fmt: skip
    console.print(limits)
    for warning in view.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))


@handled()
def whatif(  # noqa: PLR0917 - Typer passes options as parameters
    book: BookArg,
    account: Annotated[str, typer.Option("--account", help="The account id.")],
    add_position: Annotated[
        list[str] | None,
        typer.Option(
            "--add-position",
            help="id=..,venue=..,kind=spot|perp,symbol=..,qty=..[,entry_price_usd=..]",
        ),
    ] = None,
    remove_position: Annotated[
        list[str] | None, typer.Option("--remove-position", help="A position id to remove.")
    ] = None,
    borrow: Annotated[
        str | None, typer.Option("--borrow", help="Borrow more, in whole pool-asset units.")
    ] = None,
    withdraw: Annotated[
        list[str] | None,
        typer.Option("--withdraw", help="POSITION_ID=QTY of a spot position, whole tokens."),
    ] = None,
    json_out: Annotated[bool, JsonOption] = False,
) -> None:
    """An account's RF and status after hypothetical changes, and its borrow headroom."""
    loaded = load_book_file(book)
    require_account(loaded, account, source=str(book))
    adds = [position_spec(loaded, account, s) for s in add_position or ()]
    pulls = dict(withdraw_spec(loaded, account, s) for s in withdraw or ())
    extra = borrow_units(loaded, account, borrow) if borrow is not None else 0
    result = account_what_if(
        loaded, account, add=adds, remove=remove_position or (), withdraw=pulls or None,
        borrow=extra,
    )  # fmt: skip
    answer = what_if_json(account, result)
    if json_out:
        print_json(answer)
        return
    table = Table(title=Text(f"What if: {account}"), show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("RF now", f"{fmt_rf(answer['curr_rf_wad'])} ({answer['curr_status']})")
    table.add_row("RF after", f"{fmt_rf(answer['next_rf_wad'])} ({answer['next_status']})")
    table.add_row("STPV after", usd(answer["next_stpv_usd_wad"]))
    table.add_row("borrowed after", usd(answer["next_borrowed_usd_wad"]))
    table.add_row("max extra borrow", usd(answer["max_extra_borrow_usd_wad"]))
    if answer["withdraw_allowed"] is not None:
        table.add_row("withdrawal allowed", "yes" if answer["withdraw_allowed"] else "no")
    stdout_console().print(table)
