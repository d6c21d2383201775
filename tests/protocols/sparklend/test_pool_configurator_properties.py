"""Hypothesis: random sequences of PoolConfigurator calls by random callers with random
arguments (bounds, off-by-ones, uint256 extremes) on a market with a live borrower.

For every call: a rejected one changes nothing in the Pool; an accepted one changes only
its own reserve (or the eMode categories / premiums it targets), and the field it sets reads
back as the value given. Depth: SPARKPRIME_FUZZ multiplies the examples."""

from __future__ import annotations

import os
from typing import Any, Final

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ProtocolError

from .configurator_market import aave_test_market, fingerprint

FUZZ: Final = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))

SENDERS = ("pool_admin", "risk_admin", "emergency_admin", "asset_listing_admin", "nobody")
ASSETS = ("WETH", "DAI", "USDC", "AAVE")

VALUES = st.one_of(
    st.integers(0, 12_000),
    st.sampled_from([0, 1, 10_000, 10_001, 65_535, 65_536, 2**36 - 1, 2**36, 2**40 - 1, 2**40]),
    st.integers(0, 2**256 - 1),
)

# method -> (argument kinds, the getter that must read the value back on success)
FLAGS = {
    "set_reserve_borrowing": "get_borrowing_enabled",
    "set_reserve_stable_rate_borrowing": "get_stable_rate_borrowing_enabled",
    "set_reserve_flash_loaning": "get_flash_loan_enabled",
    "set_reserve_freeze": "get_frozen",
    "set_reserve_pause": "get_paused",
    "set_borrowable_in_isolation": "get_borrowable_in_isolation",
    "set_reserve_active": "get_active",
    "set_siloed_borrowing": "get_siloed_borrowing",
}
NUMBERS = {
    "set_reserve_factor": "get_reserve_factor",
    "set_borrow_cap": "get_borrow_cap",
    "set_supply_cap": "get_supply_cap",
    "set_unbacked_mint_cap": "get_unbacked_mint_cap",
    "set_liquidation_protocol_fee": "get_liquidation_protocol_fee",
    "set_debt_ceiling": "get_debt_ceiling",
    "set_asset_emode_category": "get_emode_category",
}

CALL = st.one_of(
    st.tuples(st.sampled_from(sorted(FLAGS)), st.sampled_from(ASSETS), st.booleans()),
    st.tuples(st.sampled_from(sorted(NUMBERS)), st.sampled_from(ASSETS), VALUES),
    st.tuples(
        st.just("configure_reserve_as_collateral"),
        st.sampled_from(ASSETS),
        st.tuples(VALUES, VALUES, VALUES),
    ),
    st.tuples(
        st.just("set_emode_category"),
        st.integers(0, 3),
        st.tuples(st.integers(0, 2**16 - 1), st.integers(0, 2**16 - 1), st.integers(0, 2**16 - 1)),
    ),
)


@settings(
    max_examples=40 * FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(calls=st.lists(st.tuples(CALL, st.sampled_from(SENDERS)), min_size=1, max_size=12))
def test_configurator_calls_change_only_what_they_set(calls: list[Any]) -> None:
    m, assets = aave_test_market()
    m.supply(m.users[0], assets["WETH"], 10 * 10**18)
    m.supply(m.users[1], assets["DAI"], 100_000 * 10**18)
    m.borrow(m.users[0], assets["DAI"], 1_000 * 10**18)
    for (method, target, value), role in calls:
        sender = getattr(m, role)
        before = fingerprint(m)
        fn = getattr(m.configurator, method)
        args = value if isinstance(value, tuple) else (value,)
        if method == "set_emode_category":
            call_args: tuple[Any, ...] = (target, *args, None, "fuzz")
        else:
            call_args = (assets[target], *args)
        try:
            fn(*call_args, sender=sender)
        except ProtocolError:
            assert fingerprint(m) == before, f"rejected {method}{call_args} changed the Pool"
            continue
        after = fingerprint(m)
        if method == "set_emode_category":
            assert after["reserves"] == before["reserves"]
            category = m.pool.get_emode_category_data(target)
            assert (
                category.ltv,
                category.liquidation_threshold,
                category.liquidation_bonus,
            ) == args
            continue
        asset = assets[target]
        others = {a: r for a, r in after["reserves"].items() if a != asset}
        assert others == {a: r for a, r in before["reserves"].items() if a != asset}
        assert after["emode"] == before["emode"]
        config = m.config(asset)
        if method in FLAGS:
            assert getattr(config, FLAGS[method])() is value
        elif method in NUMBERS:
            assert getattr(config, NUMBERS[method])() == value
        else:
            assert config.get_params()[:3] == args
