"""The ERC-4626 surface shared by sDAI and sUSDS, with their exact rounding.

Shares are priced by the rate accumulator `chi` (ray). With `chi_now` the accumulator as a
drip at this second would leave it:

- `convert_to_shares = preview_deposit = deposit`: assets * RAY // chi (down);
- `convert_to_assets = preview_redeem = redeem`: shares * chi // RAY (down);
- `preview_mint = mint`: divup(shares * chi, RAY) (up);
- `preview_withdraw = withdraw`: divup(assets * RAY, chi) (up);
- `max_deposit = max_mint = 2**256 - 1`, `max_withdraw = convert_to_assets(balance)`,
  `max_redeem = balance`, `total_assets = convert_to_assets(total_supply)`.

so rounding never favours the caller. Views compute `chi_now` without writing; the mutating
calls drip first. A receiver that is the zero address or the vault itself is rejected
(`SAVINGS_INVALID_ADDRESS`); a short share balance or allowance is
`SAVINGS_INSUFFICIENT_BALANCE` / `SAVINGS_INSUFFICIENT_ALLOWANCE`. The share token is an
ERC-20 (transfer, approve, transfer_from; an allowance of 2**256 - 1 is never spent).

Every call is all-or-nothing through the `Atomic` the vault shares with its asset token.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["ZERO_ADDRESS", "SavingsVault", "divup"]

ZERO_ADDRESS: Final = Address("0x" + "00" * 20)
_MAX: Final = UINT256_MAX


def divup(x: int, y: int) -> int:
    """The contracts' `_divup`: x ? (x - 1) // y + 1 : 0."""
    return (x - 1) // y + 1 if x else 0


def _mul(a: int, b: int, op: str) -> int:
    p = a * b
    if p > _MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, a=a, b=b)
    return p


