"""Spark Prime: the portfolio-margin credit engine under the Atlas rules (A.6.1.1.1.3.7).

- Policy as versioned data: `Policy`, `PolicyHistory` (`policy`), the OCL sibling (`ocl_policy`).
- The book's records (`book`) and their exposures (`exposure`).
- Margin: `margin_account` (Arkis v2 two-sided stress, Atlas haircuts on net exposure per
  group, unapproved ±100% never offset), the scenario grid (`scenarios`), the liquidity add-on
  (`addons`), the status ladder (`status`), `what_if`.
- Book-wide limits (`limits`), loans (`loans`), recalls and emergencies (`recalls`,
  `emergency`), critical actions (`critical_actions`), liquidation plans (`liquidation*`).
- `PrimeBook`: all of it as one journaled state machine (`engine*`), read through `queries`.
"""

from __future__ import annotations

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
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.liquidation import LiquidationPlan
from sparkprime.prime.liquidation_exec import execute_liquidation
from sparkprime.prime.liquidation_plan import plan_liquidation
from sparkprime.prime.margin import MarginResult, margin_account
from sparkprime.prime.policy import (
    AssetGroup,
    Policy,
    PolicyHistory,
    PoolParams,
    VenueKind,
    VenuePolicy,
)
from sparkprime.prime.status import MarginStatus
from sparkprime.prime.whatif import WhatIfResult, what_if

__all__ = [
    "Account",
    "Asset",
    "AssetGroup",
    "Borrower",
    "KycStatus",
    "LiquidationPlan",
    "Loan",
    "LoanKind",
    "MarginResult",
    "MarginStatus",
    "Policy",
    "PolicyHistory",
    "PoolParams",
    "Position",
    "PositionKind",
    "PrimeBook",
    "Venue",
    "VenueKind",
    "VenuePolicy",
    "WhatIfResult",
    "execute_liquidation",
    "margin_account",
    "plan_liquidation",
    "what_if",
]
