"""Book-wide limits (Atlas A.6.1.1.1.3.7 P7/2/2/1/2, P7/2/2/2, P7/2/2/3, P7/2/3/1/1, ICD/10/1/2;
spark-prime.md §1.2-1.4, §1.8) on the SAEP-15 Atlas preset, each at, just below and just above
its cap, and the gross-exposure definition (max of longs and shorts, never netted).

No upstream test suite exists; the caps are the Atlas's (XRP $50M, LBTC $100M, Binance $100M,
20 % of a reserved stablecoin's supply, 10x a PT's AMM liquidity, the SLL Arkis instance's
$50M). Values by hand: qty * price_e8 * 1e10 / 10**decimals USD-wad.
"""

from __future__ import annotations

import doctest
import os
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.atlas_policy import atlas_policy
from sparkprime.prime import limits
from sparkprime.prime.book import Asset, Loan, LoanKind, Position, PositionKind, Venue
from sparkprime.prime.exposure import Exposure
from sparkprime.prime.limits import (
    Draw,
    LimitCheck,
    LimitState,
    NewLoan,
    PositionChange,
    Withdrawal,
    apply_change,
    assert_within_limits,
    check_book,
    check_change,
    gross_usd_wad,
)
from sparkprime.prime.policy import VenueKind
from tests.prime.loans_support import DAY, ts

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
M = 10**6 * 10**18  # one million USD in wad
NOW = ts(2026, 8, 1)
POLICY = atlas_policy()  # SAEP-15
ASSETS = {
    s: Asset(symbol=s, decimals=d)
    for s, d in [("USDC", 6), ("XRP", 6), ("LBTC", 8), ("ETH", 18), ("PYUSD", 6), ("USDe", 18)]
}
PRICES = {
    "USDC": 10**8,
    "XRP": 2 * 10**8,  # $2: 1 base unit (1e-6 XRP) = 2e12 wad
    "LBTC": 100_000 * 10**8,  # $100,000: 1 base unit (1e-8) = 1e15 wad
    "ETH": 3_000 * 10**8,
    "PYUSD": 10**8,  # 1 base unit = 1e12 wad
    "USDe": 10**8,
    "PT-USDe": 10**8,  # at par: 1 wei of PT = 1 wad
}
VENUES = {
    "onchain": Venue(venue_id="onchain", name="Onchain", kind=VenueKind.ONCHAIN),
    "binance-a": Venue(
        venue_id="binance-a", name="Binance", kind=VenueKind.CEX, master_account="arkis"
    ),
    "binance-b": Venue(
        venue_id="binance-b", name="Binance", kind=VenueKind.CEX, master_account="arkis"
    ),
    "ftx": Venue(venue_id="ftx", name="FTX", kind=VenueKind.CEX, master_account="arkis"),
}


def _state(
    positions: Sequence[Position] = (),
    loans: Sequence[Loan] = (),
    supply: dict[str, int] | None = None,
) -> LimitState:
    return LimitState(
        positions=tuple(positions),
        loans=tuple(loans),
        venues=VENUES,
        assets=ASSETS,
        prices=PRICES,
        policy=POLICY,
        now_ts_s=NOW,
        max_funding_usd_wad=50 * M,
        circulating_supply=supply or {},
    )


def _spot(pid: str, symbol: str, qty: int, *, acct: str = "a", venue: str = "onchain") -> Position:
    return Position(
        position_id=pid, account_id=acct, venue_id=venue, kind=PositionKind.SPOT,
        symbol=symbol, qty=qty,
    )  # fmt: skip


def _perp(pid: str, symbol: str, qty: int, entry_e8: int, *, acct: str = "a",
          venue: str = "onchain") -> Position:  # fmt: skip
    return Position(
        position_id=pid, account_id=acct, venue_id=venue, kind=PositionKind.PERP,
        symbol=symbol, qty=qty, entry_price_usd_e8=entry_e8,
    )  # fmt: skip


