"""A whole Spark Liquidity Layer on a `domains.Network`: Ethereum and its L2s, every venue real.

The deploy and init steps follow spark-alm-controller `deploy/MainnetControllerInit.sol`
(05510fa9) and `deploy/ForeignControllerInit.sol` (05510fa9), with the venues they assume:

- **Ethereum**: one `Vat` shared by the allocator ilk (`AllocatorVault` + `AllocatorBuffer`,
  8% APY duty as the upstream `Vault_TestBase`; `AllocatorInit.initIlk`'s
  `buffer.approve(usds, vault, max)`), `DaiUsds` and the lite PSM (`DssLitePsm`,
  USDC in its pocket, `buf` of pre-minted DAI); sUSDS (`SUsds`); a SparkLend-like market
  (`aave_market`); Circle CCTP. On top: ALMProxy, RateLimits, MainnetController
  (`deployment.build_mainnet_sll`). Init: CONTROLLER on proxy and rate limits, FREEZER,
  RELAYERs, a mint recipient per L2 domain (the L2 proxy), then `vault.rely(proxy)`,
  `buffer.approve(usds, proxy, max)` and the pause proxy's `psm.kiss(proxy)`.
- **each L2** (Base, Arbitrum, Avalanche by default): USDC, USDS and sUSDS tokens; an
  `SSRAuthOracle` fed from mainnet sUSDS (`sync_ssr_oracles`) as the rate provider of a
  `PSM3`, seeded with 1e18 USDS whose shares are burnt (sent to 0x...dEaD, as the deployed
  PSM3s' seed shares are unreachable); an Aave-like USDC market; CCTP; ALMProxy, RateLimits,
  ForeignController, with the init's PSM checks ("ForeignControllerInit/psm-totalAssets-
  not-seeded", "-totalShares-not-seeded", "-psm-incorrect-usdc/usds/susds") and a mint
  recipient for domain 0 (the mainnet proxy).

Rate limits are data the caller passes (`limits(chain_name, labels) -> (key, max, slope)`
triples, `UNLIMITED` max for an unlimited key), as a spell sets them after init; `labels`
maps the names a preset uses ("USDC", "Base USDC", "aToken", "sUSDS", ...) to addresses, so
`presets.sll_limits.rate_limit_entries(instance, labels.__getitem__)` fits directly.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> sll = build_network_sll(Network(Clock(1_700_000_000)))
    >>> sorted(sll.l2s), sll.ethereum.sll.controller.mint_recipients(6) == proxy_address("base")
    (['arbitrum', 'avalanche', 'base'], True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import WAD
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.liquidity_layer.aave_market import (
    AaveMarket,
    AaveMarketConfig,
    build_aave_market,
)
from sparkprime.protocols.liquidity_layer.allocator import AllocatorBuffer, AllocatorVault, Vat
from sparkprime.protocols.liquidity_layer.cctp import TokenMessenger, install_cctp
from sparkprime.protocols.liquidity_layer.controller_venues import Contracts
from sparkprime.protocols.liquidity_layer.dai_usds import DaiUsds
from sparkprime.protocols.liquidity_layer.deployment import (
    ForeignSll,
    MainnetSll,
    SllConfig,
    build_foreign_sll,
    build_mainnet_sll,
    set_rate_limits,
)
from sparkprime.protocols.liquidity_layer.domains import (
    ARBITRUM,
    AVALANCHE,
    BASE,
    ETHEREUM,
    Chain,
    Domain,
    Network,
)
from sparkprime.protocols.liquidity_layer.psm import DssLitePsm
from sparkprime.protocols.liquidity_layer.psm3 import PSM3
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimitKey
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.savings.xchain_ssr_oracle import (
    DATA_PROVIDER_ROLE,
    SSRAuthOracle,
    SUSDSData,
)
from sparkprime.protocols.sparklend.addresses import make_addr

__all__ = [
    "DEAD",
    "EIGHT_PCT_APY_RAY",
    "FREEZER_ADDRESS",
    "PSM3_SEED_WAD",
    "RELAYER_ADDRESS",
    "EthereumSll",
    "L2Sll",
    "LimitsFn",
    "NetworkSll",
    "NetworkSllConfig",
    "admin_of",
    "apply_limits",
    "build_network_sll",
    "proxy_address",
    "sync_ssr_oracles",
]

# dss-allocator test config (`Vault_TestBase.EIGHT_PCT_APY`), the ilk's duty.
EIGHT_PCT_APY_RAY: Final = 1_000000002440418608258400030
PSM3_SEED_WAD: Final = WAD  # the 1e18 USDS every PSM3 is seeded with
DEAD: Final = Address("0x000000000000000000000000000000000000dead")

RELAYER_ADDRESS: Final = make_addr("sll/relayer")
FREEZER_ADDRESS: Final = make_addr("sll/freezer")

LimitsFn = Callable[[str, Mapping[str, Address]], Iterable[tuple[RateLimitKey, int, int]]]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class NetworkSllConfig:
    """Parameters of the whole deployment (amounts in wad unless named otherwise)."""

    l2s: tuple[Domain, ...] = (BASE, ARBITRUM, AVALANCHE)
    cctp_burn_limit: int = 1_000_000 * 10**6  # Circle's burnLimitsPerMessage for USDC
    allocator_line_wad: int = 1_000_000_000 * WAD
    allocator_duty_ray: int = EIGHT_PCT_APY_RAY
    psm_line_wad: int = 10_000_000_000 * WAD
    psm_buf_wad: int = 400_000_000 * WAD
    ssr_ray: int = 1_000000001395766281313196627  # ~4.5% APY
    ethereum_aave_stable: str = "USDS"  # SparkLend's spUSDS
    relayers: tuple[Address, ...] = (RELAYER_ADDRESS,)
    freezer: Address = FREEZER_ADDRESS


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class EthereumSll:
    """Ethereum: the Sky venues, sUSDS, a lending market, CCTP and the SLL on top."""

    chain: Chain
    vat: Vat
    vault: AllocatorVault
    buffer: AllocatorBuffer
    dai_usds: DaiUsds
    psm: DssLitePsm
    susds: SUsds
    aave: AaveMarket
    cctp: TokenMessenger
    sll: MainnetSll
    sky_ward: Address
    labels: Mapping[str, Address]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class L2Sll:
    """One L2: PSM3 over the SSR oracle, a lending market, CCTP and the SLL on top."""

    chain: Chain
    psm: PSM3
    ssr_oracle: SSRAuthOracle
    aave: AaveMarket
    cctp: TokenMessenger
    sll: ForeignSll
    labels: Mapping[str, Address]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class NetworkSll:
    """The network, Ethereum's SLL and each L2's by chain name."""

    network: Network
    ethereum: EthereumSll
    l2s: Mapping[str, L2Sll]
    ssr_provider: Address

    def chains(self) -> tuple[Chain, ...]:
        """Every chain, Ethereum first."""
        return (self.ethereum.chain, *(l2.chain for l2 in self.l2s.values()))


def admin_of(chain_name: str) -> Address:
    """The governance address of a chain's SLL (the Spark proxy / executor)."""
    return make_addr(f"{chain_name}/sparkProxy")


