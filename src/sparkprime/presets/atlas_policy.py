"""The Atlas Spark Prime / Arkis Infrastructure policy (A.6.1.1.1.3.7), both versions, as data.

The figures are in `data/atlas_policy.toml`, from sky-ecosystem/next-gen-atlas
`content/A/6/1/1/1/3/7/**` (snapshot 4101dc75, 2026-07-20; spec/spark-prime.md §1.3-1.5,
§1.10), in two dated versions:

1. `pr138-spark-prime-brokerage` (PR #138, commit 575d0dd9, from 2025-12-11): groups 1-14 (BTC
   without WBTC), the Onchain / Binance / OKX / Bybit / Bitget / Hyperliquid / Anchorage /
   Bitgo venues, no DEX-protocol rule (so no pool kind is eligible: a modelling choice), the
   floor max(SSR + 2%, SOFR + 2.5%).
2. `saep15-arkis-infrastructure` (SAEP-15, PR #249, commit 93b603e0, from 2026-07-09): all 19
   groups, WBTC in BTC, the DEX-protocol rule, the Ceffu / Copper / Lighter / Aster venues and
   the floor max(SSR + 0.3%, SOFR) (the older rule stays listed for loans dated before).

The Arkis pool (`arkis_usdc`, USDC) takes margin call at RF 1.15 and liquidation at 1.0 (Arkis
docs, spec §2). Its reduce-only RF (1.05), cure period (24 h), withdrawal haircut (10 %),
liquidation fee (5 %, the low end of the docs' "e.g., 5-10%") and extra liquidation haircut
(0) are modelling choices, marked CHOICE in the data. Native staking of an asset X with an
approved provider has the symbol `X_NATIVE_STAKING`.

Example:
    >>> import datetime
    >>> policy = atlas_policy()
    >>> policy.group_of("wstETH").name, policy.group_of("wsteth")
    ('ETH', None)
    >>> policy.rate_floor_bps(at=datetime.date(2026, 7, 20), ssr_bps=450, sofr_bps=430)
    480
    >>> atlas_policy(datetime.date(2026, 1, 1)).group_of("WBTC") is None
    True
"""

from __future__ import annotations

import datetime
import tomllib
from functools import cache
from importlib import resources
from typing import Final

from sparkprime.prime.policy import Policy, PolicyHistory, policy_history_from_mapping

__all__ = [
    "ARKIS_POOL_ID",
    "PR138_DATE",
    "SAEP15_DATE",
    "atlas_policy",
    "atlas_policy_history",
]

ARKIS_POOL_ID: Final = "arkis_usdc"
PR138_DATE: Final = datetime.date(2025, 12, 11)
SAEP15_DATE: Final = datetime.date(2026, 7, 9)
_DATA: Final = "data/atlas_policy.toml"


@cache
def atlas_policy_history() -> PolicyHistory:
    """Every Atlas version of the policy, oldest first (`data/atlas_policy.toml`)."""
    text = resources.files("sparkprime.presets").joinpath(_DATA).read_text(encoding="utf-8")
    return policy_history_from_mapping(tomllib.loads(text))


def atlas_policy(as_of: datetime.date | None = None) -> Policy:
    """The version in force on `as_of` (the newest when None)."""
    history = atlas_policy_history()
    return history.latest if as_of is None else history.at(as_of)
