"""A generic Aave-v3-like lending market for the ALM controllers' `depositAave`/`withdrawAave`.

The controllers work with any Aave v3 pool (they call `aToken.POOL()`): SparkLend, Aave Core,
Aave Prime, Aave on an L2. `build_aave_market` lists, on a fresh SparkLend `Pool` (Aave
v3.0.2 code, `protocols.sparklend`) through its real `PoolConfigurator`, one stable reserve
the ALM proxy supplies (USDC or USDS, already on the chain's `TokenRegistry`) and one
collateral that borrowers post to borrow it, each with its own rate strategy. It returns the
pool and the stable reserve's aToken address, the key the controller's Aave rate limits and
`maxSlippages` are set on.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg = TokenRegistry()
    >>> usdc = reg.register(Erc20(make_addr("USDC"), "USDC", 6))
    >>> market = build_aave_market(AaveMarketConfig(name="aave-core"), reg, Clock(1), usdc)
    >>> market.pool.a_token(usdc.address).address == market.a_token
    True
"""

from __future__ import annotations

import dataclasses
from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend.acl import Acl
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.oracle import SimplePriceOracle
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.pool_configurator import InitReserveInput, PoolConfigurator
from sparkprime.protocols.sparklend.rate_strategies import VariableBorrowInterestRateStrategy

__all__ = ["AaveMarket", "AaveMarketConfig", "RateStrategyParams", "build_aave_market"]

USD_E8: Final = 10**8


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RateStrategyParams:
    """A variable-rate strategy (rays): optimal usage, base rate, slopes below and above."""

    optimal_usage_ratio_ray: int = 9 * RAY // 10
    base_rate_ray: int = 0
    slope1_ray: int = 5 * RAY // 100
    slope2_ray: int = 60 * RAY // 100

    def strategy(self) -> VariableBorrowInterestRateStrategy:
        """The SparkLend strategy object."""
        return VariableBorrowInterestRateStrategy(
            optimal_usage_ratio=self.optimal_usage_ratio_ray,
            base_variable_borrow_rate=self.base_rate_ray,
            variable_rate_slope1=self.slope1_ray,
            variable_rate_slope2=self.slope2_ray,
        )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AaveMarketConfig:
    """One market: its name (addresses derive from it), the stable reserve's strategy and
    reserve factor, and the collateral's symbol, price and risk parameters (bps)."""

    name: str
    stable_strategy: RateStrategyParams = RateStrategyParams()
    stable_reserve_factor_bps: int = 10_00
    collateral_symbol: str = "WETH"
    collateral_decimals: int = 18
    collateral_price_usd_e8: int = 3_000 * USD_E8
    collateral_strategy: RateStrategyParams = RateStrategyParams(
        optimal_usage_ratio_ray=8 * RAY // 10, slope1_ray=3 * RAY // 100, slope2_ray=RAY
    )
    collateral_ltv_bps: int = 80_00
    collateral_liquidation_threshold_bps: int = 83_00
    collateral_liquidation_bonus_bps: int = 105_00


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AaveMarket:
    """The built market: pool, configurator, oracle, admin, aToken and collateral token."""

    pool: Pool
    configurator: PoolConfigurator
    oracle: SimplePriceOracle
    admin: Address
    a_token: Address
    collateral: Erc20


def build_aave_market(
    config: AaveMarketConfig, registry: TokenRegistry, clock: Clock, stable: Erc20
) -> AaveMarket:
    """List `stable` (borrowable, not collateral) and a new collateral token on a new pool."""
    name = config.name
    admin, treasury = make_addr(f"{name}/poolAdmin"), make_addr(f"{name}/treasury")
    acl = Acl(admin=admin)
    acl.add_pool_admin(admin, sender=admin)
    oracle = SimplePriceOracle()
    pool = Pool(
        address=make_addr(f"{name}/pool"),
        clock=clock,
        oracle=oracle,
        acl=acl,
        configurator=make_addr(f"{name}/poolConfigurator"),
        registry=registry,
    )
    configurator = PoolConfigurator(pool, acl)
    collateral = registry.register(
        Erc20(
            make_addr(f"{name}/{config.collateral_symbol}"),
            config.collateral_symbol,
            config.collateral_decimals,
        )
    )
    for token, strategy in (
        (stable, config.stable_strategy),
        (collateral, config.collateral_strategy),
    ):
        configurator.init_reserves(
            [
                InitReserveInput(
                    underlying_asset=token.address,
                    underlying_asset_decimals=token.decimals,
                    interest_rate_strategy=strategy.strategy(),
                    treasury=treasury,
                    symbol=token.symbol,
                )
            ],
            sender=admin,
        )
    oracle.set_asset_price(stable.address, USD_E8)
    oracle.set_asset_price(collateral.address, config.collateral_price_usd_e8)
    configurator.set_reserve_borrowing(stable.address, True, sender=admin)
    configurator.set_reserve_factor(stable.address, config.stable_reserve_factor_bps, sender=admin)
    configurator.configure_reserve_as_collateral(
        collateral.address,
        config.collateral_ltv_bps,
        config.collateral_liquidation_threshold_bps,
        config.collateral_liquidation_bonus_bps,
        sender=admin,
    )
    return AaveMarket(
        pool=pool,
        configurator=configurator,
        oracle=oracle,
        admin=admin,
        a_token=pool.a_token(stable.address).address,
        collateral=collateral,
    )
