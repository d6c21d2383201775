"""Price paths for the replay: synthetic (correlated GBM with Merton jumps) and historical.

A `PricePath` is prices in USD (floats, the fast tier) on a grid of times; `prices_usd_e8()`
rounds them to the exact tier's integer `price_usd_e8` (8 decimals, like Chainlink USD feeds).

Synthetic paths (`synthetic_paths`), per asset i and step dt (years):

    log S(t+dt) - log S(t) = (mu_i - sigma_i^2 / 2 - lambda_i k_i - lambda_c k_ci) dt
                             + sigma_i sqrt(dt) Z_i + sum of N_i ~ Poisson(lambda_i dt)
                             jumps ~ Normal(m_i, s_i^2) + beta_i * (crash jumps)

with Z = L @ W (L the Cholesky factor of the correlation matrix, W independent normals), and
a common crash factor: N_c ~ Poisson(lambda_c dt) jumps ~ Normal(m_c, s_c^2) shared by every
asset, scaled by its `crash_beta`. The compensators k_i = E[e^J] - 1 and k_ci = E[e^(beta J_c)]
- 1 make `drift_per_year` the expected simple return: E[S(t)] = S(0) e^(mu t) (Merton 1976).
Pegged assets (stablecoins) follow an Ornstein-Uhlenbeck process in log(price / peg), sampled
exactly, with rare depeg jumps; they are independent of the rest.

Randomness comes from `core.rng.Rng`: `numpy_generator(rng)` seeds a NumPy PCG64 from the
stream, so a path is a function of (seed, label, parameters).

Example:
    >>> cfg = SyntheticConfig(
    ...     assets=(AssetParams(symbol="ETH", start_usd=2000.0, vol_per_year=0.8),),
    ...     step_s=3600, steps=24,
    ... )
    >>> p = synthetic_path(cfg, Rng(1).child("prices"))
    >>> p.prices_usd.shape, float(p.prices_usd[0, 0])
    ((25, 1), 2000.0)
    >>> synthetic_path(cfg, Rng(1).child("prices")) == p
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.rng import Rng
from sparkprime.presets.price_scenarios import ScenarioDef

__all__ = [
    "AssetParams",
    "CrashFactor",
    "PegParams",
    "PricePath",
    "SyntheticConfig",
    "cholesky_factor",
    "historical_path",
    "numpy_generator",
    "synthetic_path",
    "synthetic_paths",
]

SECONDS_PER_YEAR: Final = 365 * 86_400  # crypto trades every day
_E8: Final = 10**8
_INT64_MAX_USD: Final = float(np.iinfo(np.int64).max) / _E8
_PSD_TOLERANCE: Final = 1e-10

FloatArray = npt.NDArray[np.float64]


def _bad(field_name: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRICE_PATH_INVALID, field=field_name, reason=reason)


def numpy_generator(rng: Rng) -> np.random.Generator:
    """A NumPy generator seeded from `rng` (128 bits of its stream): deterministic per seed."""
    return np.random.Generator(np.random.PCG64(rng.randbits(128)))


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PricePath:
    """USD prices: `prices_usd[step, asset]` at `times_s[step]` (unix or relative seconds)."""

    times_s: npt.NDArray[np.int64]
    symbols: tuple[str, ...]
    prices_usd: FloatArray

    def __post_init__(self) -> None:
        times = np.asarray(self.times_s)
        prices = np.asarray(self.prices_usd, dtype=np.float64)
        if times.ndim != 1 or times.size == 0 or not np.issubdtype(times.dtype, np.integer):
            raise _bad("times_s", "needs a non-empty 1-D array of integer seconds")
        if np.any(np.diff(times) <= 0):
            raise _bad("times_s", "times must be strictly increasing")
        symbols = tuple(self.symbols)
        if not symbols or len(set(symbols)) != len(symbols):
            raise _bad("symbols", "needs distinct symbols")
        if prices.shape != (times.size, len(symbols)):
            raise _bad(
                "prices_usd",
                f"shape {prices.shape} is not (steps, assets) = ({times.size}, {len(symbols)})",
            )
        if not np.all(np.isfinite(prices)) or np.any(prices <= 0):
            raise _bad("prices_usd", "every price must be finite and positive")
        times = times.astype(np.int64)
        times.setflags(write=False)
        prices = prices.copy()
        prices.setflags(write=False)
        object.__setattr__(self, "times_s", times)
        object.__setattr__(self, "symbols", symbols)
        object.__setattr__(self, "prices_usd", prices)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PricePath):
            return NotImplemented
        return (
            self.symbols == other.symbols
            and np.array_equal(self.times_s, other.times_s)
            and np.array_equal(self.prices_usd, other.prices_usd)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def steps(self) -> int:
        """The number of time points."""
        return int(self.times_s.size)

    def prices_usd_e8(self) -> npt.NDArray[np.int64]:
        """Prices in the exact tier's unit (USD * 10**8), rounded to nearest, as int64."""
        if np.any(self.prices_usd >= _INT64_MAX_USD):
            raise _bad("prices_usd", "a price is too large for price_usd_e8 in int64")
        return np.rint(self.prices_usd * _E8).astype(np.int64)

    def price_usd_e8_at(self, step: int) -> dict[str, int]:
        """One step's prices as Python ints by symbol (what the exact tier consumes)."""
        row = self.prices_usd_e8()[step]
        return {s: int(v) for s, v in zip(self.symbols, row, strict=True)}


