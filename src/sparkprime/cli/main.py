"""The `sparkprime` command (Typer + Rich): one sub-command per job, no business logic.

    sparkprime demo [--out DIR]
    sparkprime run BOOK --scenario S | --prices FILE [--steps N] [--step-s S] [--seed N]
    sparkprime margin BOOK [--as-of DATE]
    sparkprime whatif BOOK --account ID [--add-position ...] [--remove-position ID]
                                        [--borrow USD] [--withdraw POS=QTY]
    sparkprime lend reserves | rates | health ADDRESS [--journal FILE]
    sparkprime presets list | show NAME
    sparkprime journal verify FILE | replay FILE

Every command takes `--json` (JSON only, on stdout). Exit codes: 0 ok, 2 bad input (one line
on stderr naming the file, line and field), 3 a journal that fails verification, 1 anything
else (`cli.common`).
"""

from __future__ import annotations

import typer

from sparkprime.cli import book_cmd, journal_cmd, lend_cmd, presets_cmd, run_cmd

__all__ = ["app", "main"]

app = typer.Typer(
    name="sparkprime",
    help="sparkprime: prime brokerage on exact Spark protocol models (margin, stress, journal).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("demo")(run_cmd.demo)
app.command("run")(run_cmd.run)
app.command("margin")(book_cmd.margin)
app.command("whatif")(book_cmd.whatif)
app.add_typer(lend_cmd.app, name="lend")
app.add_typer(presets_cmd.app, name="presets")
app.add_typer(journal_cmd.app, name="journal")


def main() -> None:
    """The console script's entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover - `python -m sparkprime.cli.main`
    main()
