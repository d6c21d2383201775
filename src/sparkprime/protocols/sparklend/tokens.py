"""SparkLend's tokens: aToken, variable debt token and the (disabled) stable debt token.

They share `ScaledBalanceToken` (IncentivizedERC20 + MintableIncentivizedERC20 +
ScaledBalanceTokenBase): balances are stored scaled by the reserve's index, and the balance a
user sees is `scaled x index` (`AToken.balanceOf` uses the normalized income,
`VariableDebtToken.balanceOf` the normalized variable debt, both read live from the Pool).
Every amount <-> scaled conversion goes through the Pool's `ScaledMath` (module `rounding`).

Pool-only entry points (`mint`, `burn`, `mint_to_treasury`, `transfer_on_liquidation`,
`transfer_underlying_to`, `handle_repayment`) take `sender=` and refuse any caller but the
Pool (`CALLER_MUST_BE_POOL`). Solidity's checked-arithmetic panics (a balance or allowance
that would go below zero) are `MATH_OVERFLOW` with `op=`; SafeCast's `toUint128` is
`MATH_OVERFLOW` with `op="to_uint128"`.

Not modelled: the per-user `additionalData` (last index, used only for events), incentives
controllers (address(0) on SparkLend), permit and delegation by signature.
"""

from __future__ import annotations

from typing import Final, Protocol

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT128_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.rounding import ScaledMath

__all__ = [
    "AToken",
    "PoolForTokens",
    "ScaledBalanceToken",
    "StableDebtToken",
    "VariableDebtToken",
]

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


def _amount(value: object, field: str = "amount") -> int:
    if type(value) is not int or value < 0 or value >> 256:
        check_uint256(value, field=field)
    return value  # type: ignore[return-value]


def _to_uint128(value: int, field: str) -> int:
    if value > _U128:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="to_uint128", field=field, value=value)
    return value


def _underflow(op: str, **context: object) -> ProtocolError:
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
        _to_uint128(amount_scaled, "amount_scaled")
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
        _to_uint128(amount_scaled, "amount_scaled")
        scaled = self._scaled.get(user, 0)
        total = self._total["s"]
        if amount_scaled > total:
            raise _underflow("total_supply - amount", token=self.symbol)
        if amount_scaled > scaled:
            raise _underflow("balance - amount", account=user, balance=scaled, amount=amount_scaled)
        atomic = self._atomic
        atomic.set_item(self._total, "s", total - amount_scaled)
        if scaled == amount_scaled:
            atomic.del_item(self._scaled, user)
        else:
            atomic.set_item(self._scaled, user, scaled - amount_scaled)

    def _move_scaled(self, from_: Address, to: Address, amount_scaled: int) -> None:
        """IncentivizedERC20._transfer on scaled balances."""
        _to_uint128(amount_scaled, "amount_scaled")
        scaled = self._scaled.get(from_, 0)
        if amount_scaled > scaled:
            raise _underflow(
                "balance - amount", account=from_, balance=scaled, amount=amount_scaled
            )
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


