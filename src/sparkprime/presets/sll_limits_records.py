"""Spark Liquidity Layer limits as records: what `sll_limits` loads from the Atlas data.

`RateLimitSpec` is one rate-limit key in base units (and base units per second);
`SllInstanceLimits` an instance with its specs; `SllGlobalParams` the SLLG parameters;
`SllLimits` all of them at a date. Loading and validation are in `sll_limits_load`.

Example:
    >>> spec = RateLimitSpec(name="inflow", limit_id="LIMIT_X", key_shape="bare", target=None,
    ...                      destination=None, domain=None, unit="USDC", decimals=6,
    ...                      max_amount=10**6, slope_per_s=0, unlimited=False)
    >>> inst = SllInstanceLimits(name="x", chain="ethereum", protocol="p", source="s",
    ...                          rate_limits=(spec,))
    >>> inst.rate_limit("inflow").max_amount
    1000000
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address

__all__ = [
    "KEY_SHAPES",
    "SECONDS_PER_DAY",
    "RateLimitSpec",
    "SllGlobalParams",
    "SllInstanceLimits",
    "SllLimits",
]

SECONDS_PER_DAY: Final = 86_400  # Solidity `1 days`
# How a key is derived from its limit id (RateLimitHelpers): bare, per asset, per asset and
# destination, per CCTP domain.
KEY_SHAPES: Final = ("bare", "asset", "asset_destination", "domain")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RateLimitSpec:
    """One rate-limit key: what the Atlas sets, in base units and base units per second."""

    name: str
    limit_id: str  # the controller constant, e.g. "LIMIT_AAVE_DEPOSIT"
    key_shape: str  # one of KEY_SHAPES
    target: str | None  # asset / pool / vault label the key is per (None for bare, domain)
    destination: str | None  # for asset_destination keys
    domain: int | None  # CCTP domain for domain keys
    unit: str  # token symbol of the amounts
    decimals: int
    max_amount: int  # base units; UNLIMITED when unlimited
    slope_per_s: int  # base units per second, rounded down
    unlimited: bool
    max_slippage_bps: int | None = None
    recharge_per_s: int | None = None  # OTC buffer recharge rate, 18-dp tokens per second
    source: str = ""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SllInstanceLimits:
    """One SLL instance (or chain-wide group of keys) and its Atlas limits."""

    name: str
    chain: str
    protocol: str
    source: str
    rate_limits: tuple[RateLimitSpec, ...]
    max_exposure_usd: int | None = None
    capital_ratio_bps: int | None = None
    token: Address | None = None
    underlying: Address | None = None

    def rate_limit(self, name: str) -> RateLimitSpec:
        """The spec called `name`, or UNKNOWN_ID."""
        for spec in self.rate_limits:
            if spec.name == name:
                return spec
        raise ProtocolError(
            ErrorCode.INVALID_ID, field="rate limit", value=f"{self.name}.{name}", reason="unknown"
        )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SllGlobalParams:
    """SLLG parameters: encumbrance bound and its breach bands, off-chain operation sizes
    (whole tokens), and multisig thresholds as (signers, of)."""

    source: str
    encumbrance_ratio_max_bps: int
    breach_low_from_bps: int
    breach_high_above_bps: int
    penalty_min_apy_bps: int
    penalty_max_apy_bps: int
    mainnet_min_operation_size_tokens: int
    debt_ceiling_buffer_tokens: int
    base_min_operation_size_tokens: int
    base_usdc_min_balance_tokens: int
    base_usdc_optimal_balance_tokens: int
    base_usdc_max_balance_tokens: int
    prime_relayer_threshold: tuple[int, int]
    core_operator_relayer_threshold: tuple[int, int]
    freezer_threshold: tuple[int, int]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SllLimits:
    """The SLL limits in force at `as_of` (None: the snapshot as it stands)."""

    as_of: datetime.date | None
    repo: str
    snapshot: str
    snapshot_date: datetime.date
    global_params: SllGlobalParams
    instances: tuple[SllInstanceLimits, ...]

    def instance(self, name: str) -> SllInstanceLimits:
        """The instance called `name`, or UNKNOWN_ID (also when not yet added at `as_of`)."""
        for inst in self.instances:
            if inst.name == name:
                return inst
        raise ProtocolError(
            ErrorCode.INVALID_ID, field="SLL instance", value=name, reason="unknown at this date"
        )
