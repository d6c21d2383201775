"""sparklend-testing's `test/SparkLendTestBase.sol` (+ `src/UserActions.sol`), in Python.

The same market as the Solidity suites: two 18-decimal MockERC20 reserves, "COLL"
(`collateral_asset`) and "BRRW" (`borrow_asset`), both priced 1e8 USD, both on a
`VariableBorrowInterestRateStrategy` with optimal 80%, base 5%, slope1 2%, slope2 30%, and the
clock at foundry's default `block.timestamp = 1`. `WARP_TIME` is 3.65 days (1% of a year).

Several versions of the suite exist, and each ported test runs against the one(s) it was
taken from (`Suite`):

- `PRE_6D08`: marsfoundation/sparklend-testing at 6d08ef19 (Supply, Withdraw, Repay,
  RepayWithATokens in `test/integration/btt/`): no reserve factor, SparkLend v1.0.0's half-up
  values (`RoundingMode.HALF_UP_V1`);
- `PRE_528F`: marsfoundation/sparklend-testing at 528f5c41, the last commit before the
  rounding upgrade (Borrow, MintToTreasury): a 5% reserve factor, half-up values;
- `HEAD`: sparkdotfi/sparklend-testing (6b0a9d90 / e19758ab / 12d29b23): a 5% reserve factor,
  asserting the rounding-mitigation upgrade's values (`RoundingMode.DIRECTED`).

`Configurator` stands in for the PoolConfigurator (written separately): each method is the
configurator call a test makes (`setReserveActive`, `configureReserveAsCollateral`, ...),
with the checks those tests rely on, and ends in the Pool's `onlyPoolConfigurator` setters.
The user helpers are UserActions': `supply` deals the amount to the user (foundry `deal`
sets the balance), approves the Pool and supplies; `repay` approves and repays variable debt.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import PERCENTAGE_FACTOR, RAY, percent_mul
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend.acl import (
    DEFAULT_ADMIN,
    Acl,
)
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.oracle import SimplePriceOracle
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.rate_strategies import (
    ReserveInterestRateStrategy,
    VariableBorrowInterestRateStrategy,
)
from sparkprime.protocols.sparklend.rounding import RoundingMode
from sparkprime.protocols.sparklend.tokens import AToken, VariableDebtToken
from sparkprime.protocols.sparklend.types import EModeCategory, ReserveData


@dataclasses.dataclass(frozen=True, slots=True)
class Suite:
    """A version of the upstream suite: where it is from, its set-up, its rounding."""

    name: str
    source: str
    reserve_factor: int
    rounding_mode: RoundingMode

    @property
    def directed(self) -> bool:
        return self.rounding_mode is RoundingMode.DIRECTED

    def __str__(self) -> str:
        return self.name


PRE_6D08: Final = Suite(
    "pre-6d08ef19", "marsfoundation/sparklend-testing@6d08ef19", 0, RoundingMode.HALF_UP_V1
)
PRE_528F: Final = Suite(
    "pre-528f5c41", "marsfoundation/sparklend-testing@528f5c41", 5_00, RoundingMode.HALF_UP_V1
)
HEAD: Final = Suite("head", "sparkdotfi/sparklend-testing@HEAD", 5_00, RoundingMode.DIRECTED)

WARP_TIME: Final = 365 * 86400 // 100  # 3.65 days: 1% of a year
START_TS: Final = 1  # foundry's default block.timestamp

BASE_RATE: Final = 5 * RAY // 100
OPTIMAL_RATIO: Final = 8 * RAY // 10
SLOPE1: Final = 2 * RAY // 100
SLOPE2: Final = 30 * RAY // 100

ETHER: Final = 10**18
MAX_UINT256: Final = 2**256 - 1


def default_strategy() -> VariableBorrowInterestRateStrategy:
    """The suites' strategy: optimal 80%, base 5%, slope1 2%, slope2 30%."""
    return VariableBorrowInterestRateStrategy(
        optimal_usage_ratio=OPTIMAL_RATIO,
        base_variable_borrow_rate=BASE_RATE,
        variable_rate_slope1=SLOPE1,
        variable_rate_slope2=SLOPE2,
    )


