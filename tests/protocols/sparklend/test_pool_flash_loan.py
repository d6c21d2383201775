"""Port of sparklend-testing `test/integration/btt/FlashLoanSimple.t.sol` and
`test/integration/btt/FlashLoan.t.sol` (failure tests, success tests, and the
`FlashLoanFlashLoanSimpleEquivalenceTests` that run the simple success tests through
`flashLoan` with one asset), for each suite version in `SUITES`:

- `PRE_528F`: marsfoundation 528f5c41 (HALF_UP_V1, 5% reserve factor);
- `HEAD`: sparkdotfi 6b0a9d90 (FlashLoanSimple) / e19758ab (FlashLoan), DIRECTED.

The two versions differ only in test 05's tail: under DIRECTED `mintToTreasury` rounds the
treasury's share down, so the treasury gets 0.5 ether - 1 and 1 wei stays in the aToken.

The upstream mocks (`test/mocks/MockReceiverSimple.sol`, `MockReceiver.sol`) are `Receiver`
below. MockERC20 panics on a short allowance or balance (`stdError.arithmeticError`); the
ERC-20 model says `INSUFFICIENT_ALLOWANCE` / `INSUFFICIENT_BALANCE`. An index out of bounds
(`stdError.indexOOBError`, fewer modes than assets) is `VALUE_OUT_OF_RANGE`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr

from .sparklend_test_base import (
    ETHER,
    HEAD,
    PRE_528F,
    WARP_TIME,
    PoolReserveState,
    SparkLendTestBase,
    Suite,
    assert_a_token_state,
    assert_asset_state,
    assert_pool_reserve_state,
    compounded_normalized_interest,
    sci,
    updated_rates,
)

SUITES = (PRE_528F, HEAD)
suites = pytest.mark.parametrize("suite", SUITES, ids=str)


def _expect(code: ErrorCode):
    return pytest.raises(ProtocolError, match=code.name)


class Receiver:
    """The mocks: approve amount + premium (`short_approve`: 1 less, for that asset or all),
    give 1 away first (`short_balance`), mint the premium first (`mint_premium`), return
    `result`."""

    _count = 0

    def __init__(
        self,
        base: SparkLendTestBase,
        *,
        result: bool = True,
        approve: bool = True,
        mint_premium: bool = False,
        short_approve: Address | bool | None = None,
        short_balance: Address | bool | None = None,
    ) -> None:
        Receiver._count += 1
        self.address = make_addr(f"flash-receiver/{Receiver._count}")
        self.base = base
        self.result = result
        self.approve = approve
        self.mint_premium = mint_premium
        self.short_approve = short_approve
        self.short_balance = short_balance
        self.initiators: list[Address] = []

    def _hits(self, flag: Address | bool | None, asset: Address) -> bool:
        return flag is True or flag == asset

    def execute_operation(
        self,
        assets: Any,
        amounts: Any,
        premiums: Any,
        initiator: Address,
        params: bytes,
    ) -> bool:
        self.initiators.append(initiator)
        batch: Sequence[tuple[Any, Any, Any]]
        if isinstance(assets, str):
            batch = [(assets, amounts, premiums)]
        else:
            batch = list(zip(assets, amounts, premiums, strict=True))
        for asset, amount, premium in batch:
            token = self.base.token(asset)
            if self.mint_premium:
                token.mint(self.address, premium)
            if self.approve:
                short = 1 if self._hits(self.short_approve, asset) else 0
                token.approve(self.base.pool.address, amount + premium - short, sender=self.address)
            if self._hits(self.short_balance, asset):
                token.transfer(ZERO_ADDRESS, 1, sender=self.address)
        return self.result


# --- FlashLoanSimple.t.sol: failure tests ---


class SimpleBase(SparkLendTestBase):
    def __init__(self, suite: Suite) -> None:
        super().__init__(suite)
        self.borrower = make_addr("borrower")
        self.supplier = make_addr("supplier")
        self.brrw = self.borrow_asset.address
        self.coll = self.collateral_asset.address
        self.receiver = Receiver(self)
        self.supply(self.supplier, self.brrw, 1000 * ETHER)
        self.configurator.set_reserve_flash_loaning(self.brrw, True)

    def flash_simple(self, amount: int, receiver: Receiver | None = None) -> None:
        self.pool.flash_loan_simple(
            receiver or self.receiver, self.brrw, amount, b"", 0, sender=make_addr("test")
        )


@suites
def test_flash_loan_simple_when_not_active(suite):
    t = SimpleBase(suite)
    t.withdraw(t.supplier, t.brrw, 1000 * ETHER)
    t.configurator.set_reserve_active(t.brrw, False)
    with _expect(ErrorCode.RESERVE_INACTIVE):
        t.flash_simple(1000 * ETHER)


@suites
def test_flash_loan_simple_when_paused(suite):
    t = SimpleBase(suite)
    t.configurator.set_reserve_pause(t.brrw, True)
    with _expect(ErrorCode.RESERVE_PAUSED):
        t.flash_simple(1000 * ETHER)


@suites
def test_flash_loan_simple_when_frozen(suite):
    t = SimpleBase(suite)
    t.configurator.set_reserve_freeze(t.brrw, True)
    t.flash_simple(1000 * ETHER)


@suites
def test_flash_loan_simple_flash_loan_not_enabled(suite):
    t = SimpleBase(suite)
    t.configurator.set_reserve_flash_loaning(t.brrw, False)
    with _expect(ErrorCode.FLASHLOAN_DISABLED):
        t.flash_simple(1000 * ETHER)


@suites
def test_flash_loan_simple_insufficient_liquidity_boundary(suite):
    t = SimpleBase(suite)
    with _expect(ErrorCode.INSUFFICIENT_BALANCE):
        t.flash_simple(1000 * ETHER + 1)
    t.flash_simple(1000 * ETHER)


@suites
def test_flash_loan_simple_receiver_returns_false(suite):
    t = SimpleBase(suite)
    with _expect(ErrorCode.INVALID_FLASHLOAN_EXECUTOR_RETURN):
        t.flash_simple(1000 * ETHER, Receiver(t, result=False, approve=False))


@suites
def test_flash_loan_simple_receiver_insufficient_approval_boundary(suite):
    t = SimpleBase(suite)
    with _expect(ErrorCode.INSUFFICIENT_ALLOWANCE):
        t.flash_simple(1000 * ETHER, Receiver(t, short_approve=True))
    t.flash_simple(1000 * ETHER, Receiver(t))


@suites
def test_flash_loan_simple_receiver_insufficient_balance_boundary(suite):
    t = SimpleBase(suite)
    with _expect(ErrorCode.INSUFFICIENT_BALANCE):
        t.flash_simple(1000 * ETHER, Receiver(t, short_balance=True))
    t.flash_simple(1000 * ETHER, Receiver(t))


# --- FlashLoanSimple.t.sol: success tests (and FlashLoan.t.sol's equivalence tests) ---


@dataclasses.dataclass
class Start:
    """What `_loadStartingParamsAndAssertState` returns."""

    pool: PoolReserveState
    a_token_balance: int
    a_token_total: int
    cash: int
    borrower_interest: int
    yield_liquidity_index: int
    borrow_index: int


class SimpleSuccess(SimpleBase):
    def __init__(self, suite: Suite, via_flash_loan: bool = False) -> None:
        super().__init__(suite)
        self.via_flash_loan = via_flash_loan
        self.receiver = Receiver(self, mint_premium=True)
        self.init_collateral(self.coll, 50_00, 60_00, 100_01)
        self.configurator.set_reserve_borrowing(self.brrw, True)
        # An active borrow makes the rate changes more realistic.
        self.supply_and_use_as_collateral(self.borrower, self.coll, 1000 * ETHER)
        self.borrow(self.borrower, self.brrw, 100 * ETHER)
        self.configurator.set_reserve_flash_loaning(self.brrw, True)
        self.amount = 0

    def call_flash_loan(self) -> None:
        if self.via_flash_loan:  # FlashLoanFlashLoanSimpleEquivalenceTests._callFlashLoan
            self.pool.flash_loan(
                self.receiver,
                [self.brrw],
                [self.amount],
                [0],
                self.borrower,
                b"",
                0,
                sender=make_addr("test"),
            )
        else:
            self.flash_simple(self.amount)

    def premium_total(self) -> None:
        self.pool_configurator_premiums(total=10_00)

    def premium_to_protocol(self) -> None:
        self.pool_configurator_premiums(to_protocol=5_00)

    def pool_configurator_premiums(self, total: int | None = None, to_protocol=None) -> None:
        pool = self.pool
        pool.update_flashloan_premiums(
            pool.FLASHLOAN_PREMIUM_TOTAL() if total is None else total,
            pool.FLASHLOAN_PREMIUM_TO_PROTOCOL() if to_protocol is None else to_protocol,
            sender=self.configurator.address,
        )

    def load_start(self, time_since_last_update: int, asset: Address | None = None) -> Start:
        asset = self.brrw if asset is None else asset
        borrow_rate, liquidity_rate = updated_rates(100 * ETHER, 1000 * ETHER, reserve_factor=5_00)
        assert borrow_rate == sci("0.0525", 27)
        assert liquidity_rate == sci("0.0049875", 27)
        compounded = compounded_normalized_interest(borrow_rate, time_since_last_update)
        borrower_interest = (compounded - RAY) * 100 * ETHER // RAY
        yield_index = RAY + RAY * liquidity_rate * time_since_last_update // (365 * 86400) // RAY
        start = Start(
            pool=PoolReserveState(
                liquidity_index=RAY,
                current_liquidity_rate=liquidity_rate,
                variable_borrow_index=RAY,
                current_variable_borrow_rate=borrow_rate,
                current_stable_borrow_rate=0,
                last_update_timestamp=1,
                accrued_to_treasury=0,
                unbacked=0,
            ),
            a_token_balance=1000 * ETHER * yield_index // RAY,
            a_token_total=1000 * ETHER * yield_index // RAY,
            cash=900 * ETHER,  # 100 borrowed
            borrower_interest=borrower_interest,
            yield_liquidity_index=yield_index,
            borrow_index=RAY * compounded // RAY,
        )
        self.assert_state(start, asset)
        return start

    def assert_state(self, start: Start, asset: Address | None = None) -> None:
        asset = self.brrw if asset is None else asset
        assert_pool_reserve_state(self, asset, start.pool)
        assert_a_token_state(
            self.pool.a_token(asset),
            user=self.supplier,
            user_balance=start.a_token_balance,
            total_supply=start.a_token_total,
        )
        assert_asset_state(
            self,
            user=self.receiver.address,
            asset=asset,
            allowance=0,
            user_balance=0,
            a_token_balance=start.cash,
        )

    # --- shared bodies ---

    def no_state_change_test(self) -> None:
        start = self.load_start(0)
        self.call_flash_loan()
        self.assert_state(start)

    def time_passed_no_fees_test(self) -> None:
        start = self.load_start(WARP_TIME)
        self.call_flash_loan()
        assert start.borrower_interest == sci("0.052513783297156325", 18)
        assert start.yield_liquidity_index == sci("1.000049875", 27)
        assert start.borrow_index == sci("1.000525137832971563250670960", 27)
        borrow_rate, liquidity_rate = updated_rates(
            100 * ETHER + start.borrower_interest,
            1000 * ETHER + start.borrower_interest,
            reserve_factor=5_00,
        )
        assert borrow_rate == sci("0.052501181498079251917470876", 27)
        assert liquidity_rate == sci("0.004989969384031269536001001", 27)
        start.pool.liquidity_index = start.yield_liquidity_index
        start.pool.variable_borrow_index = start.borrow_index
        start.pool.current_liquidity_rate = liquidity_rate
        start.pool.current_variable_borrow_rate = borrow_rate
        start.pool.last_update_timestamp = 1 + WARP_TIME
        start.pool.accrued_to_treasury = (
            start.borrower_interest * 5 // 100 * RAY // start.yield_liquidity_index + 1
        )
        self.assert_state(start)

    def premium_no_time_test(self, to_protocol: bool) -> Start:
        """Tests 04 / 05 up to the first state check."""
        start = self.load_start(0)
        self.call_flash_loan()
        balance = sci("1009.5", 18) if to_protocol else 1010 * ETHER
        start.a_token_balance = start.a_token_total = balance
        start.cash = 910 * ETHER  # 100 flash-borrowed x 10% premium
        borrow_rate, liquidity_rate = updated_rates(100 * ETHER, 1010 * ETHER, reserve_factor=5_00)
        # Utilization fell: the premium was added to the pool.
        assert borrow_rate == sci("0.052475247524752475247524752", 27)
        assert liquidity_rate == sci("0.004935790608763846681697872", 27)
        start.pool.current_liquidity_rate = liquidity_rate + 1  # rounding
        start.pool.current_variable_borrow_rate = borrow_rate + 1  # rounding
        if to_protocol:
            # 1 + 9.5 / (1000 + 0 x 1): the treasury's accrual counts in the denominator.
            start.pool.liquidity_index = sci("1.0095", 27)
            accrued = sci("0.5", 18) * RAY // sci("1.0095", 27)
            assert accrued == sci("0.495294700346706290", 18)
            start.pool.accrued_to_treasury = accrued
        else:
            start.pool.liquidity_index = sci("1.01", 27)  # no time passed; borrow index same
        self.assert_state(start)
        return start

    def premium_time_passed_test(self, to_protocol: bool) -> None:
        """Tests 09 / 10."""
        start = self.load_start(WARP_TIME)
        self.call_flash_loan()
        assert start.borrower_interest == sci("0.052513783297156325", 18)
        assert start.yield_liquidity_index == sci("1.000049875", 27)
        assert start.borrow_index == sci("1.000525137832971563250670960", 27)
        # The premium only adds to cash.
        borrow_rate, liquidity_rate = updated_rates(
            100 * ETHER + start.borrower_interest,
            1000 * ETHER + start.borrower_interest + 10 * ETHER,
            reserve_factor=5_00,
        )
        assert borrow_rate == sci("0.052476418612348581178374884", 27)
        assert liquidity_rate == sci("0.004938236030918590189350852", 27)
        start.pool.variable_borrow_index = start.borrow_index
        start.pool.current_liquidity_rate = liquidity_rate + 2  # rounding
        start.pool.current_variable_borrow_rate = borrow_rate + 1  # rounding
        start.pool.last_update_timestamp = 1 + WARP_TIME
        start.pool.accrued_to_treasury = (
            start.borrower_interest * 5 // 100 * RAY // start.yield_liquidity_index + 1
        )
        premium_to_lps = sci("9.5", 18) if to_protocol else 10 * ETHER
        accrual = (
            premium_to_lps * RAY // (start.borrower_interest * 5 // 100 + sci("1000.049875", 18))
            + RAY
            + 1  # rounding
        )
        index = start.yield_liquidity_index * accrual // RAY
        start.pool.liquidity_index = index
        if to_protocol:
            assert index == sci("1.009549850057262444762056173", 27)
            balance = 1000 * ETHER * index // RAY
            assert balance == sci("1009.549850057262444762", 18)
            accrued = sci("0.5", 18) * RAY // index
            assert accrued == sci("0.495270243437349443", 18)
            start.pool.accrued_to_treasury += accrued
        else:
            assert index == sci("1.010049848744486783960059129", 27)
            balance = 1000 * ETHER * index // RAY
            assert balance == sci("1010.049848744486783960", 18)
        start.a_token_balance = start.a_token_total = balance
        start.cash = 910 * ETHER
        self.assert_state(start)


def _time(t: SimpleSuccess, passed: bool) -> None:
    if passed:
        t.skip(WARP_TIME)


# (number, time passed, amount != 0, premium total != 0, premium to protocol != 0)
_SIMPLE_CASES = [
    (1, False, False, False, False),
    (2, False, True, False, False),
    (3, False, True, False, True),
    (6, True, False, False, False),
    (7, True, True, False, False),
    (8, True, True, False, True),
]

equivalence = pytest.mark.parametrize("via_flash_loan", [False, True], ids=["simple", "flashLoan"])


@suites
@equivalence
@pytest.mark.parametrize("case", _SIMPLE_CASES, ids=[f"{c[0]:02d}" for c in _SIMPLE_CASES])
def test_flash_loan_simple_no_premium(suite, via_flash_loan, case):
    """test_flashLoanSimple_01/02/03 (no state change) and 06/07/08 (only accrual)."""
    _, time_passed, amount, _, to_protocol = case
    t = SimpleSuccess(suite, via_flash_loan)
    _time(t, time_passed)
    t.amount = 100 * ETHER if amount else 0
    if to_protocol:
        t.premium_to_protocol()  # no premium to protocol while the total premium is 0
    if time_passed:
        t.time_passed_no_fees_test()
    else:
        t.no_state_change_test()


@suites
@equivalence
def test_flash_loan_simple_04(suite, via_flash_loan):
    t = SimpleSuccess(suite, via_flash_loan)
    t.amount = 100 * ETHER
    t.premium_total()
    t.premium_no_time_test(to_protocol=False)


@suites
@equivalence
def test_flash_loan_simple_05(suite, via_flash_loan):
    t = SimpleSuccess(suite, via_flash_loan)
    t.amount = 100 * ETHER
    t.premium_total()
    t.premium_to_protocol()
    start = t.premium_no_time_test(to_protocol=True)
    # The protocol fee as accrued state, then as a real amount.
    assert t.pool.get_reserve_normalized_income(t.brrw) == sci("1.0095", 27)
    t.pool.mint_to_treasury([t.brrw])
    assert t.pool.get_reserve_normalized_income(t.brrw) == sci("1.0095", 27)
    start.pool.accrued_to_treasury = 0
    dust = 1 if suite.directed else 0  # HEAD: 0.5 ether - 1 minted to the treasury
    start.a_token_total = 1010 * ETHER - dust
    t.assert_state(start)
    t.repay(t.borrower, t.brrw, 100 * ETHER)
    t.withdraw(t.supplier, t.brrw, sci("1009.5", 18))
    t.withdraw(t.treasury, t.brrw, sci("0.5", 18) - dust)
    a_token = t.a_borrow_asset
    assert a_token.balance_of(t.treasury) == 0
    assert a_token.balance_of(t.supplier) == 0
    assert a_token.total_supply() == 0
    assert t.borrow_asset.balance_of(t.treasury) == sci("0.5", 18) - dust
    assert t.borrow_asset.balance_of(t.supplier) == sci("1009.5", 18)
    assert t.borrow_asset.balance_of(a_token.address) == dust


@suites
@equivalence
@pytest.mark.parametrize("to_protocol", [False, True], ids=["09", "10"])
def test_flash_loan_simple_premium_time_passed(suite, via_flash_loan, to_protocol):
    t = SimpleSuccess(suite, via_flash_loan)
    t.skip(WARP_TIME)
    t.amount = 100 * ETHER
    t.premium_total()
    if to_protocol:
        t.premium_to_protocol()
    t.premium_time_passed_test(to_protocol)


# --- FlashLoan.t.sol: failure tests ---


class MultiBase(SparkLendTestBase):
    def __init__(self, suite: Suite) -> None:
        SparkLendTestBase.__init__(self, suite)  # not the MRO's next (MultiSuccess mixes)
        self.borrower = make_addr("borrower")
        self.supplier = make_addr("supplier")
        self.receiver = Receiver(self)
        self.asset0 = self.borrow_asset.address
        self.asset1 = self.collateral_asset.address
        self.supply(self.supplier, self.asset0, 1000 * ETHER)
        self.supply(self.supplier, self.asset1, 1000 * ETHER)
        self.configurator.set_reserve_flash_loaning(self.asset0, True)
        self.configurator.set_reserve_flash_loaning(self.asset1, True)

    def call(
        self,
        amount0: int,
        amount1: int,
        *,
        modes: Sequence[int] = (0, 0),
        assets: Sequence[Address] | None = None,
        amounts: Sequence[int] | None = None,
        receiver: Receiver | None = None,
        sender: Address | None = None,
    ) -> None:
        self.pool.flash_loan(
            receiver or self.receiver,
            [self.asset0, self.asset1] if assets is None else assets,
            [amount0, amount1] if amounts is None else amounts,
            modes,
            self.borrower,
            b"",
            0,
            sender=make_addr("test") if sender is None else sender,
        )


@suites
def test_flash_loan_when_length_assets_does_not_equal_length_amounts(suite):
    t = MultiBase(suite)
    with _expect(ErrorCode.INCONSISTENT_FLASHLOAN_PARAMS):
        t.call(0, 0, assets=[t.asset0, t.asset1, ZERO_ADDRESS], amounts=[1, 1])
    with _expect(ErrorCode.INCONSISTENT_FLASHLOAN_PARAMS):  # fewer assets than amounts
        t.call(0, 0, assets=[t.asset0], amounts=[1, 1])


@suites
def test_flash_loan_when_modes_length_lt_amounts(suite):
    t = MultiBase(suite)
    with _expect(ErrorCode.VALUE_OUT_OF_RANGE):  # stdError.indexOOBError
        t.call(1, 1, modes=[0])
    t.call(1, 1, modes=[0, 0, 0])  # more modes than assets is fine


@suites
@pytest.mark.parametrize("which", [0, 1], ids=["asset0", "asset1"])
def test_flash_loan_when_not_active(suite, which):
    t = MultiBase(suite)
    asset = (t.asset0, t.asset1)[which]
    t.withdraw(t.supplier, asset, 1000 * ETHER)
    t.configurator.set_reserve_active(asset, False)
    with _expect(ErrorCode.RESERVE_INACTIVE):
        t.call(1000 * ETHER, 1000 * ETHER)


@suites
@pytest.mark.parametrize("which", [0, 1], ids=["asset0", "asset1"])
def test_flash_loan_when_paused(suite, which):
    t = MultiBase(suite)
    t.configurator.set_reserve_pause((t.asset0, t.asset1)[which], True)
    with _expect(ErrorCode.RESERVE_PAUSED):
        t.call(1000 * ETHER, 1000 * ETHER)


@suites
@pytest.mark.parametrize("which", [0, 1], ids=["asset0", "asset1"])
def test_flash_loan_when_frozen(suite, which):
    t = MultiBase(suite)
    t.configurator.set_reserve_freeze((t.asset0, t.asset1)[which], True)
    t.call(1000 * ETHER, 1000 * ETHER)


@suites
@pytest.mark.parametrize("which", [0, 1], ids=["asset0", "asset1"])
def test_flash_loan_flash_loan_not_enabled(suite, which):
    t = MultiBase(suite)
    t.configurator.set_reserve_flash_loaning((t.asset0, t.asset1)[which], False)
    with _expect(ErrorCode.FLASHLOAN_DISABLED):
        t.call(1000 * ETHER, 1000 * ETHER)


@suites
@pytest.mark.parametrize("which", [0, 1], ids=["asset0", "asset1"])
def test_flash_loan_insufficient_liquidity_boundary(suite, which):
    t = MultiBase(suite)
    amounts = [1000 * ETHER, 1000 * ETHER]
    amounts[which] += 1
    with _expect(ErrorCode.INSUFFICIENT_BALANCE):
        t.call(*amounts)
    t.call(1000 * ETHER, 1000 * ETHER)


@suites
def test_flash_loan_receiver_returns_false(suite):
    t = MultiBase(suite)
    with _expect(ErrorCode.INVALID_FLASHLOAN_EXECUTOR_RETURN):
        t.call(1000 * ETHER, 1000 * ETHER, receiver=Receiver(t, result=False))


@suites
@pytest.mark.parametrize("which", [0, 1], ids=["asset0", "asset1"])
def test_flash_loan_receiver_insufficient_approval_boundary(suite, which):
    t = MultiBase(suite)
    asset = (t.asset0, t.asset1)[which]
    with _expect(ErrorCode.INSUFFICIENT_ALLOWANCE):
        t.call(1000 * ETHER, 1000 * ETHER, receiver=Receiver(t, short_approve=asset))
    t.call(1000 * ETHER, 1000 * ETHER, receiver=Receiver(t))


@suites
@pytest.mark.parametrize("which", [0, 1], ids=["asset0", "asset1"])
def test_flash_loan_receiver_insufficient_balance_boundary(suite, which):
    t = MultiBase(suite)
    asset = (t.asset0, t.asset1)[which]
    with _expect(ErrorCode.INSUFFICIENT_BALANCE):
        t.call(1000 * ETHER, 1000 * ETHER, receiver=Receiver(t, short_balance=asset))
    t.call(1000 * ETHER, 1000 * ETHER, receiver=Receiver(t))


@suites
@pytest.mark.parametrize("modes", [(1, 0), (0, 1)], ids=["asset0", "asset1"])
def test_flash_loan_user_tries_to_flash_loan_into_borrow(suite, modes):
    t = MultiBase(suite)
    before = t.pool.state_hash()
    with _expect(ErrorCode.FLASHLOAN_INTO_BORROW_DEPRECATED):
        t.call(1000 * ETHER, 1000 * ETHER, modes=modes)
    assert t.pool.state_hash() == before


# --- FlashLoan.t.sol: success tests (both assets, identical state changes) ---


class MultiSuccess(MultiBase, SimpleSuccess):
    """FlashLoanSuccessTests: the simple tests' assertions, once per asset."""

    def __init__(self, suite: Suite) -> None:
        MultiBase.__init__(self, suite)
        self.via_flash_loan = True
        self.amount = 0
        self.brrw = self.asset0
        self.coll = self.asset1
        self.receiver = Receiver(self, mint_premium=True)
        collateral1 = self.set_up_new_collateral(50_00, 50_00, 100_01)
        collateral2 = self.set_up_new_collateral(50_00, 50_00, 100_01)
        self.configurator.set_reserve_borrowing(self.asset0, True)
        self.configurator.set_reserve_borrowing(self.asset1, True)
        self.supply_and_use_as_collateral(self.borrower, collateral1, 1000 * ETHER)
        self.supply_and_use_as_collateral(self.borrower, collateral2, 1000 * ETHER)
        self.borrow(self.borrower, self.asset0, 100 * ETHER)
        self.borrow(self.borrower, self.asset1, 100 * ETHER)

    def call_flash_loan(self) -> None:
        self.call(self.amount, self.amount, sender=self.borrower)

    def assert_state(self, start: Start, asset: Address | None = None) -> None:
        SimpleSuccess.assert_state(self, start, self.asset0)
        SimpleSuccess.assert_state(self, start, self.asset1)

    def flash_borrower(self) -> None:
        self.acl.add_flash_borrower(self.borrower, sender=self.admin)  # vm.prank(admin)


