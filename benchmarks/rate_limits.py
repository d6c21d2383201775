"""RateLimits throughput: get_current_rate_limit and both triggers, against bare arithmetic.

The baseline is the bucket formula on plain ints with no key check, no role check, no uint256
checks, no undo log and no event (`min(slope * elapsed + last, max)`, then the write); the
ratio is what contract fidelity and all-or-nothing writes cost per call.

Run: .venv/bin/python benchmarks/rate_limits.py
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

from sparkprime.core.clock import Clock
from sparkprime.protocols.liquidity_layer.rate_limits import CONTROLLER, RateLimits
from sparkprime.protocols.sparklend.addresses import make_addr

KEY = "0x" + "11" * 32
MAX = 5_000_000 * 10**6
SLOPE = MAX // 86_400


def _setup() -> tuple[RateLimits, Clock]:
    clock = Clock(start_ts_s=1_000_000)
    admin, controller = make_addr("admin"), make_addr("controller")
    limits = RateLimits(admin, clock=clock)
    limits.grant_role(CONTROLLER, controller, sender=admin)
    limits.set_rate_limit_data(KEY, MAX, SLOPE, MAX // 2, clock.now - 10, sender=admin)
    return limits, clock


def _cases() -> list[tuple[str, Callable[[], int], Callable[[], int]]]:
    limits, clock = _setup()
    controller = make_addr("controller")
    now = clock.now
    bare: dict[str, int] = {"last": MAX // 2, "updated": now - 10}

    def bare_current() -> int:
        return min(SLOPE * (now - bare["updated"]) + bare["last"], MAX)

    def bare_decrease() -> int:
        new = bare_current() - 1
        bare["last"], bare["updated"] = new, now
        return new

    def bare_increase() -> int:
        new = min(bare_current() + 1, MAX)
        bare["last"], bare["updated"] = new, now
        return new

    def checked_decrease() -> int:
        return limits.trigger_rate_limit_decrease(KEY, 1, sender=controller)

    def checked_increase() -> int:
        return limits.trigger_rate_limit_increase(KEY, 1, sender=controller)

    return [
        ("get_current_rate_limit", lambda: limits.get_current_rate_limit(KEY), bare_current),
        ("trigger_decrease", checked_decrease, bare_decrease),
        ("trigger_increase", checked_increase, bare_increase),
    ]


def _per_second(fn: Callable[[], int]) -> float:
    timer = timeit.Timer(fn)
    loops, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=loops))
    return loops / best


def main() -> None:
    print(f"{'operation':24} {'RateLimits ops/s':>17} {'bare ops/s':>12} {'ratio':>8}")
    for i in range(len(_cases())):
        name, checked, bare = _cases()[i]  # fresh state for each operation
        if checked() != bare():  # same answer from the same state, or the ratio means nothing
            raise SystemExit(f"{name}: RateLimits and bare disagree")
        fast, base = _per_second(checked), _per_second(bare)
        print(f"{name:24} {fast:17,.0f} {base:12,.0f} {fast / base:7.2f}x")


if __name__ == "__main__":
    main()
