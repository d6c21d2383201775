"""Wiring one Spark Liquidity Layer instance, as spark-alm-controller's deploy and init
libraries do (`deploy/MainnetControllerInit.sol`, `deploy/ForeignControllerInit.sol` at
05510fa93d6b28ccab151a4ff2bf25cb18abf31b; `script/input/1/mainnet-production.json`).

`build_mainnet_sll` takes the chain's venues (allocator vault and buffer, lite PSM, DaiUsds,
CCTP token messenger, ERC-4626 vaults such as sUSDS, Aave-like pools) and creates the
ALMProxy, RateLimits and MainnetController on top, in the init library's order:

1. every venue is registered at its address (`Contracts`), so the controller can call it;
2. `_initController`: CONTROLLER on the proxy, FREEZER to the freezer, CONTROLLER on
   RateLimits, RELAYER to each relayer, then `setMintRecipient` per CCTP domain;
3. with `sky_ward` (the pause proxy, which must then be given the real `AllocatorVault` and
   `DssLitePsm`): `vault.rely(proxy)`, `buffer.approve(usds, proxy, max)` and
   `pauseProxyInitAlmSystem`'s `psm.kiss(proxy)` (the no-fee whitelist);
4. the spell's configuration as data: `limits` maps a key to `(max_amount, slope_per_s)`,
   with `UNLIMITED` as max for an unlimited key; `max_slippages`, `max_exchange_rates`
   (token -> (shares, max_expected_assets)).

`build_foreign_sll` does the same for an L2 (ALMProxy, RateLimits, ForeignController over
PSM3 and CCTP). A whole multi-chain deployment over `domains.Network` is `sll_network`. The
Atlas limits themselves are data elsewhere (presets); pass them in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.liquidity_layer.allocator import AllocatorVault
from sparkprime.protocols.liquidity_layer.alm_proxy import ALMProxy
from sparkprime.protocols.liquidity_layer.controller_base import FREEZER, RELAYER, ControllerBase
from sparkprime.protocols.liquidity_layer.controller_venues import (
    AllocatorVaultLike,
    CctpLike,
    Contracts,
    DaiUsdsLike,
    HasAddress,
    LitePsmLike,
    Psm3Like,
)
from sparkprime.protocols.liquidity_layer.foreign_controller import ForeignController
from sparkprime.protocols.liquidity_layer.mainnet_controller import MainnetController
from sparkprime.protocols.liquidity_layer.psm import DssLitePsm
from sparkprime.protocols.liquidity_layer.rate_limits import CONTROLLER, UNLIMITED, RateLimits
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.pool import Pool

__all__ = [
    "ForeignSll",
    "MainnetSll",
    "SllConfig",
    "build_foreign_sll",
    "build_mainnet_sll",
    "set_rate_limits",
]

RateLimitSpec = Mapping[str, tuple[int, int]]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SllConfig:
    """Who governs and operates one SLL instance, and its parameters as data."""

    label: str
    admin: Address
    relayers: Sequence[Address]
    freezer: Address
    limits: RateLimitSpec = dataclasses.field(default_factory=dict)
    max_slippages: Mapping[Address, int] = dataclasses.field(default_factory=dict)
    max_exchange_rates: Mapping[Address, tuple[int, int]] = dataclasses.field(default_factory=dict)
    mint_recipients: Mapping[int, Address] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MainnetSll:
    """An Ethereum SLL: proxy, rate limits, controller and the address space they use."""

    proxy: ALMProxy
    rate_limits: RateLimits
    controller: MainnetController
    contracts: Contracts
    config: SllConfig


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ForeignSll:
    """An L2 SLL: proxy, rate limits, controller and the address space they use."""

    proxy: ALMProxy
    rate_limits: RateLimits
    controller: ForeignController
    contracts: Contracts
    config: SllConfig


def set_rate_limits(rate_limits: RateLimits, limits: RateLimitSpec, *, sender: Address) -> None:
    """`setRateLimitData(key, max, slope)` for each entry (`UNLIMITED` max: unlimited)."""
    for key, (max_amount, slope) in limits.items():
        if max_amount == UNLIMITED:
            rate_limits.set_unlimited_rate_limit_data(key, sender=sender)
        else:
            rate_limits.set_rate_limit_data(key, max_amount, slope, sender=sender)


def _core(
    config: SllConfig, clock: Clock, contracts: Contracts, venues: Iterable[object]
) -> tuple[ALMProxy, RateLimits]:
    for venue in venues:
        if isinstance(venue, Pool):
            contracts.add_aave_pool(venue)
        else:
            contracts.add(_has_address(venue))
    atomic = contracts.registry.atomic
    proxy = ALMProxy(config.admin, address=make_addr(f"{config.label}/almProxy"), atomic=atomic)
    rate_limits = RateLimits(config.admin, clock=clock, atomic=atomic)
    return proxy, rate_limits


def _has_address(venue: object) -> HasAddress:
    typed: Any = venue
    return typed  # type: ignore[no-any-return]


def _init_controller(
    config: SllConfig, proxy: ALMProxy, rate_limits: RateLimits, controller: ControllerBase
) -> None:
    """`_initController` step 2 and 3: roles, then the mint recipients."""
    admin = config.admin
    proxy.grant_role(CONTROLLER, controller.address, sender=admin)
    controller.grant_role(FREEZER, config.freezer, sender=admin)
    rate_limits.grant_role(CONTROLLER, controller.address, sender=admin)
    for relayer in config.relayers:
        controller.grant_role(RELAYER, relayer, sender=admin)
    for domain, recipient in config.mint_recipients.items():
        controller.set_mint_recipient(domain, recipient, sender=admin)


def _configure(config: SllConfig, rate_limits: RateLimits, controller: ControllerBase) -> None:
    """The spell's parameters: rate limits, Aave slippages, ERC-4626 exchange-rate caps."""
    admin = config.admin
    set_rate_limits(rate_limits, config.limits, sender=admin)
    for pool, slippage in config.max_slippages.items():
        controller.set_max_slippage(pool, slippage, sender=admin)
    for token, (shares, assets) in config.max_exchange_rates.items():
        controller.set_max_exchange_rate(token, shares, assets, sender=admin)


