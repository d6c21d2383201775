"""`ValidationLogic.sol`: every check an action makes, in the contract's order.

Each `validate_*` reads state and raises the contract's error as a `ProtocolError`; none
writes. The order of the checks inside each function is the contract's, so the first error
a ported test expects is the one raised. `validate_use_as_collateral` and
`validate_automatic_use_as_collateral` answer a question (may this asset become collateral)
instead of raising.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.core.fixed import percent_div, percent_mul, ray_mul
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.sparklend.acl import ISOLATED_COLLATERAL_SUPPLIER
from sparkprime.protocols.sparklend.configuration import (
    ReserveConfigurationMap,
    UserConfigurationMap,
)
from sparkprime.protocols.sparklend.generic_logic import calculate_user_account_data
from sparkprime.protocols.sparklend.isolation_mode_logic import (
    get_isolation_mode_state,
    get_siloed_borrowing_state,
    isolated_debt_units,
)
from sparkprime.protocols.sparklend.oracle import PriceOracleSentinel
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.types import InterestRateMode, ReserveCache, ReserveData

__all__ = [
    "HEALTH_FACTOR_LIQUIDATION_THRESHOLD",
    "MINIMUM_HEALTH_FACTOR_LIQUIDATION_THRESHOLD",
    "REBALANCE_UP_LIQUIDITY_RATE_THRESHOLD",
    "validate_automatic_use_as_collateral",
    "validate_borrow",
    "validate_drop_reserve",
    "validate_flashloan",
    "validate_flashloan_simple",
    "validate_health_factor",
    "validate_hf_and_ltv",
    "validate_liquidation_call",
    "validate_repay",
    "validate_set_use_reserve_as_collateral",
    "validate_set_user_emode",
    "validate_supply",
    "validate_transfer",
    "validate_use_as_collateral",
    "validate_withdraw",
]

REBALANCE_UP_LIQUIDITY_RATE_THRESHOLD: Final = 9000  # 0.9e4
MINIMUM_HEALTH_FACTOR_LIQUIDATION_THRESHOLD: Final = 95 * 10**16  # 0.95e18
HEALTH_FACTOR_LIQUIDATION_THRESHOLD: Final = 10**18

_MAX: Final = UINT256_MAX
_VARIABLE: Final = InterestRateMode.VARIABLE
_STABLE: Final = InterestRateMode.STABLE

# getFlags bit positions: active 56, frozen 57, borrowing 58, stable borrowing 59, paused 60.
_ACTIVE: Final = 1 << 56
_FROZEN: Final = 1 << 57
_BORROWING: Final = 1 << 58
_STABLE_BORROWING: Final = 1 << 59
_PAUSED: Final = 1 << 60


def _fail(code: ErrorCode, **context: object) -> ProtocolError:
    return ProtocolError(code, **context)


def validate_supply(
    c: ReserveCache, reserve: ReserveData, amount: int, a_scaled_total: int
) -> None:
    """Amount, flags (active, not paused, not frozen), then the supply cap, which counts the
    treasury's accrued share: `(scaled supply + accrued) x next index + amount <= cap`."""
    if amount == 0:
        raise _fail(ErrorCode.INVALID_AMOUNT)
    cfg = c.reserve_configuration.data
    if not cfg & _ACTIVE:
        raise _fail(ErrorCode.RESERVE_INACTIVE)
    if cfg & _PAUSED:
        raise _fail(ErrorCode.RESERVE_PAUSED)
    if cfg & _FROZEN:
        raise _fail(ErrorCode.RESERVE_FROZEN)
    supply_cap = c.reserve_configuration.get_supply_cap()
    if supply_cap != 0:
        supplied = ray_mul(a_scaled_total + reserve.accrued_to_treasury, c.next_liquidity_index)
        total = supplied + amount
        if total > _MAX:
            raise _fail(ErrorCode.MATH_OVERFLOW, op="supplied + amount", value=total)
        cap = supply_cap * 10 ** c.reserve_configuration.get_decimals()
        if total > cap:
            raise _fail(ErrorCode.SUPPLY_CAP_EXCEEDED, supplied=supplied, amount=amount, cap=cap)


