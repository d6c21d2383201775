"""Set-up shared by the controller tests (spark-alm-controller `test/mainnet-fork/
ForkTestBase.t.sol` and `test/base-fork/ForkTestBase.t.sol`, in Python), plus a snapshot of
everything an action may move on every chain, for the "a refused call changes nothing" checks.

Every venue is the real model: `Env` is `sll_network.build_network_sll` on a `Network`
(Ethereum with the allocator vault and buffer, DaiUsds, the lite PSM, sUSDS, a SparkLend-code
USDC market and Circle CCTP; each L2 with PSM3 over the SSR oracle, an Aave-like market and
CCTP), as the fork tests run against the deployed contracts. A CCTP transfer is a burn on the
source chain and a message in the network's outbox until `Network.advance` delivers it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sparkprime.core.clock import Clock
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.liquidity_layer.deployment import ForeignSll, MainnetSll
from sparkprime.protocols.liquidity_layer.domains import BASE, BridgeMessage, Domain, Network
from sparkprime.protocols.liquidity_layer.sll_network import (
    FREEZER_ADDRESS,
    RELAYER_ADDRESS,
    NetworkSll,
    NetworkSllConfig,
    admin_of,
    build_network_sll,
    proxy_address,
)
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.pool import Pool

E18 = 10**18
E6 = 10**6
HOUR = 3600
START_TS = 1_700_000_000
# sUSDS ssr of ~4.5% APY (the network's default); it only drives accrual.
SSR = 1000000001395766281313196627


def build_world(l2s: tuple[Domain, ...] = (BASE,)) -> NetworkSll:
    """The real SLL on Ethereum and `l2s`, Ethereum's lending market listing USDC (the market
    of the Aave fork tests' aUSDC)."""
    config = NetworkSllConfig(l2s=l2s, ethereum_aave_stable="USDC", ssr_ray=SSR)
    return build_network_sll(Network(Clock(START_TS)), config)


class Env:
    """The Ethereum side of a real network SLL, by the names the fork tests use."""

    def __init__(self, *, l2s: tuple[Domain, ...] = (BASE,)) -> None:
        self.world = build_world(l2s)
        self.network = self.world.network
        eth = self.world.ethereum
        self.eth = eth
        self.clock = self.network.clock
        self.chain = eth.chain
        self.registry = eth.chain.registry
        self.usds = eth.chain.token("USDS")
        self.usdc = eth.chain.token("USDC")
        self.dai = eth.chain.token("DAI")
        self.gov = eth.sky_ward
        self.susds = eth.susds
        self.aave = eth.aave
        self.a_usdc = eth.aave.a_token
        self.cctp = eth.cctp
        self.admin = admin_of("ethereum")
        self.relayer = RELAYER_ADDRESS
        self.freezer = FREEZER_ADDRESS
        self.sll = eth.sll
        self.controller = eth.sll.controller
        self.proxy = eth.sll.proxy
        self.rate_limits = eth.sll.rate_limits

    def set_limit(self, key: str, max_amount: int, slope: int) -> None:
        self.rate_limits.set_rate_limit_data(key, max_amount, slope, sender=self.admin)

    def set_burn_limit(self, amount: int) -> None:
        """Circle's `setMaxBurnAmountPerMessage(usdc, amount)` on Ethereum's minter."""
        self.cctp.local_minter.set_max_burn_amount_per_message(self.usdc.address, amount)

    def burn_limit(self) -> int:
        return self.cctp.local_minter.burn_limits_per_message(self.usdc.address)

    def in_flight_from_ethereum(self) -> list[BridgeMessage]:
        """USDC messages burnt on Ethereum and not yet minted, in delivery order."""
        return [m for m in self.network.in_flight("USDC") if m.source == "ethereum"]

    def borrow_usdc(self, amount: int) -> None:
        """A borrower posts the collateral and borrows USDC from the market."""
        borrow(self.aave.pool, self.aave.collateral, self.usdc.address, amount)


def borrow(pool: Pool, collateral: Any, asset: Address, amount: int) -> None:
    """A borrower supplies 1M collateral tokens to `pool` and borrows `amount` of `asset`."""
    borrower = make_addr("borrower")
    collateral.mint(borrower, 10**6 * E18)
    collateral.approve(pool.address, 2**256 - 1, sender=borrower)
    pool.supply(collateral.address, 10**6 * E18, borrower, 0, sender=borrower)
    pool.borrow(asset, amount, 2, 0, borrower, sender=borrower)


