"""The Spark Liquidity Layer (spark-alm-controller) and the venues it allocates into.

- Controls: `RateLimits` (+ key helpers), `ALMProxy`, `MainnetController`,
  `ForeignController`.
- Venues: the Sky allocator vault and buffer, `DaiUsds`, the lite PSM (`DssLitePsm`, USDC with
  the 1e12 conversion), `PSM3` on L2s, Aave-like markets (`build_aave_market`), D3M.
- Chains: `Network` of `Chain`s (Ethereum, Base, Arbitrum, Avalanche, Gnosis) on one clock,
  with Circle CCTP and canonical token bridges delivering after their delays;
  `build_network_sll` wires a whole multi-chain SLL.
- The relayer: `plan_allocation` (the off-chain allocation planner), `observe` and `execute`.

Rate-limit keys are SHA-256 stand-ins for the contract's keccak256 (`rate_limit_helpers`).
"""

from sparkprime.protocols.liquidity_layer.aave_market import build_aave_market
from sparkprime.protocols.liquidity_layer.allocator import AllocatorBuffer, AllocatorVault
from sparkprime.protocols.liquidity_layer.alm_proxy import ALMProxy
from sparkprime.protocols.liquidity_layer.cctp import TokenMessenger, install_cctp
from sparkprime.protocols.liquidity_layer.d3m import D3MHub
from sparkprime.protocols.liquidity_layer.dai_usds import DaiUsds
from sparkprime.protocols.liquidity_layer.domains import DOMAINS, Chain, Domain, Network
from sparkprime.protocols.liquidity_layer.foreign_controller import ForeignController
from sparkprime.protocols.liquidity_layer.mainnet_controller import MainnetController
from sparkprime.protocols.liquidity_layer.planner import (
    Plan,
    PlannedAction,
    PlannerPolicy,
    plan_allocation,
    plan_fixed_split,
    target_liquidity_wad,
)
from sparkprime.protocols.liquidity_layer.psm import DssLitePsm
from sparkprime.protocols.liquidity_layer.psm3 import PSM3
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
    make_limit_id,
    unlimited_rate_limit,
)
from sparkprime.protocols.liquidity_layer.rate_limits import (
    CONTROLLER,
    UNLIMITED,
    RateLimitData,
    RateLimitKey,
    RateLimits,
    rate_limit_key,
)
from sparkprime.protocols.liquidity_layer.relayer import execute, observe
from sparkprime.protocols.liquidity_layer.sll_network import build_network_sll
from sparkprime.protocols.liquidity_layer.token_bridge import TokenBridge, install_token_bridges

__all__ = [
    "CONTROLLER",
    "DOMAINS",
    "PSM3",
    "UNLIMITED",
    "ALMProxy",
    "AllocatorBuffer",
    "AllocatorVault",
    "Chain",
    "D3MHub",
    "DaiUsds",
    "Domain",
    "DssLitePsm",
    "ForeignController",
    "MainnetController",
    "Network",
    "Plan",
    "PlannedAction",
    "PlannerPolicy",
    "RateLimitData",
    "RateLimitKey",
    "RateLimits",
    "TokenBridge",
    "TokenMessenger",
    "build_aave_market",
    "build_network_sll",
    "execute",
    "install_cctp",
    "install_token_bridges",
    "make_asset_destination_key",
    "make_asset_key",
    "make_domain_key",
    "make_limit_id",
    "observe",
    "plan_allocation",
    "plan_fixed_split",
    "rate_limit_key",
    "target_liquidity_wad",
    "unlimited_rate_limit",
]
