"""The SparkLend market as data: frozen, validated preset records and their dict form.

Each record checks its own fields in `__post_init__` with the bounds the contracts enforce
(`PoolConfigurator`, `ReserveConfiguration`, the rate strategies, `CapAutomator`,
`KillSwitchOracle`) and raises `ProtocolError` naming the field. `MarketPreset` then checks the
records against each other (names that must exist, eMode rules, uniqueness, 128 reserves).

`to_dict()` gives plain JSON-able data (ints, strs, bools, None, lists, dicts; enums by name);
`from_dict()` reads it back, rejecting unknown keys (`UNKNOWN_FIELD`) and missing ones
(`MISSING_FIELD`). Integer fields also accept a base-10 digit string, so ray values (> 2**63)
can be written in TOML.

Example:
    >>> e = EModePreset(category_id=1, label="ETH", ltv_bps=9200,
    ...                 liquidation_threshold_bps=9300, liquidation_bonus_bps=10100)
    >>> EModePreset.from_dict(e.to_dict()) == e
    True
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import types
from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar, Final, Self, Union, get_args, get_origin, get_type_hints

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import PERCENTAGE_FACTOR, RAY, percent_mul
from sparkprime.core.ids import Address, parse_address, parse_name_id
from sparkprime.core.uint import check_int256, check_uint

__all__ = [
    "MAX_RESERVES_COUNT",
    "MAX_VALID_CAP",
    "MAX_VALID_DEBT_CEILING",
    "CapAutomatorPreset",
    "CapSide",
    "EModePreset",
    "KillSwitchPreset",
    "MarketPreset",
    "RateSourceKind",
    "RateSourcePreset",
    "RateStrategyKind",
    "RateStrategyPreset",
    "ReservePreset",
]

MAX_RESERVES_COUNT: Final = 128  # ReserveConfiguration / Pool: MAX_RESERVES_COUNT
MAX_VALID_CAP: Final = 2**36 - 1  # supply/borrow caps: 36-bit fields = 68,719,476,735
MAX_VALID_DEBT_CEILING: Final = 2**40 - 1  # bits 212-251 of the configuration (spec §1.10)
_UINT48_MAX: Final = 2**48 - 1  # CapAutomator stores max/gap/cooldown as uint48


class RateStrategyKind(Enum):
    """Which interest-rate-strategy contract a preset describes (spec §1.4, §2.1)."""

    DEFAULT = "DEFAULT"  # DefaultReserveInterestRateStrategy (Aave v3.0.2)
    VARIABLE_BORROW = "VARIABLE_BORROW"  # sparklend-advanced VariableBorrowInterestRateStrategy
    RATE_TARGET_BASE = "RATE_TARGET_BASE"  # base = source APR + spread
    RATE_TARGET_KINK = "RATE_TARGET_KINK"  # rate at the kink = source APR + signed spread


class RateSourceKind(Enum):
    """The live rate a rate-target strategy follows."""

    POT_DSR = "POT_DSR"  # PotRateSource: (pot.dsr() - RAY) * 365 days
    SSR = "SSR"  # SSRRateSource: (susds.ssr() - RAY) * 365 days
    CAPPED_FALLBACK = "CAPPED_FALLBACK"  # CappedFallbackRateSource around another source


class CapSide(Enum):
    SUPPLY = "SUPPLY"
    BORROW = "BORROW"


# --- field checks -------------------------------------------------------------------------


def _type_error(field: str, expected: str, value: object) -> ProtocolError:
    return ProtocolError(
        ErrorCode.INVALID_TYPE, field=field, expected=expected, got=type(value).__name__
    )


def _int(value: object, field: str, lo: int, hi: int) -> int:
    if type(value) is not int:
        raise _type_error(field, "int", value)
    if not lo <= value <= hi:
        raise ProtocolError(ErrorCode.VALUE_OUT_OF_RANGE, field=field, value=value, min=lo, max=hi)
    return value


def _bool(value: object, field: str) -> None:
    if type(value) is not bool:
        raise _type_error(field, "bool", value)


def _text(value: object, field: str) -> None:
    if type(value) is not str or not value.strip():
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="non-empty str", got=repr(value)
        )


def _enum(value: object, field: str, cls: type[Enum]) -> None:
    if not isinstance(value, cls):
        raise _type_error(field, cls.__name__, value)


def _tuple_of(value: object, field: str, item: type) -> None:
    if type(value) is not tuple:
        raise _type_error(field, "tuple", value)
    for i, x in enumerate(value):
        if not isinstance(x, item):
            raise _type_error(f"{field}[{i}]", item.__name__, x)


def _set_address(obj: object, field: str, *, optional: bool = False) -> None:
    """Normalise an address field to lower case in place (the record is frozen)."""
    value = getattr(obj, field)
    if value is None and optional:
        return
    object.__setattr__(obj, field, parse_address(value, field=field))


def _out_of_range(field: str, value: int, lo: int, hi: int, **why: Any) -> ProtocolError:
    return ProtocolError(
        ErrorCode.VALUE_OUT_OF_RANGE, field=field, value=value, min=lo, max=hi, **why
    )


def _check_collateral(ltv: int, lt: int, lb: int) -> None:
    """`PoolConfigurator.configureReserveAsCollateral` (spec §1.10)."""
    _int(ltv, "ltv_bps", 0, PERCENTAGE_FACTOR)
    _int(lt, "liquidation_threshold_bps", 0, PERCENTAGE_FACTOR)
    _int(lb, "liquidation_bonus_bps", 0, 2**16 - 1)
    if ltv > lt:
        raise _out_of_range("ltv_bps", ltv, 0, lt, rule="ltv <= liquidation threshold")
    if lt == 0:
        if lb != 0:
            raise _out_of_range("liquidation_bonus_bps", lb, 0, 0, rule="LT == 0")
        return
    if lb <= PERCENTAGE_FACTOR:
        raise _out_of_range(
            "liquidation_bonus_bps", lb, PERCENTAGE_FACTOR + 1, 2**16 - 1, rule="LT != 0"
        )
    if percent_mul(lt, lb) > PERCENTAGE_FACTOR:
        raise _out_of_range(
            "liquidation_bonus_bps",
            lb,
            PERCENTAGE_FACTOR + 1,
            PERCENTAGE_FACTOR * PERCENTAGE_FACTOR // lt,
            rule="percentMul(LT, LB) <= 10000",
        )


# --- the dict codec ----------------------------------------------------------------------


def _prefixed(err: ProtocolError, path: str) -> ProtocolError:
    ctx = dict(err.context)
    key = "field" if "field" in ctx else "kind"
    ctx[key] = f"{path}.{ctx[key]}" if key in ctx else path
    return ProtocolError(err.code, **ctx)


def _encode(value: object) -> object:
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, tuple):
        return [_encode(x) for x in value]
    if isinstance(value, _Preset):
        return value.to_dict()
    return value


_DIGITS = re.compile(r"-?[0-9]+")


def _decode(tp: Any, value: object, field: str) -> object:
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        if value is None and type(None) in get_args(tp):
            return None
        (inner,) = (a for a in get_args(tp) if a is not type(None))
        return _decode(inner, value, field)
    if hasattr(tp, "__supertype__"):  # NewType such as Address
        return _decode(tp.__supertype__, value, field)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise _type_error(field, "list", value)
        item = get_args(tp)[0]
        return tuple(_decode(item, x, f"{field}[{i}]") for i, x in enumerate(value))
    if tp is int and type(value) is str and _DIGITS.fullmatch(value.replace("_", "")):
        return int(value.replace("_", ""))
    if isinstance(tp, type) and issubclass(tp, Enum):
        if type(value) is str and value in tp.__members__:
            return tp[value]
        raise ProtocolError(
            ErrorCode.INVALID_TYPE,
            field=field,
            expected=f"one of {list(tp.__members__)}",
            got=value,
        )
    if isinstance(tp, type) and issubclass(tp, _Preset):
        try:
            return tp.from_dict(value)
        except ProtocolError as err:
            raise _prefixed(err, field) from err
    return value  # int / str / bool: the record's own __post_init__ checks the type


class _Preset:
    """Mixin: `to_dict` / `from_dict` for the frozen preset dataclasses below."""

    __slots__ = ()
    _HINTS: ClassVar[dict[type, dict[str, Any]]] = {}

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able data; `from_dict(to_dict())` gives an equal record."""
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """Build and validate a record from `to_dict`-shaped data (JSON, TOML, YAML)."""
        kind = cls.__name__
        if not isinstance(data, Mapping):
            raise _type_error(kind, "mapping", data)
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(str(k) for k in data if k not in fields)
        if unknown:
            raise ProtocolError(ErrorCode.UNKNOWN_FIELD, kind=kind, fields=unknown)
        missing = sorted(
            n
            for n, f in fields.items()
            if n not in data
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        )
        if missing:
            raise ProtocolError(ErrorCode.MISSING_FIELD, kind=kind, fields=missing)
        hints = _Preset._HINTS.get(cls)
        if hints is None:
            hints = _Preset._HINTS[cls] = get_type_hints(cls)
        values = {k: _decode(hints[k], v, k) for k, v in data.items()}
        return cls(**values)


