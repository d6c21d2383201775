"""Spark Liquidity Layer limits as data: global parameters and per-instance rate limits.

The figures are in `data/sll_limits.toml`, taken from the Sky Atlas
(sky-ecosystem/next-gen-atlas, snapshot 4101dc75, 2026-07-20; spec/spark-prime.md §1.8,
§3.2, §3.3): the Spark Liquidity Layer globals (SLLG, `content/A/6/1/1/1/2/6/1/2/1`) and
the instance configuration documents (ICD, `content/A/6/1/1/1/2/6/1/3/1`). The Atlas gives
whole tokens and tokens per day; the contracts take base units and base units per second.
The conversion is the Spark spells' (sparkdotfi/spark-spells, `RateLimitHelpers` /
`_assertRateLimit(key, 50_000_000e6, 50_000_000e6 / uint256(1 days))`): multiply by
`10**decimals`, divide by 86,400 and round down.

`sll_limits_preset(as_of)` gives the limits in force at a date: only the dated `history` of
an instance (today: Arkis, $20M / 100% from 2025-12-15, $50M / 50% from 2026-03-27) is
replayed; other figures are the snapshot's. `rate_limit_entries(instance, key_for)` turns an
instance's specs into `(key, max_amount, slope)` triples for `RateLimits.set_rate_limit_data`,
with keys derived as `RateLimitHelpers` does (SHA-256 stand-ins, see `rate_limit_helpers`).

Loading checks everything: unknown fields (`UNKNOWN_FIELD`), missing ones (`MISSING_FIELD`),
wrong types (`INVALID_TYPE`) and bounds (`VALUE_OUT_OF_RANGE`). The records are in
`sll_limits_records`, the parsing and checks in `sll_limits_load`; this module re-exports both.

Example:
    >>> limits = sll_limits_preset()
    >>> arkis = limits.instance("arkis")
    >>> arkis.rate_limit("inflow").max_amount == 5_000_000 * 10**6
    True
    >>> sll_limits_preset(datetime.date(2026, 1, 1)).instance("arkis").max_exposure_usd
    20000000
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Callable
from importlib import resources
from typing import Final

from sparkprime.core.ids import Address
from sparkprime.presets.sll_limits_load import load_sll_limits
from sparkprime.presets.sll_limits_records import (
    KEY_SHAPES,
    SECONDS_PER_DAY,
    RateLimitSpec,
    SllGlobalParams,
    SllInstanceLimits,
    SllLimits,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
    make_limit_id,
)
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimitKey
from sparkprime.protocols.sparklend.addresses import make_addr

__all__ = [
    "KEY_SHAPES",
    "SECONDS_PER_DAY",
    "RateLimitSpec",
    "SllGlobalParams",
    "SllInstanceLimits",
    "SllLimits",
    "load_sll_limits",
    "rate_limit_entries",
    "sll_limits_preset",
]

_DATA: Final = "data/sll_limits.toml"


def sll_limits_preset(as_of: datetime.date | None = None) -> SllLimits:
    """The Atlas SLL limits (`data/sll_limits.toml`) in force at `as_of`."""
    text = resources.files("sparkprime.presets").joinpath(_DATA).read_text(encoding="utf-8")
    return load_sll_limits(tomllib.loads(text), as_of)


def rate_limit_entries(
    instance: SllInstanceLimits, key_for: Callable[[str], Address] = make_addr
) -> list[tuple[RateLimitKey, int, int]]:
    """`(key, max_amount, slope)` for each spec, ready for `RateLimits.set_rate_limit_data`.

    `key_for` maps a target or destination label to its address (default `make_addr`, the
    model's deterministic addresses); keys are derived as `RateLimitHelpers` does.
    """
    entries: list[tuple[RateLimitKey, int, int]] = []
    for spec in instance.rate_limits:
        base = make_limit_id(spec.limit_id)
        # Loading checked that each shape has its operands; `or` only narrows the types.
        if spec.key_shape == "bare":
            key = base
        elif spec.key_shape == "domain":
            key = make_domain_key(base, spec.domain or 0)
        elif spec.key_shape == "asset":
            key = make_asset_key(base, key_for(spec.target or ""))
        else:
            key = make_asset_destination_key(
                base, key_for(spec.target or ""), key_for(spec.destination or "")
            )
        entries.append((key, spec.max_amount, spec.slope_per_s))
    return entries
