"""SparkLend's `DataTypes`: the reserve record, its per-action cache, eMode categories.

`ReserveData` is the Pool's storage for one reserve (mutable, like contract storage; the
Pool logs its fields in its `Atomic` before the first write of an action). `ReserveCache` is
`DataTypes.ReserveCache`: what an action reads once at its start (`curr_*`) and the values it
computes (`next_*`). `EModeCategory` and `UserAccountData` are frozen values.

The interest rate strategy is held as an object where the contract holds its address; the
stable debt token exists only so formulas that read it get 0 (stable borrowing is disabled
on every SparkLend market).
"""

from __future__ import annotations

import dataclasses
from enum import IntEnum
from typing import Any, Final

from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.configuration import ReserveConfigurationMap
from sparkprime.protocols.sparklend.rate_strategies import ReserveInterestRateStrategy

__all__ = [
    "RESERVE_FIELDS",
    "EModeCategory",
    "InterestRateMode",
    "ReserveCache",
    "ReserveData",
    "UserAccountData",
]


class InterestRateMode(IntEnum):
    """`DataTypes.InterestRateMode`."""

    NONE = 0
    STABLE = 1
    VARIABLE = 2


RESERVE_FIELDS: Final = (
    "configuration",
    "liquidity_index",
    "current_liquidity_rate",
    "variable_borrow_index",
    "current_variable_borrow_rate",
    "current_stable_borrow_rate",
    "last_update_timestamp",
    "id",
    "a_token_address",
    "stable_debt_token_address",
    "variable_debt_token_address",
    "interest_rate_strategy",
    "accrued_to_treasury",
    "unbacked",
    "isolation_mode_total_debt",
)


class ReserveData:
    """`DataTypes.ReserveData` (indexes and rates in ray, `accrued_to_treasury` scaled)."""

    __slots__ = RESERVE_FIELDS

    configuration: ReserveConfigurationMap
    liquidity_index: int
    current_liquidity_rate: int
    variable_borrow_index: int
    current_variable_borrow_rate: int
    current_stable_borrow_rate: int
    last_update_timestamp: int
    id: int
    a_token_address: Address
    stable_debt_token_address: Address
    variable_debt_token_address: Address
    interest_rate_strategy: ReserveInterestRateStrategy
    accrued_to_treasury: int
    unbacked: int
    isolation_mode_total_debt: int

    def __init__(
        self,
        *,
        configuration: ReserveConfigurationMap,
        liquidity_index: int,
        current_liquidity_rate: int,
        variable_borrow_index: int,
        current_variable_borrow_rate: int,
        current_stable_borrow_rate: int,
        last_update_timestamp: int,
        id: int,
        a_token_address: Address,
        stable_debt_token_address: Address,
        variable_debt_token_address: Address,
        interest_rate_strategy: ReserveInterestRateStrategy,
        accrued_to_treasury: int,
        unbacked: int,
        isolation_mode_total_debt: int,
    ) -> None:
        self.configuration = configuration
        self.liquidity_index = liquidity_index
        self.current_liquidity_rate = current_liquidity_rate
        self.variable_borrow_index = variable_borrow_index
        self.current_variable_borrow_rate = current_variable_borrow_rate
        self.current_stable_borrow_rate = current_stable_borrow_rate
        self.last_update_timestamp = last_update_timestamp
        self.id = id
        self.a_token_address = a_token_address
        self.stable_debt_token_address = stable_debt_token_address
        self.variable_debt_token_address = variable_debt_token_address
        self.interest_rate_strategy = interest_rate_strategy
        self.accrued_to_treasury = accrued_to_treasury
        self.unbacked = unbacked
        self.isolation_mode_total_debt = isolation_mode_total_debt

    def save_fields(self) -> tuple[Any, ...]:
        """Every field, in `RESERVE_FIELDS` order (for the undo log)."""
        return (
            self.configuration,
            self.liquidity_index,
            self.current_liquidity_rate,
            self.variable_borrow_index,
            self.current_variable_borrow_rate,
            self.current_stable_borrow_rate,
            self.last_update_timestamp,
            self.id,
            self.a_token_address,
            self.stable_debt_token_address,
            self.variable_debt_token_address,
            self.interest_rate_strategy,
            self.accrued_to_treasury,
            self.unbacked,
            self.isolation_mode_total_debt,
        )

    def restore_fields(self, fields: tuple[Any, ...]) -> None:
        """Put back what `save_fields` returned."""
        (
            self.configuration,
            self.liquidity_index,
            self.current_liquidity_rate,
            self.variable_borrow_index,
            self.current_variable_borrow_rate,
            self.current_stable_borrow_rate,
            self.last_update_timestamp,
            self.id,
            self.a_token_address,
            self.stable_debt_token_address,
            self.variable_debt_token_address,
            self.interest_rate_strategy,
            self.accrued_to_treasury,
            self.unbacked,
            self.isolation_mode_total_debt,
        ) = fields

    def copy(self) -> ReserveData:
        """An independent copy (what `Pool.get_reserve_data` hands out)."""
        clone = ReserveData.__new__(ReserveData)
        clone.restore_fields(self.save_fields())
        return clone

    def __repr__(self) -> str:
        return (
            f"ReserveData(id={self.id}, liquidity_index={self.liquidity_index}, "
            f"variable_borrow_index={self.variable_borrow_index}, "
            f"current_liquidity_rate={self.current_liquidity_rate}, "
            f"current_variable_borrow_rate={self.current_variable_borrow_rate}, "
            f"last_update_timestamp={self.last_update_timestamp}, "
            f"accrued_to_treasury={self.accrued_to_treasury})"
        )


