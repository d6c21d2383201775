"""A small synthetic ReplayResult for the report tests: six hourly steps, two liquidations.

Names carry HTML and Rich markup on purpose, to prove the reports escape them.
"""

from __future__ import annotations

from sparkprime.sim.result import (
    LimitRecord,
    LiquidationRecord,
    NoticeRecord,
    ReplayResult,
    ReserveRecord,
    ResultSummary,
    RfQuantiles,
    RfThresholds,
    SllAllocationRecord,
    StepRecord,
)

WAD = 10**18
RAY = 10**27
T0 = 1_710_000_000  # 2024-03-09 16:00:00 UTC
HOUR = 3_600
BOOK = 'Fund <script>alert("x")</script> & [bold]co[/bold]'
BIG_WAD = 123_456_789_012_345_678_901_234_567  # far beyond 2**53: must survive JSON exactly

# RFs of the five indebted accounts at each step (wad); the book falls through the rungs.
_RFS = (
    (3 * WAD, 2 * WAD, 18 * WAD // 10, 15 * WAD // 10, 13 * WAD // 10),
    (28 * WAD // 10, 19 * WAD // 10, 16 * WAD // 10, 13 * WAD // 10, 11 * WAD // 10),
    (25 * WAD // 10, 17 * WAD // 10, 14 * WAD // 10, 11 * WAD // 10, 9 * WAD // 10),
    (24 * WAD // 10, 16 * WAD // 10, 12 * WAD // 10, 104 * WAD // 100, 12 * WAD // 10),
    (26 * WAD // 10, 17 * WAD // 10, 13 * WAD // 10, 12 * WAD // 10, 12 * WAD // 10),
    (27 * WAD // 10, 18 * WAD // 10, 14 * WAD // 10, 13 * WAD // 10, 13 * WAD // 10),
)
_STATUSES = (
    {"healthy": 6},
    {"healthy": 5, "margin_call": 1},
    {"healthy": 4, "margin_call": 1, "liquidation": 1},
    {"healthy": 4, "reduce_only": 1, "liquidated": 1},
    {"healthy": 5, "liquidated": 1},
    {"healthy": 5, "liquidated": 1},
)
_ETH = (3_500, 3_300, 2_900, 2_700, 2_800, 2_950)


def _step(i: int) -> StepRecord:
    fees = 0 if i < 2 else (1_500 * WAD if i == 2 else 2_000 * WAD)
    bad = 0 if i < 3 else 1_234_567 * WAD // 100  # $12,345.67 from step 3 on
    return StepRecord(
        step=i,
        ts_s=T0 + i * HOUR,
        prices_usd_wad={"WETH": _ETH[i] * WAD, "USDC": WAD, "WBTC": (65_000 - 1_000 * i) * WAD},
        rf_quantiles=RfQuantiles.of(_RFS[i]),
        accounts_by_status=_STATUSES[i],
        total_debt_usd_wad=(10_000_000 - 100_000 * i) * WAD,
        net_value_usd_wad=(4_000_000 - 900_000 * i) * WAD,
        funding_used_usd_wad=(10_000_000 - 100_000 * i) * WAD,
        cum_bad_debt_usd_wad=bad,
        cum_liquidation_fees_usd_wad=fees,
        liquidations=1 if i in (2, 3) else 0,
        margin_calls=1 if i == 1 else 0,
    )


def sample_result(*, book_name: str = BOOK) -> ReplayResult:
    steps = tuple(_step(i) for i in range(6))
    liquidations = (
        LiquidationRecord(
            ts_s=T0 + 2 * HOUR, account_id="acct-3", borrower_id="fund-c", full=False,
            debt_before_usd_wad=900_000 * WAD, proceeds_usd_wad=300_000 * WAD,
            repaid_usd_wad=298_500 * WAD, fee_usd_wad=1_500 * WAD, bad_debt_usd_wad=0,
            rf_before_wad=9 * WAD // 10, rf_after_wad=105 * WAD // 100, positions_closed=2,
        ),
        LiquidationRecord(
            ts_s=T0 + 3 * HOUR, account_id="acct-3", borrower_id="fund-c", full=True,
            debt_before_usd_wad=601_500 * WAD, proceeds_usd_wad=589_654_33 * WAD // 100,
            repaid_usd_wad=589_154_33 * WAD // 100, fee_usd_wad=500 * WAD,
            bad_debt_usd_wad=1_234_567 * WAD // 100, rf_before_wad=96 * WAD // 100,
            rf_after_wad=None, positions_closed=3,
        ),
    )  # fmt: skip
    notices = (
        NoticeRecord(
            ts_s=T0 + HOUR,
            kind="margin_call",
            message="RF 1.1000 <= 1.15",
            account_id="acct-3",
            borrower_id="fund-c",
        ),
        NoticeRecord(
            ts_s=T0 + 2 * HOUR,
            kind="liquidation",
            message="RF 0.9000 < 1.0",
            account_id="acct-3",
            borrower_id="fund-c",
        ),
        NoticeRecord(
            ts_s=T0 + 3 * HOUR,
            kind="bad_debt",
            message="shortfall <b>12,345.67</b>",
            account_id="acct-3",
            borrower_id="fund-c",
            loan_id="loan-3",
        ),
        NoticeRecord(
            ts_s=T0 + 4 * HOUR,
            kind="recall",
            message="insolvency acceleration",
            borrower_id="fund-c",
            loan_id="loan-3",
        ),
    )
    limits = tuple(
        LimitRecord(ts_s=s.ts_s, scope=scope, name=name, limit_usd_wad=limit,
                    exposure_usd_wad=(base - 50_000 * s.step) * WAD)
        for s in steps
        for scope, name, base, limit in (
            ("asset_group", "ETH", 6_000_000, 8_000_000 * WAD),
            ("asset_group", "BTC", 3_000_000, 2_900_000 * WAD),
            ("asset_group", "Stablecoins", 9_000_000, None),
            ("venue", "binance", 5_000_000, 6_000_000 * WAD),
            ("venue", "onchain", 7_000_000, None),
        )
    )  # fmt: skip
    sparklend = tuple(
        ReserveRecord(ts_s=s.ts_s, reserve=reserve, utilization_ray=(u + s.step) * RAY // 100,
                      supply_rate_ray=(r + s.step) * RAY // 1_000,
                      variable_borrow_rate_ray=(2 * r + s.step) * RAY // 1_000,
                      supplied_usd_wad=BIG_WAD, borrowed_usd_wad=BIG_WAD // 2)
        for s in steps
        for reserve, u, r in (("WETH", 80, 20), ("USDC", 60, 40))
    )  # fmt: skip
    sll = tuple(
        SllAllocationRecord(ts_s=s.ts_s, venue=venue, allocated_usd_wad=amount * WAD)
        for s in steps
        for venue, amount in (("sparklend-usdc", 400_000_000), ("arkis", 10_000_000 - s.step))
    )
    summary = ResultSummary(
        accounts=6, accounts_by_status=_STATUSES[-1], total_bad_debt_usd_wad=1_234_567 * WAD // 100,
        total_liquidation_fees_usd_wad=2_000 * WAD, liquidations=2, margin_calls=1, recalls=1,
        worst_rf_wad=9 * WAD // 10, worst_rf_account_id="acct-3", worst_rf_ts_s=T0 + 2 * HOUR,
        peak_funding_used_usd_wad=10_000_000 * WAD, sll_max_usd_wad=50_000_000 * WAD,
    )  # fmt: skip
    return ReplayResult(
        run_id="run-0001",
        book_name=book_name,
        scenario_name="ETH -17% (2024-08-05)",
        seed=42,
        started_ts_s=T0,
        step_s=HOUR,
        thresholds=RfThresholds(
            margin_call_rf_wad=115 * WAD // 100,
            reduce_only_rf_wad=105 * WAD // 100,
            liquidation_rf_wad=WAD,
        ),
        steps=steps,
        liquidations=liquidations,
        notices=notices,
        limits=limits,
        sparklend=sparklend,
        sll=sll,
        summary=summary,
        journal_path="runs/run-0001.sqlite",
    )
