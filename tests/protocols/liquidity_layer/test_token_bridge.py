"""The canonical token bridges: lock on Ethereum, mint on the L2 or Gnosis after the route's
delay, burn and release on the way back; reverts change nothing; a Hypothesis property: the L1
supply outside the escrow plus the L2 supplies plus what is in flight is conserved."""

from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.liquidity_layer.domains import (
    ARBITRUM,
    AVALANCHE,
    BASE,
    ETHEREUM,
    GNOSIS,
    Network,
)
from sparkprime.protocols.liquidity_layer.token_bridge import (
    DEFAULT_DELAYS_S,
    TokenBridge,
    install_token_bridges,
)
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
ALICE = make_addr("alice")
WAD = 10**18
DAY = 86_400


def _net() -> tuple[Network, dict[str, TokenBridge]]:
    net = Network(Clock(1_700_000_000))
    net.add_chain(ETHEREUM, {"USDS": 18, "sUSDS": 18, "DAI": 18})
    net.add_chain(BASE, {"USDS": 18, "sUSDS": 18})
    net.add_chain(ARBITRUM, {"USDS": 18, "sUSDS": 18})
    net.add_chain(GNOSIS, {"DAI": 18, "USDS": 18})
    net.add_chain(AVALANCHE, {"USDS": 18})
    bridges = install_token_bridges(net)
    eth = net.chain("ethereum")
    for symbol in ("USDS", "sUSDS", "DAI"):
        eth.token(symbol).mint(ALICE, 1_000 * WAD)
        eth.token(symbol).approve(bridges["ethereum"].address, 2**256 - 1, sender=ALICE)
    return net, bridges


def test_round_trip_usds_to_base() -> None:
    net, bridges = _net()
    eth, base = net.chain("ethereum"), net.chain("base")
    bridges["ethereum"].bridge("USDS", 100 * WAD, "base", ALICE, sender=ALICE)
    assert eth.token("USDS").balance_of(bridges["ethereum"].escrow) == 100 * WAD
    net.advance(DEFAULT_DELAYS_S[("USDS", "ethereum", "base")] - 1)
    assert base.token("USDS").balance_of(ALICE) == 0
    net.advance(1)
    assert base.token("USDS").balance_of(ALICE) == 100 * WAD
    bridges["base"].bridge("USDS", 40 * WAD, "ethereum", ALICE, sender=ALICE)
    assert base.token("USDS").total_supply == 60 * WAD
    net.advance(7 * DAY - 1)
    assert eth.token("USDS").balance_of(ALICE) == 900 * WAD
    net.advance(1)
    assert eth.token("USDS").balance_of(ALICE) == 940 * WAD
    assert eth.token("USDS").balance_of(bridges["ethereum"].escrow) == 60 * WAD


def test_dai_to_gnosis_and_susds_to_arbitrum() -> None:
    net, bridges = _net()
    bridges["ethereum"].bridge("DAI", 5 * WAD, "gnosis", ALICE, sender=ALICE)
    bridges["ethereum"].bridge("sUSDS", 7 * WAD, "arbitrum", ALICE, sender=ALICE)
    net.advance(1_800)
    assert net.chain("gnosis").token("DAI").balance_of(ALICE) == 5 * WAD
    assert net.chain("arbitrum").token("sUSDS").balance_of(ALICE) == 7 * WAD


def test_reverts_change_nothing() -> None:
    net, bridges = _net()
    eth_b = bridges["ethereum"]
    cases = [
        (("USDS", 0, "base", ALICE), ErrorCode.BRIDGE_AMOUNT_ZERO),
        (("USDS", 1, "base", ZERO_ADDRESS), ErrorCode.BRIDGE_INVALID_RECIPIENT),
        (("USDS", 1, "avalanche", ALICE), ErrorCode.BRIDGE_UNKNOWN_ROUTE),
        (("DAI", 1, "base", ALICE), ErrorCode.BRIDGE_UNKNOWN_ROUTE),
        (("USDS", 1_001 * WAD, "base", ALICE), ErrorCode.INSUFFICIENT_BALANCE),
    ]
    for args, code in cases:
        with pytest.raises(ProtocolError) as err:
            eth_b.bridge(*args, sender=ALICE)
        assert err.value.code is code
    with pytest.raises(ProtocolError) as err:
        bridges["base"].bridge("USDS", 1, "ethereum", ALICE, sender=ALICE)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE
    with pytest.raises(ProtocolError) as err:
        eth_b.bridge("USDS", 1, "polygon", ALICE, sender=ALICE)
    assert err.value.code is ErrorCode.DOMAIN_UNKNOWN_CHAIN
    assert net.in_flight() == []
    assert net.chain("ethereum").token("USDS").balance_of(ALICE) == 1_000 * WAD


@settings(max_examples=40 * FUZZ, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(("ethereum", "base", "arbitrum", "gnosis")),
            st.sampled_from(("ethereum", "base", "arbitrum", "gnosis")),
            st.sampled_from(("USDS", "sUSDS", "DAI")),
            st.integers(0, 600 * WAD),
            st.integers(0, 8 * DAY),
        ),
        max_size=10,
    )
)
def test_bridged_supply_is_conserved(ops: list[tuple[str, str, str, int, int]]) -> None:
    net, bridges = _net()
    escrow = bridges["ethereum"].escrow

    def outstanding(symbol: str) -> int:
        eth = net.chain("ethereum").token(symbol)
        l2 = sum(
            c.token(symbol).total_supply
            for c in net.chains()
            if c.name != "ethereum" and c.has_token(symbol)
        )
        in_flight = sum(m.amount for m in net.in_flight(symbol))
        return eth.total_supply - eth.balance_of(escrow) + l2 + in_flight

    for src, dst, symbol, amount, wait in ops:
        with contextlib.suppress(ProtocolError):
            bridges[src].bridge(symbol, amount, dst, ALICE, sender=ALICE)
        net.advance(wait)
        for s in ("USDS", "sUSDS", "DAI"):
            assert outstanding(s) == 1_000 * WAD
            # The escrow always backs what exists or travels outside Ethereum.
            assert net.chain("ethereum").token(s).balance_of(escrow) <= 1_000 * WAD