def validate_withdraw(c: ReserveCache, amount: int, user_balance: int) -> None:
    """Amount, balance, then flags (active, not paused); a frozen reserve allows withdraws."""
    if amount == 0:
        raise _fail(ErrorCode.INVALID_AMOUNT)
    if amount > user_balance:
        raise _fail(
            ErrorCode.NOT_ENOUGH_AVAILABLE_USER_BALANCE, amount=amount, balance=user_balance
        )
    cfg = c.reserve_configuration.data
    if not cfg & _ACTIVE:
        raise _fail(ErrorCode.RESERVE_INACTIVE)
    if cfg & _PAUSED:
        raise _fail(ErrorCode.RESERVE_PAUSED)


def validate_borrow(
    state: PoolState,
    c: ReserveCache,
    *,
    asset: Address,
    user: Address,
    user_config: UserConfigurationMap,
    amount: int,
    interest_rate_mode: int,
    emode_category: int,
    isolation_mode_active: bool,
    isolation_mode_collateral: Address | None,
    isolation_mode_debt_ceiling: int,
) -> None:
    """`ValidationLogic.validateBorrow`, check by check in the contract's order: amount,
    flags, sentinel, rate mode, borrow cap, isolation mode, eMode, collateral / LTV / HF,
    the new debt against the LTV, stable-mode rules, siloed borrowing."""
    _validate_borrow_reserve(state, c, amount, interest_rate_mode)
    if isolation_mode_active:
        _validate_isolated_borrow(
            state, c, amount, isolation_mode_collateral, isolation_mode_debt_ceiling
        )
    _validate_borrow_collateral(
        state,
        c,
        asset=asset,
        user=user,
        user_config=user_config,
        amount=amount,
        emode_category=emode_category,
    )
    if interest_rate_mode == _STABLE:
        _validate_stable_borrow(
            state, c, asset=asset, user=user, user_config=user_config, amount=amount
        )
    if user_config.is_borrowing_any():
        siloed, siloed_asset = get_siloed_borrowing_state(state, user_config)
        if siloed:
            if siloed_asset != asset:
                raise _fail(ErrorCode.SILOED_BORROWING_VIOLATION, siloed_asset=siloed_asset)
        elif c.reserve_configuration.get_siloed_borrowing():
            raise _fail(ErrorCode.SILOED_BORROWING_VIOLATION, siloed_asset=asset)


def _validate_borrow_reserve(
    state: PoolState, c: ReserveCache, amount: int, interest_rate_mode: int
) -> None:
    if amount == 0:
        raise _fail(ErrorCode.INVALID_AMOUNT)
    config = c.reserve_configuration
    cfg = config.data
    if not cfg & _ACTIVE:
        raise _fail(ErrorCode.RESERVE_INACTIVE)
    if cfg & _PAUSED:
        raise _fail(ErrorCode.RESERVE_PAUSED)
    if cfg & _FROZEN:
        raise _fail(ErrorCode.RESERVE_FROZEN)
    if not cfg & _BORROWING:
        raise _fail(ErrorCode.BORROWING_NOT_ENABLED)
    sentinel: PriceOracleSentinel | None = state.sentinel
    if sentinel is not None and not sentinel.is_borrow_allowed():
        raise _fail(ErrorCode.PRICE_ORACLE_SENTINEL_CHECK_FAILED)
    if interest_rate_mode not in (_VARIABLE, _STABLE):
        raise _fail(ErrorCode.INVALID_INTEREST_RATE_MODE_SELECTED, mode=int(interest_rate_mode))
    borrow_cap = config.get_borrow_cap()
    if borrow_cap != 0:
        total_debt = (
            c.curr_total_stable_debt
            + ray_mul(c.curr_scaled_variable_debt, c.next_variable_borrow_index)
            + amount
        )
        if total_debt > _MAX:
            raise _fail(ErrorCode.MATH_OVERFLOW, op="total debt + amount", value=total_debt)
        # `borrowCap * assetUnit` is unchecked in the contract; a 36-bit cap times 10^255
        # fits in 2**256 only for small decimals, but a wrap needs decimals > 66, which no
        # listed asset has: the exact product is what the contract computes.
        if total_debt > borrow_cap * 10 ** config.get_decimals():
            raise _fail(ErrorCode.BORROW_CAP_EXCEEDED, total_debt=total_debt, cap=borrow_cap)


