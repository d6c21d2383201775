"""Canonical token bridges for the routes CCTP does not serve: USDS and sUSDS from Ethereum to
the L2s (Sky's token bridges), DAI and USDS to Gnosis.

A `TokenBridge` sits on one chain. Sending from the token's home chain (Ethereum) locks the
tokens in the bridge's escrow; the destination mints as much after the route's delay. Sending
back burns on the L2 and, after the delay, releases from the L1 escrow. So the L1 supply
outside the escrow, plus every L2 supply, plus what is in flight, is conserved.

Delays (`DEFAULT_DELAYS_S`, seconds, overridable per route) are model choices from the
bridges' documentation, not on-chain constants:

- Ethereum -> Base / Arbitrum: a deposit is derived from the L1 transaction once it is
  processed (Base docs "Bridging and withdrawals"; Arbitrum retryables): 20 minutes.
- Base / Arbitrum -> Ethereum: a standard withdrawal waits out the 7-day challenge period
  (OP Stack docs "Transaction finality": "a minimum 7-day wait"; Arbitrum's is ~6.4 days): 7
  days.
- Ethereum <-> Gnosis (omnibridge / xDAI bridge, validator-signed): 30 minutes each way.
- Avalanche has no Sky token bridge route here.

Reverts: amount 0 (`BRIDGE_AMOUNT_ZERO`), zero recipient (`BRIDGE_INVALID_RECIPIENT`), a
(token, source, destination) with no route (`BRIDGE_UNKNOWN_ROUTE`), and the token's own
reverts on the pull or burn. Every send is all-or-nothing on the source chain.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.liquidity_layer.domains import BASE, ETHEREUM, Network
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> net = Network(Clock(0))
    >>> eth, base = net.add_chain(ETHEREUM, {"USDS": 18}), net.add_chain(BASE, {"USDS": 18})
    >>> bridges = install_token_bridges(net)
    >>> alice = make_addr("alice")
    >>> eth.token("USDS").mint(alice, 10)
    >>> _ = eth.token("USDS").approve(bridges["ethereum"].address, 10, sender=alice)
    >>> bridges["ethereum"].bridge("USDS", 10, "base", alice, sender=alice)
    >>> _ = net.advance(1200)
    >>> base.token("USDS").balance_of(alice), eth.token("USDS").balance_of(alice)
    (10, 0)
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.liquidity_layer.domains import BridgeMessage, Chain, Network
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["DEFAULT_DELAYS_S", "HOME_CHAIN", "TokenBridge", "install_token_bridges"]

HOME_CHAIN: Final = "ethereum"
_DAY: Final = 86_400

# (token, source, destination) -> seconds until the destination credits the recipient.
DEFAULT_DELAYS_S: Final[dict[tuple[str, str, str], int]] = {
    **{(t, "ethereum", l2): 1_200 for t in ("USDS", "sUSDS") for l2 in ("base", "arbitrum")},
    **{(t, l2, "ethereum"): 7 * _DAY for t in ("USDS", "sUSDS") for l2 in ("base", "arbitrum")},
    **{(t, "ethereum", "gnosis"): 1_800 for t in ("DAI", "USDS")},
    **{(t, "gnosis", "ethereum"): 1_800 for t in ("DAI", "USDS")},
}


class TokenBridge:
    """One chain's end of the canonical bridges: escrow on the home chain, burn elsewhere."""

    __slots__ = ("address", "chain", "escrow", "name", "network", "routes")

    def __init__(
        self,
        chain: Chain,
        network: Network,
        *,
        routes: dict[tuple[str, str, str], int],
        address: Address | None = None,
    ) -> None:
        self.chain, self.network = chain, network
        self.address = address if address is not None else make_addr(f"{chain.name}:bridge")
        self.escrow = make_addr(f"{chain.name}:bridge-escrow")
        self.name = f"bridge:{chain.name}"
        self.routes = {k: v for k, v in routes.items() if k[1] == chain.name}

    @property
    def is_home(self) -> bool:
        """True on the chain where the bridged tokens are native (escrow, not burn)."""
        return self.chain.name == HOME_CHAIN

    def bridge(
        self,
        token_symbol: str,
        amount: int,
        destination_chain_name: str,
        recipient: Address,
        *,
        sender: Address,
    ) -> None:
        """Send `amount` of `sender`'s `token_symbol` to `recipient` on the destination."""
        transact(
            self.chain.atomic,
            self._bridge,
            token_symbol,
            amount,
            destination_chain_name,
            recipient,
            sender,
        )

    def _bridge(
        self, symbol: str, amount: int, destination: str, recipient: Address, sender: Address
    ) -> None:
        amount = check_uint256(amount, field="amount")
        if amount == 0:
            raise ProtocolError(ErrorCode.BRIDGE_AMOUNT_ZERO)
        if recipient == ZERO_ADDRESS:
            raise ProtocolError(ErrorCode.BRIDGE_INVALID_RECIPIENT)
        delay = self.routes.get((symbol, self.chain.name, destination))
        target = self.network.chain(destination)
        if delay is None or not target.has_token(symbol):
            raise ProtocolError(
                ErrorCode.BRIDGE_UNKNOWN_ROUTE,
                token=symbol,
                source=self.chain.name,
                destination=destination,
            )
        token = self.chain.token(symbol)
        if self.is_home:
            token.transfer_from(sender, self.escrow, amount, sender=self.address)
        else:
            token.burn(sender, amount)
        self.network.send(
            self.chain,
            handler=f"bridge:{destination}",
            destination=destination,
            token=symbol,
            amount=amount,
            recipient=recipient,
            delay_s=delay,
        )

    def deliver(self, message: BridgeMessage) -> None:
        """Finalize a message arriving here: release from escrow (home) or mint."""
        token = self.chain.token(message.token)
        if self.is_home:
            transact(
                self.chain.atomic,
                token.transfer,
                message.recipient,
                message.amount,
                sender=self.escrow,
            )
        else:
            transact(self.chain.atomic, token.mint, message.recipient, message.amount)


def install_token_bridges(
    network: Network, routes: dict[tuple[str, str, str], int] | None = None
) -> dict[str, TokenBridge]:
    """A `TokenBridge` on every chain, with `routes` (DEFAULT_DELAYS_S by default, limited to
    chains and tokens that exist); recorded as "token_bridge"."""
    routes = dict(DEFAULT_DELAYS_S if routes is None else routes)
    bridges: dict[str, TokenBridge] = {}
    for chain in network.chains():
        b = TokenBridge(chain, network, routes=routes)
        network.add_handler(b)
        chain.set_contract("token_bridge", b)
        bridges[chain.name] = b
    return bridges