def _loan(loan_id: str, principal: int, acct: str = "a") -> Loan:
    return Loan(
        loan_id=loan_id, account_id=acct, principal=principal, rate_bps=500,
        kind=LoanKind.EVERGREEN, originated_ts_s=NOW - DAY, term_end_ts_s=None,
        accrued_interest=0, last_accrual_ts_s=NOW - DAY,
    )  # fmt: skip


def _named(checks: list[LimitCheck], name: str) -> LimitCheck:
    (found,) = [c for c in checks if c.name == name]
    return found


def test_doctests() -> None:
    assert doctest.testmod(limits).failed == 0


# --- the gross-exposure definition --------------------------------------------------------


def test_legs_of_one_position_never_net() -> None:
    legs = [
        Exposure(position_id="p", symbol="XRP", group_id=3, notional_usd_wad=n,
                 value_usd_wad=0, approved=True)
        for n in (30 * M, -20 * M, 5 * M)
    ]  # fmt: skip
    assert gross_usd_wad(legs) == 35 * M  # longs 35M vs shorts 20M; net would be 15M
    assert gross_usd_wad(legs[1:2]) == 20 * M
    assert gross_usd_wad([]) == 0


def test_two_accounts_long_and_short_gross_is_the_max() -> None:
    # Account a holds 15M XRP ($30M); account b is short 10M XRP by perp ($20M notional).
    book = _state([
        _spot("a-xrp", "XRP", 15 * 10**12),
        _perp("b-xrp", "XRP", -10 * 10**12, 2 * 10**8, acct="b"),
    ])  # fmt: skip
    xrp = _named(check_book(book), "group:3:XRP")
    assert xrp.curr_usd_wad == 30 * M  # max(30M, 20M), not 30M - 20M
    bigger_short = _state([
        _spot("a-xrp", "XRP", 15 * 10**12),
        _perp("b-xrp", "XRP", -22 * 10**12, 2 * 10**8, acct="b"),
    ])  # fmt: skip
    assert _named(check_book(bigger_short), "group:3:XRP").curr_usd_wad == 44 * M


# --- asset group limit: XRP $50M ----------------------------------------------------------

# 20M XRP ($40M) in account a; account b buys 5M XRP more = $50M exactly (1 base unit = 2e12).
_XRP_BASE = [_spot("a-xrp", "XRP", 20 * 10**12)]


@pytest.mark.parametrize(("extra", "ok"), [(-1, True), (0, True), (1, False)])
def test_xrp_group_limit(extra: int, ok: bool) -> None:
    book = _state(_XRP_BASE)
    change = PositionChange(upserts=(_spot("b-xrp", "XRP", 5 * 10**12 + extra, acct="b"),))
    check = _named(check_change(book, change), "group:3:XRP")
    assert check == LimitCheck(
        name="group:3:XRP", curr_usd_wad=40 * M, next_usd_wad=50 * M + extra * 2 * 10**12,
        limit_usd_wad=50 * M, ok=ok,
    )  # fmt: skip
    if ok:
        after = assert_within_limits(book, change)
        assert len(after.positions) == 2
    else:
        with pytest.raises(ProtocolError) as exc:
            assert_within_limits(book, change)
        assert exc.value.code is ErrorCode.PRIME_LIMIT_ASSET_EXPOSURE
        assert exc.value.context == {
            "limit": "group:3:XRP", "value": 50 * M + 2 * 10**12, "cap": 50 * M,
            "curr": 40 * M,
        }  # fmt: skip
    assert book.positions == tuple(_XRP_BASE)  # the input is untouched either way


def test_xrp_short_counts_toward_the_limit() -> None:
    # A $51M short alone breaks the $50M limit: shorts are exposure too.
    book = _state()
    change = PositionChange(upserts=(_perp("s", "XRP", -25_500_000 * 10**6, 2 * 10**8),))
    with pytest.raises(ProtocolError) as exc:
        assert_within_limits(book, change)
    assert exc.value.context["value"] == 51 * M


