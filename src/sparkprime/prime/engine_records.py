"""Journal-ready mirrors of the prime records: what a `PrimeBook` command carries.

A command's fields must be JSON-able and checked on decode (`sparkprime.ledger.record`), so
the policy, a position, an emergency action and a critical action travel as these `@record`
mirrors and become the domain's frozen records (`prime.policy`, `prime.book`,
`prime.emergency`, `prime.critical_actions`) when the command runs; the domain records then
run their own checks. Dates are ISO strings ("2026-07-09"), USD amounts wad, mappings lists of
entries. `PolicySpec.from_policy(p).to_policy() == p` for every policy.

Example:
    >>> spec = PositionSpec(position_id="p1", account_id="a1", venue_id="okx",
    ...                     kind=PositionKind.PERP, symbol="BTC", qty=-10**8,
    ...                     entry_price_usd_e8=60_000 * 10**8)
    >>> spec.to_position().qty
    -100000000
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger.command import record
from sparkprime.prime.book import Position, PositionKind
from sparkprime.prime.critical_actions import (
    AddSigner,
    AddWhitelistAddress,
    ChangeQuorum,
    CriticalAction,
    DestinationKind,
    Entity,
    ExternalTransfer,
    Recipient,
    RemoveSigner,
)
from sparkprime.prime.emergency import Actor, EmergencyAction, EmergencyKind
from sparkprime.prime.policy import (
    AssetGroup,
    Policy,
    PoolParams,
    RateFloorRule,
    VenueKind,
    VenuePolicy,
)

__all__ = [
    "AssetGroupSpec",
    "CriticalActionKind",
    "CriticalActionSpec",
    "EmergencySpec",
    "LegSpec",
    "MemberLimitSpec",
    "PolicySpec",
    "PoolParamsSpec",
    "PositionSpec",
    "RateFloorSpec",
    "VenuePolicySpec",
    "parse_date",
]


def parse_date(text: str, field: str) -> datetime.date:
    """An ISO date ("2026-07-09"); PRIME_POLICY_INVALID naming `field` otherwise."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ProtocolError(
            ErrorCode.PRIME_POLICY_INVALID, field=field, reason=f"{text!r} is not an ISO date"
        ) from None


# --- the policy --------------------------------------------------------------------------


@record
class MemberLimitSpec:
    symbol: str
    limit_usd_wad: int


@record
class AssetGroupSpec:
    group_id: int
    name: str
    haircut_long_bps: int
    haircut_short_bps: int
    pegged: bool
    members: tuple[str, ...]
    exposure_limit_usd_wad: int | None = None
    member_limits: tuple[MemberLimitSpec, ...] = ()
    max_share_of_supply_bps: int | None = None
    derivatives_only: bool = False

    def to_group(self) -> AssetGroup:
        return AssetGroup(
            group_id=self.group_id,
            name=self.name,
            haircut_long_bps=self.haircut_long_bps,
            haircut_short_bps=self.haircut_short_bps,
            pegged=self.pegged,
            members=self.members,
            exposure_limit_usd_wad=self.exposure_limit_usd_wad,
            member_limits_usd_wad={m.symbol: m.limit_usd_wad for m in self.member_limits},
            max_share_of_supply_bps=self.max_share_of_supply_bps,
            derivatives_only=self.derivatives_only,
        )

    @staticmethod
    def of(g: AssetGroup) -> AssetGroupSpec:
        limits = tuple(
            MemberLimitSpec(symbol=s, limit_usd_wad=v)
            for s, v in sorted(g.member_limits_usd_wad.items())
        )
        return AssetGroupSpec(
            group_id=g.group_id,
            name=g.name,
            haircut_long_bps=g.haircut_long_bps,
            haircut_short_bps=g.haircut_short_bps,
            pegged=g.pegged,
            members=g.members,
            exposure_limit_usd_wad=g.exposure_limit_usd_wad,
            member_limits=limits,
            max_share_of_supply_bps=g.max_share_of_supply_bps,
            derivatives_only=g.derivatives_only,
        )


@record
class VenuePolicySpec:
    name: str
    kind: VenueKind
    limit_usd_wad: int | None


@record
class PoolParamsSpec:
    pool_id: str
    borrowed_asset: str
    margin_call_rf_bps: int
    liquidation_rf_bps: int
    reduce_only_rf_bps: int
    margin_call_cure_s: int
    withdrawal_haircut_bps: int
    liquidation_fee_bps: int
    liquidation_extra_haircut_bps: int = 0


@record
class RateFloorSpec:
    effective_from: str  # ISO date
    ssr_spread_bps: int
    sofr_spread_bps: int


