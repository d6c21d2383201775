"""The lending venues `sim.sll_world` adds to the SLL, each seeded with other savers and other
borrowers: an Aave-like market (`add_aave_venue`) and a MetaMorpho v1.1 USDC vault over two
Morpho Blue markets with the AdaptiveCurveIrm (`add_morpho_vault`, `vault_venue`).

Glue, not protocol models: a fixed-price Morpho oracle (`FixedOracle`: WETH at $3,000) and
`BorrowedMarket`, the handle the world's other borrowers move each market through (borrow,
repay, (supplied, debt)). Every borrower posts `COLLATERAL_WAD` of WETH; each Aave venue is
registered with the controller at the spells' 99.99% max slippage, each vault at an exchange
rate of at most 2 USDC a share.

Example:
    >>> oracle = FixedOracle(address=make_addr("oracle"), price_e36=3_000 * 10**36 // 10**12)
    >>> oracle.price() == 3 * 10**27
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sparkprime.core.clock import Clock
from sparkprime.core.fixed import WAD
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.liquidity_layer.aave_market import AaveMarket
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_4626_WITHDRAW,
    LIMIT_AAVE_DEPOSIT,
    LIMIT_AAVE_WITHDRAW,
    ControllerBase,
)
from sparkprime.protocols.liquidity_layer.domains import Chain
from sparkprime.protocols.liquidity_layer.planner_views import VenueKind
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import make_asset_key
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimitKey
from sparkprime.protocols.liquidity_layer.relayer import VenueSpec
from sparkprime.protocols.liquidity_layer.sll_network import admin_of
from sparkprime.protocols.morpho.irm import AdaptiveCurveIrm
from sparkprime.protocols.morpho.market import Morpho
from sparkprime.protocols.morpho.market_math import MarketParams, market_id
from sparkprime.protocols.morpho.vault import MetaMorpho
from sparkprime.protocols.sparklend.addresses import make_addr

__all__ = [
    "COLLATERAL_WAD",
    "SLIPPAGE_WAD",
    "BorrowedMarket",
    "FixedOracle",
    "add_aave_venue",
    "add_morpho_vault",
    "vault_venue",
]

_USDC = 10**6
SLIPPAGE_WAD = 10**18 - 10**14  # the spells' 99.99% Aave max slippage
COLLATERAL_WAD = 10**6 * 10**18  # WETH each borrower posts (at $3,000)


@dataclass(frozen=True, slots=True)
class FixedOracle:
    """A Morpho oracle at a fixed price (scaled by 1e36, loan units per collateral unit)."""

    address: Address
    price_e36: int

    def price(self) -> int:
        return self.price_e36


@dataclass
class BorrowedMarket:
    """A market other borrowers move: borrow(amount) / repay(amount) / (supplied, debt)."""

    borrow: Callable[[int], None]
    repay: Callable[[int], None]
    state: Callable[[], tuple[int, int]]


def add_aave_venue(
    controller: ControllerBase,
    *,
    chain: str,
    vid: str,
    market: AaveMarket,
    token: Erc20,
    seed_m: tuple[int, int],
) -> tuple[VenueSpec, BorrowedMarket]:
    """Register `market` with `controller`, seed it (`seed_m`: millions supplied by a lender,
    borrowed by a borrower against WETH) and return its venue and its other borrower."""
    controller.contracts.add_aave_pool(market.pool)
    controller.set_max_slippage(market.a_token, SLIPPAGE_WAD, sender=admin_of(chain))
    unit = 10**token.decimals
    lender, borrower = make_addr(f"{vid}/lender"), make_addr(f"{vid}/borrower")
    pool, asset = market.pool, token.address
    token.mint(lender, seed_m[0] * 10**6 * unit)
    token.approve(pool.address, UINT256_MAX, sender=lender)
    pool.supply(asset, seed_m[0] * 10**6 * unit, lender, sender=lender)
    market.collateral.mint(borrower, COLLATERAL_WAD)
    market.collateral.approve(pool.address, UINT256_MAX, sender=borrower)
    pool.supply(market.collateral.address, COLLATERAL_WAD, borrower, sender=borrower)
    pool.borrow(asset, seed_m[1] * 10**6 * unit, 2, 0, borrower, sender=borrower)
    token.approve(pool.address, UINT256_MAX, sender=borrower)
    a_token = pool.a_token(asset)

    def repay(amount: int) -> None:
        token.mint(borrower, amount)
        pool.repay(asset, amount, 2, borrower, sender=borrower)

    borrowed = BorrowedMarket(
        borrow=lambda amount: pool.borrow(asset, amount, 2, 0, borrower, sender=borrower),
        repay=repay,
        state=lambda: (
            a_token.total_supply(),
            pool.variable_debt_token(asset).total_supply(),
        ),
    )
    symbol = "USDS" if token.decimals == 18 else "USDC"
    venue = VenueSpec(
        venue_id=vid, chain=chain, kind=VenueKind.AAVE, asset=symbol, contract=pool,
        target=market.a_token,
        deposit_key=make_asset_key(LIMIT_AAVE_DEPOSIT, market.a_token),
        withdraw_key=make_asset_key(LIMIT_AAVE_WITHDRAW, market.a_token),
    )  # fmt: skip
    return venue, borrowed


def add_morpho_vault(
    chain: Chain, controller: ControllerBase, *, clock: Clock, vid: str, seed_m: int
) -> tuple[MetaMorpho, tuple[BorrowedMarket, ...]]:
    """A MetaMorpho USDC vault over two Morpho Blue markets (LLTV 86% and 91.5%), seeded with
    `seed_m` million by a lender, 85% of each market borrowed by its borrower, then capped at
    three times the seed in all and registered with `controller`. Returns the vault and the
    two markets' borrowers."""
    chain_name = chain.name
    usdc = chain.token("USDC")
    owner = make_addr(f"{chain_name}/morphoOwner")
    morpho = Morpho(owner, tokens=chain.registry, clock=clock, address=make_addr(f"{vid}/blue"))
    irm = AdaptiveCurveIrm(
        morpho.address, clock=clock, atomic=chain.atomic, address=make_addr(f"{vid}/irm")
    )
    morpho.register_irm(irm)
    morpho.enable_irm(irm.address, sender=owner)
    weth = chain.add_token("WETH", 18) if not chain.has_token("WETH") else chain.token("WETH")
    oracle = FixedOracle(make_addr(f"{vid}/oracle"), 3_000 * 10**36 * _USDC // 10**18)
    morpho.register_oracle(oracle)
    vault = MetaMorpho(owner, morpho, 0, usdc, address=make_addr(f"{vid}/vault"))
    vault.set_curator(owner, sender=owner)
    vault.set_is_allocator(owner, True, sender=owner)
    ids, markets, borrowed = [], [], []
    for i, lltv in enumerate((860 * 10**15, 915 * 10**15)):
        morpho.enable_lltv(lltv, sender=owner)
        params = MarketParams(
            loan_token=usdc.address, collateral_token=weth.address,
            oracle=oracle.address, irm=irm.address, lltv=lltv,
        )  # fmt: skip
        morpho.create_market(params, sender=owner)
        _cap(vault, params, seed_m * 10**6 * _USDC // 2)
        ids.append(market_id(params))
        markets.append(params)
        borrowed.append(_morpho_borrower(morpho, params, weth, f"{vid}/borrower{i}"))
    vault.set_supply_queue(ids, sender=owner)
    lender = make_addr(f"{vid}/lender")
    usdc.mint(lender, seed_m * 10**6 * _USDC)
    usdc.approve(vault.address, UINT256_MAX, sender=lender)
    vault.deposit(seed_m * 10**6 * _USDC, lender, sender=lender)
    for m in borrowed:  # borrow 85% of what each market got
        supplied, _ = m.state()
        m.borrow(supplied * 85 // 100)
    for params in markets:  # then room for the SLL: three times the seed in all
        _cap(vault, params, seed_m * 10**6 * _USDC * 3 // 2)
    controller.contracts.add(vault)
    controller.set_max_exchange_rate(vault.address, WAD, 2 * _USDC, sender=admin_of(chain_name))
    return vault, tuple(borrowed)


def vault_venue(chain: str, vid: str, vault: MetaMorpho, dep: RateLimitKey) -> VenueSpec:
    """The SLL's ERC-4626 venue for a MetaMorpho vault (deposit key `dep`)."""
    return VenueSpec(
        venue_id=vid, chain=chain, kind=VenueKind.ERC4626, asset="USDC", contract=vault,
        target=vault.address, deposit_key=dep,
        withdraw_key=make_asset_key(LIMIT_4626_WITHDRAW, vault.address),
    )  # fmt: skip


def _cap(vault: MetaMorpho, params: MarketParams, cap: int) -> None:
    owner = vault.owner
    vault.submit_cap(params, cap, sender=owner)
    if vault.pending_cap(market_id(params)).valid_at:
        vault.accept_cap(params, sender=owner)


def _morpho_borrower(morpho: Morpho, params: MarketParams, weth: Erc20, who: str) -> BorrowedMarket:
    borrower = make_addr(who)
    weth.mint(borrower, COLLATERAL_WAD)
    weth.approve(morpho.address, UINT256_MAX, sender=borrower)
    morpho.supply_collateral(params, COLLATERAL_WAD, borrower, sender=borrower)
    usdc = morpho.tokens.get(params.loan_token)
    usdc.approve(morpho.address, UINT256_MAX, sender=borrower)

    def repay(amount: int) -> None:
        usdc.mint(borrower, amount)
        morpho.repay(params, amount, 0, borrower, sender=borrower)

    def state() -> tuple[int, int]:
        market = morpho.expected_market_balances(params)
        return market.total_supply_assets, market.total_borrow_assets

    def borrow(amount: int) -> None:
        morpho.borrow(params, amount, 0, borrower, borrower, sender=borrower)

    return BorrowedMarket(borrow=borrow, repay=repay, state=state)
