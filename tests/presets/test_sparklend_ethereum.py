"""The SparkLend Ethereum preset: it validates, round-trips, and matches the spec.

Spot checks quote spec/sparklend.md (shared/spec) by line; values the sources contradict are
tested against the source, with the discrepancy named.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from typing import Any, cast

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.presets import (
    SPARKLEND_ETHEREUM,
    CapAutomatorPreset,
    CapSide,
    EModePreset,
    KillSwitchPreset,
    MarketPreset,
    RateSourceKind,
    RateSourcePreset,
    RateStrategyKind,
    RateStrategyPreset,
    ReservePreset,
    sparklend_ethereum_preset,
)
from sparkprime.presets.sparklend_schema import MAX_VALID_CAP, MAX_VALID_DEBT_CEILING

M = sparklend_ethereum_preset()


@contextlib.contextmanager
def _raises(code: ErrorCode, field: str | None = None) -> Iterator[None]:
    """Expect a ProtocolError with this code (and, if given, naming `field`)."""
    with pytest.raises(ProtocolError) as err:
        yield
    assert err.value.code is code, err.value
    if field is not None:
        assert err.value.context.get("field") == field, err.value


# --- the preset as a whole ---------------------------------------------------------------


def test_preset_validates_and_is_the_one_entry_point() -> None:
    assert isinstance(M, MarketPreset)
    assert M is SPARKLEND_ETHEREUM
    assert M.as_of == "2026-04-23"
    assert M.chain == "ethereum"
    assert M.chain_id == 1
    assert len(M.sources) > 40
    assert all("@" in s or s.startswith(("sparkprime spec", "https://")) for s in M.sources)
    # re-validating from the fields gives the same record
    assert dataclasses.replace(M) == M


def test_reserves_are_in_reserve_id_order() -> None:
    # Spell_20260312.t.sol asserts getBorrowingEnabled(reserves[i]) for i = 0..17 before the
    # kill switch fires; the preset's order must reproduce that vector.
    expected = [1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1]
    assert [int(r.borrowing_enabled) for r in M.reserves] == expected
    assert [r.symbol for r in M.reserves] == [
        "DAI", "sDAI", "USDC", "WETH", "wstETH", "WBTC", "GNO", "rETH", "USDT",
        "weETH", "cbBTC", "sUSDS", "USDS", "LBTC", "tBTC", "ezETH", "rsETH", "PYUSD",
    ]  # fmt: skip


def test_dict_round_trip_is_identity() -> None:
    data = M.to_dict()
    assert MarketPreset.from_dict(data) == M
    assert MarketPreset.from_dict(data).to_dict() == data
    # and it is JSON-able as it stands
    assert MarketPreset.from_dict(json.loads(json.dumps(data))) == M


def test_addresses_are_stored_lower_case() -> None:
    assert M.reserve("WETH").underlying == "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
    assert all(r.underlying == r.underlying.lower() for r in M.reserves)


@pytest.mark.parametrize(
    ("symbol", "decimals"),
    [
        ("WETH", 18), ("wstETH", 18), ("rETH", 18), ("WBTC", 8), ("DAI", 18), ("sDAI", 18),
        ("USDC", 6), ("USDT", 6), ("USDS", 18), ("PYUSD", 6), ("sUSDS", 18), ("weETH", 18),
        ("cbBTC", 8), ("LBTC", 8), ("tBTC", 18), ("rsETH", 18), ("ezETH", 18), ("GNO", 18),
    ],
)  # fmt: skip
def test_token_decimals(symbol: str, decimals: int) -> None:
    assert M.reserve(symbol).decimals == decimals


def test_unknown_fields_name_real_fields() -> None:
    names = {f.name for f in dataclasses.fields(ReservePreset)}
    for r in M.reserves:
        assert set(r.unknown_fields) <= names
    assert "liquidation_protocol_fee_bps" in M.reserve("DAI").unknown_fields  # spec l.126 "?"
    assert {"reserve_factor_bps", "liquidation_protocol_fee_bps"} <= set(
        M.reserve("sDAI").unknown_fields
    )  # spec l.127 "?"


# --- spot checks against the spec -------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol", "row"),
    [
        ("WETH", (8500, 8600, 10500, 500, 1000, 1)),  # spec l.122
        ("wstETH", (8300, 8400, 10700, 3000, 1000, 1)),  # spec l.123
        ("rETH", (0, 8000, 10700, 1500, 1000, 1)),  # spec l.124
        ("WBTC", (7700, 7800, 10700, 2000, 0, 0)),  # spec l.125
        ("USDC", (0, 0, 0, 100, 0, 2)),  # spec l.128
        ("USDT", (0, 0, 0, 100, 0, 2)),  # spec l.128
        ("USDS", (0, 0, 0, 1000, 0, 0)),  # spec l.129
        ("sUSDS", (0, 8000, 10500, 1000, 1000, 2)),  # spec l.131
        ("weETH", (7900, 8000, 10800, 1500, 1000, 0)),  # spec l.132
        ("cbBTC", (8100, 8200, 10800, 2000, 1000, 3)),  # spec l.133
        ("LBTC", (7400, 7500, 10800, 1500, 1000, 3)),  # spec l.134
        ("tBTC", (7400, 7500, 10800, 9900, 1000, 0)),  # spec l.135
        ("rsETH", (7500, 7600, 11000, 1500, 1000, 0)),  # spec l.136
        ("ezETH", (7500, 7600, 11000, 1500, 1000, 0)),  # spec l.136
    ],
)
def test_reserve_parameters_match_spec(symbol: str, row: tuple[int, ...]) -> None:
    """row = LTV / LT / LB, RF, LPF, eMode as in the spec's reserve table."""
    ltv, lt, lb, rf, lpf, emode = row
    r = M.reserve(symbol)
    assert (r.ltv_bps, r.liquidation_threshold_bps, r.liquidation_bonus_bps) == (ltv, lt, lb)
    assert (r.reserve_factor_bps, r.liquidation_protocol_fee_bps) == (rf, lpf)
    assert r.emode_category == emode