def build_mainnet_sll(
    config: SllConfig,
    *,
    clock: Clock,
    contracts: Contracts,
    vault: AllocatorVaultLike,
    psm: LitePsmLike,
    dai_usds: DaiUsdsLike,
    cctp: CctpLike,
    usds: Address,
    venues: Iterable[object] = (),
    sky_ward: Address | None = None,
) -> MainnetSll:
    """An Ethereum SLL over the given venues (`venues`: ERC-4626 vaults, Aave pools, ...)."""
    proxy, rate_limits = _core(config, clock, contracts, [vault, psm, dai_usds, cctp, *venues])
    controller = MainnetController(
        config.admin,
        address=make_addr(f"{config.label}/mainnetController"),
        proxy=proxy,
        rate_limits=rate_limits,
        contracts=contracts,
        vault=vault,
        psm=psm,
        dai_usds=dai_usds,
        cctp=cctp,
        usds=usds,
    )
    _init_controller(config, proxy, rate_limits, controller)
    if sky_ward is not None:
        _sky_init(vault, psm, contracts.token(usds), proxy.address, sky_ward)
    _configure(config, rate_limits, controller)
    return MainnetSll(
        proxy=proxy,
        rate_limits=rate_limits,
        controller=controller,
        contracts=contracts,
        config=config,
    )


def _sky_init(
    vault: AllocatorVaultLike, psm: LitePsmLike, usds: Erc20, proxy: Address, ward: Address
) -> None:
    """`initAlmSystem` step 3 and `pauseProxyInitAlmSystem`: the proxy may draw and wipe,
    pull USDS from the buffer, and swap at the PSM without fee."""
    if not isinstance(vault, AllocatorVault) or not isinstance(psm, DssLitePsm):
        raise ProtocolError(
            ErrorCode.INVALID_ID,
            field="sky venues",
            value=f"{type(vault).__name__}, {type(psm).__name__}",
            reason="the Sky init needs the real AllocatorVault and DssLitePsm",
        )
    vault.rely(proxy, sender=ward)
    vault.buffer.approve(usds, proxy, UINT256_MAX, sender=ward)
    psm.kiss(proxy, sender=ward)


def build_foreign_sll(
    config: SllConfig,
    *,
    clock: Clock,
    contracts: Contracts,
    psm: Psm3Like,
    cctp: CctpLike,
    usdc: Address,
    venues: Iterable[object] = (),
) -> ForeignSll:
    """An L2 SLL over PSM3, CCTP and the given venues."""
    proxy, rate_limits = _core(config, clock, contracts, [psm, cctp, *venues])
    controller = ForeignController(
        config.admin,
        address=make_addr(f"{config.label}/foreignController"),
        proxy=proxy,
        rate_limits=rate_limits,
        contracts=contracts,
        psm=psm,
        usdc=usdc,
        cctp=cctp,
    )
    _init_controller(config, proxy, rate_limits, controller)
    _configure(config, rate_limits, controller)
    return ForeignSll(
        proxy=proxy,
        rate_limits=rate_limits,
        controller=controller,
        contracts=contracts,
        config=config,
    )
