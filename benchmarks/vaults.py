"""Savings vault throughput: sUSDS deposit + redeem, SparkVault deposit + withdraw, spPRIME
request + process (deposit and redeem), against the bare integer arithmetic of the same formula.

Each pair is one exact, all-or-nothing model call pair (input checks, accrual, token moves
through the undo log, the contract's revert checks) timed against the bare expression of the
share math it does (`assets * RAY // chi` and back), measured in the same process. One second
passes between pairs, so every call drips. The ratio is what exactness, atomicity and the
contract's guards cost per operation.

Run: .venv/bin/python benchmarks/vaults.py [--ops N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from sparkprime.core.clock import Clock
from sparkprime.core.fixed import RAY
from sparkprime.core.rpow import rpow
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.savings.spark_vault import MAX_VSR, SETTER_ROLE, TAKER_ROLE, SparkVault
from sparkprime.protocols.savings.spprime import REBALANCER_ROLE, SparkPrimeVault
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.sparklend.addresses import make_addr

MAX = 2**256 - 1
RATE = 1000000001547125957863212448  # 5% APY per second (ray)
E6 = 10**6
ADMIN, USER = make_addr("admin"), make_addr("user")


def _susds(n: int) -> Callable[[], None]:
    reg = TokenRegistry()
    usds = reg.register(Erc20(make_addr("USDS"), "USDS", 18))
    clock = Clock(1_700_000_000)
    vault = SUsds(usds, clock, atomic=reg.atomic, ward=ADMIN)
    vault.drip()
    vault.file("ssr", RATE, sender=ADMIN)
    usds.mint(USER, 10**30)
    usds.approve(vault.address, MAX, sender=USER)

    def run() -> None:
        for _ in range(n):
            clock.skip(1)
            shares = vault.deposit(1000 * 10**18, USER, sender=USER)
            vault.redeem(shares, USER, USER, sender=USER)

    return run


def _spark_vault(n: int) -> Callable[[], None]:
    reg = TokenRegistry()
    usdc = reg.register(Erc20(make_addr("USDC"), "USDC", 6))
    clock = Clock(1_700_000_000)
    vault = SparkVault(usdc, clock, atomic=reg.atomic, admin=ADMIN)
    vault.set_deposit_cap(MAX, sender=ADMIN)
    vault.set_vsr_bounds(RAY, MAX_VSR, sender=ADMIN)
    vault.grant_role(SETTER_ROLE, ADMIN, sender=ADMIN)
    vault.set_vsr(RATE, sender=ADMIN)
    usdc.mint(USER, 10**18)
    usdc.mint(vault.address, 10**15)  # liquidity for the interest
    usdc.approve(vault.address, MAX, sender=USER)

    def run() -> None:
        for _ in range(n):
            clock.skip(1)
            vault.deposit(1000 * E6, USER, sender=USER)
            vault.withdraw(999 * E6, USER, USER, sender=USER)  # 1000 would need 1 share more

    return run


def _spprime(n: int) -> Callable[[], None]:
    reg = TokenRegistry()
    usdc = reg.register(Erc20(make_addr("USDC"), "USDC", 6))
    clock = Clock(1_700_000_000)
    spusdc = SparkVault(usdc, clock, atomic=reg.atomic, admin=ADMIN)
    spusdc.set_deposit_cap(MAX, sender=ADMIN)
    vault = SparkPrimeVault(usdc, spusdc, clock, atomic=reg.atomic, admin=ADMIN)
    vault.grant_role(REBALANCER_ROLE, ADMIN, sender=ADMIN)
    vault.grant_role(TAKER_ROLE, ADMIN, sender=ADMIN)
    vault.set_vsr_bounds(RAY, MAX_VSR, sender=ADMIN)
    vault.grant_role(SETTER_ROLE, ADMIN, sender=ADMIN)
    vault.set_vsr(RATE, sender=ADMIN)
    usdc.mint(USER, 10**18)
    usdc.approve(vault.address, MAX, sender=USER)
    vault.request_deposit(10**9 * E6, USER, sender=USER)  # capacity is 0: all queued

    def run() -> None:
        for _ in range(n):
            clock.skip(1)
            # Queued deposit, then filled; redeem request, paid at once from the sleeve.
            vault.set_capacity(vault.total_supply + 1000 * E6, sender=ADMIN)
            vault.request_deposit(1000 * E6, USER, sender=USER)
            vault.process_deposit_queue(1000 * E6, sender=ADMIN)
            vault.request_redeem(500 * E6, USER, sender=USER)
            vault.process_redeem_queue(MAX, sender=USER)

    return run


def _bare(n: int) -> Callable[[], None]:
    """Two conversions (in and out) at a chi grown for one second, per pair, no checks."""
    step = rpow(RATE, 1, RAY)

    def run() -> None:
        chi = RAY
        for _ in range(n):
            chi = step * chi // RAY
            shares = 1000 * 10**18 * RAY // chi
            _ = shares * chi // RAY

    return run


def _ops_per_s(make: Callable[[int], Callable[[], None]], n: int, per_pair: int) -> float:
    best = float("inf")
    for _ in range(3):
        run = make(n)
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return n * per_pair / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=5_000, help="operation pairs per case")
    n = parser.parse_args().ops
    bare = _ops_per_s(_bare, n, 2)
    cases = [
        ("sUSDS deposit + redeem", _susds, 2),
        ("SparkVault deposit + withdraw", _spark_vault, 2),
        ("spPRIME request + process (x2)", _spprime, 4),
    ]
    print(f"{'case':32} {'ops/s':>12} {'bare ops/s':>14} {'model/bare':>11}")
    for name, make, per_pair in cases:
        fast = _ops_per_s(make, n, per_pair)
        print(f"{name:32} {fast:12,.0f} {bare:14,.0f} {fast / bare:10.3f}x")


if __name__ == "__main__":
    main()