def test_partial_rows_match_spec() -> None:
    dai = M.reserve("DAI")  # spec l.126: 0/1/10450, RF 1000, LPF ?, eMode 0
    assert (dai.ltv_bps, dai.liquidation_threshold_bps, dai.liquidation_bonus_bps) == (0, 1, 10450)
    assert (dai.reserve_factor_bps, dai.emode_category) == (1000, 0)
    sdai = M.reserve("sDAI")  # spec l.127: 0/8000/10500, eMode 2, supplyCap 1
    assert (sdai.ltv_bps, sdai.liquidation_threshold_bps, sdai.liquidation_bonus_bps) == (
        0,
        8000,
        10500,
    )
    assert (sdai.emode_category, sdai.supply_cap_tokens) == (2, 1)
    pyusd = M.reserve("PYUSD")  # spec l.130: 0/0/0, RF 1000, eMode 2, caps max
    assert (pyusd.ltv_bps, pyusd.liquidation_threshold_bps, pyusd.liquidation_bonus_bps) == (
        0,
        0,
        0,
    )
    assert (pyusd.reserve_factor_bps, pyusd.emode_category) == (1000, 2)
    assert M.reserve("GNO").ltv_bps == 0  # spec l.137


def test_pyusd_liquidation_protocol_fee_follows_the_source_not_the_spec() -> None:
    # spec l.130 says LPF 1000; the listing diff (spark-spells diffs/20250807, raw JSON
    # "liquidationProtocolFee": 0) shows 0 on chain, and no later diff sets it.
    assert M.reserve("PYUSD").liquidation_protocol_fee_bps == 0


