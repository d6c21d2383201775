"""Atlas A.6.1.1.1.3.7 as data: every haircut group, venue, floor and date of
spec/spark-prime.md §1.3-1.5 and §1.10 (sky-ecosystem/next-gen-atlas, P7 = content/A/6/1/1/1/3/7,
snapshot 4101dc75), read back from the preset and checked against the spec's own table."""

from __future__ import annotations

import datetime

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.atlas_policy import (
    ARKIS_POOL_ID,
    atlas_policy,
    atlas_policy_history,
)
from sparkprime.prime.policy import Side, VenueKind

M = 1_000_000
E18 = 10**18
OLD_DAY = datetime.date(2026, 7, 8)  # the day before SAEP-15
NEW_DAY = datetime.date(2026, 7, 9)

# spec §1.3 (P7/2/2/2/1..19): id, name, long %, short %, pegged, members, group limit $,
# per-member limits $, share of supply %, derivatives only.
GROUPS = [
    (1, "BTC", 20, 20, False, {"BTC", "LBTC", "cbBTC", "WBTC"}, None, {"LBTC": 100}, None, False),
    (
        2,
        "ETH",
        20,
        20,
        False,
        {"ETH", "WETH", "stETH", "wstETH", "weETH", "ETH_NATIVE_STAKING"},
        None,
        {"weETH": 250, "ETH_NATIVE_STAKING": 250},
        None,
        False,
    ),
    (3, "XRP", 20, 20, False, {"XRP"}, 50, {}, None, False),
    (
        4,
        "SOL",
        20,
        20,
        False,
        {"SOL", "JitoSOL", "BNSOL", "BBSOL", "OKSOL", "SOL_NATIVE_STAKING"},
        100,
        {},
        None,
        False,
    ),
    (5, "DOGE", 25, 25, False, {"DOGE"}, 25, {}, None, False),
    (6, "ADA", 25, 25, False, {"ADA"}, 25, {}, None, False),
    (
        7,
        "HYPE",
        25,
        25,
        False,
        {"HYPE", "kHYPE", "stHYPE", "HYPE_NATIVE_STAKING"},
        50,
        {},
        None,
        False,
    ),
    (8, "ZEC", 30, 30, False, {"ZEC"}, 20, {}, None, False),
    (9, "AVAX", 30, 30, False, {"AVAX", "sAVAX", "AVAX_NATIVE_STAKING"}, 20, {}, None, False),
    (10, "SUI", 30, 30, False, {"SUI", "SUI_NATIVE_STAKING"}, 20, {}, None, False),
    (11, "NEAR", 30, 30, False, {"NEAR", "NEAR_NATIVE_STAKING"}, 20, {}, None, False),
    (12, "USDe", 10, 0, True, {"USDe", "sUSDe"}, 500, {}, None, False),
    (13, "USDT", 0, 0, True, {"USDT", "spUSDT"}, None, {}, None, False),
    (14, "USDC", 0, 0, True, {"USDC", "spUSDC", "sUSDC"}, None, {}, None, False),
    (
        15,
        "USD_STABLES_RESERVED",
        5,
        0,
        True,
        {"PYUSD", "USDG", "RLUSD", "USDtb"},
        None,
        {},
        20,
        False,
    ),
    (16, "NON_USD_STABLES_RESERVED", 10, 10, False, {"EURC", "EURCV", "EURe"}, None, {}, 20, False),
    (17, "GOLD", 10, 10, False, {"XAU", "XAUT", "PAXG", "XAUM"}, 500, {"XAUM": 50}, None, False),
    (18, "SILVER", 15, 15, False, {"XAG"}, 250, {}, None, True),
    (19, "OIL", 15, 15, False, {"BRENT", "WTI"}, 250, {}, None, True),
]

# spec §1.4 (P7/2/3/2): name, kind, limit $ (None = none), added by SAEP-15
VENUES = [
    ("Onchain", VenueKind.ONCHAIN, None, False),
    ("Binance", VenueKind.CEX, 100, False),
    ("OKX", VenueKind.CEX, 100, False),
    ("Bybit", VenueKind.CEX, 100, False),
    ("Bitget", VenueKind.CEX, 25, False),
    ("Hyperliquid", VenueKind.CEX, 50, False),
    ("Anchorage", VenueKind.CUSTODIAN, 100, False),
    ("Bitgo", VenueKind.CUSTODIAN, 100, False),
    ("Ceffu", VenueKind.CUSTODIAN, 100, True),
    ("Copper", VenueKind.CUSTODIAN, 100, True),
    ("Lighter", VenueKind.CEX, 25, True),
    ("Aster", VenueKind.CEX, 25, True),
]


