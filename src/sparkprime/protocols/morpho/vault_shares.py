"""The ERC-20 share token under MetaMorpho: OpenZeppelin v5 `ERC20` semantics.

- `_mint` to the zero address: `ERC20InvalidReceiver(0)` (`METAMORPHO_ZERO_ADDRESS`);
- a balance too small for a burn or transfer: `ERC20InsufficientBalance(sender, balance,
  needed)` (`INSUFFICIENT_BALANCE`, the code the chain's `Erc20` uses);
- an allowance too small: `ERC20InsufficientAllowance(spender, allowance, needed)`
  (`INSUFFICIENT_ALLOWANCE`); an allowance of 2**256 - 1 is never spent;
- transfers to or from the zero address: `ERC20InvalidReceiver` / `ERC20InvalidSender`.

Writes go through the chain's `Atomic`.

Example:
    >>> from sparkprime.protocols.atomic import Atomic
    >>> t = ShareToken(Atomic())
    >>> t._mint(Address("0x" + "aa" * 20), 5)
    >>> t.total_supply
    5
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["ShareToken"]

_MAX: Final = UINT256_MAX


class ShareToken:
    """Balances, allowances and total supply of the vault's shares."""

    def __init__(self, atomic: Atomic) -> None:
        self.atomic = atomic
        self._balances: dict[Address, int] = {}
        self._allowances: dict[tuple[Address, Address], int] = {}
        self._supply: dict[str, int] = {"total": 0}

    @property
    def total_supply(self) -> int:
        """Total shares."""
        return self._supply["total"]

    def balance_of(self, account: Address) -> int:
        """`account`'s shares."""
        return self._balances.get(account, 0)

    def allowance(self, owner: Address, spender: Address) -> int:
        """Shares `spender` may still move from `owner`."""
        return self._allowances.get((owner, spender), 0)

    def approve(self, spender: Address, amount: int, *, sender: Address) -> bool:
        """Let `spender` move up to `amount` of `sender`'s shares."""
        if spender == ZERO_ADDRESS:
            raise ProtocolError(
                ErrorCode.METAMORPHO_ZERO_ADDRESS, field="spender", reason="ERC20InvalidSpender"
            )
        self.atomic.set_item(
            self._allowances, (sender, spender), check_uint256(amount, field="amount")
        )
        return True

    def transfer(self, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` shares from `sender` to `to`."""
        return transact(self.atomic, self._transfer, sender, to, amount)

    def transfer_from(self, from_: Address, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` of `from_`'s shares to `to`, spending `sender`'s allowance."""
        return transact(self.atomic, self._transfer_from, from_, to, amount, sender)

    def _transfer_from(self, from_: Address, to: Address, amount: int, spender: Address) -> bool:
        self._spend_allowance(from_, spender, check_uint256(amount, field="amount"))
        return self._transfer(from_, to, amount)

    def _transfer(self, from_: Address, to: Address, amount: int) -> bool:
        amount = check_uint256(amount, field="amount")
        if ZERO_ADDRESS in (from_, to):
            which = "ERC20InvalidSender" if from_ == ZERO_ADDRESS else "ERC20InvalidReceiver"
            raise ProtocolError(ErrorCode.METAMORPHO_ZERO_ADDRESS, field="to", reason=which)
        balance = self._check_balance(from_, amount)
        self.atomic.set_item(self._balances, from_, balance - amount)
        self.atomic.set_item(self._balances, to, self.balance_of(to) + amount)
        return True

    def _check_balance(self, account: Address, amount: int) -> int:
        balance = self.balance_of(account)
        if balance < amount:
            raise ProtocolError(
                ErrorCode.INSUFFICIENT_BALANCE,
                account=account,
                balance=balance,
                amount=amount,
                reason="ERC20InsufficientBalance",
            )
        return balance

    def _spend_allowance(self, owner: Address, spender: Address, amount: int) -> None:
        allowed = self.allowance(owner, spender)
        if allowed != _MAX:
            if allowed < amount:
                raise ProtocolError(
                    ErrorCode.INSUFFICIENT_ALLOWANCE,
                    spender=spender,
                    allowance=allowed,
                    amount=amount,
                    owner=owner,
                    reason="ERC20InsufficientAllowance",
                )
            self.atomic.set_item(self._allowances, (owner, spender), allowed - amount)

    def _mint(self, to: Address, shares: int) -> None:
        if to == ZERO_ADDRESS:
            raise ProtocolError(
                ErrorCode.METAMORPHO_ZERO_ADDRESS, field="receiver", reason="ERC20InvalidReceiver"
            )
        total = self._supply["total"] + shares
        if total > _MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="mint", a=total - shares, b=shares)
        self.atomic.set_item(self._supply, "total", total)
        self.atomic.set_item(self._balances, to, self.balance_of(to) + shares)

    def _burn(self, owner: Address, shares: int) -> None:
        balance = self._check_balance(owner, shares)
        self.atomic.set_item(self._balances, owner, balance - shares)
        self.atomic.set_item(self._supply, "total", self._supply["total"] - shares)
