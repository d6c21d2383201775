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
wrong types (`INVALID_TYPE`) and bounds (`VALUE_OUT_OF_RANGE`).

Example:
    >>> limits = sll_limits_preset()
    >>> arkis = limits.instance("arkis")
    >>> arkis.rate_limit("inflow").max_amount == 5_000_000 * 10**6
    True
    >>> sll_limits_preset(datetime.date(2026, 1, 1)).instance("arkis").max_exposure_usd
    20000000
"""

from __future__ import annotations

import dataclasses
import datetime
import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
    make_limit_id,
)
from sparkprime.protocols.liquidity_layer.rate_limits import UNLIMITED, RateLimitKey
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

SECONDS_PER_DAY: Final = 86_400  # Solidity `1 days`
# How a key is derived from its limit id (RateLimitHelpers): bare, per asset, per asset and
# destination, per CCTP domain.
KEY_SHAPES: Final = ("bare", "asset", "asset_destination", "domain")
_BPS_MAX: Final = 10_000
_MAX_DECIMALS: Final = 36
_DATA: Final = "data/sll_limits.toml"


# --- records ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RateLimitSpec:
    """One rate-limit key: what the Atlas sets, in base units and base units per second."""

    name: str
    limit_id: str  # the controller constant, e.g. "LIMIT_AAVE_DEPOSIT"
    key_shape: str  # one of KEY_SHAPES
    target: str | None  # asset / pool / vault label the key is per (None for bare, domain)
    destination: str | None  # for asset_destination keys
    domain: int | None  # CCTP domain for domain keys
    unit: str  # token symbol of the amounts
    decimals: int
    max_amount: int  # base units; UNLIMITED when unlimited
    slope_per_s: int  # base units per second, rounded down
    unlimited: bool
    max_slippage_bps: int | None = None
    recharge_per_s: int | None = None  # OTC buffer recharge rate, 18-dp tokens per second
    source: str = ""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SllInstanceLimits:
    """One SLL instance (or chain-wide group of keys) and its Atlas limits."""

    name: str
    chain: str
    protocol: str
    source: str
    rate_limits: tuple[RateLimitSpec, ...]
    max_exposure_usd: int | None = None
    capital_ratio_bps: int | None = None
    token: Address | None = None
    underlying: Address | None = None

    def rate_limit(self, name: str) -> RateLimitSpec:
        """The spec called `name`, or UNKNOWN_ID."""
        for spec in self.rate_limits:
            if spec.name == name:
                return spec
        raise ProtocolError(
            ErrorCode.INVALID_ID, field="rate limit", value=f"{self.name}.{name}", reason="unknown"
        )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SllGlobalParams:
    """SLLG parameters: encumbrance bound and its breach bands, off-chain operation sizes
    (whole tokens), and multisig thresholds as (signers, of)."""

    source: str
    encumbrance_ratio_max_bps: int
    breach_low_from_bps: int
    breach_high_above_bps: int
    penalty_min_apy_bps: int
    penalty_max_apy_bps: int
    mainnet_min_operation_size_tokens: int
    debt_ceiling_buffer_tokens: int
    base_min_operation_size_tokens: int
    base_usdc_min_balance_tokens: int
    base_usdc_optimal_balance_tokens: int
    base_usdc_max_balance_tokens: int
    prime_relayer_threshold: tuple[int, int]
    core_operator_relayer_threshold: tuple[int, int]
    freezer_threshold: tuple[int, int]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SllLimits:
    """The SLL limits in force at `as_of` (None: the snapshot as it stands)."""

    as_of: datetime.date | None
    repo: str
    snapshot: str
    snapshot_date: datetime.date
    global_params: SllGlobalParams
    instances: tuple[SllInstanceLimits, ...]

    def instance(self, name: str) -> SllInstanceLimits:
        """The instance called `name`, or UNKNOWN_ID (also when not yet added at `as_of`)."""
        for inst in self.instances:
            if inst.name == name:
                return inst
        raise ProtocolError(
            ErrorCode.INVALID_ID, field="SLL instance", value=name, reason="unknown at this date"
        )


# --- checks -------------------------------------------------------------------------------


def _table(value: object, kind: str, required: set[str], optional: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=kind, expected="table", got=type(value).__name__
        )
    unknown = sorted(set(value) - required - optional)
    if unknown:
        raise ProtocolError(ErrorCode.UNKNOWN_FIELD, kind=kind, fields=", ".join(unknown))
    missing = sorted(required - set(value))
    if missing:
        raise ProtocolError(ErrorCode.MISSING_FIELD, kind=kind, fields=", ".join(missing))
    return value


def _int(value: object, field: str, lo: int, hi: int) -> int:
    if type(value) is not int:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="int", got=type(value).__name__
        )
    if not lo <= value <= hi:
        raise ProtocolError(ErrorCode.VALUE_OUT_OF_RANGE, field=field, value=value, min=lo, max=hi)
    return value


def _str(value: object, field: str) -> str:
    if type(value) is not str or not value.strip():
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="non-empty str", got=repr(value)
        )
    return value


def _date(value: object, field: str) -> datetime.date:
    if type(value) is not datetime.date:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="date", got=type(value).__name__
        )
    return value


def _amount(value: object, field: str, scale: int) -> int | None:
    """Whole tokens times `scale`, or None for "unlimited"."""
    if value == "unlimited":
        return None
    return _int(value, field, 0, UINT256_MAX // scale) * scale


def _threshold(value: object, field: str) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="[signers, of]", got=repr(value)
        )
    of = _int(value[1], f"{field}[1]", 1, 100)
    return _int(value[0], f"{field}[0]", 1, of), of


# --- parsing ------------------------------------------------------------------------------

_SPEC_REQUIRED: Final = {"name", "limit_id", "key", "unit", "max", "slope_per_day"}
_SPEC_OPTIONAL: Final = {
    "target",
    "destination",
    "domain",
    "max_slippage_bps",
    "recharge_per_day",
    "source",
}


def _spec(raw: object, where: str, units: Mapping[str, int], default_source: str) -> RateLimitSpec:
    t = _table(raw, where, _SPEC_REQUIRED, _SPEC_OPTIONAL)
    name, limit_id = _str(t["name"], f"{where}.name"), _str(t["limit_id"], f"{where}.limit_id")
    where = f"{where}[{name}]"
    shape = _str(t["key"], f"{where}.key")
    if shape not in KEY_SHAPES:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=f"{where}.key", expected=" | ".join(KEY_SHAPES), got=shape
        )
    needs = {
        "bare": (),
        "asset": ("target",),
        "asset_destination": ("target", "destination"),
        "domain": ("domain",),
    }[shape]
    for field in ("target", "destination", "domain"):
        if (field in t) != (field in needs):
            code = ErrorCode.MISSING_FIELD if field in needs else ErrorCode.UNKNOWN_FIELD
            raise ProtocolError(code, kind=f"{where} ({shape} key)", fields=field)
    unit = _str(t["unit"], f"{where}.unit")
    if unit not in units:
        raise ProtocolError(
            ErrorCode.INVALID_ID, field=f"{where}.unit", value=unit, reason="not in [units]"
        )
    decimals = units[unit]
    scale = 10**decimals
    max_amount = _amount(t["max"], f"{where}.max", scale)
    slope_per_day = _amount(t["slope_per_day"], f"{where}.slope_per_day", scale)
    if slope_per_day is None and max_amount not in (None, 0):
        # An unlimited slope only makes sense on an unlimited or disabled key.
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE,
            field=f"{where}.slope_per_day",
            value="unlimited",
            min=0,
            max=UINT256_MAX // scale,
        )
    unlimited = max_amount is None
    recharge = t.get("recharge_per_day")
    return RateLimitSpec(
        name=name,
        limit_id=limit_id,
        key_shape=shape,
        target=_str(t["target"], f"{where}.target") if "target" in t else None,
        destination=_str(t["destination"], f"{where}.destination") if "destination" in t else None,
        domain=_int(t["domain"], f"{where}.domain", 0, 2**32 - 1) if "domain" in t else None,
        unit=unit,
        decimals=decimals,
        max_amount=UNLIMITED if max_amount is None else max_amount,
        # Unlimited keys carry slope 0 (setUnlimitedRateLimitData); a zero max disables the
        # key whatever the slope, so "0 / Unlimited" is stored as 0 / 0.
        slope_per_s=0 if unlimited or slope_per_day is None else slope_per_day // SECONDS_PER_DAY,
        unlimited=unlimited,
        max_slippage_bps=(
            _int(t["max_slippage_bps"], f"{where}.max_slippage_bps", 0, _BPS_MAX)
            if "max_slippage_bps" in t
            else None
        ),
        recharge_per_s=(
            _int(recharge, f"{where}.recharge_per_day", 0, UINT256_MAX // 10**18)
            * 10**18
            // SECONDS_PER_DAY
            if recharge is not None
            else None
        ),
        source=_str(t["source"], f"{where}.source") if "source" in t else default_source,
    )


_INSTANCE_REQUIRED: Final = {"name", "chain", "protocol", "source", "rate_limits"}
_INSTANCE_OPTIONAL: Final = {"history", "token", "underlying"}
_HISTORY_FIELDS: Final = {"as_of", "max_exposure_usd", "capital_ratio_bps", "source"}


def _address(value: object, field: str) -> Address:
    text = _str(value, field)
    if len(text) != 42 or not text.startswith("0x"):
        raise ProtocolError(ErrorCode.INVALID_ID, field=field, value=text, reason="not an address")
    try:
        bytes.fromhex(text[2:])
    except ValueError as exc:
        raise ProtocolError(
            ErrorCode.INVALID_ID, field=field, value=text, reason="not an address"
        ) from exc
    return Address(text.lower())


def _instance(
    raw: object, units: Mapping[str, int], as_of: datetime.date | None
) -> SllInstanceLimits | None:
    t = _table(raw, "instance", _INSTANCE_REQUIRED, _INSTANCE_OPTIONAL)
    name = _str(t["name"], "instance.name")
    where = f"instance[{name}]"
    source = _str(t["source"], f"{where}.source")
    raw_limits = t["rate_limits"]
    if not isinstance(raw_limits, list):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE,
            field=f"{where}.rate_limits",
            expected="array",
            got=type(raw_limits).__name__,
        )
    specs = tuple(_spec(r, f"{where}.rate_limits", units, source) for r in raw_limits)
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ProtocolError(
            ErrorCode.INVALID_ID, field=f"{where}.rate_limits", value=names, reason="duplicate name"
        )
    exposure: int | None = None
    ratio: int | None = None
    history = t.get("history", [])
    if not isinstance(history, list):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE,
            field=f"{where}.history",
            expected="array",
            got=type(history).__name__,
        )
    dates: list[datetime.date] = []
    for i, h in enumerate(history):
        e = _table(h, f"{where}.history[{i}]", _HISTORY_FIELDS, set())
        d = _date(e["as_of"], f"{where}.history[{i}].as_of")
        if dates and d <= dates[-1]:
            raise ProtocolError(
                ErrorCode.VALUE_OUT_OF_RANGE,
                field=f"{where}.history[{i}].as_of",
                value=d.isoformat(),
                min=f"after {dates[-1].isoformat()}",
                max="-",
            )
        dates.append(d)
        e_exposure = _int(
            e["max_exposure_usd"], f"{where}.history[{i}].max_exposure_usd", 0, 10**15
        )
        e_ratio = _int(
            e["capital_ratio_bps"], f"{where}.history[{i}].capital_ratio_bps", 0, _BPS_MAX
        )
        _str(e["source"], f"{where}.history[{i}].source")
        if as_of is None or d <= as_of:
            exposure, ratio = e_exposure, e_ratio
    if dates and as_of is not None and as_of < dates[0]:
        return None  # not yet added at that date
    return SllInstanceLimits(
        name=name,
        chain=_str(t["chain"], f"{where}.chain"),
        protocol=_str(t["protocol"], f"{where}.protocol"),
        source=source,
        rate_limits=specs,
        max_exposure_usd=exposure,
        capital_ratio_bps=ratio,
        token=_address(t["token"], f"{where}.token") if "token" in t else None,
        underlying=_address(t["underlying"], f"{where}.underlying") if "underlying" in t else None,
    )


def _global(raw: object) -> SllGlobalParams:
    fields = {f.name for f in dataclasses.fields(SllGlobalParams)}
    t = _table(raw, "global", fields, set())
    thresholds = {f for f in fields if f.endswith("_threshold")}
    values: dict[str, Any] = {"source": _str(t["source"], "global.source")}
    for f in sorted(fields - thresholds - {"source"}):
        hi = 10**7 if f.endswith("_bps") else 10**15
        values[f] = _int(t[f], f"global.{f}", 0, hi)
    for f in sorted(thresholds):
        values[f] = _threshold(t[f], f"global.{f}")
    params = SllGlobalParams(**values)
    if params.encumbrance_ratio_max_bps > params.breach_low_from_bps:
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE,
            field="global.encumbrance_ratio_max_bps",
            value=params.encumbrance_ratio_max_bps,
            min=0,
            max=params.breach_low_from_bps,
        )
    if params.breach_low_from_bps > params.breach_high_above_bps:
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE,
            field="global.breach_high_above_bps",
            value=params.breach_high_above_bps,
            min=params.breach_low_from_bps,
            max=10**7,
        )
    if params.penalty_min_apy_bps > params.penalty_max_apy_bps:
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE,
            field="global.penalty_max_apy_bps",
            value=params.penalty_max_apy_bps,
            min=params.penalty_min_apy_bps,
            max=10**7,
        )
    return params


def load_sll_limits(data: Mapping[str, Any], as_of: datetime.date | None = None) -> SllLimits:
    """Validate parsed TOML (`tomllib.loads`) and build the limits in force at `as_of`."""
    top = _table(data, "sll_limits", {"meta", "units", "global", "instance"}, set())
    meta = _table(top["meta"], "meta", {"repo", "snapshot", "snapshot_date"}, set())
    units_raw = top["units"]
    if not isinstance(units_raw, Mapping):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field="units", expected="table", got=type(units_raw).__name__
        )
    units = {
        _str(k, "units"): _int(v, f"units.{k}", 0, _MAX_DECIMALS) for k, v in units_raw.items()
    }
    if as_of is not None:
        _date(as_of, "as_of")
    raw_instances = top["instance"]
    if not isinstance(raw_instances, list):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE,
            field="instance",
            expected="array",
            got=type(raw_instances).__name__,
        )
    instances = tuple(
        inst for r in raw_instances if (inst := _instance(r, units, as_of)) is not None
    )
    names = [i.name for i in instances]
    if len(set(names)) != len(names):
        raise ProtocolError(
            ErrorCode.INVALID_ID, field="instance", value=names, reason="duplicate name"
        )
    return SllLimits(
        as_of=as_of,
        repo=_str(meta["repo"], "meta.repo"),
        snapshot=_str(meta["snapshot"], "meta.snapshot"),
        snapshot_date=_date(meta["snapshot_date"], "meta.snapshot_date"),
        global_params=_global(top["global"]),
        instances=instances,
    )


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
