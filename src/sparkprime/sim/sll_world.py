"""A live multi-chain SLL on real models, real controllers and one clock (`SllWorld`).

Built on `sll_network.build_network_sll` (Ethereum: allocator vault + buffer, DaiUsds, lite
PSM, sUSDS, SparkLend USDS, CCTP, ALMProxy + RateLimits + MainnetController; Base,
Arbitrum, Avalanche: PSM3 over the SSR oracle, an Aave-like USDC market, CCTP, ForeignController),
to which this adds: a SparkLend USDC market and a MetaMorpho v1.1 USDC vault over two Morpho
Blue markets with the AdaptiveCurveIrm on Ethereum, Base and Arbitrum, and the Arkis
instance. Every move goes through the real controllers (`relayer.execute`); CCTP messages
arrive after Circle's attestation delay when `Network.advance_to` delivers them. The SLL
planner's month test (`tests/protocols/liquidity_layer/test_planner_month.py`) and the stress
replay (`sim.replay_sll`) both run on this world.

Rate limits come from `presets/sll_limits.py` (at `SllWorldConfig.limits_as_of`) where the
Atlas has them (LIMIT_USDS_MINT, LIMIT_USDS_TO_USDC, CCTP global and Base/Avalanche domain
keys, SparkLend USDS/USDC, the Ethereum Morpho USDC vault's inflow, Base and Avalanche PSM3,
Base -> Ethereum CCTP, Arkis's figures and exposure/capital ratio). Where it has none, this
module chooses and says so (`_CHOSEN`): the L2 Aave and Morpho keys, sUSDS, Arbitrum's CCTP
keys, the Morpho withdraw key ("outflow: TBD" in ICD/8).

Glue, not protocol models: the Arkis loan book (`sim.sll_arkis.ArkisBook`: funded by the
controller's `transferAsset` on the key LIMIT_ASSET_TRANSFER(USDC, Arkis) carrying the preset's
Arkis inflow figures; its borrowers' interest is minted to it; it sends funds back on recall),
the seeded Aave and Morpho venues with a fixed-price Morpho oracle (`sim.sll_markets`), other
borrowers moving every market (`move_markets`), and SSR
steps (`set_ssr`: sUSDS `file("ssr")` by its ward, then the SSR forwarders'
`sync_ssr_oracles`, and the allocator's duty at the Base Rate spread). Gnosis is left out: it
has no CCTP and no controller action sends USDS over its canonical bridge, so the SLL cannot
reach it from these controllers.

Example:
    >>> world = SllWorld()
    >>> sorted({v.chain for v in world.deployment.venues})
    ['arbitrum', 'avalanche', 'base', 'ethereum']
    >>> world.observe().total_risk_capital_wad == 20 * M
    True
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sparkprime.core.clock import Clock
from sparkprime.core.fixed import BPS, RAY, WAD
from sparkprime.core.ids import Address
from sparkprime.core.rng import Rng
from sparkprime.core.uint import UINT256_MAX
from sparkprime.presets.sll_limits import rate_limit_entries, sll_limits_preset
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.liquidity_layer.aave_market import (
    AaveMarket,
    AaveMarketConfig,
    RateStrategyParams,
    build_aave_market,
)
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_4626_DEPOSIT,
    LIMIT_4626_WITHDRAW,
    LIMIT_AAVE_DEPOSIT,
    LIMIT_AAVE_WITHDRAW,
    LIMIT_ASSET_TRANSFER,
    LIMIT_USDC_TO_CCTP,
    LIMIT_USDC_TO_DOMAIN,
    ControllerBase,
)
from sparkprime.protocols.liquidity_layer.domains import Chain, Network
from sparkprime.protocols.liquidity_layer.foreign_controller import (
    LIMIT_PSM_DEPOSIT,
    LIMIT_PSM_WITHDRAW,
)
from sparkprime.protocols.liquidity_layer.planner_views import (
    UNLIMITED,
    Node,
    PlannerInputs,
    VenueKind,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
    make_limit_id,
)
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimitKey
from sparkprime.protocols.liquidity_layer.relayer import (
    RouteSpec,
    SllDeployment,
    VenueSpec,
    observe,
)
from sparkprime.protocols.liquidity_layer.sll_network import (
    RELAYER_ADDRESS,
    NetworkSll,
    NetworkSllConfig,
    admin_of,
    build_network_sll,
    sync_ssr_oracles,
)
from sparkprime.protocols.morpho.vault import MetaMorpho
from sparkprime.protocols.savings.rates_conv import Conv
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.sim.sll_arkis import ArkisBook
from sparkprime.sim.sll_markets import (
    BorrowedMarket,
    add_aave_venue,
    add_morpho_vault,
    vault_venue,
)
from sparkprime.sim.sll_routes import cctp_routes, ethereum_routes

__all__ = ["START_TS", "ArkisBook", "M", "SllWorld", "SllWorldConfig"]

START_TS = 1_775_000_000  # 2026-03-31: Arkis at $50M / 50% (Atlas PR #208, 2026-03-27)
M = 1_000_000 * WAD
_USDC = 10**6
_DAY = 86_400
_BASE_SPREAD_BPS = 25  # the allocator's debt rate (Base Rate) follows the SSR at this spread


# Limits the Atlas does not give (chosen here): (max, per day) in whole tokens.
_CHOSEN = {"aave_l2": (30, 15), "morpho_l2": (20, 10), "susds": (200, 100), "cctp_l2": (4, 2)}


@dataclass(frozen=True, slots=True, kw_only=True)
class SllWorldConfig:
    """How the world starts: its clock, savers' deposits (all idle USDC at the Ethereum proxy),
    the risk capital the encumbrance ratio is over, the SSR (the allocator's duty is the SSR
    plus `base_spread_bps`), the date whose Atlas limits apply (None: the latest) and the
    Arkis book's loan rate."""

    start_ts_s: int = START_TS
    deposits_wad: int = 150 * M
    risk_capital_wad: int = 20 * M
    ssr_bps: int = 450
    base_spread_bps: int = _BASE_SPREAD_BPS
    limits_as_of: datetime.date | None = None
    arkis_rate_bps: int = 900


