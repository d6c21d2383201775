"""Shared set-up for the loan, recall and limit tests: small policies with the two Atlas
borrow-rate floors (PR #138, 2025-12-11: max(SSR + 2 %, SOFR + 2.5 %); SAEP-15, 2026-07-09:
max(SSR + 0.3 %, SOFR); spark-prime.md §1.5, §1.10), borrowers and loans."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from sparkprime.prime.book import Account, Borrower, KycStatus, Loan, LoanKind
from sparkprime.prime.policy import AssetGroup, Policy, PolicyHistory, RateFloorRule

__all__ = [
    "DAY",
    "OLD_FLOOR",
    "PR138",
    "PR138_DATE",
    "SAEP15",
    "SAEP15_DATE",
    "account",
    "borrower",
    "history",
    "loan",
    "policy",
    "ts",
]

DAY = 86_400
PR138_DATE = datetime.date(2025, 12, 11)
SAEP15_DATE = datetime.date(2026, 7, 9)
OLD_FLOOR = RateFloorRule(effective_from=PR138_DATE, ssr_spread_bps=200, sofr_spread_bps=250)
NEW_FLOOR = RateFloorRule(effective_from=SAEP15_DATE, ssr_spread_bps=30, sofr_spread_bps=0)


def ts(year: int, month: int, day: int) -> int:
    """Midnight UTC of a date, in seconds."""
    return int(datetime.datetime(year, month, day, tzinfo=datetime.UTC).timestamp())


def policy(
    version: str = "saep15",
    *,
    effective_from: datetime.date = SAEP15_DATE,
    rate_floors: Sequence[RateFloorRule] = (OLD_FLOOR, NEW_FLOOR),
    groups: Sequence[AssetGroup] = (),
    loan_max_fixed_term_s: int = 30 * DAY,
) -> Policy:
    return Policy(
        version=version,
        effective_from=effective_from,
        source="test",
        groups=tuple(groups),
        venues=(),
        pools=(),
        eligible_dex_kinds=frozenset(),
        rate_floors=tuple(rate_floors),
        loan_max_fixed_term_s=loan_max_fixed_term_s,
    )


PR138 = policy("pr138", effective_from=PR138_DATE, rate_floors=(OLD_FLOOR,))
SAEP15 = policy()


def history() -> PolicyHistory:
    return PolicyHistory(versions=(PR138, SAEP15))


def borrower(borrower_id: str = "fund", /, **kw: object) -> Borrower:
    fields: dict[str, object] = {
        "borrower_id": borrower_id,
        "name": borrower_id.title(),
        "entity": f"{borrower_id} Ltd",
        "kyc": KycStatus.APPROVED,
        "sanctioned": False,
        "solvency_attested_ts_s": 0,
    }
    fields.update(kw)
    return Borrower(**fields)  # type: ignore[arg-type]


def account(account_id: str = "acct", borrower_id: str = "fund") -> Account:
    return Account(account_id=account_id, borrower_id=borrower_id, pool_id="usdc")


def loan(
    loan_id: str = "L1",
    *,
    account_id: str = "acct",
    principal: int = 10**12,
    rate_bps: int = 500,
    kind: LoanKind = LoanKind.DEMAND,
    start: int = 0,
    term_s: int | None = None,
    accrued_interest: int = 0,
) -> Loan:
    return Loan(
        loan_id=loan_id,
        account_id=account_id,
        principal=principal,
        rate_bps=rate_bps,
        kind=kind,
        originated_ts_s=start,
        term_end_ts_s=None if term_s is None else start + term_s,
        accrued_interest=accrued_interest,
        last_accrual_ts_s=start,
    )
