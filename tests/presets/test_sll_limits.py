"""SLL limits preset: every figure of spec/spark-prime.md §1.8, §3.2, §3.3 with the spells'
unit conversion (sparkdotfi/spark-spells: `maxAmount: 50_000_000e6, slope: 50_000_000e6 /
uint256(1 days)`), as-of selection, key derivation, and rejection of bad data."""

from __future__ import annotations

import copy
import datetime
import tomllib
from importlib import resources
from typing import Any

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.sll_limits import (
    load_sll_limits,
    rate_limit_entries,
    sll_limits_preset,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_key,
    make_domain_key,
    make_limit_id,
)
from sparkprime.protocols.liquidity_layer.rate_limits import CONTROLLER, UNLIMITED, RateLimits
from sparkprime.protocols.sparklend.addresses import make_addr

DAY = 86_400
E6, E18 = 10**6, 10**18
M = 1_000_000


def _raw() -> dict[str, Any]:
    text = resources.files("sparkprime.presets").joinpath("data/sll_limits.toml").read_text()
    return tomllib.loads(text)


# (instance, spec name, max in base units or None for unlimited, slope per second)
ETHEREUM_TABLE = [
    ("sparklend_usds", "inflow", 200 * M * E18, 400 * M * E18 // DAY),
    ("sparklend_usdc", "inflow", 100 * M * E6, 200 * M * E6 // DAY),
    ("sparklend_dai", "inflow", 100 * M * E18, 50 * M * E18 // DAY),
    ("sparklend_usdt", "inflow", 500 * M * E6, 2_000 * M * E6 // DAY),
    ("sparklend_pyusd", "inflow", 100 * M * E6, 100 * M * E6 // DAY),
    ("sparklend_weth", "inflow", 50_000 * E18, 250_000 * E18 // DAY),
    ("aave_prime_usds", "inflow", 0, 50 * M * E18 // DAY),
    ("aave_core_usdc", "inflow", 0, 25 * M * E6 // DAY),
    ("aave_core_usds", "inflow", 0, 25 * M * E18 // DAY),
    ("aave_core_usdt", "inflow", 0, 0),
    ("aave_core_usdt", "outflow", 0, 0),
    ("aave_usde", "inflow", 250 * M * E18, 100 * M * E18 // DAY),
    ("maple_syrupusdc", "inflow", 100 * M * E6, 20 * M * E6 // DAY),
    ("maple_syrupusdt", "inflow", 50 * M * E6, 100 * M * E6 // DAY),
    ("ethena_usde", "mint", 250 * M * E6, 100 * M * E6 // DAY),
    ("ethena_usde", "burn", 500 * M * E18, 200 * M * E18 // DAY),
    ("ethena_susde", "inflow", 250 * M * E18, 100 * M * E18 // DAY),
    ("fluid_fsusds", "inflow", 0, 5 * M * E18 // DAY),
    ("fluid_fsusds", "outflow", 0, 5 * M * E18 // DAY),
    ("morpho_dai", "inflow", 200 * M * E18, 100 * M * E18 // DAY),
    ("morpho_usds", "inflow", 200 * M * E18, 100 * M * E18 // DAY),
    ("morpho_usdc", "inflow", 50 * M * E6, 25 * M * E6 // DAY),
    ("morpho_usdt", "inflow", 0, 1_000 * M * E6 // DAY),
    ("morpho_spark_blue_chip_usdt", "inflow", 100 * M * E6, 1_000 * M * E6 // DAY),
    ("curve_susds_usdt", "deposit", 5 * M * E18, 20 * M * E18 // DAY),
    ("curve_susds_usdt", "withdraw", 5 * M * E18, 20 * M * E18 // DAY),
    ("curve_susds_usdt", "swap", 10 * M * E18, 200 * M * E18 // DAY),
    ("curve_pyusd_usds", "deposit", 5 * M * E18, 50 * M * E18 // DAY),
    ("curve_pyusd_usds", "withdraw", 5 * M * E18, 100 * M * E18 // DAY),
    ("curve_pyusd_usds", "swap", 5 * M * E18, 50 * M * E18 // DAY),
    ("uniswap_v4_pyusd_usds", "deposit", 10 * M * E18, 100 * M * E18 // DAY),
    ("uniswap_v4_usdt_usds", "deposit", 5 * M * E18, 50 * M * E18 // DAY),
    ("uniswap_v4_pyusd_usds", "withdraw", 50 * M * E18, 200 * M * E18 // DAY),
    ("uniswap_v4_pyusd_usds", "swap", 5 * M * E18, 50 * M * E18 // DAY),
    ("uniswap_v4_usdt_usds", "swap", 25 * M * E18, 250 * M * E18 // DAY),
    ("paxos", "usdc_to_pyusd", 5 * M * E6, 50 * M * E6 // DAY),
    ("paxos", "pyusd_to_usdc", 5 * M * E6, 200 * M * E6 // DAY),
    ("anchorage", "transfer_usat", 50 * M * E6, 250 * M * E6 // DAY),
    ("anchorage", "transfer_usdt", 50 * M * E6, 250 * M * E6 // DAY),
    ("anchorage", "transfer_usdc", 50 * M * E6, 250 * M * E6 // DAY),
    ("binance", "otc_swap", 5 * M * E18, 100 * M * E18 // DAY),
    ("arkis", "inflow", 5 * M * E6, 5 * M * E6 // DAY),
    # SLLG globals (§3.2)
    ("ethereum_core", "usds_mint", 1_000 * M * E18, 1_000 * M * E18 // DAY),
    ("ethereum_core", "usds_burn", 0, 0),
    ("ethereum_core", "usds_to_usdc", 1_000 * M * E6, 1_000 * M * E6 // DAY),
    ("ethereum_core", "usdc_to_cctp_ethereum", 200 * M * E6, 500 * M * E6 // DAY),
    ("ethereum_core", "usdc_to_domain_base", 4 * M * E6, 2 * M * E6 // DAY),
    ("ethereum_core", "usdc_to_domain_avalanche", 100 * M * E6, 50 * M * E6 // DAY),
    ("base_psm3", "usdc_to_cctp_base", 200 * M * E6, 500 * M * E6 // DAY),
    ("base_psm3", "usdc_to_domain_ethereum", 4 * M * E6, 2 * M * E6 // DAY),
    ("base_psm3", "psm_deposit_usdc", 50 * M * E6, 50 * M * E6 // DAY),
    ("base_psm3", "psm_withdraw_usdc", 50 * M * E6, 50 * M * E6 // DAY),
    ("arbitrum_psm3", "psm_deposit_susds", 10 * M * E18, 5 * M * E18 // DAY),
    ("arbitrum_psm3", "usdt_to_domain_arbitrum", 5 * M * E6, 50 * M * E6 // DAY),
]

UNLIMITED_TABLE = [
    ("sparklend_usds", "outflow"),
    ("sparklend_usdc", "outflow"),
    ("sparklend_dai", "outflow"),
    ("sparklend_usdt", "outflow"),
    ("sparklend_pyusd", "outflow"),
    ("sparklend_weth", "outflow"),
    ("aave_usde", "outflow"),
    ("maple_syrupusdc", "outflow"),
    ("maple_syrupusdt", "outflow"),
    ("morpho_usdt", "outflow"),
    ("morpho_spark_blue_chip_usdt", "outflow"),
    ("arkis", "outflow"),
    ("spark_savings_v2", "take_spusdc"),
    ("spark_savings_v2", "take_spusdt"),
    ("spark_savings_v2", "take_speth"),
    ("spark_savings_v2", "take_sppyusd"),
    ("spark_savings_v2", "transfer_spusdc"),
    ("base_psm3", "psm_deposit_usds"),
    ("base_psm3", "psm_withdraw_susds"),
    ("arbitrum_psm3", "psm_withdraw_susds"),
    ("avalanche_psm3", "psm_deposit_usdc"),
    ("avalanche_psm3", "psm_withdraw_usdc"),
]


@pytest.mark.parametrize(("instance", "name", "max_amount", "slope"), ETHEREUM_TABLE)
def test_every_figure_with_the_spells_conversion(instance, name, max_amount, slope):
    spec = sll_limits_preset().instance(instance).rate_limit(name)
    assert (spec.max_amount, spec.slope_per_s, spec.unlimited) == (max_amount, slope, False)


@pytest.mark.parametrize(("instance", "name"), UNLIMITED_TABLE)
def test_unlimited_keys_are_uint256_max_with_zero_slope(instance, name):
    spec = sll_limits_preset().instance(instance).rate_limit(name)
    assert (spec.max_amount, spec.slope_per_s, spec.unlimited) == (UNLIMITED, 0, True)


def test_slope_rounds_down_like_solidity_division():
    # 5M USDC/day: 5e12 / 86400 = 57,870,370.37... -> 57,870,370 (the spells' `/ 1 days`).
    spec = sll_limits_preset().instance("arkis").rate_limit("inflow")
    assert spec.slope_per_s == 57_870_370
    assert spec.slope_per_s * DAY < 5_000_000 * E6 < (spec.slope_per_s + 1) * DAY


def test_slippage_and_otc_recharge():
    limits = sll_limits_preset()
    assert limits.instance("curve_susds_usdt").rate_limit("deposit").max_slippage_bps == 15
    assert limits.instance("curve_susds_usdt").rate_limit("swap").max_slippage_bps == 25
    assert limits.instance("curve_pyusd_usds").rate_limit("swap").max_slippage_bps == 20
    otc = limits.instance("binance").rate_limit("otc_swap")
    assert (otc.max_slippage_bps, otc.recharge_per_s) == (20, 50_000 * E18 // DAY)


def test_global_parameters():
    g = sll_limits_preset().global_params
    assert g.encumbrance_ratio_max_bps == 9000
    assert (g.breach_low_from_bps, g.breach_high_above_bps) == (10000, 10300)
    assert (g.penalty_min_apy_bps, g.penalty_max_apy_bps) == (50_000, 300_000)
    assert g.mainnet_min_operation_size_tokens == 500_000
    assert g.debt_ceiling_buffer_tokens == 10_000
    assert g.base_min_operation_size_tokens == 100_000
    assert (
        g.base_usdc_min_balance_tokens,
        g.base_usdc_optimal_balance_tokens,
        g.base_usdc_max_balance_tokens,
    ) == (800_000, 800_000, 800_000)
    assert g.prime_relayer_threshold == (1, 2)
    assert g.core_operator_relayer_threshold == (2, 5)
    assert g.freezer_threshold == (1, 4)


def test_arkis_instance_now():
    arkis = sll_limits_preset().instance("arkis")
    assert (arkis.chain, arkis.protocol) == ("ethereum", "Arkis")
    assert arkis.max_exposure_usd == 50_000_000
    assert arkis.capital_ratio_bps == 5000
    assert arkis.token == "0x377c3bd93f2a2984e1e7be6a5c22c525ed4a4815"
    assert arkis.underlying == "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"  # USDC


@pytest.mark.parametrize(
    ("day", "exposure", "ratio"),
    [
        (datetime.date(2025, 12, 15), 20_000_000, 10000),
        (datetime.date(2026, 3, 26), 20_000_000, 10000),
        (datetime.date(2026, 3, 27), 50_000_000, 5000),
        (datetime.date(2026, 7, 20), 50_000_000, 5000),
    ],
)
def test_arkis_history_replays_by_date(day, exposure, ratio):
    limits = sll_limits_preset(day)
    assert limits.as_of == day
    arkis = limits.instance("arkis")
    assert (arkis.max_exposure_usd, arkis.capital_ratio_bps) == (exposure, ratio)


def test_arkis_absent_before_it_was_added():
    limits = sll_limits_preset(datetime.date(2025, 12, 14))
    with pytest.raises(ProtocolError) as exc:
        limits.instance("arkis")
    assert exc.value.code is ErrorCode.INVALID_ID
    assert limits.instance("sparklend_usdc").rate_limit("inflow").max_amount == 100 * M * E6


def test_entries_derive_keys_like_rate_limit_helpers():
    limits = sll_limits_preset()
    entries = rate_limit_entries(limits.instance("sparklend_usdc"))
    assert entries[0] == (
        make_asset_key(make_limit_id("LIMIT_AAVE_DEPOSIT"), make_addr("spUSDC")),
        100 * M * E6,
        200 * M * E6 // DAY,
    )
    core = dict(
        zip(
            [s.name for s in limits.instance("ethereum_core").rate_limits],
            rate_limit_entries(limits.instance("ethereum_core")),
            strict=True,
        )
    )
    assert core["usds_mint"][0] == make_limit_id("LIMIT_USDS_MINT")
    assert core["usdc_to_domain_base"][0] == make_domain_key(
        make_limit_id("LIMIT_USDC_TO_DOMAIN"), 6
    )
    custom = rate_limit_entries(limits.instance("sparklend_usdc"), key_for=lambda _: make_addr("x"))
    assert custom[0][0] == make_asset_key(make_limit_id("LIMIT_AAVE_DEPOSIT"), make_addr("x"))


def test_entries_load_into_rate_limits():
    # One RateLimits per chain; within a chain every key is distinct.
    clock = Clock(start_ts_s=1_000)
    admin, controller = make_addr("admin"), make_addr("controller")
    limits = sll_limits_preset()
    chains: dict[str, RateLimits] = {}
    keys: dict[str, set[str]] = {}
    for inst in limits.instances:
        if inst.chain not in chains:
            chains[inst.chain] = RateLimits(admin, clock=clock)
            chains[inst.chain].grant_role(CONTROLLER, controller, sender=admin)
        for key, max_amount, slope in rate_limit_entries(inst):
            chains[inst.chain].set_rate_limit_data(key, max_amount, slope, sender=admin)
            keys.setdefault(inst.chain, set()).add(key)
    for chain, chain_keys in keys.items():
        count = sum(len(i.rate_limits) for i in limits.instances if i.chain == chain)
        assert len(chain_keys) == count, chain
    assert set(chains) == {"ethereum", "base", "arbitrum", "avalanche"}
    rl = chains["ethereum"]
    (inflow_key, _, _), (outflow_key, _, _) = rate_limit_entries(limits.instance("arkis"))
    assert rl.trigger_rate_limit_decrease(inflow_key, 5 * M * E6, sender=controller) == 0
    clock.skip(DAY)
    assert rl.get_current_rate_limit(inflow_key) == 57_870_370 * DAY  # refilled, not yet full
    assert rl.get_current_rate_limit(outflow_key) == UNLIMITED


# --- bad data ---


def _mutated(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(_raw())
    node = data
    for step in path[:-1]:
        node = node[step]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        (["instance", 0, "rate_limits", 0, "colour"], "red", ErrorCode.UNKNOWN_FIELD),
        (["global", "extra"], 1, ErrorCode.UNKNOWN_FIELD),
        (["surprise"], {}, ErrorCode.UNKNOWN_FIELD),
        (["instance", 0, "rate_limits", 0, "max"], _DELETE, ErrorCode.MISSING_FIELD),
        (["instance", 0, "rate_limits", 0, "max"], "1000", ErrorCode.INVALID_TYPE),
        (["instance", 0, "rate_limits", 0, "max"], -1, ErrorCode.VALUE_OUT_OF_RANGE),
        (["instance", 0, "rate_limits", 0, "max"], 2**256, ErrorCode.VALUE_OUT_OF_RANGE),
        (
            ["instance", 0, "rate_limits", 0, "slope_per_day"],
            "unlimited",
            ErrorCode.VALUE_OUT_OF_RANGE,
        ),
        (["instance", 0, "rate_limits", 0, "key"], "hash", ErrorCode.INVALID_TYPE),
        (["instance", 0, "rate_limits", 0, "unit"], "XYZ", ErrorCode.INVALID_ID),
        (["instance", 0, "rate_limits", 0, "target"], "spUSDS", ErrorCode.UNKNOWN_FIELD),
        (["instance", 1, "rate_limits", 0, "target"], _DELETE, ErrorCode.MISSING_FIELD),
        (["instance", 0, "rate_limits", 4, "domain"], 2**32, ErrorCode.VALUE_OUT_OF_RANGE),
        (["global", "encumbrance_ratio_max_bps"], 10_001, ErrorCode.VALUE_OUT_OF_RANGE),
        (["global", "encumbrance_ratio_max_bps"], 90.0, ErrorCode.INVALID_TYPE),
        (["global", "freezer_threshold"], [5, 4], ErrorCode.VALUE_OUT_OF_RANGE),
        (["global", "freezer_threshold"], 1, ErrorCode.INVALID_TYPE),
        (["units", "USDC"], 37, ErrorCode.VALUE_OUT_OF_RANGE),
        (
            ["instance", -1, "history", 1, "as_of"],
            datetime.date(2025, 1, 1),
            ErrorCode.VALUE_OUT_OF_RANGE,
        ),
        (["instance", -1, "history", 1, "capital_ratio_bps"], 10_001, ErrorCode.VALUE_OUT_OF_RANGE),
        (["instance", -1, "history", 1, "as_of"], "2026-03-27", ErrorCode.INVALID_TYPE),
        (["instance", -1, "token"], "0x1234", ErrorCode.INVALID_ID),
        (["instance", -1, "rate_limits", 1, "name"], "inflow", ErrorCode.INVALID_ID),
        (["instance", 1, "name"], "ethereum_core", ErrorCode.INVALID_ID),
        (
            ["instance", 0, "rate_limits", 0, "max_slippage_bps"],
            10_001,
            ErrorCode.VALUE_OUT_OF_RANGE,
        ),
    ],
)
def test_bad_data_is_rejected(path, value, code):
    with pytest.raises(ProtocolError) as exc:
        load_sll_limits(_mutated(path, value))
    assert exc.value.code is code


def test_the_shipped_data_loads_unchanged():
    assert load_sll_limits(_raw()) == sll_limits_preset()
