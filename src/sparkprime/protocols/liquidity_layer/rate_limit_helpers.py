"""`RateLimitHelpers` (spark-alm-controller `src/RateLimitHelpers.sol`): derived rate-limit keys.

The contract derives per-asset, per-destination and per-domain keys as
`keccak256(abi.encode(id, ...))`, with `id = keccak256("LIMIT_...")`. The standard library
has no keccak256 (`hashlib.sha3_256` is the NIST SHA-3, which pads differently and gives
other digests), so these helpers are **stand-ins**: they hash the same `abi.encode` bytes
with SHA-256. They are deterministic, collision-resistant and distinct per input, which is
all a model needs, but they are **not byte-equal to Solidity's keys**. Where keys must match
an on-chain deployment, compute them outside and pass them to `RateLimits` directly: it takes
any bytes32.

Example:
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> deposit = make_limit_id("LIMIT_4626_DEPOSIT")
    >>> key = make_asset_key(deposit, make_addr("sUSDS"))
    >>> key == make_asset_key(deposit, make_addr("sUSDS")), key == deposit
    (True, False)
"""

from __future__ import annotations

import hashlib
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import check_uint
from sparkprime.protocols.liquidity_layer.rate_limits import (
    UNLIMITED,
    RateLimitData,
    RateLimitKey,
    rate_limit_key,
)

__all__ = [
    "KECCAK_STAND_IN",
    "make_asset_destination_key",
    "make_asset_key",
    "make_domain_key",
    "make_limit_id",
    "unlimited_rate_limit",
]

# Documents, and lets callers assert, that these keys are not Solidity's keccak256 keys.
KECCAK_STAND_IN: Final = "sha256"


def _digest(data: bytes) -> RateLimitKey:
    return RateLimitKey("0x" + hashlib.sha256(data).hexdigest())


def _word_of_key(key: str) -> bytes:
    return bytes.fromhex(rate_limit_key(key)[2:])


def _word_of_address(address: str, field: str) -> bytes:
    if not isinstance(address, str) or len(address) != 42 or not address.startswith("0x"):
        raise ProtocolError(
            ErrorCode.INVALID_ID, field=field, value=address, reason="not a 20-byte address"
        )
    try:
        raw = bytes.fromhex(address[2:])
    except ValueError as exc:
        raise ProtocolError(
            ErrorCode.INVALID_ID, field=field, value=address, reason="not a 20-byte address"
        ) from exc
    return raw.rjust(32, b"\0")  # abi.encode left-pads an address to a 32-byte word


def make_limit_id(name: str) -> RateLimitKey:
    """Stand-in for `keccak256("LIMIT_...")`: SHA-256 of the UTF-8 name."""
    if not isinstance(name, str) or not name:
        raise ProtocolError(ErrorCode.INVALID_ID, field="name", value=name, reason="empty name")
    return _digest(name.encode())


def make_asset_key(key: str, asset: str) -> RateLimitKey:
    """Stand-in for `makeAssetKey`: SHA-256 of `abi.encode(key, asset)`."""
    return _digest(_word_of_key(key) + _word_of_address(asset, "asset"))


def make_asset_destination_key(key: str, asset: str, destination: str) -> RateLimitKey:
    """Stand-in for `makeAssetDestinationKey`: SHA-256 of `abi.encode(key, asset, dest)`."""
    return _digest(
        _word_of_key(key)
        + _word_of_address(asset, "asset")
        + _word_of_address(destination, "destination")
    )


def make_domain_key(key: str, domain: int) -> RateLimitKey:
    """Stand-in for `makeDomainKey`: SHA-256 of `abi.encode(key, uint32 domain)`."""
    domain = check_uint(domain, field="domain", bits=32)
    return _digest(_word_of_key(key) + domain.to_bytes(32, "big"))


def unlimited_rate_limit() -> RateLimitData:
    """`unlimitedRateLimit()`: max_amount 2**256 - 1, slope 0 (the rest zero)."""
    return RateLimitData(max_amount=UNLIMITED, slope=0)
