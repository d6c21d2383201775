"""The SparkLend `Pool`: `IPool` in snake_case, with the caller as `sender=`.

Every state-changing call is all-or-nothing: it runs the contract's steps in the contract's
order inside the Pool's `Atomic`, and a `ProtocolError` raised at any step (a validation, a
token balance, a health-factor check after the burn) rolls back every write the call made,
accrual included, as an EVM revert does. Views never write.

Time is the injected `Clock` (`block.timestamp = clock.now`). The price oracle, the optional
price-oracle sentinel, the ACL and the PoolConfigurator's address stand for what the
contract reads from its PoolAddressesProvider. The `onlyPoolConfigurator` entry points
(`init_reserve`, `drop_reserve`, `set_configuration`, `set_reserve_interest_rate_strategy_address`,
`configure_emode_category`, `reset_isolation_mode_total_debt`, `update_flashloan_premiums`,
`update_bridge_protocol_fee`) refuse any other `sender` with `CALLER_NOT_POOL_CONFIGURATOR`.
Where the contract passes a contract's address (a token, a rate strategy) the model passes
the object.

`liquidation_call`, `flash_loan` and `flash_loan_simple` come from the
`pool_flash_and_liquidation` mixin (logic in `liquidation_logic` / `flash_loan_logic`).
Bridges (`mintUnbacked` / `backUnbacked`) are not modelled: Spark never uses them; only
`BRIDGE_PROTOCOL_FEE` and its setter exist.

Example:
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> from sparkprime.protocols.sparklend.oracle import SimplePriceOracle
    >>> pool = Pool(
    ...     address=make_addr("pool"), clock=Clock(1), oracle=SimplePriceOracle(),
    ...     acl=Acl(admin=make_addr("admin")), configurator=make_addr("configurator"))
    >>> pool.get_reserves_count()
    0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend import (
    borrow_logic,
    emode_logic,
    generic_logic,
    pool_logic,
    reserve_logic,
    snapshot,
    supply_logic,
)
from sparkprime.protocols.sparklend.acl import Acl
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.configuration import (
    MAX_RESERVES_COUNT,
    ReserveConfigurationMap,
    UserConfigurationMap,
)
from sparkprime.protocols.sparklend.oracle import PriceOracle, PriceOracleSentinel
from sparkprime.protocols.sparklend.pool_admin import PoolConfiguratorEntryPoints
from sparkprime.protocols.sparklend.pool_flash_and_liquidation import (
    FlashLoanAndLiquidationEntryPoints,
)
from sparkprime.protocols.sparklend.rate_strategies import ReserveInterestRateStrategy
from sparkprime.protocols.sparklend.rounding import RoundingMode, scaled_math
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.tokens import AToken, StableDebtToken, VariableDebtToken
from sparkprime.protocols.sparklend.transaction import transact
from sparkprime.protocols.sparklend.types import (
    EModeCategory,
    InterestRateMode,
    ReserveData,
    UserAccountData,
)

__all__ = ["POOL_REVISION", "Pool"]

POOL_REVISION: Final = 0x1
_MAX: Final = UINT256_MAX
_R = TypeVar("_R")


def _uint256(value: object, field: str) -> int:
    if type(value) is not int or value < 0 or value >> 256:
        check_uint256(value, field=field)
    return value  # type: ignore[return-value]


def _rate_mode(value: object) -> InterestRateMode:
    """`DataTypes.InterestRateMode(uint256)`: a value past the enum is a Panic."""
    mode = _uint256(value, "interest_rate_mode")
    if mode > 2:
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE, field="interest_rate_mode", value=mode, min=0, max=2
        )
    return InterestRateMode(mode)


class Pool(PoolConfiguratorEntryPoints, FlashLoanAndLiquidationEntryPoints):
    """SparkLend v1.0.0's Pool (Aave v3.0.2 + Spark's patches), contract-exact."""

    __slots__ = ("_atomic", "_state")

    def __init__(
        self,
        *,
        address: Address,
        clock: Clock,
        oracle: PriceOracle,
        acl: Acl,
        configurator: Address,
        registry: TokenRegistry | None = None,
        sentinel: PriceOracleSentinel | None = None,
        rounding_mode: RoundingMode = RoundingMode.HALF_UP_V1,
    ) -> None:
        registry = registry if registry is not None else TokenRegistry()
        self._atomic: Atomic = registry.atomic
        self._state = PoolState(
            address=address,
            clock=clock,
            atomic=self._atomic,
            math=scaled_math(rounding_mode),
            registry=registry,
            oracle=oracle,
            acl=acl,
            configurator=configurator,
            sentinel=sentinel,
        )

    # --- wiring ---

    @property
    def address(self) -> Address:
        """The Pool's address (the `sender` it uses towards its tokens)."""
        return self._state.address

    @property
    def clock(self) -> Clock:
        """The Pool's clock: `block.timestamp`."""
        return self._state.clock

    @property
    def state(self) -> PoolState:
        """The Pool's storage (for the logic modules, snapshots and invariant checks)."""
        return self._state

    @property
    def registry(self) -> TokenRegistry:
        """The underlying ERC-20s, by address."""
        return self._state.registry

    @property
    def rounding_mode(self) -> RoundingMode:
        """HALF_UP_V1 (live) or DIRECTED (the rounding-mitigation upgrade)."""
        return self._state.math.mode

    @property
    def oracle(self) -> PriceOracle:
        """`ADDRESSES_PROVIDER.getPriceOracle()`."""
        return self._state.oracle

    @property
    def acl(self) -> Acl:
        """`ADDRESSES_PROVIDER.getACLManager()`."""
        return self._state.acl

    def set_price_oracle(self, oracle: PriceOracle) -> None:
        """`PoolAddressesProvider.setPriceOracle` (an owner action, outside the Pool)."""
        self._state.oracle = oracle

    def set_price_oracle_sentinel(self, sentinel: PriceOracleSentinel | None) -> None:
        """`PoolAddressesProvider.setPriceOracleSentinel` (None = address(0))."""
        self._state.sentinel = sentinel

    def deploy_reserve_tokens(
        self,
        asset: Address,
        *,
        treasury: Address,
        symbol: str | None = None,
    ) -> tuple[AToken, StableDebtToken, VariableDebtToken]:
        """Create the aToken and debt tokens of `asset` bound to this Pool (what the
        configurator's proxies are); their addresses derive from the Pool's and the asset's."""
        state = self._state
        underlying = state.registry.get(asset)
        name = symbol if symbol is not None else underlying.symbol
        tag = f"{state.address}/{asset}"
        a_token = AToken(
            address=make_addr(f"{tag}/aToken"),
            pool=self,
            underlying=underlying,
            treasury=treasury,
            symbol=f"sp{name}",
            atomic=self._atomic,
            math=state.math,
        )
        stable = StableDebtToken(
            address=make_addr(f"{tag}/stableDebtToken"),
            underlying=underlying,
            symbol=f"stableDebt{name}",
        )
        variable = VariableDebtToken(
            address=make_addr(f"{tag}/variableDebtToken"),
            pool=self,
            underlying=underlying,
            symbol=f"variableDebt{name}",
            atomic=self._atomic,
            math=state.math,
        )
        return a_token, stable, variable

    def a_token(self, asset: Address) -> AToken:
        """The aToken of a listed `asset`."""
        supply_logic.listed_reserve(self._state, asset)
        return self._state.a_tokens[asset]

    def variable_debt_token(self, asset: Address) -> VariableDebtToken:
        """The variable debt token of a listed `asset`."""
        supply_logic.listed_reserve(self._state, asset)
        return self._state.v_tokens[asset]

    def stable_debt_token(self, asset: Address) -> StableDebtToken:
        """The stable debt token of a listed `asset`."""
        supply_logic.listed_reserve(self._state, asset)
        return self._state.s_tokens[asset]

    # --- running an action all-or-nothing ---

    def _atomically(self, fn: Callable[..., _R], *args: object, **kwargs: object) -> _R:
        return transact(self._atomic, fn, *args, **kwargs)

    # --- user actions ---

    def supply(
        self,
        asset: Address,
        amount: int,
        on_behalf_of: Address,
        referral_code: int = 0,
        *,
        sender: Address,
    ) -> None:
        """Supply `amount` of `asset` (pulled from `sender`) for `on_behalf_of`."""
        amount = _uint256(amount, "amount")
        check_uint(referral_code, field="referral_code", bits=16)
        self._atomically(
            supply_logic.execute_supply, self._state, asset, amount, on_behalf_of, sender
        )

    def deposit(
        self,
        asset: Address,
        amount: int,
        on_behalf_of: Address,
        referral_code: int = 0,
        *,
        sender: Address,
    ) -> None:
        """The deprecated alias of `supply`."""
        self.supply(asset, amount, on_behalf_of, referral_code, sender=sender)

    def withdraw(self, asset: Address, amount: int, to: Address, *, sender: Address) -> int:
        """Withdraw `amount` (uint256.max = everything) of `sender`'s supply to `to`."""
        amount = _uint256(amount, "amount")
        return self._atomically(
            supply_logic.execute_withdraw, self._state, asset, amount, to, sender
        )

    def borrow(
        self,
        asset: Address,
        amount: int,
        interest_rate_mode: int,
        referral_code: int,
        on_behalf_of: Address,
        *,
        sender: Address,
    ) -> None:
        """Borrow `amount` of `asset` against `on_behalf_of`'s collateral, paid to `sender`."""
        amount = _uint256(amount, "amount")
        mode = _rate_mode(interest_rate_mode)
        check_uint(referral_code, field="referral_code", bits=16)
        self._atomically(
            borrow_logic.execute_borrow,
            self._state,
            asset,
            user=sender,
            on_behalf_of=on_behalf_of,
            amount=amount,
            interest_rate_mode=mode,
        )

    def repay(
        self,
        asset: Address,
        amount: int,
        interest_rate_mode: int,
        on_behalf_of: Address,
        *,
        sender: Address,
    ) -> int:
        """Repay up to `amount` (uint256.max = all, own debt only) of `on_behalf_of`'s debt
        with `sender`'s tokens; returns the amount repaid."""
        amount = _uint256(amount, "amount")
        mode = _rate_mode(interest_rate_mode)
        return self._atomically(
            borrow_logic.execute_repay,
            self._state,
            asset,
            amount=amount,
            interest_rate_mode=mode,
            on_behalf_of=on_behalf_of,
            sender=sender,
            use_a_tokens=False,
        )

    def repay_with_a_tokens(
        self, asset: Address, amount: int, interest_rate_mode: int, *, sender: Address
    ) -> int:
        """Repay `sender`'s own debt by burning their aTokens of the same asset."""
        amount = _uint256(amount, "amount")
        mode = _rate_mode(interest_rate_mode)
        return self._atomically(
            borrow_logic.execute_repay,
            self._state,
            asset,
            amount=amount,
            interest_rate_mode=mode,
            on_behalf_of=sender,
            sender=sender,
            use_a_tokens=True,
        )

    def set_user_use_reserve_as_collateral(
        self, asset: Address, use_as_collateral: bool, *, sender: Address
    ) -> None:
        """Turn `asset` on or off as collateral for `sender`."""
        if type(use_as_collateral) is not bool:
            raise ProtocolError(
                ErrorCode.INVALID_TYPE,
                field="use_as_collateral",
                expected="bool",
                got=type(use_as_collateral).__name__,
            )
        self._atomically(
            supply_logic.execute_use_reserve_as_collateral,
            self._state,
            asset,
            use_as_collateral,
            sender,
        )

    def set_user_emode(self, category_id: int, *, sender: Address) -> None:
        """Choose `sender`'s eMode category (0 = none)."""
        check_uint(category_id, field="category_id", bits=8)
        self._atomically(emode_logic.execute_set_user_emode, self._state, category_id, sender)

    def mint_to_treasury(self, assets: Sequence[Address]) -> None:
        """Mint the accrued reserve-factor share of each asset to its treasury (anyone)."""
        self._atomically(pool_logic.execute_mint_to_treasury, self._state, list(assets))

    def finalize_transfer(  # noqa: PLR0917 - IPool.finalizeTransfer's signature
        self,
        asset: Address,
        from_: Address,
        to: Address,
        amount: int,
        balance_from_before: int,
        balance_to_before: int,
        *,
        sender: Address,
    ) -> None:
        """Called by an aToken after a transfer: HF check of `from_`, collateral bits."""
        reserve = self._state.reserves.get(asset)
        if reserve is None or sender != reserve.a_token_address:
            raise ProtocolError(ErrorCode.CALLER_NOT_ATOKEN, sender=sender, asset=asset)
        self._atomically(
            supply_logic.execute_finalize_transfer,
            self._state,
            asset,
            from_=from_,
            to=to,
            amount=amount,
            balance_from_before=balance_from_before,
            balance_to_before=balance_to_before,
            caller=sender,
        )

    # --- views ---

    def get_reserve_data(self, asset: Address) -> ReserveData:
        """A copy of the reserve's stored data."""
        return supply_logic.listed_reserve(self._state, asset).copy()

    def get_configuration(self, asset: Address) -> ReserveConfigurationMap:
        """The reserve's configuration bitmap (empty for an unlisted asset)."""
        reserve = self._state.reserves.get(asset)
        return ReserveConfigurationMap() if reserve is None else reserve.configuration

    def get_user_configuration(self, user: Address) -> UserConfigurationMap:
        """The user's borrowing / collateral bitmap."""
        return self._state.user_config(user)

    def get_reserve_normalized_income(self, asset: Address) -> int:
        """The liquidity index as of now (0 for an unlisted asset, as the contract reads)."""
        reserve = self._state.reserves.get(asset)
        if reserve is None:
            return 0
        return reserve_logic.get_normalized_income(reserve, self._state.clock.now)

    def get_reserve_normalized_variable_debt(self, asset: Address) -> int:
        """The variable borrow index as of now (0 for an unlisted asset)."""
        reserve = self._state.reserves.get(asset)
        if reserve is None:
            return 0
        return reserve_logic.get_normalized_debt(reserve, self._state.clock.now)

    def get_user_account_data(self, user: Address) -> UserAccountData:
        """Collateral, debt and borrowing power in base currency, LTV, threshold, HF."""
        return generic_logic.get_user_account_data(self._state, user)

    def get_reserves_list(self) -> list[Address]:
        """Listed assets in reserve-id order."""
        return pool_logic.get_reserves_list(self._state)

    def get_reserve_address_by_id(self, reserve_id: int) -> Address | None:
        """The asset with that id (None where the contract returns address(0))."""
        return self._state.reserves_list.get(reserve_id)

    def get_reserves_count(self) -> int:
        """Ids handed out, dropped ones included (Spark's `getReservesCount`)."""
        return self._state.reserves_count

    def get_user_emode(self, user: Address) -> int:
        """The user's eMode category (0 = none)."""
        return self._state.users_emode.get(user, 0)

    def get_emode_category_data(self, category_id: int) -> EModeCategory:
        """The category (all zero if never configured)."""
        category = self._state.emode_categories.get(category_id)
        return (
            category
            if category is not None
            else EModeCategory(ltv=0, liquidation_threshold=0, liquidation_bonus=0)
        )

    def MAX_NUMBER_RESERVES(self) -> int:  # noqa: N802 - the contract's name
        """128."""
        return MAX_RESERVES_COUNT

    def MAX_STABLE_RATE_BORROW_SIZE_PERCENT(self) -> int:  # noqa: N802
        """Largest stable borrow as a share of the liquidity, in bps."""
        return self._state.max_stable_rate_borrow_size_percent

    def FLASHLOAN_PREMIUM_TOTAL(self) -> int:  # noqa: N802
        """Flash-loan premium in bps."""
        return self._state.flashloan_premium_total

    def FLASHLOAN_PREMIUM_TO_PROTOCOL(self) -> int:  # noqa: N802
        """Share of the premium that goes to the protocol, in bps."""
        return self._state.flashloan_premium_to_protocol

    def BRIDGE_PROTOCOL_FEE(self) -> int:  # noqa: N802
        """Share of bridge backing fees that goes to the protocol, in bps (unused: no bridges
        on SparkLend)."""
        return self._state.bridge_protocol_fee

    # --- state ---

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON-able data (see `snapshot.dump_pool`)."""
        return snapshot.dump_pool(self._state)

    def state_hash(self) -> str:
        """sha256 of the canonical JSON of `snapshot()`."""
        return snapshot.state_hash(self._state)

    @classmethod
    def restore(
        cls,
        data: Mapping[str, Any],
        *,
        oracle: PriceOracle,
        sentinel: PriceOracleSentinel | None = None,
        strategies: Mapping[Address, ReserveInterestRateStrategy] | None = None,
    ) -> Pool:
        """A Pool in the state `snapshot()` returned (oracle and sentinel passed in; rate
        strategies other than the two plain types too, keyed by asset)."""
        acl = Acl(admin=Address(data["address"]))
        pool = cls(
            address=Address(data["address"]),
            clock=Clock(int(data["now_s"])),
            oracle=oracle,
            acl=acl,
            configurator=Address(data["configurator"]),
            sentinel=sentinel,
            rounding_mode=RoundingMode(data["rounding_mode"]),
        )
        snapshot.load_pool(pool._state, data, make_tokens=pool._tokens_at, strategies=strategies)
        return pool

    def _tokens_at(
        self,
        asset: Address,
        underlying: Erc20,
        *,
        a_token: Mapping[str, Any],
        stable_debt_token: Mapping[str, Any],
        variable_debt_token: Mapping[str, Any],
    ) -> tuple[AToken, StableDebtToken, VariableDebtToken]:
        state = self._state
        return (
            AToken(
                address=Address(a_token["address"]),
                pool=self,
                underlying=underlying,
                treasury=Address(a_token["treasury"]),
                symbol=str(a_token["symbol"]),
                atomic=self._atomic,
                math=state.math,
            ),
            StableDebtToken(
                address=Address(stable_debt_token["address"]),
                underlying=underlying,
                symbol=str(stable_debt_token["symbol"]),
            ),
            VariableDebtToken(
                address=Address(variable_debt_token["address"]),
                pool=self,
                underlying=underlying,
                symbol=str(variable_debt_token["symbol"]),
                atomic=self._atomic,
                math=state.math,
            ),
        )