def _pool_state(pool: Pool, holder: Address) -> dict[Address, tuple[str, int]]:
    return {
        asset: (repr(pool.get_reserve_data(asset)), pool.a_token(asset).balance_of(holder))
        for asset in pool.get_reserves_list()
    }


def snapshot(
    world: NetworkSll,
    keys: Mapping[str, Sequence[str]],
    vaults: Iterable[SUsds] = (),
    slls: Mapping[str, MainnetSll | ForeignSll] | None = None,
) -> dict[str, Any]:
    """Everything that can move, on every chain: token balances and allowances, the outbox
    (messages in flight), CCTP nonces and burn limits, the given rate limits per chain (data
    and current level), the lending markets' reserves and the proxy's aTokens, the Vat and
    sUSDS, PSM3 shares, roles and event counts; plus the given ERC-4626 vaults. `slls` names
    another SLL deployed on a chain, read instead of the network's own."""
    eth = world.ethereum
    chosen: dict[str, MainnetSll | ForeignSll] = {"ethereum": eth.sll}
    chosen |= {name: l2.sll for name, l2 in world.l2s.items()}
    chosen |= dict(slls or {})
    proxies = [sll.proxy.address for sll in chosen.values()]
    state: dict[str, Any] = {
        "vat": (
            eth.vat.debt,
            eth.vat.ilks(eth.vault.ilk),
            eth.vat.ilks(eth.psm.ilk),
            eth.vat.urns(eth.vault.ilk, eth.vault.address),
            eth.vat.urns(eth.psm.ilk, eth.psm.address),
        ),
        "vaults": [
            (v.total_supply, v.chi, v.rho, v.sucked, [v.balance_of(p) for p in proxies])
            for v in (eth.susds, *vaults)
        ],
    }
    sides: list[tuple[str, Any, Any, Any]] = [
        ("ethereum", chosen["ethereum"], eth.aave.pool, eth.cctp)
    ]
    sides += [(n, chosen[n], l2.aave.pool, l2.cctp) for n, l2 in world.l2s.items()]
    for name, sll, pool, cctp in sides:
        chain = world.network.chain(name)
        reg = chain.registry
        rl = sll.rate_limits
        state[name] = {
            "tokens": {
                a: (reg.get(a).balances(), reg.get(a).allowances()) for a in reg.addresses()
            },
            "outbox": dict(chain.outbox),
            "cctp": (
                cctp.next_available_nonce(),
                cctp.local_minter.burn_limits_per_message(chain.token("USDC").address),
            ),
            "limits": {
                k: (rl.get_rate_limit_data(k), rl.get_current_rate_limit(k))
                for k in keys.get(name, ())
            },
            "market": _pool_state(pool, sll.proxy.address),
            "roles": (sll.controller.snapshot(), sll.proxy.snapshot()),
            "events": (len(sll.controller.events), len(rl.events), len(sll.proxy.events)),
        }
    for name, l2 in world.l2s.items():
        state[name]["psm3"] = (l2.psm.total_shares, l2.psm.shares(chosen[name].proxy.address))
    return state


def fingerprint(env: Env, keys: Sequence[str]) -> dict[str, Any]:
    """`snapshot` of the env's whole network, with `keys` read on Ethereum."""
    return snapshot(env.world, {"ethereum": keys})


def test_env_wiring() -> None:
    env = Env()
    assert env.proxy.has_role("CONTROLLER", env.controller.address)
    assert env.rate_limits.has_role("CONTROLLER", env.controller.address)
    assert env.controller.has_role("RELAYER", env.relayer)
    assert env.controller.has_role("FREEZER", env.freezer)
    assert env.controller.usdc == env.usdc.address == env.eth.psm.gem.address
    assert env.controller.dai == env.dai.address
    assert env.controller.buffer == env.eth.buffer.address
    assert env.controller.mint_recipients(6) == proxy_address("base")
    assert env.burn_limit() == 1_000_000 * E6
    assert env.susds.ssr == SSR
    assert RAY < SSR
    assert env.aave.pool.get_reserves_list()[0] == env.usdc.address