def _usd(dollars_m: int | None) -> int | None:
    return None if dollars_m is None else dollars_m * M * E18


@pytest.mark.parametrize("row", GROUPS, ids=[g[1] for g in GROUPS])
def test_current_haircut_group(row):
    (
        gid,
        name,
        long_pct,
        short_pct,
        pegged,
        members,
        limit,
        member_limits,
        share_pct,
        derivatives,
    ) = row
    policy = atlas_policy()
    group = next(g for g in policy.groups if g.group_id == gid)
    assert group.name == name
    assert group.haircut_long_bps == long_pct * 100
    assert group.haircut_short_bps == short_pct * 100
    assert group.pegged is pegged
    assert set(group.members) == members
    assert group.exposure_limit_usd_wad == _usd(limit)
    assert dict(group.member_limits_usd_wad) == {k: _usd(v) for k, v in member_limits.items()}
    assert group.max_share_of_supply_bps == (None if share_pct is None else share_pct * 100)
    assert group.derivatives_only is derivatives
    for symbol in members:
        assert policy.group_of(symbol) is group
        assert policy.haircut_bps(symbol, Side.LONG) == long_pct * 100
        assert policy.haircut_bps(symbol, Side.SHORT) == short_pct * 100


def test_current_table_is_exactly_the_spec():
    policy = atlas_policy()
    assert len(policy.groups) == 19
    every = set().union(*(g[5] for g in GROUPS))
    assert {s for g in policy.groups for s in g.members} == every


def test_pegged_groups_are_never_stressed_up():
    for group in atlas_policy_history().latest.groups:
        if group.pegged:
            assert group.haircut_short_bps == 0
            assert group.haircut_bps(Side.SHORT) == 0
    pegged = {g.name for g in atlas_policy().groups if g.pegged}
    assert pegged == {"USDe", "USDT", "USDC", "USD_STABLES_RESERVED"}


@pytest.mark.parametrize("symbol", ["UNI", "btc", "Weth", "USDS", "sUSDS", "DAI", "", "BTC "])
def test_unknown_symbols_are_unapproved_at_100pct(symbol):
    for policy in atlas_policy_history().versions:
        assert policy.group_of(symbol) is None
        assert policy.haircut_bps(symbol, Side.LONG) == 10_000
        assert policy.haircut_bps(symbol, Side.SHORT) == 10_000


@pytest.mark.parametrize(("name", "kind", "limit", "new"), VENUES, ids=[v[0] for v in VENUES])
def test_venue_limits(name, kind, limit, new):
    venue = atlas_policy().venue(name)
    assert venue.kind is kind
    assert venue.limit_usd_wad == _usd(limit)
    old = atlas_policy(OLD_DAY)
    if new:
        with pytest.raises(ProtocolError) as err:
            old.venue(name)
        assert err.value.code is ErrorCode.PRIME_UNKNOWN_VENUE
    else:
        assert old.venue(name) == venue


def test_venue_set_and_unknown_venue():
    assert [v.name for v in atlas_policy().venues] == [v[0] for v in VENUES]
    with pytest.raises(ProtocolError) as err:
        atlas_policy().venue("FTX")
    assert err.value.code is ErrorCode.PRIME_UNKNOWN_VENUE


def test_history_before_saep15_is_the_pr138_version():
    old = atlas_policy(OLD_DAY)
    assert old.version == "pr138-spark-prime-brokerage"
    assert old.effective_from == datetime.date(2025, 12, 11)
    assert "575d0dd9" in old.source
    assert "#138" in old.source
    assert len(old.groups) == 14
    assert old.group_of("WBTC") is None  # WBTC came with SAEP-15
    assert old.group_of("cbBTC") is old.group_of("BTC") is not None
    for symbol in ("PYUSD", "EURC", "XAUT", "XAG", "WTI"):
        assert old.group_of(symbol) is None
    assert old.eligible_dex_kinds == frozenset()
    assert not old.dex_pool_eligible("uniswap_v2", ("USDC", "USDT"))
    # Groups 1-14 other than BTC are unchanged.
    new = atlas_policy(NEW_DAY)
    assert old.groups[1:] == new.groups[1:14]
    assert new.version == "saep15-arkis-infrastructure"
    assert "93b603e0" in new.source
    assert "#249" in new.source


