"""Shared checks for reading a book file: unique ids, known assets, and a `prime.book` record's
own checks reported at the file's field.

`build_record` runs a record's constructor; the `ProtocolError` it raises names a record field
(`position_id`, `expiry_ts_s`, ...), which `FILE_NAME` maps back to the file's name (`id`,
`expiry`, ...) so the error points at the file's line. Used by `presets.book_file_read` and
`presets.book_file_positions`.

Example:
    >>> FILE_NAME["expiry_ts_s"], FILE_NAME["account_id"]
    ('expiry', 'account')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

import yaml

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.book_file_yaml import Map, Reader
from sparkprime.prime.book import Asset

__all__ = ["FILE_NAME", "asset_of", "build_record", "unique_id"]

_E = ErrorCode
_T = TypeVar("_T")
# Record fields named by `prime.book`'s errors -> the file's names.
FILE_NAME: Final = {
    "position_id": "id",
    "account_id": "account",
    "venue_id": "venue",
    "borrower_id": "id",
    "loan_id": "id",
    "entry_price_usd_e8": "entry_price_usd",
    "expiry_ts_s": "expiry",
    "pt_amm_liquidity_usd_wad": "pt_amm_liquidity_usd",
    "share_rate_wad": "share_rate",
    "margin_value_usd_wad": "margin_value_usd",
    "originated_ts_s": "originated",
    "term_end_ts_s": "term_end",
    "last_accrual_ts_s": "last_accrual",
    "solvency_attested_ts_s": "solvency_attested",
}


def unique_id(r: Reader, seen: dict[str, int], ident: str, node: yaml.Node, path: str) -> None:
    """Record `ident` (first seen at `node`'s line) in `seen`; a second time is an error."""
    first = seen.get(ident)
    if first is not None:
        raise r.fail(
            _E.BOOK_FILE_DUPLICATE_ID, node, path, f"duplicate id {ident!r} (first at line {first})"
        )
    seen[ident] = node.start_mark.line + 1


def build_record(r: Reader, m: Map, make: Callable[..., _T], **fields: Any) -> _T:
    """Run a record's own checks; its error names the record field -> the file's field."""
    try:
        return make(**fields)
    except ProtocolError as err:
        name = str(err.context.get("field", ""))
        key = FILE_NAME.get(name, name.split("[", maxsplit=1)[0])
        node = m.items.get(key, m.node)
        raise r.fail(
            _E.BOOK_FILE_INVALID_VALUE, node, m.at(key), str(err.context.get("reason", err.message))
        ) from None


def asset_of(r: Reader, node: yaml.Node, path: str, assets: dict[str, Asset]) -> Asset:
    """The asset whose symbol is at `node`; one not in the file's assets is an error."""
    symbol = r.text(node, path)
    asset = assets.get(symbol)
    if asset is None:
        raise r.fail(
            _E.BOOK_FILE_UNKNOWN_REFERENCE,
            node,
            path,
            f"{symbol!r} is not in assets (its decimals are needed)",
        )
    return asset
