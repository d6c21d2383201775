"""The fast single-account what-if against the scalar `prime.whatif.what_if`."""

from __future__ import annotations

import math
import os
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Account, Loan, LoanKind, Position
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.margin import RF_NO_DEBT_WAD
from sparkprime.prime.status import MarginStatus
from sparkprime.prime.whatif import what_if
from sparkprime.risk.book_arrays import BookArrays, build_book_arrays
from sparkprime.risk.whatif_fast import FastWhatIf, what_if_fast
from tests.risk.risk_books import (
    ASSETS,
    NOW,
    POLICY,
    POOL,
    PRICED,
    Book,
    books,
    by_account,
    near_threshold,
    position,
    prices,
    stpv_tol_usd,
)

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
WAD = 10**18
E8 = 10**8
USDC6 = 10**6
DAY = 86_400


def _rf_close(fast: float, rf_wad: int, tol_usd: float, borrowed_usd_wad: int) -> bool:
    if rf_wad == RF_NO_DEBT_WAD:
        return math.isinf(fast)
    rf_tol = tol_usd / (borrowed_usd_wad / WAD) + 1e-9 * rf_wad / WAD + 1e-18
    return abs(fast - rf_wad / WAD) <= rf_tol


def _try(
    arr: BookArrays, aid: str, held: dict[str, Position], kw: dict[str, Any]
) -> FastWhatIf | ProtocolError:
    try:
        return what_if_fast(arr, aid, held=held, **kw)
    except ProtocolError as err:
        return err


@settings(max_examples=40 * FUZZ, deadline=None)
@given(book=books(max_accounts=1), px=prices(), data=st.data())
def test_fast_what_if_equals_scalar(book: Book, px: dict[str, int], data: st.DataObject) -> None:
    accounts, positions, loans, depths = book
    aid = accounts[0].account_id
    arr = build_book_arrays(accounts, positions, loans, px, POLICY, assets=ASSETS, now_ts_s=NOW,
                            depths=depths, symbols=PRICED)  # fmt: skip
    held = {p.position_id: p for p in by_account(positions, aid)}
    changeable = [pid for pid, p in held.items() if p.kind is not K.MARGIN_VALUE]
    remove: list[str] = []
    if changeable:
        remove = data.draw(st.lists(st.sampled_from(changeable), max_size=1))
    spots = [pid for pid in changeable if held[pid].kind is K.SPOT and pid not in remove]
    withdraw: dict[str, int] = {}
    partial: bool = data.draw(st.booleans())
    if spots and partial:
        pid = data.draw(st.sampled_from(spots))
        withdraw[pid] = data.draw(st.integers(0, held[pid].qty))
    add = data.draw(st.lists(position(aid, "new"), max_size=1))
    borrow = data.draw(st.integers(0, 10**13))
    # the scalar what_if names its extra loan after the account's first position or loan:
    # with neither (only added positions) it would refuse the mix of accounts
    assume(held or loans or not (add and borrow))
    kw: dict[str, Any] = {"add": add, "remove": remove, "withdraw": withdraw, "borrow": borrow}
    fast = _try(arr, aid, held, kw)
    if isinstance(fast, ProtocolError):  # a PT priced by a PT key the book has no column for
        assert fast.code is ErrorCode.RISK_WHAT_IF_UNSUPPORTED
        assert add[0].price_symbol is not None
        assert (add[0].symbol, add[0].price_symbol) not in arr.col_index
        return
    slow = what_if(list(held.values()), loans, px, POLICY, POOL, assets=ASSETS, now_ts_s=NOW,
                   depths=depths or None, **kw)  # fmt: skip
    now_tol, next_tol = stpv_tol_usd(slow.current), stpv_tol_usd(slow.next)
    nxt = slow.next
    assert abs(fast.next_stpv_usd - nxt.stpv_usd_wad / WAD) <= next_tol
    assert abs(fast.next_borrowed_usd - nxt.borrowed_usd_wad / WAD) <= next_tol
    assert _rf_close(fast.curr_rf, slow.curr_rf_wad, now_tol, slow.current.borrowed_usd_wad)
    assert _rf_close(fast.next_rf, slow.next_rf_wad, next_tol, nxt.borrowed_usd_wad)
    if slow.next_rf_wad == RF_NO_DEBT_WAD or not near_threshold(slow.next_rf_wad / WAD, 1e-6):
        assert fast.next_status is slow.next_status
    # headroom in whole USDC (scalar: base units, floored twice: allow 2 base units)
    unit_tol = next_tol / POOL.margin_call_rf_bps * 10_000 / (px["USDC"] / E8) + 2e-6
    assert abs(fast.max_extra_borrow_units - slow.max_extra_borrow / USDC6) <= unit_tol
    if withdraw:
        lhs = nxt.stpv_usd_wad * (10_000 - POOL.withdrawal_haircut_bps) / 10_000 / WAD
        if abs(lhs - nxt.borrowed_usd_wad / WAD) > next_tol:
            assert fast.withdraw_allowed is slow.withdraw_allowed
    else:
        assert fast.withdraw_allowed is None


