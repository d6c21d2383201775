"""A flash-loan receiver that repays: sparklend-v1-core's `MockFlashLoanReceiver` and
`MockFlashLoanSimpleReceiver` (the receivers of aave-v3-core's `flashloan.spec.ts`), ported.

On the callback it checks it holds each loaned amount, mints itself each premium (the mocks'
`MintableERC20.mint`; here the ERC-20 model's faucet) and approves the Pool for amount +
premium (or `amount_to_approve`, when set), then returns True. With `fail_execution` it does
nothing and returns `not simulate_eoa`: True makes the Pool's pull-back fail for want of an
allowance, False makes the Pool revert `INVALID_FLASHLOAN_EXECUTOR_RETURN`.

One object serves both interfaces: `execute_operation` takes the `flash_loan` form (lists
of assets, amounts and premiums) or the `flash_loan_simple` form (one of each).

Example (with `pool` a `Pool` whose reserve `asset` allows flash loans):

    receiver = SimpleFlashLoanReceiver(make_addr("receiver"), pool)
    pool.flash_loan_simple(receiver, asset, 10**18, b"", 0, sender=user)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, cast, overload

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import TokenRegistry

__all__ = ["SimpleFlashLoanReceiver"]


class _PoolLike(Protocol):
    @property
    def address(self) -> Address: ...

    @property
    def registry(self) -> TokenRegistry: ...


class SimpleFlashLoanReceiver:
    """`MockFlashLoanReceiver` + `MockFlashLoanSimpleReceiver` for the `pool` given."""

    __slots__ = (
        "_address",
        "_pool",
        "amount_to_approve",
        "fail_execution",
        "simulate_eoa",
    )

    def __init__(self, address: Address, pool: _PoolLike) -> None:
        self._address = address
        self._pool = pool
        self.fail_execution = False
        self.amount_to_approve = 0
        self.simulate_eoa = False

    @property
    def address(self) -> Address:
        """The receiver's address."""
        return self._address

    def set_fail_execution_transfer(self, fail: bool) -> None:
        """`setFailExecutionTransfer`."""
        self.fail_execution = fail

    def set_amount_to_approve(self, amount: int) -> None:
        """`setAmountToApprove` (0 = amount + premium)."""
        self.amount_to_approve = amount

    def set_simulate_eoa(self, flag: bool) -> None:
        """`setSimulateEOA`."""
        self.simulate_eoa = flag

    @overload
    def execute_operation(
        self,
        assets: Sequence[Address],
        amounts: Sequence[int],
        premiums: Sequence[int],
        initiator: Address,
        params: bytes,
    ) -> bool: ...

    @overload
    def execute_operation(
        self, assets: Address, amounts: int, premiums: int, initiator: Address, params: bytes
    ) -> bool: ...

    def execute_operation(
        self,
        assets: Sequence[Address] | Address,
        amounts: Sequence[int] | int,
        premiums: Sequence[int] | int,
        initiator: Address,
        params: bytes,
    ) -> bool:
        """The callback, in either form (see the module docstring)."""
        if self.fail_execution:
            return not self.simulate_eoa
        batch: list[tuple[Address, int, int]]
        if isinstance(assets, str):  # the flashLoanSimple form
            batch = [(assets, cast(int, amounts), cast(int, premiums))]
        else:
            amounts_, premiums_ = cast(Sequence[int], amounts), cast(Sequence[int], premiums)
            batch = list(zip(assets, amounts_, premiums_, strict=True))
        registry = self._pool.registry
        for asset, amount, premium in batch:
            token = registry.get(asset)
            balance = token.balance_of(self._address)
            if amount > balance:
                raise ProtocolError(
                    ErrorCode.INSUFFICIENT_BALANCE,
                    account=self._address,
                    balance=balance,
                    amount=amount,
                    reason="Invalid balance for the contract",
                )
            token.mint(self._address, premium)
            to_return = self.amount_to_approve if self.amount_to_approve else amount + premium
            token.approve(self._pool.address, to_return, sender=self._address)
        return True
