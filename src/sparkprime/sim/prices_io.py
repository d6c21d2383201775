"""The user's own prices (`--prices FILE`): CSV or Parquet, long or wide, into a `PricePath`.

Two layouts, in either format (Parquet is read with pyarrow; a `.parquet` or `.pq` suffix
picks it, anything else is read as CSV):

- long: columns `timestamp,asset,close_usd`, one price per row (the layout of
  /work/shared/data/prices); rows may come in any asset order, but each asset's times must
  strictly increase;
- wide: `timestamp,BTC,ETH,...`, one row per time, strictly increasing; an empty cell is a
  missing price.

Times are unix seconds (an integer) or ISO 8601 (`2024-08-05T13:00:00Z`; without a zone it is
UTC). The time column may be called `date` instead, as in the shared daily file; there a
plain date D means that day's close, at D+1 00:00 UTC (the convention of its SOURCES.md),
while a plain date in a `timestamp` column means 00:00 UTC of that date.

The path spans the times where every asset has a price (from the latest first price to the
earliest last one); a missing price inside that span keeps the asset's last close (a close
holds until the next one).

Every problem is one `PriceFileError` naming the file, the place (`line N` of the CSV, the
header being line 1; `row N` of a Parquet file, data rows counted from 1) and the field.

Example:
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = f.write_text("timestamp,BTC\\n0,100\\n3600,-1\\n")
    >>> try:
    ...     load_prices(f)
    ... except PriceFileError as e:
    ...     print(e.message.replace(str(f), "p.csv"))
    p.csv, line 3, BTC: -1 must be a positive price
"""

from __future__ import annotations

import csv
import datetime
import math
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow.parquet as pq

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.sim.paths import PricePath

__all__ = ["PriceFileError", "load_prices"]

_TIME_COLUMNS: Final = ("timestamp", "date")
_PARQUET_SUFFIXES: Final = (".parquet", ".pq")
_UNIX: Final = re.compile(r"[+-]?\d+")
_DAY_S: Final = 86_400


class PriceFileError(ProtocolError):
    """A price file problem: `file, where, field: reason` on one line (`PRICE_FILE_INVALID`)."""

    def __init__(self, file: str, where: str, field: str, reason: str) -> None:
        super().__init__(
            ErrorCode.PRICE_FILE_INVALID, file=file, where=where, field=field, reason=reason
        )

    def __reduce__(self) -> tuple[Any, ...]:
        c = self.context
        return (PriceFileError, (c["file"], c["where"], c["field"], c["reason"]))


class _Source:
    """Rows with their place in the file, for error messages."""

    def __init__(
        self, file: str, header: list[str], rows: Iterator[tuple[str, list[Any]]], header_at: str
    ) -> None:
        self.file = file
        self.header = header
        self.rows = rows
        self.header_at = header_at

    def error(self, where: str, field: str, reason: str) -> PriceFileError:
        return PriceFileError(self.file, where, field, reason)


def _csv_source(path: Path, file: str) -> _Source:
    # Read eagerly inside `with`: an error at any point leaves no open file behind.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        rows = [(f"line {reader.line_num}", list(c)) for c in reader if c]  # skip blank lines
    if header is None:
        raise PriceFileError(file, "line 1", "header", "the file is empty")
    return _Source(file, [h.strip() for h in header], iter(rows), "line 1")


def _parquet_source(path: Path, file: str) -> _Source:
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise PriceFileError(
            file, "header", "file", f"not a readable Parquet file ({exc})"
        ) from None
    header = [str(n) for n in table.column_names]
    columns = [table.column(i).to_pylist() for i in range(len(header))]

    def rows() -> Iterator[tuple[str, list[Any]]]:
        for i in range(table.num_rows):
            yield f"row {i + 1}", [col[i] for col in columns]

    return _Source(file, header, rows(), "header")