# --- member limit: LBTC $100M -------------------------------------------------------------


@pytest.mark.parametrize(("extra", "ok"), [(-1, True), (0, True), (1, False)])
def test_lbtc_member_limit(extra: int, ok: bool) -> None:
    # 1,000 LBTC at $100,000 = $100M; 1 base unit = 1e15 wad. BTC itself has no group limit.
    book = _state([_spot("a-lbtc", "LBTC", 600 * 10**8)])
    change = PositionChange(upserts=(_spot("b-lbtc", "LBTC", 400 * 10**8 + extra, acct="b"),))
    checks = check_change(book, change)
    lbtc = _named(checks, "member:LBTC")
    assert (lbtc.curr_usd_wad, lbtc.next_usd_wad) == (60 * M, 100 * M + extra * 10**15)
    assert lbtc.limit_usd_wad == 100 * M
    assert lbtc.ok is ok
    assert not [c for c in checks if c.name.startswith("group:1:")]  # BTC: no group limit


# --- venue limit: Binance $100M over two sub-accounts -------------------------------------


@pytest.mark.parametrize(("extra", "ok"), [(-1, True), (0, True), (1, False)])
def test_binance_venue_limit_across_sub_accounts(extra: int, ok: bool) -> None:
    # 60M USDC in sub-account a + 40M in sub-account b = $100M (1 base unit = 1e12 wad).
    book = _state([_spot("a-usdc", "USDC", 60 * 10**12, venue="binance-a")])
    change = PositionChange(
        upserts=(_spot("b-usdc", "USDC", 40 * 10**12 + extra, acct="b", venue="binance-b"),)
    )
    binance = _named(check_change(book, change), "venue:Binance")
    assert binance.next_usd_wad == 100 * M + extra * 10**12
    assert binance.ok is ok
    if not ok:
        with pytest.raises(ProtocolError) as exc:
            assert_within_limits(book, change)
        assert exc.value.code is ErrorCode.PRIME_LIMIT_VENUE_EXPOSURE
        assert exc.value.context["cap"] == 100 * M


def test_venue_value_counts_unrealised_pnl_and_not_other_accounts_losses() -> None:
    # Account a: 90M USDC + a long 1,000 ETH perp entered at $2,000, mark $3,000: +$1M PnL.
    # Account b: a short 10,000 ETH perp entered at $2,000: -$10M PnL; its value counts as 0,
    # it does not free room at the venue for account a.
    book = _state([
        _spot("a-usdc", "USDC", 90 * 10**12, venue="binance-a"),
        _perp("a-eth", "ETH", 1_000 * 10**18, 2_000 * 10**8, venue="binance-a"),
        _perp("b-eth", "ETH", -10_000 * 10**18, 2_000 * 10**8, acct="b", venue="binance-b"),
    ])  # fmt: skip
    assert _named(check_book(book), "venue:Binance").curr_usd_wad == 91 * M


def test_margin_value_is_the_account_value_in_a_futures_account() -> None:
    # The venue reports adjEq $99M; the perp and collateral inside are not counted again.
    margin = Position(
        position_id="a-mv", account_id="a", venue_id="binance-a",
        kind=PositionKind.MARGIN_VALUE, symbol="USDC", qty=0, margin_value_usd_wad=99 * M,
    )  # fmt: skip
    book = _state([
        margin,
        _spot("a-usdc", "USDC", 95 * 10**12, venue="binance-a"),
        _perp("a-eth", "ETH", 1_000 * 10**18, 2_000 * 10**8, venue="binance-a"),
    ])  # fmt: skip
    assert _named(check_book(book), "venue:Binance").curr_usd_wad == 99 * M