# --- records ------------------------------------------------------------------------------

_RATE_FIELDS: Final = {
    # kind -> (required optional fields, fields that must be None)
    RateStrategyKind.DEFAULT: (
        ("base_variable_borrow_rate_ray", "variable_rate_slope1_ray"),
        ("rate_source", "base_rate_spread_ray", "variable_rate_slope1_spread_ray"),
    ),
    RateStrategyKind.VARIABLE_BORROW: (
        ("base_variable_borrow_rate_ray", "variable_rate_slope1_ray"),
        ("rate_source", "base_rate_spread_ray", "variable_rate_slope1_spread_ray"),
    ),
    RateStrategyKind.RATE_TARGET_BASE: (
        ("rate_source", "base_rate_spread_ray", "variable_rate_slope1_ray"),
        ("base_variable_borrow_rate_ray", "variable_rate_slope1_spread_ray"),
    ),
    RateStrategyKind.RATE_TARGET_KINK: (
        ("rate_source", "base_variable_borrow_rate_ray", "variable_rate_slope1_spread_ray"),
        ("base_rate_spread_ray", "variable_rate_slope1_ray"),
    ),
}


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RateStrategyPreset(_Preset):
    """An interest rate strategy. Ray parameters (1e27 = 100% a year).

    Which of the optional parameters apply depends on `kind`: a rate-target strategy names its
    live `rate_source` and stores a spread (`base_rate_spread_ray` for the Base kind, the signed
    `variable_rate_slope1_spread_ray` for the Kink kind) instead of a number that moves with it.
    """

    name: str
    kind: RateStrategyKind
    optimal_usage_ratio_ray: int
    variable_rate_slope2_ray: int
    base_variable_borrow_rate_ray: int | None = None
    variable_rate_slope1_ray: int | None = None
    rate_source: str | None = None
    base_rate_spread_ray: int | None = None
    variable_rate_slope1_spread_ray: int | None = None
    address: Address | None = None
    source_note: str = ""

    def __post_init__(self) -> None:
        parse_name_id(self.name, field="name")
        _enum(self.kind, "kind", RateStrategyKind)
        # INVALID_OPTIMAL_USAGE_RATIO: optimal <= RAY
        _int(self.optimal_usage_ratio_ray, "optimal_usage_ratio_ray", 0, RAY)
        check_uint(self.variable_rate_slope2_ray, field="variable_rate_slope2_ray", bits=256)
        required, forbidden = _RATE_FIELDS[self.kind]
        missing = [f for f in required if getattr(self, f) is None]
        if missing:
            raise ProtocolError(
                ErrorCode.MISSING_FIELD,
                kind=f"RateStrategyPreset {self.name} ({self.kind.name})",
                fields=missing,
                field=missing[0],
            )
        for f in forbidden:
            if getattr(self, f) is not None:
                raise _type_error(f, f"None (unused by {self.kind.name})", getattr(self, f))
        for f in ("base_variable_borrow_rate_ray", "variable_rate_slope1_ray"):
            if getattr(self, f) is not None:
                check_uint(getattr(self, f), field=f, bits=256)
        if self.base_rate_spread_ray is not None:
            check_uint(self.base_rate_spread_ray, field="base_rate_spread_ray", bits=256)
        if self.variable_rate_slope1_spread_ray is not None:
            check_int256(
                self.variable_rate_slope1_spread_ray, field="variable_rate_slope1_spread_ray"
            )
        if self.rate_source is not None:
            parse_name_id(self.rate_source, field="rate_source")
        _set_address(self, "address", optional=True)
        if type(self.source_note) is not str:
            _text(self.source_note, "source_note")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RateSourcePreset(_Preset):
    """A live rate source; APR with `decimals` decimals (27 for Pot/SSR sources).

    A CAPPED_FALLBACK source clamps its inner source to [lower_bound, upper_bound] and returns
    `default_rate` when the inner source reverts (`CappedFallbackRateSource`).
    """

    name: str
    kind: RateSourceKind
    decimals: int
    address: Address | None = None
    inner_source: Address | None = None
    lower_bound: int | None = None
    upper_bound: int | None = None
    default_rate: int | None = None
    source_note: str = ""

    def __post_init__(self) -> None:
        parse_name_id(self.name, field="name")
        _enum(self.kind, "kind", RateSourceKind)
        _int(self.decimals, "decimals", 0, 27)  # rate-target strategies require decimals <= 27
        _set_address(self, "address", optional=True)
        _set_address(self, "inner_source", optional=True)
        capped = ("lower_bound", "upper_bound", "default_rate")
        if self.kind is RateSourceKind.CAPPED_FALLBACK:
            missing = [f for f in capped if getattr(self, f) is None]
            if missing:
                raise ProtocolError(
                    ErrorCode.MISSING_FIELD,
                    kind=f"RateSourcePreset {self.name}",
                    fields=missing,
                    field=missing[0],
                )
            lo = check_uint(self.lower_bound, field="lower_bound", bits=256)
            hi = check_uint(self.upper_bound, field="upper_bound", bits=256)
            if lo > hi:  # CappedFallbackRateSource/invalid-bounds
                raise _out_of_range("lower_bound", lo, 0, hi)
            _int(self.default_rate, "default_rate", lo, hi)  # .../invalid-default-rate
        else:
            for f in (*capped, "inner_source"):
                if getattr(self, f) is not None:
                    raise _type_error(f, f"None (unused by {self.kind.name})", getattr(self, f))
        if type(self.source_note) is not str:
            _text(self.source_note, "source_note")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ReservePreset(_Preset):
    """One reserve's configuration as the Pool stores it, plus where the values came from.

    Caps are whole tokens (0 = no cap); `debt_ceiling_usd_e2` is the isolation-mode debt
    ceiling in the contract's units (USD with 2 decimals, 0 = not isolated). `unknown_fields`
    names the fields whose value could not be confirmed from a source (see the preset module).
    """

    symbol: str
    underlying: Address
    decimals: int
    ltv_bps: int
    liquidation_threshold_bps: int
    liquidation_bonus_bps: int
    reserve_factor_bps: int
    liquidation_protocol_fee_bps: int
    emode_category: int
    supply_cap_tokens: int
    borrow_cap_tokens: int
    debt_ceiling_usd_e2: int
    borrowing_enabled: bool
    borrowable_in_isolation: bool
    siloed_borrowing: bool
    flash_loan_enabled: bool
    is_active: bool
    is_frozen: bool
    is_paused: bool
    rate_strategy: str
    oracle_source: str
    unknown_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        parse_name_id(self.symbol, field="symbol")
        _set_address(self, "underlying")
        _int(self.decimals, "decimals", 0, 255)
        _check_collateral(self.ltv_bps, self.liquidation_threshold_bps, self.liquidation_bonus_bps)
        _int(self.reserve_factor_bps, "reserve_factor_bps", 0, PERCENTAGE_FACTOR)
        _int(
            self.liquidation_protocol_fee_bps, "liquidation_protocol_fee_bps", 0, PERCENTAGE_FACTOR
        )
        _int(self.emode_category, "emode_category", 0, 255)
        _int(self.supply_cap_tokens, "supply_cap_tokens", 0, MAX_VALID_CAP)
        _int(self.borrow_cap_tokens, "borrow_cap_tokens", 0, MAX_VALID_CAP)
        _int(self.debt_ceiling_usd_e2, "debt_ceiling_usd_e2", 0, MAX_VALID_DEBT_CEILING)
        for flag in (
            "borrowing_enabled",
            "borrowable_in_isolation",
            "siloed_borrowing",
            "flash_loan_enabled",
            "is_active",
            "is_frozen",
            "is_paused",
        ):
            _bool(getattr(self, flag), flag)
        parse_name_id(self.rate_strategy, field="rate_strategy")
        _text(self.oracle_source, "oracle_source")
        _tuple_of(self.unknown_fields, "unknown_fields", str)
        names = {f.name for f in dataclasses.fields(self)} - {"symbol", "unknown_fields"}
        bad = sorted({f for f in self.unknown_fields if f not in names})
        if bad or len(set(self.unknown_fields)) != len(self.unknown_fields):
            raise ProtocolError(
                ErrorCode.UNKNOWN_FIELD,
                kind=f"ReservePreset {self.symbol}",
                fields=bad or list(self.unknown_fields),
                field="unknown_fields",
            )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class EModePreset(_Preset):
    """An eMode category (`PoolConfigurator.setEModeCategory`, spec §1.8)."""

    category_id: int
    label: str
    ltv_bps: int
    liquidation_threshold_bps: int
    liquidation_bonus_bps: int
    price_source: Address | None = None

    def __post_init__(self) -> None:
        # Category 0 is "no eMode" (EMODE_CATEGORY_RESERVED); ids are uint8.
        _int(self.category_id, "category_id", 1, 255)
        _text(self.label, "label")
        _int(self.ltv_bps, "ltv_bps", 1, PERCENTAGE_FACTOR)
        _int(self.liquidation_threshold_bps, "liquidation_threshold_bps", 1, PERCENTAGE_FACTOR)
        _check_collateral(self.ltv_bps, self.liquidation_threshold_bps, self.liquidation_bonus_bps)
        _set_address(self, "price_source", optional=True)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class KillSwitchPreset(_Preset):
    """A `KillSwitchOracle` feed: trigger when `0 < latestAnswer <= threshold` (spec §2.2).

    `threshold` is an int with the feed's own `threshold_decimals` (0.95e18 for a 1e18 ratio).
    """

    feed: str
    oracle: Address
    threshold: int
    threshold_decimals: int
    active: bool
    set_by: str

    def __post_init__(self) -> None:
        _text(self.feed, "feed")
        _set_address(self, "oracle")
        _int(self.threshold, "threshold", 1, 2**256 - 1)  # setOracle: threshold != 0
        _int(self.threshold_decimals, "threshold_decimals", 0, 255)
        _bool(self.active, "active")
        _text(self.set_by, "set_by")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CapAutomatorPreset(_Preset):
    """A `CapAutomator` config for one asset and side, whole tokens (spec §2.4)."""

    asset: str
    side: CapSide
    max_tokens: int
    gap_tokens: int
    increase_cooldown_s: int

    def __post_init__(self) -> None:
        parse_name_id(self.asset, field="asset")
        _enum(self.side, "side", CapSide)
        _int(self.max_tokens, "max_tokens", 1, _UINT48_MAX)  # CapAutomator/invalid-cap
        _int(self.gap_tokens, "gap_tokens", 0, _UINT48_MAX)
        _int(self.increase_cooldown_s, "increase_cooldown_s", 0, _UINT48_MAX)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MarketPreset(_Preset):
    """A whole SparkLend market: addresses, reserves in reserve-id order, eModes, rates, guards."""

    name: str
    chain: str
    chain_id: int
    as_of: str
    sources: tuple[str, ...]
    pool: Address
    pool_configurator: Address
    oracle: Address
    addresses_provider: Address
    kill_switch_oracle: Address | None
    cap_automator: Address | None
    flash_loan_premium_total_bps: int
    flash_loan_premium_to_protocol_bps: int
    reserves: tuple[ReservePreset, ...]
    emodes: tuple[EModePreset, ...]
    rate_strategies: tuple[RateStrategyPreset, ...]
    rate_sources: tuple[RateSourcePreset, ...]
    kill_switches: tuple[KillSwitchPreset, ...]
    cap_automator_configs: tuple[CapAutomatorPreset, ...]

    def __post_init__(self) -> None:
        _text(self.name, "name")
        _text(self.chain, "chain")
        _int(self.chain_id, "chain_id", 1, 2**64 - 1)
        _text(self.as_of, "as_of")
        try:
            datetime.date.fromisoformat(self.as_of)
            ok = len(self.as_of) == len("YYYY-MM-DD")
        except ValueError:
            ok = False
        if not ok:
            raise ProtocolError(
                ErrorCode.INVALID_TYPE, field="as_of", expected="YYYY-MM-DD", got=self.as_of
            )
        _tuple_of(self.sources, "sources", str)
        if not self.sources:
            raise ProtocolError(ErrorCode.MISSING_FIELD, kind="MarketPreset", fields=["sources"])
        for i, s in enumerate(self.sources):
            _text(s, f"sources[{i}]")
        for f in ("pool", "pool_configurator", "oracle", "addresses_provider"):
            _set_address(self, f)
        _set_address(self, "kill_switch_oracle", optional=True)
        _set_address(self, "cap_automator", optional=True)
        # PoolConfigurator.updateFlashloanPremiumTotal / ...ToProtocol: <= PERCENTAGE_FACTOR
        _int(self.flash_loan_premium_total_bps, "flash_loan_premium_total_bps", 0, 10_000)
        _int(
            self.flash_loan_premium_to_protocol_bps, "flash_loan_premium_to_protocol_bps", 0, 10_000
        )
        _tuple_of(self.reserves, "reserves", ReservePreset)
        _tuple_of(self.emodes, "emodes", EModePreset)
        _tuple_of(self.rate_strategies, "rate_strategies", RateStrategyPreset)
        _tuple_of(self.rate_sources, "rate_sources", RateSourcePreset)
        _tuple_of(self.kill_switches, "kill_switches", KillSwitchPreset)
        _tuple_of(self.cap_automator_configs, "cap_automator_configs", CapAutomatorPreset)
        self._cross_check()

    def _cross_check(self) -> None:
        if len(self.reserves) > MAX_RESERVES_COUNT:  # NO_MORE_RESERVES_ALLOWED
            raise ProtocolError(
                ErrorCode.LIMIT_EXCEEDED,
                what="reserves",
                value=len(self.reserves),
                limit=MAX_RESERVES_COUNT,
                field="reserves",
            )
        _unique("reserves", "symbol", [r.symbol for r in self.reserves])
        _unique("reserves", "underlying", [r.underlying for r in self.reserves])
        _unique("emodes", "category_id", [e.category_id for e in self.emodes])
        _unique("rate_strategies", "name", [s.name for s in self.rate_strategies])
        _unique("rate_sources", "name", [s.name for s in self.rate_sources])
        _unique("kill_switches", "oracle", [k.oracle for k in self.kill_switches])
        _unique(
            "cap_automator_configs",
            "asset",
            [f"{c.asset}:{c.side.name}" for c in self.cap_automator_configs],
        )
        sources = {s.name for s in self.rate_sources}
        for s in self.rate_strategies:
            if s.rate_source is not None and s.rate_source not in sources:
                raise _dangling(f"rate_strategies[{s.name}].rate_source", s.rate_source)
        strategies = {s.name for s in self.rate_strategies}
        emodes = {e.category_id: e for e in self.emodes}
        for r in self.reserves:
            if r.rate_strategy not in strategies:
                raise _dangling(f"reserves[{r.symbol}].rate_strategy", r.rate_strategy)
            if r.emode_category == 0:
                continue
            e = emodes.get(r.emode_category)
            if e is None:
                raise _dangling(f"reserves[{r.symbol}].emode_category", r.emode_category)
            # PoolConfigurator.setEModeCategory: for every member, eMode ltv > ltv, lt > lt.
            if e.liquidation_threshold_bps <= r.liquidation_threshold_bps:
                raise _out_of_range(
                    f"emodes[{e.category_id}].liquidation_threshold_bps",
                    e.liquidation_threshold_bps,
                    r.liquidation_threshold_bps + 1,
                    PERCENTAGE_FACTOR,
                    member=r.symbol,
                )
            if e.ltv_bps <= r.ltv_bps:
                raise _out_of_range(
                    f"emodes[{e.category_id}].ltv_bps",
                    e.ltv_bps,
                    r.ltv_bps + 1,
                    PERCENTAGE_FACTOR,
                    member=r.symbol,
                )
        symbols = {r.symbol for r in self.reserves}
        for c in self.cap_automator_configs:
            if c.asset not in symbols:
                raise _dangling(f"cap_automator_configs[{c.asset}].asset", c.asset)

    def reserve(self, symbol: str) -> ReservePreset:
        """The reserve with this symbol."""
        for r in self.reserves:
            if r.symbol == symbol:
                return r
        raise _dangling("symbol", symbol)

    def emode(self, category_id: int) -> EModePreset:
        """The eMode category with this id."""
        for e in self.emodes:
            if e.category_id == category_id:
                return e
        raise _dangling("category_id", category_id)

    def rate_strategy(self, name: str) -> RateStrategyPreset:
        """The rate strategy with this name."""
        for s in self.rate_strategies:
            if s.name == name:
                return s
        raise _dangling("rate_strategy", name)


def _dangling(field: str, value: object) -> ProtocolError:
    return ProtocolError(ErrorCode.INVALID_ID, field=field, value=value, reason="not in the preset")


def _unique(table: str, key: str, values: list[Any]) -> None:
    seen: set[Any] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise ProtocolError(
                ErrorCode.INVALID_ID, field=f"{table}[{i}].{key}", value=v, reason="duplicate"
            )
        seen.add(v)
