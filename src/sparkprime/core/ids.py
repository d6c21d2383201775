"""Typed ids: distinct `NewType`s so an account id is never passed where an asset id goes.

Each parser checks its input and raises `ProtocolError(INVALID_ID)` naming the field.

Example:
    >>> parse_address("0x6B175474E89094C44Da98b954EedeAC495271d0F", field="asset")
    '0x6b175474e89094c44da98b954eedeac495271d0f'
"""

from __future__ import annotations

import re
from typing import Final, NewType

from sparkprime.core.errors import ErrorCode, ProtocolError

__all__ = [
    "ID_LENGTH_MAX",
    "AccountId",
    "Address",
    "AssetId",
    "BorrowerId",
    "IdempotencyKey",
    "LoanId",
    "VenueId",
    "parse_address",
    "parse_idempotency_key",
    "parse_name_id",
]

Address = NewType("Address", str)  # lower-case 0x-prefixed 20-byte hex, like an EVM address
AssetId = NewType("AssetId", str)
AccountId = NewType("AccountId", str)
BorrowerId = NewType("BorrowerId", str)
VenueId = NewType("VenueId", str)
LoanId = NewType("LoanId", str)
IdempotencyKey = NewType("IdempotencyKey", str)

ID_LENGTH_MAX: Final = 128

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
# Names: letters, digits and . _ - : / so they read well in logs and URLs.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]*")
# Idempotency keys come from clients: any printable ASCII without spaces.
_KEY = re.compile(r"[\x21-\x7e]+")


def _invalid(field: str, value: object, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.INVALID_ID, field=field, value=value, reason=reason)


def _check_text(value: object, *, field: str, pattern: re.Pattern[str], reason: str) -> str:
    if type(value) is not str:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="str", got=type(value).__name__
        )
    if not 0 < len(value) <= ID_LENGTH_MAX:
        raise _invalid(field, value, f"length must be 1..{ID_LENGTH_MAX}")
    if pattern.fullmatch(value) is None:
        raise _invalid(field, value, reason)
    return value


def parse_address(value: object, *, field: str) -> Address:
    """An EVM address, normalised to lower case."""
    text = _check_text(value, field=field, pattern=_ADDRESS, reason="not a 0x + 40 hex address")
    return Address(text.lower())


def parse_name_id(value: object, *, field: str) -> str:
    """A readable id (asset symbol, account name, venue name); wrap it in its NewType."""
    return _check_text(
        value, field=field, pattern=_NAME, reason="use letters, digits and . _ : / -"
    )


def parse_idempotency_key(value: object, *, field: str = "idempotency_key") -> IdempotencyKey:
    """A client-chosen key, printable ASCII without spaces, at most ID_LENGTH_MAX long."""
    return IdempotencyKey(
        _check_text(value, field=field, pattern=_KEY, reason="printable ASCII, no spaces")
    )
