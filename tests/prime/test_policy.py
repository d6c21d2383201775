"""Policy records and their loader: every validation rule rejects bad data with a clear code and
field path (spec/spark-prime.md §1.2-1.5), lookups, floors and history (§1.10)."""

from __future__ import annotations

import copy
import datetime
import os
import tomllib
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.policy import (
    AssetGroup,
    Policy,
    PolicyHistory,
    PoolParams,
    RateFloorRule,
    Side,
    VenueKind,
    VenuePolicy,
    policy_from_mapping,
    policy_history_from_mapping,
)

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
D0 = datetime.date(2025, 12, 11)
D1 = datetime.date(2026, 7, 9)


def _raw() -> dict[str, Any]:
    text = resources.files("sparkprime.presets").joinpath("data/atlas_policy.toml").read_text()
    return tomllib.loads(text)


def _current() -> dict[str, Any]:
    return copy.deepcopy(_raw()["versions"][1])


def _group(**over: Any) -> AssetGroup:
    kw: dict[str, Any] = {
        "group_id": 1,
        "name": "BTC",
        "haircut_long_bps": 2000,
        "haircut_short_bps": 2000,
        "pegged": False,
        "members": ("BTC", "WBTC"),
    }
    kw.update(over)
    return AssetGroup(**kw)


def _pool(**over: Any) -> PoolParams:
    kw: dict[str, Any] = {
        "pool_id": "p",
        "borrowed_asset": "USDC",
        "margin_call_rf_bps": 11_500,
        "liquidation_rf_bps": 10_000,
        "reduce_only_rf_bps": 10_500,
        "margin_call_cure_s": 86_400,
        "withdrawal_haircut_bps": 1_000,
        "liquidation_fee_bps": 500,
    }
    kw.update(over)
    return PoolParams(**kw)


def _policy(**over: Any) -> Policy:
    kw: dict[str, Any] = {
        "version": "v",
        "effective_from": D0,
        "source": "test",
        "groups": (_group(),),
        "venues": (VenuePolicy(name="Onchain", kind=VenueKind.ONCHAIN, limit_usd_wad=None),),
        "pools": (_pool(),),
        "eligible_dex_kinds": frozenset({"uniswap_v2"}),
        "rate_floors": (
            RateFloorRule(effective_from=D0, ssr_spread_bps=200, sofr_spread_bps=250),
            RateFloorRule(effective_from=D1, ssr_spread_bps=30, sofr_spread_bps=0),
        ),
    }
    kw.update(over)
    return Policy(**kw)


def _invalid(fn: Any, *, field: str | None = None) -> ProtocolError:
    with pytest.raises(ProtocolError) as err:
        fn()
    assert err.value.code is ErrorCode.PRIME_POLICY_INVALID
    if field is not None:
        assert err.value.context["field"] == field
    return err.value


# --- records ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"haircut_long_bps": 10_001}, "haircut_long_bps"),
        ({"haircut_long_bps": -1}, "haircut_long_bps"),
        ({"haircut_short_bps": True}, "haircut_short_bps"),
        ({"group_id": 0}, "group_id"),
        ({"name": ""}, "name"),
        ({"members": ()}, "members"),
        ({"members": ("BTC", "BTC")}, "members"),
        ({"members": ("BTC", "")}, "members"),
        ({"pegged": True}, "haircut_short_bps"),  # pegged but stressed up
        ({"member_limits_usd_wad": {"LBTC": 1}}, "member_limits_usd_wad"),
        ({"member_limits_usd_wad": {"BTC": -1}}, "member_limits_usd_wad[BTC]"),
        ({"exposure_limit_usd_wad": -1}, "exposure_limit_usd_wad"),
        ({"max_share_of_supply_bps": 0}, "max_share_of_supply_bps"),
    ],
)
def test_group_rejects(over, field):
    _invalid(lambda: _group(**over), field=field)


def test_pegged_group_message_is_clear():
    err = _invalid(lambda: _group(name="USDC", pegged=True, haircut_short_bps=1))
    assert "never stressed up" in err.message


def test_group_limits_are_read_only():
    group = _group(member_limits_usd_wad={"WBTC": 5})
    with pytest.raises(TypeError):
        group.member_limits_usd_wad["WBTC"] = 6  # type: ignore[index]
    assert group.haircut_bps(Side.LONG) == group.haircut_bps(Side.SHORT) == 2000
    assert hash(group) == hash(_group(member_limits_usd_wad={"WBTC": 5}))


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"reduce_only_rf_bps": 11_600}, "reduce_only_rf_bps"),  # above margin call
        ({"reduce_only_rf_bps": 9_999}, "reduce_only_rf_bps"),  # below liquidation
        ({"liquidation_rf_bps": 0}, "liquidation_rf_bps"),
        ({"margin_call_cure_s": -1}, "margin_call_cure_s"),
        ({"withdrawal_haircut_bps": 10_000}, "withdrawal_haircut_bps"),
        ({"liquidation_fee_bps": 10_001}, "liquidation_fee_bps"),
        ({"liquidation_extra_haircut_bps": -5}, "liquidation_extra_haircut_bps"),
        ({"pool_id": ""}, "pool_id"),
    ],
)
def test_pool_rejects(over, field):
    _invalid(lambda: _pool(**over), field=field)


