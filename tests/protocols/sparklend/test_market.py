"""The journaled SparkLend market: commands through the Ledger, replay to the same state."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.rng import Rng
from sparkprime.core.uint import UINT256_MAX
from sparkprime.ledger import Ledger, MemoryJournalStore, SqlJournalStore
from sparkprime.protocols.sparklend import market_commands as mc
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.market import POOL_ADDRESS, SparkLendMarket
from sparkprime.protocols.sparklend.market_rates import (
    RateInputKind,
    RateInputSpec,
    StrategyKind,
    StrategySpec,
)

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
START_TS_S = 1_700_000_000
ADMIN = make_addr("admin")
TREASURY = make_addr("treasury")
USDC, WETH, DAI = make_addr("USDC"), make_addr("WETH"), make_addr("DAI")
USERS = [make_addr(f"user-{i}") for i in range(6)]
SSR_5PCT_RAY = 1_000_000_001_547_125_957_863_212_448  # per-second rate for 5% a year

VARIABLE = StrategySpec(
    kind=StrategyKind.VARIABLE_BORROW,
    optimal_usage_ratio=80 * RAY // 100,
    base_variable_borrow_rate=0,
    variable_rate_slope1=4 * RAY // 100,
    variable_rate_slope2=75 * RAY // 100,
)
KINK_ON_SSR = StrategySpec(
    kind=StrategyKind.RATE_TARGET_KINK,
    optimal_usage_ratio=95 * RAY // 100,
    base_variable_borrow_rate=0,
    variable_rate_slope1=0,
    variable_rate_slope2=15 * RAY // 100,
    rate_source="SSR",
    spread=125 * RAY // 10_000,  # SSR + 1.25% at the kink, as SparkLend's USDC strategy
)


def _listing() -> list[Any]:
    cmds: list[Any] = [
        mc.DefineRateInput(
            spec=RateInputSpec(name="SSR", kind=RateInputKind.SSR), value=SSR_5PCT_RAY
        ),
        mc.DeployToken(address=USDC, symbol="USDC", decimals=6),
        mc.DeployToken(address=WETH, symbol="WETH", decimals=18),
        mc.DeployToken(address=DAI, symbol="DAI", decimals=18),
        mc.InitReserve(asset=USDC, strategy=KINK_ON_SSR, treasury=TREASURY, sender=ADMIN),
        mc.InitReserve(asset=WETH, strategy=VARIABLE, treasury=TREASURY, sender=ADMIN),
        mc.InitReserve(asset=DAI, strategy=VARIABLE, treasury=TREASURY, sender=ADMIN),
        mc.ConfigureReserveAsCollateral(
            asset=WETH,
            ltv=8_000,
            liquidation_threshold=8_250,
            liquidation_bonus=10_500,
            sender=ADMIN,
        ),
        mc.ConfigureReserveAsCollateral(
            asset=DAI,
            ltv=7_500,
            liquidation_threshold=8_000,
            liquidation_bonus=10_500,
            sender=ADMIN,
        ),
        mc.SetReserveFactor(asset=USDC, reserve_factor_bps=1_000, sender=ADMIN),
        mc.SetAssetPrice(asset=USDC, price_usd_e8=1_00000000),
        mc.SetAssetPrice(asset=WETH, price_usd_e8=3_000_00000000),
        mc.SetAssetPrice(asset=DAI, price_usd_e8=1_00000000),
    ]
    for asset in (USDC, WETH, DAI):
        cmds.append(mc.SetReserveBorrowing(asset=asset, enabled=True, sender=ADMIN))
    for user in USERS:
        for asset, amount in ((USDC, 10**6 * 10**6), (WETH, 1_000 * 10**18), (DAI, 10**6 * 10**18)):
            cmds.append(mc.Deal(asset=asset, to=user, amount=amount))
            cmds.append(
                mc.ApproveUnderlying(
                    asset=asset, spender=POOL_ADDRESS, amount=UINT256_MAX, sender=user
                )
            )
    return cmds


def _market_ledger(store: Any) -> Ledger[SparkLendMarket]:
    ledger = Ledger.create(
        store, SparkLendMarket.create(start_ts_s=START_TS_S, admin=ADMIN), paranoid=True
    )
    for cmd in _listing():
        ledger.submit(cmd)
    return ledger


def test_a_market_is_built_and_used_through_commands():
    ledger = _market_ledger(MemoryJournalStore())
    alice, bob = USERS[0], USERS[1]
    ledger.submit(mc.Supply(asset=USDC, amount=100_000 * 10**6, on_behalf_of=alice, sender=alice))
    ledger.submit(mc.Supply(asset=WETH, amount=10 * 10**18, on_behalf_of=bob, sender=bob))
    ledger.submit(
        mc.Borrow(
            asset=USDC, amount=20_000 * 10**6, interest_rate_mode=2, on_behalf_of=bob, sender=bob
        ),
        ts_s=START_TS_S + 60,
    )
    pool = ledger.machine.pool
    data = pool.get_user_account_data(bob)
    assert data.total_collateral_base == 30_000 * 10**8
    assert data.total_debt_base == 20_000 * 10**8
    # The USDC strategy follows the SSR: at 20% usage the borrow rate is below SSR + 1.25%.
    rate = pool.get_reserve_data(USDC).current_variable_borrow_rate
    assert 0 < rate < (5 * RAY // 100 + 125 * RAY // 10_000)
    repaid = ledger.submit(
        mc.Repay(
            asset=USDC, amount=UINT256_MAX, interest_rate_mode=2, on_behalf_of=bob, sender=bob
        ),
        ts_s=START_TS_S + 86_400,
    )
    assert repaid.result > 20_000 * 10**6  # a day of interest on top


def test_refused_commands_name_the_contract_error_and_change_nothing():
    ledger = _market_ledger(MemoryJournalStore())
    carol = USERS[2]
    before = ledger.state_hash()
    cases = [
        (
            mc.Supply(asset=USDC, amount=0, on_behalf_of=carol, sender=carol),
            ErrorCode.INVALID_AMOUNT,
        ),
        (
            mc.Borrow(asset=USDC, amount=1, interest_rate_mode=2, on_behalf_of=carol, sender=carol),
            ErrorCode.COLLATERAL_BALANCE_IS_ZERO,
        ),
        (
            mc.SetSupplyCap(asset=USDC, supply_cap_tokens=1, sender=carol),
            ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN,
        ),
        (mc.Supply(asset=make_addr("nothing"), amount=1, on_behalf_of=carol, sender=carol), None),
        (
            mc.SetReserveFlag(asset=USDC, flag="sideways", value=True, sender=ADMIN),
            ErrorCode.INVALID_ID,
        ),
        (mc.SetRateInput(name="DSR", value=RAY), ErrorCode.INVALID_ID),
    ]
    for cmd, code in cases:
        with pytest.raises(ProtocolError) as info:
            ledger.submit(cmd)
        if code is not None:
            assert info.value.code is code, (cmd, info.value)
        assert ledger.state_hash() == before
    assert sum(1 for _ in ledger.entries()) == len(_listing())


def test_bad_input_never_reaches_the_market():
    with pytest.raises(ProtocolError) as info:
        mc.Supply(asset=Address("USDC"), amount=1, on_behalf_of=USERS[0], sender=USERS[0])
    assert info.value.code is ErrorCode.INVALID_ID
    with pytest.raises(ProtocolError) as info:
        mc.Supply(asset=USDC, amount=-1, on_behalf_of=USERS[0], sender=USERS[0])
    assert info.value.code is ErrorCode.VALUE_OUT_OF_RANGE


_UNIT = {USDC: 10**6, WETH: 10**18, DAI: 10**18}
_USD_PER_UNIT_GUESS = {USDC: 1, WETH: 3_000, DAI: 1}  # sizing only; the oracle moves WETH


def _random_command(rng: Rng) -> Any:
    user = rng.choice(USERS)
    asset = rng.choice([USDC, WETH, DAI])
    usd = rng.randint(0, 200_000) // rng.choice([1, 10, 1_000])
    amount = usd * _UNIT[asset] // _USD_PER_UNIT_GUESS[asset]
    roll = rng.randint(0, 99)
    if roll < 28:
        return mc.Supply(asset=asset, amount=amount, on_behalf_of=user, sender=user)
    if roll < 48:
        debt = rng.choice([USDC, DAI])  # borrow stables against WETH, the collateral that moves
        size = rng.randint(0, 100_000) * _UNIT[debt]
        return mc.Borrow(
            asset=debt, amount=size, interest_rate_mode=2, on_behalf_of=user, sender=user
        )
    if roll < 60:
        repay = UINT256_MAX if rng.randint(0, 3) == 0 else amount // 4
        return mc.Repay(
            asset=asset, amount=repay, interest_rate_mode=2, on_behalf_of=user, sender=user
        )
    if roll < 70:
        out = UINT256_MAX if rng.randint(0, 3) == 0 else amount // 5
        return mc.Withdraw(asset=asset, amount=out, to=user, sender=user)
    if roll < 80:
        price = rng.randint(300, 4_500) * 10**8  # crashes make borrowers liquidatable
        return mc.SetAssetPrice(asset=WETH, price_usd_e8=price)
    if roll < 84:
        return mc.SetUserUseReserveAsCollateral(
            asset=asset, use_as_collateral=rng.randint(0, 1) == 1, sender=user
        )
    if roll < 87:
        return mc.SetRateInput(name="SSR", value=RAY + rng.randint(0, 3_000_000_000))
    if roll < 89:
        return mc.MintToTreasury(assets=(USDC, WETH, DAI))
    if roll < 98:
        return mc.LiquidationCall(
            collateral_asset=WETH,
            debt_asset=rng.choice([USDC, DAI]),
            user=rng.choice(USERS),
            debt_to_cover=UINT256_MAX if rng.randint(0, 1) else amount,
            receive_a_token=rng.randint(0, 1) == 1,
            sender=user,
        )
    return mc.TransferAToken(asset=asset, to=rng.choice(USERS), amount=amount // 50, sender=user)


def test_a_long_random_run_replays_to_the_same_state_hash(tmp_path: Path):
    path = tmp_path / "market.db"
    ledger = _market_ledger(SqlJournalStore.sqlite(str(path)))
    rng = Rng(20_261_121)
    ts_s = START_TS_S
    accepted = refused = liquidations = 0
    for step in range(400 * FUZZ):
        ts_s += rng.randint(0, 7_200)
        cmd = _random_command(rng)
        try:
            ledger.submit(cmd, idempotency_key=f"step-{step}", ts_s=ts_s)
            accepted += 1
            liquidations += isinstance(cmd, mc.LiquidationCall)
        except ProtocolError:
            refused += 1
        if step % 97 == 96:
            ledger.snapshot()
    assert accepted > 100, accepted  # the mix exercises both paths
    assert refused > 20, refused
    assert liquidations > 3, liquidations  # crashes made some borrowers liquidatable
    expected = ledger.state_hash()
    head = ledger.head_seq
    ledger.close()
    from_snapshot = Ledger.open(SqlJournalStore.sqlite(str(path)), SparkLendMarket)
    from_genesis = Ledger.open(
        SqlJournalStore.sqlite(str(path)), SparkLendMarket, use_snapshots=False
    )
    assert from_snapshot.head_seq == from_genesis.head_seq == head
    assert from_snapshot.state_hash() == from_genesis.state_hash() == expected
    from_snapshot.close()
    from_genesis.close()


def test_snapshot_round_trip_keeps_rate_target_strategies_live():
    ledger = _market_ledger(MemoryJournalStore())
    market = ledger.machine
    back = SparkLendMarket.restore(market.snapshot())
    assert back.state_hash() == market.state_hash()
    # The restored USDC strategy still reads the live SSR input.
    strategy = back.pool.get_reserve_data(USDC).interest_rate_strategy
    slope1_before = strategy.get_variable_rate_slope1()  # type: ignore[attr-defined]
    back.apply(mc.SetRateInput(name="SSR", value=RAY))  # SSR 0%
    assert strategy.get_variable_rate_slope1() == 125 * RAY // 10_000  # type: ignore[attr-defined]
    assert slope1_before > 125 * RAY // 10_000
