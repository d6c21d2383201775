"""The replay result's JSON codec: frozen dataclass records <-> plain JSON values, exactly.

`JsonRecord` is the base every `sim.result` record derives from: `to_json_value()` turns a
record into dicts, lists, ints, strings, bools and None; `from_json_value()` reads that back,
driven by the record's type hints, and refuses unknown or missing fields, wrong types (a bool
is not an int) and broken invariants with `ProtocolError(RESULT_INVALID, field=<path>,
reason=...)`. Numbers are exact ints: `refuse_float` is the `json.loads` hook that refuses a
float, NaN or Infinity. `MAX_RECORDS` bounds how many items one sequence may hold.

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True, slots=True, kw_only=True)
    ... class Point(JsonRecord):
    ...     x: int
    ...     label: str | None = None
    >>> Point(x=3).to_json_value()
    {'x': 3, 'label': None}
    >>> Point.from_json_value({"x": 3}) == Point(x=3)
    True
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import MISSING, fields, is_dataclass
from functools import cache
from typing import Any, Final, Self, Union, get_args, get_origin, get_type_hints

from sparkprime.core.errors import ErrorCode, ProtocolError

__all__ = ["MAX_RECORDS", "JsonRecord", "bad_field", "refuse_float"]

MAX_RECORDS: Final = 1_000_000  # per sequence: a bound on what a result may hold


def bad_field(where: str, reason: str) -> ProtocolError:
    """The error for a field (`where`, a dotted path) that is missing, mistyped or invalid."""
    return ProtocolError(ErrorCode.RESULT_INVALID, field=where, reason=reason)


def refuse_float(token: str) -> object:
    """`json.loads`'s `parse_float` / `parse_constant` hook: amounts are exact ints."""
    raise bad_field("(number)", f"{token} is not an integer: amounts are exact ints")


class JsonRecord:
    """JSON value conversion shared by every record (see the module docstring)."""

    __slots__ = ()

    def to_json_value(self) -> dict[str, Any]:
        """The record as plain dicts, lists, ints, strings, bools and None."""
        out = _encode(self)
        assert isinstance(out, dict)  # a dataclass encodes to a dict
        return out

    @classmethod
    def from_json_value(cls, raw: object, where: str = "") -> Self:
        """The record from `to_json_value`'s output; checks every type and invariant."""
        decoded: Self = _decode(cls, raw, where or cls.__name__)
        return decoded


# -- the codec: dataclasses <-> JSON values, driven by the type hints ------------------------


def _encode(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _decode(tp: Any, raw: object, where: str) -> Any:
    origin = get_origin(tp)
    if tp is int or tp is str or tp is bool:
        if type(raw) is not tp:
            raise bad_field(where, f"expected {tp.__name__}, got {type(raw).__name__}")
        return raw
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(tp) if a is not type(None)]
        return None if raw is None else _decode(args[0], raw, where)
    if origin is tuple:
        if not isinstance(raw, list):
            raise bad_field(where, f"expected a list, got {type(raw).__name__}")
        if len(raw) > MAX_RECORDS:
            raise bad_field(where, f"{len(raw)} items (at most {MAX_RECORDS})")
        return tuple(_decode(get_args(tp)[0], item, f"{where}[{i}]") for i, item in enumerate(raw))
    if origin is Mapping:
        if not isinstance(raw, dict):
            raise bad_field(where, f"expected an object, got {type(raw).__name__}")
        value_tp = get_args(tp)[1]
        return {k: _decode(value_tp, v, f"{where}.{k}") for k, v in raw.items()}
    if isinstance(tp, type) and is_dataclass(tp):
        return _decode_record(tp, raw, where)
    raise bad_field(where, f"unsupported type {tp!r}")  # pragma: no cover - a schema bug


def _decode_record(cls: type, raw: object, where: str) -> Any:
    if not isinstance(raw, dict):
        raise bad_field(where, f"expected an object, got {type(raw).__name__}")
    hints = _hints(cls)
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise bad_field(where, f"unknown field(s) {unknown}")
    required = {n for n, f in known.items() if _has_no_default(f)}
    missing = sorted(required - set(raw))
    if missing:
        raise bad_field(where, f"missing field(s) {missing}")
    kwargs = {name: _decode(hints[name], value, f"{where}.{name}") for name, value in raw.items()}
    try:
        return cls(**kwargs)
    except ProtocolError as exc:
        if exc.code is not ErrorCode.RESULT_INVALID:
            raise
        where_field = f"{where}.{exc.context.get('field')}"
        raise bad_field(where_field, str(exc.context.get("reason"))) from None


def _has_no_default(f: Any) -> bool:
    return f.default is MISSING and f.default_factory is MISSING