class Configurator:
    """The PoolConfigurator calls the ported tests make (caller checks omitted: every call
    is the pool admin's)."""

    def __init__(
        self, pool: Pool, address: Address, treasury: Address, reserve_factor: int
    ) -> None:
        self.pool = pool
        self.address = address
        self.treasury = treasury
        self.reserve_factor = reserve_factor

    def _config(self, asset: Address):
        return self.pool.get_configuration(asset)

    def _set(self, asset: Address, config) -> None:
        self.pool.set_configuration(asset, config, sender=self.address)

    def _check_no_suppliers(self, asset: Address) -> None:
        reserve = self.pool.get_reserve_data(asset)
        if self.pool.a_token(asset).total_supply() != 0 or reserve.accrued_to_treasury != 0:
            raise ProtocolError(ErrorCode.RESERVE_LIQUIDITY_NOT_ZERO, asset=asset)

    def init_reserve(self, token: Erc20, strategy: ReserveInterestRateStrategy) -> None:
        """ConfiguratorLogic.executeInitReserve: list with decimals, active, not frozen or
        paused; then (HEAD's SparkLendTestBase) the suite's reserve factor."""
        a_token, stable, variable = self.pool.deploy_reserve_tokens(
            token.address, treasury=self.treasury
        )
        self.pool.init_reserve(
            token.address, a_token, stable, variable, strategy, sender=self.address
        )
        config = (
            self._config(token.address)
            .set_decimals(token.decimals)
            .set_active(True)
            .set_paused(False)
            .set_frozen(False)
        )
        self._set(token.address, config)
        if self.reserve_factor:
            self.set_reserve_factor(token.address, self.reserve_factor)

    def set_reserve_factor(self, asset: Address, reserve_factor: int) -> None:
        if reserve_factor > PERCENTAGE_FACTOR:
            raise ProtocolError(ErrorCode.INVALID_RESERVE_FACTOR)
        self._set(asset, self._config(asset).set_reserve_factor(reserve_factor))

    def set_reserve_active(self, asset: Address, active: bool) -> None:
        if not active:
            self._check_no_suppliers(asset)
        self._set(asset, self._config(asset).set_active(active))

    def set_reserve_pause(self, asset: Address, paused: bool) -> None:
        self._set(asset, self._config(asset).set_paused(paused))

    def set_reserve_freeze(self, asset: Address, frozen: bool) -> None:
        self._set(asset, self._config(asset).set_frozen(frozen))

    def set_reserve_borrowing(self, asset: Address, enabled: bool) -> None:
        self._set(asset, self._config(asset).set_borrowing_enabled(enabled))

    def set_reserve_flash_loaning(self, asset: Address, enabled: bool) -> None:
        self._set(asset, self._config(asset).set_flash_loan_enabled(enabled))

    def set_liquidation_protocol_fee(self, asset: Address, fee: int) -> None:
        if fee > PERCENTAGE_FACTOR:
            raise ProtocolError(ErrorCode.INVALID_LIQUIDATION_PROTOCOL_FEE)
        self._set(asset, self._config(asset).set_liquidation_protocol_fee(fee))

    def set_supply_cap(self, asset: Address, cap: int) -> None:
        self._set(asset, self._config(asset).set_supply_cap(cap))

    def set_borrow_cap(self, asset: Address, cap: int) -> None:
        self._set(asset, self._config(asset).set_borrow_cap(cap))

    def set_borrowable_in_isolation(self, asset: Address, borrowable: bool) -> None:
        self._set(asset, self._config(asset).set_borrowable_in_isolation(borrowable))

    def set_siloed_borrowing(self, asset: Address, siloed: bool) -> None:
        self._set(asset, self._config(asset).set_siloed_borrowing(siloed))

    def set_debt_ceiling(self, asset: Address, ceiling: int) -> None:
        config = self._config(asset)
        if config.get_debt_ceiling() == 0:
            self._check_no_suppliers(asset)
        self._set(asset, config.set_debt_ceiling(ceiling))
        if ceiling == 0:
            self.pool.reset_isolation_mode_total_debt(asset, sender=self.address)

    def configure_reserve_as_collateral(
        self, asset: Address, ltv: int, liquidation_threshold: int, liquidation_bonus: int
    ) -> None:
        if ltv > liquidation_threshold:
            raise ProtocolError(ErrorCode.INVALID_RESERVE_PARAMS)
        if liquidation_threshold != 0:
            if liquidation_bonus <= PERCENTAGE_FACTOR:
                raise ProtocolError(ErrorCode.INVALID_RESERVE_PARAMS)
            if percent_mul(liquidation_threshold, liquidation_bonus) > PERCENTAGE_FACTOR:
                raise ProtocolError(ErrorCode.INVALID_RESERVE_PARAMS)
        else:
            if liquidation_bonus != 0:
                raise ProtocolError(ErrorCode.INVALID_RESERVE_PARAMS)
            self._check_no_suppliers(asset)
        config = (
            self._config(asset)
            .set_ltv(ltv)
            .set_liquidation_threshold(liquidation_threshold)
            .set_liquidation_bonus(liquidation_bonus)
        )
        self._set(asset, config)

    def set_emode_category(  # noqa: PLR0917 - PoolConfigurator.setEModeCategory's signature
        self,
        category_id: int,
        ltv: int,
        liquidation_threshold: int,
        liquidation_bonus: int,
        oracle: Address | None = None,
        label: str = "",
    ) -> None:
        if ltv == 0 or liquidation_threshold == 0 or ltv > liquidation_threshold:
            raise ProtocolError(ErrorCode.INVALID_EMODE_CATEGORY_PARAMS)
        if liquidation_bonus <= PERCENTAGE_FACTOR:
            raise ProtocolError(ErrorCode.INVALID_EMODE_CATEGORY_PARAMS)
        if percent_mul(liquidation_threshold, liquidation_bonus) > PERCENTAGE_FACTOR:
            raise ProtocolError(ErrorCode.INVALID_EMODE_CATEGORY_PARAMS)
        for asset in self.pool.get_reserves_list():
            config = self._config(asset)
            if config.get_emode_category() == category_id and (
                ltv <= config.get_ltv()
                or liquidation_threshold <= config.get_liquidation_threshold()
            ):
                raise ProtocolError(ErrorCode.INVALID_EMODE_CATEGORY_PARAMS)
        self.pool.configure_emode_category(
            category_id,
            EModeCategory(
                ltv=ltv,
                liquidation_threshold=liquidation_threshold,
                liquidation_bonus=liquidation_bonus,
                price_source=oracle,
                label=label,
            ),
            sender=self.address,
        )

    def set_asset_emode_category(self, asset: Address, category_id: int) -> None:
        config = self._config(asset)
        if category_id != 0:
            category = self.pool.get_emode_category_data(category_id)
            if category.liquidation_threshold <= config.get_liquidation_threshold():
                raise ProtocolError(ErrorCode.INVALID_EMODE_CATEGORY_ASSIGNMENT)
        self._set(asset, config.set_emode_category(category_id))