def test_history_dates():
    history = atlas_policy_history()
    assert atlas_policy(datetime.date(2025, 12, 11)) is history.versions[0]
    assert atlas_policy(datetime.date(2026, 7, 9)) is history.versions[1]
    assert atlas_policy() is history.latest is history.versions[1]
    with pytest.raises(ProtocolError) as err:
        atlas_policy(datetime.date(2025, 12, 10))
    assert err.value.code is ErrorCode.PRIME_NO_POLICY_IN_FORCE


# (date, SSR bps, SOFR bps, floor bps): old rule max(SSR + 200, SOFR + 250),
# new rule max(SSR + 30, SOFR + 0).
FLOORS = [
    (OLD_DAY, 450, 430, 680),  # SOFR + 2.5% = 6.80% > SSR + 2% = 6.50%
    (OLD_DAY, 500, 430, 700),  # SSR + 2% = 7.00% > 6.80%
    (OLD_DAY, 450, 400, 650),  # tie: 6.50% both ways
    (NEW_DAY, 450, 430, 480),  # SSR + 0.3% = 4.80% > SOFR 4.30%
    (NEW_DAY, 400, 435, 435),  # SOFR 4.35% > SSR + 0.3% = 4.30%
    (NEW_DAY, 0, 0, 30),
    (datetime.date(2027, 1, 1), 375, 360, 405),
]


@pytest.mark.parametrize(("at", "ssr", "sofr", "floor"), FLOORS)
def test_rate_floor(at, ssr, sofr, floor):
    assert atlas_policy(at).rate_floor_bps(at=at, ssr_bps=ssr, sofr_bps=sofr) == floor
    # The current policy still knows the old rule for loans dated before SAEP-15.
    assert atlas_policy().rate_floor_bps(at=at, ssr_bps=ssr, sofr_bps=sofr) == floor


def test_current_rules_pt_futures_dex_terms():
    policy = atlas_policy()
    assert policy.unapproved_haircut_bps == 10_000
    assert policy.pt_max_days == 120
    assert policy.pt_max_liquidity_multiple == 10
    assert policy.futures_max_days == 120
    assert policy.loan_max_fixed_term_s == 30 * 86_400
    assert policy.eligible_dex_kinds == {
        "curve_ng_stableswap",
        "uniswap_v2",
        "uniswap_v3",
        "uniswap_v4_vanilla",
        "uniswap_v4_sll_hooks",
    }
    assert policy.dex_pool_eligible("curve_ng_stableswap", ("USDC", "USDT", "PYUSD"))
    assert not policy.dex_pool_eligible("curve_ng_stableswap", ("USDC", "USDS"))
    assert not policy.dex_pool_eligible("uniswap_v4_custom_hooks", ("ETH", "USDC"))
    assert not policy.dex_pool_eligible("balancer_v2", ("ETH", "USDC"))


def test_arkis_pool_thresholds():
    pool = atlas_policy().pool(ARKIS_POOL_ID)
    assert pool.borrowed_asset == "USDC"
    assert pool.margin_call_rf_bps == 11_500  # Arkis docs: margin call at RF 1.15
    assert pool.liquidation_rf_bps == 10_000  # liquidation below RF 1.0
    assert pool.liquidation_rf_bps <= pool.reduce_only_rf_bps <= pool.margin_call_rf_bps
    assert 500 <= pool.liquidation_fee_bps <= 1_000  # "e.g., 5-10%"
    assert atlas_policy(OLD_DAY).pool(ARKIS_POOL_ID) == pool
    with pytest.raises(ProtocolError) as err:
        atlas_policy().pool("maple")
    assert err.value.code is ErrorCode.PRIME_UNKNOWN_POOL
