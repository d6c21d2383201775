"""`SupplyLogic.sol`: supply, withdraw, aToken transfers and the collateral switch.

Each function runs the contract's steps in the contract's order (accrue, validate, rates,
token moves, configuration bits, and the post-action health-factor checks of withdraw,
transfer and disabling a collateral). The Pool runs each call inside its `Atomic`, so a check
that fails after a write still leaves nothing changed.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.sparklend.reserve_logic import cache, update_interest_rates, update_state
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.types import ReserveData
from sparkprime.protocols.sparklend.validation_logic import (
    validate_automatic_use_as_collateral,
    validate_hf_and_ltv,
    validate_set_use_reserve_as_collateral,
    validate_supply,
    validate_transfer,
    validate_use_as_collateral,
    validate_withdraw,
)

__all__ = [
    "execute_finalize_transfer",
    "execute_supply",
    "execute_use_reserve_as_collateral",
    "execute_withdraw",
    "listed_reserve",
]

_MAX: Final = UINT256_MAX


def listed_reserve(state: PoolState, asset: Address) -> ReserveData:
    """The reserve of `asset`; an unlisted asset is `ASSET_NOT_LISTED` (the contract would
    revert without a reason when it calls the missing debt token)."""
    reserve = state.reserves.get(asset)
    if reserve is None:
        raise ProtocolError(ErrorCode.ASSET_NOT_LISTED, asset=asset)
    return reserve


def execute_supply(
    state: PoolState, asset: Address, amount: int, on_behalf_of: Address, sender: Address
) -> None:
    """Pull `amount` of `asset` from `sender` and mint aTokens to `on_behalf_of`; a first
    supply turns the asset on as collateral when it may be."""
    reserve = listed_reserve(state, asset)
    a_token = state.a_tokens[asset]
    c = cache(reserve, state.v_tokens[asset], state.s_tokens[asset])
    update_state(reserve, c, state.clock.now, state.atomic)
    validate_supply(c, reserve, amount, a_token.scaled_total_supply())
    underlying = state.underlyings[asset]
    update_interest_rates(
        reserve,
        c,
        liquidity_added=amount,
        liquidity_taken=0,
        underlying_balance=underlying.balance_of(a_token.address),
        atomic=state.atomic,
    )
    underlying.transfer_from(sender, a_token.address, amount, sender=state.address)
    is_first_supply = a_token.mint(
        sender, on_behalf_of, amount, c.next_liquidity_index, sender=state.address
    )
    if is_first_supply:
        user_config = state.user_config(on_behalf_of)
        if validate_automatic_use_as_collateral(
            state, user_config, c.reserve_configuration, sender
        ):
            state.set_user_config(
                on_behalf_of, user_config.set_using_as_collateral(reserve.id, True)
            )


def execute_withdraw(
    state: PoolState, asset: Address, amount: int, to: Address, sender: Address
) -> int:
    """Burn `sender`'s aTokens and send the underlying to `to`; uint256.max withdraws the
    whole balance. Returns the amount withdrawn."""
    reserve = listed_reserve(state, asset)
    a_token = state.a_tokens[asset]
    c = cache(reserve, state.v_tokens[asset], state.s_tokens[asset])
    update_state(reserve, c, state.clock.now, state.atomic)
    user_balance = state.math.a_balance(a_token.scaled_balance_of(sender), c.next_liquidity_index)
    amount_to_withdraw = user_balance if amount == _MAX else amount
    validate_withdraw(c, amount_to_withdraw, user_balance)
    underlying = state.underlyings[asset]
    update_interest_rates(
        reserve,
        c,
        liquidity_added=0,
        liquidity_taken=amount_to_withdraw,
        underlying_balance=underlying.balance_of(a_token.address),
        atomic=state.atomic,
    )
    user_config = state.user_config(sender)
    is_collateral = user_config.is_using_as_collateral(reserve.id)
    if is_collateral and amount_to_withdraw == user_balance:
        user_config = user_config.set_using_as_collateral(reserve.id, False)
        state.set_user_config(sender, user_config)
    a_token.burn(sender, to, amount_to_withdraw, c.next_liquidity_index, sender=state.address)
    if is_collateral and user_config.is_borrowing_any():
        validate_hf_and_ltv(state, user_config, asset, sender, state.users_emode.get(sender, 0))
    return amount_to_withdraw


def execute_finalize_transfer(
    state: PoolState,
    asset: Address,
    *,
    from_: Address,
    to: Address,
    amount: int,
    balance_from_before: int,
    balance_to_before: int,
    caller: Address,
) -> None:
    """After an aToken transfer: the sender's HF check and collateral bit, the receiver's
    automatic collateral (`caller` is the contract's msg.sender, the aToken)."""
    reserve = state.reserves[asset]
    validate_transfer(reserve)
    reserve_id = reserve.id
    if from_ == to or amount == 0:
        return
    from_config = state.user_config(from_)
    if from_config.is_using_as_collateral(reserve_id):
        if from_config.is_borrowing_any():
            validate_hf_and_ltv(state, from_config, asset, from_, state.users_emode.get(from_, 0))
        if balance_from_before == amount:
            state.set_user_config(from_, from_config.set_using_as_collateral(reserve_id, False))
    if balance_to_before == 0:
        to_config = state.user_config(to)
        if validate_automatic_use_as_collateral(state, to_config, reserve.configuration, caller):
            state.set_user_config(to, to_config.set_using_as_collateral(reserve_id, True))


def execute_use_reserve_as_collateral(
    state: PoolState, asset: Address, use_as_collateral: bool, sender: Address
) -> None:
    """Turn `asset` on or off as `sender`'s collateral; turning it off must keep HF >= 1."""
    reserve = listed_reserve(state, asset)
    c = cache(reserve, state.v_tokens[asset], state.s_tokens[asset])
    user_balance = state.a_tokens[asset].balance_of(sender)
    validate_set_use_reserve_as_collateral(c, user_balance)
    user_config = state.user_config(sender)
    if use_as_collateral == user_config.is_using_as_collateral(reserve.id):
        return
    if use_as_collateral:
        if not validate_use_as_collateral(state, user_config, c.reserve_configuration):
            raise ProtocolError(ErrorCode.USER_IN_ISOLATION_MODE_OR_LTV_ZERO, asset=asset)
        state.set_user_config(sender, user_config.set_using_as_collateral(reserve.id, True))
    else:
        user_config = user_config.set_using_as_collateral(reserve.id, False)
        state.set_user_config(sender, user_config)
        validate_hf_and_ltv(state, user_config, asset, sender, state.users_emode.get(sender, 0))
