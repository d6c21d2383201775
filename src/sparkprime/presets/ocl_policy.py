"""The Atlas Offchain Collateralized Lending policy (A.6.1.1.1.3.8) as data.

Source: sky-ecosystem/next-gen-atlas `content/A/6/1/1/1/3/8/**` (P8), as seen at snapshot
4101dc75 (2026-07-20); spec/spark-prime.md §1.11. `effective_from` is that snapshot date (the
date the rules were read, not their adoption date). The LTV tiers (initial / maintenance /
liquidation) and exposure limits per asset (P8/2/2), a cure period of 24 h from the
maintenance breach (P8/2/4/2/3), fixed terms up to 6 months (183 days, a modelling choice),
the floor max(SSR + 0.3%, SOFR + 0%), cross-default (P8/2/5/2), the Anchorage venue and the
collateral agent Anchorage Innovations, each at $1 billion. The Gold tier's "$500M (<= $50M
XAUM)" is a $500M tier cap with XAUM at most $50M of it. `X_NATIVE_STAKING` is native staking
of X, as in the Arkis preset.

Example:
    >>> ocl_policy().tier_of("weETH").initial_ltv_bps
    7000
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Final

from sparkprime.prime.ocl_policy import OclAssetTier, OclPolicy
from sparkprime.prime.policy import WAD, RateFloorRule, VenueKind, VenuePolicy

__all__ = ["OCL_AS_OF", "ocl_policy"]

OCL_AS_OF: Final = datetime.date(2026, 7, 20)
_M: Final = 1_000_000 * WAD


def _tier(
    name: str,
    members: tuple[str, ...],
    ltvs_pct: tuple[int, int, int],
    limit: int | None,
    member_limits: dict[str, int] | None = None,
) -> OclAssetTier:
    initial, maintenance, liquidation = (pct * 100 for pct in ltvs_pct)
    return OclAssetTier(
        name=name,
        members=members,
        initial_ltv_bps=initial,
        maintenance_ltv_bps=maintenance,
        liquidation_ltv_bps=liquidation,
        exposure_limit_usd_wad=limit,
        member_limits_usd_wad=member_limits or {},
    )


@cache
def ocl_policy() -> OclPolicy:
    """The OCL rules as read at the 2026-07-20 Atlas snapshot."""
    return OclPolicy(
        version="atlas-4101dc75-ocl",
        effective_from=OCL_AS_OF,
        source=(
            "sky-ecosystem/next-gen-atlas content/A/6/1/1/1/3/8 (A.6.1.1.1.3.8 Offchain "
            "Collateralized Lending), snapshot 4101dc75 (2026-07-20)"
        ),
        tiers=(
            _tier("BTC", ("BTC", "cbBTC", "LBTC", "WBTC"), (80, 85, 90), None),
            _tier(
                "ETH",
                ("ETH", "WETH", "stETH", "weETH", "lsETH", "ETH_NATIVE_STAKING"),
                (70, 85, 90),
                None,
            ),
            _tier("XRP", ("XRP",), (60, 70, 80), 25 * _M),
            _tier("SOL", ("SOL", "JitoSOL", "SOL_NATIVE_STAKING"), (70, 80, 85), 100 * _M),
            _tier("HYPE", ("HYPE", "kHYPE", "HYPE_NATIVE_STAKING"), (60, 70, 80), 25 * _M),
            _tier("GOLD", ("XAUT", "PAXG", "XAUM"), (80, 85, 90), 500 * _M, {"XAUM": 50 * _M}),
        ),
        cure_period_s=86_400,
        cross_default=True,
        max_fixed_term_s=183 * 86_400,
        rate_floors=(
            RateFloorRule(effective_from=OCL_AS_OF, ssr_spread_bps=30, sofr_spread_bps=0),
        ),
        venues=(VenuePolicy(name="Anchorage", kind=VenueKind.CUSTODIAN, limit_usd_wad=1_000 * _M),),
        collateral_agent="Anchorage Innovations",
        collateral_agent_limit_usd_wad=1_000 * _M,
    )