def test_caps_match_spec() -> None:
    for symbol in ("USDC", "USDT", "PYUSD"):  # spec l.128 "caps 68,719,476,735", l.130
        r = M.reserve(symbol)
        assert r.supply_cap_tokens == r.borrow_cap_tokens == 68_719_476_735 == MAX_VALID_CAP
    assert M.reserve("wstETH").supply_cap_tokens == 1_200_000  # spec l.123
    assert M.reserve("rETH").supply_cap_tokens == 80_000  # spec l.124
    assert M.reserve("sUSDS").supply_cap_tokens == 1  # spec l.131


def test_frozen_and_borrowing_flags_match_spec() -> None:
    frozen = {r.symbol for r in M.reserves if r.is_frozen}
    assert frozen == {"rETH", "tBTC", "rsETH", "ezETH", "GNO"}  # spec l.124, 135-137
    assert not M.reserve("WBTC").borrowing_enabled  # spec l.125 "borrowing off"
    assert not M.reserve("weETH").borrowing_enabled  # spec l.132 "borrow off"
    assert not M.reserve("sUSDS").borrowing_enabled  # spec l.131 "not borrowable"
    assert M.reserve("USDS").borrowable_in_isolation  # spec l.129
    assert all(r.is_active and not r.is_paused for r in M.reserves)


@pytest.mark.parametrize(
    ("category_id", "row", "members"),
    [
        (1, ("ETH", 9200, 9300, 10100), {"WETH", "wstETH", "rETH"}),  # spec l.117
        (2, ("USD", 9100, 9200, 10100), {"USDC", "USDT", "sDAI", "sUSDS", "PYUSD"}),  # l.117
        (3, ("BTC", 8500, 9000, 10200), {"cbBTC", "LBTC"}),  # spec l.117
    ],
)
def test_emodes_match_spec(
    category_id: int, row: tuple[str, int, int, int], members: set[str]
) -> None:
    label, ltv, lt, lb = row
    e = M.emode(category_id)
    assert (e.label, e.ltv_bps, e.liquidation_threshold_bps) == (label, ltv, lt)
    assert e.liquidation_bonus_bps == lb
    assert e.price_source is None  # spec l.117 "priceSource 0 everywhere"
    assert {r.symbol for r in M.reserves if r.emode_category == category_id} == members


def test_kill_switch_thresholds_match_spec() -> None:
    by_feed = {k.feed: k for k in M.kill_switches}
    # spec l.104: stETH/ETH 0.95e18; LBTC/BTC 0.95e8; cbBTC, rETH, weETH ratios 0.95e18;
    # WBTC/BTC Chainlink 0.95e8.
    assert by_feed["stETH/ETH"].threshold == 95 * 10**16
    assert by_feed["stETH/ETH"].threshold_decimals == 18
    assert by_feed["LBTC/BTC"].threshold == 95 * 10**6
    assert by_feed["WBTC/BTC (Chainlink)"].threshold == 95 * 10**6
    for feed in ("cbBTC/BTC ratio", "rETH/ETH ratio", "weETH/ETH ratio"):
        assert by_feed[feed].threshold == 95 * 10**16
    assert all(k.active for k in M.kill_switches)
    assert M.kill_switch_oracle == "0x909a86f78e1cded68f9c2fe2c9cd922c401abe82"  # spec l.104


def test_cap_automator_configs_match_spec() -> None:
    caps = {(c.asset, c.side): c for c in M.cap_automator_configs}
    S, B = CapSide.SUPPLY, CapSide.BORROW
    assert caps["WETH", B].gap_tokens == 20_000  # spec l.122
    assert caps["wstETH", S].max_tokens == 2_000_000  # spec l.123
    assert (caps["wstETH", B].max_tokens, caps["wstETH", B].gap_tokens) == (1, 1)  # l.123
    assert (caps["rETH", B].max_tokens, caps["rETH", B].gap_tokens) == (1, 1)  # spec l.124
    assert (caps["WBTC", S].max_tokens, caps["WBTC", S].gap_tokens) == (3_000, 500)  # l.125
    assert caps["WBTC", B].max_tokens == 1  # spec l.125
    assert (caps["cbBTC", S].max_tokens, caps["cbBTC", S].gap_tokens) == (20_000, 500)  # l.133
    assert (caps["cbBTC", B].max_tokens, caps["cbBTC", B].gap_tokens) == (10_000, 50)  # l.133
    assert (caps["LBTC", S].max_tokens, caps["LBTC", S].gap_tokens) == (10_000, 500)  # l.134
    assert all(c.increase_cooldown_s == 12 * 3600 for c in M.cap_automator_configs)
    # weETH (spec l.132) was not migrated to the v1.1 automator by spell 20260312.
    assert not any(c.asset == "weETH" for c in M.cap_automator_configs)


