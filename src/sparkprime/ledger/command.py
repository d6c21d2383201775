"""Commands: frozen, typed, validated on construction, with one canonical JSON form.

A command class is a frozen dataclass declared with `@command("kind")`. Its fields are
checked against their annotations when it is built (in Python or from JSON), so a wrong
type, a negative amount or a value past uint256 is a `ProtocolError` before anything runs.

Field types:
    Uint256, Uint128, Int256   ints in their EVM range (plain `int` means Int256)
    bool, str                  exact types (a bool is not an int, a float is nothing)
    Address                    an EVM address, normalised to lower case
    NewType over str / int     checked as the underlying type
    Enum subclasses            written by name
    tuple[T, ...]              written as a JSON list
    T | None                   null allowed
    another @command/@record   nested object

The canonical form is `{"kind": ..., "payload": {...}}` with sorted keys and no spaces; its
bytes feed the journal's hash chain, so one command always hashes the same.

Example:
    >>> @command("demo.deposit")
    ... class Deposit:
    ...     account: str
    ...     amount_wad: Uint256
    >>> codec = CommandCodec([Deposit])
    >>> codec.encode(Deposit(account="alice", amount_wad=5))
    ('demo.deposit', '{"account":"alice","amount_wad":5}')
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Annotated, Any, Final, TypeVar, dataclass_transform

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address, parse_address
from sparkprime.core.uint import check_int256, check_uint

__all__ = [
    "COMMAND_KINDS_MAX",
    "CommandCodec",
    "Int256",
    "Uint128",
    "Uint256",
    "UintBits",
    "canonical_json",
    "command",
    "from_plain",
    "is_command",
    "record",
    "to_plain",
]

COMMAND_KINDS_MAX: Final = 1024
TUPLE_LENGTH_MAX: Final = 10_000
NESTING_MAX: Final = 8
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


@dataclasses.dataclass(frozen=True, slots=True)
class UintBits:
    """Annotation marker: an unsigned int of `bits` bits."""

    bits: int


Uint256 = Annotated[int, UintBits(256)]
Uint128 = Annotated[int, UintBits(128)]
Int256 = int

T = TypeVar("T")
_Check = Callable[[object, str, int], object]  # (value, field path, depth) -> decoded value


def canonical_json(value: object) -> str:
    """JSON with sorted keys, no spaces, ASCII only: equal values give equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _wrong_type(field: str, expected: str, value: object) -> ProtocolError:
    return ProtocolError(
        ErrorCode.INVALID_TYPE, field=field, expected=expected, got=type(value).__name__
    )


def _check_int(value: object, field: str, depth: int) -> int:
    return check_int256(value, field=field)


def _address_check(value: object, field: str, depth: int) -> Address:
    return parse_address(value, field=field)


def _uint_check(bits: int) -> _Check:
    def check(value: object, field: str, depth: int) -> int:
        return check_uint(value, field=field, bits=bits)

    return check


def _exact_type_check(kind: type) -> _Check:
    def check(value: object, field: str, depth: int) -> object:
        if type(value) is not kind:
            raise _wrong_type(field, kind.__name__, value)
        return value

    return check


def _enum_check(enum_type: type[Enum]) -> _Check:
    def check(value: object, field: str, depth: int) -> Enum:
        if isinstance(value, enum_type):
            return value
        if type(value) is str and value in enum_type.__members__:
            return enum_type[value]
        names = "|".join(enum_type.__members__)
        raise _wrong_type(field, f"{enum_type.__name__} ({names})", value)

    return check


def _tuple_check(item: _Check) -> _Check:
    def check(value: object, field: str, depth: int) -> tuple[object, ...]:
        if not isinstance(value, tuple | list):
            raise _wrong_type(field, "list", value)
        if len(value) > TUPLE_LENGTH_MAX:
            raise ProtocolError(
                ErrorCode.LIMIT_EXCEEDED, what=field, value=len(value), limit=TUPLE_LENGTH_MAX
            )
        return tuple(item(v, f"{field}[{i}]", depth) for i, v in enumerate(value))

    return check


