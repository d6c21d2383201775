"""Offchain Collateralized Lending (Atlas A.6.1.1.1.3.8): the LTV-tier policy and its checks.

Source: sky-ecosystem/next-gen-atlas `content/A/6/1/1/1/3/8/**` (P8; snapshot 4101dc75,
2026-07-20; spec/spark-prime.md §1.11). Each eligible collateral has three LTV tiers:

- **initial** (P8/2/2/1/1): the maximum LTV at issuance, the level a margin call must
  restore, and the bound a withdrawal must stay strictly below;
- **maintenance**: above it a margin call opens, and the borrower must get back to <= initial
  within the cure period (<= 24 h from the breach, P8/2/4/2/3);
- **liquidation**: above it the position may be liquidated at once, call or no call.

Loans are revolving / evergreen / on demand, or fixed rate and term up to 6 months; the floor
is max(SSR + 0.3%, SOFR); a default or liquidation on one loan may accelerate the others
(cross-default, P8/2/5/2). LTV = debt / collateral value. `ltv_bps` rounds up (against the
borrower); with integer thresholds, ceil(x) > T exactly when x > T, so the status is exact.
Withdrawals compare exactly by cross-multiplication. A loan here is backed by one collateral
asset (the Atlas tiers are per asset).

Example:
    >>> tier = OclAssetTier(name="BTC", members=("BTC",), initial_ltv_bps=8000,
    ...                     maintenance_ltv_bps=8500, liquidation_ltv_bps=9000)
    >>> ocl_status(8500, tier), ocl_status(8501, tier), ocl_status(9001, tier)
    (<OclStatus.OK: 'ok'>, <OclStatus.MARGIN_CALL: 'margin_call'>, \
<OclStatus.LIQUIDATABLE: 'liquidatable'>)
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.policy import BPS, DAY_S, RateFloorRule, VenuePolicy

__all__ = [
    "NO_COLLATERAL_LTV_BPS",
    "OclAction",
    "OclAssessment",
    "OclAssetTier",
    "OclPolicy",
    "OclStatus",
    "assess_ocl",
    "ltv_bps",
    "max_withdrawable",
    "ocl_status",
]

NO_COLLATERAL_LTV_BPS: Final = 10**18  # debt against nothing: above every tier
_USD_WAD_MAX: Final = 10**33


def _bad(where: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_POLICY_INVALID, field=where, reason=reason)


def _need_int(value: object, where: str, lo: int, hi: int) -> int:
    if type(value) is not int or not lo <= value <= hi:
        raise _bad(where, f"{value!r} is not an int in [{lo}, {hi}]")
    return value


class OclStatus(StrEnum):
    """Where an LTV stands against the tiers."""

    OK = "ok"
    MARGIN_CALL = "margin_call"  # above maintenance
    LIQUIDATABLE = "liquidatable"  # above liquidation


class OclAction(StrEnum):
    """What the collateral agent does after an assessment."""

    NONE = "none"
    OPEN_MARGIN_CALL = "open_margin_call"
    KEEP_MARGIN_CALL = "keep_margin_call"
    CURED = "cured"
    LIQUIDATE = "liquidate"


@dataclass(frozen=True, slots=True, kw_only=True)
class OclAssetTier:
    """One eligible collateral (with its wrapped / staked versions) and its LTV tiers."""

    name: str
    members: tuple[str, ...]
    initial_ltv_bps: int
    maintenance_ltv_bps: int
    liquidation_ltv_bps: int
    exposure_limit_usd_wad: int | None = None  # None = unlimited
    member_limits_usd_wad: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    def __post_init__(self) -> None:
        if type(self.name) is not str or not self.name:
            raise _bad("name", f"{self.name!r} is not a non-empty str")
        members = tuple(self.members)
        if not members or len(set(members)) != len(members):
            raise _bad("members", f"tier {self.name}: members must be non-empty and unique")
        object.__setattr__(self, "members", members)
        _need_int(self.initial_ltv_bps, "initial_ltv_bps", 1, BPS)
        _need_int(self.maintenance_ltv_bps, "maintenance_ltv_bps", 1, BPS)
        _need_int(self.liquidation_ltv_bps, "liquidation_ltv_bps", 1, BPS)
        if not self.initial_ltv_bps <= self.maintenance_ltv_bps <= self.liquidation_ltv_bps:
            raise _bad(
                "maintenance_ltv_bps",
                f"tier {self.name}: need initial <= maintenance <= liquidation LTV",
            )
        if self.exposure_limit_usd_wad is not None:
            _need_int(self.exposure_limit_usd_wad, "exposure_limit_usd_wad", 0, _USD_WAD_MAX)
        limits = dict(self.member_limits_usd_wad)
        for symbol, limit in limits.items():
            if symbol not in members:
                raise _bad("member_limits_usd_wad", f"{symbol!r} is not in tier {self.name}")
            _need_int(limit, f"member_limits_usd_wad[{symbol}]", 0, _USD_WAD_MAX)
        object.__setattr__(self, "member_limits_usd_wad", MappingProxyType(limits))


@dataclass(frozen=True, slots=True, kw_only=True)
class OclPolicy:
    """One version of the Offchain Collateralized Lending rules."""

    version: str
    effective_from: datetime.date
    source: str
    tiers: tuple[OclAssetTier, ...]
    cure_period_s: int = DAY_S
    cross_default: bool = True
    max_fixed_term_s: int = 183 * DAY_S  # "up to 6 months": 183 days (a modelling choice)
    rate_floors: tuple[RateFloorRule, ...]
    venues: tuple[VenuePolicy, ...] = ()
    collateral_agent: str | None = None
    collateral_agent_limit_usd_wad: int | None = None

    def __post_init__(self) -> None:
        for name in ("tiers", "rate_floors", "venues"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if type(self.effective_from) is not datetime.date:
            raise _bad("effective_from", f"{self.effective_from!r} is not a datetime.date")
        symbols = [s for t in self.tiers for s in t.members]
        if not self.tiers or len(set(symbols)) != len(symbols):
            raise _bad("tiers", "need >= 1 tier, and each symbol in exactly one")
        _need_int(self.cure_period_s, "cure_period_s", 0, 30 * DAY_S)
        _need_int(self.max_fixed_term_s, "max_fixed_term_s", 0, 3650 * DAY_S)
        if type(self.cross_default) is not bool:
            raise _bad("cross_default", f"{self.cross_default!r} is not a bool")
        dates = [r.effective_from for r in self.rate_floors]
        if not dates or any(a >= b for a, b in itertools.pairwise(dates)):
            raise _bad("rate_floors", f"need >= 1 rule with rising effective_from, got {dates}")

    def tier_of(self, symbol: str) -> OclAssetTier:
        """The tier for `symbol` (exact match); OCL_UNKNOWN_ASSET if not eligible."""
        for tier in self.tiers:
            if symbol in tier.members:
                return tier
        raise ProtocolError(ErrorCode.OCL_UNKNOWN_ASSET, version=self.version, symbol=symbol)

    def rate_floor_bps(self, *, at: datetime.date, ssr_bps: int, sofr_bps: int) -> int:
        """max(SSR + a, SOFR + b) of the rule in force on `at`."""
        rule = None
        for r in self.rate_floors:
            if r.effective_from <= at:
                rule = r
        if rule is None:
            raise ProtocolError(
                ErrorCode.PRIME_NO_RATE_FLOOR_IN_FORCE,
                version=self.version,
                at=at,
                first=self.rate_floors[0].effective_from,
            )
        return rule.floor_bps(ssr_bps=ssr_bps, sofr_bps=sofr_bps)

    def check_fixed_term(self, term_s: int) -> None:
        """A fixed-term loan may run at most `max_fixed_term_s`; OCL_TERM_TOO_LONG otherwise."""
        _need_int(term_s, "term_s", 1, 100 * 3650 * DAY_S)
        if term_s > self.max_fixed_term_s:
            raise ProtocolError(
                ErrorCode.OCL_TERM_TOO_LONG, term_s=term_s, max_s=self.max_fixed_term_s
            )


def ltv_bps(debt_usd_wad: int, collateral_usd_wad: int) -> int:
    """debt / collateral in bps, rounded up; NO_COLLATERAL_LTV_BPS for debt against nothing."""
    _need_int(debt_usd_wad, "debt_usd_wad", 0, _USD_WAD_MAX)
    _need_int(collateral_usd_wad, "collateral_usd_wad", 0, _USD_WAD_MAX)
    if collateral_usd_wad == 0:
        return 0 if debt_usd_wad == 0 else NO_COLLATERAL_LTV_BPS
    return -(-debt_usd_wad * BPS // collateral_usd_wad)


def ocl_status(ltv: int, tier: OclAssetTier) -> OclStatus:
    """OK up to maintenance, MARGIN_CALL above it, LIQUIDATABLE above liquidation."""
    if ltv > tier.liquidation_ltv_bps:
        return OclStatus.LIQUIDATABLE
    if ltv > tier.maintenance_ltv_bps:
        return OclStatus.MARGIN_CALL
    return OclStatus.OK


@dataclass(frozen=True, slots=True, kw_only=True)
class OclAssessment:
    """One check of a loan: its status, the call in force after it and what to do."""

    status: OclStatus
    action: OclAction
    margin_call_since_ts_s: int | None  # the open call after this check, if any
    cure_deadline_ts_s: int | None


def assess_ocl(
    *,
    ltv: int,
    tier: OclAssetTier,
    cure_period_s: int,
    now_ts_s: int,
    margin_call_since_ts_s: int | None,
) -> OclAssessment:
    """Apply the tiers and the cure period at `now_ts_s`.

    Above liquidation: liquidate at once, even with a call open. With a call open, only
    LTV <= initial cures it (below maintenance is not enough); past the deadline
    (`since + cure_period_s`, inclusive for the borrower) the position is liquidated.
    Without a call, LTV above maintenance opens one now.
    """
    status = ocl_status(ltv, tier)
    since = margin_call_since_ts_s
    if since is not None and now_ts_s < since:
        raise _bad("now_ts_s", f"{now_ts_s} is before the margin call at {since}")
    deadline = None if since is None else since + cure_period_s
    if status is OclStatus.LIQUIDATABLE:
        return OclAssessment(
            status=status,
            action=OclAction.LIQUIDATE,
            margin_call_since_ts_s=since,
            cure_deadline_ts_s=deadline,
        )
    if since is not None and deadline is not None:
        if ltv <= tier.initial_ltv_bps:
            return OclAssessment(
                status=status,
                action=OclAction.CURED,
                margin_call_since_ts_s=None,
                cure_deadline_ts_s=None,
            )
        action = OclAction.LIQUIDATE if now_ts_s > deadline else OclAction.KEEP_MARGIN_CALL
        return OclAssessment(
            status=status, action=action, margin_call_since_ts_s=since, cure_deadline_ts_s=deadline
        )
    if status is OclStatus.MARGIN_CALL:
        return OclAssessment(
            status=status,
            action=OclAction.OPEN_MARGIN_CALL,
            margin_call_since_ts_s=now_ts_s,
            cure_deadline_ts_s=now_ts_s + cure_period_s,
        )
    return OclAssessment(
        status=status, action=OclAction.NONE, margin_call_since_ts_s=None, cure_deadline_ts_s=None
    )


def max_withdrawable(
    *,
    debt_usd_wad: int,
    collateral_qty: int,
    price_usd_e8: int,
    decimals: int,
    tier: OclAssetTier,
) -> int:
    """The most collateral (base units) that can leave while LTV stays strictly below initial.

    The remaining value is priced rounding down (against the borrower); the answer is exact:
    withdrawing one more base unit would leave LTV >= initial.
    """
    _need_int(debt_usd_wad, "debt_usd_wad", 0, _USD_WAD_MAX)
    _need_int(collateral_qty, "collateral_qty", 0, 2**256 - 1)
    _need_int(price_usd_e8, "price_usd_e8", 0, 2**128)
    _need_int(decimals, "decimals", 0, 36)
    if debt_usd_wad == 0:
        return collateral_qty
    if price_usd_e8 == 0:
        return 0
    # Smallest remaining value V (wad) with debt * BPS < initial * V.
    value_min = debt_usd_wad * BPS // tier.initial_ltv_bps + 1
    per_unit = price_usd_e8 * 10**10  # value of 10**decimals base units, in wad
    scale: int = 10**decimals
    keep = -(-value_min * scale // per_unit)
    return max(0, collateral_qty - keep)
