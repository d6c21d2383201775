"""A Pool with its real PoolConfigurator, for the configurator and periphery suites.

`Market` wires a Pool, an ACL with the usual admins (pool, emergency, risk, asset listing)
and a `PoolConfigurator`, and lists reserves through the configurator the way a deployment
script does (`init_reserves`, then collateral, borrowing, reserve factor...).

- `aave_test_market()`: aave-v3-core's hardhat test market (@aave/deploy-v3 `markets/test`
  reservesConfigs) for the reserves the ported specs touch: WETH 8000/8250/10500 RF 10%,
  DAI 7500/8000/10500 RF 10%, USDC (6 decimals) 8000/8500/10500 RF 10%, all three with
  borrowing and stable borrowing on and flash loans on; AAVE 5000/6500/11000, RF 0, not
  borrowable. Prices are USD with 8 decimals (WETH 4000, DAI and USDC 1, AAVE 300): the
  ported eMode tests compare before/after values, so they do not depend on them.
- `sparklend_test_market()`: sparklend-testing's SparkLendTestBase: two 18-decimal reserves
  COLL and BRRW at 1 USD on the 80% / 5% / 2% / 30% strategy, timestamp 1.

`fingerprint()` captures everything a configurator call may change (every listed reserve's
configuration bitmap and stored data, eMode categories, flash-loan premiums, the reserve
list and count); `assert_rejected()` runs a call that must fail and checks that none of it
moved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend.acl import ASSET_LISTING_ADMIN, Acl
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.oracle import SimplePriceOracle
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.pool_configurator import InitReserveInput, PoolConfigurator
from sparkprime.protocols.sparklend.rate_strategies import (
    ReserveInterestRateStrategy,
    VariableBorrowInterestRateStrategy,
)

MAX_UINT256 = 2**256 - 1


def strategy(
    optimal: int = 8 * RAY // 10,
    base: int = 5 * RAY // 100,
    slope1: int = 2 * RAY // 100,
    slope2: int = 30 * RAY // 100,
) -> VariableBorrowInterestRateStrategy:
    """A variable-rate strategy (defaults: SparkLendTestBase's 80% / 5% / 2% / 30%)."""
    return VariableBorrowInterestRateStrategy(
        optimal_usage_ratio=optimal,
        base_variable_borrow_rate=base,
        variable_rate_slope1=slope1,
        variable_rate_slope2=slope2,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReserveParams:
    """What a deployment script sets after listing a reserve."""

    ltv: int = 0
    liquidation_threshold: int = 0
    liquidation_bonus: int = 0
    reserve_factor: int = 0
    borrowing: bool = False
    stable_borrowing: bool = False
    flash_loans: bool = False
    borrow_cap: int = 0
    supply_cap: int = 0
    liquidation_protocol_fee: int = 0


class Market:
    """Pool + ACL + PoolConfigurator, and the people who use them."""

    def __init__(self, *, start_ts: int = 1) -> None:
        self.deployer = make_addr("deployer")
        self.pool_admin = make_addr("poolAdmin")
        self.emergency_admin = make_addr("emergencyAdmin")
        self.risk_admin = make_addr("riskAdmin")
        self.asset_listing_admin = make_addr("assetListingAdmin")
        self.treasury = make_addr("treasury")
        self.nobody = make_addr("nobody")
        self.users = [make_addr(f"user{i}") for i in range(6)]

        self.clock = Clock(start_ts)
        self.registry = TokenRegistry()
        self.oracle = SimplePriceOracle()
        acl = Acl(admin=self.deployer)
        acl.add_pool_admin(self.pool_admin, sender=self.deployer)
        acl.add_emergency_admin(self.emergency_admin, sender=self.deployer)
        acl.add_risk_admin(self.risk_admin, sender=self.deployer)
        acl.grant_role(ASSET_LISTING_ADMIN, self.asset_listing_admin, sender=self.deployer)
        self.acl = acl
        self.pool = Pool(
            address=make_addr("pool"),
            clock=self.clock,
            oracle=self.oracle,
            acl=acl,
            configurator=make_addr("poolConfigurator"),
            registry=self.registry,
        )
        self.configurator = PoolConfigurator(self.pool)
        self.tokens: dict[str, Erc20] = {}

    # --- listing ---

    def new_token(self, symbol: str, decimals: int = 18) -> Erc20:
        token = Erc20(make_addr(f"token/{symbol}/{len(self.tokens)}"), symbol, decimals)
        self.registry.register(token)
        self.tokens[symbol] = token
        return token

    def list_reserve(
        self,
        symbol: str,
        *,
        decimals: int = 18,
        price: int = 10**8,
        rate_strategy: ReserveInterestRateStrategy | None = None,
        params: ReserveParams | None = None,
    ) -> Address:
        """A new token listed through `init_reserves` and configured like a deploy script."""
        token = self.new_token(symbol, decimals)
        asset = token.address
        admin = self.pool_admin
        c = self.configurator
        c.init_reserves(
            [
                InitReserveInput(
                    underlying_asset=asset,
                    underlying_asset_decimals=decimals,
                    interest_rate_strategy=rate_strategy or strategy(),
                    treasury=self.treasury,
                    symbol=symbol,
                )
            ],
            sender=admin,
        )
        self.oracle.set_asset_price(asset, price)
        p = params or ReserveParams()
        if p.liquidation_threshold:
            c.configure_reserve_as_collateral(
                asset, p.ltv, p.liquidation_threshold, p.liquidation_bonus, sender=admin
            )
        if p.borrowing:
            c.set_reserve_borrowing(asset, True, sender=admin)
        if p.stable_borrowing:
            c.set_reserve_stable_rate_borrowing(asset, True, sender=admin)
        if p.flash_loans:
            c.set_reserve_flash_loaning(asset, True, sender=admin)
        if p.reserve_factor:
            c.set_reserve_factor(asset, p.reserve_factor, sender=admin)
        if p.borrow_cap:
            c.set_borrow_cap(asset, p.borrow_cap, sender=admin)
        if p.supply_cap:
            c.set_supply_cap(asset, p.supply_cap, sender=admin)
        if p.liquidation_protocol_fee:
            c.set_liquidation_protocol_fee(asset, p.liquidation_protocol_fee, sender=admin)
        c.events.clear()
        return asset

    # --- users ---

    def token(self, asset: Address) -> Erc20:
        return self.registry.get(asset)

    def supply(self, user: Address, asset: Address, amount: int) -> None:
        token = self.token(asset)
        token.mint(user, amount)
        token.approve(self.pool.address, MAX_UINT256, sender=user)
        self.pool.supply(asset, amount, user, 0, sender=user)

    def borrow(self, user: Address, asset: Address, amount: int) -> None:
        self.pool.borrow(asset, amount, 2, 0, user, sender=user)

    def repay(self, user: Address, asset: Address, amount: int) -> int:
        token = self.token(asset)
        token.approve(self.pool.address, MAX_UINT256, sender=user)
        return self.pool.repay(asset, amount, 2, user, sender=user)

    def withdraw(self, user: Address, asset: Address, amount: int) -> int:
        return self.pool.withdraw(asset, amount, user, sender=user)

    def config(self, asset: Address) -> Any:
        return self.pool.get_configuration(asset)


def aave_test_market() -> tuple[Market, dict[str, Address]]:
    """aave-v3-core's test market (WETH, DAI, USDC, AAVE), listed by the pool admin."""
    m = Market()
    volatile = strategy(optimal=45 * RAY // 100, base=0, slope1=7 * RAY // 100, slope2=3 * RAY)
    stable = strategy(
        optimal=90 * RAY // 100, base=0, slope1=4 * RAY // 100, slope2=60 * RAY // 100
    )
    assets = {
        "WETH": m.list_reserve(
            "WETH",
            price=4000 * 10**8,
            rate_strategy=volatile,
            params=ReserveParams(
                ltv=8000,
                liquidation_threshold=8250,
                liquidation_bonus=10500,
                reserve_factor=1000,
                borrowing=True,
                stable_borrowing=True,
                flash_loans=True,
                liquidation_protocol_fee=1000,
            ),
        ),
        "DAI": m.list_reserve(
            "DAI",
            rate_strategy=stable,
            params=ReserveParams(
                ltv=7500,
                liquidation_threshold=8000,
                liquidation_bonus=10500,
                reserve_factor=1000,
                borrowing=True,
                stable_borrowing=True,
                flash_loans=True,
                liquidation_protocol_fee=1000,
            ),
        ),
        "USDC": m.list_reserve(
            "USDC",
            decimals=6,
            rate_strategy=stable,
            params=ReserveParams(
                ltv=8000,
                liquidation_threshold=8500,
                liquidation_bonus=10500,
                reserve_factor=1000,
                borrowing=True,
                stable_borrowing=True,
                flash_loans=True,
                liquidation_protocol_fee=1000,
            ),
        ),
        "AAVE": m.list_reserve(
            "AAVE",
            price=300 * 10**8,
            rate_strategy=volatile,
            params=ReserveParams(
                ltv=5000,
                liquidation_threshold=6500,
                liquidation_bonus=11000,
                flash_loans=True,
                liquidation_protocol_fee=1000,
            ),
        ),
    }
    return m, assets


def sparklend_test_market() -> tuple[Market, Address, Address]:
    """SparkLendTestBase: (market, COLL, BRRW), both 18 decimals at 1 USD."""
    m = Market()
    coll = m.list_reserve("COLL")
    brrw = m.list_reserve("BRRW")
    return m, coll, brrw


# --- "nothing changed" checks ---


def fingerprint(market: Market) -> dict[str, Any]:
    """Everything a configurator (or periphery) call may write in the Pool."""
    pool = market.pool
    reserves = {}
    for asset in pool.get_reserves_list():
        data = pool.get_reserve_data(asset)
        reserves[asset] = (
            pool.get_configuration(asset).data,
            data.liquidity_index,
            data.variable_borrow_index,
            data.current_liquidity_rate,
            data.current_variable_borrow_rate,
            data.last_update_timestamp,
            data.accrued_to_treasury,
            data.isolation_mode_total_debt,
            data.interest_rate_strategy,
        )
    return {
        "reserves": reserves,
        "count": pool.get_reserves_count(),
        "emode": {i: pool.get_emode_category_data(i) for i in range(256)},
        "premiums": (pool.FLASHLOAN_PREMIUM_TOTAL(), pool.FLASHLOAN_PREMIUM_TO_PROTOCOL()),
        "acl": market.acl.snapshot(),
        "configurator_events": len(market.configurator.events),
    }


def assert_rejected(
    market: Market,
    code: ErrorCode,
    fn: Callable[..., Any],
    *args: Any,
    reason: str | None = None,
    extra: Callable[[], Any] | None = None,
    **kwargs: Any,
) -> ProtocolError:
    """`fn(*args, **kwargs)` raises `code` (and `reason`, if given) and changes nothing
    in the Pool (nor `extra()`, the caller's own state)."""
    before = fingerprint(market)
    extra_before = extra() if extra is not None else None
    with pytest.raises(ProtocolError) as info:
        fn(*args, **kwargs)
    err = info.value
    assert err.code is code, f"{err.code.name} != {code.name}: {err}"
    if reason is not None:
        assert err.context.get("reason") == reason, err.context
    assert fingerprint(market) == before, "a rejected call changed the Pool"
    if extra is not None:
        assert extra() == extra_before, "a rejected call changed the contract's state"
    return err