def test_rate_strategies_match_spec() -> None:
    def of(symbol: str) -> RateStrategyPreset:
        return M.rate_strategy(M.reserve(symbol).rate_strategy)

    bp = RAY // 10_000
    for symbol in ("DAI", "USDS"):  # spec l.140: 0.80 / 0 / SSR + 1.25% / 15%
        s = of(symbol)
        assert (s.kind, s.rate_source) == (RateStrategyKind.RATE_TARGET_KINK, "SSR")
        assert s.optimal_usage_ratio_ray == 8000 * bp
        assert s.base_variable_borrow_rate_ray == 0
        assert s.variable_rate_slope1_spread_ray == 125 * bp
        assert s.variable_rate_slope2_ray == 1500 * bp
    assert of("USDC").variable_rate_slope1_spread_ray == 125 * bp  # spec l.141
    assert of("USDT").variable_rate_slope1_spread_ray == 50 * bp  # spec l.141
    assert of("USDT").optimal_usage_ratio_ray == 9500 * bp  # spec l.141
    weth = of("WETH")  # spec l.142: 0.90 / 0 / LST - 0.10% / 75%
    assert (weth.rate_source, weth.optimal_usage_ratio_ray) == ("LST", 9000 * bp)
    assert weth.variable_rate_slope1_spread_ray == -10 * bp
    assert weth.variable_rate_slope2_ray == 7500 * bp
    pyusd = of("PYUSD")  # spec l.143: Base, 0.95 / SSR + 0 / 2% / 15%
    assert pyusd.kind is RateStrategyKind.RATE_TARGET_BASE
    assert (pyusd.base_rate_spread_ray, pyusd.variable_rate_slope1_ray) == (0, 200 * bp)
    lst = next(s for s in M.rate_sources if s.name == "LST")  # spec l.142
    assert lst.kind is RateSourceKind.CAPPED_FALLBACK
    assert (lst.lower_bound, lst.upper_bound, lst.default_rate) == (
        2 * 10**16,
        55 * 10**15,
        3 * 10**16,
    )
    assert lst.decimals == 18
    lrt = of("weETH")  # spec l.144: 0.45 / 5% / 15% / 300%
    assert (lrt.optimal_usage_ratio_ray, lrt.base_variable_borrow_rate_ray) == (
        4500 * bp,
        500 * bp,
    )
    assert (lrt.variable_rate_slope1_ray, lrt.variable_rate_slope2_ray) == (1500 * bp, 30000 * bp)
    # spec l.144 says wstETH slope2 200%; the 20250109 diff's strategy snapshot says 300%.
    assert of("wstETH").variable_rate_slope2_ray == 30000 * bp


def test_market_addresses_and_flash_premiums_match_spec() -> None:
    # spec l.113
    assert M.pool == "0xc13e21b648a5ee794902342038ff3adab66be987"
    assert M.addresses_provider == "0x02c3ea4e34c0cbd694d2adfa2c690eecbc1793ee"
    assert M.pool_configurator == "0x542dba469bde58faee189ffb60c6b49ce60e0738"
    assert M.oracle == "0x8105f69d9c41644c6a0803fda7d03aa70996cfd9"
    assert (M.flash_loan_premium_total_bps, M.flash_loan_premium_to_protocol_bps) == (0, 0)