class SparkLendTestBase:
    """The shared set-up; each test builds a fresh one (`setUp`)."""

    def __init__(self, suite: Suite = PRE_528F) -> None:
        self.suite = suite
        self.deployer = make_addr("deployer")
        self.admin = make_addr("admin")
        self.emergency_admin = make_addr("emergencyAdmin")
        self.risk_admin = make_addr("riskAdmin")
        self.treasury = make_addr("treasury")
        self.configurator_address = make_addr("poolConfigurator")

        self.clock = Clock(START_TS)
        self.registry = TokenRegistry()
        self.oracle = SimplePriceOracle()
        self.acl = Acl(admin=self.deployer)
        self.acl.add_emergency_admin(self.emergency_admin, sender=self.deployer)
        self.acl.add_risk_admin(self.risk_admin, sender=self.deployer)
        self.acl.add_pool_admin(self.admin, sender=self.deployer)
        self.acl.grant_role(DEFAULT_ADMIN, self.admin, sender=self.deployer)
        self.acl.revoke_role(DEFAULT_ADMIN, self.deployer, sender=self.admin)

        self.pool = Pool(
            address=make_addr("pool"),
            clock=self.clock,
            oracle=self.oracle,
            acl=self.acl,
            configurator=self.configurator_address,
            registry=self.registry,
            rounding_mode=suite.rounding_mode,
        )
        self.configurator = Configurator(
            self.pool, self.configurator_address, self.treasury, suite.reserve_factor
        )

        self.collateral_asset = self._new_token("Collateral Asset", "COLL")
        self.borrow_asset = self._new_token("Borrow Asset", "BRRW")
        self.configurator.init_reserve(self.collateral_asset, default_strategy())
        self.configurator.init_reserve(self.borrow_asset, default_strategy())
        self.oracle.set_asset_price(self.collateral_asset.address, 10**8)
        self.oracle.set_asset_price(self.borrow_asset.address, 10**8)
        self.a_collateral_asset = self.pool.a_token(self.collateral_asset.address)
        self.a_borrow_asset = self.pool.a_token(self.borrow_asset.address)

    # --- set-up helpers ---

    def _new_token(self, name: str, symbol: str, decimals: int = 18) -> Erc20:
        token = Erc20(make_addr(f"token/{name}/{len(self.registry.addresses())}"), symbol, decimals)
        return self.registry.register(token)

    def set_up_new_reserve(self) -> Address:
        """A fresh 18-decimal "BRRW" reserve with the default strategy, priced 1e8."""
        token = self._new_token("Borrow Asset", "BRRW")
        self.configurator.init_reserve(token, default_strategy())
        self.oracle.set_asset_price(token.address, 10**8)
        return token.address

    def set_up_new_collateral(
        self, ltv: int = 100, liquidation_threshold: int = 100, liquidation_bonus: int = 100_01
    ) -> Address:
        """A new reserve configured as collateral (1% LTV by default)."""
        asset = self.set_up_new_reserve()
        self.configurator.configure_reserve_as_collateral(
            asset, ltv, liquidation_threshold, liquidation_bonus
        )
        return asset

    def init_collateral(
        self, asset: Address, ltv: int, liquidation_threshold: int, liquidation_bonus: int
    ) -> None:
        self.configurator.configure_reserve_as_collateral(
            asset, ltv, liquidation_threshold, liquidation_bonus
        )

    # --- user helpers (UserActions.sol) ---

    def token(self, asset: Address) -> Erc20:
        return self.registry.get(asset)

    def supply(self, user: Address, asset: Address, amount: int) -> None:
        token = self.token(asset)
        token.set_balance(user, amount)  # foundry deal
        token.approve(self.pool.address, amount, sender=user)
        self.pool.supply(asset, amount, user, 0, sender=user)

    def use_as_collateral(self, user: Address, asset: Address) -> None:
        self.pool.set_user_use_reserve_as_collateral(asset, True, sender=user)

    def supply_and_use_as_collateral(self, user: Address, asset: Address, amount: int) -> None:
        self.supply(user, asset, amount)
        self.use_as_collateral(user, asset)

    def borrow(self, user: Address, asset: Address, amount: int) -> None:
        self.pool.borrow(asset, amount, 2, 0, user, sender=user)

    def repay(self, user: Address, asset: Address, amount: int) -> None:
        self.token(asset).approve(self.pool.address, amount, sender=user)
        self.pool.repay(asset, amount, 2, user, sender=user)

    def withdraw(self, user: Address, asset: Address, amount: int) -> None:
        self.pool.withdraw(asset, amount, user, sender=user)

    def skip(self, seconds: int) -> None:
        self.clock.skip(seconds)

    def warp(self, ts: int) -> None:
        self.clock.warp(ts)

    # --- views ---

    def a_token_of(self, asset: Address) -> AToken:
        return self.pool.a_token(asset)

    def debt_token_of(self, asset: Address) -> VariableDebtToken:
        return self.pool.variable_debt_token(asset)

    def reserve(self, asset: Address) -> ReserveData:
        return self.pool.get_reserve_data(asset)


