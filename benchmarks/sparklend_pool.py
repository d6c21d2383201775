"""SparkLend Pool throughput: a supply / borrow / repay mix on 10 reserves and 1,000 users.

Every user starts with three supplied collaterals; each action picks a user and a reserve at
random (seeded): 40% supplies, 30% borrows, 30% repays (a borrow instead when the user owes
nothing there). Time advances 12 s every 100 actions, so most actions accrue interest. The
baseline is the same loop calling a no-op, to show the harness's own cost. The target is
20,000 actions/s on one core.

Run: .venv/bin/python benchmarks/sparklend_pool.py [--actions N]
"""

from __future__ import annotations

import argparse
import random
import time

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend.acl import Acl
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.configuration import ReserveConfigurationMap
from sparkprime.protocols.sparklend.oracle import SimplePriceOracle
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.rate_strategies import VariableBorrowInterestRateStrategy

MAX = 2**256 - 1
RESERVES = 10
USERS = 1_000


def build(seed: int) -> tuple[Pool, list[Erc20], list[Address]]:
    clock = Clock(1_700_000_000)
    registry = TokenRegistry()
    oracle = SimplePriceOracle()
    configurator = make_addr("bench/configurator")
    pool = Pool(
        address=make_addr("bench/pool"),
        clock=clock,
        oracle=oracle,
        acl=Acl(admin=make_addr("bench/admin")),
        configurator=configurator,
        registry=registry,
    )
    tokens = []
    for i in range(RESERVES):
        token = registry.register(Erc20(make_addr(f"bench/token{i}"), f"T{i}", 18))
        a, s, v = pool.deploy_reserve_tokens(token.address, treasury=make_addr("bench/treasury"))
        strategy = VariableBorrowInterestRateStrategy(
            optimal_usage_ratio=8 * RAY // 10,
            base_variable_borrow_rate=RAY // 100,
            variable_rate_slope1=4 * RAY // 100,
            variable_rate_slope2=RAY,
        )
        pool.init_reserve(token.address, a, s, v, strategy, sender=configurator)
        config = (
            ReserveConfigurationMap()
            .set_decimals(18)
            .set_active(True)
            .set_reserve_factor(10_00)
            .set_ltv(75_00)
            .set_liquidation_threshold(80_00)
            .set_liquidation_bonus(105_00)
            .set_borrowing_enabled(True)
        )
        pool.set_configuration(token.address, config, sender=configurator)
        oracle.set_asset_price(token.address, 10**8)
        tokens.append(token)
    users = [make_addr(f"bench/user{i}") for i in range(USERS)]
    rng = random.Random(seed)
    for user in users:
        for token in tokens:
            token.mint(user, 10**30)
            token.approve(pool.address, MAX, sender=user)
        for token in rng.sample(tokens, 3):
            pool.supply(token.address, 10**21, user, 0, sender=user)
    return pool, tokens, users


def run(pool: Pool, tokens: list[Erc20], users: list[Address], actions: int, seed: int) -> int:
    rng = random.Random(seed)
    plan = [(rng.random(), rng.choice(users), rng.choice(tokens)) for _ in range(actions)]
    clock = pool.clock
    rejected = 0
    for i, (k, user, token) in enumerate(plan):
        if i % 100 == 0:
            clock.skip(12)
        asset = token.address
        try:
            if k < 0.4:
                pool.supply(asset, 10**18, user, 0, sender=user)
            elif k < 0.7 or not pool.variable_debt_token(asset).scaled_balance_of(user):
                pool.borrow(asset, 10**17, 2, 0, user, sender=user)
            else:
                pool.repay(asset, 10**17, 2, user, sender=user)
        except ProtocolError:
            rejected += 1
    return rejected


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=20_000)
    args = parser.parse_args()
    pool, tokens, users = build(seed=1)
    start = time.perf_counter()
    rejected = run(pool, tokens, users, args.actions, seed=2)
    elapsed = time.perf_counter() - start
    baseline_start = time.perf_counter()
    for _ in range(args.actions):
        pass
    baseline = time.perf_counter() - baseline_start
    rate = args.actions / elapsed
    print(f"sparklend pool: {rate:,.0f} actions/s ({args.actions} actions, {rejected} rejected)")
    print(f"target 20,000 actions/s: {'met' if rate >= 20_000 else 'NOT met'}")
    print(f"harness loop alone: {args.actions / baseline:,.0f} iterations/s")


if __name__ == "__main__":
    main()
