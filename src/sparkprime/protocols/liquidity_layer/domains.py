"""Chains, their domains, and the network that carries bridge messages between them.

A `Domain` names a chain: its EVM chain id and its Circle CCTP domain (Ethereum 0,
Avalanche 1, Arbitrum 3, Base 6; Gnosis has no CCTP: None), from Circle's "Supported
blockchains" table (developers.circle.com, CCTP / Gateway domain list). A `Chain` is one
domain's state: its own `TokenRegistry` (so its own `Atomic`: an action on one chain never
rolls back another), its tokens by symbol and an address book of its contracts. All chains
share one `Clock`.

A bridge (`cctp.TokenMessenger`, `token_bridge.TokenBridge`) sends a `BridgeMessage` by
writing it to the source chain's outbox through the source chain's `Atomic`, so a send whose
action reverts leaves no message. `Network.advance(seconds)` / `advance_to(ts_s)` moves the
shared clock and delivers every message due by then, in (due time, sequence) order, warping the
clock to each message's due time first, so a delivery happens at its own timestamp.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> net = Network(Clock(1_000))
    >>> eth = net.add_chain(ETHEREUM, {"USDC": 6})
    >>> eth.token("USDC").decimals, eth.domain.cctp_domain
    (6, 0)
    >>> net.advance(60)
    1060
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Final, Protocol

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend.addresses import make_addr

__all__ = [
    "ARBITRUM",
    "AVALANCHE",
    "BASE",
    "DOMAINS",
    "ETHEREUM",
    "GNOSIS",
    "BridgeMessage",
    "Chain",
    "Domain",
    "MessageHandler",
    "Network",
]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Domain:
    """A chain's identity: name, EVM chain id, CCTP domain (None: no CCTP)."""

    name: str
    chain_id: int
    cctp_domain: int | None


ETHEREUM: Final = Domain(name="ethereum", chain_id=1, cctp_domain=0)
AVALANCHE: Final = Domain(name="avalanche", chain_id=43114, cctp_domain=1)
ARBITRUM: Final = Domain(name="arbitrum", chain_id=42161, cctp_domain=3)
BASE: Final = Domain(name="base", chain_id=8453, cctp_domain=6)
GNOSIS: Final = Domain(name="gnosis", chain_id=100, cctp_domain=None)
DOMAINS: Final = (ETHEREUM, AVALANCHE, ARBITRUM, BASE, GNOSIS)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BridgeMessage:
    """A transfer in flight: `amount` of `token` (symbol) for `recipient` on `destination`."""

    seq: int
    handler: str
    source: str
    destination: str
    token: str
    amount: int
    recipient: Address
    sent_ts_s: int
    due_ts_s: int
    nonce: int = 0


class MessageHandler(Protocol):
    """What a bridge gives the network: its name and how to deliver one of its messages."""

    name: str

    def deliver(self, message: BridgeMessage) -> None:
        """Credit the message's recipient on its destination chain."""
        ...


class Chain:
    """One domain's chain: tokens by symbol, contracts by name, its own Atomic."""

    __slots__ = ("_contracts", "_symbols", "clock", "domain", "outbox", "registry")

    def __init__(self, domain: Domain, clock: Clock) -> None:
        self.domain, self.clock = domain, clock
        self.registry = TokenRegistry()
        self._symbols: dict[str, Erc20] = {}
        self._contracts: dict[str, object] = {}
        # seq -> message sent from this chain and not yet delivered (written via `atomic`).
        self.outbox: dict[int, BridgeMessage] = {}

    @property
    def name(self) -> str:
        """The domain's name."""
        return self.domain.name

    @property
    def atomic(self) -> Atomic:
        """The undo log of every contract on this chain."""
        return self.registry.atomic

    def add_token(self, symbol: str, decimals: int, address: Address | None = None) -> Erc20:
        """Deploy an ERC-20 `symbol` here (address derived from chain and symbol by default)."""
        if symbol in self._symbols:
            raise ProtocolError(ErrorCode.DOMAIN_DUPLICATE, what="token", name=symbol)
        addr = address if address is not None else make_addr(f"{self.name}:{symbol}")
        token = self.registry.register(Erc20(addr, symbol, decimals))
        self._symbols[symbol] = token
        return token

    def token(self, symbol: str) -> Erc20:
        """The token `symbol` on this chain."""
        token = self._symbols.get(symbol)
        if token is None:
            raise ProtocolError(ErrorCode.DOMAIN_UNKNOWN_TOKEN, chain=self.name, symbol=symbol)
        return token

    def has_token(self, symbol: str) -> bool:
        """True if `symbol` is deployed here."""
        return symbol in self._symbols

    def symbols(self) -> tuple[str, ...]:
        """Token symbols, in deployment order."""
        return tuple(self._symbols)

    def set_contract(self, name: str, contract: object) -> None:
        """Record `contract` in the address book under `name`."""
        self._contracts[name] = contract

    def contract(self, name: str) -> object:
        """The contract recorded as `name`."""
        if name not in self._contracts:
            raise ProtocolError(
                ErrorCode.INVALID_ID, field="contract", value=name, reason=f"not on {self.name}"
            )
        return self._contracts[name]

    def __repr__(self) -> str:
        return f"Chain({self.name}, tokens={list(self._symbols)})"