class SllWorld:
    """The world (see the module docstring). `observe()` is the relayer's view."""

    def __init__(self, config: SllWorldConfig | None = None) -> None:
        cfg = config if config is not None else SllWorldConfig()
        self.config = cfg
        self.network = Network(Clock(cfg.start_ts_s))
        net_config = NetworkSllConfig(
            ssr_ray=Conv().btor(cfg.ssr_bps),
            allocator_duty_ray=Conv().btor(cfg.ssr_bps + cfg.base_spread_bps),
        )
        self.sll: NetworkSll = build_network_sll(self.network, net_config)
        self.deposits_wad, self.risk_capital_wad = cfg.deposits_wad, cfg.risk_capital_wad
        self.markets: list[BorrowedMarket] = []
        self.venues: list[VenueSpec] = []
        self.routes: list[RouteSpec] = []
        self.preset = sll_limits_preset(cfg.limits_as_of)
        self.labels: dict[str, dict[str, Address]] = {c: {} for c in ("ethereum", *self.sll.l2s)}
        self._ethereum()
        for name in self.sll.l2s:
            self._l2(name)
        self._apply_preset()
        eth = self.sll.ethereum
        self.deployment = SllDeployment(
            relayer=RELAYER_ADDRESS,
            controllers={c.name: self.controller(c.name) for c in self.sll.chains()},
            tokens={c.name: {s: c.token(s) for s in ("USDC", "USDS")} for c in self.sll.chains()},
            venues=tuple(self.venues),
            routes=tuple(self.routes),
            liquidity_node=Node("ethereum", "USDC"),
            network=self.network,
            vault=eth.vault,
        )
        usdc = eth.chain.token("USDC")
        usdc.mint(self.proxy("ethereum"), cfg.deposits_wad // 10**12)
        # The lite PSM holds USDC others sold it (what USDS -> USDC swaps buy).
        seller = make_addr("ethereum/psmSeller")
        usdc.mint(seller, 300_000_000 * _USDC)
        usdc.approve(eth.psm.address, UINT256_MAX, sender=seller)
        eth.psm.sell_gem(seller, 300_000_000 * _USDC, sender=seller)

    # --- set-up ---

    def controller(self, chain: str) -> ControllerBase:
        if chain == "ethereum":
            return self.sll.ethereum.sll.controller
        return self.sll.l2s[chain].sll.controller

    def proxy(self, chain: str) -> Address:
        return self.controller(chain).proxy.address

    def chain(self, name: str) -> Chain:
        return self.sll.ethereum.chain if name == "ethereum" else self.sll.l2s[name].chain

    def _set(self, chain: str, key: RateLimitKey, max_units: int, per_day_units: int) -> None:
        rl = self.controller(chain).rate_limits
        if max_units == UNLIMITED:
            rl.set_unlimited_rate_limit_data(key, sender=admin_of(chain))
        else:
            rl.set_rate_limit_data(key, max_units, per_day_units // _DAY, sender=admin_of(chain))

    def _chosen(self, chain: str, key: RateLimitKey, which: str, decimals: int) -> None:
        cap, per_day = _CHOSEN[which]
        self._set(chain, key, cap * 10**6 * 10**decimals, per_day * 10**6 * 10**decimals)

    def _apply_preset(self) -> None:
        instances = {
            "ethereum": (
                "ethereum_core", "sparklend_usds", "sparklend_usdc", "morpho_usdc", "arkis"
            ),
            "base": ("base_psm3",),
            "avalanche": ("avalanche_psm3",),
        }  # fmt: skip
        for chain, names in instances.items():
            key_for = self.labels[chain].__getitem__  # an unknown label is a set-up error
            rl = self.controller(chain).rate_limits
            for name in names:
                for key, max_amount, slope in rate_limit_entries(
                    self.preset.instance(name), key_for
                ):
                    if max_amount == UNLIMITED:
                        rl.set_unlimited_rate_limit_data(key, sender=admin_of(chain))
                    else:
                        rl.set_rate_limit_data(key, max_amount, slope, sender=admin_of(chain))
        arkis = self.preset.instance("arkis").rate_limit("inflow")
        self.controller("ethereum").rate_limits.set_rate_limit_data(
            self._arkis_key, arkis.max_amount, arkis.slope_per_s, sender=admin_of("ethereum")
        )

    def _aave(
        self, chain: str, vid: str, market: AaveMarket, token: Erc20, seed_m: tuple[int, int]
    ) -> None:
        venue, borrowed = add_aave_venue(
            self.controller(chain), chain=chain, vid=vid, market=market, token=token, seed_m=seed_m
        )
        self.markets.append(borrowed)
        self.venues.append(venue)

    def _morpho(self, chain_name: str, vid: str, seed_m: int) -> MetaMorpho:
        vault, borrowed = add_morpho_vault(
            self.chain(chain_name), self.controller(chain_name),
            clock=self.network.clock, vid=vid, seed_m=seed_m,
        )  # fmt: skip
        self.markets += borrowed
        return vault

    def _ethereum(self) -> None:
        eth = self.sll.ethereum
        chain, controller, admin = eth.chain, eth.sll.controller, admin_of("ethereum")
        usdc, usds = chain.token("USDC"), chain.token("USDS")
        labels = self.labels["ethereum"]
        labels.update({"USDC": usdc.address, "USDS": usds.address})
        # sUSDS: its keys are not in the preset.
        controller.set_max_exchange_rate(eth.susds.address, WAD, 2 * WAD, sender=admin)
        dep = make_asset_key(LIMIT_4626_DEPOSIT, eth.susds.address)
        self._chosen("ethereum", dep, "susds", 18)
        wd = make_asset_key(LIMIT_4626_WITHDRAW, eth.susds.address)
        self._set("ethereum", wd, UNLIMITED, 0)
        self.venues.append(
            VenueSpec(
                venue_id="sUSDS", chain="ethereum", kind=VenueKind.ERC4626, asset="USDS",
                contract=eth.susds, target=eth.susds.address, deposit_key=dep, withdraw_key=wd,
            )
        )  # fmt: skip
        labels["spUSDS"] = eth.aave.a_token
        self._aave("ethereum", "SparkLend USDS", eth.aave, usds, (300, 255))
        spusdc = build_aave_market(
            AaveMarketConfig(
                name="ethereum/sparklend-usdc",
                stable_strategy=RateStrategyParams(slope1_ray=55 * RAY // 1_000),
            ),
            chain.registry, self.network.clock, usdc,
        )  # fmt: skip
        labels["spUSDC"] = spusdc.a_token
        self._aave("ethereum", "SparkLend USDC", spusdc, usdc, (400, 340))
        vault = self._morpho("ethereum", "Morpho USDC", 150)
        labels["Morpho USDC vault"] = vault.address
        self.venues.append(
            vault_venue(
                "ethereum", "Morpho USDC", vault, make_asset_key(LIMIT_4626_DEPOSIT, vault.address)
            )
        )
        self._set("ethereum", make_asset_key(LIMIT_4626_WITHDRAW, vault.address), UNLIMITED, 0)
        arkis_spec = self.preset.instance("arkis")
        book = ArkisBook(
            usdc, clock=self.network.clock, atomic=chain.atomic,
            rate_bps=self.config.arkis_rate_bps, address=make_addr("ethereum/arkis"),
        )  # fmt: skip
        self.arkis = book
        labels["Arkis"] = book.address
        self._arkis_key = make_asset_destination_key(
            LIMIT_ASSET_TRANSFER, usdc.address, book.address
        )
        self.venues.append(
            VenueSpec(
                venue_id="Arkis", chain="ethereum", kind=VenueKind.TRANSFER, asset="USDC",
                contract=book, target=book.address, deposit_key=self._arkis_key,
                withdraw_key=make_asset_key(make_limit_id("LIMIT_ARKIS_OUTFLOW"), book.address),
                capital_ratio_bps=arkis_spec.capital_ratio_bps or 0,
                max_exposure_wad=(arkis_spec.max_exposure_usd or 0) * WAD,
                withdraw_refills_deposit=False,
            )
        )  # fmt: skip
        self.routes += ethereum_routes(usdc, eth.psm)

    def _l2(self, name: str) -> None:
        l2 = self.sll.l2s[name]
        chain, usdc = l2.chain, l2.chain.token("USDC")
        labels = self.labels[name]
        title = name.title()
        labels.update({f"{title} {s}": chain.token(s).address for s in ("USDC", "USDS", "sUSDS")})
        domain = chain.domain.cctp_domain or 0
        size = {"base": 80, "arbitrum": 90, "avalanche": 50}[name]
        dep = make_asset_key(LIMIT_AAVE_DEPOSIT, l2.aave.a_token)
        self._chosen(name, dep, "aave_l2", 6)
        self._set(name, make_asset_key(LIMIT_AAVE_WITHDRAW, l2.aave.a_token), UNLIMITED, 0)
        self._aave(name, f"Aave {title}", l2.aave, usdc, (size, size * 85 // 100))
        if name != "avalanche":
            vault = self._morpho(name, f"Morpho {title}", size // 2)
            vdep = make_asset_key(LIMIT_4626_DEPOSIT, vault.address)
            self._chosen(name, vdep, "morpho_l2", 6)
            self._set(name, make_asset_key(LIMIT_4626_WITHDRAW, vault.address), UNLIMITED, 0)
            self.venues.append(vault_venue(name, f"Morpho {title}", vault, vdep))
        if name != "arbitrum":  # Arbitrum's PSM3 USDC keys are "a future iteration"
            self.venues.append(
                VenueSpec(
                    venue_id=f"PSM3 {title}", chain=name, kind=VenueKind.PSM3, asset="USDC",
                    contract=l2.psm, target=usdc.address,
                    deposit_key=make_asset_key(LIMIT_PSM_DEPOSIT, usdc.address),
                    withdraw_key=make_asset_key(LIMIT_PSM_WITHDRAW, usdc.address),
                    withdraw_refills_deposit=False,
                )
            )  # fmt: skip
        to_l2 = make_domain_key(LIMIT_USDC_TO_DOMAIN, domain)
        to_eth = make_domain_key(LIMIT_USDC_TO_DOMAIN, 0)
        if name == "arbitrum":  # no Atlas figures for Arbitrum USDC over CCTP
            self._chosen("ethereum", to_l2, "cctp_l2", 6)
        if name != "base":
            self._chosen(name, to_eth, "cctp_l2", 6)
            self._set(name, LIMIT_USDC_TO_CCTP, UNLIMITED, 0)
        self.routes += cctp_routes(name, domain, to_l2=to_l2, to_eth=to_eth)

    # --- the relayer's view and the world's accounts ---

    def observe(self) -> PlannerInputs:
        return observe(
            self.deployment,
            deposits_wad=self.deposits_wad,
            total_risk_capital_wad=self.risk_capital_wad,
        )

    def value_wad(self) -> int:
        """What the SLL holds (positions, idle, in flight) less the allocator debt."""
        inputs = self.observe()
        total = sum(v.position_wad for v in inputs.venues)
        total += sum(a for _, a in inputs.idle) + sum(a for _, a in inputs.in_flight)
        vault = self.sll.ethereum.vault
        jug = vault.jug
        if jug is not None:
            jug.drip(vault.ilk)
        return total - vault.debt()

    # --- the world moving ---

    def advance_to(self, ts_s: int) -> None:
        """Time passes to `ts_s`: every model accrues when next touched, CCTP delivers what
        falls due, and the Arkis book collects its borrowers' interest."""
        self.network.advance_to(ts_s)
        self.arkis.settle()

    def move_markets(self, rng: Rng) -> None:
        """Other borrowers borrow or repay up to 3% of each market (never above 95% used)."""
        for m in self.markets:
            supplied, debt = m.state()
            move = supplied * rng.randint(-300, 300) // BPS
            if move > 0 and debt + move < supplied * 95 // 100:
                m.borrow(move)
            elif move < 0 and min(-move, debt) > 0:
                m.repay(min(-move, debt))

    def set_ssr(self, bps: int) -> None:
        """sUSDS's SSR to `bps` (dripped first, by its ward), the L2 SSR oracles synced, and
        the allocator's duty (the Base Rate) moved with it."""
        susds = self.sll.ethereum.susds
        susds.drip()
        susds.file("ssr", Conv().btor(bps), sender=self.sll.ethereum.sky_ward)
        sync_ssr_oracles(self.sll)
        vault = self.sll.ethereum.vault
        if vault.jug is not None:
            vault.jug.file_duty(vault.ilk, Conv().btor(bps + self.config.base_spread_bps))
