"""Positions -> exposures: values, signs, futures-account mapping and every eligibility rule."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Position
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.exposure import Exposure, account_exposures, validate_position, value_usd_wad
from tests.prime.prime_fixtures import ASSETS, DAY, E8, NOW, WAD, make_policy, pos, usd

POLICY = make_policy()
PRICES = {"ETH": 3_000 * E8, "WETH": 3_000 * E8, "rsETH": 3_100 * E8, "BTC": 60_000 * E8,
          "USDC": E8, "USDT": E8, "DOGE": E8 // 10, "USDS": E8, "XAG": 30 * E8,
          "PT-rsETH": 2_900 * E8}  # fmt: skip


def ex(*positions: Position) -> tuple[Exposure, ...]:
    return account_exposures(positions, prices=PRICES, assets=ASSETS, policy=POLICY,
                             now_ts_s=NOW)  # fmt: skip


def test_value_rounds_against_the_borrower():
    assert value_usd_wad(1, 1, 8) == 100  # 1e-8 units at $1e-8: 1e-16 USD = 100 wei
    assert value_usd_wad(1, 1, 19) == 0  # an asset's dust rounds down
    assert value_usd_wad(-1, 1, 19) == -1  # a liability's dust rounds up


def test_spot_borrow_and_supply():
    (s,), (b,), (sup,) = ex(pos(K.SPOT, "WETH", 2 * WAD)), ex(pos(K.LENDING_BORROW, "USDC",
                                                                 500 * 10**6)), ex(
        pos(K.LENDING_SUPPLY, "USDT", 7 * 10**6))  # fmt: skip
    assert (s.notional_usd_wad, s.value_usd_wad, s.group_id, s.approved) == (
        usd(6000), usd(6000), 2, True)  # fmt: skip
    assert (b.notional_usd_wad, b.value_usd_wad, b.group_id) == (-usd(500), -usd(500), 4)
    assert (sup.notional_usd_wad, sup.group_id) == (usd(7), 5)


def test_perp_notional_is_signed_and_value_is_pnl():
    (e,) = ex(pos(K.PERP, "ETH", -2 * WAD, entry_price_usd_e8=3_100 * E8))
    assert e.notional_usd_wad == -usd(6000)
    assert e.value_usd_wad == usd(200)  # short from 3100 to 3000


def test_futures_account_values_only_the_margin_value():
    okx = {"venue_id": "okx"}
    exps = ex(
        pos(K.MARGIN_VALUE, "USDT", 0, margin_value_usd_wad=usd(500_000), **okx),
        pos(K.SPOT, "USDT", 100_000 * 10**6, **okx),  # posted as margin: token_exposure
        pos(K.PERP, "ETH", -WAD, entry_price_usd_e8=2_000 * E8, **okx),  # PnL inside adjEq
        pos(K.SPOT, "WETH", WAD),  # on-chain: spot
    )
    assert [e.value_usd_wad for e in exps] == [usd(500_000), 0, 0, usd(3000)]
    assert [e.notional_usd_wad for e in exps] == [0, usd(100_000), -usd(3000), usd(3000)]


def test_unknown_symbol_is_unapproved_with_a_warning():
    (e,) = ex(pos(K.SPOT, "DOGE", 10 * E8))
    assert not e.approved
    assert e.group_id is None
    assert "DOGE is in no asset group" in e.reason


def test_derivatives_only_group_approves_perps_not_spot():
    (spot,), (perp,) = ex(pos(K.SPOT, "XAG", WAD)), ex(pos(K.PERP, "XAG", WAD,
                                                          entry_price_usd_e8=30 * E8))  # fmt: skip
    assert not spot.approved
    assert "derivatives only" in spot.reason
    assert perp.approved


@pytest.mark.parametrize(
    ("expiry", "approved"),
    [(NOW + 120 * DAY, True), (NOW + 120 * DAY + 1, False), (NOW, False), (NOW - 5, False)],
)
def test_future_and_pt_window_of_120_days(expiry: int, approved: bool):
    fut = pos(K.FUTURE, "BTC", E8, entry_price_usd_e8=60_000 * E8, expiry_ts_s=expiry)
    pt = pos(K.PENDLE_PT, "rsETH", WAD, expiry_ts_s=expiry, pt_amm_liquidity_usd_wad=usd(10**6))
    assert [e.approved for e in ex(fut, pt)] == [approved, approved]


def test_expired_future_or_pt_is_refused_when_added():
    for p in (
        pos(K.FUTURE, "BTC", E8, entry_price_usd_e8=1, expiry_ts_s=NOW),
        pos(K.PENDLE_PT, "rsETH", 1, expiry_ts_s=NOW - 1, pt_amm_liquidity_usd_wad=1),
    ):
        with pytest.raises(ProtocolError) as info:
            validate_position(p, POLICY, NOW)
        assert info.value.code is ErrorCode.PRIME_POSITION_EXPIRED
    # beyond 120 days is accepted into the book (it is unapproved in margin)
    validate_position(pos(K.FUTURE, "BTC", E8, entry_price_usd_e8=1,
                          expiry_ts_s=NOW + 365 * DAY), POLICY, NOW)  # fmt: skip


def test_pt_priced_at_its_own_key_and_capped_at_10x_amm_liquidity():
    (e,) = ex(pos(K.PENDLE_PT, "rsETH", WAD, expiry_ts_s=NOW + DAY, price_symbol="PT-rsETH",
                  pt_amm_liquidity_usd_wad=usd(1_000)))  # fmt: skip
    assert (e.notional_usd_wad, e.group_id, e.approved) == (usd(2900), 2, True)
    ok, over = ex(pos(K.PENDLE_PT, "rsETH", 10 * WAD, expiry_ts_s=NOW + DAY,
                      price_symbol="PT-rsETH", pt_amm_liquidity_usd_wad=usd(2_000)))  # fmt: skip
    assert (ok.notional_usd_wad, ok.approved) == (usd(20_000), True)
    assert (over.notional_usd_wad, over.approved) == (usd(9_000), False)


def test_dex_lp_legs_and_eligibility():
    legs = (("WETH", WAD), ("USDC", 3_000 * 10**6))
    good = ex(pos(K.DEX_LP, "LP", 5, dex_kind="uniswap_v3", legs=legs))
    assert [(e.symbol, e.notional_usd_wad, e.approved) for e in good] == [
        ("WETH", usd(3000), True), ("USDC", usd(3000), True)]  # fmt: skip
    hooked = ex(pos(K.DEX_LP, "LP", 5, dex_kind="uniswap_v4_unvetted_hook", legs=legs))
    assert [e.approved for e in hooked] == [False, False]
    assert "not eligible" in hooked[0].reason
    bad_leg = ex(pos(K.DEX_LP, "LP", 5, dex_kind="uniswap_v2",
                     legs=(("WETH", WAD), ("DOGE", 10 * E8))))  # fmt: skip
    assert [e.approved for e in bad_leg] == [False, False]
    assert "unapproved leg" in bad_leg[0].reason


def test_vault_shares_map_to_the_underlying():
    (sp,) = ex(pos(K.VAULT_SHARES, "spUSDC", 1_000 * 10**6, share_rate_wad=WAD * 105 // 100,
                   legs=(("USDC", 0),)))  # fmt: skip
    assert (sp.symbol, sp.group_id, sp.notional_usd_wad, sp.approved) == (
        "USDC", 4, usd(1050), True)  # fmt: skip
    # sUSDS and USDS are in no Atlas group: unapproved
    (s,) = ex(pos(K.VAULT_SHARES, "sUSDS", WAD, share_rate_wad=WAD, legs=(("USDS", 0),)))
    assert not s.approved
    assert s.group_id is None


def test_missing_price_or_decimals_is_an_error_not_a_guess():
    with pytest.raises(ProtocolError) as info:
        ex(pos(K.SPOT, "CRV", WAD))
    assert info.value.code is ErrorCode.PRICE_UNAVAILABLE
    with pytest.raises(ProtocolError) as info:
        ex(pos(K.SPOT, "NOPE", WAD))
    assert info.value.code is ErrorCode.PRIME_UNKNOWN_ASSET
