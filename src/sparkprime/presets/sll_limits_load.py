"""Loading the Spark Liquidity Layer limits: parse and validate the Atlas data (TOML).

`load_sll_limits(data, as_of)` checks everything in the parsed TOML: unknown fields
(`UNKNOWN_FIELD`), missing ones (`MISSING_FIELD`), wrong types (`INVALID_TYPE`) and bounds
(`VALUE_OUT_OF_RANGE`), converts whole tokens (per day) into base units (per second, rounded
down, as the Spark spells do) and replays each instance's dated `history` up to `as_of`. The
records are in `sll_limits_records`; `sll_limits` is the public face.

Example:
    >>> try:
    ...     load_sll_limits({"meta": {}})
    ... except ProtocolError as exc:
    ...     print(exc.context["fields"])
    global, instance, units
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.presets.sll_limits_records import (
    KEY_SHAPES,
    SECONDS_PER_DAY,
    RateLimitSpec,
    SllGlobalParams,
    SllInstanceLimits,
    SllLimits,
)
from sparkprime.protocols.liquidity_layer.rate_limits import UNLIMITED

__all__ = ["load_sll_limits"]

_BPS_MAX: Final = 10_000
_MAX_DECIMALS: Final = 36


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