class Network:
    """The chains, the bridges between them, and the shared clock that drives delivery."""

    __slots__ = ("_chains", "_handlers", "_seq", "clock")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._chains: dict[str, Chain] = {}
        self._handlers: dict[str, MessageHandler] = {}
        self._seq: dict[str, int] = {"next": 0}

    # --- topology ---

    def add_chain(self, domain: Domain, tokens: Mapping[str, int] | None = None) -> Chain:
        """Add `domain`'s chain with `tokens` (symbol -> decimals)."""
        if domain.name in self._chains:
            raise ProtocolError(ErrorCode.DOMAIN_DUPLICATE, what="chain", name=domain.name)
        chain = Chain(domain, self.clock)
        for symbol, decimals in (tokens or {}).items():
            chain.add_token(symbol, decimals)
        self._chains[domain.name] = chain
        return chain

    def chain(self, name: str) -> Chain:
        """The chain called `name`."""
        chain = self._chains.get(name)
        if chain is None:
            raise ProtocolError(ErrorCode.DOMAIN_UNKNOWN_CHAIN, name=name)
        return chain

    def chains(self) -> tuple[Chain, ...]:
        """All chains, in the order they were added."""
        return tuple(self._chains.values())

    def chain_by_cctp_domain(self, cctp_domain: int) -> Chain | None:
        """The chain with CCTP domain `cctp_domain`, if any."""
        for chain in self._chains.values():
            if chain.domain.cctp_domain == cctp_domain:
                return chain
        return None

    def add_handler(self, handler: MessageHandler) -> None:
        """Register a bridge by its name (one handler per name)."""
        if handler.name in self._handlers:
            raise ProtocolError(ErrorCode.DOMAIN_DUPLICATE, what="bridge", name=handler.name)
        self._handlers[handler.name] = handler

    # --- messages ---

    def send(
        self,
        source: Chain,
        *,
        handler: str,
        destination: str,
        token: str,
        amount: int,
        recipient: Address,
        delay_s: int,
        nonce: int = 0,
    ) -> BridgeMessage:
        """Queue a message on `source`'s outbox, due `delay_s` seconds from now. Call it inside
        the sending action, so a revert of that action drops the message too."""
        seq = self._seq["next"]
        self._seq["next"] = seq + 1  # a gap after a revert is harmless: only order matters
        now = self.clock.now
        message = BridgeMessage(
            seq=seq,
            handler=handler,
            source=source.name,
            destination=destination,
            token=token,
            amount=amount,
            recipient=recipient,
            sent_ts_s=now,
            due_ts_s=now + delay_s,
            nonce=nonce,
        )
        source.atomic.set_item(source.outbox, seq, message)
        return message

    def in_flight(self, token: str | None = None) -> list[BridgeMessage]:
        """Messages sent and not yet delivered (of `token` if given), in delivery order."""
        pending = [
            m
            for chain in self._chains.values()
            for m in chain.outbox.values()
            if token is None or m.token == token
        ]
        return sorted(pending, key=lambda m: (m.due_ts_s, m.seq))

    def advance(self, seconds: int) -> int:
        """Move the clock `seconds` forward, delivering what falls due; return the new time."""
        return self.advance_to(self.clock.now + seconds)

    def advance_to(self, ts_s: int) -> int:
        """Move the clock to `ts_s`, delivering every message due by then in order."""
        if ts_s < self.clock.now:
            raise ProtocolError(ErrorCode.CLOCK_WENT_BACKWARDS, now_s=self.clock.now, ts_s=ts_s)
        while True:
            due = [m for m in self.in_flight() if m.due_ts_s <= ts_s]
            if not due:
                break
            self._deliver(due[0])
        return self.clock.warp(ts_s)

    def deliver_due(self) -> int:
        """Deliver what is due now, without moving the clock; return how many."""
        count = 0
        for message in self.in_flight():
            if message.due_ts_s > self.clock.now:
                break
            self._deliver(message)
            count += 1
        return count

    def _deliver(self, message: BridgeMessage) -> None:
        if message.due_ts_s > self.clock.now:
            self.clock.warp(message.due_ts_s)
        self._handlers[message.handler].deliver(message)
        source = self._chains[message.source]
        source.atomic.del_item(source.outbox, message.seq)

    def total_supply(self, symbols: Iterable[str]) -> dict[str, int]:
        """Supply of each symbol summed over all chains, plus what is in flight (for burn and
        mint bridges such as CCTP this is conserved)."""
        totals: dict[str, int] = {}
        for symbol in symbols:
            on_chain = sum(
                c.token(symbol).total_supply for c in self.chains() if c.has_token(symbol)
            )
            totals[symbol] = on_chain + sum(m.amount for m in self.in_flight(symbol))
        return totals
