"""`sparkprime run BOOK --scenario S` and `sparkprime demo`: a stress replay and its reports.

A run loads the book (`presets.book_file`), resolves the price path
(`sim.replay_inputs.resolve_scenario`: a named historical shock, `synthetic:gbm|crash`, or
`--prices FILE`), replays it (`sim.replay.run_replay`, journaled to SQLite) with a progress
bar, then writes the HTML report, the JSON result and the journal. Every file is staged in a
temporary folder and moved into `--out` only when all of them are written
(`cli.common.staged`), so a failed run leaves nothing behind.

`demo` is `run` on the shipped 200-borrower example book through `DEMO_SCENARIO`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from sparkprime.cli.common import handled, print_json, staged, stderr_console, stdout_console
from sparkprime.presets.book_file import BookFile, load_book_file
from sparkprime.presets.example_book import example_book
from sparkprime.report.html import write_html_report
from sparkprime.report.json_out import write_json_result
from sparkprime.report.terminal import summary_renderable
from sparkprime.sim.result import ReplayResult

__all__ = ["DEMO_OUT", "DEMO_SCENARIO", "OUTPUT_FILES", "demo", "run"]

# 2020-03-12: ETH -43 % in a day; the most instructive of the shipped shocks for the example
# book (margin calls, liquidations and bad debt; 2025-10-10 gives one margin call).
DEMO_SCENARIO: Final = "black_thursday_2020"
DEMO_OUT: Final = Path("sparkprime-demo")
OUTPUT_FILES: Final = {
    "report": "report.html",
    "result": "result.json",
    "journal": "journal.db",  # the prime book's
    "sparklend": "journal.sparklend.db",  # the SparkLend market's (sim.replay names it)
}


def replay_to(
    book: BookFile,
    book_name: str,
    scenario: str,
    out: Path,
    *,
    steps: int | None,
    step_s: int | None,
    seed: int,
    progress: bool,
) -> tuple[ReplayResult, dict[str, Path]]:
    """Replay `book` through `scenario`, writing report, result and journal into `out`."""
    # Imported here: the replay is heavy, and the other commands do not need it.
    from sparkprime.sim.replay import ReplayOptions, run_replay  # noqa: PLC0415
    from sparkprime.sim.replay_inputs import resolve_scenario  # noqa: PLC0415

    final = {kind: (out / name).resolve() for kind, name in OUTPUT_FILES.items()}
    sizing: dict[str, int] = {} if steps is None else {"steps": steps}
    path = resolve_scenario(scenario, book, seed=seed, step_s=step_s, **sizing)
    with staged(out) as tmp:
        journal = tmp / OUTPUT_FILES["journal"]
        bar = Progress(
            TextColumn("[bold]replaying[/] {task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(), console=stderr_console(),
            disable=not progress, transient=False,
        )  # fmt: skip
        with bar:
            task = bar.add_task(Text(scenario).plain, total=path.steps)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = run_replay(
                book, path, journal_path=journal, seed=seed, step_callback=advance,
                options=ReplayOptions(book_name=book_name, scenario_name=scenario),
            )  # fmt: skip
        # The journal moves into `out`: the result names where it will be.
        result = dataclasses.replace(result, journal_path=str(final["journal"]))
        write_html_report(result, tmp / OUTPUT_FILES["report"])
        write_json_result(result, tmp / OUTPUT_FILES["result"])
    return result, final


def _finish(result: ReplayResult, files: dict[str, Path], json_out: bool) -> None:
    if json_out:
        print_json(
            {"result": result.to_json_value(), "files": {k: str(v) for k, v in files.items()}}
        )
        return
    console = stdout_console()
    console.print(summary_renderable(result))
    for kind, file in files.items():
        console.print(Text(f"{kind:>8}: {file}"))


@handled()
def run(  # noqa: PLR0917 - Typer passes options as parameters
    book: Annotated[Path, typer.Argument(help="A book file (YAML, presets.book_file format).")],
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="A scenario name, synthetic:gbm or synthetic:crash."),
    ] = None,
    prices: Annotated[
        Path | None, typer.Option("--prices", help="A price file (CSV or Parquet) instead.")
    ] = None,
    steps: Annotated[int | None, typer.Option("--steps", help="Time steps.")] = None,
    step_s: Annotated[int | None, typer.Option("--step-s", help="Seconds per step.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed (synthetic paths).")] = 0,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("sparkprime-run"),
    json_out: Annotated[bool, typer.Option("--json", help="Print the result JSON only.")] = False,
) -> None:
    """Replay a book through a price scenario; write the report, result and journal."""
    if (scenario is None) == (prices is None):
        raise _one_of()
    loaded = load_book_file(book)
    spec = str(prices) if prices is not None else str(scenario)
    result, files = replay_to(
        loaded, book.stem, spec, out, steps=steps, step_s=step_s, seed=seed,
        progress=not json_out,
    )  # fmt: skip
    _finish(result, files, json_out)


def _one_of() -> Exception:
    from sparkprime.core.errors import ErrorCode, ProtocolError  # noqa: PLC0415

    return ProtocolError(
        ErrorCode.CLI_BAD_OPTION, option="--scenario/--prices", reason="give exactly one"
    )


@handled()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = DEMO_OUT,
    steps: Annotated[int | None, typer.Option("--steps", help="Time steps.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result JSON only.")] = False,
) -> None:
    """The example book (200 borrowers) through Black Thursday 2020: every output."""
    result, files = replay_to(
        example_book(), "example_book", DEMO_SCENARIO, out, steps=steps, step_s=None, seed=0,
        progress=not json_out,
    )  # fmt: skip
    _finish(result, files, json_out)
