"""SparkLend Pool throughput: a supply / borrow / repay / liquidation mix on 10 reserves and
1,000 users.

Every user starts with three supplied collaterals; the first 200 also borrow 2,000 tokens
of a fourth reserve (HF 1.2). Each action picks a user and a reserve at random (seeded):
36% supplies, 27% borrows, 27% repays (a borrow instead when the user owes nothing there),
10% liquidation calls (10% of a leveraged user's debt against one of their collaterals,
underlying to the liquidator; most fail with HEALTH_FACTOR_NOT_BELOW_THRESHOLD until the
shock). A quarter of the way in, five reserves' prices drop 30%, which puts many leveraged
users under water. Time advances 12 s every 100 actions, so most actions accrue interest.
Then `get_user_account_data` (the health-factor read every margin check makes) is timed
over all users. The figures are printed with their ratio to the 20,000 actions/s target and
to the cost of the same number of `ray_mul` calls measured in the same process (a floor: an
action does dozens of those).

Run: .venv/bin/python benchmarks/sparklend.py [--actions N]
"""

from __future__ import annotations

import argparse
import random
import time
from typing import cast

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ProtocolError
from sparkprime.core.fixed import RAY, ray_mul
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
LEVERAGED = 200
LIQUIDATOR = make_addr("bench/liquidator")


Position = tuple[Address, Erc20, list[Erc20]]  # (user, borrowed token, collaterals)


def build(seed: int) -> tuple[Pool, list[Erc20], list[Address], list[Position]]:
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
    positions: list[Position] = []
    for i, user in enumerate(users):
        for token in tokens:
            token.mint(user, 10**30)
            token.approve(pool.address, MAX, sender=user)
        chosen = rng.sample(tokens, 4)
        for token in chosen[:3]:
            pool.supply(token.address, 10**21, user, 0, sender=user)
        if i < LEVERAGED:
            positions.append((user, chosen[3], chosen[:3]))
    for user, debt, _ in positions:  # HF = 3,000 x 80% / 2,000 = 1.2
        pool.borrow(debt.address, 2 * 10**21, 2, 0, user, sender=user)
    for token in tokens:
        token.mint(LIQUIDATOR, 10**30)
        token.approve(pool.address, MAX, sender=LIQUIDATOR)
    return pool, tokens, users, positions


def run(
    pool: Pool,
    tokens: list[Erc20],
    users: list[Address],
    positions: list[Position],
    *,
    actions: int,
    seed: int,
) -> tuple[int, int]:
    """Returns (rejected actions, liquidations done)."""
    rng = random.Random(seed)
    plan = [
        (
            rng.random(),
            rng.choice(users),
            rng.choice(tokens),
            rng.choice(positions),
            rng.randrange(3),
        )
        for _ in range(actions)
    ]
    clock = pool.clock
    oracle = cast(SimplePriceOracle, pool.oracle)
    rejected = liquidated = 0
    for i, (k, user, token, position, c) in enumerate(plan):
        if i % 100 == 0:
            clock.skip(12)
        if i == actions // 4:  # the shock
            for shocked in tokens[:5]:
                oracle.set_asset_price(shocked.address, 7 * 10**7)
        asset = token.address
        try:
            if k < 0.36:
                pool.supply(asset, 10**18, user, 0, sender=user)
            elif k < 0.9:
                if k < 0.63 or not pool.variable_debt_token(asset).scaled_balance_of(user):
                    pool.borrow(asset, 10**17, 2, 0, user, sender=user)
                else:
                    pool.repay(asset, 10**17, 2, user, sender=user)
            else:
                borrower, debt, collaterals = position
                owed = pool.variable_debt_token(debt.address).balance_of(borrower)
                pool.liquidation_call(
                    collaterals[c].address,
                    debt.address,
                    borrower,
                    owed // 10,
                    False,
                    sender=LIQUIDATOR,
                )
                liquidated += 1
        except ProtocolError:
            rejected += 1
    return rejected, liquidated


def _ray_mul_floor_s(count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        ray_mul(10**27 + i, 10**21)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=20_000)
    args = parser.parse_args()
    pool, tokens, users, positions = build(seed=1)
    start = time.perf_counter()
    rejected, liquidated = run(pool, tokens, users, positions, actions=args.actions, seed=2)
    elapsed = time.perf_counter() - start
    rate = args.actions / elapsed

    start = time.perf_counter()
    for user in users:
        pool.get_user_account_data(user)
    reads = len(users) / (time.perf_counter() - start)
    ray_mul_rate = args.actions / _ray_mul_floor_s(args.actions)

    print(
        f"pool actions:          {rate:10,.0f} /s  ({args.actions} actions, {rejected} rejected, "
        f"{liquidated} liquidations); {rate / 20_000:.2f}x the 20,000/s target; "
        f"1 action = {ray_mul_rate / rate:.0f} ray_mul calls"
    )
    print(
        f"get_user_account_data: {reads:10,.0f} /s  ({len(users)} users, 3-4 reserves each); "
        f"1 call = {ray_mul_rate / reads:.0f} ray_mul calls"
    )


if __name__ == "__main__":
    main()
