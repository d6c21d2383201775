"""DaiUsds, ported from makerdao/usds `test/DaiUsds.t.sol` at 86532cb (testExchange with its
numbers), plus its token reverts (nothing changes) and a conservation property."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import WAD
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.dai_usds import DaiUsds
from sparkprime.protocols.sparklend.addresses import make_addr

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
USER = make_addr("user")


def _setup() -> tuple[Erc20, Erc20, DaiUsds]:
    reg = TokenRegistry()
    dai = reg.register(Erc20(make_addr("dai"), "DAI", 18))
    usds = reg.register(Erc20(make_addr("usds"), "USDS", 18))
    return dai, usds, DaiUsds(make_addr("daiUsds"), dai=dai, usds=usds, atomic=reg.atomic)


def test_exchange() -> None:
    # testExchange, step by step with its numbers (the DAI comes from a 10_000 DAI exit).
    dai, usds, conv = _setup()
    receiver = make_addr("123")
    dai.mint(USER, 10_000 * WAD)
    steps = [
        (True, USER, 4_000, (6_000, 6_000, 4_000, 4_000, 0, 0)),
        (False, USER, 2_000, (8_000, 8_000, 2_000, 2_000, 0, 0)),
        (True, receiver, 1_500, (6_500, 6_500, 2_000, 3_500, 0, 1_500)),
        (False, receiver, 500, (6_500, 7_000, 1_500, 3_000, 500, 1_500)),
    ]
    for to_usds, usr, amount, expected in steps:
        token = dai if to_usds else usds
        token.approve(conv.address, amount * WAD, sender=USER)
        if to_usds:
            conv.dai_to_usds(usr, amount * WAD, sender=USER)
        else:
            conv.usds_to_dai(usr, amount * WAD, sender=USER)
        got = (
            dai.balance_of(USER),
            dai.total_supply,
            usds.balance_of(USER),
            usds.total_supply,
            dai.balance_of(receiver),
            usds.balance_of(receiver),
        )
        assert got == tuple(x * WAD for x in expected)
        assert token.allowance(USER, conv.address) == 0


def test_reverts_change_nothing() -> None:
    dai, usds, conv = _setup()
    dai.mint(USER, 100)
    with pytest.raises(ProtocolError) as err:
        conv.dai_to_usds(USER, 100, sender=USER)
    assert err.value.code is ErrorCode.INSUFFICIENT_ALLOWANCE
    dai.approve(conv.address, 1_000, sender=USER)
    with pytest.raises(ProtocolError) as err:
        conv.dai_to_usds(USER, 101, sender=USER)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert dai.balance_of(USER) == 100
    assert usds.total_supply == 0
    assert dai.allowance(USER, conv.address) == 1_000


@settings(max_examples=50 * FUZZ, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10**30)), max_size=8))
def test_dai_plus_usds_is_conserved(ops: list[tuple[bool, int]]) -> None:
    dai, usds, conv = _setup()
    dai.mint(USER, 10**30)
    dai.approve(conv.address, 2**256 - 1, sender=USER)
    usds.approve(conv.address, 2**256 - 1, sender=USER)
    for to_usds, wad in ops:
        held = (dai if to_usds else usds).balance_of(USER)
        call = conv.dai_to_usds if to_usds else conv.usds_to_dai
        if wad > held:
            with pytest.raises(ProtocolError, match="INSUFFICIENT_BALANCE"):
                call(USER, wad, sender=USER)
        else:
            call(USER, wad, sender=USER)
        assert dai.total_supply + usds.total_supply == 10**30
        assert dai.balance_of(USER) + usds.balance_of(USER) == 10**30