class AToken(ScaledBalanceToken):
    """`AToken`: the supplier's claim, growing with the reserve's liquidity index."""

    __slots__ = ("_allowances", "treasury", "underlying")

    def __init__(
        self,
        *,
        address: Address,
        pool: PoolForTokens,
        underlying: Erc20,
        treasury: Address,
        symbol: str,
        atomic: Atomic,
        math: ScaledMath,
    ) -> None:
        super().__init__(
            address=address,
            pool=pool,
            underlying_asset=underlying.address,
            symbol=symbol,
            decimals=underlying.decimals,
            atomic=atomic,
            math=math,
        )
        self.underlying = underlying
        self.treasury = treasury
        self._allowances: dict[tuple[Address, Address], int] = {}

    # --- views ---

    def balance_of(self, user: Address) -> int:
        """`scaled x normalized income`."""
        scaled = self._scaled.get(user, 0)
        if scaled == 0:
            return 0
        return self._math.a_balance(
            scaled, self.pool.get_reserve_normalized_income(self.underlying_asset)
        )

    def total_supply(self) -> int:
        """`scaled total x normalized income` (0 if nothing is supplied)."""
        total = self._total["s"]
        if total == 0:
            return 0
        return self._math.a_balance(
            total, self.pool.get_reserve_normalized_income(self.underlying_asset)
        )

    def allowance(self, owner: Address, spender: Address) -> int:
        """ERC-20 allowance (in underlying units, not scaled)."""
        return self._allowances.get((owner, spender), 0)

    # --- Pool-only ---

    def mint(
        self, caller: Address, on_behalf_of: Address, amount: int, index: int, *, sender: Address
    ) -> bool:
        """Mint `amount` at `index`; True if `on_behalf_of` had no balance before."""
        self._only_pool(sender)
        amount_scaled = self._math.a_mint_scaled(amount, index)
        if amount_scaled == 0:
            raise ProtocolError(ErrorCode.INVALID_MINT_AMOUNT, amount=amount, index=index)
        return self._mint_scaled(on_behalf_of, amount_scaled)

    def burn(
        self, from_: Address, receiver: Address, amount: int, index: int, *, sender: Address
    ) -> None:
        """Burn `amount` of `from_`'s aTokens at `index` and send the underlying to `receiver`
        (unless the receiver is this aToken, as in repay with aTokens)."""
        self._only_pool(sender)
        amount_scaled = self._math.a_burn_scaled(amount, index)
        if amount_scaled == 0:
            raise ProtocolError(ErrorCode.INVALID_BURN_AMOUNT, amount=amount, index=index)
        self._burn_scaled(from_, amount_scaled)
        if receiver != self.address:
            self.underlying.transfer(receiver, amount, sender=self.address)

    def mint_to_treasury(self, amount: int, index: int, *, sender: Address) -> None:
        """Mint `amount` to the treasury at `index` (nothing if `amount` is 0)."""
        self._only_pool(sender)
        if amount == 0:
            return
        amount_scaled = self._math.a_mint_scaled(amount, index)
        if amount_scaled == 0:
            raise ProtocolError(ErrorCode.INVALID_MINT_AMOUNT, amount=amount, index=index)
        self._mint_scaled(self.treasury, amount_scaled)

    def transfer_on_liquidation(
        self, from_: Address, to: Address, value: int, *, sender: Address
    ) -> None:
        """Move aTokens without the Pool's health-factor check (liquidations)."""
        self._only_pool(sender)
        self._transfer(from_, to, value, validate=False)

    def transfer_underlying_to(self, target: Address, amount: int, *, sender: Address) -> None:
        """Send `amount` of the underlying this aToken holds to `target`."""
        self._only_pool(sender)
        self.underlying.transfer(target, amount, sender=self.address)

    def handle_repayment(
        self, user: Address, on_behalf_of: Address, amount: int, *, sender: Address
    ) -> None:
        """Hook after a repayment: nothing to do for a plain aToken."""
        self._only_pool(sender)

    # --- ERC-20 ---

    def transfer(self, recipient: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` (underlying units) of aTokens; the Pool checks the sender's HF."""
        amount = _to_uint128(_amount(amount), "amount")
        self._transfer_atomic(sender, recipient, amount)
        return True

    def transfer_from(self, from_: Address, to: Address, amount: int, *, sender: Address) -> bool:
        """`transfer` on behalf of `from_`; the allowance always decreases (no infinite
        allowance in IncentivizedERC20) and too small an allowance is a panic."""
        amount = _to_uint128(_amount(amount), "amount")
        atomic = self._atomic
        mark = atomic.begin()
        try:
            key = (from_, sender)
            allowed = self._allowances.get(key, 0)
            if allowed < amount:
                raise _underflow("allowance - amount", allowance=allowed, amount=amount)
            atomic.set_item(self._allowances, key, allowed - amount)
            self._transfer(from_, to, amount, validate=True)
        except BaseException:
            atomic.rollback(mark)
            raise
        atomic.commit()
        return True

    def approve(self, spender: Address, amount: int, *, sender: Address) -> bool:
        """Set `spender`'s allowance over `sender`'s aTokens."""
        self._atomic.set_item(self._allowances, (sender, spender), _amount(amount))
        return True

    def increase_allowance(self, spender: Address, added: int, *, sender: Address) -> bool:
        """Raise an allowance (checked add)."""
        new = self._allowances.get((sender, spender), 0) + _amount(added, "added")
        if new >> 256:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="allowance + added", value=new)
        self._atomic.set_item(self._allowances, (sender, spender), new)
        return True

    def decrease_allowance(self, spender: Address, subtracted: int, *, sender: Address) -> bool:
        """Lower an allowance (a panic below zero)."""
        current = self._allowances.get((sender, spender), 0)
        subtracted = _amount(subtracted, "subtracted")
        if subtracted > current:
            raise _underflow("allowance - subtracted", allowance=current, amount=subtracted)
        self._atomic.set_item(self._allowances, (sender, spender), current - subtracted)
        return True

    def allowances(self) -> dict[tuple[Address, Address], int]:
        """A copy of every non-zero allowance."""
        return {k: v for k, v in self._allowances.items() if v}

    def load_allowances(self, allowances: dict[tuple[Address, Address], int]) -> None:
        """Replace the allowances (restore from a snapshot)."""
        self._allowances = dict(allowances)

    # --- internals ---

    def _transfer_atomic(self, from_: Address, to: Address, amount: int) -> None:
        atomic = self._atomic
        mark = atomic.begin()
        try:
            self._transfer(from_, to, amount, validate=True)
        except BaseException:
            atomic.rollback(mark)
            raise
        atomic.commit()

    def _transfer(self, from_: Address, to: Address, amount: int, *, validate: bool) -> None:
        asset = self.underlying_asset
        index = self.pool.get_reserve_normalized_income(asset)
        a_balance = self._math.a_balance
        from_before = a_balance(self._scaled.get(from_, 0), index)
        to_before = a_balance(self._scaled.get(to, 0), index)
        self._move_scaled(from_, to, self._math.a_burn_scaled(amount, index))
        if validate:
            self.pool.finalize_transfer(  # positional, as the interface declares
                asset, from_, to, amount, from_before, to_before, sender=self.address
            )


class VariableDebtToken(ScaledBalanceToken):
    """`VariableDebtToken`: debt growing with the reserve's variable borrow index; not
    transferable, borrowable on someone's behalf through a credit delegation."""

    __slots__ = ("_borrow_allowances",)

    def __init__(
        self,
        *,
        address: Address,
        pool: PoolForTokens,
        underlying: Erc20,
        symbol: str,
        atomic: Atomic,
        math: ScaledMath,
    ) -> None:
        super().__init__(
            address=address,
            pool=pool,
            underlying_asset=underlying.address,
            symbol=symbol,
            decimals=underlying.decimals,
            atomic=atomic,
            math=math,
        )
        self._borrow_allowances: dict[tuple[Address, Address], int] = {}

    # --- views ---

    def balance_of(self, user: Address) -> int:
        """`scaled x normalized variable debt` (0 if no debt)."""
        scaled = self._scaled.get(user, 0)
        if scaled == 0:
            return 0
        return self._math.v_balance(
            scaled, self.pool.get_reserve_normalized_variable_debt(self.underlying_asset)
        )

    def total_supply(self) -> int:
        """`scaled total x normalized variable debt`."""
        return self._math.v_balance(
            self._total["s"], self.pool.get_reserve_normalized_variable_debt(self.underlying_asset)
        )

    # --- credit delegation ---

    def approve_delegation(self, delegatee: Address, amount: int, *, sender: Address) -> None:
        """Let `delegatee` borrow up to `amount` with `sender`'s collateral."""
        self._atomic.set_item(self._borrow_allowances, (sender, delegatee), _amount(amount))

    def borrow_allowance(self, from_user: Address, to_user: Address) -> int:
        """How much `to_user` may still borrow on behalf of `from_user`."""
        return self._borrow_allowances.get((from_user, to_user), 0)

    def borrow_allowances(self) -> dict[tuple[Address, Address], int]:
        """A copy of every non-zero borrow allowance."""
        return {k: v for k, v in self._borrow_allowances.items() if v}

    def load_borrow_allowances(self, allowances: dict[tuple[Address, Address], int]) -> None:
        """Replace the borrow allowances (restore from a snapshot)."""
        self._borrow_allowances = dict(allowances)

    # --- Pool-only ---

    def mint(
        self, user: Address, on_behalf_of: Address, amount: int, index: int, *, sender: Address
    ) -> tuple[bool, int]:
        """Mint debt for `on_behalf_of` (spending `user`'s borrow allowance if they differ).
        Returns (first borrow of `on_behalf_of`, new scaled total supply)."""
        self._only_pool(sender)
        if user != on_behalf_of:
            key = (on_behalf_of, user)
            allowed = self._borrow_allowances.get(key, 0)
            if amount > allowed:
                raise _underflow("borrow allowance - amount", allowance=allowed, amount=amount)
            self._atomic.set_item(self._borrow_allowances, key, allowed - amount)
        amount_scaled = self._math.v_mint_scaled(amount, index)
        if amount_scaled == 0:
            raise ProtocolError(ErrorCode.INVALID_MINT_AMOUNT, amount=amount, index=index)
        first = self._mint_scaled(on_behalf_of, amount_scaled)
        return first, self._total["s"]

    def burn(self, from_: Address, amount: int, index: int, *, sender: Address) -> int:
        """Burn `amount` of `from_`'s debt at `index`; returns the new scaled total supply."""
        self._only_pool(sender)
        amount_scaled = self._math.v_burn_scaled(amount, index)
        if amount_scaled == 0:
            raise ProtocolError(ErrorCode.INVALID_BURN_AMOUNT, amount=amount, index=index)
        self._burn_scaled(from_, amount_scaled)
        return self._total["s"]

    # --- ERC-20 surface: not supported ---

    def transfer(self, recipient: Address, amount: int, *, sender: Address) -> bool:
        """Debt is not transferable."""
        raise ProtocolError(ErrorCode.OPERATION_NOT_SUPPORTED, op="transfer")

    def transfer_from(self, from_: Address, to: Address, amount: int, *, sender: Address) -> bool:
        """Debt is not transferable."""
        raise ProtocolError(ErrorCode.OPERATION_NOT_SUPPORTED, op="transferFrom")

    def approve(self, spender: Address, amount: int, *, sender: Address) -> bool:
        """Not supported (use `approve_delegation`)."""
        raise ProtocolError(ErrorCode.OPERATION_NOT_SUPPORTED, op="approve")

    def allowance(self, owner: Address, spender: Address) -> int:
        """Not supported (use `borrow_allowance`)."""
        raise ProtocolError(ErrorCode.OPERATION_NOT_SUPPORTED, op="allowance")

    def increase_allowance(self, spender: Address, added: int, *, sender: Address) -> bool:
        """Not supported."""
        raise ProtocolError(ErrorCode.OPERATION_NOT_SUPPORTED, op="increaseAllowance")

    def decrease_allowance(self, spender: Address, subtracted: int, *, sender: Address) -> bool:
        """Not supported."""
        raise ProtocolError(ErrorCode.OPERATION_NOT_SUPPORTED, op="decreaseAllowance")


class StableDebtToken:
    """The stable debt token of a reserve where stable borrowing is off (every SparkLend
    market): it holds nothing, so every formula that reads it gets 0. Minting is refused
    with `OPERATION_NOT_SUPPORTED` (the contract would mint; this model has no stable debt)."""

    __slots__ = ("address", "decimals", "symbol", "underlying_asset")

    def __init__(self, *, address: Address, underlying: Erc20, symbol: str) -> None:
        self.address = address
        self.underlying_asset = underlying.address
        self.symbol = symbol
        self.decimals = underlying.decimals

    def balance_of(self, user: Address) -> int:
        """Always 0."""
        return 0

    def principal_balance_of(self, user: Address) -> int:
        """Always 0."""
        return 0

    def total_supply(self) -> int:
        """Always 0."""
        return 0

    def get_average_stable_rate(self) -> int:
        """Always 0."""
        return 0

    def get_supply_data(self) -> tuple[int, int, int, int]:
        """(principal supply, total supply, average rate, last update timestamp): all 0."""
        return 0, 0, 0, 0

    def mint(
        self, user: Address, on_behalf_of: Address, amount: int, rate: int, *, sender: Address
    ) -> tuple[bool, int, int]:
        """Stable debt is not modelled."""
        raise ProtocolError(ErrorCode.OPERATION_NOT_SUPPORTED, op="stable debt mint")

    def burn(self, from_: Address, amount: int, *, sender: Address) -> tuple[int, int]:
        """Stable debt is not modelled."""
        raise ProtocolError(ErrorCode.OPERATION_NOT_SUPPORTED, op="stable debt burn")
