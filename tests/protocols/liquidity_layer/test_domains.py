"""Domains, chains and the network's message delivery order."""

from __future__ import annotations

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.liquidity_layer.domains import (
    ARBITRUM,
    AVALANCHE,
    BASE,
    DOMAINS,
    ETHEREUM,
    GNOSIS,
    BridgeMessage,
    Network,
)
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.transaction import transact


def test_cctp_domains_match_circle() -> None:
    # Circle's supported-blockchains table: Ethereum 0, Avalanche 1, Arbitrum 3, Base 6.
    assert [(d.name, d.chain_id, d.cctp_domain) for d in DOMAINS] == [
        ("ethereum", 1, 0),
        ("avalanche", 43114, 1),
        ("arbitrum", 42161, 3),
        ("base", 8453, 6),
        ("gnosis", 100, None),
    ]


def test_chains_have_their_own_tokens_and_atomic() -> None:
    net = Network(Clock(0))
    eth = net.add_chain(ETHEREUM, {"USDC": 6, "USDS": 18})
    base = net.add_chain(BASE, {"USDC": 6})
    assert eth.token("USDC") is not base.token("USDC")
    assert eth.token("USDC").address != base.token("USDC").address
    assert eth.atomic is not base.atomic
    assert eth.symbols() == ("USDC", "USDS")
    assert net.chain("base") is base
    assert net.chain_by_cctp_domain(6) is base
    assert net.chain_by_cctp_domain(1) is None
    with pytest.raises(ProtocolError) as err:
        base.token("USDS")
    assert err.value.code is ErrorCode.DOMAIN_UNKNOWN_TOKEN
    with pytest.raises(ProtocolError) as err:
        net.chain("gnosis")
    assert err.value.code is ErrorCode.DOMAIN_UNKNOWN_CHAIN
    with pytest.raises(ProtocolError) as err:
        net.add_chain(BASE)
    assert err.value.code is ErrorCode.DOMAIN_DUPLICATE
    with pytest.raises(ProtocolError) as err:
        eth.add_token("USDC", 6)
    assert err.value.code is ErrorCode.DOMAIN_DUPLICATE
    eth.set_contract("psm", 42)
    assert eth.contract("psm") == 42
    with pytest.raises(ProtocolError):
        eth.contract("nope")


class _Recorder:
    def __init__(self, net: Network) -> None:
        self.name = "rec"
        self.net = net
        self.seen: list[tuple[int, int]] = []

    def deliver(self, message: BridgeMessage) -> None:
        self.seen.append((message.seq, self.net.clock.now))


def test_advance_delivers_in_due_order_at_due_time() -> None:
    clock = Clock(100)
    net = Network(clock)
    eth, arb = net.add_chain(ETHEREUM), net.add_chain(ARBITRUM)
    net.add_chain(AVALANCHE)
    net.add_chain(GNOSIS)
    rec = _Recorder(net)
    net.add_handler(rec)
    r = make_addr("r")
    a = net.send(
        eth, handler="rec", destination="arbitrum", token="X", amount=1, recipient=r, delay_s=50
    )
    b = net.send(
        arb, handler="rec", destination="ethereum", token="X", amount=2, recipient=r, delay_s=10
    )
    c = net.send(
        eth, handler="rec", destination="arbitrum", token="X", amount=3, recipient=r, delay_s=10
    )
    assert [m.seq for m in net.in_flight()] == [b.seq, c.seq, a.seq]
    assert net.advance(9) == 109
    assert rec.seen == []
    assert net.advance_to(200) == 200
    assert rec.seen == [(b.seq, 110), (c.seq, 110), (a.seq, 150)]
    assert net.in_flight() == []
    with pytest.raises(ProtocolError) as err:
        net.advance_to(199)
    assert err.value.code is ErrorCode.CLOCK_WENT_BACKWARDS


def test_a_reverted_send_leaves_no_message() -> None:
    net = Network(Clock(0))
    eth = net.add_chain(ETHEREUM)

    def send_then_fail() -> None:
        net.send(
            eth,
            handler="rec",
            destination="x",
            token="X",
            amount=1,
            recipient=make_addr("r"),
            delay_s=1,
        )
        raise ProtocolError(ErrorCode.BRIDGE_AMOUNT_ZERO)

    with pytest.raises(ProtocolError):
        transact(eth.atomic, send_then_fail)
    assert net.in_flight() == []
