"""The routes `sim.sll_world` gives the SLL planner: Ethereum's USDS mint and its lite-PSM swaps
(`ethereum_routes`), and USDC over CCTP both ways between Ethereum and an L2 (`cctp_routes`).

Each route names the controller action the relayer calls, the rate-limit keys it draws on (or
refills) and, for CCTP, Circle's attestation delay on the sending chain. The USDS -> USDC swap
can move no more than the USDC the lite PSM holds (its pocket's balance).

Example:
    >>> from sparkprime.protocols.liquidity_layer.controller_base import LIMIT_USDC_TO_DOMAIN
    >>> from sparkprime.protocols.liquidity_layer.rate_limit_helpers import make_domain_key
    >>> to_l2, to_eth = (make_domain_key(LIMIT_USDC_TO_DOMAIN, d) for d in (6, 0))
    >>> [r.view.route_id for r in cctp_routes("base", 6, to_l2=to_l2, to_eth=to_eth)]
    ['cctp-eth-base', 'cctp-base-eth']
"""

from __future__ import annotations

from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.liquidity_layer.cctp import ATTESTATION_DELAY_S
from sparkprime.protocols.liquidity_layer.controller_base import LIMIT_USDC_TO_CCTP
from sparkprime.protocols.liquidity_layer.mainnet_controller import (
    LIMIT_USDS_MINT,
    LIMIT_USDS_TO_USDC,
)
from sparkprime.protocols.liquidity_layer.planner_views import (
    SKY_CREDIT,
    Node,
    RouteKind,
    RouteView,
)
from sparkprime.protocols.liquidity_layer.psm import DssLitePsm
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimitKey
from sparkprime.protocols.liquidity_layer.relayer import RouteSpec

__all__ = ["cctp_routes", "ethereum_routes"]


def ethereum_routes(usdc: Erc20, psm: DssLitePsm) -> list[RouteSpec]:
    """Mint USDS from Sky credit, and swap USDS <-> USDC through the lite PSM `psm`."""
    e_usds, e_usdc = Node("ethereum", "USDS"), Node("ethereum", "USDC")
    return [
        RouteSpec(
            view=RouteView(
                route_id="mint", kind=RouteKind.MINT, chain="ethereum", src=SKY_CREDIT,
                dst=e_usds, action="mint_usds", decimals=18, keys=(LIMIT_USDS_MINT,),
            ),
        ),
        RouteSpec(
            view=RouteView(
                route_id="psm-usds-usdc", kind=RouteKind.SWAP, chain="ethereum", src=e_usds,
                dst=e_usdc, action="swap_usds_to_usdc", decimals=6,
                keys=(LIMIT_USDS_TO_USDC,),
            ),
            capacity_units=lambda: usdc.balance_of(psm.pocket),
        ),
        RouteSpec(
            view=RouteView(
                route_id="psm-usdc-usds", kind=RouteKind.SWAP, chain="ethereum", src=e_usdc,
                dst=e_usds, action="swap_usdc_to_usds", decimals=6,
                refills=(LIMIT_USDS_TO_USDC,),
            ),
        ),
    ]  # fmt: skip


def cctp_routes(
    name: str, domain: int, *, to_l2: RateLimitKey, to_eth: RateLimitKey
) -> list[RouteSpec]:
    """USDC over CCTP from Ethereum to the L2 `name` (CCTP domain `domain`, Ethereum's key
    `to_l2`) and back (the L2's key `to_eth`), each after its sending chain's attestation delay.
    """
    node, e_usdc = Node(name, "USDC"), Node("ethereum", "USDC")
    return [
        RouteSpec(
            view=RouteView(
                route_id=f"cctp-eth-{name}", kind=RouteKind.BRIDGE, chain="ethereum",
                src=e_usdc, dst=node, action="transfer_usdc_to_cctp", decimals=6,
                keys=(LIMIT_USDC_TO_CCTP, to_l2), delay_s=ATTESTATION_DELAY_S["ethereum"],
                args=(("destination_domain", domain),),
            ),
        ),
        RouteSpec(
            view=RouteView(
                route_id=f"cctp-{name}-eth", kind=RouteKind.BRIDGE, chain=name, src=node,
                dst=e_usdc, action="transfer_usdc_to_cctp", decimals=6,
                keys=(LIMIT_USDC_TO_CCTP, to_eth), delay_s=ATTESTATION_DELAY_S[name],
                args=(("destination_domain", 0),),
            ),
        ),
    ]  # fmt: skip