# --- synthetic ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetParams:
    """A floating asset: GBM (annual drift and vol) plus its own Merton jumps."""

    symbol: str
    start_usd: float
    drift_per_year: float = 0.0  # expected simple return, continuously compounded
    vol_per_year: float = 0.0
    jump_rate_per_year: float = 0.0
    jump_mean_log: float = 0.0
    jump_std_log: float = 0.0
    crash_beta: float = 0.0  # loading on the common crash factor's log jump


@dataclass(frozen=True, slots=True, kw_only=True)
class PegParams:
    """A pegged asset: log(price / peg) mean-reverts to 0, with rare depeg jumps."""

    symbol: str
    peg_usd: float = 1.0
    start_usd: float | None = None  # default: at the peg
    reversion_per_year: float = 365.0  # kappa: a half-life of ln 2 / kappa years (~17 h)
    vol_per_year: float = 0.01
    depeg_rate_per_year: float = 0.0
    depeg_mean_log: float = -0.03
    depeg_std_log: float = 0.02


@dataclass(frozen=True, slots=True, kw_only=True)
class CrashFactor:
    """A market-wide jump: Poisson arrivals, normal log size, shared by every asset."""

    rate_per_year: float
    mean_log: float
    std_log: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticConfig:
    """Everything a synthetic path needs besides the random stream."""

    assets: tuple[AssetParams, ...] = ()
    pegs: tuple[PegParams, ...] = ()
    correlation: tuple[tuple[float, ...], ...] | None = None  # over `assets`; None = identity
    crash: CrashFactor | None = None
    step_s: int = 3600
    steps: int = 24
    start_ts_s: int = 0
    _factor: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        symbols = [a.symbol for a in self.assets] + [p.symbol for p in self.pegs]
        if not symbols or len(set(symbols)) != len(symbols):
            raise _bad("assets", "needs at least one asset and distinct symbols")
        if type(self.step_s) is not int or self.step_s <= 0:
            raise _bad("step_s", f"{self.step_s!r} must be a positive int")
        if type(self.steps) is not int or self.steps <= 0:
            raise _bad("steps", f"{self.steps!r} must be a positive int")
        for a in self.assets:
            _finite(a.start_usd, f"assets.{a.symbol}.start_usd", positive=True)
            _finite(a.vol_per_year, f"assets.{a.symbol}.vol_per_year", nonneg=True)
            _finite(a.jump_rate_per_year, f"assets.{a.symbol}.jump_rate_per_year", nonneg=True)
            _finite(a.jump_std_log, f"assets.{a.symbol}.jump_std_log", nonneg=True)
            for name in ("drift_per_year", "jump_mean_log", "crash_beta"):
                _finite(getattr(a, name), f"assets.{a.symbol}.{name}")
        for p in self.pegs:
            _finite(p.peg_usd, f"pegs.{p.symbol}.peg_usd", positive=True)
            if p.start_usd is not None:
                _finite(p.start_usd, f"pegs.{p.symbol}.start_usd", positive=True)
            _finite(p.reversion_per_year, f"pegs.{p.symbol}.reversion_per_year", positive=True)
            _finite(p.vol_per_year, f"pegs.{p.symbol}.vol_per_year", nonneg=True)
            _finite(p.depeg_rate_per_year, f"pegs.{p.symbol}.depeg_rate_per_year", nonneg=True)
            _finite(p.depeg_std_log, f"pegs.{p.symbol}.depeg_std_log", nonneg=True)
            _finite(p.depeg_mean_log, f"pegs.{p.symbol}.depeg_mean_log")
        if self.crash is not None:
            _finite(self.crash.rate_per_year, "crash.rate_per_year", nonneg=True)
            _finite(self.crash.mean_log, "crash.mean_log")
            _finite(self.crash.std_log, "crash.std_log", nonneg=True)
        n = len(self.assets)
        corr = np.eye(n) if self.correlation is None else np.asarray(self.correlation, float)
        object.__setattr__(self, "_factor", cholesky_factor(corr) if n else np.zeros((0, 0)))

    @property
    def symbols(self) -> tuple[str, ...]:
        """Floating assets first, then pegged ones: the column order of the paths."""
        return tuple(a.symbol for a in self.assets) + tuple(p.symbol for p in self.pegs)