# --- the suite's utility calculations (SparkLendTestBase) ---


def rate_exp(x: int, n: int) -> int:
    result = x // (365 * 86400)
    for _ in range(1, n):
        result = result * x // RAY // (365 * 86400)
    return result


def compounded_normalized_interest(rate: int, time_delta: int) -> int:
    """`_getCompoundedNormalizedInterest`: the suite's own Taylor expansion."""
    if time_delta == 0:
        return RAY
    return (
        RAY
        + rate * time_delta // (365 * 86400)
        + rate_exp(rate, 2) * time_delta * (time_delta - 1) // 2
        + rate_exp(rate, 3) * time_delta * (time_delta - 1) * (time_delta - 2) // 6
    )


def updated_rates(
    borrowed: int,
    total_value: int,
    *,
    base_rate: int = BASE_RATE,
    slope1: int = SLOPE1,
    slope2: int = SLOPE2,
    optimal_ratio: int = OPTIMAL_RATIO,
    reserve_factor: int = 0,
) -> tuple[int, int]:
    """`_getUpdatedRates`: (borrow rate, liquidity rate) by the suite's floor arithmetic."""
    borrow_ratio = borrowed * RAY // total_value
    excess = borrow_ratio > optimal_ratio
    slope1_ratio = RAY if excess else borrow_ratio * RAY // optimal_ratio
    slope2_ratio = (borrow_ratio - optimal_ratio) * RAY // (RAY - optimal_ratio) if excess else 0
    borrow_rate = base_rate + slope1 * slope1_ratio // RAY + slope2 * slope2_ratio // RAY
    liquidity_rate = borrow_rate * borrow_ratio // RAY
    return borrow_rate, liquidity_rate * (10_000 - reserve_factor) // 10_000


