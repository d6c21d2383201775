"""Morpho Blue's math, constants and storage types, exact to the wei.

Sources (morpho-blue v1.0, the deployed `Morpho.sol`; the libraries as vendored with it):
`src/libraries/MathLib.sol`, `SharesMathLib.sol`, `UtilsLib.sol`, `ConstantsLib.sol`,
`ErrorsLib.sol` and `src/interfaces/IMorpho.sol` (morpho-org/morpho-blue; read from
ChorusOne/vaults-wrapper `lib/morpho-blue` @ a4638699517ca5693718f56f86ded6161320b87b and
the flattened copy with v1.0's ErrorsLib/UtilsLib/SharesMathLib).

- `mul_div_down(x, y, d) = x * y // d`, `mul_div_up = (x * y + d - 1) // d` (Solidity 0.8:
  the product and the sum revert on a uint256 overflow, a zero `d` reverts);
  `w_mul_down(x, y) = mul_div_down(x, y, WAD)`, `w_div_down(x, y) = mul_div_down(x, WAD, y)`,
  `w_div_up(x, y) = mul_div_up(x, WAD, y)`.
- `w_taylor_compounded(x, n)`: e^(x n) - 1 by its first three terms, each rounded down.
- Shares carry a virtual offset: `VIRTUAL_SHARES = 1e6`, `VIRTUAL_ASSETS = 1`;
  `to_shares_down(a, A, S) = mul_div_down(a, S + 1e6, A + 1)` and the three siblings.

A market id is keccak256(abi.encode(marketParams)) on chain; the standard library has no
keccak256, so `market_id` is a SHA-256 stand-in over the same 5 x 32 bytes (distinct per
market, not byte-equal to the on-chain id).

Example:
    >>> to_shares_down(1, 0, 0)
    1000000
    >>> w_taylor_compounded(WAD, 1)  # 1 + 1/2 + 1/6
    1666666666666666666
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from typing import Final, NewType

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT128_MAX, UINT256_MAX

__all__ = [
    "LIQUIDATION_CURSOR",
    "MAX_FEE",
    "MAX_LIQUIDATION_INCENTIVE_FACTOR",
    "ORACLE_PRICE_SCALE",
    "VIRTUAL_ASSETS",
    "VIRTUAL_SHARES",
    "WAD",
    "Market",
    "MarketId",
    "MarketParams",
    "Position",
    "add_u128",
    "checked_sub",
    "exactly_one_zero",
    "liquidation_incentive_factor",
    "market_id",
    "mul_div_down",
    "mul_div_up",
    "to_assets_down",
    "to_assets_up",
    "to_shares_down",
    "to_shares_up",
    "to_uint128",
    "w_div_down",
    "w_div_up",
    "w_mul_down",
    "w_taylor_compounded",
    "zero_floor_sub",
]

WAD: Final = 10**18
MAX_FEE: Final = 25 * 10**16  # 25%
ORACLE_PRICE_SCALE: Final = 10**36
LIQUIDATION_CURSOR: Final = 3 * 10**17  # 0.3
MAX_LIQUIDATION_INCENTIVE_FACTOR: Final = 115 * 10**16  # 1.15
VIRTUAL_SHARES: Final = 10**6
VIRTUAL_ASSETS: Final = 1

MarketId = NewType("MarketId", str)  # "0x" + 64 hex digits (a bytes32)


def _overflow(op: str, **operands: int) -> ProtocolError:
    return ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, **operands)


def mul_div_down(x: int, y: int, d: int) -> int:
    """(x * y) / d rounded down; reverts on a uint256 overflow of x * y or d == 0."""
    p = x * y
    if p > UINT256_MAX:
        raise _overflow("mulDivDown", x=x, y=y)
    if d == 0:
        raise ProtocolError(ErrorCode.DIVISION_BY_ZERO, op="mulDivDown", x=x, y=y)
    return p // d


def mul_div_up(x: int, y: int, d: int) -> int:
    """(x * y + (d - 1)) / d; reverts on overflow, or on d == 0 (d - 1 underflows first)."""
    if d == 0:
        raise _overflow("mulDivUp", x=x, y=y, d=d)
    p = x * y + (d - 1)
    if p > UINT256_MAX:
        raise _overflow("mulDivUp", x=x, y=y, d=d)
    return p // d


def w_mul_down(x: int, y: int) -> int:
    """x * y / WAD, rounded down."""
    return mul_div_down(x, y, WAD)


def w_div_down(x: int, y: int) -> int:
    """x * WAD / y, rounded down."""
    return mul_div_down(x, WAD, y)


def w_div_up(x: int, y: int) -> int:
    """x * WAD / y, rounded up."""
    return mul_div_up(x, WAD, y)


def w_taylor_compounded(x: int, n: int) -> int:
    """The first three non-zero terms of e^(n x) - 1 (WAD): x n + (x n)^2/2 + (x n)^3/6."""
    first = x * n
    if first > UINT256_MAX:
        raise _overflow("wTaylorCompounded", x=x, n=n)
    second = mul_div_down(first, first, 2 * WAD)
    third = mul_div_down(second, first, 3 * WAD)
    total = first + second + third
    if total > UINT256_MAX:
        raise _overflow("wTaylorCompounded", x=x, n=n)
    return total


def to_shares_down(assets: int, total_assets: int, total_shares: int) -> int:
    """`assets` in shares, rounded down."""
    return mul_div_down(assets, total_shares + VIRTUAL_SHARES, total_assets + VIRTUAL_ASSETS)


def to_assets_down(shares: int, total_assets: int, total_shares: int) -> int:
    """`shares` in assets, rounded down."""
    return mul_div_down(shares, total_assets + VIRTUAL_ASSETS, total_shares + VIRTUAL_SHARES)


def to_shares_up(assets: int, total_assets: int, total_shares: int) -> int:
    """`assets` in shares, rounded up."""
    return mul_div_up(assets, total_shares + VIRTUAL_SHARES, total_assets + VIRTUAL_ASSETS)


def to_assets_up(shares: int, total_assets: int, total_shares: int) -> int:
    """`shares` in assets, rounded up."""
    return mul_div_up(shares, total_assets + VIRTUAL_ASSETS, total_shares + VIRTUAL_SHARES)


def zero_floor_sub(x: int, y: int) -> int:
    """max(x - y, 0)."""
    return x - y if x > y else 0


def exactly_one_zero(x: int, y: int) -> bool:
    """True iff exactly one of x, y is zero."""
    return (x == 0) != (y == 0)


def to_uint128(x: int) -> int:
    """`x` as a uint128, or "max uint128 exceeded"."""
    if x > UINT128_MAX:
        raise ProtocolError(
            ErrorCode.MORPHO_MAX_UINT128_EXCEEDED, value=x, reason="max uint128 exceeded"
        )
    return x


def add_u128(a: int, b: int, op: str) -> int:
    """a + to_uint128(b) into a uint128 slot (checked)."""
    total = a + to_uint128(b)
    if total > UINT128_MAX:
        raise _overflow(op, a=a, b=b)
    return total


def checked_sub(a: int, b: int, op: str) -> int:
    """a - b, reverting (Panic 0x11) below zero."""
    if b > a:
        raise _overflow(op, a=a, b=b)
    return a - b


def liquidation_incentive_factor(lltv: int) -> int:
    """min(1.15, 1 / (1 - 0.3 (1 - lltv))) in WAD, each step rounded down."""
    return min(
        MAX_LIQUIDATION_INCENTIVE_FACTOR,
        w_div_down(WAD, WAD - w_mul_down(LIQUIDATION_CURSOR, WAD - lltv)),
    )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MarketParams:
    """`MarketParams`: the market's immutable definition (its id is their hash)."""

    loan_token: Address
    collateral_token: Address
    oracle: Address
    irm: Address
    lltv: int


@functools.lru_cache(maxsize=4096)
def market_id(params: MarketParams) -> MarketId:
    """The market id: SHA-256 (keccak256 stand-in) of abi.encode(marketParams)."""
    words = b"".join(
        int(a, 16).to_bytes(32, "big")
        for a in (params.loan_token, params.collateral_token, params.oracle, params.irm)
    )
    words += params.lltv.to_bytes(32, "big")
    return MarketId("0x" + hashlib.sha256(words).hexdigest())


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Market:
    """`Market`: totals (uint128 each), last accrual time and fee (WAD)."""

    total_supply_assets: int = 0
    total_supply_shares: int = 0
    total_borrow_assets: int = 0
    total_borrow_shares: int = 0
    last_update: int = 0
    fee: int = 0


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """`Position`: supply shares (uint256), borrow shares and collateral (uint128)."""

    supply_shares: int = 0
    borrow_shares: int = 0
    collateral: int = 0