def _optional_check(inner: _Check) -> _Check:
    def check(value: object, field: str, depth: int) -> object:
        return None if value is None else inner(value, field, depth)

    return check


def _nested_check(cls: type) -> _Check:
    def check(value: object, field: str, depth: int) -> object:
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            raise _wrong_type(field, cls.__name__, value)
        return _from_mapping(cls, value, path=f"{field}.", depth=depth + 1)

    return check


def _checker_for(hint: object, owner: str) -> _Check:
    origin = typing.get_origin(hint)
    if origin is Annotated:
        base, *extras = typing.get_args(hint)
        bits = [e.bits for e in extras if isinstance(e, UintBits)]
        return _uint_check(bits[0]) if bits else _checker_for(base, owner)
    if hint is Address:
        return _address_check
    if isinstance(hint, typing.NewType):
        return _checker_for(hint.__supertype__, owner)
    if origin in (types.UnionType, typing.Union):
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(members) != 1 or len(typing.get_args(hint)) != 2:
            raise TypeError(f"{owner}: only `T | None` unions are supported, not {hint}")
        return _optional_check(_checker_for(members[0], owner))
    if origin is tuple:
        items = typing.get_args(hint)
        if len(items) != 2 or items[1] is not Ellipsis:
            raise TypeError(f"{owner}: use tuple[T, ...], not {hint}")
        return _tuple_check(_checker_for(items[0], owner))
    if hint is int:
        return _check_int
    if hint in (bool, str):
        return _exact_type_check(typing.cast(type, hint))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum_check(hint)
    if isinstance(hint, type) and is_command(hint):
        return _nested_check(hint)
    raise TypeError(f"{owner}: unsupported field type {hint!r}")


_SCHEMA_ATTR: Final = "__sparkprime_fields__"


def _schema(cls: type) -> dict[str, _Check]:
    """Field checkers of a command class, built once on first use (hints may be forward)."""
    cached: dict[str, _Check] | None = cls.__dict__.get(_SCHEMA_ATTR)
    if cached is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        cached = {
            f.name: _checker_for(hints[f.name], f"{cls.__qualname__}.{f.name}")
            for f in dataclasses.fields(cls)
        }
        type.__setattr__(cls, _SCHEMA_ATTR, cached)
    return cached


def _validate_instance(self: object) -> None:
    for name, check in _schema(type(self)).items():
        value = getattr(self, name)
        checked = check(value, name, 0)
        if checked is not value:  # lists become tuples, enum names become members
            object.__setattr__(self, name, checked)


def _from_mapping(cls: type[T], data: Mapping[str, object], *, path: str, depth: int) -> T:
    if depth > NESTING_MAX:
        raise ProtocolError(
            ErrorCode.LIMIT_EXCEEDED, what="nesting", value=depth, limit=NESTING_MAX
        )
    schema = _schema(cls)
    unknown = sorted(str(k) for k in data if k not in schema)
    if unknown:
        raise ProtocolError(ErrorCode.UNKNOWN_FIELD, kind=cls.__qualname__, fields=unknown)
    missing = sorted(name for name in schema if name not in data)
    if missing:
        raise ProtocolError(ErrorCode.MISSING_FIELD, kind=cls.__qualname__, fields=missing)
    values = {name: check(data[name], path + name, depth) for name, check in schema.items()}
    return cls(**values)