def test_pool_thresholds_may_touch():
    pool = _pool(margin_call_rf_bps=10_000, reduce_only_rf_bps=10_000, liquidation_rf_bps=10_000)
    assert pool.reduce_only_rf_bps == 10_000


def test_policy_rejects_group_ids_and_duplicate_members():
    g2 = _group(group_id=2, name="ETH", members=("ETH",))
    _policy(groups=(g2, _group()))  # any order, ids 1..N
    _invalid(lambda: _policy(groups=(_group(), _group(group_id=3, name="E", members=("E",)))))
    _invalid(lambda: _policy(groups=(_group(), _group(name="X", members=("X",)))))
    err = _invalid(lambda: _policy(groups=(_group(), _group(group_id=2, members=("WBTC",)))))
    assert "'WBTC'" in err.message
    _invalid(lambda: _policy(venues=_policy().venues * 2), field="venues")
    _invalid(lambda: _policy(pools=(_pool(), _pool())), field="pools")
    _invalid(lambda: _policy(rate_floors=()), field="rate_floors")
    floors = _policy().rate_floors
    _invalid(lambda: _policy(rate_floors=floors[::-1]), field="rate_floors")
    _invalid(lambda: _policy(effective_from=datetime.datetime(2026, 1, 1)), field="effective_from")
    _invalid(lambda: _policy(unapproved_haircut_bps=10_001), field="unapproved_haircut_bps")
    _invalid(lambda: _policy(pt_max_days=0), field="pt_max_days")


def test_lookups():
    policy = _policy()
    assert policy.group_of("WBTC") is policy.groups[0]
    assert policy.group_of("wbtc") is None  # case-sensitive
    assert policy.haircut_bps("DOGE", Side.SHORT) == 10_000
    assert policy.venue("Onchain").kind is VenueKind.ONCHAIN
    assert policy.pool("p").borrowed_asset == "USDC"
    for call, code in (
        (lambda: policy.venue("onchain"), ErrorCode.PRIME_UNKNOWN_VENUE),
        (lambda: policy.pool("q"), ErrorCode.PRIME_UNKNOWN_POOL),
    ):
        with pytest.raises(ProtocolError) as err:
            call()
        assert err.value.code is code
    assert policy == _policy()
    assert hash(policy) == hash(_policy())


def test_rate_floor_rules_by_date():
    policy = _policy()
    assert policy.rate_floor_bps(at=D0, ssr_bps=450, sofr_bps=430) == 680
    assert (
        policy.rate_floor_bps(at=D1 - datetime.timedelta(days=1), ssr_bps=450, sofr_bps=430) == 680
    )
    assert policy.rate_floor_bps(at=D1, ssr_bps=450, sofr_bps=430) == 480
    with pytest.raises(ProtocolError) as err:
        policy.rate_floor_bps(at=D0 - datetime.timedelta(days=1), ssr_bps=0, sofr_bps=0)
    assert err.value.code is ErrorCode.PRIME_NO_RATE_FLOOR_IN_FORCE
    with pytest.raises(ProtocolError):
        policy.rate_floor_bps(at=D1, ssr_bps=4.5, sofr_bps=430)  # type: ignore[arg-type]


@settings(max_examples=200 * FUZZ, deadline=None)
@given(ssr=st.integers(0, 5_000), sofr=st.integers(0, 5_000), a=st.integers(0, 500))
def test_floor_is_the_max_of_both_legs(ssr, sofr, a):
    rule = RateFloorRule(effective_from=D0, ssr_spread_bps=a, sofr_spread_bps=a + 50)
    floor = rule.floor_bps(ssr_bps=ssr, sofr_bps=sofr)
    assert floor >= ssr + a
    assert floor >= sofr + a + 50
    assert floor in {ssr + a, sofr + a + 50}
    # A higher benchmark never lowers the floor.
    assert rule.floor_bps(ssr_bps=ssr + 1, sofr_bps=sofr) >= floor


def test_expiry_window():
    policy = _policy()
    now = 1_000_000
    assert policy.expiry_eligible(now + 120 * 86_400, now_ts_s=now, max_days=120)
    assert not policy.expiry_eligible(now + 120 * 86_400 + 1, now_ts_s=now, max_days=120)
    assert not policy.expiry_eligible(now, now_ts_s=now, max_days=120)  # expired
    assert policy.dex_pool_eligible("uniswap_v2", ("BTC", "WBTC"))
    assert not policy.dex_pool_eligible("uniswap_v2", ("BTC", "UNI"))
    assert not policy.dex_pool_eligible("uniswap_v3", ("BTC",))


def test_history():
    v1 = _policy()
    v2 = _policy(version="v2", effective_from=D1)
    history = PolicyHistory(versions=(v1, v2))
    assert history.at(D1 - datetime.timedelta(days=1)) is v1
    assert history.at(D1) is v2
    assert history.latest is v2
    with pytest.raises(ProtocolError) as err:
        history.at(D0 - datetime.timedelta(days=1))
    assert err.value.code is ErrorCode.PRIME_NO_POLICY_IN_FORCE
    _invalid(lambda: PolicyHistory(versions=(v2, v1)), field="versions")
    _invalid(lambda: PolicyHistory(versions=()), field="versions")
    _invalid(lambda: PolicyHistory(versions=(v1, _policy(effective_from=D1))), field="versions")