def _validate_isolated_borrow(
    state: PoolState,
    c: ReserveCache,
    amount: int,
    collateral: Address | None,
    ceiling: int,
) -> None:
    config = c.reserve_configuration
    if not config.get_borrowable_in_isolation():
        raise _fail(ErrorCode.ASSET_NOT_BORROWABLE_IN_ISOLATION)
    if collateral is None:
        raise InvariantViolation("isolation mode active without a collateral asset")
    total = state.reserves[collateral].isolation_mode_total_debt + isolated_debt_units(
        amount, config
    )
    if total > ceiling:
        raise _fail(ErrorCode.DEBT_CEILING_EXCEEDED, total_debt=total, ceiling=ceiling)


def _validate_borrow_collateral(
    state: PoolState,
    c: ReserveCache,
    *,
    asset: Address,
    user: Address,
    user_config: UserConfigurationMap,
    amount: int,
    emode_category: int,
) -> None:
    config = c.reserve_configuration
    emode_price_source: Address | None = None
    if emode_category != 0:
        if config.get_emode_category() != emode_category:
            raise _fail(ErrorCode.INCONSISTENT_EMODE_CATEGORY, category=emode_category)
        category = state.emode_categories.get(emode_category)
        emode_price_source = None if category is None else category.price_source
    collateral, debt, ltv, _, health_factor, _ = calculate_user_account_data(
        state, user_config, user, emode_category
    )
    if collateral == 0:
        raise _fail(ErrorCode.COLLATERAL_BALANCE_IS_ZERO)
    if ltv == 0:
        raise _fail(ErrorCode.LTV_VALIDATION_FAILED)
    if health_factor <= HEALTH_FACTOR_LIQUIDATION_THRESHOLD:
        raise _fail(ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD, hf=health_factor)
    price = state.oracle.get_asset_price(
        emode_price_source if emode_price_source is not None else asset
    )
    amount_base = price * amount
    if amount_base > _MAX:
        raise _fail(ErrorCode.MATH_OVERFLOW, op="price x amount", value=amount_base)
    needed = debt + amount_base // 10 ** config.get_decimals()
    if needed > _MAX:
        raise _fail(ErrorCode.MATH_OVERFLOW, op="debt + amount", value=needed)
    collateral_needed = percent_div(needed, ltv)
    if collateral_needed > collateral:
        raise _fail(
            ErrorCode.COLLATERAL_CANNOT_COVER_NEW_BORROW, needed=collateral_needed, have=collateral
        )


def _validate_stable_borrow(
    state: PoolState,
    c: ReserveCache,
    *,
    asset: Address,
    user: Address,
    user_config: UserConfigurationMap,
    amount: int,
) -> None:
    config = c.reserve_configuration
    if not config.data & _STABLE_BORROWING:
        raise _fail(ErrorCode.STABLE_BORROWING_NOT_ENABLED)
    if (
        user_config.is_using_as_collateral(state.reserves[asset].id)
        and config.get_ltv() != 0
        and amount <= state.a_tokens[asset].balance_of(user)
    ):
        raise _fail(ErrorCode.COLLATERAL_SAME_AS_BORROWING_CURRENCY)
    available = state.underlyings[asset].balance_of(c.a_token_address)
    if amount > percent_mul(available, state.max_stable_rate_borrow_size_percent):
        raise _fail(ErrorCode.AMOUNT_BIGGER_THAN_MAX_LOAN_SIZE_STABLE)