def proxy_address(chain_name: str) -> Address:
    """The ALMProxy address `deployment` gives the SLL labelled `chain_name`."""
    return make_addr(f"{chain_name}/almProxy")


def build_network_sll(
    network: Network, config: NetworkSllConfig | None = None, *, limits: LimitsFn | None = None
) -> NetworkSll:
    """Add Ethereum and `config.l2s` to `network` and deploy the SLL on each."""
    config = config if config is not None else NetworkSllConfig()
    eth_chain = network.add_chain(ETHEREUM, {"USDC": 6, "USDS": 18, "DAI": 18})
    for domain in config.l2s:
        network.add_chain(domain, {"USDC": 6, "USDS": 18, "sUSDS": 18})
    messengers = install_cctp(network, burn_limit=config.cctp_burn_limit)
    ethereum = _build_ethereum(eth_chain, messengers["ethereum"], config)
    provider = make_addr("sll/ssrForwarderReceiver")
    l2s = {
        d.name: _build_l2(
            network.chain(d.name), messengers[d.name], ethereum.susds, provider, config
        )
        for d in config.l2s
    }
    built = NetworkSll(network=network, ethereum=ethereum, l2s=l2s, ssr_provider=provider)
    if limits is not None:
        apply_limits(built, limits)
    return built


