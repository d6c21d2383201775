"""Offchain Collateralized Lending (Atlas A.6.1.1.1.3.8, spec/spark-prime.md §1.11): the LTV
tiers per asset, the status ladder, the 24 h cure, withdrawals below initial LTV, 6-month terms,
the floor and cross-default."""

from __future__ import annotations

import datetime
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.ocl_policy import ocl_policy
from sparkprime.prime.ocl_policy import (
    NO_COLLATERAL_LTV_BPS,
    OclAction,
    OclAssessment,
    OclAssetTier,
    OclStatus,
    assess_ocl,
    ltv_bps,
    max_withdrawable,
    ocl_status,
)

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
M = 1_000_000
E18 = 10**18
DAY = 86_400

# spec §1.11 table: symbols, initial / maintenance / liquidation %, limit $M (None = unlimited)
TIERS = [
    ("BTC", {"BTC", "cbBTC", "LBTC", "WBTC"}, 80, 85, 90, None, {}),
    ("ETH", {"ETH", "WETH", "stETH", "weETH", "lsETH", "ETH_NATIVE_STAKING"}, 70, 85, 90, None, {}),
    ("XRP", {"XRP"}, 60, 70, 80, 25, {}),
    ("SOL", {"SOL", "JitoSOL", "SOL_NATIVE_STAKING"}, 70, 80, 85, 100, {}),
    ("HYPE", {"HYPE", "kHYPE", "HYPE_NATIVE_STAKING"}, 60, 70, 80, 25, {}),
    ("GOLD", {"XAUT", "PAXG", "XAUM"}, 80, 85, 90, 500, {"XAUM": 50}),
]


@pytest.mark.parametrize("row", TIERS, ids=[t[0] for t in TIERS])
def test_tier_table(row):
    name, members, initial, maintenance, liquidation, limit, member_limits = row
    policy = ocl_policy()
    for symbol in members:
        tier = policy.tier_of(symbol)
        assert tier.name == name
        assert set(tier.members) == members
        assert tier.initial_ltv_bps == initial * 100
        assert tier.maintenance_ltv_bps == maintenance * 100
        assert tier.liquidation_ltv_bps == liquidation * 100
        assert tier.exposure_limit_usd_wad == (None if limit is None else limit * M * E18)
        assert dict(tier.member_limits_usd_wad) == {
            k: v * M * E18 for k, v in member_limits.items()
        }
        # The ladder at each boundary: at a tier is still the lower state.
        assert ocl_status(maintenance * 100, tier) is OclStatus.OK
        assert ocl_status(maintenance * 100 + 1, tier) is OclStatus.MARGIN_CALL
        assert ocl_status(liquidation * 100, tier) is OclStatus.MARGIN_CALL
        assert ocl_status(liquidation * 100 + 1, tier) is OclStatus.LIQUIDATABLE


def test_other_terms():
    policy = ocl_policy()
    assert policy.cure_period_s == 24 * 3600
    assert policy.cross_default is True
    assert policy.venues[0].name == "Anchorage"
    assert policy.venues[0].limit_usd_wad == 1_000 * M * E18
    assert policy.collateral_agent == "Anchorage Innovations"
    assert policy.collateral_agent_limit_usd_wad == 1_000 * M * E18
    at = datetime.date(2026, 8, 1)
    assert policy.rate_floor_bps(at=at, ssr_bps=450, sofr_bps=430) == 480  # SSR + 0.3%
    assert policy.rate_floor_bps(at=at, ssr_bps=400, sofr_bps=440) == 440  # SOFR + 0%
    with pytest.raises(ProtocolError) as err:
        policy.rate_floor_bps(at=datetime.date(2026, 1, 1), ssr_bps=450, sofr_bps=430)
    assert err.value.code is ErrorCode.PRIME_NO_RATE_FLOOR_IN_FORCE


def test_unknown_collateral_and_term():
    policy = ocl_policy()
    for symbol in ("DOGE", "btc", "USDC", "wstETH"):
        with pytest.raises(ProtocolError) as err:
            policy.tier_of(symbol)
        assert err.value.code is ErrorCode.OCL_UNKNOWN_ASSET
    policy.check_fixed_term(183 * DAY)  # six months
    policy.check_fixed_term(30 * DAY)
    with pytest.raises(ProtocolError) as err:
        policy.check_fixed_term(183 * DAY + 1)
    assert err.value.code is ErrorCode.OCL_TERM_TOO_LONG


def test_ltv_rounds_up():
    assert ltv_bps(80 * E18, 100 * E18) == 8000
    assert ltv_bps(80 * E18 + 1, 100 * E18) == 8001  # 8000.0000...1 bps rounds up
    assert ltv_bps(0, 0) == 0
    assert ltv_bps(1, 0) == NO_COLLATERAL_LTV_BPS
    tier = ocl_policy().tier_of("BTC")
    assert ocl_status(ltv_bps(85 * E18, 100 * E18), tier) is OclStatus.OK
    assert ocl_status(ltv_bps(85 * E18 + 1, 100 * E18), tier) is OclStatus.MARGIN_CALL
    assert ocl_status(ltv_bps(1, 0), tier) is OclStatus.LIQUIDATABLE