def validate_repay(
    c: ReserveCache,
    *,
    amount_sent: int,
    interest_rate_mode: int,
    on_behalf_of: Address,
    sender: Address,
    stable_debt: int,
    variable_debt: int,
) -> None:
    """Amount; uint256.max only for one's own debt; flags; debt of the chosen type."""
    if amount_sent == 0:
        raise _fail(ErrorCode.INVALID_AMOUNT)
    if amount_sent == _MAX and sender != on_behalf_of:
        raise _fail(ErrorCode.NO_EXPLICIT_AMOUNT_TO_REPAY_ON_BEHALF)
    cfg = c.reserve_configuration.data
    if not cfg & _ACTIVE:
        raise _fail(ErrorCode.RESERVE_INACTIVE)
    if cfg & _PAUSED:
        raise _fail(ErrorCode.RESERVE_PAUSED)
    if not (
        (stable_debt != 0 and interest_rate_mode == _STABLE)
        or (variable_debt != 0 and interest_rate_mode == _VARIABLE)
    ):
        raise _fail(ErrorCode.NO_DEBT_OF_SELECTED_TYPE, mode=int(interest_rate_mode))


def validate_set_use_reserve_as_collateral(c: ReserveCache, user_balance: int) -> None:
    """The user has a balance; the reserve is active and not paused."""
    if user_balance == 0:
        raise _fail(ErrorCode.UNDERLYING_BALANCE_ZERO)
    cfg = c.reserve_configuration.data
    if not cfg & _ACTIVE:
        raise _fail(ErrorCode.RESERVE_INACTIVE)
    if cfg & _PAUSED:
        raise _fail(ErrorCode.RESERVE_PAUSED)


def validate_flashloan(state: PoolState, assets: Sequence[Address], amounts: Sequence[int]) -> None:
    """Same lengths, then each reserve as in `validate_flashloan_simple`."""
    if len(assets) != len(amounts):
        raise _fail(ErrorCode.INCONSISTENT_FLASHLOAN_PARAMS)
    for asset in assets:
        reserve = state.reserves.get(asset)
        validate_flashloan_simple(reserve.configuration if reserve is not None else None)


def validate_flashloan_simple(configuration: ReserveConfigurationMap | None) -> None:
    """Not paused, active, flash loans enabled (an unlisted asset reads as all-zero)."""
    cfg = 0 if configuration is None else configuration.data
    if cfg & _PAUSED:
        raise _fail(ErrorCode.RESERVE_PAUSED)
    if not cfg & _ACTIVE:
        raise _fail(ErrorCode.RESERVE_INACTIVE)
    if not (cfg >> 63) & 1:
        raise _fail(ErrorCode.FLASHLOAN_DISABLED)


def validate_liquidation_call(
    state: PoolState,
    *,
    user_config: UserConfigurationMap,
    collateral_reserve: ReserveData,
    debt_cache: ReserveCache,
    total_debt: int,
    health_factor: int,
) -> None:
    """Both reserves active and not paused; sentinel; HF < 1; collateral enabled; debt."""
    collateral_cfg = collateral_reserve.configuration.data
    debt_cfg = debt_cache.reserve_configuration.data
    if not (collateral_cfg & _ACTIVE and debt_cfg & _ACTIVE):
        raise _fail(ErrorCode.RESERVE_INACTIVE)
    if collateral_cfg & _PAUSED or debt_cfg & _PAUSED:
        raise _fail(ErrorCode.RESERVE_PAUSED)
    sentinel = state.sentinel
    if (
        sentinel is not None
        and health_factor >= MINIMUM_HEALTH_FACTOR_LIQUIDATION_THRESHOLD
        and not sentinel.is_liquidation_allowed()
    ):
        raise _fail(ErrorCode.PRICE_ORACLE_SENTINEL_CHECK_FAILED)
    if health_factor >= HEALTH_FACTOR_LIQUIDATION_THRESHOLD:
        raise _fail(ErrorCode.HEALTH_FACTOR_NOT_BELOW_THRESHOLD, hf=health_factor)
    enabled = collateral_reserve.configuration.get_liquidation_threshold() != 0 and (
        user_config.is_using_as_collateral(collateral_reserve.id)
    )
    if not enabled:
        raise _fail(ErrorCode.COLLATERAL_CANNOT_BE_LIQUIDATED)
    if total_debt == 0:
        raise _fail(ErrorCode.SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER)