# --- the schema rejects bad values ---------------------------------------------------------

_WETH = M.reserve("WETH").to_dict()


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"ltv_bps": 8700}, ErrorCode.VALUE_OUT_OF_RANGE, "ltv_bps"),  # LTV > LT
        ({"liquidation_bonus_bps": 10000}, ErrorCode.VALUE_OUT_OF_RANGE, "liquidation_bonus_bps"),
        (  # percentMul(9500, 10600) = 10070 > 10000
            {"ltv_bps": 9000, "liquidation_threshold_bps": 9500, "liquidation_bonus_bps": 10600},
            ErrorCode.VALUE_OUT_OF_RANGE,
            "liquidation_bonus_bps",
        ),
        (  # LT == 0 needs LB == 0
            {"ltv_bps": 0, "liquidation_threshold_bps": 0},
            ErrorCode.VALUE_OUT_OF_RANGE,
            "liquidation_bonus_bps",
        ),
        (
            {"liquidation_threshold_bps": 10001},
            ErrorCode.VALUE_OUT_OF_RANGE,
            "liquidation_threshold_bps",
        ),
        (
            {"supply_cap_tokens": MAX_VALID_CAP + 1},
            ErrorCode.VALUE_OUT_OF_RANGE,
            "supply_cap_tokens",
        ),
        ({"borrow_cap_tokens": -1}, ErrorCode.VALUE_OUT_OF_RANGE, "borrow_cap_tokens"),
        ({"reserve_factor_bps": 10001}, ErrorCode.VALUE_OUT_OF_RANGE, "reserve_factor_bps"),
        (
            {"liquidation_protocol_fee_bps": 10001},
            ErrorCode.VALUE_OUT_OF_RANGE,
            "liquidation_protocol_fee_bps",
        ),
        ({"decimals": 256}, ErrorCode.VALUE_OUT_OF_RANGE, "decimals"),
        (
            {"debt_ceiling_usd_e2": MAX_VALID_DEBT_CEILING + 1},
            ErrorCode.VALUE_OUT_OF_RANGE,
            "debt_ceiling_usd_e2",
        ),
        ({"emode_category": 256}, ErrorCode.VALUE_OUT_OF_RANGE, "emode_category"),
        ({"ltv_bps": 85.0}, ErrorCode.INVALID_TYPE, "ltv_bps"),
        ({"ltv_bps": True}, ErrorCode.INVALID_TYPE, "ltv_bps"),
        ({"is_frozen": 0}, ErrorCode.INVALID_TYPE, "is_frozen"),
        ({"underlying": "0x1234"}, ErrorCode.INVALID_ID, "underlying"),
        ({"unknown_fields": ["ltv"]}, ErrorCode.UNKNOWN_FIELD, "unknown_fields"),
        ({"bogus": 1}, ErrorCode.UNKNOWN_FIELD, None),
    ],
)
def test_reserve_rejects(changes: dict[str, Any], code: ErrorCode, field: str | None) -> None:
    with _raises(code, field):
        ReservePreset.from_dict({**_WETH, **changes})


def test_from_dict_names_unknown_and_missing_fields() -> None:
    with pytest.raises(ProtocolError) as err:
        ReservePreset.from_dict({**_WETH, "bogus": 1, "also_bogus": 2})
    assert err.value.code is ErrorCode.UNKNOWN_FIELD
    assert err.value.context["fields"] == ["also_bogus", "bogus"]
    data = dict(_WETH)
    del data["ltv_bps"]
    with pytest.raises(ProtocolError) as err:
        ReservePreset.from_dict(data)
    assert err.value.code is ErrorCode.MISSING_FIELD
    assert err.value.context["fields"] == ["ltv_bps"]
    with _raises(ErrorCode.INVALID_TYPE):
        ReservePreset.from_dict([1, 2])


