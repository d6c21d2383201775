"""Spark Liquidity Layer (spark-alm-controller): the ALM controller's rate limits.

`RateLimits` is the contract that bounds every fund movement of the ALM controller;
`rate_limit_helpers` derives per-asset, per-destination and per-domain keys (SHA-256
stand-ins for the contract's keccak256, see that module).
"""

from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
    make_limit_id,
    unlimited_rate_limit,
)
from sparkprime.protocols.liquidity_layer.rate_limits import (
    CONTROLLER,
    UNLIMITED,
    RateLimitData,
    RateLimitKey,
    RateLimits,
    rate_limit_key,
)

__all__ = [
    "CONTROLLER",
    "UNLIMITED",
    "RateLimitData",
    "RateLimitKey",
    "RateLimits",
    "make_asset_destination_key",
    "make_asset_key",
    "make_domain_key",
    "make_limit_id",
    "rate_limit_key",
    "unlimited_rate_limit",
]
