"""The ERC-20 model, the token registry and the undo log that makes actions all-or-nothing."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr

ALICE, BOB, CAROL = make_addr("alice"), make_addr("bob"), make_addr("carol")
MAX = 2**256 - 1


def _token() -> Erc20:
    return TokenRegistry().register(Erc20(make_addr("token/DAI"), "DAI", 18))


def test_transfer_and_balances():
    dai = _token()
    dai.mint(ALICE, 10)
    assert dai.transfer(BOB, 4, sender=ALICE)
    assert (dai.balance_of(ALICE), dai.balance_of(BOB), dai.total_supply) == (6, 4, 10)
    with pytest.raises(ProtocolError, match="INSUFFICIENT_BALANCE"):
        dai.transfer(BOB, 7, sender=ALICE)
    assert dai.balance_of(ALICE) == 6


def test_transfer_from_spends_the_allowance_but_not_an_infinite_one():
    dai = _token()
    dai.mint(ALICE, 10)
    dai.approve(BOB, 5, sender=ALICE)
    with pytest.raises(ProtocolError, match="INSUFFICIENT_ALLOWANCE") as err:
        dai.transfer_from(ALICE, CAROL, 6, sender=BOB)
    assert err.value.context["allowance"] == 5
    dai.transfer_from(ALICE, CAROL, 5, sender=BOB)
    assert dai.allowance(ALICE, BOB) == 0
    dai.approve(BOB, MAX, sender=ALICE)
    dai.transfer_from(ALICE, CAROL, 5, sender=BOB)
    assert dai.allowance(ALICE, BOB) == MAX
    assert dai.balance_of(CAROL) == 10


def test_allowance_is_checked_before_the_balance():
    dai = _token()
    dai.mint(ALICE, 1)
    dai.approve(BOB, 1, sender=ALICE)
    with pytest.raises(ProtocolError, match="INSUFFICIENT_ALLOWANCE"):
        dai.transfer_from(ALICE, CAROL, 2, sender=BOB)


@pytest.mark.parametrize("bad", [-1, 2**256, 1.0, True, "1"])
def test_amounts_must_be_uint256(bad):
    dai = _token()
    with pytest.raises(ProtocolError) as err:
        dai.transfer(BOB, bad, sender=ALICE)
    assert err.value.code in (ErrorCode.INVALID_TYPE, ErrorCode.VALUE_OUT_OF_RANGE)


def test_mint_burn_and_set_balance_keep_the_supply():
    dai = _token()
    dai.mint(ALICE, 7)
    dai.set_balance(ALICE, 3)
    dai.set_balance(BOB, 5)
    assert dai.total_supply == 8
    with pytest.raises(ProtocolError, match="MATH_OVERFLOW"):
        dai.mint(CAROL, MAX)
    dai.burn(BOB, 5)
    assert dai.total_supply == 3
    with pytest.raises(ProtocolError, match="INSUFFICIENT_BALANCE"):
        dai.burn(ALICE, 4)


def test_registry_finds_tokens_and_refuses_duplicates():
    registry = TokenRegistry()
    dai = registry.register(Erc20(make_addr("token/DAI"), "DAI", 18))
    assert registry.get(dai.address) is dai
    assert dai.address in registry
    with pytest.raises(ProtocolError, match="INVALID_ID"):
        registry.register(Erc20(dai.address, "DAI2", 18))
    with pytest.raises(ProtocolError, match="INVALID_ID"):
        registry.get(ZERO_ADDRESS)


def test_rollback_undoes_every_write_of_the_action():
    registry = TokenRegistry()
    dai = registry.register(Erc20(make_addr("token/DAI"), "DAI", 18))
    dai.mint(ALICE, 10)
    atomic = registry.atomic
    mark = atomic.begin()
    dai.transfer(BOB, 3, sender=ALICE)
    dai.approve(CAROL, 9, sender=BOB)
    dai.mint(CAROL, 1)
    atomic.rollback(mark)
    assert (dai.balance_of(ALICE), dai.balance_of(BOB), dai.balance_of(CAROL)) == (10, 0, 0)
    assert dai.allowance(BOB, CAROL) == 0
    assert dai.total_supply == 10
    assert not atomic.active


def test_nested_actions_commit_only_at_the_outermost():
    atomic = Atomic()
    box: dict[str, int] = {"x": 1}
    outer = atomic.begin()
    atomic.set_item(box, "x", 2)
    inner = atomic.begin()
    atomic.set_item(box, "y", 3)
    atomic.commit()  # inner: still undoable by the outer action
    atomic.rollback(outer)
    assert box == {"x": 1}
    del inner
    with pytest.raises(InvariantViolation):
        atomic.commit()
    with pytest.raises(InvariantViolation):
        atomic.rollback(0)


def test_inner_rollback_keeps_outer_writes():
    atomic = Atomic()
    box: dict[str, int] = {}
    atomic.begin()
    atomic.set_item(box, "a", 1)
    mark = atomic.begin()
    atomic.set_item(box, "b", 2)
    atomic.del_item(box, "a")
    atomic.rollback(mark)
    assert box == {"a": 1}
    atomic.commit()
    assert box == {"a": 1}


def test_make_addr_is_deterministic_and_well_formed():
    assert make_addr("x") == make_addr("x") != make_addr("y")
    assert make_addr("x").startswith("0x")
    assert len(make_addr("x")) == 42
    assert make_addr("x") == make_addr("x").lower()


def test_burning_zero_from_an_account_that_never_held_the_token_is_a_no_op():
    token = Erc20(Address("0x" + "77" * 20), "TKN", 18)
    holder = Address("0x" + "78" * 20)
    token.burn(holder, 0)
    assert token.balance_of(holder) == 0
    assert token.total_supply == 0