# --- loader -------------------------------------------------------------------------------


def test_loader_round_trip_matches_records():
    policy = policy_from_mapping(_current())
    assert len(policy.groups) == 19
    history = policy_history_from_mapping(_raw())
    assert history.latest == policy
    # ISO strings are accepted where TOML gives dates (YAML / JSON shaped input).
    data = _current()
    data["effective_from"] = "2026-07-09"
    assert policy_from_mapping(data) == policy


def _reject(mutate: Any, code: ErrorCode, needle: str) -> None:
    data = _current()
    mutate(data)
    with pytest.raises(ProtocolError) as err:
        policy_from_mapping(data)
    assert err.value.code is code
    assert needle in err.value.message


@pytest.mark.parametrize(
    ("mutate", "code", "needle"),
    [
        (
            lambda d: d["groups"][3].update(haircut_long_bps=10_001),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "groups[3].haircut_long_bps",
        ),
        (
            lambda d: d["groups"][3].update(haircut_long_bps="20%"),
            ErrorCode.INVALID_TYPE,
            "groups[3].haircut_long_bps",
        ),
        (
            lambda d: d["groups"][0].update(haircut=1),
            ErrorCode.UNKNOWN_FIELD,
            "groups[0].haircut",
        ),
        (lambda d: d["groups"][5].pop("members"), ErrorCode.MISSING_FIELD, "groups[5].members"),
        (
            lambda d: d["groups"][12].update(haircut_short_bps=100),
            ErrorCode.PRIME_POLICY_INVALID,
            "groups[12].haircut_short_bps",
        ),
        (
            lambda d: d["groups"][1].update(pegged="no"),
            ErrorCode.INVALID_TYPE,
            "groups[1].pegged",
        ),
        (
            lambda d: d["groups"][0]["member_limits_usd"].update(XYZ=1),
            ErrorCode.UNKNOWN_FIELD,
            "groups[0].member_limits_usd.XYZ",
        ),
        (
            lambda d: d["groups"][0]["member_limits_usd"].update(LBTC=-1),
            ErrorCode.VALUE_OUT_OF_RANGE,
            "groups[0].member_limits_usd.LBTC",
        ),
        (
            lambda d: d["groups"][2].update(group_id=1),
            ErrorCode.PRIME_POLICY_INVALID,
            "group ids must be unique",
        ),
        (
            lambda d: d["groups"][2]["members"].append("WBTC"),
            ErrorCode.PRIME_POLICY_INVALID,
            "'WBTC' is in group 1 and group 3",
        ),
        (
            lambda d: d["venues"][4].update(kind="dex"),
            ErrorCode.INVALID_TYPE,
            "venues[4].kind",
        ),
        (
            lambda d: d["venues"][4].update(limit_usd=1.5),
            ErrorCode.INVALID_TYPE,
            "venues[4].limit_usd",
        ),
        (
            lambda d: d["pools"][0].update(reduce_only_rf_bps=12_000),
            ErrorCode.PRIME_POLICY_INVALID,
            "pools[0].reduce_only_rf_bps",
        ),
        (
            lambda d: d["pools"][0].pop("liquidation_fee_bps"),
            ErrorCode.MISSING_FIELD,
            "pools[0].liquidation_fee_bps",
        ),
        (
            lambda d: d["rate_floors"][1].update(effective_from="July 9"),
            ErrorCode.INVALID_TYPE,
            "rate_floors[1].effective_from",
        ),
        (lambda d: d.update(colour="red"), ErrorCode.UNKNOWN_FIELD, "colour"),
        (lambda d: d.pop("source"), ErrorCode.MISSING_FIELD, "source"),
        (lambda d: d.update(groups={}), ErrorCode.INVALID_TYPE, "groups"),
        (lambda d: d.update(pt_max_days=0), ErrorCode.VALUE_OUT_OF_RANGE, "pt_max_days"),
        (
            lambda d: d["eligible_dex_kinds"].append(3),
            ErrorCode.INVALID_TYPE,
            "eligible_dex_kinds[5]",
        ),
    ],
)
def test_loader_rejects_with_field_path(mutate, code, needle):
    _reject(mutate, code, needle)


def test_history_loader_names_the_version():
    data = _raw()
    data["versions"][0]["groups"][3]["haircut_short_bps"] = -1
    with pytest.raises(ProtocolError) as err:
        policy_history_from_mapping(data)
    assert err.value.code is ErrorCode.VALUE_OUT_OF_RANGE
    assert "versions[0].groups[3].haircut_short_bps" in err.value.message
    data = _raw()
    data["versions"].reverse()
    with pytest.raises(ProtocolError) as err:
        policy_history_from_mapping(data)
    assert err.value.code is ErrorCode.PRIME_POLICY_INVALID