_MULTI_NO_PREMIUM = [
    # (number, time passed, amount, premium total, to protocol, flash borrower)
    (1, False, False, False, False, False),
    (2, False, True, False, False, False),
    (3, False, True, False, True, False),
    (6, False, True, True, False, True),
    (7, False, True, True, True, True),
    (8, True, False, False, False, False),
    (9, True, True, False, False, False),
    (10, True, True, False, True, False),
    (13, True, True, True, False, True),
    (14, True, True, True, True, True),
]


@suites
@pytest.mark.parametrize("case", _MULTI_NO_PREMIUM, ids=[f"{c[0]:02d}" for c in _MULTI_NO_PREMIUM])
def test_flash_loan_no_premium(suite, case):
    """test_flashLoan_01/02/03/06/07 (no state change) and 08/09/10/13/14 (only accrual); a
    FLASH_BORROWER initiator pays no premium."""
    _, time_passed, amount, total, to_protocol, flash_borrower = case
    t = MultiSuccess(suite)
    _time(t, time_passed)
    t.amount = 100 * ETHER if amount else 0
    if total:
        t.premium_total()
    if flash_borrower:
        t.flash_borrower()
    if to_protocol:
        t.premium_to_protocol()
    if time_passed:
        t.time_passed_no_fees_test()
    else:
        t.no_state_change_test()


