"""The base of SparkLend's interest-bearing tokens: scaled balances and the Pool-only
mint, burn and transfer of `ScaledBalanceTokenBase` (+ IncentivizedERC20 and
MintableIncentivizedERC20).

Balances are stored scaled by the reserve's index; the subclasses (`tokens.AToken`,
`tokens.VariableDebtToken`) turn them into amounts with the Pool's `ScaledMath`. Writes go
through the Pool's `Atomic`. Solidity's checked-arithmetic panics are `MATH_OVERFLOW` with
`op=`; SafeCast's `toUint128` is `MATH_OVERFLOW` with `op="to_uint128"`. The per-user
`additionalData` (the last index, used only for events) is not kept.
"""

from __future__ import annotations

from typing import Final, Protocol

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT128_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.rounding import ScaledMath

__all__ = ["PoolForTokens", "ScaledBalanceToken", "amount_arg", "to_uint128", "underflow"]

_U128: Final = UINT128_MAX


class PoolForTokens(Protocol):
    """What the tokens call on their Pool."""

    @property
    def address(self) -> Address: ...

    def get_reserve_normalized_income(self, asset: Address) -> int: ...

    def get_reserve_normalized_variable_debt(self, asset: Address) -> int: ...

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
    ) -> None: ...


def amount_arg(value: object, field: str = "amount") -> int:
    """A uint256 argument (`INVALID_TYPE` / `VALUE_OUT_OF_RANGE` otherwise)."""
    if type(value) is not int or value < 0 or value >> 256:
        check_uint256(value, field=field)
    return value  # type: ignore[return-value]


def to_uint128(value: int, field: str) -> int:
    """SafeCast.toUint128 (`MATH_OVERFLOW`, `op="to_uint128"`)."""
    if value > _U128:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="to_uint128", field=field, value=value)
    return value


def underflow(op: str, **context: object) -> ProtocolError:
    """The error of a checked subtraction that would go below zero (a Panic on chain)."""
    return ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, **context)


class ScaledBalanceToken:
    """Scaled balances and supply, with the Pool-only mint and burn of ScaledBalanceTokenBase."""

    __slots__ = (
        "_atomic",
        "_math",
        "_scaled",
        "_total",
        "address",
        "decimals",
        "pool",
        "symbol",
        "underlying_asset",
    )

    def __init__(
        self,
        *,
        address: Address,
        pool: PoolForTokens,
        underlying_asset: Address,
        symbol: str,
        decimals: int,
        atomic: Atomic,
        math: ScaledMath,
    ) -> None:
        self.address = address
        self.pool = pool
        self.underlying_asset = underlying_asset
        self.symbol = symbol
        self.decimals = decimals
        self._atomic = atomic
        self._math = math
        self._scaled: dict[Address, int] = {}
        # The scaled total supply in a one-key dict, so the undo log restores it like a slot.
        self._total: dict[str, int] = {"s": 0}

    # --- views ---

    def scaled_balance_of(self, user: Address) -> int:
        """The stored (scaled) balance."""
        return self._scaled.get(user, 0)

    def scaled_total_supply(self) -> int:
        """The stored (scaled) total supply."""
        return self._total["s"]

    def get_scaled_user_balance_and_supply(self, user: Address) -> tuple[int, int]:
        """(scaled balance of `user`, scaled total supply)."""
        return self._scaled.get(user, 0), self._total["s"]

    def scaled_balances(self) -> dict[Address, int]:
        """A copy of every non-zero scaled balance."""
        return {u: b for u, b in self._scaled.items() if b}

    def load(self, scaled: dict[Address, int]) -> None:
        """Replace every scaled balance (restore from a snapshot; not logged)."""
        self._scaled = {Address(u): int(b) for u, b in scaled.items() if b}
        self._total = {"s": sum(self._scaled.values())}

    # --- internals shared by the tokens ---

    def _only_pool(self, sender: Address) -> None:
        if sender != self.pool.address:
            raise ProtocolError(ErrorCode.CALLER_MUST_BE_POOL, sender=sender, token=self.symbol)

    def _mint_scaled(self, on_behalf_of: Address, amount_scaled: int) -> bool:
        """Add `amount_scaled` (already checked non-zero); True if the balance was zero."""
        to_uint128(amount_scaled, "amount_scaled")
        scaled = self._scaled.get(on_behalf_of, 0)
        total = self._total["s"] + amount_scaled
        new_balance = scaled + amount_scaled
        if new_balance > _U128 or total >> 256:
            raise ProtocolError(
                ErrorCode.MATH_OVERFLOW, op="balance + amount", token=self.symbol, value=new_balance
            )
        atomic = self._atomic
        atomic.set_item(self._total, "s", total)
        atomic.set_item(self._scaled, on_behalf_of, new_balance)
        return scaled == 0

    def _burn_scaled(self, user: Address, amount_scaled: int) -> None:
        """Remove `amount_scaled` (already checked non-zero)."""
        to_uint128(amount_scaled, "amount_scaled")
        scaled = self._scaled.get(user, 0)
        total = self._total["s"]
        if amount_scaled > total:
            raise underflow("total_supply - amount", token=self.symbol)
        if amount_scaled > scaled:
            raise underflow("balance - amount", account=user, balance=scaled, amount=amount_scaled)
        atomic = self._atomic
        atomic.set_item(self._total, "s", total - amount_scaled)
        if scaled == amount_scaled:
            atomic.del_item(self._scaled, user)
        else:
            atomic.set_item(self._scaled, user, scaled - amount_scaled)

    def _move_scaled(self, from_: Address, to: Address, amount_scaled: int) -> None:
        """IncentivizedERC20._transfer on scaled balances."""
        to_uint128(amount_scaled, "amount_scaled")
        scaled = self._scaled.get(from_, 0)
        if amount_scaled > scaled:
            raise underflow("balance - amount", account=from_, balance=scaled, amount=amount_scaled)
        if from_ == to or amount_scaled == 0:
            return
        to_scaled = self._scaled.get(to, 0) + amount_scaled
        if to_scaled > _U128:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="balance + amount", value=to_scaled)
        atomic = self._atomic
        if scaled == amount_scaled:
            atomic.del_item(self._scaled, from_)
        else:
            atomic.set_item(self._scaled, from_, scaled - amount_scaled)
        atomic.set_item(self._scaled, to, to_scaled)