def apply_limits(built: NetworkSll, limits: LimitsFn) -> None:
    """The spell's rate-limit step: `limits(chain, labels)` on every chain's RateLimits."""
    eth = built.ethereum
    targets = [("ethereum", eth.labels, eth.sll.rate_limits)]
    targets += [(name, l2.labels, l2.sll.rate_limits) for name, l2 in built.l2s.items()]
    for name, labels, rate_limits in targets:
        spec: dict[str, tuple[int, int]] = {
            key: (max_amount, slope) for key, max_amount, slope in limits(name, labels)
        }
        set_rate_limits(rate_limits, spec, sender=admin_of(name))


def sync_ssr_oracles(built: NetworkSll) -> None:
    """What the SSR forwarders carry: mainnet sUSDS's (ssr, chi, rho) to every L2 oracle
    (skipped where the oracle already has this rho, since it requires rho to increase)."""
    s = built.ethereum.susds
    data = SUSDSData(ssr=s.ssr, chi=s.chi, rho=s.rho)
    for l2 in built.l2s.values():
        if l2.ssr_oracle.get_rho() != data.rho:
            l2.ssr_oracle.set_susds_data(data, sender=built.ssr_provider)


# --- Ethereum --------------------------------------------------------------------------------


def _build_ethereum(chain: Chain, cctp: TokenMessenger, config: NetworkSllConfig) -> EthereumSll:
    clock, atomic, name = chain.clock, chain.atomic, chain.name
    usds, dai, usdc = chain.token("USDS"), chain.token("DAI"), chain.token("USDC")
    ward = make_addr(f"{name}/pauseProxy")
    vat = Vat(atomic=atomic)
    buffer = AllocatorBuffer(make_addr(f"{name}/allocatorBuffer"), atomic=atomic, ward=ward)
    vault = AllocatorVault(
        make_addr(f"{name}/allocatorVault"),
        usds=usds,
        buffer=buffer,
        clock=clock,
        atomic=atomic,
        ward=ward,
        line_wad=config.allocator_line_wad,
        duty_ray=config.allocator_duty_ray,
        vat=vat,
    )
    # AllocatorInit.initIlk: the buffer lets the vault pull USDS back for `wipe`.
    buffer.approve(usds, vault.address, UINT256_MAX, sender=ward)
    dai_usds = DaiUsds(make_addr(f"{name}/daiUsds"), dai=dai, usds=usds, atomic=atomic, vat=vat)
    psm = DssLitePsm(
        make_addr(f"{name}/psm"),
        gem=usdc,
        dai=dai,
        pocket=make_addr(f"{name}/psmPocket"),
        atomic=atomic,
        ward=ward,
        vat=vat,
        line_wad=config.psm_line_wad,
    )
    psm.file("buf", config.psm_buf_wad, sender=ward)
    psm.fill()
    susds = SUsds(usds, clock, atomic=atomic, ward=ward)
    susds.file("ssr", config.ssr_ray, sender=ward)
    aave = build_aave_market(
        AaveMarketConfig(name=f"{name}/sparklend"),
        chain.registry,
        clock,
        chain.token(config.ethereum_aave_stable),
    )
    sll = build_mainnet_sll(
        SllConfig(
            label=name,
            admin=admin_of(name),
            relayers=config.relayers,
            freezer=config.freezer,
            mint_recipients={
                d.cctp_domain: proxy_address(d.name)
                for d in config.l2s
                if d.cctp_domain is not None
            },
        ),
        clock=clock,
        contracts=Contracts(chain.registry),
        vault=vault,
        psm=psm,
        dai_usds=dai_usds,
        cctp=cctp,
        usds=usds.address,
        venues=[susds, aave.pool],
        sky_ward=ward,
    )
    labels = _labels(chain, sll.proxy.address, aave)
    labels.update({"sUSDS": susds.address, "psm": psm.address, "buffer": buffer.address})
    return EthereumSll(
        chain=chain,
        vat=vat,
        vault=vault,
        buffer=buffer,
        dai_usds=dai_usds,
        psm=psm,
        susds=susds,
        aave=aave,
        cctp=cctp,
        sll=sll,
        sky_ward=ward,
        labels=labels,
    )


