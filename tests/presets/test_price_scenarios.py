"""The named historical price scenarios: present, sourced, and recomputable from the data."""

from __future__ import annotations

import copy
import csv
import datetime
import math
import tomllib
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.price_scenarios import (
    list_price_scenarios,
    price_scenario,
    scenarios_from_mapping,
)

PRICES = Path("/work/shared/data/prices")
DAILY = PRICES / "daily_close_usd.csv"
needs_data = pytest.mark.skipif(
    not DAILY.is_file(), reason=f"{DAILY} is absent: the shared price data is not on this machine"
)

# The Atlas asset groups (plus DAI and the ETH LSTs) every scenario must move.
ATLAS = {"BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "HYPE", "AVAX", "SUI", "NEAR", "ZEC", "PAXG"}
PEGGED = {"USDC", "USDT", "USDe", "DAI", "stETH", "wstETH"}


def _raw() -> dict[str, Any]:
    text = resources.files("sparkprime.presets").joinpath("data/price_scenarios.toml")
    return tomllib.loads(text.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def daily() -> dict[str, dict[datetime.date, float]]:
    closes: dict[str, dict[datetime.date, float]] = defaultdict(dict)
    with DAILY.open(newline="") as f:
        for row in csv.DictReader(f):
            closes[row["asset"]][datetime.date.fromisoformat(row["date"])] = float(row["close_usd"])
    return closes


def test_the_named_events_are_all_there():
    titles = {price_scenario(n).title for n in list_price_scenarios()}
    for title in (
        "2020-03-12 Black Thursday",
        "2022-05 stETH/LUNA weeks",
        "2023-03-11 USDC depeg",
        "2024-08-05 yen-carry unwind",
        "2025-10-10 liquidation cascade",
    ):
        assert title in titles
    assert 6 <= len(titles) <= 8


@pytest.mark.parametrize("name", list_price_scenarios())
def test_every_scenario_is_sourced_and_covers_the_atlas_groups(name: str):
    s = price_scenario(name)
    assert s.sources
    assert all(src.location and src.as_of for src in s.sources)
    assert s.description
    assert set(s.assets) >= ATLAS | PEGGED
    assert s.offsets_s[0] == 0
    assert all(o % 86_400 == 0 for o in s.offsets_s)
    for symbol, m in s.assets.items():
        assert len(m.bps) == len(s.checkpoints)
        if m.basis != "data":
            assert m.note, f"{name}/{symbol}: a proxied or assumed series must say why"
        if symbol in PEGGED:
            assert m.kind == "peg"
    assert s.assets["stETH"].peg_to == "ETH"
    assert s.assets["wstETH"].peg_to == "ETH"


def test_published_figures_from_sources_md():
    # "Known-event checks" of /work/shared/data/prices/SOURCES.md, rounded to 0.1 %.
    bt = price_scenario("black_thursday_2020")
    assert bt.assets["BTC"].bps[1] / 100 == pytest.approx(-35.2, abs=0.051)
    assert bt.assets["ETH"].bps[1] / 100 == pytest.approx(-43.1, abs=0.051)
    usdc = price_scenario("usdc_depeg_2023")
    assert usdc.checkpoints[2] == datetime.date(2023, 3, 11)
    assert usdc.assets["USDC"].ratio(2) == pytest.approx(0.9656, abs=1e-4)
    assert usdc.assets["DAI"].ratio(2) == pytest.approx(0.96699, abs=1e-4)
    luna = price_scenario("luna_steth_2022")
    assert luna.checkpoints[-1] == datetime.date(2022, 6, 18)
    assert luna.assets["stETH"].ratio(6) == pytest.approx(0.9358, abs=1e-4)
    oct10 = price_scenario("oct10_2025")
    assert oct10.assets["AVAX"].bps[1] / 100 == pytest.approx(-25.9, abs=0.051)
    assert oct10.assets["SUI"].bps[1] / 100 == pytest.approx(-22.8, abs=0.051)


@needs_data
@pytest.mark.parametrize("name", list_price_scenarios())
def test_data_series_recompute_from_the_shared_prices(name: str, daily):
    s = price_scenario(name)
    checked = 0
    for symbol, m in s.assets.items():
        if m.basis != "data":
            continue
        closes = daily[m.data_symbol or symbol]
        if m.kind == "move":
            c0 = closes[s.checkpoints[0]]
            want = [10_000 * (closes[c] / c0 - 1) for c in s.checkpoints]
        elif m.peg_to is None:
            want = [10_000 * (closes[c] - 1) for c in s.checkpoints]
        else:
            base = daily[m.peg_to]
            want = [10_000 * (closes[c] / base[c] - 1) for c in s.checkpoints]
        assert all(abs(g - w) <= 1 for g, w in zip(m.bps, want, strict=True)), symbol
        checked += 1
    assert checked >= 8


@needs_data
def test_proxy_betas_are_the_documented_fit(daily):
    meta = _raw()["meta"]
    lo, hi = meta["beta_fit_from"], meta["beta_fit_to"]

    def log_returns(symbol: str) -> dict[datetime.date, float]:
        c = daily[symbol]
        return {
            d: math.log(c[d] / c[d - datetime.timedelta(days=1)])
            for d in c
            if d - datetime.timedelta(days=1) in c and lo <= d <= hi
        }

    fitted = 0
    for name in list_price_scenarios():
        for symbol, m in price_scenario(name).assets.items():
            if m.basis != "proxy" or m.kind != "move" or symbol not in daily:
                continue
            y, x = log_returns(symbol), log_returns(m.proxy_of or "")
            days = sorted(set(y) & set(x))
            my = sum(y[d] for d in days) / len(days)
            mx = sum(x[d] for d in days) / len(days)
            cov = sum((y[d] - my) * (x[d] - mx) for d in days)
            var = sum((x[d] - mx) ** 2 for d in days)
            assert m.beta == pytest.approx(cov / var, abs=0.005 + 1e-9), (name, symbol)
            fitted += 1
    assert fitted >= 5


def test_proxies_follow_their_documented_rule():
    for name in list_price_scenarios():
        s = price_scenario(name)
        for m in s.assets.values():
            if m.basis != "proxy":
                continue
            base = s.assets[m.proxy_of or ""]
            if m.kind == "peg":
                assert m.bps == base.bps
            else:
                assert m.beta is not None
                for i, b in enumerate(m.bps):
                    want = 10_000 * (math.exp(m.beta * math.log(base.ratio(i))) - 1)
                    assert abs(b - want) <= 0.5 + 1e-9


def test_unknown_scenario_names_the_known_ones():
    with pytest.raises(ProtocolError) as info:
        price_scenario("nope")
    assert info.value.code is ErrorCode.PRICE_SCENARIO_UNKNOWN
    assert "black_thursday_2020" in info.value.message


def _first_scenario_mutated(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(_raw())
    first = data["scenarios"][0]
    for path, value in changes.items():
        target = first
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[key]
        if value is None:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"assets__BTC__bps": [0, 1]},
            "price scenario black_thursday_2020, assets.BTC.bps: needs 5 integers, one per "
            "checkpoint",
        ),
        (
            {"assets__BTC__bps": [5, 1, 2, 3, 4]},
            "price scenario black_thursday_2020, assets.BTC.bps: a move starts at 0 at "
            "checkpoint 0",
        ),
        (
            {"assets__BTC__bps": [0, -10_000, 2, 3, 4]},
            "price scenario black_thursday_2020, assets.BTC.bps: a price cannot fall 100 % or more",
        ),
        (
            {"assets__BTC__kind": "level"},
            "price scenario black_thursday_2020, assets.BTC.kind: 'level' is not one of move, peg",
        ),
        (
            {"assets__BTC__colour": "red"},
            "price scenario black_thursday_2020, assets.BTC: unknown field(s) colour",
        ),
        (
            {"assets__ZEC__proxy_of": "ZZZ"},
            "price scenario black_thursday_2020, assets.ZEC.proxy_of: 'ZZZ' must be an "
            "earlier, non-proxy asset of the same kind",
        ),
        (
            {"assets__ZEC__beta": -1.0},
            "price scenario black_thursday_2020, assets.ZEC.beta: a proxied move needs a "
            "positive beta",
        ),
        (
            {"checkpoints": [datetime.date(2020, 3, 12), datetime.date(2020, 3, 11)] * 2},
            "price scenario black_thursday_2020, checkpoints: dates must be strictly increasing",
        ),
        (
            {"sources": ["nowhere"]},
            "price scenario black_thursday_2020, sources: ['nowhere'] must name entries of "
            "[sources]",
        ),
        (
            {"title": None},
            "price scenario black_thursday_2020, fields: missing field(s) title",
        ),
        (
            {"assets__stETH__peg_to": "USDC"},
            "price scenario black_thursday_2020, assets.stETH.peg_to: 'USDC' must be a 'move' "
            "asset of a peg",
        ),
    ],
)
def test_bad_data_names_the_field(changes: dict[str, Any], message: str):
    with pytest.raises(ProtocolError) as info:
        scenarios_from_mapping(_first_scenario_mutated(**changes))
    assert info.value.code is ErrorCode.PRICE_SCENARIO_INVALID
    assert info.value.message == message


def test_a_name_defined_twice_is_refused():
    data = _raw()
    data["scenarios"].append(copy.deepcopy(data["scenarios"][0]))
    with pytest.raises(ProtocolError, match="black_thursday_2020, name: defined twice"):
        scenarios_from_mapping(data)


def test_the_bundled_file_loads_to_what_the_module_serves():
    again = scenarios_from_mapping(_raw())
    assert tuple(again) == list_price_scenarios()
    assert all(again[n] == price_scenario(n) for n in again)
