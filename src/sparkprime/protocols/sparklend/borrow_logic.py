"""`BorrowLogic.sol`: borrow and repay (variable rate; stable borrowing is off on Spark).

A borrow mints variable debt to `on_behalf_of` (spending `user`'s credit delegation when they
differ), counts isolated debt, updates the rates and sends the underlying to `user`. A
repayment burns debt, updates the rates, clears the borrowing bit when the debt is gone,
lowers isolated debt and pulls the underlying (or burns the payer's aTokens). Steps run in
the contract's order inside the Pool's `Atomic`.

In `DIRECTED` mode (the rounding-mitigation upgrade) a repayment with aTokens then clears the
payer's collateral bit once their scaled balance is 0 and checks the health factor
(sparklend-v1-core ec84c2c6; sparklend-testing HEAD RepayWithATokens test 17). The same
revision checks the health factor after a borrow too, but sparklend-testing HEAD's Borrow
suite borrows up to LTV = liquidation threshold and expects success with the debt rounded up,
which that check would refuse: it is not modelled.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.sparklend.isolation_mode_logic import (
    add_isolated_debt,
    get_isolation_mode_state,
    update_isolated_debt_if_isolated,
)
from sparkprime.protocols.sparklend.reserve_logic import cache, update_interest_rates, update_state
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.supply_logic import listed_reserve
from sparkprime.protocols.sparklend.tokens import AToken
from sparkprime.protocols.sparklend.types import InterestRateMode
from sparkprime.protocols.sparklend.validation_logic import (
    validate_borrow,
    validate_health_factor,
    validate_repay,
)

__all__ = ["execute_borrow", "execute_repay"]

_MAX: Final = UINT256_MAX
_STABLE: Final = InterestRateMode.STABLE


def execute_borrow(
    state: PoolState,
    asset: Address,
    *,
    user: Address,
    on_behalf_of: Address,
    amount: int,
    interest_rate_mode: InterestRateMode,
    release_underlying: bool = True,
) -> None:
    """`BorrowLogic.executeBorrow` with `user` = msg.sender."""
    reserve = listed_reserve(state, asset)
    v_token = state.v_tokens[asset]
    s_token = state.s_tokens[asset]
    c = cache(reserve, v_token, s_token)
    update_state(reserve, c, state.clock.now, state.atomic)
    user_config = state.user_config(on_behalf_of)
    isolated, isolation_collateral, ceiling = get_isolation_mode_state(state, user_config)
    validate_borrow(
        state,
        c,
        asset=asset,
        user=on_behalf_of,
        user_config=user_config,
        amount=amount,
        interest_rate_mode=interest_rate_mode,
        emode_category=state.users_emode.get(on_behalf_of, 0),
        isolation_mode_active=isolated,
        isolation_mode_collateral=isolation_collateral,
        isolation_mode_debt_ceiling=ceiling,
    )
    if interest_rate_mode == _STABLE:
        is_first, c.next_total_stable_debt, c.next_avg_stable_borrow_rate = s_token.mint(
            user, on_behalf_of, amount, reserve.current_stable_borrow_rate, sender=state.address
        )
    else:
        is_first, c.next_scaled_variable_debt = v_token.mint(
            user, on_behalf_of, amount, c.next_variable_borrow_index, sender=state.address
        )
    if is_first:
        state.set_user_config(on_behalf_of, user_config.set_borrowing(reserve.id, True))
    if isolated and isolation_collateral is not None:
        add_isolated_debt(state, isolation_collateral, amount, c.reserve_configuration)
    a_token = state.a_tokens[asset]
    update_interest_rates(
        reserve,
        c,
        liquidity_added=0,
        liquidity_taken=amount if release_underlying else 0,
        underlying_balance=state.underlyings[asset].balance_of(a_token.address),
        atomic=state.atomic,
    )
    if release_underlying:
        a_token.transfer_underlying_to(user, amount, sender=state.address)


def execute_repay(
    state: PoolState,
    asset: Address,
    *,
    amount: int,
    interest_rate_mode: InterestRateMode,
    on_behalf_of: Address,
    sender: Address,
    use_a_tokens: bool,
) -> int:
    """`BorrowLogic.executeRepay` with msg.sender = `sender`; returns the amount repaid."""
    reserve = listed_reserve(state, asset)
    v_token = state.v_tokens[asset]
    s_token = state.s_tokens[asset]
    a_token = state.a_tokens[asset]
    c = cache(reserve, v_token, s_token)
    update_state(reserve, c, state.clock.now, state.atomic)
    stable_debt = s_token.balance_of(on_behalf_of)
    variable_debt = v_token.balance_of(on_behalf_of)
    validate_repay(
        c,
        amount_sent=amount,
        interest_rate_mode=interest_rate_mode,
        on_behalf_of=on_behalf_of,
        sender=sender,
        stable_debt=stable_debt,
        variable_debt=variable_debt,
    )
    payback = stable_debt if interest_rate_mode == _STABLE else variable_debt
    if use_a_tokens and amount == _MAX:
        amount = a_token.balance_of(sender)
    payback = min(amount, payback)
    if interest_rate_mode == _STABLE:
        c.next_total_stable_debt, c.next_avg_stable_borrow_rate = s_token.burn(
            on_behalf_of, payback, sender=state.address
        )
    else:
        c.next_scaled_variable_debt = v_token.burn(
            on_behalf_of, payback, c.next_variable_borrow_index, sender=state.address
        )
    underlying = state.underlyings[asset]
    update_interest_rates(
        reserve,
        c,
        liquidity_added=0 if use_a_tokens else payback,
        liquidity_taken=0,
        underlying_balance=underlying.balance_of(a_token.address),
        atomic=state.atomic,
    )
    user_config = state.user_config(on_behalf_of)
    if stable_debt + variable_debt - payback == 0:
        user_config = user_config.set_borrowing(reserve.id, False)
        state.set_user_config(on_behalf_of, user_config)
    update_isolated_debt_if_isolated(state, user_config, c.reserve_configuration, payback)
    if use_a_tokens:
        a_token.burn(sender, a_token.address, payback, c.next_liquidity_index, sender=state.address)
        if state.math.directed:
            _after_directed_a_token_repayment(state, reserve.id, a_token, sender, on_behalf_of)
    else:
        underlying.transfer_from(sender, a_token.address, payback, sender=state.address)
        a_token.handle_repayment(sender, on_behalf_of, payback, sender=state.address)
    return payback


def _after_directed_a_token_repayment(
    state: PoolState, reserve_id: int, a_token: AToken, payer: Address, on_behalf_of: Address
) -> None:
    payer_config = state.user_config(payer)
    if payer_config.is_using_as_collateral(reserve_id) and a_token.scaled_balance_of(payer) == 0:
        state.set_user_config(payer, payer_config.set_using_as_collateral(reserve_id, False))
    validate_health_factor(
        state,
        state.user_config(on_behalf_of),
        on_behalf_of,
        state.users_emode.get(on_behalf_of, 0),
    )