def _finite(value: float, name: str, *, positive: bool = False, nonneg: bool = False) -> None:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise _bad(name, f"{value!r} must be a finite number")
    if (positive and value <= 0) or (nonneg and value < 0):
        raise _bad(name, f"{value!r} must be {'positive' if positive else 'non-negative'}")


def cholesky_factor(correlation: npt.ArrayLike) -> FloatArray:
    """L with L @ L.T == correlation: checked symmetric, unit diagonal, in [-1, 1], PSD.

    A positive semi-definite but singular matrix (perfectly correlated assets) has no
    Cholesky factor; its eigen-factor V sqrt(max(w, 0)) serves the same purpose.
    """
    c = np.asarray(correlation, dtype=np.float64)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise _bad("correlation", f"shape {c.shape} is not square")
    if not np.all(np.isfinite(c)) or np.any(np.abs(c) > 1.0):
        raise _bad("correlation", "entries must be finite and within [-1, 1]")
    if not np.allclose(c, c.T, rtol=0.0, atol=1e-12):
        raise _bad("correlation", "matrix is not symmetric")
    if not np.allclose(np.diag(c), 1.0, rtol=0.0, atol=1e-12):
        raise _bad("correlation", "diagonal entries must be 1")
    try:
        return np.asarray(np.linalg.cholesky(c), dtype=np.float64)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(c)
        if w.min() < -_PSD_TOLERANCE:
            raise _bad(
                "correlation", f"matrix is not positive semi-definite (eigenvalue {w.min():.3g})"
            ) from None
        return np.asarray(v * np.sqrt(np.clip(w, 0.0, None)), dtype=np.float64)


