"""Circle CCTP v1 as the ALM controller uses it: `TokenMessenger.deposit_for_burn` on the
source chain, a mint of the same amount of USDC on the destination after attestation.

Source: circlefin/evm-cctp-contracts `src/TokenMessenger.sol` and `src/TokenMinter.sol` at
1ddc5057e2a686194d481d04239387cf095ec760. `depositForBurn(amount, destinationDomain,
mintRecipient, burnToken)` checks, in this order:

- "Amount must be nonzero" (`CCTP_AMOUNT_ZERO`);
- "Mint recipient must be nonzero" (`CCTP_MINT_RECIPIENT_ZERO`);
- "No TokenMessenger for domain" (`CCTP_NO_TOKEN_MESSENGER_FOR_DOMAIN`);
- the pull of `amount` from the caller to the local minter (the token's own revert);
- the minter's `onlyWithinBurnLimit`: "Burn token not supported" when
  `burnLimitsPerMessage[token] == 0`, "Burn amount exceeds per tx limit" above it
  (`CCTP_BURN_TOKEN_NOT_SUPPORTED` / `CCTP_BURN_AMOUNT_EXCEEDS_LIMIT`);

then burns and returns the message nonce (one counter per source domain). The mint on the
destination is delivered by `Network.advance*` once the attestation is out: Circle's "CCTP V1
block confirmations" table gives ~13-19 minutes for Ethereum, Arbitrum and Base (Arbitrum and
Base wait for the L1 batch to finalize, ~65 ETH blocks) and ~8 seconds for Avalanche; the
defaults below take the low ends (780 s, 8 s). `attestation_delay_s` overrides them.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.liquidity_layer.domains import BASE, ETHEREUM, Network
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> net = Network(Clock(0))
    >>> eth, base = net.add_chain(ETHEREUM, {"USDC": 6}), net.add_chain(BASE, {"USDC": 6})
    >>> messengers = install_cctp(net, burn_limit=10**12)
    >>> alice, bob = make_addr("alice"), make_addr("bob")
    >>> eth.token("USDC").mint(alice, 5 * 10**6)
    >>> m = messengers["ethereum"]
    >>> _ = eth.token("USDC").approve(m.address, 5 * 10**6, sender=alice)
    >>> m.deposit_for_burn(5 * 10**6, 6, bob, eth.token("USDC").address, sender=alice)
    0
    >>> _ = net.advance(780)
    >>> base.token("USDC").balance_of(bob)
    5000000
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.liquidity_layer.domains import BridgeMessage, Chain, Network
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "ATTESTATION_DELAY_S",
    "DEFAULT_ATTESTATION_DELAY_S",
    "TokenMessenger",
    "TokenMinter",
    "install_cctp",
]

# Source chain name -> seconds until Circle's attestation (CCTP V1 block confirmations table).
ATTESTATION_DELAY_S: Final = {"ethereum": 780, "arbitrum": 780, "base": 780, "avalanche": 8}
DEFAULT_ATTESTATION_DELAY_S: Final = 780


class TokenMinter:
    """The local `TokenMinter`: per-token burn limits; it burns what the messenger sends it."""

    __slots__ = ("_limits", "address", "chain")

    def __init__(self, chain: Chain, address: Address) -> None:
        self.chain, self.address = chain, address
        self._limits: dict[Address, int] = {}

    def burn_limits_per_message(self, token: Address) -> int:
        """`burnLimitsPerMessage(token)`: 0 means the token cannot be burnt."""
        return self._limits.get(token, 0)

    def set_max_burn_amount_per_message(self, token: Address, amount: int) -> None:
        """`setMaxBurnAmountPerMessage` (the token controller's call)."""
        self.chain.atomic.set_item(self._limits, token, check_uint256(amount, field="amount"))

    def burn(self, token: Address, amount: int) -> None:
        """Burn `amount` of `token` held by the minter, within the per-message limit."""
        limit = self.burn_limits_per_message(token)
        if limit == 0:
            raise ProtocolError(
                ErrorCode.CCTP_BURN_TOKEN_NOT_SUPPORTED,
                token=token,
                reason="Burn token not supported",
            )
        if amount > limit:
            raise ProtocolError(
                ErrorCode.CCTP_BURN_AMOUNT_EXCEEDS_LIMIT,
                amount=amount,
                limit=limit,
                reason="Burn amount exceeds per tx limit",
            )
        self.chain.registry.get(token).burn(self.address, amount)


class TokenMessenger:
    """A chain's `TokenMessenger`, with its local minter and its remote messengers."""

    __slots__ = (
        "_nonce",
        "_remotes",
        "address",
        "attestation_delay_s",
        "chain",
        "local_minter",
        "name",
        "network",
    )

    def __init__(
        self,
        chain: Chain,
        network: Network,
        *,
        address: Address | None = None,
        attestation_delay_s: int | None = None,
    ) -> None:
        self.chain, self.network = chain, network
        self.address = address if address is not None else make_addr(f"{chain.name}:cctp")
        self.local_minter = TokenMinter(chain, make_addr(f"{chain.name}:cctp-minter"))
        self.attestation_delay_s = (
            attestation_delay_s
            if attestation_delay_s is not None
            else ATTESTATION_DELAY_S.get(chain.name, DEFAULT_ATTESTATION_DELAY_S)
        )
        self.name = f"cctp:{chain.name}"
        self._remotes: dict[int, Address] = {}
        self._nonce: dict[str, int] = {"next": 0}

    @property
    def local_domain(self) -> int | None:
        """This chain's CCTP domain."""
        return self.chain.domain.cctp_domain

    def remote_token_messengers(self, domain: int) -> Address:
        """`remoteTokenMessengers(domain)` (zero address when unset)."""
        return self._remotes.get(domain, ZERO_ADDRESS)

    def add_remote_token_messenger(self, domain: int, messenger: Address) -> None:
        """`addRemoteTokenMessenger` (owner call)."""
        self.chain.atomic.set_item(self._remotes, domain, messenger)

    def next_available_nonce(self) -> int:
        """The nonce the next burn reserves."""
        return self._nonce["next"]

    def deposit_for_burn(
        self,
        amount: int,
        destination_domain: int,
        mint_recipient: Address,
        burn_token: Address,
        *,
        sender: Address,
    ) -> int:
        """Burn `amount` of `burn_token` from `sender`; `mint_recipient` gets as much USDC on
        `destination_domain` after the attestation delay. Return the nonce."""
        return transact(
            self.chain.atomic,
            self._deposit_for_burn,
            amount,
            destination_domain,
            mint_recipient,
            burn_token,
            sender,
        )

    def _deposit_for_burn(
        self,
        amount: int,
        destination_domain: int,
        mint_recipient: Address,
        burn_token: Address,
        sender: Address,
    ) -> int:
        amount = check_uint256(amount, field="amount")
        if amount == 0:
            raise ProtocolError(ErrorCode.CCTP_AMOUNT_ZERO, reason="Amount must be nonzero")
        if mint_recipient == ZERO_ADDRESS:
            raise ProtocolError(
                ErrorCode.CCTP_MINT_RECIPIENT_ZERO, reason="Mint recipient must be nonzero"
            )
        destination = self.network.chain_by_cctp_domain(destination_domain)
        if self.remote_token_messengers(destination_domain) == ZERO_ADDRESS or destination is None:
            raise ProtocolError(
                ErrorCode.CCTP_NO_TOKEN_MESSENGER_FOR_DOMAIN,
                domain=destination_domain,
                reason="No TokenMessenger for domain",
            )
        token = self.chain.registry.get(burn_token)
        token.transfer_from(sender, self.local_minter.address, amount, sender=self.address)
        self.local_minter.burn(burn_token, amount)
        nonce = self._nonce["next"]
        self.chain.atomic.set_item(self._nonce, "next", nonce + 1)
        self.network.send(
            self.chain,
            handler=self.name,
            destination=destination.name,
            token=token.symbol,
            amount=amount,
            recipient=mint_recipient,
            delay_s=self.attestation_delay_s,
            nonce=nonce,
        )
        return nonce

    def deliver(self, message: BridgeMessage) -> None:
        """`receiveMessage` on the destination: mint the USDC to the recipient."""
        destination = self.network.chain(message.destination)
        token = destination.token(message.token)
        transact(destination.atomic, token.mint, message.recipient, message.amount)


def install_cctp(
    network: Network,
    *,
    burn_limit: int,
    token: str = "USDC",
    attestation_delay_s: dict[str, int] | None = None,
) -> dict[str, TokenMessenger]:
    """A `TokenMessenger` on every chain with a CCTP domain and `token`, each knowing all the
    others, with `burn_limit` per message for `token`; recorded as "cctp_token_messenger"."""
    delays = attestation_delay_s or {}
    messengers: dict[str, TokenMessenger] = {}
    for chain in network.chains():
        if chain.domain.cctp_domain is None or not chain.has_token(token):
            continue
        m = TokenMessenger(chain, network, attestation_delay_s=delays.get(chain.name))
        m.local_minter.set_max_burn_amount_per_message(chain.token(token).address, burn_limit)
        network.add_handler(m)
        chain.set_contract("cctp_token_messenger", m)
        messengers[chain.name] = m
    for m in messengers.values():
        for other in messengers.values():
            if other is not m and other.local_domain is not None:
                m.add_remote_token_messenger(other.local_domain, other.address)
    return messengers
