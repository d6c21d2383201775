"""The SparkLend Ethereum preset loaded into a live, journaled market."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.uint import UINT256_MAX
from sparkprime.ledger import Ledger, MemoryJournalStore
from sparkprime.presets import sparklend_ethereum_preset
from sparkprime.presets.sparklend_market import load_sparklend_market, sparklend_market_commands
from sparkprime.protocols.sparklend import market_commands as mc
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.market import POOL_ADDRESS, SparkLendMarket

ADMIN = make_addr("spark-governance")
START_TS_S = 1_776_902_400  # 2026-04-23T00:00:00Z, the preset's as-of date
PRESET = sparklend_ethereum_preset()
# Illustrative prices (USD, 8 decimals); the test only needs them positive and consistent.
PRICES = {r.symbol: 1_00000000 for r in PRESET.reserves} | {
    "WETH": 3_000_00000000,
    "wstETH": 3_600_00000000,
    "rETH": 3_400_00000000,
    "weETH": 3_200_00000000,
    "rsETH": 3_100_00000000,
    "ezETH": 3_100_00000000,
    "WBTC": 90_000_00000000,
    "cbBTC": 90_000_00000000,
    "LBTC": 90_000_00000000,
    "tBTC": 90_000_00000000,
    "GNO": 150_00000000,
    "sDAI": 1_15000000,
    "sUSDS": 1_05000000,
}
SSR_RAY = 1_000_000_001_243_680_656_318_820_312  # per-second rate for about 4% a year
RATES = {"SSR": SSR_RAY, "LST": 3 * 10**16}


def _market() -> SparkLendMarket:
    return load_sparklend_market(
        PRESET, start_ts_s=START_TS_S, admin=ADMIN, prices_usd_e8=PRICES, rate_values=RATES
    )


def test_every_reserve_is_listed_with_the_preset_parameters():
    pool = _market().pool
    assert pool.get_reserves_list() == [r.underlying for r in PRESET.reserves]
    for r in PRESET.reserves:
        config = pool.get_configuration(r.underlying)
        got = (
            config.get_ltv(),
            config.get_liquidation_threshold(),
            config.get_liquidation_bonus(),
            config.get_decimals(),
            config.get_reserve_factor(),
            config.get_liquidation_protocol_fee(),
            config.get_emode_category(),
            config.get_supply_cap(),
            config.get_borrow_cap(),
            config.get_debt_ceiling(),
            config.get_borrowing_enabled(),
            config.get_borrowable_in_isolation(),
            config.get_siloed_borrowing(),
            config.get_flash_loan_enabled(),
            config.get_active(),
            config.get_frozen(),
            config.get_paused(),
        )
        want = (
            r.ltv_bps,
            r.liquidation_threshold_bps,
            r.liquidation_bonus_bps,
            r.decimals,
            r.reserve_factor_bps,
            r.liquidation_protocol_fee_bps,
            r.emode_category,
            r.supply_cap_tokens,
            r.borrow_cap_tokens,
            r.debt_ceiling_usd_e2,
            r.borrowing_enabled,
            r.borrowable_in_isolation,
            r.siloed_borrowing,
            r.flash_loan_enabled,
            r.is_active,
            r.is_frozen,
            r.is_paused,
        )
        assert got == want, r.symbol


def test_emodes_premiums_and_live_rates():
    market = _market()
    pool = market.pool
    for e in PRESET.emodes:
        category = pool.get_emode_category_data(e.category_id)
        assert (category.ltv, category.liquidation_threshold, category.liquidation_bonus) == (
            e.ltv_bps,
            e.liquidation_threshold_bps,
            e.liquidation_bonus_bps,
        )
    assert (pool.FLASHLOAN_PREMIUM_TOTAL(), pool.FLASHLOAN_PREMIUM_TO_PROTOCOL()) == (0, 0)
    usdc = next(r.underlying for r in PRESET.reserves if r.symbol == "USDC")
    strategy = pool.get_reserve_data(usdc).interest_rate_strategy
    ssr_apr_ray = (SSR_RAY - RAY) * 365 * 86_400
    # USDC's Kink: the rate at the kink is SSR + 1.25% (spec §3).
    assert strategy.get_variable_rate_slope1() == ssr_apr_ray + 125 * RAY // 10_000  # type: ignore[attr-defined]


def test_a_borrower_uses_the_loaded_market_through_the_journal():
    preset_cmds = sparklend_market_commands(
        PRESET, admin=ADMIN, prices_usd_e8=PRICES, rate_values=RATES
    )
    ledger = Ledger.create(
        MemoryJournalStore(), SparkLendMarket.create(start_ts_s=START_TS_S, admin=ADMIN)
    )
    for cmd in preset_cmds:
        ledger.submit(cmd)
    weth = next(r.underlying for r in PRESET.reserves if r.symbol == "WETH")
    usdc = next(r.underlying for r in PRESET.reserves if r.symbol == "USDC")
    lp, fund = make_addr("lp"), make_addr("fund")
    for who, asset, amount in ((lp, usdc, 5_000_000 * 10**6), (fund, weth, 100 * 10**18)):
        ledger.submit(mc.Deal(asset=asset, to=who, amount=amount))
        ledger.submit(
            mc.ApproveUnderlying(asset=asset, spender=POOL_ADDRESS, amount=UINT256_MAX, sender=who)
        )
        ledger.submit(mc.Supply(asset=asset, amount=amount, on_behalf_of=who, sender=who))
    ledger.submit(
        mc.Borrow(
            asset=usdc, amount=200_000 * 10**6, interest_rate_mode=2, on_behalf_of=fund, sender=fund
        )
    )
    data = ledger.machine.pool.get_user_account_data(fund)
    assert data.total_collateral_base == 300_000 * 10**8
    assert data.ltv == 8_500  # WETH's LTV in the preset
    # 300,000 * 86% / 200,000 = 1.29
    assert data.health_factor == 300_000 * 8_600 * 10**18 // (200_000 * 10_000)
    back = Ledger.open(ledger._store, SparkLendMarket)
    assert back.state_hash() == ledger.state_hash()


def test_missing_prices_or_rates_are_named():
    with pytest.raises(ProtocolError) as info:
        sparklend_market_commands(PRESET, admin=ADMIN, prices_usd_e8={"WETH": 1}, rate_values={})
    assert info.value.code is ErrorCode.MISSING_FIELD
    assert "price USDC" in info.value.context["fields"]
    assert "rate SSR" in info.value.context["fields"]
