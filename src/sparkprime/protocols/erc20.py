"""A plain ERC-20 token and the registry that finds a token by its address.

`Erc20` keeps balances, allowances and the total supply like OpenZeppelin's ERC20 (an
allowance of uint256.max is never spent); `mint`/`burn` are genesis and test helpers like
foundry's `deal`. It rejects what the contract would revert on:

- a balance too small for a transfer or a burn: `INSUFFICIENT_BALANCE`
  (OpenZeppelin "ERC20: transfer amount exceeds balance"; the test suites' MockERC20
  panics on the subtraction instead, the same condition);
- an allowance too small: `INSUFFICIENT_ALLOWANCE` (OpenZeppelin "ERC20: insufficient
  allowance"; MockERC20 panics on the subtraction);
- an amount that is not a uint256: `INVALID_TYPE` / `VALUE_OUT_OF_RANGE`; a total supply
  past uint256: `MATH_OVERFLOW`.

Writes go through the registry's `Atomic`, so a pool action that fails after moving tokens
leaves every balance as it was.

Example:
    >>> dai = Erc20(Address("0x" + "11" * 20), "DAI", 18)
    >>> dai.mint(Address("0x" + "aa" * 20), 5)
    >>> dai.transfer(Address("0x" + "bb" * 20), 2, sender=Address("0x" + "aa" * 20))
    True
    >>> dai.balance_of(Address("0x" + "bb" * 20))
    2
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint, check_uint256
from sparkprime.protocols.atomic import Atomic

__all__ = ["Erc20", "TokenRegistry"]

_MAX: Final = UINT256_MAX


def _amount(value: object, field: str = "amount") -> int:
    if type(value) is not int or value < 0 or value >> 256:
        check_uint256(value, field=field)
    return value  # type: ignore[return-value]


class Erc20:
    """An ERC-20 with 18 or any other number of decimals."""

    __slots__ = (
        "_allowances",
        "_atomic",
        "_balances",
        "_supply",
        "address",
        "decimals",
        "symbol",
    )

    def __init__(self, address: Address, symbol: str, decimals: int) -> None:
        self.address = address
        self.symbol = symbol
        self.decimals = check_uint(decimals, field="decimals", bits=8)
        self._balances: dict[Address, int] = {}
        self._allowances: dict[tuple[Address, Address], int] = {}
        # One-key dict so the total supply is undone like any other slot.
        self._supply: dict[str, int] = {"total": 0}
        self._atomic = Atomic()

    # --- views ---

    @property
    def total_supply(self) -> int:
        """Sum of all balances."""
        return self._supply["total"]

    def balance_of(self, account: Address) -> int:
        """`account`'s balance."""
        return self._balances.get(account, 0)

    def allowance(self, owner: Address, spender: Address) -> int:
        """What `spender` may still move from `owner`."""
        return self._allowances.get((owner, spender), 0)

    # --- ERC-20 ---

    def transfer(self, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` from `sender` to `to`."""
        self._move(sender, to, _amount(amount))
        return True

    def transfer_from(self, from_: Address, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` from `from_` to `to`, spending `sender`'s allowance."""
        amount = _amount(amount)
        key = (from_, sender)
        allowed = self._allowances.get(key, 0)
        if allowed != _MAX:
            if allowed < amount:
                raise ProtocolError(
                    ErrorCode.INSUFFICIENT_ALLOWANCE,
                    spender=sender,
                    allowance=allowed,
                    amount=amount,
                    owner=from_,
                    token=self.symbol,
                )
            self._check_balance(from_, amount)
            self._atomic.set_item(self._allowances, key, allowed - amount)
        self._move(from_, to, amount)
        return True

    def approve(self, spender: Address, amount: int, *, sender: Address) -> bool:
        """Let `spender` move up to `amount` of `sender`'s tokens."""
        self._atomic.set_item(self._allowances, (sender, spender), _amount(amount))
        return True

    # --- genesis and test helpers ---

    def mint(self, to: Address, amount: int) -> None:
        """Create `amount` tokens for `to` (a faucet, like foundry's `deal` plus supply)."""
        amount = _amount(amount)
        total = self._supply["total"] + amount
        if total > _MAX:
            raise ProtocolError(
                ErrorCode.MATH_OVERFLOW, op="erc20.mint", a=total - amount, b=amount
            )
        atomic = self._atomic
        atomic.set_item(self._supply, "total", total)
        atomic.set_item(self._balances, to, self._balances.get(to, 0) + amount)

    def burn(self, from_: Address, amount: int) -> None:
        """Destroy `amount` of `from_`'s tokens."""
        amount = _amount(amount)
        self._check_balance(from_, amount)
        atomic = self._atomic
        atomic.set_item(self._balances, from_, self._balances.get(from_, 0) - amount)
        atomic.set_item(self._supply, "total", self._supply["total"] - amount)

    def set_balance(self, account: Address, amount: int) -> None:
        """Set `account`'s balance outright, adjusting the supply (foundry `deal` with
        `adjust=true`): used to model a direct donation or a drained contract."""
        amount = _amount(amount)
        old = self._balances.get(account, 0)
        if amount >= old:
            self.mint(account, amount - old)
        else:
            self.burn(account, old - amount)

    # --- internals ---

    def _check_balance(self, account: Address, amount: int) -> None:
        balance = self._balances.get(account, 0)
        if balance < amount:
            raise ProtocolError(
                ErrorCode.INSUFFICIENT_BALANCE,
                account=account,
                balance=balance,
                amount=amount,
                token=self.symbol,
            )

    def _move(self, from_: Address, to: Address, amount: int) -> None:
        balances = self._balances
        balance = balances.get(from_, 0)
        if balance < amount:
            raise ProtocolError(
                ErrorCode.INSUFFICIENT_BALANCE,
                account=from_,
                balance=balance,
                amount=amount,
                token=self.symbol,
            )
        if from_ == to or amount == 0:
            return
        atomic = self._atomic
        atomic.set_item(balances, from_, balance - amount)
        atomic.set_item(balances, to, balances.get(to, 0) + amount)

    def balances(self) -> dict[Address, int]:
        """A copy of every non-zero balance (for snapshots and invariant checks)."""
        return {a: b for a, b in self._balances.items() if b}

    def allowances(self) -> dict[tuple[Address, Address], int]:
        """A copy of every non-zero allowance."""
        return {k: v for k, v in self._allowances.items() if v}

    def load(
        self,
        balances: dict[Address, int],
        allowances: dict[tuple[Address, Address], int],
    ) -> None:
        """Replace the whole state (restore from a snapshot; not logged)."""
        self._balances = dict(balances)
        self._allowances = dict(allowances)
        self._supply = {"total": sum(self._balances.values())}

    def __repr__(self) -> str:
        return f"Erc20({self.symbol}, {self.address}, decimals={self.decimals})"


class TokenRegistry:
    """Address → token, so a model can call `IERC20(asset).balanceOf(x)` by address.

    Tokens registered here share the registry's `Atomic`.
    """

    __slots__ = ("_tokens", "atomic")

    def __init__(self, atomic: Atomic | None = None) -> None:
        self.atomic = atomic if atomic is not None else Atomic()
        self._tokens: dict[Address, Erc20] = {}

    def register(self, token: Erc20) -> Erc20:
        """Add `token`; an address can be registered once."""
        if token.address in self._tokens:
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="address",
                value=token.address,
                reason="a token is already registered at this address",
            )
        token._atomic = self.atomic
        self._tokens[token.address] = token
        return token

    def get(self, address: Address) -> Erc20:
        """The token at `address`."""
        token = self._tokens.get(address)
        if token is None:
            raise ProtocolError(
                ErrorCode.INVALID_ID, field="asset", value=address, reason="no token at address"
            )
        return token

    def __contains__(self, address: object) -> bool:
        return address in self._tokens

    def addresses(self) -> list[Address]:
        """Registered addresses, in registration order."""
        return list(self._tokens)