_POOL_FIELDS = (
    "pool_id",
    "borrowed_asset",
    "margin_call_rf_bps",
    "liquidation_rf_bps",
    "reduce_only_rf_bps",
    "margin_call_cure_s",
    "withdrawal_haircut_bps",
    "liquidation_fee_bps",
    "liquidation_extra_haircut_bps",
)


@record
class PolicySpec:
    """A whole `Policy` version (the `prime.set_policy` payload and the snapshot's form)."""

    version: str
    effective_from: str  # ISO date
    source: str
    groups: tuple[AssetGroupSpec, ...]
    venues: tuple[VenuePolicySpec, ...]
    pools: tuple[PoolParamsSpec, ...]
    eligible_dex_kinds: tuple[str, ...]
    rate_floors: tuple[RateFloorSpec, ...]
    unapproved_haircut_bps: int = 10_000
    pt_max_days: int = 120
    pt_max_liquidity_multiple: int = 10
    futures_max_days: int = 120
    loan_max_fixed_term_s: int = 30 * 86_400

    def to_policy(self) -> Policy:
        """The validated `Policy` (its own checks run: PRIME_POLICY_INVALID on bad data)."""
        return Policy(
            version=self.version,
            effective_from=parse_date(self.effective_from, "effective_from"),
            source=self.source,
            groups=tuple(g.to_group() for g in self.groups),
            venues=tuple(
                VenuePolicy(name=v.name, kind=v.kind, limit_usd_wad=v.limit_usd_wad)
                for v in self.venues
            ),
            pools=tuple(PoolParams(**{f: getattr(p, f) for f in _POOL_FIELDS}) for p in self.pools),
            unapproved_haircut_bps=self.unapproved_haircut_bps,
            pt_max_days=self.pt_max_days,
            pt_max_liquidity_multiple=self.pt_max_liquidity_multiple,
            futures_max_days=self.futures_max_days,
            eligible_dex_kinds=frozenset(self.eligible_dex_kinds),
            loan_max_fixed_term_s=self.loan_max_fixed_term_s,
            rate_floors=tuple(
                RateFloorRule(
                    effective_from=parse_date(r.effective_from, f"rate_floors[{i}]"),
                    ssr_spread_bps=r.ssr_spread_bps,
                    sofr_spread_bps=r.sofr_spread_bps,
                )
                for i, r in enumerate(self.rate_floors)
            ),
        )

    @staticmethod
    def of(p: Policy) -> PolicySpec:
        return PolicySpec(
            version=p.version,
            effective_from=p.effective_from.isoformat(),
            source=p.source,
            groups=tuple(AssetGroupSpec.of(g) for g in p.groups),
            venues=tuple(
                VenuePolicySpec(name=v.name, kind=v.kind, limit_usd_wad=v.limit_usd_wad)
                for v in p.venues
            ),
            pools=tuple(
                PoolParamsSpec(**{f: getattr(x, f) for f in _POOL_FIELDS}) for x in p.pools
            ),
            eligible_dex_kinds=tuple(sorted(p.eligible_dex_kinds)),
            rate_floors=tuple(
                RateFloorSpec(
                    effective_from=r.effective_from.isoformat(),
                    ssr_spread_bps=r.ssr_spread_bps,
                    sofr_spread_bps=r.sofr_spread_bps,
                )
                for r in p.rate_floors
            ),
            unapproved_haircut_bps=p.unapproved_haircut_bps,
            pt_max_days=p.pt_max_days,
            pt_max_liquidity_multiple=p.pt_max_liquidity_multiple,
            futures_max_days=p.futures_max_days,
            loan_max_fixed_term_s=p.loan_max_fixed_term_s,
        )


# --- positions ---------------------------------------------------------------------------


@record
class LegSpec:
    symbol: str
    qty: int


_POSITION_FIELDS = (
    "position_id",
    "account_id",
    "venue_id",
    "kind",
    "symbol",
    "qty",
    "entry_price_usd_e8",
    "expiry_ts_s",
    "dex_kind",
    "pt_amm_liquidity_usd_wad",
    "share_rate_wad",
    "margin_value_usd_wad",
    "price_symbol",
)


