"""What every `sparkprime` command shares: output, error messages, exit codes, staged files.

Exit codes: 0 ok; 2 bad input (a book, price or journal file, a scenario name or an option
the command refuses: ONE line on stderr naming the file, the line and the field); 3 a journal
that fails verification or replay; 1 anything unexpected. `--json` prints JSON only, on
stdout; tables, progress and messages otherwise (progress and errors on stderr).

Files are staged: `staged(out_dir)` gives a fresh temporary folder beside `out_dir`, and
only when the command succeeds are its files moved into `out_dir` (each with an atomic
rename); on any error the folder is removed, so nothing half-written is left.

Example:
    >>> from sparkprime.core.errors import ErrorCode, ProtocolError
    >>> err = ProtocolError(ErrorCode.PRICE_FILE_INVALID, file="p.csv", where="line 3",
    ...                     field="BTC", reason="-1 must be a positive price")
    >>> one_line(err), exit_code(err)
    ('p.csv:3: BTC: -1 must be a positive price', 2)
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, ParamSpec, TypeVar

import typer
from rich.console import Console

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.report.terminal import console_width

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_CORRUPT",
    "EXIT_UNEXPECTED",
    "JsonOption",
    "exit_code",
    "handled",
    "one_line",
    "print_json",
    "staged",
    "stderr_console",
    "stdout_console",
]

EXIT_UNEXPECTED: Final = 1
EXIT_BAD_INPUT: Final = 2
EXIT_CORRUPT: Final = 3

_INPUT_PREFIXES: Final = ("BOOK_FILE_", "PRICE_", "CLI_")
# The replay's refusals of its inputs (sim.replay*), by name.
_INPUT_NAMES: Final = frozenset(
    {"REPLAY_BAD_SCENARIO", "REPLAY_INVALID_OPTION", "REPLAY_SETUP_REFUSED"}
)
_INPUT_CODES: Final = frozenset({
    ErrorCode.PRIME_INVALID_WHAT_IF, ErrorCode.PRIME_INVALID_POSITION, ErrorCode.RESULT_INVALID,
    ErrorCode.RESULT_SCHEMA_VERSION,
})  # fmt: skip
_CORRUPT_CODES: Final = frozenset({
    ErrorCode.JOURNAL_CORRUPT, ErrorCode.SNAPSHOT_CORRUPT, ErrorCode.JOURNAL_SCHEMA_TOO_NEW,
    ErrorCode.JOURNAL_SCHEMA_TOO_OLD, ErrorCode.JOURNAL_STATE_MACHINE_MISMATCH,
    ErrorCode.JOURNAL_UNAVAILABLE, ErrorCode.JOURNAL_UNKNOWN_MACHINE,
})  # fmt: skip

JsonOption = typer.Option("--json", help="Print machine-readable JSON only (stdout).")

P = ParamSpec("P")
R = TypeVar("R")


def stdout_console() -> Console:
    """Rich on stdout (tables); a fixed width when stdout is not a terminal
    (`report.terminal.console_width`)."""
    return Console(highlight=False, width=console_width())


def stderr_console() -> Console:
    """Rich on stderr (progress, notes), so stdout stays parseable."""
    return Console(stderr=True, highlight=False)


def print_json(value: Any) -> None:
    """`value` as JSON on stdout (ints exact, keys sorted), one document."""
    sys.stdout.write(json.dumps(value, sort_keys=True, indent=2) + "\n")
    sys.stdout.flush()


def exit_code(exc: BaseException, *, journal: bool = False) -> int:
    """The exit code for `exc` (module docstring); `journal`: a failed replay is corruption."""
    if isinstance(exc, InvariantViolation):
        return EXIT_CORRUPT if journal else EXIT_UNEXPECTED
    if isinstance(exc, ProtocolError):
        if exc.code in _CORRUPT_CODES:
            return EXIT_CORRUPT
        name = exc.code.name
        if exc.code in _INPUT_CODES or name in _INPUT_NAMES or name.startswith(_INPUT_PREFIXES):
            return EXIT_BAD_INPUT
    return EXIT_UNEXPECTED


def one_line(exc: BaseException) -> str:
    """The error as one line; a price file's `file, line N, field` as `file:N: field`."""
    if isinstance(exc, ProtocolError) and exc.code is ErrorCode.PRICE_FILE_INVALID:
        c = exc.context
        where = str(c.get("where", ""))
        place = where.removeprefix("line ") if where.startswith("line ") else where
        text = f"{c.get('file')}:{place}: {c.get('field')}: {c.get('reason')}"
    elif isinstance(exc, ProtocolError):
        text = exc.message
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())


def handled(*, journal: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn errors into one stderr line and the exit code (module docstring)."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except (typer.Exit, typer.Abort, KeyboardInterrupt):
                raise
            except Exception as exc:  # every failure leaves as one line and a code
                code = exit_code(exc, journal=journal)
                prefix = "" if code == EXIT_BAD_INPUT else "sparkprime: error: "
                sys.stderr.write(prefix + one_line(exc) + "\n")
                raise typer.Exit(code) from None

        return run

    return wrap


@contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """A temporary folder whose files move into `out_dir` only if the block succeeds."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        yield tmp
        out_dir.mkdir(exist_ok=True)
        for item in sorted(tmp.iterdir()):
            item.replace(out_dir / item.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
