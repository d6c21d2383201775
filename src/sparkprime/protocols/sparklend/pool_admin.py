"""The Pool's `onlyPoolConfigurator` entry points, as a mixin of `Pool`.

Each is Pool.sol's function of the same name: it refuses any `sender` but the configured
PoolConfigurator (`CALLER_NOT_POOL_CONFIGURATOR`), checks what Pool.sol checks
(`ZERO_ADDRESS_NOT_VALID`, `ASSET_NOT_LISTED`, `EMODE_CATEGORY_RESERVED`, ...) and writes.
The PoolConfigurator's own validation (parameter bounds, roles) is not here: it lives with
the configurator. Where Pool.sol takes a contract's address (tokens, rate strategy) these take
the object.
"""

from __future__ import annotations

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend import pool_logic
from sparkprime.protocols.sparklend.configuration import ReserveConfigurationMap
from sparkprime.protocols.sparklend.rate_strategies import ReserveInterestRateStrategy
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.tokens import AToken, StableDebtToken, VariableDebtToken
from sparkprime.protocols.sparklend.types import EModeCategory, ReserveData

__all__ = ["PoolConfiguratorEntryPoints"]


class PoolConfiguratorEntryPoints:
    """Pool.sol's `onlyPoolConfigurator` functions."""

    __slots__ = ()

    _state: PoolState
    _atomic: Atomic

    def _only_configurator(self, sender: Address) -> None:
        if sender != self._state.configurator:
            raise ProtocolError(ErrorCode.CALLER_NOT_POOL_CONFIGURATOR, sender=sender)

    def _listed(self, asset: Address) -> ReserveData:
        if not asset or int(asset, 16) == 0:
            raise ProtocolError(ErrorCode.ZERO_ADDRESS_NOT_VALID, field="asset")
        reserve = self._state.reserves.get(asset)
        if reserve is None:
            raise ProtocolError(ErrorCode.ASSET_NOT_LISTED, asset=asset)
        return reserve

    def init_reserve(
        self,
        asset: Address,
        a_token: AToken,
        stable_debt_token: StableDebtToken,
        variable_debt_token: VariableDebtToken,
        interest_rate_strategy: ReserveInterestRateStrategy,
        *,
        sender: Address,
    ) -> None:
        """List `asset` with its tokens and rate strategy (configuration starts empty)."""
        self._only_configurator(sender)
        if pool_logic.execute_init_reserve(
            self._state,
            asset,
            a_token=a_token,
            stable_debt_token=stable_debt_token,
            variable_debt_token=variable_debt_token,
            interest_rate_strategy=interest_rate_strategy,
        ):
            self._atomic.save(self._state)
            self._state.reserves_count += 1

    def drop_reserve(self, asset: Address, *, sender: Address) -> None:
        """Unlist an empty reserve."""
        self._only_configurator(sender)
        if not asset or int(asset, 16) == 0:
            raise ProtocolError(ErrorCode.ZERO_ADDRESS_NOT_VALID, field="asset")
        pool_logic.execute_drop_reserve(self._state, asset)

    def set_configuration(
        self, asset: Address, configuration: ReserveConfigurationMap, *, sender: Address
    ) -> None:
        """Replace the reserve's configuration bitmap."""
        self._only_configurator(sender)
        reserve = self._listed(asset)
        self._atomic.save(reserve)
        reserve.configuration = configuration

    def set_reserve_interest_rate_strategy_address(
        self, asset: Address, rate_strategy: ReserveInterestRateStrategy, *, sender: Address
    ) -> None:
        """Replace the reserve's interest rate strategy (takes effect at the next action)."""
        self._only_configurator(sender)
        reserve = self._listed(asset)
        self._atomic.save(reserve)
        reserve.interest_rate_strategy = rate_strategy

    def configure_emode_category(
        self, category_id: int, category: EModeCategory, *, sender: Address
    ) -> None:
        """Set eMode category `category_id` (1..255; 0 is reserved)."""
        self._only_configurator(sender)
        check_uint(category_id, field="category_id", bits=8)
        if category_id == 0:
            raise ProtocolError(ErrorCode.EMODE_CATEGORY_RESERVED)
        self._atomic.set_item(self._state.emode_categories, category_id, category)

    def reset_isolation_mode_total_debt(self, asset: Address, *, sender: Address) -> None:
        """Zero the isolated debt of an asset whose ceiling was set to 0."""
        self._only_configurator(sender)
        pool_logic.execute_reset_isolation_mode_total_debt(self._state, asset)

    def update_bridge_protocol_fee(self, protocol_fee: int, *, sender: Address) -> None:
        """Set `BRIDGE_PROTOCOL_FEE` (bps, uint256; the configurator bounds it to 100%)."""
        self._only_configurator(sender)
        fee = check_uint256(protocol_fee, field="protocol_fee")
        self._atomic.save(self._state)
        self._state.bridge_protocol_fee = fee

    def update_flashloan_premiums(
        self, flash_loan_premium_total: int, flash_loan_premium_to_protocol: int, *, sender: Address
    ) -> None:
        """Set the flash-loan premium and the protocol's share of it (bps, uint128)."""
        self._only_configurator(sender)
        state = self._state
        total = check_uint(flash_loan_premium_total, field="flash_loan_premium_total", bits=128)
        to_protocol = check_uint(
            flash_loan_premium_to_protocol, field="flash_loan_premium_to_protocol", bits=128
        )
        self._atomic.save(state)
        state.flashloan_premium_total = total
        state.flashloan_premium_to_protocol = to_protocol
