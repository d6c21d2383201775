"""`EModeLogic.sol`: a user's choice of efficiency-mode category.

A user may pick category 0 (none) or any category with a non-zero liquidation threshold,
provided every asset they borrow belongs to it; leaving a non-zero category must keep their
health factor >= 1 under the new category's parameters.
"""

from __future__ import annotations

from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.types import EModeCategory
from sparkprime.protocols.sparklend.validation_logic import (
    validate_health_factor,
    validate_set_user_emode,
)

__all__ = ["execute_set_user_emode", "get_emode_configuration", "is_in_emode_category"]


def execute_set_user_emode(state: PoolState, category_id: int, sender: Address) -> None:
    """`EModeLogic.executeSetUserEMode` for msg.sender = `sender`."""
    user_config = state.user_config(sender)
    validate_set_user_emode(state, user_config, category_id)
    previous = state.users_emode.get(sender, 0)
    if category_id == 0:
        state.atomic.del_item(state.users_emode, sender)
    else:
        state.atomic.set_item(state.users_emode, sender, category_id)
    if previous != 0:
        validate_health_factor(state, user_config, sender, category_id)


def get_emode_configuration(state: PoolState, category: EModeCategory) -> tuple[int, int, int]:
    """(ltv, liquidation threshold, price of the category's price source or 0)."""
    price = 0
    if category.price_source is not None:
        price = state.oracle.get_asset_price(category.price_source)
    return category.ltv, category.liquidation_threshold, price


def is_in_emode_category(user_emode_category: int, asset_emode_category: int) -> bool:
    """The user is in a category and the asset belongs to it."""
    return user_emode_category != 0 and asset_emode_category == user_emode_category