def test_moving_collateral_to_a_cex_checks_its_venue() -> None:
    book = _state([
        _spot("a-chain", "USDC", 30 * 10**12),
        _spot("a-bin", "USDC", 80 * 10**12, venue="binance-a"),
    ])  # fmt: skip
    move = Withdrawal(position_id="a-chain", qty=20 * 10**12 + 1, to_position_id="a-bin",
                      to_venue_id="binance-a")  # fmt: skip
    with pytest.raises(ProtocolError) as exc:
        assert_within_limits(book, move)
    assert exc.value.context["limit"] == "venue:Binance"
    ok = Withdrawal(position_id="a-chain", qty=20 * 10**12, to_position_id="a-bin",
                    to_venue_id="binance-a")  # fmt: skip
    after = assert_within_limits(book, ok)
    assert {p.position_id: p.qty for p in after.positions} == {"a-chain": 10**13, "a-bin": 10**14}
    # A withdrawal out of the book only lowers exposure.
    out = check_change(book, Withdrawal(position_id="a-bin", qty=10**12))
    assert _named(out, "venue:Binance").next_usd_wad == 79 * M


def test_unapproved_venue_refused() -> None:
    with pytest.raises(ProtocolError) as exc:
        check_book(_state([_spot("x", "USDC", 1, venue="ftx")]))
    assert exc.value.code is ErrorCode.PRIME_UNKNOWN_VENUE


# --- reserved stablecoins: <= 20 % of circulating supply ----------------------------------


@pytest.mark.parametrize(("extra", "ok"), [(-1, True), (0, True), (1, False)])
def test_pyusd_share_of_supply(extra: int, ok: bool) -> None:
    # Supply 1,000,000,000 PYUSD (1e15 base units) at $1: 20 % = $200M = 2e26 wad.
    supply = {"PYUSD": 10**15}
    book = _state([_spot("a-py", "PYUSD", 150 * 10**12)], supply=supply)
    change = PositionChange(upserts=(_spot("b-py", "PYUSD", 50 * 10**12 + extra, acct="b"),))
    check = _named(check_change(book, change), "supply_share:PYUSD")
    assert (check.curr_usd_wad, check.limit_usd_wad) == (150 * M, 200 * M)
    assert check.next_usd_wad == 200 * M + extra * 10**12
    assert check.ok is ok
    if not ok:
        with pytest.raises(ProtocolError) as exc:
            assert_within_limits(book, change)
        assert exc.value.code is ErrorCode.PRIME_LIMIT_SUPPLY_SHARE


def test_stablecoin_without_supply_data_refused() -> None:
    with pytest.raises(ProtocolError) as exc:
        check_book(_state([_spot("a-py", "PYUSD", 1)]))
    assert exc.value.code is ErrorCode.PRIME_LIMIT_MISSING_DATA
    assert exc.value.context["limit"] == "supply_share:PYUSD"
    # No holdings and no supply data: nothing to check, nothing reported.
    assert not [c for c in check_book(_state()) if c.name.startswith("supply_share")]


# --- Pendle PT: <= 10x its AMM liquidity --------------------------------------------------


def _pt(pid: str, qty: int, *, acct: str = "a", liquidity: int = M) -> Position:
    return Position(
        position_id=pid, account_id=acct, venue_id="onchain", kind=PositionKind.PENDLE_PT,
        symbol="USDe", qty=qty, expiry_ts_s=NOW + 60 * DAY, pt_amm_liquidity_usd_wad=liquidity,
        price_symbol="PT-USDe",
    )  # fmt: skip


@pytest.mark.parametrize(("extra", "ok"), [(-1, True), (0, True), (1, False)])
def test_pt_exposure_vs_amm_liquidity(extra: int, ok: bool) -> None:
    # AMM liquidity $1M -> cap $10M; 6M + 4M PT at par = $10M (1 wei = 1 wad).
    book = _state([_pt("a-pt", 6 * M)])
    change = PositionChange(upserts=(_pt("b-pt", 4 * M + extra, acct="b"),))
    name = f"pt:PT-USDe@{NOW + 60 * DAY}"
    check = _named(check_change(book, change), name)
    assert (check.curr_usd_wad, check.next_usd_wad, check.limit_usd_wad) == (
        6 * M, 10 * M + extra, 10 * M,
    )  # fmt: skip
    assert check.ok is ok
    if not ok:
        with pytest.raises(ProtocolError) as exc:
            assert_within_limits(book, change)
        assert exc.value.code is ErrorCode.PRIME_LIMIT_PT_LIQUIDITY


