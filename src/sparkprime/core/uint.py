"""EVM integer bounds and the checks that turn bad numbers into clear errors.

The exact tier holds Python ints that the contracts would hold in `uint256` / `uint128` /
`int256` slots. A value outside its slot is a rejected input (`VALUE_OUT_OF_RANGE`), a value
of the wrong type (a float, a bool, a string) is `INVALID_TYPE`: floats never touch a balance.
"""

from __future__ import annotations

from typing import Final, NoReturn

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError

__all__ = [
    "INT256_MAX",
    "INT256_MIN",
    "UINT40_MAX",
    "UINT128_MAX",
    "UINT256_MAX",
    "check_int256",
    "check_uint",
    "check_uint256",
    "reject_non_uint256",
]

UINT256_MAX: Final = 2**256 - 1
UINT128_MAX: Final = 2**128 - 1
UINT40_MAX: Final = 2**40 - 1
INT256_MAX: Final = 2**255 - 1
INT256_MIN: Final = -(2**255)


def _type_name(value: object) -> str:
    return type(value).__name__


def check_uint(value: object, *, field: str, bits: int) -> int:
    """Return `value` if it is an int in [0, 2**bits - 1], else raise ProtocolError.

    `bool` is rejected although it subclasses int: `True` is not an amount.
    """
    if type(value) is not int:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected=f"uint{bits}", got=_type_name(value)
        )
    if value < 0 or value >> bits:
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE, field=field, value=value, min=0, max=f"2**{bits}-1"
        )
    return value


def check_uint256(value: object, *, field: str) -> int:
    """`check_uint` for a uint256 slot."""
    return check_uint(value, field=field, bits=256)


def check_int256(value: object, *, field: str) -> int:
    """Return `value` if it is an int in [-2**255, 2**255 - 1], else raise ProtocolError."""
    if type(value) is not int:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="int256", got=_type_name(value)
        )
    if not INT256_MIN <= value <= INT256_MAX:
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE,
            field=field,
            value=value,
            min="-2**255",
            max="2**255-1",
        )
    return value


def reject_non_uint256(**operands: object) -> NoReturn:
    """The slow path of a hot function's inline uint256 check: raise the error naming the
    first operand that is not a uint256. Reaching the end means the fast check was wrong."""
    for field, value in operands.items():
        check_uint256(value, field=field)
    raise InvariantViolation("fast uint256 check disagrees with check_uint256", **operands)
