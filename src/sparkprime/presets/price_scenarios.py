"""Named historical price shocks as data: per-asset moves at daily-close checkpoints.

The figures are in `data/price_scenarios.toml`; its header says how every number was
computed. In short: each scenario is a few UTC dates (checkpoints; a date stands for that
day's close) and, per asset, a series in bps:

- `kind = "move"`: the cumulative USD move from checkpoint 0 (so `bps[0] == 0`);
- `kind = "peg"`: the deviation from the peg at each checkpoint, 1 USD for a stablecoin or
  the underlying's price for `peg_to` (stETH, wstETH against ETH).

Every series says where it comes from (`basis`): `"data"` (computed from the shared price
fixture, /work/shared/data/prices, whose SOURCES.md cites CoinGecko, Yahoo Finance and the
repositories they were read from), `"proxy"` (derived from another asset: a log-beta for a
move, a copy for a peg), or `"assumed"` (the asset did not exist yet; held at its peg).
`sim.paths.historical_path` turns a scenario into a `PricePath`.

Example:
    >>> s = price_scenario("black_thursday_2020")
    >>> s.title, s.assets["ETH"].bps[1]
    ('2020-03-12 Black Thursday', -4305)
    >>> s.assets["ZEC"].basis, s.assets["ZEC"].proxy_of
    ('proxy', 'ETH')
"""

from __future__ import annotations

import datetime
import functools
import itertools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError

__all__ = [
    "AssetMoves",
    "ScenarioDef",
    "ScenarioSource",
    "list_price_scenarios",
    "price_scenario",
    "scenarios_from_mapping",
]

_DATA: Final = "data/price_scenarios.toml"
_KINDS: Final = ("move", "peg")
_BASES: Final = ("assumed", "data", "proxy")
_BPS: Final = 10_000
_SECONDS_PER_DAY: Final = 86_400