def _time(src: _Source, where: str, column: str, raw: object) -> int:
    if isinstance(raw, datetime.datetime):
        moment = raw if raw.tzinfo else raw.replace(tzinfo=datetime.UTC)
    elif isinstance(raw, datetime.date):
        moment = datetime.datetime(raw.year, raw.month, raw.day, tzinfo=datetime.UTC)
        return int(moment.timestamp()) + (_DAY_S if column == "date" else 0)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    elif isinstance(raw, str) and _UNIX.fullmatch(raw.strip()):
        return int(raw.strip())
    elif isinstance(raw, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
        return _time(src, where, column, datetime.date.fromisoformat(raw.strip()))
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(raw).strip())
        except ValueError:
            raise src.error(
                where, column, f"{raw!r} is not an ISO 8601 time or unix seconds"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
    if moment.microsecond:
        raise src.error(where, column, f"{raw!r} is not a whole second")
    return int(moment.timestamp())


def _price(src: _Source, where: str, field: str, raw: object) -> float:
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(raw.strip()) if isinstance(raw, str) else float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise src.error(where, field, f"{raw!r} is not a number") from None
    if not math.isfinite(value):
        raise src.error(where, field, f"{raw!r} is not a number")
    if value <= 0:
        text = raw.strip() if isinstance(raw, str) else raw
        raise src.error(where, field, f"{text} must be a positive price")
    return value


def _column(src: _Source, names: Sequence[str]) -> int:
    for name in names:
        if name in src.header:
            return src.header.index(name)
    raise src.error(src.header_at, names[0], "missing column")


def _check_symbol(
    src: _Source, where: str, field: str, symbol: str, known: Collection[str] | None
) -> None:
    if not symbol:
        raise src.error(where, field, "empty asset symbol")
    if known is not None and symbol not in known:
        raise src.error(where, field, f"unknown asset {symbol!r}")


def _series_long(src: _Source, known: Collection[str] | None) -> dict[str, dict[int, float]]:
    t_col = _column(src, _TIME_COLUMNS)
    a_col = _column(src, ("asset",))
    p_col = _column(src, ("close_usd",))
    t_name = src.header[t_col]
    series: dict[str, dict[int, float]] = {}
    last: dict[str, tuple[int, object]] = {}
    for where, cells in src.rows:
        if len(cells) != len(src.header):
            raise src.error(
                where, "row", f"has {len(cells)} cells, the header has {len(src.header)}"
            )
        symbol = str(cells[a_col] or "").strip()
        _check_symbol(src, where, "asset", symbol, known)
        ts = _time(src, where, t_name, cells[t_col])
        price = _price(src, where, "close_usd", cells[p_col])
        if symbol in last:
            prev_ts, prev_raw = last[symbol]
            if ts == prev_ts:
                raise src.error(where, t_name, f"duplicate time {cells[t_col]} for {symbol}")
            if ts < prev_ts:
                raise src.error(
                    where,
                    t_name,
                    f"{cells[t_col]} is before {prev_raw} for {symbol} (not increasing)",
                )
        last[symbol] = (ts, cells[t_col])
        series.setdefault(symbol, {})[ts] = price
    return series


def _series_wide(src: _Source, known: Collection[str] | None) -> dict[str, dict[int, float]]:
    t_col = _column(src, _TIME_COLUMNS)
    t_name = src.header[t_col]
    symbols = [(i, name) for i, name in enumerate(src.header) if i != t_col]
    if not symbols:
        raise src.error(src.header_at, "asset", "missing column: no asset column")
    seen: set[str] = set()
    for _, name in symbols:
        _check_symbol(src, src.header_at, name or "asset", name, known)
        if name in seen:
            raise src.error(src.header_at, name, "duplicate column")
        seen.add(name)
    series: dict[str, dict[int, float]] = {name: {} for _, name in symbols}
    prev: tuple[int, object] | None = None
    for where, cells in src.rows:
        if len(cells) != len(src.header):
            raise src.error(
                where, "row", f"has {len(cells)} cells, the header has {len(src.header)}"
            )
        ts = _time(src, where, t_name, cells[t_col])
        if prev is not None and ts == prev[0]:
            raise src.error(where, t_name, f"duplicate time {cells[t_col]}")
        if prev is not None and ts < prev[0]:
            raise src.error(where, t_name, f"{cells[t_col]} is before {prev[1]} (not increasing)")
        prev = (ts, cells[t_col])
        for i, name in symbols:
            raw = cells[i]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue  # a missing price
            series[name][ts] = _price(src, where, name, raw)
    return series


def load_prices(path: str | Path, *, known_symbols: Collection[str] | None = None) -> PricePath:
    """Read a price file (see the module docstring) into a `PricePath` of unix seconds."""
    p = Path(path)
    file = str(path)
    if not p.is_file():
        raise PriceFileError(file, "line 1", "file", "no such file")
    parquet = p.suffix.lower() in _PARQUET_SUFFIXES
    src = _parquet_source(p, file) if parquet else _csv_source(p, file)
    long = "asset" in src.header or "close_usd" in src.header
    series = _series_long(src, known_symbols) if long else _series_wide(src, known_symbols)
    for symbol, points in series.items():
        if not points:
            raise src.error(src.header_at, symbol, "no price in the file")
    if not series:
        raise src.error(src.header_at, "close_usd", "the file has no price rows")
    first = max(series, key=lambda s: min(series[s]))
    last = min(series, key=lambda s: max(series[s]))
    start, end = min(series[first]), max(series[last])
    if end < start:
        raise src.error(
            src.header_at, last, f"its last price ({end}) is before {first}'s first ({start})"
        )
    times = sorted({t for points in series.values() for t in points if start <= t <= end})
    symbols = tuple(series)
    prices = np.empty((len(times), len(symbols)))
    for j, symbol in enumerate(symbols):
        points = series[symbol]
        ordered = sorted(points)
        k = 0
        current = points[ordered[0]]
        for i, t in enumerate(times):  # forward fill: the last close at or before t
            while k < len(ordered) and ordered[k] <= t:
                current = points[ordered[k]]
                k += 1
            prices[i, j] = current
    return PricePath(times_s=np.asarray(times, dtype=np.int64), symbols=symbols, prices_usd=prices)