@dataclasses.dataclass(kw_only=True)
class PoolReserveState:
    """`AssertPoolReserveStateParams`."""

    liquidity_index: int
    current_liquidity_rate: int
    variable_borrow_index: int
    current_variable_borrow_rate: int
    current_stable_borrow_rate: int
    last_update_timestamp: int
    accrued_to_treasury: int
    unbacked: int


def assert_pool_reserve_state(
    base: SparkLendTestBase, asset: Address, expected: PoolReserveState, tolerance: int = 0
) -> None:
    data = base.pool.get_reserve_data(asset)
    actual = PoolReserveState(
        liquidity_index=data.liquidity_index,
        current_liquidity_rate=data.current_liquidity_rate,
        variable_borrow_index=data.variable_borrow_index,
        current_variable_borrow_rate=data.current_variable_borrow_rate,
        current_stable_borrow_rate=data.current_stable_borrow_rate,
        last_update_timestamp=data.last_update_timestamp,
        accrued_to_treasury=data.accrued_to_treasury,
        unbacked=data.unbacked,
    )
    for field in dataclasses.fields(PoolReserveState):
        got, want = getattr(actual, field.name), getattr(expected, field.name)
        assert abs(got - want) <= tolerance, f"reserve.{field.name}: {got} != {want}"


def assert_asset_state(
    base: SparkLendTestBase,
    *,
    user: Address,
    asset: Address,
    allowance: int,
    user_balance: int,
    a_token_balance: int,
    tolerance: int = 0,
) -> None:
    token = base.token(asset)
    a_token = base.pool.get_reserve_data(asset).a_token_address
    got = token.allowance(user, base.pool.address)
    assert abs(got - allowance) <= tolerance, f"asset.allowance: {got} != {allowance}"
    got = token.balance_of(user)
    assert abs(got - user_balance) <= tolerance, f"asset.userBalance: {got} != {user_balance}"
    got = token.balance_of(a_token)
    assert abs(got - a_token_balance) <= tolerance, (
        f"asset.aTokenBalance: {got} != {a_token_balance}"
    )


def assert_a_token_state(
    a_token: AToken, *, user: Address, user_balance: int, total_supply: int, tolerance: int = 0
) -> None:
    assert abs(a_token.balance_of(user) - user_balance) <= tolerance, (
        f"aToken.userBalance: {a_token.balance_of(user)} != {user_balance}"
    )
    assert abs(a_token.total_supply() - total_supply) <= tolerance, (
        f"aToken.totalSupply: {a_token.total_supply()} != {total_supply}"
    )


def assert_debt_token_state(
    debt_token: VariableDebtToken,
    *,
    user: Address,
    user_balance: int,
    total_supply: int,
    tolerance: int = 0,
) -> None:
    assert abs(debt_token.balance_of(user) - user_balance) <= tolerance, (
        f"debtToken.userBalance: {debt_token.balance_of(user)} != {user_balance}"
    )
    assert abs(debt_token.total_supply() - total_supply) <= tolerance, (
        f"debtToken.totalSupply: {debt_token.total_supply()} != {total_supply}"
    )


def sci(mantissa: str, exponent: int) -> int:
    """Solidity's literal `<mantissa>e<exponent>` (e.g. `sci("1.0001045", 27)`), exactly."""
    whole, _, frac = mantissa.partition(".")
    if len(frac) > exponent:
        raise ValueError(f"{mantissa}e{exponent} is not an integer")
    scale: int = 10 ** (exponent - len(frac))
    return int(whole + frac) * scale