def _jump_sums(
    gen: np.random.Generator,
    rate_dt: FloatArray,
    mean: FloatArray,
    std: FloatArray,
    shape: tuple[int, ...],
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    # The sum of N normal jumps is Normal(N m, N s^2): one draw per cell whatever N is.
    counts = gen.poisson(np.broadcast_to(rate_dt, shape))
    sums = counts * mean + np.sqrt(counts) * std * gen.standard_normal(shape)
    return np.asarray(sums, dtype=np.float64), np.asarray(counts, dtype=np.int64)


def synthetic_paths(config: SyntheticConfig, rng: Rng, n_paths: int) -> FloatArray:
    """`n_paths` independent paths: an array [path, step (steps + 1), asset] of USD prices."""
    if type(n_paths) is not int or n_paths <= 0:
        raise _bad("n_paths", f"{n_paths!r} must be a positive int")
    gen = numpy_generator(rng)
    dt = config.step_s / SECONDS_PER_YEAR
    steps = config.steps
    out = np.empty((n_paths, steps + 1, len(config.symbols)), dtype=np.float64)
    n = len(config.assets)
    if n:
        a = config.assets
        mu = np.array([x.drift_per_year for x in a])
        sigma = np.array([x.vol_per_year for x in a])
        lam = np.array([x.jump_rate_per_year for x in a])
        jm = np.array([x.jump_mean_log for x in a])
        js = np.array([x.jump_std_log for x in a])
        beta = np.array([x.crash_beta for x in a])
        comp = lam * (np.exp(jm + js**2 / 2) - 1.0)
        shocks = gen.standard_normal((n_paths, steps, n)) @ config._factor.T
        log_ret = (mu - sigma**2 / 2 - comp) * dt + sigma * math.sqrt(dt) * shocks
        jumps, _ = _jump_sums(gen, lam * dt, jm, js, (n_paths, steps, n))
        log_ret += jumps
        crash = config.crash
        if crash is not None and crash.rate_per_year > 0:
            k_c = np.exp(beta * crash.mean_log + (beta * crash.std_log) ** 2 / 2) - 1.0
            common, _ = _jump_sums(
                gen,
                np.array(crash.rate_per_year * dt),
                np.array(crash.mean_log),
                np.array(crash.std_log),
                (n_paths, steps, 1),
            )
            log_ret += common * beta - crash.rate_per_year * k_c * dt
        start = np.array([x.start_usd for x in a])
        out[:, 0, :n] = start
        out[:, 1:, :n] = start * np.exp(np.cumsum(log_ret, axis=1))
    for j, p in enumerate(config.pegs, start=n):
        x0 = math.log((p.start_usd or p.peg_usd) / p.peg_usd)
        decay = math.exp(-p.reversion_per_year * dt)
        noise = p.vol_per_year * math.sqrt((1 - decay**2) / (2 * p.reversion_per_year))
        z = gen.standard_normal((n_paths, steps))
        depeg, _ = _jump_sums(
            gen,
            np.array(p.depeg_rate_per_year * dt),
            np.array(p.depeg_mean_log),
            np.array(p.depeg_std_log),
            (n_paths, steps),
        )
        x = np.empty((n_paths, steps + 1))
        x[:, 0] = x0
        for t in range(steps):  # an AR(1) recursion: exact OU transition, then the jump
            x[:, t + 1] = x[:, t] * decay + noise * z[:, t] + depeg[:, t]
        out[:, :, j] = p.peg_usd * np.exp(x)
    return out


def synthetic_path(config: SyntheticConfig, rng: Rng) -> PricePath:
    """One synthetic path as a `PricePath` (times from `start_ts_s` every `step_s`)."""
    prices = synthetic_paths(config, rng, 1)[0]
    times = config.start_ts_s + config.step_s * np.arange(config.steps + 1, dtype=np.int64)
    return PricePath(times_s=times, symbols=config.symbols, prices_usd=prices)


# --- historical -----------------------------------------------------------------------------


def historical_path(
    scenario: ScenarioDef,
    start_prices: Mapping[str, float],
    step_s: int,
    *,
    start_ts_s: int = 0,
    symbols: Sequence[str] | None = None,
) -> PricePath:
    """The scenario's checkpoints applied to `start_prices`, every `step_s` seconds.

    A move multiplies the start price by (1 + bps / 10_000); a stablecoin's start price is
    read as its peg (so checkpoint 0 shows its recorded deviation); a peg with `peg_to` is
    its start price times the underlying's move times (1 + deviation). Between checkpoints
    prices are interpolated geometrically (linear in log price). `step_s` must divide the
    scenario's length.
    """
    names = tuple(symbols) if symbols is not None else tuple(start_prices)
    total = scenario.offsets_s[-1]
    if type(step_s) is not int or step_s <= 0 or total % step_s:
        raise _bad("step_s", f"{step_s!r} must be a positive divisor of {total} s")
    for s in names:
        if s not in scenario.assets:
            raise _bad("start_prices", f"{scenario.name} has no move for {s!r}")
        if s not in start_prices:
            raise _bad("start_prices", f"no start price for {s!r}")
        _finite(start_prices[s], f"start_prices.{s}", positive=True)
    ratios = np.empty((len(scenario.offsets_s), len(names)))
    for j, s in enumerate(names):
        m = scenario.assets[s]
        own = np.array([m.ratio(i) for i in range(len(m.bps))])
        if m.peg_to is not None:
            base = scenario.assets[m.peg_to]
            own = own * np.array([base.ratio(i) for i in range(len(base.bps))])
        ratios[:, j] = own * start_prices[s]
    times = np.arange(0, total + 1, step_s, dtype=np.int64)
    offsets = np.asarray(scenario.offsets_s, dtype=np.float64)
    logs = np.log(ratios)
    prices = np.exp(
        np.column_stack([np.interp(times, offsets, logs[:, j]) for j in range(len(names))])
    )
    return PricePath(times_s=times + start_ts_s, symbols=names, prices_usd=prices)
