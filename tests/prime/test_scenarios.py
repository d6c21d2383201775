"""The scenario grid: data, builders, and the worst case reported apart from the Atlas RF."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Position
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.margin import MarginResult, margin_account
from sparkprime.prime.scenarios import (
    Scenario,
    decorrelation_scenarios,
    default_grid,
    depeg_scenarios,
    group_shock_scenarios,
)
from tests.prime.prime_fixtures import ASSETS, E8, NOW, POOL, WAD, loan, make_policy, pos, usd

POLICY = make_policy()
PRICES = {"ETH": 2_000 * E8, "stETH": 2_000 * E8, "USDC": E8, "USDe": E8, "WBTC": 50_000 * E8}


def m(positions: list[Position], grid: Sequence[Scenario]) -> MarginResult:
    return margin_account(positions, [loan(10**6)], PRICES, POLICY, POOL, assets=ASSETS,
                          now_ts_s=NOW, scenario_grid=grid)  # fmt: skip


def test_scenario_validation():
    for bad in ({"ETH": -10_001}, {"ETH": 1.5}):
        with pytest.raises(ProtocolError) as info:
            Scenario(name="x", shocks_bps=bad)  # type: ignore[arg-type]
        assert info.value.code is ErrorCode.PRIME_INVALID_SCENARIO
    s = Scenario(name="x", shocks_bps={"ETH": -100, "stETH": -700})
    assert s.shock_bps(symbol="stETH", group_name="ETH") == -700  # the symbol wins
    assert s.shock_bps(symbol="WETH", group_name="ETH") == -100
    assert s.shock_bps(symbol="DOGE", group_name=None) == 0


def test_builders_follow_the_policy():
    shocks = {s.name: dict(s.shocks_bps) for s in group_shock_scenarios(POLICY)}
    assert shocks["ETH_down_x1"] == {"ETH": -2000}
    assert shocks["ETH_up_x2"] == {"ETH": 4000}
    assert "USDC_up_x1" not in shocks  # pegged: never up
    assert {s.name for s in depeg_scenarios(POLICY, depegs_bps=(500,))} == {
        "USDe_depeg_500bps", "USDC_depeg_500bps", "USDT_depeg_500bps"}  # fmt: skip
    (eth,) = [s for s in decorrelation_scenarios(POLICY, extra_bps=500) if s.name.startswith("ETH")]
    assert eth.shocks_bps["ETH"] == -2000
    assert eth.shocks_bps["stETH"] == -2500


def test_staked_vs_native_basis_shows_in_the_grid_not_in_the_atlas_rf():
    # long stETH hedged by an ETH perp short: the Atlas nets them (same group), the grid's
    # decorrelation scenario charges the 5% basis.
    book = [pos(K.SPOT, "stETH", 10 * WAD), pos(K.PERP, "ETH", -10 * WAD,
                                                 entry_price_usd_e8=2_000 * E8)]  # fmt: skip
    r = m(book, default_grid(POLICY))
    assert r.stress_charge_usd_wad == 0
    assert r.stpv_usd_wad == usd(20_000)
    assert r.grid is not None
    assert r.grid.binding_scenario == "ETH_staked_decorrelation"
    assert r.grid.stpv_usd_wad == usd(20_000 - 1_000)


def test_depeg_binds_for_a_stablecoin_book_and_unapproved_stay_charged():
    book = [pos(K.SPOT, "USDe", 1_000 * WAD), pos(K.SPOT, "DOGE", 10_000 * E8)]
    grid = (*group_shock_scenarios(POLICY), *depeg_scenarios(POLICY, depegs_bps=(3000,)))
    r = margin_account(book, [loan(10**6)], {**PRICES, "DOGE": E8 // 10}, POLICY, POOL,
                       assets=ASSETS, now_ts_s=NOW, scenario_grid=grid)  # fmt: skip
    assert r.grid is not None
    assert r.grid.binding_scenario == "USDe_depeg_3000bps"
    assert r.grid.stpv_usd_wad == usd(700)  # DOGE's $1,000 is lost in every scenario
    assert dict(r.grid.by_scenario)["USDe_down_x2"] == usd(800)
    assert r.stpv_usd_wad == usd(900)  # the Atlas RF's view: -10% on USDe
    with pytest.raises(ProtocolError):
        m(book[:1], ())
