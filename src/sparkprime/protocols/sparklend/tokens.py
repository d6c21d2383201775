"""SparkLend's tokens: aToken, variable debt token and the (disabled) stable debt token.

They share `scaled_token.ScaledBalanceToken` (IncentivizedERC20 + MintableIncentivizedERC20 +
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

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.rounding import ScaledMath
from sparkprime.protocols.sparklend.scaled_token import (
    PoolForTokens,
    ScaledBalanceToken,
    amount_arg,
    to_uint128,
    underflow,
)

__all__ = ["AToken", "PoolForTokens", "ScaledBalanceToken", "StableDebtToken", "VariableDebtToken"]


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
        amount = to_uint128(amount_arg(amount), "amount")
        self._transfer_atomic(sender, recipient, amount)
        return True

    def transfer_from(self, from_: Address, to: Address, amount: int, *, sender: Address) -> bool:
        """`transfer` on behalf of `from_`; the allowance always decreases (no infinite
        allowance in IncentivizedERC20).

        HALF_UP_V1: `amount` is spent; too small an allowance is a panic (`MATH_OVERFLOW`).
        DIRECTED: too small an allowance is `INSUFFICIENT_ALLOWANCE`; what is spent is the
        owner's actual balance decrease (the scaled amount rounds up), capped at the allowance.
        """
        amount = amount_arg(amount)
        atomic = self._atomic
        mark = atomic.begin()
        try:
            key = (from_, sender)
            allowed = self._allowances.get(key, 0)
            if self._math.directed:
                consumption = self._directed_allowance_consumption(from_, sender, amount, allowed)
                atomic.set_item(self._allowances, key, allowed - consumption)
                amount = to_uint128(amount, "amount")
            else:
                amount = to_uint128(amount, "amount")
                if allowed < amount:
                    raise underflow("allowance - amount", allowance=allowed, amount=amount)
                atomic.set_item(self._allowances, key, allowed - amount)
            self._transfer(from_, to, amount, validate=True)
        except BaseException:
            atomic.rollback(mark)
            raise
        atomic.commit()
        return True

    def _directed_allowance_consumption(
        self, owner: Address, spender: Address, amount: int, allowed: int
    ) -> int:
        if allowed < amount:
            raise ProtocolError(
                ErrorCode.INSUFFICIENT_ALLOWANCE, spender=spender, allowance=allowed, amount=amount
            )
        math = self._math
        index = self.pool.get_reserve_normalized_income(self.underlying_asset)
        scaled = self._scaled.get(owner, 0)
        scaled_amount = math.a_burn_scaled(amount, index)
        if scaled_amount > scaled:
            raise underflow("balance - amount", account=owner, balance=scaled, amount=scaled_amount)
        decrease = math.a_balance(scaled, index) - math.a_balance(scaled - scaled_amount, index)
        return min(decrease, allowed)

    def approve(self, spender: Address, amount: int, *, sender: Address) -> bool:
        """Set `spender`'s allowance over `sender`'s aTokens."""
        self._atomic.set_item(self._allowances, (sender, spender), amount_arg(amount))
        return True

    def increase_allowance(self, spender: Address, added: int, *, sender: Address) -> bool:
        """Raise an allowance (checked add)."""
        new = self._allowances.get((sender, spender), 0) + amount_arg(added, "added")
        if new >> 256:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="allowance + added", value=new)
        self._atomic.set_item(self._allowances, (sender, spender), new)
        return True

    def decrease_allowance(self, spender: Address, subtracted: int, *, sender: Address) -> bool:
        """Lower an allowance (a panic below zero)."""
        current = self._allowances.get((sender, spender), 0)
        subtracted = amount_arg(subtracted, "subtracted")
        if subtracted > current:
            raise underflow("allowance - subtracted", allowance=current, amount=subtracted)
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
        self._atomic.set_item(self._borrow_allowances, (sender, delegatee), amount_arg(amount))

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
        math = self._math
        amount_scaled = math.v_mint_scaled(amount, index)
        if user != on_behalf_of:
            key = (on_behalf_of, user)
            allowed = self._borrow_allowances.get(key, 0)
            if not math.directed:
                if amount > allowed:
                    raise underflow("borrow allowance - amount", allowance=allowed, amount=amount)
                consumption = amount
            else:
                # The delegatee is charged the delegator's actual debt increase (the scaled
                # amount rounds up), capped at the allowance.
                if amount > allowed:
                    raise ProtocolError(
                        ErrorCode.INSUFFICIENT_ALLOWANCE,
                        spender=user,
                        allowance=allowed,
                        amount=amount,
                    )
                scaled = self._scaled.get(on_behalf_of, 0)
                increase = math.v_balance(scaled + amount_scaled, index) - math.v_balance(
                    scaled, index
                )
                consumption = min(increase, allowed)
            self._atomic.set_item(self._borrow_allowances, key, allowed - consumption)
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