@suites
def test_flash_loan_04(suite):
    t = MultiSuccess(suite)
    t.amount = 100 * ETHER
    t.premium_total()
    t.premium_no_time_test(to_protocol=False)


@suites
def test_flash_loan_05(suite):
    t = MultiSuccess(suite)
    t.amount = 100 * ETHER
    t.premium_total()
    t.premium_to_protocol()
    start = t.premium_no_time_test(to_protocol=True)
    assert t.pool.get_reserve_normalized_income(t.asset0) == sci("1.0095", 27)
    t.pool.mint_to_treasury([t.asset0, t.asset1])
    assert t.pool.get_reserve_normalized_income(t.asset0) == sci("1.0095", 27)
    start.pool.accrued_to_treasury = 0
    dust = 1 if suite.directed else 0
    start.a_token_total = 1010 * ETHER - dust
    t.assert_state(start)
    for asset in (t.asset0, t.asset1):
        t.repay(t.borrower, asset, 100 * ETHER)
    for asset in (t.asset0, t.asset1):
        t.withdraw(t.supplier, asset, sci("1009.5", 18))
    for asset in (t.asset0, t.asset1):
        t.withdraw(t.treasury, asset, sci("0.5", 18) - dust)
    for asset in (t.asset0, t.asset1):
        a_token = t.pool.a_token(asset)
        assert a_token.balance_of(t.treasury) == 0
        assert a_token.balance_of(t.supplier) == 0
        assert a_token.total_supply() == 0
    assert t.borrow_asset.balance_of(t.treasury) == sci("0.5", 18) - dust
    assert t.borrow_asset.balance_of(t.supplier) == sci("1009.5", 18)
    assert t.borrow_asset.balance_of(t.a_borrow_asset.address) == dust


@suites
@pytest.mark.parametrize("to_protocol", [False, True], ids=["11", "12"])
def test_flash_loan_premium_time_passed(suite, to_protocol):
    t = MultiSuccess(suite)
    t.skip(WARP_TIME)
    t.amount = 100 * ETHER
    t.premium_total()
    if to_protocol:
        t.premium_to_protocol()
    t.premium_time_passed_test(to_protocol)


@suites
def test_flash_loan_initiator_is_the_sender(suite):
    t = MultiSuccess(suite)
    t.amount = ETHER
    t.call_flash_loan()
    assert t.receiver.initiators == [t.borrower]
