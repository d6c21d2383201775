"""Loading a Spark Prime policy from TOML / YAML shaped data, naming the path of any bad field.

Every table is checked for unknown fields (`UNKNOWN_FIELD`), missing ones (`MISSING_FIELD`),
wrong types (`INVALID_TYPE`) and bounds (`VALUE_OUT_OF_RANGE`), each naming the field path,
e.g. `versions[1].groups[3].haircut_long_bps`. Cross-field rules (pegged groups, threshold
order, unique ids) are the records' own (`PRIME_POLICY_INVALID`), re-raised with the path.
USD limits are whole dollars here (`exposure_limit_usd`, `member_limits_usd`, `limit_usd`)
and wad in the records; a missing optional limit means "none". Dates are TOML dates or ISO
strings. Each table may carry a free-text `note` (for example, "a documented choice").

Example:
    >>> try:
    ...     load_policy({"version": "v"})
    ... except ProtocolError as err:
    ...     print(err.code.name)
    MISSING_FIELD
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.policy import (
    BPS,
    WAD,
    AssetGroup,
    Policy,
    PolicyHistory,
    PoolParams,
    RateFloorRule,
    VenueKind,
    VenuePolicy,
)

__all__ = ["load_policy", "load_policy_history"]

_USD_MAX: Final = 10**15
_INT_MAX: Final = 10**12
_T = TypeVar("_T")


def _table(value: object, where: str, required: set[str], optional: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=where, expected="table", got=type(value).__name__
        )
    unknown = sorted(set(value) - required - optional - {"note"})
    if unknown:
        raise ProtocolError(
            ErrorCode.UNKNOWN_FIELD, kind=where, fields=", ".join(f"{where}.{k}" for k in unknown)
        )
    missing = sorted(required - set(value))
    if missing:
        raise ProtocolError(
            ErrorCode.MISSING_FIELD, kind=where, fields=", ".join(f"{where}.{k}" for k in missing)
        )
    if "note" in value:
        _str(value["note"], f"{where}.note")
    return value


def _int(value: object, where: str, lo: int, hi: int) -> int:
    if type(value) is not int:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=where, expected="int", got=type(value).__name__
        )
    if not lo <= value <= hi:
        raise ProtocolError(ErrorCode.VALUE_OUT_OF_RANGE, field=where, value=value, min=lo, max=hi)
    return value


def _bool(value: object, where: str) -> bool:
    if type(value) is not bool:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=where, expected="bool", got=type(value).__name__
        )
    return value


def _str(value: object, where: str) -> str:
    if type(value) is not str or not value.strip():
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=where, expected="non-empty str", got=repr(value)
        )
    return value


def _date(value: object, where: str) -> datetime.date:
    if type(value) is datetime.date:
        return value
    if type(value) is str:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ProtocolError(ErrorCode.INVALID_TYPE, field=where, expected="date", got=repr(value))


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=where, expected="list", got=type(value).__name__
        )
    return list(value)


def _usd(t: Mapping[str, Any], key: str, where: str) -> int | None:
    return None if key not in t else _int(t[key], f"{where}.{key}", 0, _USD_MAX) * WAD


def _build(where: str, make: Callable[[], _T]) -> _T:
    """Run a record's constructor; its own checks come back with the field path."""
    try:
        return make()
    except ProtocolError as err:
        if err.code is not ErrorCode.PRIME_POLICY_INVALID:
            raise
        raise ProtocolError(
            ErrorCode.PRIME_POLICY_INVALID,
            field=f"{where}.{err.context.get('field', '?')}",
            reason=err.context.get("reason", ""),
        ) from err


_GROUP_REQ: Final = {"group_id", "name", "haircut_long_bps", "haircut_short_bps", "pegged"}
_GROUP_OPT: Final = {
    "members",
    "exposure_limit_usd",
    "member_limits_usd",
    "max_share_of_supply_bps",
    "derivatives_only",
}


def _group(raw: object, where: str) -> AssetGroup:
    t = _table(raw, where, _GROUP_REQ | {"members"}, _GROUP_OPT)
    members = tuple(
        _str(s, f"{where}.members[{i}]")
        for i, s in enumerate(_list(t["members"], f"{where}.members"))
    )
    limits: dict[str, int] = {}
    if "member_limits_usd" in t:
        raw_limits = _table(
            t["member_limits_usd"], f"{where}.member_limits_usd", set(), set(members)
        )
        for symbol, value in raw_limits.items():
            if symbol == "note":
                continue
            limits[symbol] = _int(value, f"{where}.member_limits_usd.{symbol}", 0, _USD_MAX) * WAD
    share = t.get("max_share_of_supply_bps")
    return _build(
        where,
        lambda: AssetGroup(
            group_id=_int(t["group_id"], f"{where}.group_id", 1, 10_000),
            name=_str(t["name"], f"{where}.name"),
            haircut_long_bps=_int(t["haircut_long_bps"], f"{where}.haircut_long_bps", 0, BPS),
            haircut_short_bps=_int(t["haircut_short_bps"], f"{where}.haircut_short_bps", 0, BPS),
            pegged=_bool(t["pegged"], f"{where}.pegged"),
            members=members,
            exposure_limit_usd_wad=_usd(t, "exposure_limit_usd", where),
            member_limits_usd_wad=limits,
            max_share_of_supply_bps=(
                None if share is None else _int(share, f"{where}.max_share_of_supply_bps", 1, BPS)
            ),
            derivatives_only=_bool(t.get("derivatives_only", False), f"{where}.derivatives_only"),
        ),
    )


