"""The whole SLL on real venues: `sll_network.build_network_sll` on a `domains.Network`.

Ported from sparkdotfi/spark-alm-controller (amounts, rate-limit expectations, revert reasons):
- `test/mainnet-fork/VaultCalls.t.sol` (file 62279564902: `test_mintUSDS`,
  `test_mintUSDS_rateLimitBoundary`, `test_mintUSDS_rateLimited`, `test_burnUSDS`,
  `test_burnUSDS_rateLimited`);
- `test/mainnet-fork/PsmCalls.t.sol` (file 39796852619: `test_swapUSDSToUSDC`,
  `test_swapUSDSToUSDC_rateLimited`, `test_swapUSDCToUSDS`, `_exactBalanceNoRefill`,
  `_partialRefill`, `_multipleRefills`, `_incompleteFillBoundary`, `_rateLimited`), with the
  fork's lite-PSM state (DAI in the PSM, ilk art and line, pocket + buf) rebuilt here;
- `test/base-fork/PSM3.t.sol` (4728a29c: deposit/withdraw of USDC and USDS, the rate-limit
  boundaries; the PSM3 seeded with 1e18 USDS);
- `test/mainnet-fork/CCTP.t.sol` (`test_transferUSDCToCCTP_sourceToDestination`, the
  domain-not-configured case), here with the real CCTP model and the network's clock.

Not ported: `vat.dai(usdsJoin)` (the joins keep no Vat balance of their own, see
`allocator`); reentrancy and event-emit checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.presets.sll_limits import rate_limit_entries, sll_limits_preset
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_USDC_TO_CCTP,
    LIMIT_USDC_TO_DOMAIN,
)
from sparkprime.protocols.liquidity_layer.domains import Network
from sparkprime.protocols.liquidity_layer.foreign_controller import (
    LIMIT_PSM_DEPOSIT,
    LIMIT_PSM_WITHDRAW,
)
from sparkprime.protocols.liquidity_layer.mainnet_controller import (
    LIMIT_USDS_MINT,
    LIMIT_USDS_TO_USDC,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_key,
    make_domain_key,
)
from sparkprime.protocols.liquidity_layer.rate_limits import UNLIMITED, RateLimitKey
from sparkprime.protocols.liquidity_layer.sll_network import (
    DEAD,
    FREEZER_ADDRESS,
    RELAYER_ADDRESS,
    NetworkSll,
    NetworkSllConfig,
    build_network_sll,
)

E18, E6, HOUR, DAY = 10**18, 10**6, 3_600, 86_400
START_TS = 1_700_000_000
INK = 10**12 * E18
R = RELAYER_ADDRESS


def limits(chain: str, labels: Mapping[str, Address]) -> Iterable[tuple[RateLimitKey, int, int]]:
    """The fork test bases' limits: 5M with 1M / 4h for mint, swap and PSM3 deposits, USDC
    PSM3 withdrawals; unlimited USDS/sUSDS PSM3 withdrawals and aggregate CCTP; 4M / 2M per
    day per CCTP domain."""
    per_domain = (4_000_000 * E6, 2_000_000 * E6 // DAY)
    yield LIMIT_USDC_TO_CCTP, UNLIMITED, 0
    if chain == "ethereum":
        yield LIMIT_USDS_MINT, 5_000_000 * E18, 1_000_000 * E18 // (4 * HOUR)
        yield LIMIT_USDS_TO_USDC, 5_000_000 * E6, 1_000_000 * E6 // (4 * HOUR)
        for domain in (1, 3, 6):
            yield make_domain_key(LIMIT_USDC_TO_DOMAIN, domain), *per_domain
        return
    yield make_domain_key(LIMIT_USDC_TO_DOMAIN, 0), *per_domain
    for symbol, unit in (("USDC", E6), ("USDS", E18), ("sUSDS", E18)):
        yield (
            make_asset_key(LIMIT_PSM_DEPOSIT, labels[symbol]),
            5_000_000 * unit,
            1_000_000 * unit // (4 * HOUR),
        )
    yield (
        make_asset_key(LIMIT_PSM_WITHDRAW, labels["USDC"]),
        5_000_000 * E6,
        E6 * 10**6 // (4 * HOUR),
    )
    yield make_asset_key(LIMIT_PSM_WITHDRAW, labels["USDS"]), UNLIMITED, 0
    yield make_asset_key(LIMIT_PSM_WITHDRAW, labels["sUSDS"]), UNLIMITED, 0


def world(config: NetworkSllConfig | None = None) -> NetworkSll:
    return build_network_sll(Network(Clock(START_TS)), config, limits=limits)


def all_keys(w: NetworkSll) -> dict[str, list[RateLimitKey]]:
    return {
        name: [key for key, _, _ in limits(name, labels)]
        for name, labels in [("ethereum", w.ethereum.labels)]
        + [(n, l2.labels) for n, l2 in w.l2s.items()]
    }


def _tokens(reg: Any) -> dict[Address, Any]:
    return {a: (reg.get(a).balances(), reg.get(a).allowances()) for a in reg.addresses()}


def _levels(rl: Any, keys: list[RateLimitKey]) -> dict[RateLimitKey, Any]:
    return {k: (rl.get_rate_limit_data(k), rl.get_current_rate_limit(k)) for k in keys}


def snapshot(w: NetworkSll) -> dict[str, Any]:
    """Everything that can move, on every chain: token balances and allowances, messages in
    flight, every configured rate limit (data and level), the Vat, PSM3 shares, sUSDS,
    roles and event counts."""
    keys = all_keys(w)
    eth = w.ethereum
    state: dict[str, Any] = {
        "vat": (
            eth.vat.debt,
            eth.vat.ilks(eth.vault.ilk),
            eth.vat.ilks(eth.psm.ilk),
            eth.vat.urns(eth.vault.ilk, eth.vault.address),
            eth.vat.urns(eth.psm.ilk, eth.psm.address),
        ),
        "susds": (eth.susds.total_supply, eth.susds.chi, eth.susds.rho),
    }
    slls: list[tuple[str, Any]] = [("ethereum", eth.sll)]
    slls += [(n, l2.sll) for n, l2 in w.l2s.items()]
    for name, sll in slls:
        chain = w.network.chain(name)
        reg = chain.registry
        state[name] = {
            "tokens": _tokens(reg),
            "outbox": dict(chain.outbox),
            "limits": _levels(sll.rate_limits, keys[name]),
            "roles": sll.controller.snapshot(),
            "events": (len(sll.controller.events), len(sll.rate_limits.events)),
        }
    for name, l2 in w.l2s.items():
        state[name]["psm3"] = (l2.psm.total_shares, l2.psm.shares(l2.sll.proxy.address))
    return state


def refused(w: NetworkSll, code: ErrorCode, fn: Callable[[], object]) -> ProtocolError:
    before = snapshot(w)
    with pytest.raises(ProtocolError) as info:
        fn()
    assert info.value.code is code, info.value
    assert snapshot(w) == before
    return info.value


# --- deployment --------------------------------------------------------------------------


def test_deployment_wiring_matches_the_init_libraries() -> None:
    w = world()
    eth = w.ethereum
    proxy, c = eth.sll.proxy.address, eth.sll.controller
    assert eth.sll.proxy.has_role("CONTROLLER", c.address)
    assert eth.sll.rate_limits.has_role("CONTROLLER", c.address)
    assert c.has_role("RELAYER", R)
    assert c.has_role("FREEZER", FREEZER_ADDRESS)
    assert eth.vault.wards(proxy) == 1  # vault.rely(almProxy)
    assert eth.chain.token("USDS").allowance(eth.buffer.address, proxy) == 2**256 - 1
    assert eth.psm.bud(proxy) == 1  # psm.kiss(almProxy)
    assert eth.psm.to18_conversion_factor == 10**12
    for name, l2 in w.l2s.items():
        domain = w.network.chain(name).domain.cctp_domain
        assert domain is not None
        assert c.mint_recipients(domain) == l2.sll.proxy.address
        fc = l2.sll.controller
        assert fc.mint_recipients(0) == proxy
        assert l2.sll.proxy.has_role("CONTROLLER", fc.address)
        assert fc.has_role("RELAYER", R)
        assert fc.has_role("FREEZER", FREEZER_ADDRESS)
        assert (l2.psm.total_shares, l2.psm.total_assets(), l2.psm.shares(DEAD)) == (E18,) * 3
        assert l2.psm.rate_provider.get_conversion_rate() == eth.susds.chi


def test_preset_limits_apply_by_label() -> None:
    """A preset instance's keys resolve through the deployment's labels ("Base USDC")."""
    instance = sll_limits_preset().instance("base_psm3")
    base = world().l2s["base"]
    entries = rate_limit_entries(instance, base.labels.__getitem__)
    for key, max_amount, slope in entries:
        if max_amount == UNLIMITED:
            base.sll.rate_limits.set_unlimited_rate_limit_data(key, sender=base.sll.config.admin)
        else:
            base.sll.rate_limits.set_rate_limit_data(
                key, max_amount, slope, sender=base.sll.config.admin
            )
    usdc_key = make_asset_key(LIMIT_PSM_DEPOSIT, base.chain.token("USDC").address)
    assert base.sll.rate_limits.get_current_rate_limit(usdc_key) == 50_000_000 * E6
    assert instance.rate_limit("psm_deposit_usdc").max_amount == 50_000_000 * E6


# --- USDS mint / burn (VaultCalls.t.sol) ---------------------------------------------------


def test_mint_usds() -> None:
    w = world()
    eth = w.ethereum
    usds, vat, ilk, c = eth.chain.token("USDS"), eth.vat, eth.vault.ilk, eth.sll.controller
    supply = usds.total_supply
    assert vat.ilks(ilk).art == 0
    assert vat.urns(ilk, eth.vault.address) == (INK, 0)
    c.mint_usds(E18, sender=R)
    assert vat.ilks(ilk).art == E18
    assert vat.urns(ilk, eth.vault.address) == (INK, E18)
    assert usds.balance_of(eth.sll.proxy.address) == E18
    assert usds.total_supply == supply + E18
    c.burn_usds(E18, sender=R)
    assert vat.ilks(ilk).art == 0
    assert vat.urns(ilk, eth.vault.address) == (INK, 0)
    assert usds.balance_of(eth.sll.proxy.address) == 0
    assert usds.total_supply == supply


def test_mint_usds_rate_limit_boundary() -> None:
    w = world()
    c = w.ethereum.sll.controller
    refused(
        w,
        ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
        lambda: c.mint_usds(5_000_000 * E18 + 1, sender=R),
    )
    c.mint_usds(5_000_000 * E18, sender=R)


def test_mint_usds_rate_limited() -> None:
    w = world()
    eth = w.ethereum
    c, rl, usds = eth.sll.controller, eth.sll.rate_limits, eth.chain.token("USDS")
    proxy = eth.sll.proxy.address
    c.mint_usds(1_000_000 * E18, sender=R)
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == 4_000_000 * E18
    w.network.advance(HOUR)
    level = 4_249_999_9999999999999984 * 10**2  # 4_249_999.9999999999999984e18
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == level
    c.mint_usds(level, sender=R)
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == 0
    assert usds.balance_of(proxy) == 1_000_000 * E18 + level
    refused(w, ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED, lambda: c.mint_usds(1, sender=R))


def test_burn_usds_rate_limited() -> None:
    """burnUSDS raises the mint key (capped at its max)."""
    w = world()
    eth = w.ethereum
    c, rl, usds = eth.sll.controller, eth.sll.rate_limits, eth.chain.token("USDS")
    proxy = eth.sll.proxy.address
    c.mint_usds(1_000_000 * E18, sender=R)
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == 4_000_000 * E18
    c.burn_usds(500_000 * E18, sender=R)
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == 4_500_000 * E18
    assert usds.balance_of(proxy) == 500_000 * E18
    w.network.advance(4 * HOUR)
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == 5_000_000 * E18
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == 5_000_000 * E18
    c.burn_usds(500_000 * E18, sender=R)
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == 5_000_000 * E18
    assert usds.balance_of(proxy) == 0


# --- lite PSM swaps (PsmCalls.t.sol) -------------------------------------------------------

DAI_BAL_PSM = 413_630_294_354574 * 10**12
PSM_ART = 2_396_991_603_0882 * 10**14
PSM_LINE = 2_796_991_603_0882 * 10**14
POCKET_USDC = 1_983_361_309_129139  # pocket * 1e12 + buf == 2_383_361_309.129139e18


def fork_psm_world() -> NetworkSll:
    """The lite PSM as at the fork block: art, line, DAI held, pocket USDC and a 400M buf."""
    w = world(NetworkSllConfig(psm_line_wad=PSM_LINE, psm_buf_wad=PSM_ART))
    eth = w.ethereum
    psm, dai = eth.psm, eth.chain.token("DAI")
    eth.chain.token("USDC").mint(psm.pocket, POCKET_USDC)  # foundry `deal`
    dai.burn(psm.address, dai.balance_of(psm.address) - DAI_BAL_PSM)  # foundry `deal`
    psm.file("buf", 400_000_000 * E18, sender=eth.sky_ward)
    assert eth.vat.ilks(psm.ilk).art == PSM_ART
    assert psm.rush() == 0
    return w


def test_swap_usds_to_usdc_and_back() -> None:
    w = fork_psm_world()
    eth = w.ethereum
    c, proxy = eth.sll.controller, eth.sll.proxy.address
    usds, dai, usdc = (eth.chain.token(s) for s in ("USDS", "DAI", "USDC"))
    usds_supply, dai_supply = usds.total_supply, dai.total_supply
    c.mint_usds(E18, sender=R)
    c.swap_usds_to_usdc(E6, sender=R)
    assert (usds.balance_of(proxy), usds.total_supply) == (0, usds_supply)
    assert dai.balance_of(eth.psm.address) == DAI_BAL_PSM + E18
    assert dai.total_supply == dai_supply + E18
    assert usdc.balance_of(proxy) == E6
    assert usdc.balance_of(eth.psm.pocket) == POCKET_USDC - E6
    assert usds.allowance(proxy, eth.dai_usds.address) == 0
    assert dai.allowance(proxy, eth.psm.address) == 0
    c.swap_usdc_to_usds(E6, sender=R)
    assert usds.balance_of(proxy) == E18
    assert usdc.balance_of(proxy) == 0
    assert dai.balance_of(eth.psm.address) == DAI_BAL_PSM
    assert usdc.balance_of(eth.psm.pocket) == POCKET_USDC


def test_swap_usds_to_usdc_rate_limited() -> None:
    w = world()
    eth = w.ethereum
    c, rl, proxy = eth.sll.controller, eth.sll.rate_limits, eth.sll.proxy.address
    usds, usdc = eth.chain.token("USDS"), eth.chain.token("USDC")
    eth.sll.rate_limits.set_unlimited_rate_limit_data(LIMIT_USDS_MINT, sender=eth.sll.config.admin)
    usdc.mint(eth.psm.pocket, 10_000_000 * E6)  # the fork's PSM holds USDC
    c.mint_usds(9_000_000 * E18, sender=R)
    c.swap_usds_to_usdc(1_000_000 * E6, sender=R)
    assert rl.get_current_rate_limit(LIMIT_USDS_TO_USDC) == 4_000_000 * E6
    w.network.advance(HOUR)
    assert rl.get_current_rate_limit(LIMIT_USDS_TO_USDC) == 4_249_999_9984 * 10**2
    c.swap_usds_to_usdc(4_249_999_9984 * 10**2, sender=R)
    assert rl.get_current_rate_limit(LIMIT_USDS_TO_USDC) == 0
    assert usds.balance_of(proxy) == 3_750_000_0016 * 10**14
    assert usdc.balance_of(proxy) == 5_249_999_9984 * 10**2
    refused(w, ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED, lambda: c.swap_usds_to_usdc(1, sender=R))


def test_swap_usdc_to_usds_rate_limited() -> None:
    w = world()
    eth = w.ethereum
    c, rl, proxy = eth.sll.controller, eth.sll.rate_limits, eth.sll.proxy.address
    usds, usdc = eth.chain.token("USDS"), eth.chain.token("USDC")
    usdc.mint(eth.psm.pocket, 10_000_000 * E6)
    c.mint_usds(5_000_000 * E18, sender=R)
    c.swap_usds_to_usdc(1_000_000 * E6, sender=R)
    c.swap_usdc_to_usds(400_000 * E6, sender=R)
    assert rl.get_current_rate_limit(LIMIT_USDS_TO_USDC) == 4_400_000 * E6
    assert (usds.balance_of(proxy), usdc.balance_of(proxy)) == (4_400_000 * E18, 600_000 * E6)
    w.network.advance(4 * HOUR)
    c.swap_usdc_to_usds(600_000 * E6, sender=R)
    assert rl.get_current_rate_limit(LIMIT_USDS_TO_USDC) == 5_000_000 * E6
    assert (usds.balance_of(proxy), usdc.balance_of(proxy)) == (5_000_000 * E18, 0)


def _deal_usdc(w: NetworkSll, amount: int) -> None:
    eth = w.ethereum
    eth.chain.token("USDC").mint(eth.sll.proxy.address, amount)


def _unlimited_swaps(w: NetworkSll) -> None:
    eth = w.ethereum
    eth.sll.rate_limits.set_unlimited_rate_limit_data(
        LIMIT_USDS_TO_USDC, sender=eth.sll.config.admin
    )


def test_swap_usdc_to_usds_exact_balance_no_refill() -> None:
    w = fork_psm_world()
    _unlimited_swaps(w)
    eth = w.ethereum
    amount = DAI_BAL_PSM // 10**12
    _deal_usdc(w, amount)
    eth.sll.controller.swap_usdc_to_usds(amount, sender=R)
    assert eth.vat.ilks(eth.psm.ilk).art == PSM_ART  # no fill
    assert eth.chain.token("USDS").balance_of(eth.sll.proxy.address) == DAI_BAL_PSM
    assert eth.chain.token("DAI").balance_of(eth.psm.address) == 0


def test_swap_usdc_to_usds_partial_refill() -> None:
    w = fork_psm_world()
    _unlimited_swaps(w)
    eth = w.ethereum
    usdc, dai = eth.chain.token("USDC"), eth.chain.token("DAI")
    usdc.mint(eth.psm.pocket, 2_000_000_000 * E6 - POCKET_USDC)  # deal pocket to 2B
    fill = eth.psm.rush()
    assert fill == 3_008_396_9118 * 10**14 == 2_400_000_000 * E18 - PSM_ART
    _deal_usdc(w, 415_000_000 * E6)
    eth.sll.controller.swap_usdc_to_usds(415_000_000 * E6, sender=R)
    assert eth.vat.ilks(eth.psm.ilk).art == 2_400_000_000 * E18
    assert eth.chain.token("USDS").balance_of(eth.sll.proxy.address) == 415_000_000 * E18
    assert dai.balance_of(eth.psm.address) == 1_638_691_266374 * 10**12
    assert usdc.balance_of(eth.psm.pocket) == 2_415_000_000 * E6


def test_swap_usdc_to_usds_multiple_refills() -> None:
    w = fork_psm_world()
    _unlimited_swaps(w)
    eth = w.ethereum
    usdc, dai = eth.chain.token("USDC"), eth.chain.token("DAI")
    usdc.mint(eth.psm.pocket, 2_000_000_000 * E6 - POCKET_USDC)
    _deal_usdc(w, 500_000_000 * E6)
    eth.sll.controller.swap_usdc_to_usds(500_000_000 * E6, sender=R)
    assert eth.vat.ilks(eth.psm.ilk).art == PSM_LINE == 2_796_991_603_0882 * 10**14
    assert dai.balance_of(eth.psm.address) == 313_630_294_354574 * 10**12
    assert usdc.balance_of(eth.psm.pocket) == 2_500_000_000 * E6


def test_swap_usdc_to_usds_incomplete_fill_boundary() -> None:
    w = fork_psm_world()
    _unlimited_swaps(w)
    eth = w.ethereum
    usdc = eth.chain.token("USDC")
    usdc.set_balance(eth.psm.pocket, 2_000_000_000 * E6)
    max_swap = 813_630_294_354574
    _deal_usdc(w, max_swap + 1)
    err = refused(
        w,
        ErrorCode.LITE_PSM_NOTHING_TO_FILL,
        lambda: eth.sll.controller.swap_usdc_to_usds(max_swap + 1, sender=R),
    )
    assert err.context["reason"] == "DssLitePsm/nothing-to-fill"
    eth.sll.controller.swap_usdc_to_usds(max_swap, sender=R)
    assert eth.chain.token("USDS").balance_of(eth.sll.proxy.address) == max_swap * 10**12
    assert eth.vat.ilks(eth.psm.ilk).art == PSM_LINE
    assert eth.chain.token("DAI").balance_of(eth.psm.address) == 0
