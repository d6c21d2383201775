"""`FlashLoanLogic.sol` (Aave v3.0.2 + Spark's patch): `flashLoan` and `flashLoanSimple`.

The Pool lends out its cash for the length of one call: it validates (lengths; each reserve
active, not paused, flash loans enabled), sends each amount to the receiver, calls the
receiver back, and then, asset by asset, takes back amount + premium:

- premium = `percentMul(amount, FLASHLOAN_PREMIUM_TOTAL)`; `flash_loan` waives it (and the
  protocol's share) for a sender holding the FLASH_BORROWER role, `flash_loan_simple` never
  does; SparkLend sets both premiums to 0;
- repayment (`_handleFlashLoanRepayment`): accrue the reserve; the LPs' part of the premium
  goes into the liquidity index (`cumulateToLiquidityIndex(aToken total supply + treasury
  accrual at the index, premium to LPs)`), the protocol's part (`percentMul(premium,
  FLASHLOAN_PREMIUM_TO_PROTOCOL)`) is added, scaled at the new index, to
  `accrued_to_treasury`; rates are updated with amount + premium as added liquidity; then the
  Pool pulls amount + premium from the receiver with `transferFrom` (the receiver must have
  approved the Pool).

Spark's patch (sparklend-v1-core 317efdb7): an asset whose interest rate mode is not 0 (NONE)
reverts `FLASHLOAN_INTO_BORROW_DEPRECATED` at its turn in the repayment loop, after the
callback, instead of opening a debt position. A mode the enum cannot hold (> 2) is a Panic
in the first loop (`VALUE_OUT_OF_RANGE` here), and fewer modes than assets an index Panic
(`VALUE_OUT_OF_RANGE`, `field="interest_rate_modes"`); more modes than assets are ignored.

Receivers are Python objects with an `address` (where the tokens go) and `execute_operation`
(`FlashLoanReceiver` for `flash_loan`, `FlashLoanSimpleReceiver` for `flash_loan_simple`).
The callback runs inside the Pool's all-or-nothing action: a receiver may call back into
the Pool and its tokens, and if anything fails (the callback raising or returning False,
the pull-back) every Pool, token and ERC-20 write is undone. The receiver's own Python
attributes are not part of the undo log.

The rounding-mitigation upgrade leaves flash-loan math unchanged (the report: "flash-loan
... math retain their existing behavior"), so both rounding modes run the same code; only
the aToken total supply read for the index (floor in `DIRECTED`) differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol, runtime_checkable

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import percent_mul, ray_div, ray_mul
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.sparklend.reserve_logic import (
    cache,
    cumulate_to_liquidity_index,
    to_uint128,
    update_interest_rates,
    update_state,
)
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.types import InterestRateMode, ReserveData
from sparkprime.protocols.sparklend.validation_logic import (
    validate_flashloan,
    validate_flashloan_simple,
)

__all__ = [
    "FlashLoanReceiver",
    "FlashLoanSimpleReceiver",
    "execute_flash_loan",
    "execute_flash_loan_simple",
]

_NONE: Final = InterestRateMode.NONE


@runtime_checkable
class FlashLoanReceiver(Protocol):
    """`IFlashLoanReceiver`: the target of `Pool.flash_loan`."""

    @property
    def address(self) -> Address:
        """Where the Pool sends the loaned tokens and pulls the repayment from."""
        ...

    def execute_operation(
        self,
        assets: Sequence[Address],
        amounts: Sequence[int],
        premiums: Sequence[int],
        initiator: Address,
        params: bytes,
    ) -> bool:
        """Use the loaned `amounts`; approve the Pool for amount + premium of each asset;
        True to go on (False reverts `INVALID_FLASHLOAN_EXECUTOR_RETURN`)."""
        ...


@runtime_checkable
class FlashLoanSimpleReceiver(Protocol):
    """`IFlashLoanSimpleReceiver`: the target of `Pool.flash_loan_simple`."""

    @property
    def address(self) -> Address:
        """Where the Pool sends the loaned tokens and pulls the repayment from."""
        ...

    def execute_operation(
        self, asset: Address, amount: int, premium: int, initiator: Address, params: bytes
    ) -> bool:
        """As `FlashLoanReceiver.execute_operation`, for one asset."""
        ...


def _mode(modes: Sequence[int], i: int) -> int:
    """`DataTypes.InterestRateMode(interestRateModes[i])`: an index or enum Panic."""
    if i >= len(modes):
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE,
            field="interest_rate_modes",
            value=len(modes),
            min=i + 1,
            max=UINT256_MAX,
        )
    mode = modes[i]
    if mode > InterestRateMode.VARIABLE:
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE, field="interest_rate_mode", value=mode, min=0, max=2
        )
    return mode


def execute_flash_loan(  # noqa: PLR0917 - FlashLoanLogic.executeFlashLoan's params
    state: PoolState,
    receiver: FlashLoanReceiver,
    assets: Sequence[Address],
    amounts: Sequence[int],
    interest_rate_modes: Sequence[int],
    params: bytes,
    sender: Address,
) -> None:
    """`FlashLoanLogic.executeFlashLoan` with msg.sender = `sender`."""
    validate_flashloan(state, assets, amounts)
    if state.acl.is_flash_borrower(sender):
        premium_total = premium_to_protocol = 0
    else:
        premium_total = state.flashloan_premium_total
        premium_to_protocol = state.flashloan_premium_to_protocol
    pool = state.address
    premiums: list[int] = []
    for i, asset in enumerate(assets):
        amount = amounts[i]
        none = _mode(interest_rate_modes, i) == _NONE
        premiums.append(percent_mul(amount, premium_total) if none else 0)
        state.a_tokens[asset].transfer_underlying_to(receiver.address, amount, sender=pool)
    if not receiver.execute_operation(
        tuple(assets), tuple(amounts), tuple(premiums), sender, params
    ):
        raise ProtocolError(ErrorCode.INVALID_FLASHLOAN_EXECUTOR_RETURN)
    for i, asset in enumerate(assets):
        if _mode(interest_rate_modes, i) != _NONE:
            raise ProtocolError(
                ErrorCode.FLASHLOAN_INTO_BORROW_DEPRECATED,
                asset=asset,
                interest_rate_mode=interest_rate_modes[i],
            )
        _handle_repayment(
            state,
            asset,
            receiver.address,
            amount=amounts[i],
            premium=premiums[i],
            premium_to_protocol_bps=premium_to_protocol,
        )


def execute_flash_loan_simple(  # noqa: PLR0917 - FlashLoanLogic.executeFlashLoanSimple's params
    state: PoolState,
    receiver: FlashLoanSimpleReceiver,
    asset: Address,
    amount: int,
    params: bytes,
    sender: Address,
) -> None:
    """`FlashLoanLogic.executeFlashLoanSimple` with msg.sender = `sender` (no waiver)."""
    reserve = state.reserves.get(asset)
    validate_flashloan_simple(None if reserve is None else reserve.configuration)
    premium = percent_mul(amount, state.flashloan_premium_total)
    state.a_tokens[asset].transfer_underlying_to(receiver.address, amount, sender=state.address)
    if not receiver.execute_operation(asset, amount, premium, sender, params):
        raise ProtocolError(ErrorCode.INVALID_FLASHLOAN_EXECUTOR_RETURN)
    _handle_repayment(
        state,
        asset,
        receiver.address,
        amount=amount,
        premium=premium,
        premium_to_protocol_bps=state.flashloan_premium_to_protocol,
    )


def _handle_repayment(
    state: PoolState,
    asset: Address,
    receiver: Address,
    *,
    amount: int,
    premium: int,
    premium_to_protocol_bps: int,
) -> None:
    """`_handleFlashLoanRepayment`: the premium into the index and the treasury accrual,
    rates, then pull amount + premium back from the receiver."""
    to_protocol = percent_mul(premium, premium_to_protocol_bps)
    to_lps = premium - to_protocol
    amount_plus_premium = amount + premium
    if amount_plus_premium > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="amount + premium", value=amount)
    reserve: ReserveData = state.reserves[asset]
    a_token = state.a_tokens[asset]
    atomic = state.atomic
    c = cache(reserve, state.v_tokens[asset], state.s_tokens[asset])
    update_state(reserve, c, state.clock.now, atomic)
    total_liquidity = a_token.total_supply() + ray_mul(
        reserve.accrued_to_treasury, c.next_liquidity_index
    )
    if total_liquidity > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="totalSupply + accrued", value=amount)
    c.next_liquidity_index = cumulate_to_liquidity_index(reserve, total_liquidity, to_lps, atomic)
    accrued = reserve.accrued_to_treasury + to_uint128(
        ray_div(to_protocol, c.next_liquidity_index), "premium to protocol"
    )
    atomic.save(reserve)
    reserve.accrued_to_treasury = to_uint128(accrued, "accrued_to_treasury")
    underlying = state.underlyings[asset]
    update_interest_rates(
        reserve,
        c,
        liquidity_added=amount_plus_premium,
        liquidity_taken=0,
        underlying_balance=underlying.balance_of(a_token.address),
        atomic=atomic,
    )
    underlying.transfer_from(receiver, a_token.address, amount_plus_premium, sender=state.address)
    a_token.handle_repayment(receiver, receiver, amount_plus_premium, sender=state.address)