def _bad(name: str, field: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRICE_SCENARIO_INVALID, name=name, field=field, reason=reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioSource:
    """Where a scenario's numbers come from, and as of when."""

    key: str
    title: str
    location: str
    as_of: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetMoves:
    """One asset's series in a scenario (bps per checkpoint) and its provenance."""

    symbol: str
    kind: str  # "move": cumulative USD move; "peg": deviation from the peg
    bps: tuple[int, ...]
    basis: str  # "data" | "proxy" | "assumed"
    peg_to: str | None = None  # a peg asset priced against another asset (stETH -> ETH)
    data_symbol: str | None = None  # the asset column in the shared data, when it differs
    proxy_of: str | None = None
    beta: float | None = None  # log-return beta to proxy_of (moves only)
    note: str = ""

    def ratio(self, index: int) -> float:
        """1 + bps[index] / 10_000: the price multiple at checkpoint `index`."""
        return 1.0 + self.bps[index] / _BPS


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioDef:
    """A named historical shock: checkpoints (UTC dates) and every asset's series."""

    name: str
    title: str
    description: str
    checkpoints: tuple[datetime.date, ...]
    assets: Mapping[str, AssetMoves]
    sources: tuple[ScenarioSource, ...]
    as_of: datetime.date

    def __post_init__(self) -> None:
        name = self.name
        if type(name) is not str or not name.strip():
            raise _bad(repr(name), "name", "must be a non-empty string")
        if type(self.title) is not str or not self.title.strip():
            raise _bad(name, "title", "must be a non-empty string")
        cps = tuple(self.checkpoints)
        if len(cps) < 2 or any(type(c) is not datetime.date for c in cps):
            raise _bad(name, "checkpoints", "needs at least two dates")
        if any(b <= a for a, b in itertools.pairwise(cps)):
            raise _bad(name, "checkpoints", "dates must be strictly increasing")
        if not self.sources:
            raise _bad(name, "sources", "a scenario needs at least one source")
        if not self.assets:
            raise _bad(name, "assets", "a scenario needs at least one asset")
        for symbol, moves in self.assets.items():
            _check_moves(name, symbol, moves, len(cps), self.assets)
        object.__setattr__(self, "checkpoints", cps)
        object.__setattr__(self, "assets", MappingProxyType(dict(self.assets)))

    @property
    def offsets_s(self) -> tuple[int, ...]:
        """Seconds from checkpoint 0 to each checkpoint."""
        start = self.checkpoints[0]
        return tuple((c - start).days * _SECONDS_PER_DAY for c in self.checkpoints)

    @property
    def symbols(self) -> tuple[str, ...]:
        """The assets the scenario moves, in file order."""
        return tuple(self.assets)


def _check_moves(
    name: str, symbol: str, m: AssetMoves, n: int, assets: Mapping[str, AssetMoves]
) -> None:
    where = f"assets.{symbol}"
    if m.symbol != symbol:
        raise _bad(name, f"{where}.symbol", f"{m.symbol!r} is filed under {symbol!r}")
    if m.kind not in _KINDS:
        raise _bad(name, f"{where}.kind", f"{m.kind!r} is not one of {', '.join(_KINDS)}")
    if m.basis not in _BASES:
        raise _bad(name, f"{where}.basis", f"{m.basis!r} is not one of {', '.join(_BASES)}")
    if len(m.bps) != n or any(type(b) is not int for b in m.bps):
        raise _bad(name, f"{where}.bps", f"needs {n} integers, one per checkpoint")
    if any(b <= -_BPS for b in m.bps):
        raise _bad(name, f"{where}.bps", "a price cannot fall 100 % or more")
    if m.kind == "move" and m.bps[0] != 0:
        raise _bad(name, f"{where}.bps", "a move starts at 0 at checkpoint 0")
    if m.peg_to is not None:
        base = assets.get(m.peg_to)
        if m.kind != "peg" or base is None or base.kind != "move":
            raise _bad(name, f"{where}.peg_to", f"{m.peg_to!r} must be a 'move' asset of a peg")
    if (m.basis == "proxy") != (m.proxy_of is not None):
        raise _bad(name, f"{where}.proxy_of", "set exactly when basis is 'proxy'")
    if m.beta is not None and not (m.kind == "move" and math.isfinite(m.beta) and m.beta > 0):
        raise _bad(name, f"{where}.beta", "a positive finite beta, for a proxied move only")


# --- loading --------------------------------------------------------------------------------

_SCENARIO_KEYS: Final = {"name", "title", "description", "checkpoints", "sources", "assets"}
_ASSET_KEYS: Final = {"kind", "basis", "bps", "peg_to", "data_symbol", "proxy_of", "beta", "note"}


def _mapping(
    value: object, name: str, field: str, allowed: set[str] | None = None
) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(name, field, f"expected a table, got {type(value).__name__}")
    unknown = [] if allowed is None else sorted(set(value) - allowed)
    if unknown:
        raise _bad(name, field, f"unknown field(s) {', '.join(unknown)}")
    return value


def _proxied(
    name: str, symbol: str, raw: Mapping[str, Any], done: dict[str, AssetMoves]
) -> tuple[int, ...]:
    proxy = raw.get("proxy_of")
    base = done.get(proxy) if isinstance(proxy, str) else None
    if base is None or base.basis == "proxy" or base.kind != raw.get("kind"):
        raise _bad(
            name,
            f"assets.{symbol}.proxy_of",
            f"{proxy!r} must be an earlier, non-proxy asset of the same kind",
        )
    if base.kind == "peg":
        return base.bps
    beta = raw.get("beta")
    if not isinstance(beta, int | float) or isinstance(beta, bool) or not beta > 0:
        raise _bad(name, f"assets.{symbol}.beta", "a proxied move needs a positive beta")
    return tuple(round(_BPS * ((1.0 + b / _BPS) ** float(beta) - 1.0)) for b in base.bps)


def _scenario(
    raw: object, index: int, sources: Mapping[str, ScenarioSource], as_of: Any
) -> ScenarioDef:
    table = _mapping(raw, f"#{index}", f"scenarios[{index}]", _SCENARIO_KEYS)
    name = table.get("name")
    if type(name) is not str:
        raise _bad(f"#{index}", f"scenarios[{index}].name", "missing or not a string")
    missing = sorted(_SCENARIO_KEYS - set(table))
    if missing:
        raise _bad(name, "fields", f"missing field(s) {', '.join(missing)}")
    refs = table["sources"]
    if not isinstance(refs, list) or any(r not in sources for r in refs):
        raise _bad(name, "sources", f"{refs!r} must name entries of [sources]")
    assets = _mapping(table["assets"], name, "assets")
    done: dict[str, AssetMoves] = {}
    for symbol, raw_asset in assets.items():
        a = _mapping(raw_asset, name, f"assets.{symbol}", _ASSET_KEYS)
        for key in ("kind", "basis"):
            if key not in a:
                raise _bad(name, f"assets.{symbol}.{key}", "missing")
        if a["basis"] == "proxy":
            bps = _proxied(name, symbol, a, done)
        elif not isinstance(a.get("bps"), list):
            raise _bad(name, f"assets.{symbol}.bps", "missing or not a list")
        else:
            bps = tuple(a["bps"])
        beta = a.get("beta")
        done[symbol] = AssetMoves(
            symbol=symbol,
            kind=a["kind"],
            bps=bps,
            basis=a["basis"],
            peg_to=a.get("peg_to"),
            data_symbol=a.get("data_symbol"),
            proxy_of=a.get("proxy_of"),
            beta=float(beta) if isinstance(beta, int | float) else beta,
            note=a.get("note", ""),
        )
    return ScenarioDef(
        name=name,
        title=table["title"],
        description=table["description"],
        checkpoints=tuple(table["checkpoints"]),
        assets=done,
        sources=tuple(sources[r] for r in refs),
        as_of=as_of,
    )


def scenarios_from_mapping(data: Mapping[str, Any]) -> dict[str, ScenarioDef]:
    """Validate parsed TOML (`[meta]`, `[sources.*]`, `[[scenarios]]`) into scenarios by name."""
    meta = _mapping(data.get("meta"), "file", "meta")
    as_of = meta.get("as_of")
    if type(as_of) is not datetime.date:
        raise _bad("file", "meta.as_of", "missing or not a date")
    raw_sources = _mapping(data.get("sources"), "file", "sources")
    sources: dict[str, ScenarioSource] = {}
    for key, raw in raw_sources.items():
        s = _mapping(raw, "file", f"sources.{key}", {"title", "location", "as_of"})
        if len(s) != 3 or type(s["as_of"]) is not datetime.date:
            raise _bad("file", f"sources.{key}", "needs title, location and a date as_of")
        sources[key] = ScenarioSource(
            key=key, title=s["title"], location=s["location"], as_of=s["as_of"]
        )
    raw_list = data.get("scenarios")
    if not isinstance(raw_list, list) or not raw_list:
        raise _bad("file", "scenarios", "needs at least one [[scenarios]] entry")
    out: dict[str, ScenarioDef] = {}
    for index, raw in enumerate(raw_list):
        scenario = _scenario(raw, index, sources, as_of)
        if scenario.name in out:
            raise _bad(scenario.name, "name", "defined twice")
        out[scenario.name] = scenario
    return out


@functools.cache
def _all() -> Mapping[str, ScenarioDef]:
    text = resources.files("sparkprime.presets").joinpath(_DATA).read_text(encoding="utf-8")
    return MappingProxyType(scenarios_from_mapping(tomllib.loads(text)))


def list_price_scenarios() -> tuple[str, ...]:
    """The names of the bundled scenarios, in file (chronological) order."""
    return tuple(_all())


def price_scenario(name: str) -> ScenarioDef:
    """The bundled scenario `name` (`PRICE_SCENARIO_UNKNOWN` if there is none)."""
    found = _all().get(name)
    if found is None:
        raise ProtocolError(
            ErrorCode.PRICE_SCENARIO_UNKNOWN, name=name, known=", ".join(list_price_scenarios())
        )
    return found