def _setup(usdc: int, owed: int) -> tuple[BookArrays, dict[str, Position]]:
    acct = Account(account_id="a", borrower_id="b", pool_id=POOL.pool_id)
    cash = Position(position_id="c", account_id="a", venue_id="onchain", kind=K.SPOT,
                    symbol="USDC", qty=usdc * USDC6)  # fmt: skip
    ln = Loan(loan_id="l", account_id="a", principal=owed * USDC6, rate_bps=800,
              kind=LoanKind.EVERGREEN, originated_ts_s=NOW - DAY, term_end_ts_s=None,
              accrued_interest=0, last_accrual_ts_s=NOW)  # fmt: skip
    px = {"USDC": E8, "WETH": 2_500 * E8, "USDT": E8, "DOGE": E8 // 10}
    arr = build_book_arrays([acct], [cash], [ln], px, POLICY, assets=ASSETS, now_ts_s=NOW,
                            symbols=("WETH",))  # fmt: skip
    return arr, {"c": cash}


def test_docs_example_has_no_headroom_and_more_cash_has_some() -> None:
    # Arkis docs: $11,200 against $10,000 is RF 1.12 (margin call): no more borrowing.
    arr, held = _setup(11_200, 10_000)
    r = what_if_fast(arr, "a", held=held)
    assert r.curr_rf == pytest.approx(1.12, rel=1e-12)
    assert r.next_status is MarginStatus.MARGIN_CALL
    assert r.max_extra_borrow_units == 0.0
    # $23,000 of USDC carries $20,000 at RF 1.15 (the margin call): $10,000 more
    arr, held = _setup(23_000, 10_000)
    assert what_if_fast(arr, "a", held=held).max_extra_borrow_units == pytest.approx(10_000)
    # borrowing it all leaves RF 1.15, at the margin call (rf <= 1.15)
    r = what_if_fast(arr, "a", held=held, borrow=10_000 * USDC6)
    assert r.next_rf == pytest.approx(1.15, rel=1e-12)
    assert r.next_status is MarginStatus.MARGIN_CALL


def test_withdrawal_rule() -> None:
    # STPV x (1 - 10%) > borrowed: $20,000 cash, $10,000 owed; withdrawing $8,000 leaves
    # 12,000 x 0.9 = 10,800 > 10,000 (allowed); $9,000 leaves 9,900 (refused)
    arr, held = _setup(20_000, 10_000)
    assert what_if_fast(arr, "a", held=held, withdraw={"c": 8_000 * USDC6}).withdraw_allowed
    r = what_if_fast(arr, "a", held=held, withdraw={"c": 9_000 * USDC6})
    assert r.withdraw_allowed is False


def test_refusals() -> None:
    arr, held = _setup(1_000, 100)
    mv = Position(position_id="m", account_id="a", venue_id="okx", kind=K.MARGIN_VALUE,
                  symbol="USDT", qty=0, margin_value_usd_wad=WAD)  # fmt: skip
    cases: list[tuple[dict[str, Any], ErrorCode]] = [
        ({"account_id": "zz"}, ErrorCode.RISK_INVALID_INPUT),
        ({"add": [mv]}, ErrorCode.RISK_WHAT_IF_UNSUPPORTED),
        ({"remove": ["nope"]}, ErrorCode.PRIME_INVALID_WHAT_IF),
        ({"remove": ["c", "c"]}, ErrorCode.PRIME_INVALID_WHAT_IF),
        ({"withdraw": {"c": 2_000 * USDC6}}, ErrorCode.PRIME_INVALID_WHAT_IF),
        ({"borrow": -1}, ErrorCode.PRIME_INVALID_WHAT_IF),
        ({"add": [held["c"]]}, ErrorCode.PRIME_INVALID_WHAT_IF),
    ]
    for kw, code in cases:
        account = str(kw.pop("account_id", "a"))
        with pytest.raises(ProtocolError) as err:
            what_if_fast(arr, account, held=held, **kw)
        assert err.value.code is code, kw
    # a symbol the arrays have no column for
    doge = Position(position_id="d", account_id="a", venue_id="onchain", kind=K.SPOT,
                    symbol="DOGE", qty=10**8)  # fmt: skip
    with pytest.raises(ProtocolError) as err:
        what_if_fast(arr, "a", held=held, add=[doge])
    assert err.value.code is ErrorCode.RISK_WHAT_IF_UNSUPPORTED


@pytest.mark.xfail(
    strict=True,
    reason="what_if_fast decomposes an added PT by itself (its own cap), not under the cap "
    "it shares with the account's PTs of its market (prime.exposure.pt_approved_usd_wad)",
)
def test_adding_a_pt_to_a_held_market_shares_its_cap() -> None:
    # 8 + 8 wstETH PT at $1,000 against one $10,000 cap: $6,000 unapproved (-100%) next
    def pt(pid: str) -> Position:
        return Position(position_id=pid, account_id="a", venue_id="onchain", kind=K.PENDLE_PT,
                        symbol="wstETH", qty=8 * WAD, expiry_ts_s=NOW + 30 * DAY,
                        pt_amm_liquidity_usd_wad=1_000 * WAD)  # fmt: skip

    acct = Account(account_id="a", borrower_id="b", pool_id=POOL.pool_id)
    ln = Loan(loan_id="l", account_id="a", principal=1_000 * USDC6, rate_bps=800,
              kind=LoanKind.EVERGREEN, originated_ts_s=NOW - DAY, term_end_ts_s=None,
              accrued_interest=0, last_accrual_ts_s=NOW)  # fmt: skip
    px = {**dict.fromkeys(PRICED, E8), "wstETH": 1_000 * E8}
    held = pt("x")
    arr = build_book_arrays([acct], [held], [ln], px, POLICY, assets=ASSETS, now_ts_s=NOW,
                            symbols=PRICED)  # fmt: skip
    fast = what_if_fast(arr, "a", held={"x": held}, add=[pt("y")])
    slow = what_if([held], [ln], px, POLICY, POOL, assets=ASSETS, now_ts_s=NOW, add=[pt("y")])
    assert slow.next.unapproved_charge_usd_wad == 6_000 * WAD
    assert fast.next_stpv_usd == pytest.approx(slow.next.stpv_usd_wad / WAD, rel=1e-9)
