"""The user's price files: CSV and Parquet, long and wide, and one-line errors."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.sim.prices_io import PriceFileError, load_prices

TIMES = [1_723_000_000, 1_723_003_600, 1_723_007_200]
PRICES = {"BTC": [61_000.5, 54_321.123456789, 58_000.0], "USDC": [1.0, 0.9128, 0.999]}


def _long_rows() -> list[list[object]]:
    return [[t, s, p[i]] for s, p in PRICES.items() for i, t in enumerate(TIMES)]


def _write(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> Path:
    if path.suffix == ".parquet":
        cols: list[Sequence[object]] = list(zip(*rows, strict=True))
        pq.write_table(pa.table({h: list(c) for h, c in zip(header, cols, strict=True)}), path)
    else:
        lines = [",".join(header)] + [
            ",".join(repr(c) if isinstance(c, float) else str(c) for c in r) for r in rows
        ]
        path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_round_trip(tmp_path: Path, suffix: str, layout: str):
    if layout == "long":
        f = _write(tmp_path / f"p{suffix}", ["timestamp", "asset", "close_usd"], _long_rows())
    else:
        rows = [[t, PRICES["BTC"][i], PRICES["USDC"][i]] for i, t in enumerate(TIMES)]
        f = _write(tmp_path / f"p{suffix}", ["timestamp", "BTC", "USDC"], rows)
    path = load_prices(f, known_symbols={"BTC", "USDC"})
    assert path.symbols == ("BTC", "USDC")
    assert path.times_s.tolist() == TIMES
    assert path.prices_usd[:, 0].tolist() == PRICES["BTC"]
    assert path.prices_usd[:, 1].tolist() == PRICES["USDC"]


def test_iso_times_dates_and_forward_fill(tmp_path: Path):
    f = _write(
        tmp_path / "w.csv",
        ["timestamp", "BTC", "ETH"],
        [
            ["2024-08-05T00:00:00Z", 1.0, ""],
            ["2024-08-05T01:00:00+00:00", 2.0, 10.0],
            ["2024-08-05T02:00:00", 3.0, ""],
            ["1722826800", 4.0, 12.0],
        ],
    )
    p = load_prices(f)
    assert p.times_s.tolist() == [1722819600, 1722823200, 1722826800]  # starts when ETH does
    assert p.prices_usd[:, 1].tolist() == [10.0, 10.0, 12.0]
    d = _write(tmp_path / "d.csv", ["date", "asset", "close_usd"], [["2024-08-05", "BTC", 5.0]])
    assert load_prices(d).times_s.tolist() == [1722902400]  # the close of 08-05: 08-06 00:00
    t = _write(
        tmp_path / "t.csv", ["timestamp", "asset", "close_usd"], [["2024-08-05", "BTC", 5.0]]
    )
    assert load_prices(t).times_s.tolist() == [1722816000]


def test_the_error_pickles_and_is_a_protocol_error(tmp_path: Path):
    f = _write(tmp_path / "x.csv", ["timestamp", "BTC"], [[0, "abc"]])
    with pytest.raises(PriceFileError) as info:
        load_prices(f)
    err = pickle.loads(pickle.dumps(info.value))
    assert isinstance(err, PriceFileError)
    assert err.code is ErrorCode.PRICE_FILE_INVALID
    assert err.message == info.value.message


LONG = ["timestamp", "asset", "close_usd"]
BAD_CASES = [
    ("csv", LONG, [[0, "BTC", "1e"]], {}, "line 2, close_usd: '1e' is not a number"),
    ("csv", LONG, [[0, "BTC", "nan"]], {}, "line 2, close_usd: 'nan' is not a number"),
    (
        "csv",
        LONG,
        [[0, "BTC", 1.0], [60, "BTC", -2.5]],
        {},
        "line 3, close_usd: -2.5 must be a positive price",
    ),
    ("csv", LONG, [[0, "BTC", "0"]], {}, "line 2, close_usd: 0 must be a positive price"),
    (
        "csv",
        LONG,
        [[0, "DOGGO", 1.0]],
        {"known_symbols": {"BTC"}},
        "line 2, asset: unknown asset 'DOGGO'",
    ),
    (
        "csv",
        LONG,
        [[0, "BTC", 1.0], [0, "BTC", 2.0]],
        {},
        "line 3, timestamp: duplicate time 0 for BTC",
    ),
    (
        "csv",
        LONG,
        [[60, "BTC", 1.0], [0, "BTC", 2.0]],
        {},
        "line 3, timestamp: 0 is before 60 for BTC (not increasing)",
    ),
    ("csv", ["timestamp", "asset"], [[0, "BTC"]], {}, "line 1, close_usd: missing column"),
    ("csv", ["time", "BTC"], [[0, 1.0]], {}, "line 1, timestamp: missing column"),
    (
        "csv",
        LONG,
        [["yesterday", "BTC", 1.0]],
        {},
        "line 2, timestamp: 'yesterday' is not an ISO 8601 time or unix seconds",
    ),
    ("csv", ["timestamp", "BTC"], [[0, 1.0], [0, 2.0]], {}, "line 3, timestamp: duplicate time 0"),
    (
        "csv",
        ["timestamp", "BTC"],
        [[60, 1.0], [0, 2.0]],
        {},
        "line 3, timestamp: 0 is before 60 (not increasing)",
    ),
    (
        "csv",
        ["timestamp", "BTC"],
        [[0, 1.0]],
        {"known_symbols": {"ETH"}},
        "line 1, BTC: unknown asset 'BTC'",
    ),
    (
        "parquet",
        LONG,
        [[0, "BTC", 1.0], [60, "BTC", -2.5]],
        {},
        "row 2, close_usd: -2.5 must be a positive price",
    ),
    (
        "parquet",
        LONG,
        [[0, "BTC", 1.0], [0, "BTC", 2.0]],
        {},
        "row 2, timestamp: duplicate time 0 for BTC",
    ),
    (
        "parquet",
        LONG,
        [[0, "DOGGO", 1.0]],
        {"known_symbols": {"BTC"}},
        "row 1, asset: unknown asset 'DOGGO'",
    ),
    ("parquet", ["timestamp", "asset"], [[0, "BTC"]], {}, "header, close_usd: missing column"),
    ("parquet", ["timestamp", "BTC"], [[0, "x"]], {}, "row 1, BTC: 'x' is not a number"),
]


@pytest.mark.parametrize("case", BAD_CASES, ids=[c[-1] for c in BAD_CASES])
def test_bad_files_give_one_line_naming_file_place_and_field(tmp_path: Path, case: tuple[Any, ...]):
    fmt, header, rows, kw, tail = case
    f = _write(tmp_path / f"bad.{fmt}", header, rows)
    with pytest.raises(PriceFileError) as info:
        load_prices(f, **kw)
    assert info.value.message == f"{f}, {tail}"
    assert str(info.value) == f"PRICE_FILE_INVALID [6020]: {f}, {tail}"
    assert "\n" not in str(info.value)


def test_missing_and_empty_files(tmp_path: Path):
    with pytest.raises(PriceFileError, match=r"nope.csv, line 1, file: no such file"):
        load_prices(tmp_path / "nope.csv")
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(PriceFileError, match=r"e.csv, line 1, header: the file is empty"):
        load_prices(empty)


def test_shared_hourly_window_loads(tmp_path: Path):
    shared = Path("/work/shared/data/prices/hourly_close_usd.csv")
    if not shared.is_file():
        pytest.skip(f"{shared} is absent: the shared price data is not on this machine")
    rows = [
        ln
        for ln in shared.read_text().splitlines()[1:]
        if ln.startswith("2024-08-05") and ",BTC," in ln
    ]
    f = tmp_path / "btc.csv"
    f.write_text("timestamp,asset,close_usd\n" + "\n".join(rows) + "\n")
    p = load_prices(f)
    assert p.symbols == ("BTC",)
    assert np.all(np.diff(p.times_s) == 3600)
    assert p.prices_usd.min() == 49804.0  # SOURCES.md: lowest hourly close 49804 @ 13:00Z