# --- L2s -------------------------------------------------------------------------------------


def _build_l2(
    chain: Chain,
    cctp: TokenMessenger,
    susds: SUsds,
    provider: Address,
    config: NetworkSllConfig,
) -> L2Sll:
    clock, atomic, name = chain.clock, chain.atomic, chain.name
    admin = admin_of(name)
    oracle = SSRAuthOracle(clock=clock, admin=admin, atomic=atomic)
    oracle.grant_role(DATA_PROVIDER_ROLE, provider, sender=admin)
    oracle.set_susds_data(SUSDSData(ssr=susds.ssr, chi=susds.chi, rho=susds.rho), sender=provider)
    usdc, usds = chain.token("USDC"), chain.token("USDS")
    psm = PSM3(
        make_addr(f"{name}/psm3"),
        owner=admin,
        usdc=usdc,
        usds=usds,
        susds=chain.token("sUSDS"),
        rate_provider=oracle,
        atomic=atomic,
    )
    deployer = make_addr(f"{name}/deployer")
    usds.mint(deployer, PSM3_SEED_WAD)
    usds.approve(psm.address, PSM3_SEED_WAD, sender=deployer)
    psm.deposit(usds.address, DEAD, PSM3_SEED_WAD, sender=deployer)
    aave = build_aave_market(AaveMarketConfig(name=f"{name}/aave"), chain.registry, clock, usdc)
    _check_psm3_seeded(psm, chain)
    sll = build_foreign_sll(
        SllConfig(
            label=name,
            admin=admin,
            relayers=config.relayers,
            freezer=config.freezer,
            mint_recipients={0: proxy_address("ethereum")},
        ),
        clock=clock,
        contracts=Contracts(chain.registry),
        psm=psm,
        cctp=cctp,
        usdc=usdc.address,
        venues=[aave.pool],
    )
    labels = _labels(chain, sll.proxy.address, aave)
    labels["psm"] = psm.address
    return L2Sll(
        chain=chain, psm=psm, ssr_oracle=oracle, aave=aave, cctp=cctp, sll=sll, labels=labels
    )


def _check_psm3_seeded(psm: PSM3, chain: Chain) -> None:
    """ForeignControllerInit step 2: the PSM is seeded and holds this chain's tokens."""
    checks = (
        (psm.total_assets() >= WAD, "psm-totalAssets-not-seeded"),
        (psm.total_shares >= WAD, "psm-totalShares-not-seeded"),
        (psm.usdc is chain.token("USDC"), "psm-incorrect-usdc"),
        (psm.usds is chain.token("USDS"), "psm-incorrect-usds"),
        (psm.susds is chain.token("sUSDS"), "psm-incorrect-susds"),
    )
    for ok, what in checks:
        if not ok:
            raise ProtocolError(
                ErrorCode.FC_INIT_CHECK_FAILED, reason=f"ForeignControllerInit/{what}"
            )


def _labels(chain: Chain, proxy: Address, aave: AaveMarket) -> dict[str, Address]:
    """Names a limits table may use: each token by symbol and as "<Chain> <symbol>", the
    market's aToken and pool, and the proxy."""
    title = chain.name.title()
    labels: dict[str, Address] = {}
    for symbol in chain.symbols():
        address = chain.token(symbol).address
        labels[symbol] = labels[f"{title} {symbol}"] = address
    labels.update({"aToken": aave.a_token, "pool": aave.pool.address, "almProxy": proxy})
    return labels
