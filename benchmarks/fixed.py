"""Exact math throughput: checked contract-exact functions against the bare expression.

The baseline is the same arithmetic with no input checks and no overflow checks (what a
careless port would write); the ratio is what exactness and clear errors cost per call.

Run: .venv/bin/python benchmarks/fixed.py
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

from sparkprime.core.fixed import (
    HALF_RAY,
    HALF_WAD,
    RAY,
    WAD,
    Rounding,
    mul_div,
    ray_div,
    ray_mul,
    wad_mul,
)
from sparkprime.core.rpow import rpow

A = 123_456_789 * 10**18
B = 1_000_000_001_547_125_957_863_212_448  # the 5% DSR per second, as a ray
DAY_S = 86_400


def _bare_rpow(x: int, n: int, base: int) -> int:
    z = base if n % 2 == 0 else x
    half = base // 2
    n //= 2
    while n:
        x = (x * x + half) // base
        if n % 2:
            z = (z * x + half) // base
        n //= 2
    return z


CASES: list[tuple[str, Callable[[], int], Callable[[], int]]] = [
    ("wad_mul", lambda: wad_mul(A, WAD + 7), lambda: (A * (WAD + 7) + HALF_WAD) // WAD),
    ("ray_mul", lambda: ray_mul(A, B), lambda: (A * B + HALF_RAY) // RAY),
    ("ray_div", lambda: ray_div(A, B), lambda: (A * RAY + B // 2) // B),
    (
        "mul_div (ceil)",
        lambda: mul_div(A, B, RAY, rounding=Rounding.CEIL),
        lambda: -(-A * B // RAY),
    ),
    ("rpow (1 day)", lambda: rpow(B, DAY_S, RAY), lambda: _bare_rpow(B, DAY_S, RAY)),
]


def _per_second(fn: Callable[[], int]) -> float:
    timer = timeit.Timer(fn)
    loops, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=loops))
    return loops / best


def main() -> None:
    print(f"{'function':16} {'checked calls/s':>16} {'bare calls/s':>14} {'checked/bare':>13}")
    for name, checked, bare in CASES:
        if checked() != bare():  # same answer, or the comparison means nothing
            raise SystemExit(f"{name}: checked and bare disagree")
        fast, base = _per_second(checked), _per_second(bare)
        print(f"{name:16} {fast:16,.0f} {base:14,.0f} {fast / base:12.2f}x")


if __name__ == "__main__":
    main()
