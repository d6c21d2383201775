"""Spark Prime policy as versioned, validated data (Atlas A.6.1.1.1.3.7, "Arkis Infrastructure").

Source: sky-ecosystem/next-gen-atlas, `content/A/6/1/1/1/3/7/**` (snapshot 4101dc75,
2026-07-20; spec/spark-prime.md §1.2-1.5, §1.10) and the Arkis margin engine v2 whitepaper
(ArkisXYZ/arkis_margin_engine_whitepaper, `margin_engine_v2/Arkis_Margin_Engine_v2.tex`;
spec §2) for the per-pool thresholds. A `Policy` is one version of the rules: the haircut
groups (each with its staked / wrapped / approved versions and limits), the approved venues,
the lending pools' RF thresholds, the PT / futures / DEX-pool rules, loan terms and the dated
borrow-rate floors. `PolicyHistory.at(date)` gives the version in force on a date, so history
replays with the rules of its time. Every record checks itself on construction
(`PRIME_POLICY_INVALID` naming the field); `policy_from_mapping` builds one from TOML / YAML
shaped data and names the field path of any bad entry (`groups[3].haircut_long_bps`).

Units: bps ints (10_000 = 100 %), USD limits in wad (1e18 = $1), dates as `datetime.date`.
In the mapping form, USD limits are whole dollars (`exposure_limit_usd`), scaled to wad.

Example:
    >>> g = AssetGroup(group_id=1, name="BTC", haircut_long_bps=2000, haircut_short_bps=2000,
    ...                pegged=False, members=("BTC", "WBTC"))
    >>> g.haircut_bps(Side.SHORT)
    2000
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, TypeVar

from sparkprime.core.errors import ErrorCode, ProtocolError

__all__ = [
    "BPS",
    "DAY_S",
    "WAD",
    "AssetGroup",
    "Policy",
    "PolicyHistory",
    "PoolParams",
    "RateFloorRule",
    "Side",
    "VenueKind",
    "VenuePolicy",
    "policy_from_mapping",
    "policy_history_from_mapping",
]

BPS: Final = 10_000
WAD: Final = 10**18
DAY_S: Final = 86_400
_RF_MAX_BPS: Final = 1_000_000  # an RF threshold above 100x is a typo
_USD_MAX: Final = 10**15  # whole dollars: a quadrillion is a typo too
_T = TypeVar("_T")


class Side(StrEnum):
    """Which way a net exposure points; a long is stressed down, a short up."""

    LONG = "long"
    SHORT = "short"


class VenueKind(StrEnum):
    """How funds are held at a venue (Atlas A.6.1.1.1.3.7.2.3.2)."""

    ONCHAIN = "onchain"
    CEX = "cex"
    CUSTODIAN = "custodian"


def _bad(where: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_POLICY_INVALID, field=where, reason=reason)


def _need_int(value: object, where: str, lo: int, hi: int) -> None:
    if type(value) is not int or not lo <= value <= hi:
        raise _bad(where, f"{value!r} is not an int in [{lo}, {hi}]")


def _need_str(value: object, where: str) -> None:
    if type(value) is not str or not value.strip():
        raise _bad(where, f"{value!r} is not a non-empty str")


def _need_date(value: object, where: str) -> None:
    # datetime.datetime is a date subclass: a timestamp is not a policy date.
    if type(value) is not datetime.date:
        raise _bad(where, f"{value!r} is not a datetime.date")


def _need_usd(value: object, where: str) -> None:
    if value is not None:
        _need_int(value, where, 0, _USD_MAX * WAD)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetGroup:
    """One haircut group of the Atlas table (A.6.1.1.1.3.7.2.2.2.N), with all its versions."""

    group_id: int
    name: str
    haircut_long_bps: int  # on NET LONG exposure (price down)
    haircut_short_bps: int  # on NET SHORT exposure (price up); 0 when pegged
    pegged: bool  # stablecoins: never stressed up
    members: tuple[str, ...]  # base asset and every staked / wrapped / approved version
    exposure_limit_usd_wad: int | None = None  # group-wide gross limit; None = none
    member_limits_usd_wad: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    max_share_of_supply_bps: int | None = None  # groups 15/16: 20 % of circulating supply
    derivatives_only: bool = False  # silver, oil: no spot asset is approved

    def __post_init__(self) -> None:
        _need_int(self.group_id, "group_id", 1, 10_000)
        _need_str(self.name, "name")
        _need_int(self.haircut_long_bps, "haircut_long_bps", 0, BPS)
        _need_int(self.haircut_short_bps, "haircut_short_bps", 0, BPS)
        if type(self.pegged) is not bool or type(self.derivatives_only) is not bool:
            raise _bad("pegged", "pegged and derivatives_only must be bools")
        if self.pegged and self.haircut_short_bps != 0:
            raise _bad(
                "haircut_short_bps",
                f"group {self.name}: a pegged group is never stressed up, so it must be 0",
            )
        members = tuple(self.members)
        if not members:
            raise _bad("members", f"group {self.name} has no member symbol")
        for symbol in members:
            _need_str(symbol, "members")
        if len(set(members)) != len(members):
            raise _bad("members", f"group {self.name} lists a symbol twice")
        object.__setattr__(self, "members", members)
        _need_usd(self.exposure_limit_usd_wad, "exposure_limit_usd_wad")
        limits = dict(self.member_limits_usd_wad)
        for symbol, limit in limits.items():
            if symbol not in members:
                raise _bad("member_limits_usd_wad", f"{symbol!r} is not in group {self.name}")
            _need_usd(limit, f"member_limits_usd_wad[{symbol}]")
        object.__setattr__(self, "member_limits_usd_wad", MappingProxyType(limits))
        if self.max_share_of_supply_bps is not None:
            _need_int(self.max_share_of_supply_bps, "max_share_of_supply_bps", 1, BPS)

    def haircut_bps(self, side: Side) -> int:
        """The haircut on a net exposure of `side` (a pegged group's short side is 0)."""
        return self.haircut_long_bps if side is Side.LONG else self.haircut_short_bps


@dataclass(frozen=True, slots=True, kw_only=True)
class VenuePolicy:
    """An approved venue and its exposure limit (account value held there), None = none."""

    name: str
    kind: VenueKind
    limit_usd_wad: int | None

    def __post_init__(self) -> None:
        _need_str(self.name, "name")
        if not isinstance(self.kind, VenueKind):
            raise _bad("kind", f"{self.kind!r} is not a VenueKind")
        _need_usd(self.limit_usd_wad, "limit_usd_wad")


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolParams:
    """A lending pool's margin thresholds (Arkis pool parameters, spec §2).

    RF thresholds in bps of RF (11_500 = RF 1.15); liquidation <= reduce-only <= margin call.
    """

    pool_id: str
    borrowed_asset: str
    margin_call_rf_bps: int
    liquidation_rf_bps: int
    reduce_only_rf_bps: int
    margin_call_cure_s: int
    withdrawal_haircut_bps: int
    liquidation_fee_bps: int
    liquidation_extra_haircut_bps: int = 0

    def __post_init__(self) -> None:
        _need_str(self.pool_id, "pool_id")
        _need_str(self.borrowed_asset, "borrowed_asset")
        _need_int(self.liquidation_rf_bps, "liquidation_rf_bps", 1, _RF_MAX_BPS)
        _need_int(self.reduce_only_rf_bps, "reduce_only_rf_bps", 1, _RF_MAX_BPS)
        _need_int(self.margin_call_rf_bps, "margin_call_rf_bps", 1, _RF_MAX_BPS)
        if not self.liquidation_rf_bps <= self.reduce_only_rf_bps <= self.margin_call_rf_bps:
            raise _bad(
                "reduce_only_rf_bps",
                f"pool {self.pool_id}: thresholds must satisfy liquidation "
                f"({self.liquidation_rf_bps}) <= reduce-only ({self.reduce_only_rf_bps}) "
                f"<= margin call ({self.margin_call_rf_bps})",
            )
        _need_int(self.margin_call_cure_s, "margin_call_cure_s", 0, 365 * DAY_S)
        _need_int(self.withdrawal_haircut_bps, "withdrawal_haircut_bps", 0, BPS - 1)
        _need_int(self.liquidation_fee_bps, "liquidation_fee_bps", 0, BPS)
        _need_int(self.liquidation_extra_haircut_bps, "liquidation_extra_haircut_bps", 0, BPS)


@dataclass(frozen=True, slots=True, kw_only=True)
class RateFloorRule:
    """Borrow-rate floor from a date on: max(SSR + ssr_spread, SOFR + sofr_spread), in bps."""

    effective_from: datetime.date
    ssr_spread_bps: int
    sofr_spread_bps: int

    def __post_init__(self) -> None:
        _need_date(self.effective_from, "effective_from")
        _need_int(self.ssr_spread_bps, "ssr_spread_bps", -BPS, BPS)
        _need_int(self.sofr_spread_bps, "sofr_spread_bps", -BPS, BPS)

    def floor_bps(self, *, ssr_bps: int, sofr_bps: int) -> int:
        """max(SSR + a, SOFR + b): measured at origination and renewal (P7/2/4/2/2)."""
        _need_int(ssr_bps, "ssr_bps", -BPS, 100 * BPS)
        _need_int(sofr_bps, "sofr_bps", -BPS, 100 * BPS)
        return max(ssr_bps + self.ssr_spread_bps, sofr_bps + self.sofr_spread_bps)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """One version of the Spark Prime / Arkis rules."""

    version: str
    effective_from: datetime.date
    source: str
    groups: tuple[AssetGroup, ...]
    venues: tuple[VenuePolicy, ...]
    pools: tuple[PoolParams, ...]
    unapproved_haircut_bps: int = BPS
    pt_max_days: int = 120
    pt_max_liquidity_multiple: int = 10
    futures_max_days: int = 120
    eligible_dex_kinds: frozenset[str]
    loan_max_fixed_term_s: int = 30 * DAY_S
    rate_floors: tuple[RateFloorRule, ...]
    _by_symbol: Mapping[str, AssetGroup] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _need_str(self.version, "version")
        _need_date(self.effective_from, "effective_from")
        _need_str(self.source, "source")
        for name in ("groups", "venues", "pools", "rate_floors"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "eligible_dex_kinds", frozenset(self.eligible_dex_kinds))
        ids = sorted(g.group_id for g in self.groups)
        if ids != list(range(1, len(ids) + 1)):
            raise _bad("groups", f"group ids must be unique and exactly 1..N, got {ids}")
        by_symbol: dict[str, AssetGroup] = {}
        for group in self.groups:
            for symbol in group.members:
                other = by_symbol.setdefault(symbol, group)
                if other is not group:
                    raise _bad(
                        "groups",
                        f"{symbol!r} is in group {other.group_id} and group {group.group_id}",
                    )
        object.__setattr__(self, "_by_symbol", MappingProxyType(by_symbol))
        for what, keys in (
            ("venues", [v.name for v in self.venues]),
            ("pools", [p.pool_id for p in self.pools]),
        ):
            if len(set(keys)) != len(keys):
                raise _bad(what, f"names must be unique, got {keys}")
        _need_int(self.unapproved_haircut_bps, "unapproved_haircut_bps", 0, BPS)
        _need_int(self.pt_max_days, "pt_max_days", 1, 3650)
        _need_int(self.pt_max_liquidity_multiple, "pt_max_liquidity_multiple", 1, 1_000)
        _need_int(self.futures_max_days, "futures_max_days", 1, 3650)
        _need_int(self.loan_max_fixed_term_s, "loan_max_fixed_term_s", 0, 3650 * DAY_S)
        for kind in self.eligible_dex_kinds:
            _need_str(kind, "eligible_dex_kinds")
        dates = [r.effective_from for r in self.rate_floors]
        if not dates or any(a >= b for a, b in itertools.pairwise(dates)):
            raise _bad("rate_floors", f"need >= 1 rule with rising effective_from, got {dates}")

    def group_of(self, symbol: str) -> AssetGroup | None:
        """The group holding `symbol` (exact, case-sensitive); None = unapproved."""
        return self._by_symbol.get(symbol)

    def haircut_bps(self, symbol: str, side: Side) -> int:
        """The haircut on a net `side` exposure to `symbol`; unapproved ones lose it all."""
        group = self.group_of(symbol)
        return self.unapproved_haircut_bps if group is None else group.haircut_bps(side)

    def venue(self, name: str) -> VenuePolicy:
        """The approved venue `name`; PRIME_UNKNOWN_VENUE otherwise."""
        for v in self.venues:
            if v.name == name:
                return v
        raise ProtocolError(ErrorCode.PRIME_UNKNOWN_VENUE, version=self.version, name=name)

    def pool(self, pool_id: str) -> PoolParams:
        """The lending pool `pool_id`; PRIME_UNKNOWN_POOL otherwise."""
        for p in self.pools:
            if p.pool_id == pool_id:
                return p
        raise ProtocolError(ErrorCode.PRIME_UNKNOWN_POOL, version=self.version, pool_id=pool_id)

    def rate_floor_rule(self, at: datetime.date) -> RateFloorRule:
        """The floor rule in force on `at` (the latest one starting on or before it)."""
        rule = _latest(self.rate_floors, at, lambda r: r.effective_from)
        if rule is None:
            raise ProtocolError(
                ErrorCode.PRIME_NO_RATE_FLOOR_IN_FORCE,
                version=self.version,
                at=at,
                first=self.rate_floors[0].effective_from,
            )
        return rule

    def rate_floor_bps(self, *, at: datetime.date, ssr_bps: int, sofr_bps: int) -> int:
        """The minimum borrow rate on `at`: max(SSR + a, SOFR + b) of the rule then in force."""
        return self.rate_floor_rule(at).floor_bps(ssr_bps=ssr_bps, sofr_bps=sofr_bps)

    def dex_pool_eligible(self, dex_kind: str, leg_symbols: tuple[str, ...]) -> bool:
        """A DEX pool counts only if its kind is eligible and every leg is approved."""
        return dex_kind in self.eligible_dex_kinds and all(
            self.group_of(s) is not None for s in leg_symbols
        )

    def expiry_eligible(self, expiry_ts_s: int, *, now_ts_s: int, max_days: int) -> bool:
        """A dated future / PT counts if it has not expired and expires within `max_days`."""
        return now_ts_s < expiry_ts_s <= now_ts_s + max_days * DAY_S


def _latest(
    items: tuple[_T, ...], at: datetime.date, key: Callable[[_T], datetime.date]
) -> _T | None:
    found = None
    for item in items:  # sorted by date (checked on construction)
        if key(item) <= at:
            found = item
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyHistory:
    """Every policy version in date order; `at(date)` is the one in force that day."""

    versions: tuple[Policy, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", tuple(self.versions))
        dates = [p.effective_from for p in self.versions]
        if not dates or any(a >= b for a, b in itertools.pairwise(dates)):
            raise _bad("versions", f"need >= 1 version with rising effective_from, got {dates}")
        names = [p.version for p in self.versions]
        if len(set(names)) != len(names):
            raise _bad("versions", f"version names must be unique, got {names}")

    @property
    def latest(self) -> Policy:
        """The newest version."""
        return self.versions[-1]

    def at(self, at: datetime.date) -> Policy:
        """The version in force on `at`; PRIME_NO_POLICY_IN_FORCE before the first one."""
        policy = _latest(self.versions, at, lambda p: p.effective_from)
        if policy is None:
            raise ProtocolError(
                ErrorCode.PRIME_NO_POLICY_IN_FORCE, at=at, first=self.versions[0].effective_from
            )
        return policy


def policy_from_mapping(data: Mapping[str, Any]) -> Policy:
    """Build a `Policy` from parsed TOML / YAML; see `sparkprime.prime.policy_load`."""
    from sparkprime.prime.policy_load import load_policy  # noqa: PLC0415

    return load_policy(data)


def policy_history_from_mapping(data: Mapping[str, Any]) -> PolicyHistory:
    """Build a `PolicyHistory` from `{"versions": [policy, ...]}`."""
    from sparkprime.prime.policy_load import load_policy_history  # noqa: PLC0415

    return load_policy_history(data)
