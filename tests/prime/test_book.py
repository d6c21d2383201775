"""The book's records refuse bad input with a clear ProtocolError (issue 5: "a negative
quantity where none is allowed", missing expiry / legs, ...)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import (
    Account,
    Asset,
    Borrower,
    KycStatus,
    Loan,
    LoanKind,
    Position,
    PositionKind,
    Venue,
)
from sparkprime.prime.policy import VenueKind

K = PositionKind


def pos(kind: PositionKind, qty: int, **kw: Any) -> Position:
    base: dict[str, Any] = {
        "position_id": "p",
        "account_id": "a",
        "venue_id": "v",
        "kind": kind,
        "symbol": kw.pop("symbol", "WETH"),
        "qty": qty,
    }
    return Position(**base, **kw)


def refused(code: ErrorCode, fn: Any, *args: Any, **kw: Any) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        fn(*args, **kw)
    assert info.value.code is code
    return info.value


VALID = [
    pos(K.SPOT, 5),
    pos(K.SPOT, 0),
    pos(K.PERP, -5, entry_price_usd_e8=1),
    pos(K.PERP, 5, entry_price_usd_e8=1),
    pos(K.FUTURE, -5, entry_price_usd_e8=1, expiry_ts_s=10),
    pos(K.PENDLE_PT, 5, expiry_ts_s=10, pt_amm_liquidity_usd_wad=1, price_symbol="PT-WETH"),
    pos(K.DEX_LP, 5, symbol="LP", dex_kind="uniswap_v2", legs=(("WETH", 1), ("USDC", 2))),
    pos(K.LENDING_SUPPLY, 5),
    pos(K.LENDING_BORROW, 5),
    pos(K.VAULT_SHARES, 5, symbol="spUSDC", share_rate_wad=10**18, legs=(("USDC", 0),)),
    pos(K.MARGIN_VALUE, 0, symbol="USDT", margin_value_usd_wad=-(10**18)),
]


@pytest.mark.parametrize("p", VALID, ids=lambda p: p.kind.value)
def test_valid_positions_construct_and_are_frozen(p: Position):
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.qty = 1  # type: ignore[misc]


def test_negative_spot_is_refused_with_a_clear_message():
    err = refused(ErrorCode.PRIME_INVALID_POSITION, pos, K.SPOT, -1)
    assert err.context["field"] == "qty"
    assert "cannot be short" in str(err)


@pytest.mark.parametrize(
    "kind",
    [K.SPOT, K.LENDING_SUPPLY, K.LENDING_BORROW, K.PENDLE_PT, K.DEX_LP, K.VAULT_SHARES],
)
def test_negative_qty_refused_for_every_unsigned_kind(kind: PositionKind):
    extras: dict[PositionKind, dict[str, Any]] = {
        K.PENDLE_PT: {"expiry_ts_s": 1, "pt_amm_liquidity_usd_wad": 1},
        K.DEX_LP: {"dex_kind": "uniswap_v2", "legs": (("WETH", 1),)},
        K.VAULT_SHARES: {"share_rate_wad": 1, "legs": (("USDC", 0),)},
    }
    extra = extras.get(kind, {})
    err = refused(ErrorCode.PRIME_INVALID_POSITION, pos, kind, -1, **extra)
    assert err.context["field"] == "qty"


@pytest.mark.parametrize(
    ("kind", "qty", "kw", "field"),
    [
        (K.PERP, 1, {}, "entry_price_usd_e8"),
        (K.PERP, 1, {"entry_price_usd_e8": 0}, "entry_price_usd_e8"),
        (K.FUTURE, 1, {"entry_price_usd_e8": 1}, "expiry_ts_s"),
        (K.PENDLE_PT, 1, {"pt_amm_liquidity_usd_wad": 1}, "expiry_ts_s"),
        (K.PENDLE_PT, 1, {"expiry_ts_s": 1}, "pt_amm_liquidity_usd_wad"),
        (K.DEX_LP, 1, {"legs": (("WETH", 1),)}, "dex_kind"),
        (K.DEX_LP, 1, {"dex_kind": "uniswap_v2"}, "legs"),
        (K.DEX_LP, 1, {"dex_kind": "uniswap_v2", "legs": (("WETH", -1),)}, "legs[0]"),
        (K.VAULT_SHARES, 1, {"legs": (("USDC", 0),)}, "share_rate_wad"),
        (K.VAULT_SHARES, 1, {"share_rate_wad": 1}, "legs"),
        (K.VAULT_SHARES, 1, {"share_rate_wad": 1, "legs": (("USDC", 5),)}, "legs"),
        (K.SPOT, 1, {"legs": (("USDC", 5),)}, "legs"),
        (K.MARGIN_VALUE, 0, {}, "margin_value_usd_wad"),
        (K.MARGIN_VALUE, 1, {"margin_value_usd_wad": 1}, "qty"),
        (K.SPOT, 1, {"margin_value_usd_wad": 1}, "margin_value_usd_wad"),
        (K.SPOT, 1, {"expiry_ts_s": -1}, "expiry_ts_s"),
        (K.SPOT, True, {}, "qty"),
        (K.SPOT, 1, {"price_symbol": "X"}, "price_symbol"),
        (
            K.PENDLE_PT,
            1,
            {"expiry_ts_s": 1, "pt_amm_liquidity_usd_wad": 1, "price_symbol": ""},
            "price_symbol",
        ),
    ],
)
def test_missing_or_bad_kind_fields_are_refused(
    kind: PositionKind, qty: int, kw: dict[str, Any], field: str
):
    err = refused(ErrorCode.PRIME_INVALID_POSITION, pos, kind, qty, **kw)
    assert err.context["field"] == field


def test_records_validate_ids_and_kinds():
    refused(ErrorCode.PRIME_INVALID_RECORD, Account, account_id="", borrower_id="b", pool_id="p")
    refused(ErrorCode.PRIME_INVALID_RECORD, Asset, symbol="X", decimals=-1)
    refused(ErrorCode.PRIME_INVALID_RECORD, Venue, venue_id="v", name="Binance",
            kind=VenueKind.CEX)  # fmt: skip
    Venue(venue_id="v", name="Binance", kind=VenueKind.CEX, master_account="arkis")
    refused(
        ErrorCode.PRIME_INVALID_RECORD, Borrower, borrower_id="b", name="n", entity="e",
        kyc="approved", sanctioned=False, solvency_attested_ts_s=None,
    )  # fmt: skip
    b = Borrower(borrower_id="b", name="n", entity="e", kyc=KycStatus.APPROVED,
                 sanctioned=False, solvency_attested_ts_s=5)  # fmt: skip
    assert not b.insolvent
    assert not b.in_administration


def test_loan_rules():
    ok: dict[str, Any] = {
        "loan_id": "l", "account_id": "a", "principal": 10, "rate_bps": 500,
        "kind": LoanKind.EVERGREEN, "originated_ts_s": 100, "term_end_ts_s": None,
        "accrued_interest": 0, "last_accrual_ts_s": 100,
    }  # fmt: skip
    Loan(**ok)
    for bad in (
        {"kind": LoanKind.FIXED},
        {"principal": -1},
        {"last_accrual_ts_s": 99},
        {"term_end_ts_s": 100},
    ):
        err = refused(ErrorCode.PRIME_INVALID_RECORD, Loan, **{**ok, **bad})
        assert err.context["record"] == "loan"