def validate_health_factor(
    state: PoolState, user_config: UserConfigurationMap, user: Address, emode_category: int
) -> tuple[int, bool]:
    """HF >= 1 (else `HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD`); returns
    (health factor, has zero-LTV collateral)."""
    _, _, _, _, health_factor, has_zero_ltv = calculate_user_account_data(
        state, user_config, user, emode_category
    )
    if health_factor < HEALTH_FACTOR_LIQUIDATION_THRESHOLD:
        raise _fail(ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD, hf=health_factor)
    return health_factor, has_zero_ltv


def validate_hf_and_ltv(
    state: PoolState,
    user_config: UserConfigurationMap,
    asset: Address,
    from_: Address,
    emode_category: int,
) -> None:
    """HF >= 1, and a user holding zero-LTV collateral may only act on zero-LTV assets."""
    _, has_zero_ltv = validate_health_factor(state, user_config, from_, emode_category)
    if has_zero_ltv and state.reserves[asset].configuration.get_ltv() != 0:
        raise _fail(ErrorCode.LTV_VALIDATION_FAILED)


def validate_transfer(reserve: ReserveData) -> None:
    """aToken transfers are refused while the reserve is paused."""
    if reserve.configuration.data & _PAUSED:
        raise _fail(ErrorCode.RESERVE_PAUSED)


def validate_drop_reserve(state: PoolState, asset: Address) -> None:
    """Listed, and nothing supplied, borrowed or owed to the treasury."""
    reserve = state.reserves.get(asset)
    if reserve is None:
        raise _fail(ErrorCode.ASSET_NOT_LISTED, asset=asset)
    if state.s_tokens[asset].total_supply() != 0:
        raise _fail(ErrorCode.STABLE_DEBT_NOT_ZERO)
    if state.v_tokens[asset].total_supply() != 0:
        raise _fail(ErrorCode.VARIABLE_DEBT_SUPPLY_NOT_ZERO)
    if state.a_tokens[asset].total_supply() != 0 or reserve.accrued_to_treasury != 0:
        raise _fail(ErrorCode.UNDERLYING_CLAIMABLE_RIGHTS_NOT_ZERO)


def validate_set_user_emode(
    state: PoolState, user_config: UserConfigurationMap, category_id: int
) -> None:
    """The category exists (threshold != 0) or is 0; every borrowed asset is in it."""
    if category_id != 0:
        category = state.emode_categories.get(category_id)
        if category is None or category.liquidation_threshold == 0:
            raise _fail(ErrorCode.INCONSISTENT_EMODE_CATEGORY, category=category_id)
    data = user_config.data
    if data == 0 or category_id == 0:
        return
    reserves_list = state.reserves_list
    for reserve_id in range(state.reserves_count):
        if (data >> (reserve_id << 1)) & 1:
            asset = reserves_list.get(reserve_id)
            asset_category = (
                0 if asset is None else state.reserves[asset].configuration.get_emode_category()
            )
            if asset_category != category_id:
                raise _fail(ErrorCode.INCONSISTENT_EMODE_CATEGORY, category=category_id)


def validate_use_as_collateral(
    state: PoolState, user_config: UserConfigurationMap, reserve_config: ReserveConfigurationMap
) -> bool:
    """LTV 0: no. No collateral yet: yes. Else only outside isolation, for an asset without
    a debt ceiling."""
    if reserve_config.get_ltv() == 0:
        return False
    if not user_config.is_using_as_collateral_any():
        return True
    isolated, _, _ = get_isolation_mode_state(state, user_config)
    return not isolated and reserve_config.get_debt_ceiling() == 0


def validate_automatic_use_as_collateral(
    state: PoolState,
    user_config: UserConfigurationMap,
    reserve_config: ReserveConfigurationMap,
    sender: Address,
) -> bool:
    """As `validate_use_as_collateral`, but an asset with a debt ceiling becomes collateral
    as a side effect only when `sender` (the contract's msg.sender) holds the
    ISOLATED_COLLATERAL_SUPPLIER role."""
    if reserve_config.get_debt_ceiling() != 0 and not state.acl.has_role(
        ISOLATED_COLLATERAL_SUPPLIER, sender
    ):
        return False
    return validate_use_as_collateral(state, user_config, reserve_config)