@record
class PositionSpec:
    """A `Position` (see `prime.book` for the per-kind rules)."""

    position_id: str
    account_id: str
    venue_id: str
    kind: PositionKind
    symbol: str
    qty: int
    entry_price_usd_e8: int | None = None
    expiry_ts_s: int | None = None
    legs: tuple[LegSpec, ...] = ()
    dex_kind: str | None = None
    pt_amm_liquidity_usd_wad: int | None = None
    share_rate_wad: int | None = None
    margin_value_usd_wad: int | None = None
    price_symbol: str | None = None

    def to_position(self) -> Position:
        """The book record; PRIME_INVALID_POSITION / PRIME_INVALID_RECORD on a bad field."""
        legs = tuple((leg.symbol, leg.qty) for leg in self.legs)
        return Position(legs=legs, **{f: getattr(self, f) for f in _POSITION_FIELDS})

    @staticmethod
    def of(p: Position) -> PositionSpec:
        legs = tuple(LegSpec(symbol=s, qty=q) for s, q in p.legs)
        return PositionSpec(legs=legs, **{f: getattr(p, f) for f in _POSITION_FIELDS})


# --- emergency and critical actions ------------------------------------------------------


_EMERGENCY_FIELDS = (
    "kind",
    "declared_by",
    "reason",
    "pool_id",
    "group_id",
    "haircut_long_bps",
    "haircut_short_bps",
    "margin_call_rf_bps",
    "liquidation_rf_bps",
    "loan_id",
    "position_id",
)


@record
class EmergencySpec:
    """An `EmergencyAction`; it takes effect at the command's time."""

    kind: EmergencyKind
    declared_by: Actor
    reason: str
    pool_id: str | None = None
    group_id: int | None = None
    haircut_long_bps: int | None = None
    haircut_short_bps: int | None = None
    margin_call_rf_bps: int | None = None
    liquidation_rf_bps: int | None = None
    loan_id: str | None = None
    position_id: str | None = None

    def to_action(self, effective_ts_s: int) -> EmergencyAction:
        return EmergencyAction(
            effective_ts_s=effective_ts_s, **{f: getattr(self, f) for f in _EMERGENCY_FIELDS}
        )


class CriticalActionKind(StrEnum):
    ADD_WHITELIST_ADDRESS = "add_whitelist_address"
    ADD_SIGNER = "add_signer"
    REMOVE_SIGNER = "remove_signer"
    CHANGE_QUORUM = "change_quorum"
    EXTERNAL_TRANSFER = "external_transfer"


@record
class CriticalActionSpec:
    """One critical action; only the fields of its kind are set (others must be None)."""

    kind: CriticalActionKind
    address: str | None = None  # ADD_WHITELIST_ADDRESS, EXTERNAL_TRANSFER (`to`)
    destination: DestinationKind | None = None
    name: str | None = None
    signer: str | None = None  # ADD_SIGNER, REMOVE_SIGNER
    entity: Entity | None = None
    min_signers: int | None = None  # CHANGE_QUORUM
    min_entities: int | None = None
    recipient: Recipient | None = None  # EXTERNAL_TRANSFER
    asset: str | None = None
    amount: int | None = None

    def _need(self, *names: str) -> None:
        wanted = set(names)
        for f in (
            "address",
            "destination",
            "name",
            "signer",
            "entity",
            "min_signers",
            "min_entities",
            "recipient",
            "asset",
            "amount",
        ):
            given = getattr(self, f) is not None
            if given != (f in wanted):
                reason = "is required" if f in wanted else "does not apply to this kind"
                raise ProtocolError(
                    ErrorCode.PRIME_CRITICAL_INVALID_ACTION,
                    action=self.kind.value,
                    reason=f"{f} {reason}",
                )

    def to_action(self) -> CriticalAction:
        """The `prime.critical_actions` record (PRIME_CRITICAL_INVALID_ACTION if malformed)."""
        k = CriticalActionKind
        if self.kind is k.ADD_WHITELIST_ADDRESS:
            self._need("address", "destination", "name")
            return AddWhitelistAddress(
                address=str(self.address),
                kind=DestinationKind(str(self.destination)),
                name=str(self.name),
            )
        if self.kind is k.ADD_SIGNER:
            self._need("signer", "entity")
            return AddSigner(signer=str(self.signer), entity=Entity(str(self.entity)))
        if self.kind is k.REMOVE_SIGNER:
            self._need("signer")
            return RemoveSigner(signer=str(self.signer))
        if self.kind is k.CHANGE_QUORUM:
            self._need("min_signers", "min_entities")
            return ChangeQuorum(
                min_signers=int(self.min_signers or 0), min_entities=int(self.min_entities or 0)
            )
        self._need("address", "recipient", "asset", "amount")
        return ExternalTransfer(
            to=str(self.address),
            recipient=Recipient(str(self.recipient)),
            asset=str(self.asset),
            amount=int(self.amount or 0),
        )
