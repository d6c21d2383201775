"""Liquidation plans, one worked example per step type (numbers checked by hand in comments),
the hedged-pair rule, ordering, fee and bad debt (spark-prime.md §2; portfolio-margin.md §5.8).

Prices: BTC $60,000, ETH $3,000, USDC $1. Depths (liquidation_support): selling $60,000 of BTC
costs 60_000^2 / (200 x 6,000,000) = $3, so the average fill is 60,000 x (1 - 3/60,000) =
$59,997; $3,000 of ETH costs 3_000^2 / (200 x 300,000) = $0.15, a fill of $2,999.85.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import PositionKind as K
from sparkprime.prime.liquidation import LiquidationAction as A
from sparkprime.prime.liquidation import LiquidationPlan, LiquidationTarget, waterfall
from sparkprime.prime.liquidation_exec import execute_liquidation
from sparkprime.prime.margin import margin_account
from tests.prime.liquidation_support import POLICY, PRICES, USDC, plan
from tests.prime.prime_fixtures import ASSETS, DAY, E8, NOW, POOL, loan, pos

OKX = {"venue_id": "okx"}


def _actions(p: LiquidationPlan) -> list[tuple[A, str]]:
    return [(s.action, s.symbol) for s in p.steps]


def _fills(p: LiquidationPlan) -> dict[int, int]:
    return {s.index: s.expected_price_usd_e8 for s in p.steps
            if s.action in {A.CLOSE_FUTURE, A.CLOSE_PERP, A.SELL_SPOT, A.SELL_PT,
                            A.REPAY_LENDING}}  # fmt: skip


def test_sell_spot_then_repay_with_fee_and_residual():
    p = plan([pos(K.SPOT, "BTC", 10**8)], [loan(30_000 * USDC)])
    sell = p.steps[0]
    assert (sell.action, sell.qty, sell.expected_price_usd_e8) == (A.SELL_SPOT, 10**8, 59_997 * E8)
    assert sell.slippage_bps == 1  # 3 / 60,000 = 0.5 bp, rounded up
    assert sell.proceeds == 59_997 * USDC
    assert _actions(p)[1:] == [(A.REPAY_LOAN, "USDC")]
    # fee 5% of the 30,000 repaid = 1,500; residual 59,997 - 30,000 - 1,500 = 28,497
    assert (p.repaid, p.fee, p.bad_debt) == (30_000 * USDC, 1_500 * USDC, 0)
    assert p.residual_returned_to_borrower == 28_497 * USDC
    assert p.fee_usd_wad == 1_500 * 10**18


def test_close_perp_at_a_cash_venue_realises_pnl_and_bridges():
    # long 1 BTC perp from $50,000 on a perp DEX with 10,000 USDC collateral there: closing
    # sells at 59,997 -> PnL 9,997; the venue's cash 19,997 is bridged on-chain.
    venue = {"venue_id": "hl"}
    positions = [pos(K.PERP, "BTC", 10**8, entry_price_usd_e8=50_000 * E8, **venue),
                 pos(K.SPOT, "USDC", 10_000 * USDC, **venue)]  # fmt: skip
    p = plan(positions, [loan(15_000 * USDC)])
    assert _actions(p) == [(A.CLOSE_PERP, "BTC"), (A.COLLECT_CASH, "USDC"), (A.BRIDGE, "USDC"),
                           (A.REPAY_LOAN, "USDC")]  # fmt: skip
    assert p.steps[0].proceeds == 9_997 * USDC
    assert p.steps[2].qty == 19_997 * USDC
    assert p.steps[2].venue_id == "hl"
    # fee 750, residual 19,997 - 15,000 - 750 = 4,247
    assert (p.fee, p.residual_returned_to_borrower) == (750 * USDC, 4_247 * USDC)


def test_close_short_in_a_cex_subaccount_costs_only_slippage():
    # OKX margin value (adjEq) $20,000 already holds the perp at mark; buying back 1 BTC costs
    # $3 of slippage: fill 60,003, proceeds -3. Cash 19,997 bridged.
    positions = [pos(K.MARGIN_VALUE, "USDT", 0, margin_value_usd_wad=20_000 * 10**18, **OKX),
                 pos(K.PERP, "BTC", -(10**8), entry_price_usd_e8=61_000 * E8, **OKX)]  # fmt: skip
    p = plan(positions, [loan(1_000 * USDC)])
    close = p.steps[0]
    assert (close.action, close.qty, close.expected_price_usd_e8) == (A.CLOSE_PERP, -(10**8),
                                                                      60_003 * E8)  # fmt: skip
    assert close.proceeds == -3 * USDC
    assert p.steps[1].action is A.COLLECT_CASH
    assert p.steps[1].proceeds == 20_000 * USDC
    assert dict(p.venue_cash) == {"okx": 19_997 * USDC}
    assert p.expected_proceeds == 19_997 * USDC


def test_close_future_before_any_spot_sale_and_lending_before_loans():
    positions = [
        pos(K.SPOT, "WETH", 10**18),
        pos(K.MARGIN_VALUE, "USDT", 0, margin_value_usd_wad=10_000 * 10**18, **OKX),
        pos(K.FUTURE, "BTC", 10**8, entry_price_usd_e8=60_000 * E8, expiry_ts_s=NOW + 30 * DAY,
            **OKX),
        pos(K.LENDING_BORROW, "USDT", 100 * USDC),
    ]  # fmt: skip
    p = plan(positions, [loan(1_000 * USDC)])
    order = [s.action for s in p.steps]
    assert order == [A.CLOSE_FUTURE, A.SELL_SPOT, A.REPAY_LENDING, A.COLLECT_CASH, A.BRIDGE,
                     A.REPAY_LOAN]  # fmt: skip


def test_lp_withdrawn_into_legs_vault_redeemed_pt_sold():
    lp = pos(K.DEX_LP, "LP", 10**18, dex_kind="uniswap_v2",
             legs=(("WETH", 10**18), ("USDC", 3_000 * USDC)))  # fmt: skip
    vault = pos(K.VAULT_SHARES, "spUSDC", 1_000 * USDC, share_rate_wad=105 * 10**16,
                legs=(("USDC", 0),))  # fmt: skip
    pt = pos(K.PENDLE_PT, "wstETH", 10**18, expiry_ts_s=NOW + 60 * DAY, price_symbol="PT-wstETH",
             pt_amm_liquidity_usd_wad=10**6 * 10**18)  # fmt: skip
    p = plan([lp, vault, pt], [loan(1_000 * USDC)])
    by = {(s.action, s.symbol): s for s in p.steps}
    assert by[(A.WITHDRAW_LP, "LP")].proceeds == 3_000 * USDC  # the USDC leg is cash at once
    assert by[(A.SELL_SPOT, "WETH")].proceeds == 2_999_850_000  # $2,999.85
    # spUSDC: 1,000 shares x 1.05 = 1,050 USDC, exact (ERC-4626 redeem, no market)
    assert by[(A.REDEEM_VAULT, "spUSDC")].proceeds == 1_050 * USDC
    # PT at $2,900, depth 290,000: cost 2_900^2 / (200 x 290,000) = $0.145 -> $2,899.855
    sell_pt = by[(A.SELL_PT, "wstETH")]
    assert (sell_pt.expected_price_usd_e8, sell_pt.proceeds) == (289_985_500_000, 2_899_855_000)
    assert sell_pt.not_before_ts_s is None
    withdraw = next(s.index for s in p.steps if s.action is A.WITHDRAW_LP)
    assert withdraw < by[(A.SELL_SPOT, "WETH")].index
    assert p.expected_proceeds == 3_000 * USDC + 2_999_850_000 + 1_050 * USDC + 2_899_855_000


def test_pt_within_hold_window_is_redeemed_at_par_after_expiry():
    pt = pos(K.PENDLE_PT, "wstETH", 10**18, expiry_ts_s=NOW + 3 * DAY, price_symbol="PT-wstETH",
             pt_amm_liquidity_usd_wad=10**6 * 10**18)  # fmt: skip
    p = plan([pt], [loan(1_000 * USDC)], pt_hold_max_s=7 * DAY)
    s = p.steps[0]
    # par: the underlying at $3,000 less $0.15 on wstETH's depth
    assert (s.action, s.not_before_ts_s, s.proceeds) == (A.SELL_PT, NOW + 3 * DAY, 2_999_850_000)
    with pytest.raises(ProtocolError) as err:
        execute_liquidation(p, [pt], [loan(1_000 * USDC)], fills=_fills(p))
    assert err.value.code is ErrorCode.PRIME_LIQUIDATION_BAD_FILL
    _, _, out = execute_liquidation(p, [pt], [loan(1_000 * USDC)], fills=_fills(p),
                                    now_ts_s=NOW + 3 * DAY)  # fmt: skip
    assert out.repaid > 1_000 * USDC  # three more days of interest at 8% were paid too


def test_repay_lending_buys_the_debt_back():
    # borrow 1,000 USDT against 2 WETH: buy $1,000 USDT, cost 1_000^2 / (200 x 1e6) = $0.005,
    # fill ceil(1e8 x 1000.005 / 1000) = 100_000_500, pay 1,000.005 USDC; then sell 2 WETH
    # ($6,000: cost 6_000^2 / 6e7 = $0.60) for 5,999.40.
    positions = [pos(K.LENDING_SUPPLY, "WETH", 2 * 10**18),
                 pos(K.LENDING_BORROW, "USDT", 1_000 * USDC)]  # fmt: skip
    p = plan(positions, [loan(1_000 * USDC)])
    assert _actions(p)[:2] == [(A.REPAY_LENDING, "USDT"), (A.SELL_SPOT, "WETH")]
    repay, sell = p.steps[:2]
    assert (repay.qty, repay.expected_price_usd_e8, repay.proceeds) == (
        -1_000 * USDC,
        100_000_500,
        -1_000_005_000,
    )
    assert sell.proceeds == 5_999_400_000
    assert p.expected_proceeds == 4_999_395_000


def test_hedged_basis_trade_unwinds_both_legs_in_one_batch():
    positions = [
        pos(K.SPOT, "WBTC", 10**8),
        pos(K.MARGIN_VALUE, "USDT", 0, margin_value_usd_wad=5_000 * 10**18, **OKX),
        pos(K.PERP, "BTC", -(10**8), entry_price_usd_e8=60_000 * E8, **OKX),
        pos(K.SPOT, "WETH", 10**18),
    ]  # fmt: skip
    p = plan(positions, [loan(50_000 * USDC)])
    close = next(s for s in p.steps if s.action is A.CLOSE_PERP)
    sell_btc = next(s for s in p.steps if s.symbol == "WBTC")
    sell_eth = next(s for s in p.steps if s.symbol == "WETH")
    assert close.batch == sell_btc.batch != sell_eth.batch
    assert close.index < sell_btc.index
    # buying back on the buy side and selling on the sell side: $3 each
    assert (close.proceeds, sell_btc.proceeds) == (-3 * USDC, 59_997 * USDC)


def test_underwater_account_records_exactly_the_shortfall_as_bad_debt():
    # 1 ETH ($2,999.85 after slippage) against 5,000 principal + 100 interest, fee 5%:
    # repaid = floor(2,999.85 / 1.05) = 2,857; fee 142.85; bad debt 5,100 - 2,857 = 2,243.
    p = plan([pos(K.SPOT, "WETH", 10**18)], [loan(5_000 * USDC, accrued=100 * USDC)])
    assert p.expected_proceeds == 2_999_850_000
    assert (p.repaid, p.fee, p.bad_debt) == (2_857_000_000, 142_850_000, 2_243_000_000)
    assert p.residual_returned_to_borrower == 0
    assert p.expected_proceeds + p.bad_debt == p.debt + p.fee
    (rep,) = p.repayments
    assert (rep.interest, rep.principal, rep.written_off) == (100 * USDC, 2_757 * USDC,
                                                              2_243 * USDC)  # fmt: skip
    assert "bad debt" in p.reason


def test_waterfall_fee_boundaries():
    # exactly enough for debt + fee: nothing left, no bad debt
    w = waterfall(cash=1_050, interest=0, principal=1_000, fee_bps=500, full=True)
    assert (w.repaid, w.fee, w.bad_debt, w.residual) == (1_000, 50, 0, 0)
    # one unit short: the loan is no longer fully repaid (1049 / 1.05 = 999.04 -> 999)
    w = waterfall(cash=1_049, interest=0, principal=1_000, fee_bps=500, full=True)
    assert (w.repaid, w.fee, w.bad_debt) == (999, 50, 1)
    w = waterfall(cash=1_049, interest=0, principal=1_000, fee_bps=500, full=False)
    assert w.bad_debt == 0


def test_to_healthy_sells_least_efficient_collateral_first_and_stops():
    # DOGE (unapproved: 100% charge) $10,000 + 10 WETH $30,000 (20%), loan 22,000:
    # RF = 24,000 / 22,000 = 1.09 < 1.15. DOGE goes first: $10,000 at depth 1e6 costs $0.50,
    # 9,999.50 cash; repaid floor(9,999.5 / 1.05) = 9,523.333333, fee 476.166667; the loan
    # falls to 12,476.666667 and RF = 24,000 / 12,476.67 = 1.92: stop, WETH kept.
    doge, weth = pos(K.SPOT, "DOGE", 10**13), pos(K.SPOT, "WETH", 10 * 10**18)
    loans = [loan(22_000 * USDC)]
    p = plan([doge, weth], loans, target="to_healthy")
    assert p.target is LiquidationTarget.TO_HEALTHY
    assert _actions(p) == [(A.SELL_SPOT, "DOGE"), (A.REPAY_LOAN, "USDC")]
    assert (p.repaid, p.fee) == (9_523_333_333, 476_166_667)
    assert p.rf_before_wad is not None
    assert p.rf_before_wad < 115 * 10**16
    assert p.rf_after_wad is not None
    assert p.rf_after_wad > 115 * 10**16
    left, left_loans, out = execute_liquidation(p, [doge, weth], loans, fills=_fills(p))
    assert left == (weth,)
    assert left_loans[0].principal == 22_000 * USDC - 9_523_333_333
    assert out.bad_debt == 0
    assert out.residual_returned_to_borrower == 0


def test_to_healthy_takes_a_second_batch_only_when_needed():
    # DOGE now $1,000: after it RF = 24,000 / 21,047.6 = 1.14, still a margin call: WETH next.
    doge, weth = pos(K.SPOT, "DOGE", 10**12), pos(K.SPOT, "WETH", 10 * 10**18)
    p = plan([doge, weth], [loan(22_000 * USDC)], target="to_healthy")
    assert [s.symbol for s in p.steps if s.action is A.SELL_SPOT] == ["DOGE", "WETH"]
    # after DOGE alone: cost 1_000^2 / 2e8 = $0.005, cash 999.995, repaid floor(/1.05) =
    # 952.376190, the loan 21,047.623810: RF 1.1403, still <= 1.15
    after_doge = margin_account([weth], [loan(22_000 * USDC - 952_376_190)], PRICES, POLICY,
                                POOL, assets=ASSETS, now_ts_s=NOW)  # fmt: skip
    assert 114 * 10**16 < after_doge.rf_wad <= 115 * 10**16
    assert p.rf_after_wad is not None
    assert p.rf_after_wad > 115 * 10**16


def test_to_healthy_on_a_healthy_account_plans_nothing():
    p = plan([pos(K.SPOT, "WETH", 10 * 10**18)], [loan(1_000 * USDC)], target="to_healthy")
    assert p.steps == ()
    assert p.repaid == 0
    assert "already healthy" in p.reason


def test_execute_at_expected_prices_matches_plan_and_worse_fills_pay_less():
    positions = [pos(K.SPOT, "BTC", 10**8)]
    loans = [loan(30_000 * USDC)]
    p = plan(positions, loans)
    left, left_loans, out = execute_liquidation(p, positions, loans, fills=_fills(p))
    assert (left, left_loans) == ((), ())
    assert (out.realised_proceeds, out.repaid, out.fee, out.residual_returned_to_borrower) == (
        p.expected_proceeds,
        p.repaid,
        p.fee,
        p.residual_returned_to_borrower,
    )
    _, _, worse = execute_liquidation(p, positions, loans, fills={0: 59_000 * E8})
    assert worse.realised_proceeds == 59_000 * USDC
    assert worse.residual_returned_to_borrower == 59_000 * USDC - 31_500 * USDC


def test_bad_inputs_are_refused():
    btc = pos(K.SPOT, "BTC", 10**8)
    positions, loans = [btc], [loan(1_000 * USDC)]
    p = plan(positions, loans)
    cases: list[tuple[Callable[[], object], ErrorCode]] = [
        (lambda: execute_liquidation(p, positions, loans, fills={}),
         ErrorCode.PRIME_LIQUIDATION_BAD_FILL),
        (lambda: execute_liquidation(p, positions, loans, fills={0: 0}),
         ErrorCode.PRIME_LIQUIDATION_BAD_FILL),
        (lambda: execute_liquidation(p, positions, loans, fills={0: E8, 1: E8}),
         ErrorCode.PRIME_LIQUIDATION_INVALID_INPUT),
        (lambda: execute_liquidation(p, [], loans, fills=_fills(p)),
         ErrorCode.PRIME_LIQUIDATION_POSITION_MISSING),
        (lambda: execute_liquidation(p, positions, loans, fills=_fills(p), now_ts_s=NOW - 1),
         ErrorCode.CLOCK_WENT_BACKWARDS),
        (lambda: plan(positions, loans, depths={}), ErrorCode.PRIME_LIQUIDATION_NO_DEPTH),
        (lambda: plan(positions, loans, target="half"), ErrorCode.PRIME_LIQUIDATION_INVALID_INPUT),
        (lambda: plan(positions, loans, pt_hold_max_s=-1),
         ErrorCode.PRIME_LIQUIDATION_INVALID_INPUT),
        (lambda: plan([pos(K.SPOT, "BTC", 1, account_id="b")], loans),
         ErrorCode.PRIME_LIQUIDATION_INVALID_INPUT),
    ]  # fmt: skip
    for call, code in cases:
        with pytest.raises(ProtocolError) as err:
            call()
        assert err.value.code is code
    assert positions == [btc]  # nothing was changed by a refused call
    assert loans == [loan(1_000 * USDC)]
