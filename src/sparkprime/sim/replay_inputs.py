"""What drives a replay: the price path (`resolve_scenario`) and the book's prices on it.

`resolve_scenario(spec, book, seed=..., steps=..., step_s=...)` accepts:

- a historical scenario's name (`presets.price_scenarios.list_price_scenarios()`): its moves
  applied to the book's own prices (`sim.paths.historical_path`), `step_s` (default: the
  scenario's length / `steps`, rounded down to a divisor of it);
- `synthetic:gbm` (correlated GBM with small jumps) or `synthetic:crash` (the same plus a
  market-wide crash factor), seeded: `steps` steps of `step_s` (default 1 h) from the book's
  prices;
- a price file path (CSV or Parquet, `sim.prices_io.load_prices`), whose symbols must be the
  book's or the proxies the book's symbols follow.

`book_prices_at(book, path, step)` maps one step of a path onto every symbol the book prices
(exact integers, `price_usd_e8`): a symbol the path carries takes the path's price; otherwise
it follows its proxy (`price_base`: wrapped BTC -> BTC, WETH / weETH -> ETH, sUSDe -> USDe,
spUSDC -> USDC, a Pendle PT -> its underlying's proxy), as the book price times the proxy's
move since step 0 (integer arithmetic, rounded half up); an unpegged asset with no series and
no proxy follows ETH (the scenario files' own proxy for alts) when the path has it; anything
else (a USD stablecoin the path does not move, a vault share) holds its book price. A price
below half a unit of 1e-8 USD rounds to 0: it is passed on, and the engine refuses it.

Example:
    >>> price_base("PT-sUSDe-24SEP2026"), price_base("cbBTC"), price_base("SOL")
    ('USDe', 'BTC', 'SOL')
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.rng import Rng
from sparkprime.presets.book_file import BookFile
from sparkprime.presets.price_scenarios import list_price_scenarios, price_scenario
from sparkprime.sim.paths import (
    AssetParams,
    CrashFactor,
    PegParams,
    PricePath,
    SyntheticConfig,
    historical_path,
    synthetic_path,
)
from sparkprime.sim.prices_io import load_prices

__all__ = [
    "DEFAULT_STEPS",
    "DEFAULT_SYNTHETIC_STEP_S",
    "PROXIES",
    "SYNTHETIC_KINDS",
    "book_prices_at",
    "price_base",
    "resolve_scenario",
]

DEFAULT_STEPS: Final = 96
DEFAULT_SYNTHETIC_STEP_S: Final = 3600
SYNTHETIC_KINDS: Final = ("gbm", "crash")
ALT_PROXY: Final = "ETH"
#: The series a symbol without its own follows (a wrapper follows what it wraps).
PROXIES: Final[Mapping[str, str]] = {
    "WBTC": "BTC", "cbBTC": "BTC", "LBTC": "BTC", "tBTC": "BTC",
    "WETH": "ETH", "weETH": "ETH", "rETH": "ETH", "ezETH": "ETH", "rsETH": "ETH",
    "stETH": "ETH", "wstETH": "ETH",
    "sUSDe": "USDe", "spUSDC": "USDC", "sDAI": "DAI",
}  # fmt: skip
# Synthetic volatilities (annual) of the series the example book needs; others use _ALT_VOL.
_VOLS: Final[Mapping[str, float]] = {"BTC": 0.55, "ETH": 0.70, "PAXG": 0.15}
_ALT_VOL: Final = 0.95
_CORRELATION: Final = 0.65


def _bad(spec: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.REPLAY_BAD_SCENARIO, spec=spec, reason=reason)


def price_base(symbol: str) -> str:
    """The series `symbol` follows when the path does not carry it (itself when none)."""
    if symbol.startswith("PT-") and symbol.count("-") >= 2:
        underlying = symbol[3 : symbol.rindex("-")]
        return PROXIES.get(underlying, underlying)
    return PROXIES.get(symbol, symbol)


def _pegged(book: BookFile, symbol: str) -> bool:
    asset = book.assets.get(symbol)
    return asset is not None and asset.pegged_to is not None


def _source(book: BookFile, symbol: str, carried: Mapping[str, int]) -> str | None:
    """The path symbol `symbol` reads (None: it holds its book price)."""
    if symbol in carried:
        return symbol
    base = price_base(symbol)
    if base in carried:
        return base
    if base == symbol and not _pegged(book, symbol) and ALT_PROXY in carried:
        return ALT_PROXY
    return None


def book_prices_at(book: BookFile, path: PricePath, step: int) -> dict[str, int]:
    """Every symbol of `book.prices` at `step` of `path`, `price_usd_e8` (module docstring)."""
    table = path.prices_usd_e8()
    col = {s: j for j, s in enumerate(path.symbols)}
    out: dict[str, int] = {}
    for symbol, book_e8 in sorted(book.prices.items()):
        src = _source(book, symbol, col)
        if src is None:
            out[symbol] = book_e8
        elif src == symbol:
            out[symbol] = int(table[step, col[src]])
        else:
            start, now = int(table[0, col[src]]), int(table[step, col[src]])
            out[symbol] = (book_e8 * now * 2 + start) // (2 * start) if start else 0
    return out


def _start_usd(book: BookFile, symbol: str) -> float:
    e8 = book.prices.get(symbol)
    return 1.0 if e8 is None else e8 / 10**8


def _needed(book: BookFile) -> list[str]:
    """The series the book's prices read, in sorted order."""
    return sorted({price_base(s) for s in book.prices})