def _venue(raw: object, where: str) -> VenuePolicy:
    t = _table(raw, where, {"name", "kind"}, {"limit_usd"})
    kind = _str(t["kind"], f"{where}.kind")
    if kind not in set(VenueKind):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE,
            field=f"{where}.kind",
            expected=" | ".join(VenueKind),
            got=repr(kind),
        )
    return _build(
        where,
        lambda: VenuePolicy(
            name=_str(t["name"], f"{where}.name"),
            kind=VenueKind(kind),
            limit_usd_wad=_usd(t, "limit_usd", where),
        ),
    )


_POOL_INTS: Final = {
    "margin_call_rf_bps": (1, 100 * BPS),
    "liquidation_rf_bps": (1, 100 * BPS),
    "reduce_only_rf_bps": (1, 100 * BPS),
    "margin_call_cure_s": (0, 365 * 86_400),
    "withdrawal_haircut_bps": (0, BPS - 1),
    "liquidation_fee_bps": (0, BPS),
    "liquidation_extra_haircut_bps": (0, BPS),
}


def _pool(raw: object, where: str) -> PoolParams:
    req = {"pool_id", "borrowed_asset"} | set(_POOL_INTS) - {"liquidation_extra_haircut_bps"}
    t = _table(raw, where, req, {"liquidation_extra_haircut_bps"})
    ints = {k: _int(t[k], f"{where}.{k}", lo, hi) for k, (lo, hi) in _POOL_INTS.items() if k in t}
    return _build(
        where,
        lambda: PoolParams(
            pool_id=_str(t["pool_id"], f"{where}.pool_id"),
            borrowed_asset=_str(t["borrowed_asset"], f"{where}.borrowed_asset"),
            **ints,
        ),
    )


def _floor(raw: object, where: str) -> RateFloorRule:
    t = _table(raw, where, {"effective_from", "ssr_spread_bps", "sofr_spread_bps"}, set())
    return _build(
        where,
        lambda: RateFloorRule(
            effective_from=_date(t["effective_from"], f"{where}.effective_from"),
            ssr_spread_bps=_int(t["ssr_spread_bps"], f"{where}.ssr_spread_bps", -BPS, BPS),
            sofr_spread_bps=_int(t["sofr_spread_bps"], f"{where}.sofr_spread_bps", -BPS, BPS),
        ),
    )


_POLICY_REQ: Final = {
    "version",
    "effective_from",
    "source",
    "groups",
    "venues",
    "pools",
    "eligible_dex_kinds",
    "rate_floors",
}
_POLICY_INTS: Final = {
    "unapproved_haircut_bps": (0, BPS),
    "pt_max_days": (1, 3650),
    "pt_max_liquidity_multiple": (1, 1_000),
    "futures_max_days": (1, 3650),
    "loan_max_fixed_term_s": (0, 3650 * 86_400),
}


def _items(
    t: Mapping[str, Any], key: str, where: str, make: Callable[[object, str], _T]
) -> list[_T]:
    return [make(raw, f"{where}{key}[{i}]") for i, raw in enumerate(_list(t[key], f"{where}{key}"))]


def load_policy(data: Mapping[str, Any], *, where: str = "") -> Policy:
    """Build a `Policy` from one parsed TOML / YAML table (`where` prefixes error paths)."""
    t = _table(data, where.rstrip(".") or "policy", _POLICY_REQ, set(_POLICY_INTS))
    dex = tuple(
        _str(k, f"{where}eligible_dex_kinds[{i}]")
        for i, k in enumerate(_list(t["eligible_dex_kinds"], f"{where}eligible_dex_kinds"))
    )
    ints = {k: _int(t[k], f"{where}{k}", lo, hi) for k, (lo, hi) in _POLICY_INTS.items() if k in t}
    groups = _items(t, "groups", where, _group)
    venues = _items(t, "venues", where, _venue)
    pools = _items(t, "pools", where, _pool)
    floors = _items(t, "rate_floors", where, _floor)
    return _build(
        where.rstrip(".") or "policy",
        lambda: Policy(
            version=_str(t["version"], f"{where}version"),
            effective_from=_date(t["effective_from"], f"{where}effective_from"),
            source=_str(t["source"], f"{where}source"),
            groups=tuple(groups),
            venues=tuple(venues),
            pools=tuple(pools),
            eligible_dex_kinds=frozenset(dex),
            rate_floors=tuple(floors),
            **ints,
        ),
    )


def load_policy_history(data: Mapping[str, Any]) -> PolicyHistory:
    """Build a `PolicyHistory` from `{"versions": [policy, ...]}` (date order)."""
    t = _table(data, "history", {"versions"}, {"meta"})
    versions = [
        load_policy(raw, where=f"versions[{i}].")
        for i, raw in enumerate(_list(t["versions"], "versions"))
    ]
    return _build("history", lambda: PolicyHistory(versions=tuple(versions)))