def test_from_dict_prefixes_nested_paths() -> None:
    data = M.to_dict()
    reserves = [dict(r) for r in cast(list[dict[str, Any]], data["reserves"])]
    reserves[3]["ltv_bps"] = 9000
    with _raises(ErrorCode.VALUE_OUT_OF_RANGE, "reserves[3].ltv_bps"):
        MarketPreset.from_dict({**data, "reserves": reserves})


def test_from_dict_reads_big_ints_from_digit_strings() -> None:
    # TOML integers stop at 2**63; a ray value can be written as a string.
    data = M.rate_strategy("weth_kink").to_dict()
    data["optimal_usage_ratio_ray"] = "900_000_000_000_000_000_000_000_000"
    data["variable_rate_slope1_spread_ray"] = "-1000000000000000000000000"
    assert RateStrategyPreset.from_dict(data) == M.rate_strategy("weth_kink")
    data["variable_rate_slope2_ray"] = "0.75e27"
    with _raises(ErrorCode.INVALID_TYPE, "variable_rate_slope2_ray"):
        RateStrategyPreset.from_dict(data)


def _replace_reserve(symbol: str, **changes: Any) -> tuple[ReservePreset, ...]:
    return tuple(dataclasses.replace(r, **changes) if r.symbol == symbol else r for r in M.reserves)


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        (  # a reserve naming a missing strategy
            {"reserves": _replace_reserve("WETH", rate_strategy="nope")},
            ErrorCode.INVALID_ID,
            "reserves[WETH].rate_strategy",
        ),
        (  # a reserve in an eMode that does not exist
            {"reserves": _replace_reserve("WETH", emode_category=9)},
            ErrorCode.INVALID_ID,
            "reserves[WETH].emode_category",
        ),
        (  # duplicate symbols
            {
                "reserves": (
                    *M.reserves,
                    dataclasses.replace(M.reserves[0], underlying=Address("0x" + "1" * 40)),
                )
            },
            ErrorCode.INVALID_ID,
            "reserves[18].symbol",
        ),
        (  # duplicate underlying
            {"reserves": (*M.reserves, dataclasses.replace(M.reserves[0], symbol="DAI2"))},
            ErrorCode.INVALID_ID,
            "reserves[18].underlying",
        ),
        (  # PoolConfigurator.setEModeCategory: eMode LT must exceed every member's LT
            {"reserves": _replace_reserve("WETH", liquidation_threshold_bps=9300)},
            ErrorCode.VALUE_OUT_OF_RANGE,
            "emodes[1].liquidation_threshold_bps",
        ),
        (  # ... and eMode LTV every member's LTV
            {"reserves": _replace_reserve("WETH", ltv_bps=9200, liquidation_threshold_bps=9250)},
            ErrorCode.VALUE_OUT_OF_RANGE,
            "emodes[1].ltv_bps",
        ),
        (  # a strategy naming a missing rate source
            {"rate_sources": M.rate_sources[1:]},
            ErrorCode.INVALID_ID,
            "rate_strategies[dai_usds_kink].rate_source",
        ),
        (  # a cap automator config for an asset the market does not list
            {
                "cap_automator_configs": (
                    CapAutomatorPreset(
                        asset="FOO",
                        side=CapSide.SUPPLY,
                        max_tokens=1,
                        gap_tokens=1,
                        increase_cooldown_s=0,
                    ),
                )
            },
            ErrorCode.INVALID_ID,
            "cap_automator_configs[FOO].asset",
        ),
        ({"as_of": "2026-4-23"}, ErrorCode.INVALID_TYPE, "as_of"),
        ({"sources": ()}, ErrorCode.MISSING_FIELD, None),
        (
            {"flash_loan_premium_total_bps": 10_001},
            ErrorCode.VALUE_OUT_OF_RANGE,
            "flash_loan_premium_total_bps",
        ),
        ({"reserves": list(M.reserves)}, ErrorCode.INVALID_TYPE, "reserves"),
    ],
)
def test_market_rejects(changes: dict[str, Any], code: ErrorCode, field: str | None) -> None:
    with _raises(code, field):
        dataclasses.replace(M, **changes)


