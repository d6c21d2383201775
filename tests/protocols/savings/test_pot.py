"""dss `src/test/pot.t.sol`, ported with its exact numbers."""

from __future__ import annotations

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.savings.pot import Pot

SELF = Address("0x" + "5e" * 20)
OTHER = Address("0x" + "0b" * 20)
ETHER = 10**18
DAY = 86_400
FIVE_PCT_DAY = 1000000564701133626865910626
TEN_PCT_DAY = 1000001103127689513476993127


def rad(wad: int) -> int:
    return wad * 10**27


def wad(rad_: int) -> int:
    return rad_ // 10**27


@pytest.fixture
def env() -> tuple[Clock, Pot]:
    clock = Clock(604411200)
    pot = Pot(clock, ward=SELF)
    pot.suck(SELF, rad(100 * ETHER))
    return clock, pot


def test_save_0d(env: tuple[Clock, Pot]) -> None:
    _, pot = env
    assert pot.vat_dai(SELF) == rad(100 * ETHER)
    pot.join(100 * ETHER, sender=SELF)
    assert wad(pot.vat_dai(SELF)) == 0
    assert pot.pie(SELF) == 100 * ETHER
    pot.drip()
    pot.exit(100 * ETHER, sender=SELF)
    assert wad(pot.vat_dai(SELF)) == 100 * ETHER


def test_save_1d(env: tuple[Clock, Pot]) -> None:
    clock, pot = env
    pot.join(100 * ETHER, sender=SELF)
    pot.file("dsr", FIVE_PCT_DAY, sender=SELF)
    clock.skip(DAY)
    pot.drip()
    assert pot.pie(SELF) == 100 * ETHER
    pot.exit(100 * ETHER, sender=SELF)
    assert wad(pot.vat_dai(SELF)) == 105 * ETHER


def test_drip_multi(env: tuple[Clock, Pot]) -> None:
    clock, pot = env
    pot.join(100 * ETHER, sender=SELF)
    pot.file("dsr", FIVE_PCT_DAY, sender=SELF)
    clock.skip(DAY)
    pot.drip()
    assert wad(pot.vat_dai(pot.address)) == 105 * ETHER
    pot.file("dsr", TEN_PCT_DAY, sender=SELF)
    clock.skip(DAY)
    pot.drip()
    assert wad(pot.sucked) == 155 * ETHER // 10
    assert wad(pot.vat_dai(pot.address)) == 1155 * ETHER // 10
    assert pot.Pie == 100 * ETHER
    assert pot.chi // 10**9 == 1155 * ETHER // 1000


def test_drip_multi_in_block(env: tuple[Clock, Pot]) -> None:
    clock, pot = env
    pot.drip()
    assert pot.rho == clock.now
    clock.skip(DAY)
    assert pot.rho == clock.now - DAY
    pot.drip()
    assert pot.rho == clock.now
    pot.drip()
    assert pot.rho == clock.now


def test_save_multi(env: tuple[Clock, Pot]) -> None:
    clock, pot = env
    pot.join(100 * ETHER, sender=SELF)
    pot.file("dsr", FIVE_PCT_DAY, sender=SELF)
    clock.skip(DAY)
    pot.drip()
    pot.exit(50 * ETHER, sender=SELF)
    assert wad(pot.vat_dai(SELF)) == 525 * ETHER // 10
    assert pot.Pie == 50 * ETHER
    pot.file("dsr", TEN_PCT_DAY, sender=SELF)
    clock.skip(DAY)
    pot.drip()
    pot.exit(50 * ETHER, sender=SELF)
    assert wad(pot.vat_dai(SELF)) == 11025 * ETHER // 100
    assert pot.Pie == 0


def test_fresh_chi(env: tuple[Clock, Pot]) -> None:
    clock, pot = env
    rho = pot.rho
    assert rho == clock.now
    clock.skip(DAY)
    assert rho == clock.now - DAY
    pot.drip()
    pot.join(100 * ETHER, sender=SELF)
    assert pot.pie(SELF) == 100 * ETHER
    pot.exit(100 * ETHER, sender=SELF)
    assert wad(pot.vat_dai(SELF)) == 100 * ETHER


def test_stale_chi_rejects_join(env: tuple[Clock, Pot]) -> None:
    clock, pot = env
    pot.file("dsr", FIVE_PCT_DAY, sender=SELF)
    pot.drip()
    clock.skip(DAY)
    with pytest.raises(ProtocolError) as err:
        pot.join(100 * ETHER, sender=SELF)
    assert err.value.code is ErrorCode.POT_RHO_NOT_UPDATED
    assert pot.pie(SELF) == 0
    assert pot.vat_dai(SELF) == rad(100 * ETHER)


def test_file(env: tuple[Clock, Pot]) -> None:
    clock, pot = env
    clock.skip(1)
    pot.drip()
    pot.file("dsr", 1, sender=SELF)
    assert pot.dsr == 1


def test_file_without_drip_fails(env: tuple[Clock, Pot]) -> None:
    clock, pot = env
    clock.skip(1)
    with pytest.raises(ProtocolError) as err:
        pot.file("dsr", 1, sender=SELF)
    assert err.value.code is ErrorCode.POT_RHO_NOT_UPDATED


def test_auth_cage_and_unknown_param(env: tuple[Clock, Pot]) -> None:
    _, pot = env
    with pytest.raises(ProtocolError) as err:
        pot.file("dsr", FIVE_PCT_DAY, sender=OTHER)
    assert err.value.code is ErrorCode.POT_NOT_AUTHORIZED
    pot.rely(OTHER, sender=SELF)
    assert pot.wards(OTHER) == 1
    with pytest.raises(ProtocolError) as err:
        pot.file("vow", 1, sender=OTHER)
    assert err.value.code is ErrorCode.POT_FILE_UNRECOGNIZED_PARAM
    pot.deny(OTHER, sender=SELF)
    assert pot.wards(OTHER) == 0
    pot.file("dsr", FIVE_PCT_DAY, sender=SELF)
    pot.cage(sender=SELF)
    assert (pot.live, pot.dsr) == (0, 10**27)
    with pytest.raises(ProtocolError) as err:
        pot.file("dsr", FIVE_PCT_DAY, sender=SELF)
    assert err.value.code is ErrorCode.POT_NOT_LIVE


def test_exit_more_than_pie_changes_nothing(env: tuple[Clock, Pot]) -> None:
    _, pot = env
    pot.join(10 * ETHER, sender=SELF)
    with pytest.raises(ProtocolError) as err:
        pot.exit(11 * ETHER, sender=SELF)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert (pot.pie(SELF), pot.Pie) == (10 * ETHER, 10 * ETHER)
