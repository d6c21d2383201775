"""`sparkprime journal verify FILE` and `sparkprime journal replay FILE`.

Both open a SQLite journal of either state machine (`prime.book/1`, `sparklend.market/1`)
through `sim.facade_journal.check_journal`; `replay` also replays it from the genesis and
compares the states. Exit code 3 when the chain or the replay does not hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sparkprime.cli.common import EXIT_CORRUPT, JsonOption, handled, print_json, stdout_console
from sparkprime.sim.facade_journal import JournalCheck, check_journal

__all__ = ["app"]

app = typer.Typer(help="Verify and replay a journal (SQLite).")

FileArg = Annotated[Path, typer.Argument(help="A journal file (SQLite).")]


def _show(check: JournalCheck, json_out: bool) -> None:
    if json_out:
        print_json(check.to_json_value())
    else:
        table = Table(title=Text(f"Journal {check.file}"), show_header=False)
        table.add_column("", style="bold", no_wrap=True)
        table.add_column("", overflow="fold")
        table.add_row("state machine", check.state_machine)
        table.add_row("chain", "verified")
        table.add_row("head seq", str(check.head_seq))
        table.add_row("head hash", check.head_hash)
        table.add_row("state hash", check.state_hash)
        if check.replay_matches is not None:
            table.add_row("replay from genesis", "matches" if check.replay_matches else "DIFFERS")
        stdout_console().print(table)
    if check.replay_matches is False:
        raise typer.Exit(EXIT_CORRUPT)


@app.command()
@handled(journal=True)
def verify(file: FileArg, json_out: Annotated[bool, JsonOption] = False) -> None:
    """Verify the hash chain; print the head and the state hash."""
    _show(check_journal(file), json_out)


@app.command()
@handled(journal=True)
def replay(file: FileArg, json_out: Annotated[bool, JsonOption] = False) -> None:
    """Verify, then replay from the genesis and check the state matches."""
    _show(check_journal(file, replay=True), json_out)