def _historical(name: str, book: BookFile, steps: int, step_s: int | None) -> PricePath:
    scenario = price_scenario(name)
    total = scenario.offsets_s[-1]
    if step_s is None:
        step_s = max(total // max(steps, 1), 1)
        while total % step_s:
            step_s -= 1
    symbols = [s for s in scenario.symbols if s in book.prices or s in _needed(book)]
    if not symbols:
        raise _bad(name, "the scenario moves none of the book's assets")
    start = {s: _start_usd(book, s) for s in symbols}
    try:
        return historical_path(scenario, start, step_s, start_ts_s=book.now_ts_s, symbols=symbols)
    except ProtocolError as error:
        raise _bad(name, error.message) from None


def _synthetic(kind: str, book: BookFile, seed: int, steps: int, step_s: int) -> PricePath:
    floating: list[AssetParams] = []
    pegs: list[PegParams] = []
    for s in _needed(book):
        if _pegged(book, s):
            pegs.append(PegParams(symbol=s, start_usd=_start_usd(book, s), depeg_rate_per_year=0.5))
        elif s in book.prices or s in _VOLS:
            floating.append(
                AssetParams(
                    symbol=s,
                    start_usd=_start_usd(book, s),
                    vol_per_year=_VOLS.get(s, _ALT_VOL),
                    jump_rate_per_year=2.0,
                    jump_mean_log=-0.03,
                    jump_std_log=0.05,
                    crash_beta=1.0 if s in _VOLS else 1.4,
                )
            )
    n = len(floating)
    corr = tuple(tuple(1.0 if i == j else _CORRELATION for j in range(n)) for i in range(n))
    crash = None
    if kind == "crash":  # about one crash every two days of a ~4-day run: -25% on average
        crash = CrashFactor(rate_per_year=180.0, mean_log=-0.25, std_log=0.08)
    config = SyntheticConfig(
        assets=tuple(floating), pegs=tuple(pegs), correlation=corr if n else None,
        crash=crash, step_s=step_s, steps=steps, start_ts_s=book.now_ts_s,
    )  # fmt: skip
    return synthetic_path(config, Rng(seed).child(f"replay.synthetic.{kind}"))


def resolve_scenario(
    name_or_spec: str,
    book: BookFile,
    seed: int = 0,
    steps: int = DEFAULT_STEPS,
    step_s: int | None = None,
) -> PricePath:
    """The price path `name_or_spec` names, for `book` (module docstring)."""
    spec = str(name_or_spec)
    if type(steps) is not int or steps <= 0:
        raise ProtocolError(ErrorCode.REPLAY_INVALID_OPTION, field="steps", reason=f"{steps!r}")
    if step_s is not None and (type(step_s) is not int or step_s <= 0):
        raise ProtocolError(ErrorCode.REPLAY_INVALID_OPTION, field="step_s", reason=f"{step_s!r}")
    if spec.startswith("synthetic:"):
        kind = spec.split(":", 1)[1]
        if kind not in SYNTHETIC_KINDS:
            raise _bad(spec, f"unknown synthetic kind; one of {list(SYNTHETIC_KINDS)}")
        return _synthetic(kind, book, seed, steps, step_s or DEFAULT_SYNTHETIC_STEP_S)
    if spec in list_price_scenarios():
        return _historical(spec, book, steps, step_s)
    candidate = Path(spec)
    if candidate.suffix.lower() in (".csv", ".parquet", ".pq") or candidate.is_file():
        known = set(book.prices) | set(_needed(book)) | {ALT_PROXY}
        return load_prices(candidate, known_symbols=known)
    names = [*list_price_scenarios(), *(f"synthetic:{k}" for k in SYNTHETIC_KINDS)]
    raise _bad(spec, f"not a scenario name ({', '.join(names)}) nor a price file")