def _to_plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, tuple):
        return [_to_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def to_plain(value: object) -> Any:
    """A command or record as JSON-able data (enums by name, tuples as lists)."""
    return _to_plain(value)


def from_plain(cls: type[T], data: Mapping[str, object]) -> T:
    """Build and validate a command or record of type `cls` from `to_plain` data."""
    if not is_command(cls):
        raise TypeError(f"{cls!r} is not declared with @command or @record")
    return _from_mapping(cls, data, path="", depth=0)


@dataclass_transform(frozen_default=True, kw_only_default=True)
def record(cls: type[T]) -> type[T]:
    """A frozen, validated value type that commands may nest (no kind of its own)."""
    setattr(cls, "__post_init__", _validate_instance)  # noqa: B010 - set before dataclass()
    built = dataclasses.dataclass(frozen=True, slots=True, kw_only=True)(cls)
    type.__setattr__(built, "__sparkprime_record__", True)
    return built


@dataclass_transform(frozen_default=True, kw_only_default=True)
def command(kind: str) -> Callable[[type[T]], type[T]]:
    """Declare a command class: a frozen, validated dataclass with a dotted `kind` name."""
    if _KIND.fullmatch(kind) is None:
        raise TypeError(f"command kind {kind!r} must be dotted lower_snake, e.g. 'pool.supply'")

    def decorate(cls: type[T]) -> type[T]:
        built = record(cls)
        type.__setattr__(built, "KIND", kind)
        return built

    return decorate


def is_command(cls: type) -> bool:
    """Whether `cls` was declared with `@command` or `@record`."""
    return bool(getattr(cls, "__sparkprime_record__", False))


class CommandCodec:
    """Encodes and decodes the command kinds one state machine accepts."""

    __slots__ = ("_by_kind",)

    def __init__(self, command_types: Iterable[type]) -> None:
        by_kind: dict[str, type] = {}
        for cls in command_types:
            kind = getattr(cls, "KIND", None)
            if kind is None or not is_command(cls):
                raise TypeError(f"{cls!r} is not declared with @command")
            if kind in by_kind:
                raise TypeError(f"two command classes share the kind {kind!r}")
            _schema(cls)  # fail at set-up, not on the first command, if a field type is bad
            by_kind[kind] = cls
        if len(by_kind) > COMMAND_KINDS_MAX:
            raise TypeError(f"more than {COMMAND_KINDS_MAX} command kinds")
        self._by_kind = by_kind

    @property
    def kinds(self) -> tuple[str, ...]:
        """The accepted kinds, sorted."""
        return tuple(sorted(self._by_kind))

    def encode(self, cmd: object) -> tuple[str, str]:
        """(kind, canonical payload JSON) of an accepted command."""
        kind = getattr(type(cmd), "KIND", None)
        if kind is None or self._by_kind.get(kind) is not type(cmd):
            raise ProtocolError(ErrorCode.UNKNOWN_COMMAND_KIND, kind=kind or type(cmd).__name__)
        return kind, canonical_json(_to_plain(cmd))

    def decode(self, kind: object, payload: str | Mapping[str, object]) -> Any:
        """Build and validate a command from its kind and payload (JSON text or a mapping)."""
        cls = self._by_kind.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise ProtocolError(ErrorCode.UNKNOWN_COMMAND_KIND, kind=kind)
        data: object = payload
        if isinstance(payload, str):
            try:
                data = json.loads(payload)
            except ValueError as exc:
                raise ProtocolError(ErrorCode.MALFORMED_PAYLOAD, reason=str(exc)) from None
        if not isinstance(data, Mapping):
            raise ProtocolError(
                ErrorCode.MALFORMED_PAYLOAD, reason=f"payload must be an object, not {data!r}"
            )
        return _from_mapping(cls, data, path="", depth=0)

    def decode_envelope(self, envelope: str | Mapping[str, object]) -> Any:
        """Decode `{"kind": ..., "payload": {...}}` (what an API client sends)."""
        data: object = envelope
        if isinstance(envelope, str):
            try:
                data = json.loads(envelope)
            except ValueError as exc:
                raise ProtocolError(ErrorCode.MALFORMED_PAYLOAD, reason=str(exc)) from None
        if not isinstance(data, Mapping) or set(data) != {"kind", "payload"}:
            raise ProtocolError(
                ErrorCode.MALFORMED_PAYLOAD, reason='expected {"kind": ..., "payload": {...}}'
            )
        payload = data["payload"]
        if not isinstance(payload, Mapping):
            raise ProtocolError(ErrorCode.MALFORMED_PAYLOAD, reason="payload must be an object")
        return self.decode(data["kind"], payload)
