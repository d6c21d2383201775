"""`PoolStorage`: everything the Pool and its logic libraries read and write.

One `PoolState` per Pool. The logic modules (`supply_logic`, `borrow_logic`, ...) take it as
their first argument, as the Solidity libraries take the Pool's storage mappings. Reserves
are keyed by the underlying asset's address; `reserves_list` maps a reserve id to its asset
(a dropped reserve's id is absent, like `address(0)` in the contract).

Every write goes through `state.atomic` (the mappings item by item, the scalar fields with
`atomic.save(state)`), so an action that fails leaves the storage as it was.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend.acl import Acl
from sparkprime.protocols.sparklend.configuration import UserConfigurationMap
from sparkprime.protocols.sparklend.oracle import PriceOracle, PriceOracleSentinel
from sparkprime.protocols.sparklend.rounding import ScaledMath
from sparkprime.protocols.sparklend.tokens import AToken, StableDebtToken, VariableDebtToken
from sparkprime.protocols.sparklend.types import EModeCategory, ReserveData

__all__ = ["EMPTY_USER_CONFIG", "PoolState"]

EMPTY_USER_CONFIG: Final = UserConfigurationMap()


class PoolState:
    """The Pool's storage and the addresses it reads from its PoolAddressesProvider."""

    __slots__ = (
        "a_tokens",
        "acl",
        "address",
        "atomic",
        "bridge_protocol_fee",
        "clock",
        "configurator",
        "emode_categories",
        "flashloan_premium_to_protocol",
        "flashloan_premium_total",
        "math",
        "max_stable_rate_borrow_size_percent",
        "oracle",
        "registry",
        "reserves",
        "reserves_count",
        "reserves_list",
        "s_tokens",
        "sentinel",
        "underlyings",
        "users_config",
        "users_emode",
        "v_tokens",
    )

    def __init__(
        self,
        *,
        address: Address,
        clock: Clock,
        atomic: Atomic,
        math: ScaledMath,
        registry: TokenRegistry,
        oracle: PriceOracle,
        acl: Acl,
        configurator: Address,
        sentinel: PriceOracleSentinel | None = None,
    ) -> None:
        self.address = address
        self.clock = clock
        self.atomic = atomic
        self.math = math
        self.registry = registry
        self.oracle = oracle
        self.sentinel = sentinel
        self.acl = acl
        self.configurator = configurator
        self.reserves: dict[Address, ReserveData] = {}
        self.reserves_list: dict[int, Address] = {}
        self.reserves_count = 0
        # Per reserve (keyed by the underlying asset): its tokens and its ERC-20.
        self.a_tokens: dict[Address, AToken] = {}
        self.v_tokens: dict[Address, VariableDebtToken] = {}
        self.s_tokens: dict[Address, StableDebtToken] = {}
        self.underlyings: dict[Address, Erc20] = {}
        self.users_config: dict[Address, UserConfigurationMap] = {}
        self.users_emode: dict[Address, int] = {}
        self.emode_categories: dict[int, EModeCategory] = {}
        # v3.0.2's Pool.initialize sets only the stable-borrow limit (25% of liquidity); the
        # flash-loan premiums start at 0 (v3.0.0 set 0.09%; the configurator sets them).
        self.max_stable_rate_borrow_size_percent = 2500
        self.flashloan_premium_total = 0
        self.flashloan_premium_to_protocol = 0
        self.bridge_protocol_fee = 0

    def save_fields(self) -> tuple[object, ...]:
        """The Pool's scalar storage (for the undo log; the mappings log their own writes)."""
        return (
            self.reserves_count,
            self.max_stable_rate_borrow_size_percent,
            self.flashloan_premium_total,
            self.flashloan_premium_to_protocol,
            self.bridge_protocol_fee,
        )

    def restore_fields(self, fields: tuple[object, ...]) -> None:
        """Put back what `save_fields` returned."""
        (
            self.reserves_count,
            self.max_stable_rate_borrow_size_percent,
            self.flashloan_premium_total,
            self.flashloan_premium_to_protocol,
            self.bridge_protocol_fee,
        ) = fields  # type: ignore[assignment]

    def user_config(self, user: Address) -> UserConfigurationMap:
        """`_usersConfig[user]` (empty if never written)."""
        return self.users_config.get(user, EMPTY_USER_CONFIG)

    def set_user_config(self, user: Address, config: UserConfigurationMap) -> None:
        """Write `_usersConfig[user]` through the undo log."""
        self.atomic.set_item(self.users_config, user, config)