def test_market_rejects_more_than_128_reserves() -> None:
    extra = tuple(
        dataclasses.replace(M.reserves[2], symbol=f"X{i}", underlying=Address(f"0x{i + 1:040x}"))
        for i in range(111)
    )
    with _raises(ErrorCode.LIMIT_EXCEEDED, "reserves"):
        dataclasses.replace(M, reserves=(*M.reserves, *extra))


@pytest.mark.parametrize(
    ("make", "code", "field"),
    [
        (
            lambda: EModePreset(
                category_id=0, label="X", ltv_bps=9000, liquidation_threshold_bps=9100,
                liquidation_bonus_bps=10100,
            ),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "category_id",
        ),
        (
            lambda: EModePreset(
                category_id=4, label="X", ltv_bps=9000, liquidation_threshold_bps=9100,
                liquidation_bonus_bps=10000,
            ),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "liquidation_bonus_bps",
        ),
        (
            lambda: RateStrategyPreset(
                name="k", kind=RateStrategyKind.RATE_TARGET_KINK, optimal_usage_ratio_ray=RAY,
                variable_rate_slope2_ray=0, base_variable_borrow_rate_ray=0, rate_source="SSR",
            ),
            ErrorCode.MISSING_FIELD,
            "variable_rate_slope1_spread_ray",
        ),
        (
            lambda: RateStrategyPreset(
                name="d", kind=RateStrategyKind.DEFAULT, optimal_usage_ratio_ray=RAY + 1,
                variable_rate_slope2_ray=0, base_variable_borrow_rate_ray=0,
                variable_rate_slope1_ray=0,
            ),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "optimal_usage_ratio_ray",
        ),
        (
            lambda: RateStrategyPreset(
                name="d", kind=RateStrategyKind.DEFAULT, optimal_usage_ratio_ray=RAY,
                variable_rate_slope2_ray=0, base_variable_borrow_rate_ray=0,
                variable_rate_slope1_ray=0, rate_source="SSR",
            ),
            ErrorCode.INVALID_TYPE,
            "rate_source",
        ),
        (
            lambda: RateSourcePreset(
                name="c", kind=RateSourceKind.CAPPED_FALLBACK, decimals=18, lower_bound=2,
                upper_bound=5, default_rate=6,
            ),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "default_rate",
        ),
        (
            lambda: RateSourcePreset(
                name="c", kind=RateSourceKind.CAPPED_FALLBACK, decimals=18, lower_bound=6,
                upper_bound=5, default_rate=5,
            ),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "lower_bound",
        ),
        (
            lambda: RateSourcePreset(name="s", kind=RateSourceKind.SSR, decimals=28),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "decimals",
        ),
        (
            lambda: KillSwitchPreset(
                feed="x", oracle=Address("0x" + "1" * 40), threshold=0, threshold_decimals=18,
                active=True, set_by="x",
            ),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "threshold",
        ),
        (
            lambda: CapAutomatorPreset(
                asset="WETH", side=CapSide.SUPPLY, max_tokens=0, gap_tokens=1,
                increase_cooldown_s=0,
            ),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "max_tokens",
        ),
        (
            lambda: CapAutomatorPreset(
                asset="WETH", side=CapSide.SUPPLY, max_tokens=1, gap_tokens=1,
                increase_cooldown_s=2**48,
            ),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "increase_cooldown_s",
        ),
    ],
)  # fmt: skip
def test_records_reject(make: Any, code: ErrorCode, field: str) -> None:
    with _raises(code, field):
        make()


def test_enum_names_are_checked_on_load() -> None:
    data = M.cap_automator_configs[0].to_dict()
    assert data["side"] == "SUPPLY"
    with _raises(ErrorCode.INVALID_TYPE, "side"):
        CapAutomatorPreset.from_dict({**data, "side": "supply"})
