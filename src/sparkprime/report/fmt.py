"""How the reports print numbers: exact integer rounding, then text.

USD wad amounts round half away from zero to cents; RF and rates round to a fixed number of
decimals. Floats appear only in charts (`wad_to_float`), never in these strings.

Example:
    >>> usd(1_234_567_891 * 10**16), usd(-5 * 10**15), rf(115 * 10**16), ray_pct(5 * 10**25)
    ('$12,345,678.91', '-$0.01', '1.1500', '5.00%')
    >>> utc(0), utc_short(0)
    ('1970-01-01 00:00:00 UTC', '01-01 00:00')
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

__all__ = ["RAY", "WAD", "ray_pct", "rf", "usd", "utc", "utc_iso", "utc_short", "wad_to_float"]

WAD: Final = 10**18
RAY: Final = 10**27


def _round_div(num: int, den: int) -> int:
    """num / den rounded half away from zero (den > 0)."""
    q, r = divmod(abs(num), den)
    q += 2 * r >= den
    return q if num >= 0 else -q


def usd(amount_usd_wad: int) -> str:
    """A USD wad amount as dollars and cents."""
    cents = _round_div(amount_usd_wad, 10**16)
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def rf(rf_wad: int | None, decimals: int = 4) -> str:
    """An RF (wad) with `decimals` decimals; an em dash for none."""
    if rf_wad is None:
        return "\u2014"
    scaled = _round_div(rf_wad, 10 ** (18 - decimals))
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"


def ray_pct(value_ray: int) -> str:
    """A ray ratio (utilization, an annual rate) as a percentage with two decimals."""
    basis = _round_div(value_ray, 10**23)  # hundredths of a percent
    whole, frac = divmod(abs(basis), 100)
    return f"{'-' if basis < 0 else ''}{whole}.{frac:02d}%"


def utc_iso(ts_s: int) -> str:
    """Unix seconds as an ISO-8601 UTC timestamp (what the charts' date axes read)."""
    return datetime.fromtimestamp(ts_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")


def utc(ts_s: int) -> str:
    """Unix seconds as a readable UTC time."""
    return datetime.fromtimestamp(ts_s, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def utc_short(ts_s: int) -> str:
    """Unix seconds as a short UTC time for narrow tables: month-day hour:minute."""
    return datetime.fromtimestamp(ts_s, tz=UTC).strftime("%m-%d %H:%M")


def wad_to_float(value: int, unit: int = WAD) -> float:
    """A fixed-point int as a float, for plotting only."""
    return value / unit
