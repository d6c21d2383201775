"""The Pool's `liquidationCall`, `flashLoan` and `flashLoanSimple`, as a mixin of `Pool`.

Each checks its arguments as the ABI decoder would (uint256 amounts, a bool, uint16 referral
codes), then runs its logic module (`liquidation_logic`, `flash_loan_logic`) inside the Pool's
`Atomic`: a failure at any step, a receiver's callback included, undoes every write the call
made. `sender` is the caller (the liquidator; the flash loan's initiator).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint, check_uint256
from sparkprime.protocols.sparklend import flash_loan_logic, liquidation_logic
from sparkprime.protocols.sparklend.flash_loan_logic import (
    FlashLoanReceiver,
    FlashLoanSimpleReceiver,
)
from sparkprime.protocols.sparklend.liquidation_logic import LiquidationCallResult
from sparkprime.protocols.sparklend.state import PoolState

__all__ = ["FlashLoanAndLiquidationEntryPoints"]

_R = TypeVar("_R")


def _bool(value: object, field: str) -> bool:
    if type(value) is not bool:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="bool", got=type(value).__name__
        )
    return value


def _bytes(value: object, field: str) -> bytes:
    if not isinstance(value, bytes):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="bytes", got=type(value).__name__
        )
    return value


def _uints(values: Sequence[object], field: str) -> tuple[int, ...]:
    return tuple(check_uint256(v, field=field) for v in values)


class FlashLoanAndLiquidationEntryPoints:
    """Pool.sol's `liquidationCall`, `flashLoan` and `flashLoanSimple`."""

    __slots__ = ()

    _state: PoolState

    if TYPE_CHECKING:

        def _atomically(self, fn: Callable[..., _R], *args: object, **kwargs: object) -> _R: ...

    def liquidation_call(
        self,
        collateral_asset: Address,
        debt_asset: Address,
        user: Address,
        debt_to_cover: int,
        receive_a_token: bool,
        *,
        sender: Address,
    ) -> LiquidationCallResult:
        """Repay up to `debt_to_cover` of `user`'s `debt_asset` debt (uint256.max: as much as
        the close factor allows) with `sender`'s tokens and take `user`'s `collateral_asset`
        plus the bonus, as aTokens (`receive_a_token`) or underlying."""
        debt_to_cover = check_uint256(debt_to_cover, field="debt_to_cover")
        receive_a_token = _bool(receive_a_token, "receive_a_token")
        return self._atomically(
            liquidation_logic.execute_liquidation_call,
            self._state,
            collateral_asset=collateral_asset,
            debt_asset=debt_asset,
            user=user,
            debt_to_cover=debt_to_cover,
            receive_a_token=receive_a_token,
            liquidator=sender,
        )

    def flash_loan(  # noqa: PLR0917 - IPool.flashLoan's signature
        self,
        receiver: FlashLoanReceiver,
        assets: Sequence[Address],
        amounts: Sequence[int],
        interest_rate_modes: Sequence[int],
        on_behalf_of: Address,
        params: bytes,
        referral_code: int,
        *,
        sender: Address,
    ) -> None:
        """Lend `amounts` of `assets` to `receiver` for the length of its callback; each
        comes back with its premium (waived for a FLASH_BORROWER `sender`). Any non-zero
        interest rate mode reverts `FLASHLOAN_INTO_BORROW_DEPRECATED` (SparkLend);
        `on_behalf_of` only mattered for that removed borrow path."""
        amounts_ = _uints(amounts, "amounts")
        modes = _uints(interest_rate_modes, "interest_rate_modes")
        params = _bytes(params, "params")
        check_uint(referral_code, field="referral_code", bits=16)
        self._atomically(
            flash_loan_logic.execute_flash_loan,
            self._state,
            receiver,
            tuple(assets),
            amounts_,
            modes,
            params,
            sender,
        )

    def flash_loan_simple(
        self,
        receiver: FlashLoanSimpleReceiver,
        asset: Address,
        amount: int,
        params: bytes,
        referral_code: int,
        *,
        sender: Address,
    ) -> None:
        """Lend `amount` of `asset` to `receiver` for its callback; it comes back with the
        premium (never waived here)."""
        amount = check_uint256(amount, field="amount")
        params = _bytes(params, "params")
        check_uint(referral_code, field="referral_code", bits=16)
        self._atomically(
            flash_loan_logic.execute_flash_loan_simple,
            self._state,
            receiver,
            asset,
            amount,
            params,
            sender,
        )
