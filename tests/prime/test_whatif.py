"""What-if: RF before/after changes, the exact borrow headroom, the withdrawal rule."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Loan, Position
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.margin import margin_account
from sparkprime.prime.status import MarginStatus
from sparkprime.prime.whatif import WhatIfResult, max_withdraw_qty, what_if
from tests.prime.prime_fixtures import ASSETS, E8, NOW, POOL, WAD, loan, make_policy, pos, usd

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
POLICY = make_policy()
PRICES = {"BTC": 60_000 * E8, "WBTC": 60_000 * E8, "ETH": 3_000 * E8, "USDC": E8}
USDC6 = 10**6


def wi(positions: list[Position], loans: list[Loan], **kw: Any) -> WhatIfResult:
    return what_if(positions, loans, PRICES, POLICY, POOL, assets=ASSETS, now_ts_s=NOW, **kw)


def test_borrow_headroom_on_the_docs_numbers():
    # $11,500 of USDC against $10,000: RF 1.15 = the margin-call RF, so no headroom;
    # $23,000: healthy up to a total of just under $20,000.
    at_mc = wi([pos(K.SPOT, "USDC", 11_500 * USDC6)], [loan(10_000 * USDC6)])
    assert at_mc.curr_rf_wad == 115 * 10**16
    assert at_mc.next_status is MarginStatus.MARGIN_CALL
    assert at_mc.max_extra_borrow == 0
    r = wi([pos(K.SPOT, "USDC", 23_000 * USDC6)], [loan(10_000 * USDC6)])
    assert r.max_extra_borrow == 10_000 * USDC6 - 1
    assert r.max_extra_borrow_usd_wad == usd(23_000) * WAD // (115 * 10**16 + 1) - usd(10_000)


@settings(max_examples=50 * FUZZ, deadline=None)
@given(st.integers(1, 10**5), st.integers(0, 10**5), st.integers(1, 10**4),
       st.integers(E8 // 2, 2 * E8))  # fmt: skip
def test_max_extra_borrow_is_exact(btc_cents: int, cash: int, owed: int, usdc_price: int) -> None:
    book = [pos(K.SPOT, "WBTC", btc_cents * 10**6, position_id="b"),
            pos(K.SPOT, "USDC", cash * USDC6, position_id="c")]  # fmt: skip
    prices = {**PRICES, "USDC": usdc_price}
    loans = [loan(owed * USDC6)]
    r = what_if(book, loans, prices, POLICY, POOL, assets=ASSETS, now_ts_s=NOW)
    x = r.max_extra_borrow
    if r.curr_rf_wad > 115 * 10**16:
        ok = what_if(book, loans, prices, POLICY, POOL, assets=ASSETS, now_ts_s=NOW, borrow=x)
        assert ok.next_status is MarginStatus.HEALTHY
    over = what_if(book, loans, prices, POLICY, POOL, assets=ASSETS, now_ts_s=NOW, borrow=x + 1)
    assert over.next_status is not MarginStatus.HEALTHY


def test_adding_a_hedge_and_removing_a_position():
    spot = pos(K.SPOT, "WBTC", E8, position_id="s")
    hedge = pos(K.PERP, "BTC", -E8, entry_price_usd_e8=60_000 * E8, position_id="h")
    r = wi([spot], [loan(40_000 * USDC6)], add=[hedge])
    assert r.curr_rf_wad == 12 * 10**17  # 48k / 40k
    assert r.next_rf_wad == 15 * 10**17  # 60k / 40k
    gone = wi([spot, hedge], [loan(40_000 * USDC6)], remove=["h"])
    assert gone.next_rf_wad == 12 * 10**17
    with pytest.raises(ProtocolError) as info:
        wi([spot], [loan(1)], remove=["nope"])
    assert info.value.code is ErrorCode.PRIME_INVALID_WHAT_IF


def test_withdrawal_rule_and_max_withdraw():
    # STPV(target) x (1 - 10%) > borrowed: $10,000 borrowed needs STPV > $11,111.11
    cash = pos(K.SPOT, "USDC", 20_000 * USDC6, position_id="c")
    loans = [loan(10_000 * USDC6)]
    assert wi([cash], loans, withdraw={"c": 8_000 * USDC6}).withdraw_allowed is True
    assert wi([cash], loans, withdraw={"c": 9_000 * USDC6}).withdraw_allowed is False
    q = max_withdraw_qty([cash], loans, PRICES, POLICY, POOL, position_id="c", assets=ASSETS,
                         now_ts_s=NOW)  # fmt: skip
    # 20,000 - q > 11,111.111111 (6 decimals): q = 8,888.888888
    assert q == 8_888_888_888
    left = margin_account([pos(K.SPOT, "USDC", 20_000 * USDC6 - q, position_id="c")], loans,
                          PRICES, POLICY, POOL, assets=ASSETS, now_ts_s=NOW)  # fmt: skip
    assert left.stpv_usd_wad * 9 > left.borrowed_usd_wad * 10
    with pytest.raises(ProtocolError):
        wi([cash], loans, withdraw={"c": 30_000 * USDC6})


def test_borrow_into_an_empty_account_that_adds_a_position():
    """An account with nothing yet: the what-if adds 1 BTC and borrows $1,000 against it."""
    added = pos(K.SPOT, "BTC", 10**8)
    result = wi([], [], add=(added,), borrow=1_000 * USDC6)
    assert result.curr_rf_wad == 2**256 - 1
    assert result.next.borrowed_usd_wad == usd(1_000)
    # 60,000 less the 20% BTC haircut, over 1,000 borrowed: RF 48.
    assert result.next_rf_wad == 48 * WAD