def test_pt_cap_uses_the_smallest_reported_liquidity() -> None:
    book = _state([_pt("a-pt", 5 * M), _pt("b-pt", 2 * M, acct="b", liquidity=M // 2)])
    check = _named(check_book(book), f"pt:PT-USDe@{NOW + 60 * DAY}")
    assert (check.curr_usd_wad, check.limit_usd_wad, check.ok) == (7 * M, 5 * M, False)


# --- total funding: the SLL Arkis instance's $50M -----------------------------------------


@pytest.mark.parametrize(("extra", "ok"), [(-1, True), (0, True), (1, False)])
def test_draw_within_instance_max_exposure(extra: int, ok: bool) -> None:
    # Loans of 45M USDC; a draw of 5M USDC (+extra base units; 1 base unit = 1e12 wad at par).
    book = _state(loans=[_loan("L1", 30 * 10**12), _loan("L2", 15 * 10**12, acct="b")])
    change = Draw(loan_id="L2", amount=5 * 10**12 + extra, cash_position_id="b-cash",
                  venue_id="onchain")  # fmt: skip
    funding = _named(check_change(book, change), "total_funding")
    assert (funding.curr_usd_wad, funding.limit_usd_wad) == (45 * M, 50 * M)
    assert funding.next_usd_wad == 50 * M + extra * 10**12
    assert funding.ok is ok
    if ok:
        after = assert_within_limits(book, change)
        cash = {p.position_id: p for p in after.positions}["b-cash"]
        assert (cash.account_id, cash.symbol, cash.qty) == ("b", "USDC", 5 * 10**12 + extra)
        assert {ln.loan_id: ln.principal for ln in after.loans}["L2"] == 20 * 10**12 + extra
    else:
        with pytest.raises(ProtocolError) as exc:
            assert_within_limits(book, change)
        assert exc.value.code is ErrorCode.PRIME_LIMIT_TOTAL_FUNDING
        assert "50000000000000000000000000" in exc.value.message
    assert [ln.principal for ln in book.loans] == [30 * 10**12, 15 * 10**12]


def test_new_loan_counts_as_funding_and_lands_as_cash() -> None:
    book = _state(loans=[_loan("L1", 40 * 10**12)])
    too_much = NewLoan(
        loan=_loan("L2", 10 * 10**12 + 1, acct="b"), cash_position_id="b-cash", venue_id="onchain"
    )
    with pytest.raises(ProtocolError) as exc:
        assert_within_limits(book, too_much)
    assert exc.value.context["limit"] == "total_funding"
    fits = NewLoan(
        loan=_loan("L2", 10 * 10**12, acct="b"), cash_position_id="b-cash", venue_id="binance-b"
    )
    after = assert_within_limits(book, fits)
    assert _named(check_book(after), "venue:Binance").curr_usd_wad == 10 * M


def test_draw_to_a_cex_checks_funding_and_venue() -> None:
    book = _state([_spot("a-bin", "USDC", 99 * 10**12, venue="binance-a")],
                  loans=[_loan("L1", 10**12)])  # fmt: skip
    change = Draw(loan_id="L1", amount=2 * 10**12, cash_position_id="a-bin", venue_id="binance-a")
    checks = check_change(book, change)
    assert _named(checks, "total_funding").ok
    assert not _named(checks, "venue:Binance").ok


# --- a book already over a cap may still reduce ----------------------------------------------


def test_over_cap_book_may_reduce_but_not_grow() -> None:
    # 30M XRP = $60M, over the $50M cap after the price rose.
    book = _state([_spot("a-xrp", "XRP", 30 * 10**12)], loans=[_loan("L1", 10**12)])
    assert not _named(check_book(book), "group:3:XRP").ok
    smaller = PositionChange(upserts=(_spot("a-xrp", "XRP", 29 * 10**12),))
    assert _named(check_change(book, smaller), "group:3:XRP").ok
    assert_within_limits(book, smaller)
    grow = PositionChange(upserts=(_spot("a-xrp", "XRP", 30 * 10**12 + 1),))
    with pytest.raises(ProtocolError):
        assert_within_limits(book, grow)
    # A draw that does not touch XRP is not blocked by the standing XRP breach.
    unrelated = Draw(loan_id="L1", amount=1, cash_position_id="cash", venue_id="onchain")
    assert _named(check_change(book, unrelated), "group:3:XRP").ok


# --- malformed changes --------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        Draw(loan_id="nope", amount=1, cash_position_id="c", venue_id="onchain"),
        Draw(loan_id="L1", amount=0, cash_position_id="c", venue_id="onchain"),
        Draw(loan_id="L1", amount=1, cash_position_id="a-xrp", venue_id="onchain"),  # not USDC
        NewLoan(loan=_loan("L1", 1), cash_position_id="c", venue_id="onchain"),  # exists
        Withdrawal(position_id="nope", qty=1),
        Withdrawal(position_id="a-xrp", qty=10**13 + 1),  # more than held
        Withdrawal(position_id="a-xrp", qty=-1),
        Withdrawal(position_id="a-xrp", qty=1, to_venue_id="binance-a"),  # no position id
        PositionChange(removals=("nope",)),
    ],
)
def test_malformed_changes_refused(change: limits.BookChange) -> None:
    book = _state([_spot("a-xrp", "XRP", 10**13)], loans=[_loan("L1", 10**12)])
    snapshot = (book.positions, book.loans)
    with pytest.raises(ProtocolError) as exc:
        assert_within_limits(book, change)
    assert exc.value.code is ErrorCode.PRIME_LIMIT_INVALID_CHANGE
    assert (book.positions, book.loans) == snapshot


# --- properties ---------------------------------------------------------------------------

_notional = st.integers(min_value=-(10**30), max_value=10**30)


@settings(max_examples=200 * FUZZ, deadline=None)
@given(st.lists(_notional, max_size=8))
def test_gross_bounds(notionals: list[int]) -> None:
    legs = [
        Exposure(position_id="p", symbol="X", group_id=None, notional_usd_wad=n,
                 value_usd_wad=0, approved=True)
        for n in notionals
    ]  # fmt: skip
    longs = sum(n for n in notionals if n > 0)
    shorts = -sum(n for n in notionals if n < 0)
    gross = gross_usd_wad(legs)
    assert gross == max(longs, shorts)
    assert abs(sum(notionals)) <= gross <= longs + shorts


@settings(max_examples=100 * FUZZ, deadline=None)
@given(
    st.integers(min_value=0, max_value=30 * 10**12),
    st.integers(min_value=-30 * 10**12, max_value=30 * 10**12),
)
def test_refused_change_leaves_inputs_and_agrees_with_check_book(held: int, perp: int) -> None:
    base = [_spot("a-xrp", "XRP", held)] if held else []
    book = _state(base)
    snapshot = (book.positions, book.loans)
    change = PositionChange(upserts=(_perp("b-xrp", "XRP", perp, 2 * 10**8, acct="b"),))
    checks = check_change(book, change)
    xrp = _named(checks, "group:3:XRP")
    longs, shorts = (held + max(perp, 0)) * 2 * 10**12, max(-perp, 0) * 2 * 10**12
    assert xrp.next_usd_wad == max(longs, shorts)  # never longs - shorts
    after_book = {c.name: c.curr_usd_wad for c in check_book(apply_change(book, change))}
    assert {c.name: c.next_usd_wad for c in checks} == after_book
    if all(c.ok for c in checks):
        assert_within_limits(book, change)
    else:
        with pytest.raises(ProtocolError):
            assert_within_limits(book, change)
    assert (book.positions, book.loans) == snapshot