class SavingsVault:
    """An ERC-4626 vault over `asset`, priced by a ray accumulator; subclasses say how chi
    grows and where the assets go."""

    def __init__(self, asset: Erc20, clock: Clock, *, address: Address, atomic: Atomic) -> None:
        self.asset = asset
        self.clock = clock
        self.address = address
        self.atomic = atomic
        self._balances: dict[Address, int] = {}
        self._allowances: dict[tuple[Address, Address], int] = {}
        self._supply: dict[str, int] = {"total": 0}

    # --- what a subclass supplies ---

    def chi_now(self) -> int:
        """The accumulator a drip now would give, without writing."""
        raise NotImplementedError

    def _drip(self) -> int:
        """Drip and return chi."""
        raise NotImplementedError

    def _take(self, assets: int, shares: int, sender: Address) -> None:
        """Pull `assets` from `sender` into the vault."""
        self.asset.transfer_from(sender, self.address, assets, sender=self.address)

    def _give(self, assets: int, shares: int, receiver: Address) -> None:
        """Pay `assets` out to `receiver`."""
        self.asset.transfer(receiver, assets, sender=self.address)

    # --- ERC-20 views ---

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

    # --- ERC-4626 views ---

    def total_assets(self) -> int:
        """convert_to_assets(total_supply)."""
        return self.convert_to_assets(self.total_supply)

    def convert_to_shares(self, assets: int) -> int:
        """assets * RAY // chi_now (down)."""
        return _mul(check_uint256(assets, field="assets"), RAY, "convertToShares") // self.chi_now()

    def convert_to_assets(self, shares: int) -> int:
        """shares * chi_now // RAY (down)."""
        return _mul(check_uint256(shares, field="shares"), self.chi_now(), "convertToAssets") // RAY

    def preview_deposit(self, assets: int) -> int:
        """Shares a deposit of `assets` mints now (down)."""
        return self.convert_to_shares(assets)

    def preview_mint(self, shares: int) -> int:
        """Assets a mint of `shares` takes now (up)."""
        return divup(
            _mul(check_uint256(shares, field="shares"), self.chi_now(), "previewMint"), RAY
        )

    def preview_withdraw(self, assets: int) -> int:
        """Shares a withdrawal of `assets` burns now (up)."""
        chi = self.chi_now()
        return divup(_mul(check_uint256(assets, field="assets"), RAY, "previewWithdraw"), chi)

    def preview_redeem(self, shares: int) -> int:
        """Assets a redemption of `shares` pays now (down)."""
        return self.convert_to_assets(shares)

    def max_deposit(self, receiver: Address) -> int:
        """No limit."""
        return _MAX

    def max_mint(self, receiver: Address) -> int:
        """No limit."""
        return _MAX

    def max_withdraw(self, owner: Address) -> int:
        """convert_to_assets(balance_of(owner))."""
        return self.convert_to_assets(self.balance_of(owner))

    def max_redeem(self, owner: Address) -> int:
        """balance_of(owner)."""
        return self.balance_of(owner)

    # --- ERC-4626 actions ---

    def drip(self) -> int:
        """Accrue the savings rate; return chi."""
        return transact(self.atomic, self._drip)

    def deposit(self, assets: int, receiver: Address, *, sender: Address) -> int:
        """Take `assets` from `sender`, mint assets * RAY // chi shares to `receiver`."""
        return transact(self.atomic, self._deposit, assets, receiver, sender)

    def _deposit(self, assets: int, receiver: Address, sender: Address) -> int:
        assets = check_uint256(assets, field="assets")
        shares = _mul(assets, RAY, "deposit") // self._drip()
        self._mint(assets, shares, receiver, sender)
        return shares

    def mint(self, shares: int, receiver: Address, *, sender: Address) -> int:
        """Mint `shares` to `receiver` for divup(shares * chi, RAY) assets from `sender`."""
        return transact(self.atomic, self._mint_shares, shares, receiver, sender)

    def _mint_shares(self, shares: int, receiver: Address, sender: Address) -> int:
        shares = check_uint256(shares, field="shares")
        assets = divup(_mul(shares, self._drip(), "mint"), RAY)
        self._mint(assets, shares, receiver, sender)
        return assets

    def withdraw(self, assets: int, receiver: Address, owner: Address, *, sender: Address) -> int:
        """Pay `assets` to `receiver`, burning divup(assets * RAY, chi) of `owner`'s shares."""
        return transact(self.atomic, self._withdraw, assets, receiver, owner, sender)

    def _withdraw(self, assets: int, receiver: Address, owner: Address, sender: Address) -> int:
        assets = check_uint256(assets, field="assets")
        shares = divup(_mul(assets, RAY, "withdraw"), self._drip())
        self._burn(assets, shares, receiver, owner, sender)
        return shares

    def redeem(self, shares: int, receiver: Address, owner: Address, *, sender: Address) -> int:
        """Burn `owner`'s `shares`, paying shares * chi // RAY assets to `receiver`."""
        return transact(self.atomic, self._redeem, shares, receiver, owner, sender)

    def _redeem(self, shares: int, receiver: Address, owner: Address, sender: Address) -> int:
        shares = check_uint256(shares, field="shares")
        assets = _mul(shares, self._drip(), "redeem") // RAY
        self._burn(assets, shares, receiver, owner, sender)
        return assets

    def _check_receiver(self, to: Address) -> None:
        if to in (ZERO_ADDRESS, self.address):
            raise ProtocolError(ErrorCode.SAVINGS_INVALID_ADDRESS, to=to)

    def _mint(self, assets: int, shares: int, receiver: Address, sender: Address) -> None:
        self._check_receiver(receiver)
        self._take(assets, shares, sender)
        atomic = self.atomic
        atomic.set_item(self._balances, receiver, self.balance_of(receiver) + shares)
        total = self._supply["total"] + shares
        if total > _MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="mint", a=total - shares, b=shares)
        atomic.set_item(self._supply, "total", total)

    def _spend_allowance(self, owner: Address, spender: Address, shares: int) -> None:
        allowed = self.allowance(owner, spender)
        if allowed != _MAX:
            if allowed < shares:
                raise ProtocolError(
                    ErrorCode.SAVINGS_INSUFFICIENT_ALLOWANCE,
                    owner=owner,
                    spender=spender,
                    allowance=allowed,
                    amount=shares,
                )
            self.atomic.set_item(self._allowances, (owner, spender), allowed - shares)

    def _check_balance(self, owner: Address, shares: int) -> int:
        balance = self.balance_of(owner)
        if balance < shares:
            raise ProtocolError(
                ErrorCode.SAVINGS_INSUFFICIENT_BALANCE,
                account=owner,
                balance=balance,
                amount=shares,
            )
        return balance

    def _burn(
        self, assets: int, shares: int, receiver: Address, owner: Address, sender: Address
    ) -> None:
        balance = self._check_balance(owner, shares)
        if owner != sender:
            self._spend_allowance(owner, sender, shares)
        atomic = self.atomic
        atomic.set_item(self._balances, owner, balance - shares)
        atomic.set_item(self._supply, "total", self._supply["total"] - shares)
        self._give(assets, shares, receiver)

    # --- ERC-20 actions ---

    def transfer(self, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` shares from `sender` to `to`."""
        return transact(self.atomic, self._transfer, sender, to, amount, None)

    def transfer_from(self, from_: Address, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` of `from_`'s shares to `to`, spending `sender`'s allowance."""
        return transact(self.atomic, self._transfer, from_, to, amount, sender)

    def _transfer(self, from_: Address, to: Address, amount: int, spender: Address | None) -> bool:
        amount = check_uint256(amount, field="amount")
        self._check_receiver(to)
        balance = self._check_balance(from_, amount)
        if spender is not None and from_ != spender:
            self._spend_allowance(from_, spender, amount)
        atomic = self.atomic
        atomic.set_item(self._balances, from_, balance - amount)
        atomic.set_item(self._balances, to, self.balance_of(to) + amount)
        return True

    def approve(self, spender: Address, amount: int, *, sender: Address) -> bool:
        """Let `spender` move up to `amount` of `sender`'s shares."""
        amount = check_uint256(amount, field="amount")
        self.atomic.set_item(self._allowances, (sender, spender), amount)
        return True
