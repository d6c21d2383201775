"""The rates converter `Conv` (sky-ecosystem/rates-conv `src/Conv.sol`, commit 26921f3e): yearly
basis points to the per-second ray rate MCD files (`btor`) and back (`rtob`).

`btor(bps)` reads a table of 5001 rates (0..5000 bps) stored in the contract as `rate - RAY`.
The table is the MCD rates list on IPFS (`QmVp4mhh…`, `script/generate_rates_mapping.py` ->
`RatesMapping.sol` -> `script/generate_conv.py`), which was computed with GNU `bc`:

    bc -l <<< "scale=27; e( l(1 + bps/10000) / (60 * 60 * 24 * 365) )"

bc works in truncated decimal fixed point: `l` and `e` run their series at scale 27 + 6 and
truncate to 27 digits, and the division by a year truncates the logarithm to 27 decimals
(about 18 significant digits at these sizes). The result is NOT the correctly rounded
(1 + bps/10000) ** (1/31536000): it is off by one or two units in the last digit for most
entries (6 bps: the table says ...675, the exact value is ...676.18). This module replays
bc's arithmetic step by step (`_bc_ln`, `_bc_exp`, GNU bc's libmath `l(x)` and `e(x)` with
bc's scale rules), which reproduces the table exactly: checked here against entries 0-230
and 4997-5000 of the deployed hex table, ConvMock's 0-291, and the 5 % and 100 % literals of
the SSR oracle tests (`tests/protocols/savings/test_ssr_bounds.py` keeps a sample).

`rtob(ray)` = round-half-up((rpow(ray, 365 days) - RAY) * 10000 / RAY), with `rpow` the
half-up Maker `rpow`. Reverts: "Conv/bps-too-high" (bps > 5000), "Conv/ray-too-low"
(ray < RAY), both `RATE_CONV_INVALID` with the string as `reason`.

Example:
    >>> Conv().btor(500)
    1000000001547125957863212448
    >>> Conv().rtob(1000000001547125957863212448)
    500
"""

from __future__ import annotations

from functools import cache
from math import isqrt
from typing import Final, Protocol

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.rpow import rpow
from sparkprime.core.uint import UINT256_MAX, check_uint256

__all__ = ["BPS", "MAX_BPS_IN", "YEAR_S", "Conv", "ConvLike", "bc_btor"]

MAX_BPS_IN: Final = 5_000
BPS: Final = 10_000
YEAR_S: Final = 365 * 86_400
_SCALE: Final = 27  # the `scale=27` of the rates script: 27 decimals, the ray


class ConvLike(Protocol):
    """What SP-BEAM calls on its converter."""

    def btor(self, bps: int) -> int:
        """Yearly bps to the per-second ray rate."""
        ...

    def rtob(self, ray: int) -> int:
        """The per-second ray rate to yearly bps."""
        ...


# --- GNU bc arithmetic: a number is (digits, scale), the value digits / 10**scale ---


def _at(v: int, s: int, t: int) -> int:
    """`v / 10**s` with `t` decimals, truncated toward zero (bc drops digits, never rounds)."""
    if t >= s:
        return v * _pow10(t - s)
    q = abs(v) // _pow10(s - t)
    return q if v >= 0 else -q


def _pow10(n: int) -> int:
    return int(10**n)


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    s = max(a[1], b[1])
    return _at(a[0], a[1], s) + _at(b[0], b[1], s), s


def _mul(a: tuple[int, int], b: tuple[int, int], scale: int) -> tuple[int, int]:
    # bc: the product keeps min(sa + sb, max(scale, sa, sb)) decimals
    full = a[1] + b[1]
    t = min(full, max(scale, a[1], b[1]))
    return _at(a[0] * b[0], full, t), t


def _div(a: tuple[int, int], b: tuple[int, int], scale: int) -> tuple[int, int]:
    # bc: the quotient has `scale` decimals, truncated (operands here are positive)
    return (a[0] * 10 ** (scale + b[1])) // (b[0] * 10 ** a[1]), scale


def _bc_ln(x: tuple[int, int], scale: int) -> tuple[int, int]:
    """libmath `l(x)` for x >= 1: halve the log (x = sqrt(x), f *= 2) while x >= 2, then
    f * atanh((x - 1) / (x + 1)) summed at scale + 6, truncated to `scale`. bc's sqrt is
    taken as the truncated root (only x = 2, 100 %, gets there; it matches that literal)."""
    inner = scale + 6
    one, f = (1, 0), 2
    while _at(x[0], x[1], inner) >= 2 * 10**inner:
        f *= 2
        s = max(inner, x[1])
        x = (isqrt(_at(x[0], x[1], 2 * s)), s)
    n = _div(_add(x, (-1, 0)), _add(x, one), inner)
    v, m, i = n, _mul(n, n, inner), 3
    while True:
        n = _mul(n, m, inner)
        e = _div(n, (i, 0), inner)
        if e[0] == 0:
            return _div(_mul(v, (f, 0), inner), one, scale)
        v, i = _add(v, e), i + 2


def _bc_exp(x: tuple[int, int], scale: int) -> tuple[int, int]:
    """libmath `e(x)` for 0 <= x <= 1 (a per-second log rate): the Taylor series at
    6 + scale + .44 * x decimals, then truncated to `scale`."""
    n_scale = _add((6 + scale, 0), _mul((44, 2), x, scale))
    inner = n_scale[0] // 10 ** n_scale[1]
    v, a, d, i = _add((1, 0), x), x, (1, 0), 2
    while True:
        a = _mul(a, x, inner)
        d = _mul(d, (i, 0), inner)
        e = _div(a, d, inner)
        if e[0] == 0:
            return _div(v, (1, 0), scale)
        v, i = _add(v, e), i + 1


@cache
def bc_btor(bps: int) -> int:
    """The MCD rates list entry for `bps` (0..10000, the list's range): bc's
    `e(l(1 + bps/10000) / 31536000)` at scale 27, as a ray."""
    if type(bps) is not int or not 0 <= bps <= BPS:
        raise ProtocolError(ErrorCode.VALUE_OUT_OF_RANGE, field="bps", value=bps, min=0, max=BPS)
    growth = _add(_div((bps, 2), (100, 0), _SCALE), (1, 0))  # "$pct/100 + 1", pct = bps/100
    log_rate = _div(_bc_ln(growth, _SCALE), (YEAR_S, 0), _SCALE)
    digits, scale = _bc_exp(log_rate, _SCALE)
    return _at(digits, scale, _SCALE)


class Conv:
    """The deployed converter: `btor` for 0..MAX_BPS_IN bps, `rtob` for any ray >= RAY."""

    __slots__ = ()

    def btor(self, bps: int) -> int:
        """Yearly `bps` to the per-second ray rate (the table entry)."""
        bps = check_uint256(bps, field="bps")
        if bps > MAX_BPS_IN:
            raise ProtocolError(ErrorCode.RATE_CONV_INVALID, bps=bps, reason="Conv/bps-too-high")
        return bc_btor(bps)

    def rtob(self, ray: int) -> int:
        """The per-second `ray` rate to yearly bps, rounded half up."""
        ray = check_uint256(ray, field="ray")
        if ray < RAY:
            raise ProtocolError(ErrorCode.RATE_CONV_INVALID, ray=ray, reason="Conv/ray-too-low")
        scaled = (rpow(ray, YEAR_S, RAY) - RAY) * BPS + RAY // 2
        if scaled > UINT256_MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="Conv.rtob", ray=ray)
        return scaled // RAY