class ReserveCache:
    """`DataTypes.ReserveCache`: an action's view of its reserve, read once at the start."""

    __slots__ = (
        "a_token_address",
        "curr_avg_stable_borrow_rate",
        "curr_liquidity_index",
        "curr_liquidity_rate",
        "curr_principal_stable_debt",
        "curr_scaled_variable_debt",
        "curr_total_stable_debt",
        "curr_variable_borrow_index",
        "curr_variable_borrow_rate",
        "next_avg_stable_borrow_rate",
        "next_liquidity_index",
        "next_scaled_variable_debt",
        "next_total_stable_debt",
        "next_variable_borrow_index",
        "reserve_configuration",
        "reserve_factor",
        "reserve_last_update_timestamp",
        "stable_debt_last_update_timestamp",
        "stable_debt_token_address",
        "variable_debt_token_address",
    )

    reserve_configuration: ReserveConfigurationMap
    reserve_factor: int
    curr_liquidity_index: int
    next_liquidity_index: int
    curr_variable_borrow_index: int
    next_variable_borrow_index: int
    curr_liquidity_rate: int
    curr_variable_borrow_rate: int
    curr_principal_stable_debt: int
    curr_avg_stable_borrow_rate: int
    curr_total_stable_debt: int
    next_avg_stable_borrow_rate: int
    next_total_stable_debt: int
    curr_scaled_variable_debt: int
    next_scaled_variable_debt: int
    a_token_address: Address
    stable_debt_token_address: Address
    variable_debt_token_address: Address
    reserve_last_update_timestamp: int
    stable_debt_last_update_timestamp: int


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class EModeCategory:
    """`DataTypes.EModeCategory`: ltv / threshold / bonus in bps, an optional price source."""

    ltv: int
    liquidation_threshold: int
    liquidation_bonus: int
    price_source: Address | None = None  # None = address(0): each asset's own price
    label: str = ""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class UserAccountData:
    """`IPool.getUserAccountData`: base-currency values (USD, 8 decimals), bps, wad."""

    total_collateral_base: int
    total_debt_base: int
    available_borrows_base: int
    current_liquidation_threshold: int
    ltv: int
    health_factor: int