BTC = ocl_policy().tier_of("BTC")  # 80 / 85 / 90


def _assess(ltv: int, now: int, since: int | None) -> OclAssessment:
    return assess_ocl(
        ltv=ltv, tier=BTC, cure_period_s=DAY, now_ts_s=now, margin_call_since_ts_s=since
    )


def test_cure_period_ladder():
    t0 = 1_000_000
    assert _assess(8500, t0, None).action is OclAction.NONE
    call = _assess(8600, t0, None)
    assert call.action is OclAction.OPEN_MARGIN_CALL
    assert call.margin_call_since_ts_s == t0
    assert call.cure_deadline_ts_s == t0 + DAY
    # Back below maintenance but above initial: the call stays open.
    still = _assess(8200, t0 + 3600, t0)
    assert still.action is OclAction.KEEP_MARGIN_CALL
    assert still.status is OclStatus.OK
    assert still.cure_deadline_ts_s == t0 + DAY
    # Restoring <= initial cures it.
    cured = _assess(8000, t0 + 3600, t0)
    assert cured.action is OclAction.CURED
    assert cured.margin_call_since_ts_s is None
    # At the deadline the borrower still has time; one second later: liquidation.
    assert _assess(8200, t0 + DAY, t0).action is OclAction.KEEP_MARGIN_CALL
    assert _assess(8200, t0 + DAY + 1, t0).action is OclAction.LIQUIDATE
    # Cured exactly at the deadline counts.
    assert _assess(7999, t0 + DAY, t0).action is OclAction.CURED
    # Above liquidation: at once, call or no call.
    assert _assess(9001, t0, None).action is OclAction.LIQUIDATE
    assert _assess(9001, t0 + 1, t0).action is OclAction.LIQUIDATE
    with pytest.raises(ProtocolError):
        _assess(8600, t0 - 1, t0)


def test_max_withdrawable_worked_example():
    # 2 BTC at $100,000 (8 decimals) against $120,000 debt: LTV 60 %. Keep value V with
    # 120,000 / V < 80 %, i.e. V > $150,000: keep 1.5 BTC + 1 sat, withdraw 0.5 BTC - 1 sat.
    debt = 120_000 * E18
    price = 100_000 * 10**8
    out = max_withdrawable(
        debt_usd_wad=debt, collateral_qty=2 * 10**8, price_usd_e8=price, decimals=8, tier=BTC
    )
    assert out == 50_000_000 - 1
    assert (
        max_withdrawable(debt_usd_wad=0, collateral_qty=7, price_usd_e8=price, decimals=8, tier=BTC)
        == 7
    )
    assert (
        max_withdrawable(
            debt_usd_wad=debt, collateral_qty=10**8, price_usd_e8=price, decimals=8, tier=BTC
        )
        == 0
    )  # LTV 120 %: nothing leaves
    assert (
        max_withdrawable(
            debt_usd_wad=debt, collateral_qty=10**8, price_usd_e8=0, decimals=8, tier=BTC
        )
        == 0
    )


def _value(qty: int, price: int, decimals: int) -> int:
    scale: int = 10**decimals
    return qty * price * 10**10 // scale


@settings(max_examples=200 * FUZZ, deadline=None)
@given(
    debt=st.integers(0, 10**27),
    qty=st.integers(0, 10**24),
    price=st.integers(1, 10**14),
    decimals=st.sampled_from([6, 8, 18]),
    initial=st.integers(1, 10_000),
)
def test_max_withdrawable_is_the_exact_bound(debt, qty, price, decimals, initial):
    tier = OclAssetTier(
        name="X",
        members=("X",),
        initial_ltv_bps=initial,
        maintenance_ltv_bps=initial,
        liquidation_ltv_bps=initial,
    )
    out = max_withdrawable(
        debt_usd_wad=debt, collateral_qty=qty, price_usd_e8=price, decimals=decimals, tier=tier
    )
    assert 0 <= out <= qty
    rest = qty - out
    if out > 0 and debt > 0:
        # After the withdrawal LTV is strictly below initial (exact cross-multiplication).
        assert debt * 10_000 < initial * _value(rest, price, decimals)
    if out < qty and debt > 0:
        # One more base unit would break it.
        assert debt * 10_000 >= initial * _value(rest - 1, price, decimals)


def test_bad_tiers_rejected():
    with pytest.raises(ProtocolError) as err:
        OclAssetTier(
            name="X",
            members=("X",),
            initial_ltv_bps=8600,
            maintenance_ltv_bps=8500,
            liquidation_ltv_bps=9000,
        )
    assert err.value.code is ErrorCode.PRIME_POLICY_INVALID
    with pytest.raises(ProtocolError):
        OclAssetTier(
            name="X",
            members=("X",),
            initial_ltv_bps=8000,
            maintenance_ltv_bps=8500,
            liquidation_ltv_bps=10_001,
        )
    with pytest.raises(ProtocolError):
        OclAssetTier(
            name="X",
            members=("X",),
            initial_ltv_bps=8000,
            maintenance_ltv_bps=8500,
            liquidation_ltv_bps=9000,
            member_limits_usd_wad={"Y": 1},
        )
