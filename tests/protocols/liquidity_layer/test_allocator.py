"""AllocatorVault / AllocatorBuffer, ported from makerdao/dss-allocator `test/AllocatorVault.t.sol`
(testAuth, testModifiers, testFile, testRoles, testDrawWipe; the `line()/debt()/slot()`
version's testDrawWipe assertions and testDebtOverLine) with the JugMock's duty of 1.001 per
second, plus the Vat ceiling, rounding properties and all-or-nothing checks.

The JugMock adds `(duty - RAY) * dt` to the rate; the model's Jug compounds with rpow, which is
the same for the one-second steps the suite takes.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.allocator import (
    AllocatorBuffer,
    AllocatorVault,
    divup,
)
from sparkprime.protocols.sparklend.addresses import make_addr

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
GOV = make_addr("test-contract")
BEEF = make_addr("0xBEEF")
DUTY = 1001 * RAY // 1000


def _setup(
    *, line_wad: int = 20_000_000 * WAD, duty: int = DUTY
) -> tuple[Clock, Erc20, AllocatorBuffer, AllocatorVault]:
    clock = Clock(1_700_000_000)
    reg = TokenRegistry()
    usds = reg.register(Erc20(make_addr("usds"), "USDS", 18))
    buffer = AllocatorBuffer(make_addr("buffer"), atomic=reg.atomic, ward=GOV)
    vault = AllocatorVault(
        make_addr("vault"),
        usds=usds,
        buffer=buffer,
        clock=clock,
        atomic=reg.atomic,
        ward=GOV,
        ilk="TEST-ILK",
        line_wad=line_wad,
        duty_ray=duty,
    )
    buffer.approve(usds, vault.address, 2**256 - 1, sender=GOV)
    return clock, usds, buffer, vault


def test_auth_rely_deny() -> None:
    # checkAuth: the deployer is a ward; rely/deny by a non-ward revert.
    _, _, buffer, vault = _setup()
    assert vault.wards(GOV) == 1
    assert buffer.wards(GOV) == 1
    for contract, reason in ((vault, "AllocatorVault"), (buffer, "AllocatorBuffer")):
        with pytest.raises(ProtocolError) as err:
            contract.rely(BEEF, sender=BEEF)
        assert err.value.code is ErrorCode.ALLOCATOR_NOT_AUTHORIZED
        assert err.value.context["reason"] == f"{reason}/not-authorized"
        contract.rely(BEEF, sender=GOV)
        assert contract.wards(BEEF) == 1
        contract.deny(BEEF, sender=BEEF)
        assert contract.wards(BEEF) == 0


def test_modifiers_draw_wipe_need_auth() -> None:
    _, usds, buffer, vault = _setup()
    for call in (vault.draw, vault.wipe):
        with pytest.raises(ProtocolError) as err:
            call(1, sender=BEEF)
        assert err.value.code is ErrorCode.ALLOCATOR_NOT_AUTHORIZED
    with pytest.raises(ProtocolError) as err:
        buffer.approve(usds, BEEF, 1, sender=BEEF)
    assert err.value.context["reason"] == "AllocatorBuffer/not-authorized"


def test_file() -> None:
    _, _, _, vault = _setup()
    jug = vault.jug
    vault.file("jug", None, sender=GOV)
    assert vault.jug is None
    vault.file("jug", jug, sender=GOV)
    assert vault.jug is jug
    with pytest.raises(ProtocolError) as err:
        vault.file("bad", jug, sender=GOV)
    assert err.value.code is ErrorCode.ALLOCATOR_FILE_UNRECOGNIZED_PARAM
    assert err.value.context["reason"] == "AllocatorVault/file-unrecognized-param"


def test_roles() -> None:
    # testRoles: 0xBEEF cannot file until the roles module lets it (here: kiss).
    _, _, _, vault = _setup()
    with pytest.raises(ProtocolError) as err:
        vault.file("jug", None, sender=BEEF)
    assert err.value.context["reason"] == "AllocatorVault/not-authorized"
    vault.kiss(BEEF, sender=GOV)
    assert vault.buds(BEEF) == 1
    vault.file("jug", None, sender=BEEF)
    vault.diss(BEEF, sender=GOV)
    with pytest.raises(ProtocolError):
        vault.file("jug", None, sender=BEEF)


def test_draw_wipe() -> None:
    clock, usds, buffer, vault = _setup()
    assert vault.line == 20_000_000 * WAD
    vault.draw(50 * 10**18, sender=GOV)
    _, art = vault.vat.urns("TEST-ILK", vault.address)
    assert art == 50 * 10**18
    assert vault.vat.ilks("TEST-ILK").rate == 10**27
    assert vault.debt() == 50 * 10**18
    assert vault.slot() == vault.line - 50 * 10**18
    assert usds.balance_of(buffer.address) == 50 * 10**18

    clock.skip(1)
    vault.draw(50 * 10**18, sender=GOV)
    _, art = vault.vat.urns("TEST-ILK", vault.address)
    expected_art = 50 * 10**18 + divup(50 * 10**18 * 1000, 1001)
    assert art == expected_art
    rate = vault.vat.ilks("TEST-ILK").rate
    assert rate == 1001 * 10**27 // 1000
    assert vault.debt() == divup(expected_art * 1001, 1000)
    assert vault.slot() == vault.line - divup(expected_art * 1001, 1000)
    assert usds.balance_of(buffer.address) == 100 * 10**18
    assert 100_05 * 10**43 < art * rate < 100_06 * 10**43

    with pytest.raises(ProtocolError) as err:  # "Gem/insufficient-balance"
        vault.wipe(10006 * 10**16, sender=GOV)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE
    usds.set_balance(buffer.address, 10006 * 10**16)
    with pytest.raises(ProtocolError) as err:  # wipes more art than there is
        vault.wipe(10006 * 10**16, sender=GOV)
    assert err.value.code is ErrorCode.MATH_OVERFLOW
    assert usds.balance_of(buffer.address) == 10006 * 10**16  # the revert undid the pull
    vault.wipe(10005 * 10**16, sender=GOV)
    assert usds.balance_of(buffer.address) == 10**16
    _, art = vault.vat.urns("TEST-ILK", vault.address)
    assert art == 1  # dust which is impossible to wipe


def test_debt_over_line() -> None:
    clock, _, _, vault = _setup()
    vault.draw(vault.line, sender=GOV)
    clock.skip(1)
    vault.jug.drip("TEST-ILK")  # type: ignore[union-attr]
    assert vault.debt() > vault.line
    assert vault.slot() == 0


def test_draw_over_line_reverts_and_changes_nothing() -> None:
    _, usds, buffer, vault = _setup(line_wad=100 * WAD)
    vault.draw(100 * WAD, sender=GOV)
    with pytest.raises(ProtocolError) as err:
        vault.draw(1, sender=GOV)
    assert err.value.code is ErrorCode.VAT_CEILING_EXCEEDED
    assert err.value.context["reason"] == "Vat/ceiling-exceeded"
    assert usds.balance_of(buffer.address) == 100 * WAD
    assert vault.vat.urns("TEST-ILK", vault.address)[1] == 100 * WAD


def test_draw_without_jug_reverts() -> None:
    _, _, _, vault = _setup()
    vault.file("jug", None, sender=GOV)
    with pytest.raises(ProtocolError) as err:
        vault.draw(1, sender=GOV)
    assert err.value.code is ErrorCode.ALLOCATOR_JUG_NOT_SET


def test_buffer_deposit() -> None:
    _, usds, buffer, _ = _setup()
    usds.mint(BEEF, 10)
    usds.approve(buffer.address, 10, sender=BEEF)
    buffer.deposit(usds, 10, sender=BEEF)
    assert usds.balance_of(buffer.address) == 10


@settings(max_examples=50 * FUZZ, deadline=None)
@given(
    draws=st.lists(st.integers(1, 10**24), min_size=1, max_size=5),
    dts=st.lists(st.integers(0, 86_400 * 30), min_size=5, max_size=5),
    duty=st.integers(RAY, RAY + 3 * 10**18),
)
def test_rounding_never_favours_the_vault_user(draws: list[int], dts: list[int], duty: int) -> None:
    # draw rounds dart up and wipe rounds it down: the recorded debt always covers the USDS
    # minted, and wiping everything back never leaves the urn with less debt than 0.
    clock, usds, buffer, vault = _setup(line_wad=10**30, duty=duty)
    for wad, dt in zip(draws, dts, strict=False):
        clock.skip(dt)
        vault.draw(wad, sender=GOV)
        _, art = vault.vat.urns("TEST-ILK", vault.address)
        assert art * vault.vat.ilks("TEST-ILK").rate >= usds.balance_of(buffer.address) * RAY
    minted = usds.balance_of(buffer.address)
    _, art_before = vault.vat.urns("TEST-ILK", vault.address)
    vault.wipe(minted, sender=GOV)
    _, art_after = vault.vat.urns("TEST-ILK", vault.address)
    rate = vault.vat.ilks("TEST-ILK").rate
    # The wipe removes no more debt than the USDS it burns, and less than one `rate` unit less.
    assert 0 <= minted * RAY - (art_before - art_after) * rate < rate
    assert usds.total_supply == 0
