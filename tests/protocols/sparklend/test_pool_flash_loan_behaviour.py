"""Flash-loan behaviour beyond the ported suites: receivers that call back into the Pool,
all-or-nothing around the callback, repeated assets, argument checks."""

from __future__ import annotations

from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.flash_loan_receiver import SimpleFlashLoanReceiver

from .sparklend_test_base import ETHER, HEAD, PRE_528F, SparkLendTestBase, Suite

suites = pytest.mark.parametrize("suite", [PRE_528F, HEAD], ids=str)


class Env(SparkLendTestBase):
    def __init__(self, suite: Suite) -> None:
        super().__init__(suite)
        self.supplier = make_addr("supplier")
        self.brrw = self.borrow_asset.address
        self.supply(self.supplier, self.brrw, 1000 * ETHER)
        self.configurator.set_reserve_flash_loaning(self.brrw, True)


class Reentrant:
    """Supplies what it was lent, withdraws it again, repays; optionally fails after."""

    def __init__(self, env: Env, result: bool = True) -> None:
        self.address = make_addr("reentrant-receiver")
        self.env = env
        self.result = result

    def execute_operation(
        self, asset: Any, amount: Any, premium: Any, initiator: Address, params: bytes
    ) -> bool:
        pool, token = self.env.pool, self.env.token(asset)
        token.approve(pool.address, amount, sender=self.address)
        pool.supply(asset, amount, self.address, 0, sender=self.address)
        pool.withdraw(asset, amount, self.address, sender=self.address)
        token.mint(self.address, premium)
        token.approve(pool.address, amount + premium, sender=self.address)
        return self.result


@suites
def test_receiver_may_call_back_into_the_pool(suite):
    t = Env(suite)
    receiver = Reentrant(t)
    t.pool.flash_loan_simple(receiver, t.brrw, 400 * ETHER, b"", 0, sender=t.supplier)
    assert t.a_borrow_asset.balance_of(receiver.address) == 0
    assert t.borrow_asset.balance_of(t.a_borrow_asset.address) == 1000 * ETHER


@suites
def test_a_failing_callback_undoes_the_nested_actions_too(suite):
    t = Env(suite)
    before = t.pool.state_hash()
    with pytest.raises(ProtocolError, match="INVALID_FLASHLOAN_EXECUTOR_RETURN"):
        t.pool.flash_loan_simple(
            Reentrant(t, result=False), t.brrw, ETHER, b"", 0, sender=t.supplier
        )
    assert t.pool.state_hash() == before


@suites
def test_the_same_asset_twice_is_lent_and_repaid_twice(suite):
    t = Env(suite)
    t.pool.update_flashloan_premiums(100, 0, sender=t.configurator.address)  # 1%
    receiver = SimpleFlashLoanReceiver(make_addr("receiver"), t.pool)
    # The mock approves per asset, so a repeated asset needs the sum approved (the second
    # approval replaces the first).
    with pytest.raises(ProtocolError, match="INSUFFICIENT_ALLOWANCE"):
        t.pool.flash_loan(
            receiver,
            [t.brrw, t.brrw],
            [300 * ETHER, 200 * ETHER],
            [0, 0],
            receiver.address,
            b"",
            0,
            sender=t.supplier,
        )
    receiver.set_amount_to_approve(505 * ETHER)
    t.pool.flash_loan(
        receiver,
        [t.brrw, t.brrw],
        [300 * ETHER, 200 * ETHER],
        [0, 0],
        receiver.address,
        b"",
        0,
        sender=t.supplier,
    )
    # 1% of 500 went to the suppliers through the index.
    assert t.borrow_asset.balance_of(t.a_borrow_asset.address) == 1005 * ETHER
    assert abs(t.a_borrow_asset.balance_of(t.supplier) - 1005 * ETHER) <= 1


@suites
def test_the_simple_form_never_waives_the_premium(suite):
    t = Env(suite)
    t.pool.update_flashloan_premiums(100, 0, sender=t.configurator.address)
    t.acl.add_flash_borrower(t.supplier, sender=t.admin)
    receiver = SimpleFlashLoanReceiver(make_addr("receiver"), t.pool)
    t.pool.flash_loan_simple(receiver, t.brrw, 100 * ETHER, b"", 0, sender=t.supplier)
    assert t.borrow_asset.balance_of(t.a_borrow_asset.address) == 1001 * ETHER
    t.pool.flash_loan(receiver, [t.brrw], [100 * ETHER], [0], t.supplier, b"", 0, sender=t.supplier)
    assert t.borrow_asset.balance_of(t.a_borrow_asset.address) == 1001 * ETHER  # waived


@suites
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"amounts": [-1]}, ErrorCode.VALUE_OUT_OF_RANGE),
        ({"interest_rate_modes": [2**256]}, ErrorCode.VALUE_OUT_OF_RANGE),
        ({"params": "0x"}, ErrorCode.INVALID_TYPE),
        ({"referral_code": 2**16}, ErrorCode.VALUE_OUT_OF_RANGE),
    ],
    ids=["amount", "mode", "params", "referral"],
)
def test_flash_loan_arguments_are_abi_checked(suite, kwargs, code):
    t = Env(suite)
    receiver = SimpleFlashLoanReceiver(make_addr("receiver"), t.pool)
    args: dict[str, Any] = {
        "receiver": receiver,
        "assets": [t.brrw],
        "amounts": [ETHER],
        "interest_rate_modes": [0],
        "on_behalf_of": receiver.address,
        "params": b"",
        "referral_code": 0,
    }
    args.update(kwargs)
    with pytest.raises(ProtocolError) as info:
        t.pool.flash_loan(sender=t.supplier, **args)
    assert info.value.code is code


@suites
def test_flash_loan_of_an_unlisted_asset_is_inactive(suite):
    t = Env(suite)
    receiver = SimpleFlashLoanReceiver(make_addr("receiver"), t.pool)
    with pytest.raises(ProtocolError, match="RESERVE_INACTIVE"):
        t.pool.flash_loan_simple(receiver, make_addr("unlisted"), ETHER, b"", 0, sender=t.supplier)
