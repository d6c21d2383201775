"""spPRIME's ERC-20 surface: balances, allowances, `approve`, `transfer`, `transfer_from`.

A mixin of `SparkPrimeVault` (source: see `spprime`). The contract's own checks, in its order:
a transfer to address(0) is refused ("SparkPrimeVault/invalid-address"), then the balance
("insufficient-balance"), then the allowance ("insufficient-allowance"); an allowance of
2**256 - 1 is never spent and an owner needs none for itself. The vault's own balance holds
the redeem escrow; minting and burning are the vault's (`spprime`). Every write goes through
the chain's `Atomic`.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.savings.erc4626 import ZERO_ADDRESS
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["SparkPrimeShares"]

_P: Final = "SparkPrimeVault/"  # the contract's revert-string prefix


class SparkPrimeShares:
    """spPRIME balances and allowances (state set up by `SparkPrimeCore.__init__`)."""

    atomic: Atomic
    events: EventLog
    _balances: dict[Address, int]
    _allowances: dict[tuple[Address, Address], int]

    def balance_of(self, account: Address) -> int:
        """`account`'s spPRIME (the vault's own balance holds the redeem escrow)."""
        return self._balances.get(account, 0)

    def allowance(self, owner: Address, spender: Address) -> int:
        """spPRIME `spender` may still move from `owner`."""
        return self._allowances.get((owner, spender), 0)

    def approve(self, spender: Address, amount: int, *, sender: Address) -> bool:
        """Let `spender` move up to `amount` of `sender`'s spPRIME."""
        amount = check_uint256(amount, field="amount")
        transact(self.atomic, self.atomic.set_item, self._allowances, (sender, spender), amount)
        return True

    def transfer(self, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` spPRIME from `sender` to `to` (not address(0))."""
        amount = check_uint256(amount, field="amount")
        self._check_to(to)
        transact(self.atomic, self._transfer, sender, to, amount)
        return True

    def transfer_from(self, from_: Address, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` of `from_`'s spPRIME to `to`, spending `sender`'s allowance."""
        amount = check_uint256(amount, field="amount")
        self._check_to(to)
        self._check_balance(from_, amount)
        allowed = self.allowance(from_, sender)
        if from_ != sender and allowed != UINT256_MAX and allowed < amount:
            raise ProtocolError(
                ErrorCode.SPPRIME_INSUFFICIENT_ALLOWANCE,
                owner=from_,
                spender=sender,
                allowance=allowed,
                amount=amount,
                reason=_P + "insufficient-allowance",
            )
        transact(self.atomic, self._transfer_from, from_, to, amount, sender, allowed)
        return True

    def _transfer_from(
        self, from_: Address, to: Address, amount: int, sender: Address, allowed: int
    ) -> None:
        if from_ != sender and allowed != UINT256_MAX:
            self.atomic.set_item(self._allowances, (from_, sender), allowed - amount)
        self._transfer(from_, to, amount)

    def _transfer(self, from_: Address, to: Address, amount: int) -> None:
        balance = self._check_balance(from_, amount)
        self.atomic.set_item(self._balances, from_, balance - amount)
        self.atomic.set_item(self._balances, to, self.balance_of(to) + amount)
        self.events.emit(self.atomic, "Transfer", from_, to, amount)

    def _check_balance(self, account: Address, amount: int) -> int:
        balance = self.balance_of(account)
        if balance < amount:
            raise ProtocolError(
                ErrorCode.SPPRIME_INSUFFICIENT_BALANCE,
                account=account,
                balance=balance,
                amount=amount,
                reason=_P + "insufficient-balance",
            )
        return balance

    def _check_to(self, to: Address) -> None:
        if to == ZERO_ADDRESS:
            raise ProtocolError(ErrorCode.SPPRIME_INVALID_ADDRESS, reason=_P + "invalid-address")
