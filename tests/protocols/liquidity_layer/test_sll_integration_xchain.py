"""Cross-chain SLL on real venues: PSM3 through the ForeignController, CCTP both ways, the full
mint -> swap -> bridge -> PSM3 -> back -> burn round trip, and refused inputs that move nothing
on any chain.

Ported: spark-alm-controller `test/base-fork/PSM3.t.sol` (4728a29c: `test_depositPSM_*`
deposit USDS / USDC and rate-limit boundaries, `test_withdrawPSM_*` withdraw USDS / USDC and the
USDC boundary; the PSM3 is seeded with 1e18 USDS) and `test/mainnet-fork/CCTP.t.sol`
(`test_transferUSDCToCCTP_sourceToDestination`, the domain-not-configured case).
"""

from __future__ import annotations

from sparkprime.core.errors import ErrorCode
from sparkprime.core.ids import Address
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_USDC_TO_CCTP,
    LIMIT_USDC_TO_DOMAIN,
)
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
from sparkprime.protocols.liquidity_layer.rate_limits import UNLIMITED
from sparkprime.protocols.liquidity_layer.sll_network import FREEZER_ADDRESS, L2Sll
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from tests.protocols.liquidity_layer.test_sll_integration import (
    DAY,
    E6,
    E18,
    HOUR,
    R,
    refused,
    world,
)

BASE_DOMAIN = 6


def _psm_state(l2: L2Sll, symbol: str) -> tuple[int, int, int, int, int]:
    """(proxy balance, custodian balance, proxy shares, total shares, total assets)."""
    token, proxy = l2.chain.token(symbol), l2.sll.proxy.address
    custodian = l2.psm.pocket if symbol == "USDC" else l2.psm.address
    return (
        token.balance_of(proxy),
        token.balance_of(custodian),
        l2.psm.shares(proxy),
        l2.psm.total_shares,
        l2.psm.total_assets(),
    )


def test_deposit_and_withdraw_psm_usds() -> None:
    w = world()
    base = w.l2s["base"]
    fc, rl, usds = base.sll.controller, base.sll.rate_limits, base.chain.token("USDS")
    dep = make_asset_key(LIMIT_PSM_DEPOSIT, usds.address)
    wd = make_asset_key(LIMIT_PSM_WITHDRAW, usds.address)
    usds.mint(base.sll.proxy.address, 100 * E18)
    assert _psm_state(base, "USDS") == (100 * E18, E18, 0, E18, E18)
    assert rl.get_current_rate_limit(dep) == 5_000_000 * E18
    assert fc.deposit_psm(usds.address, 100 * E18, sender=R) == 100 * E18
    assert _psm_state(base, "USDS") == (0, 101 * E18, 100 * E18, 101 * E18, 101 * E18)
    assert rl.get_current_rate_limit(dep) == 4_999_900 * E18
    assert usds.allowance(base.sll.proxy.address, base.psm.address) == 0
    assert fc.withdraw_psm(usds.address, 100 * E18, sender=R) == 100 * E18
    assert _psm_state(base, "USDS") == (100 * E18, E18, 0, E18, E18)
    assert rl.get_current_rate_limit(wd) == UNLIMITED
    assert rl.get_current_rate_limit(dep) == 4_999_900 * E18  # PSM3: no cancellation


def test_deposit_and_withdraw_psm_usdc() -> None:
    w = world()
    base = w.l2s["base"]
    fc, rl, usdc = base.sll.controller, base.sll.rate_limits, base.chain.token("USDC")
    dep = make_asset_key(LIMIT_PSM_DEPOSIT, usdc.address)
    wd = make_asset_key(LIMIT_PSM_WITHDRAW, usdc.address)
    usdc.mint(base.sll.proxy.address, 100 * E6)
    assert fc.deposit_psm(usdc.address, 100 * E6, sender=R) == 100 * E18
    assert _psm_state(base, "USDC") == (0, 100 * E6, 100 * E18, 101 * E18, 101 * E18)
    assert rl.get_current_rate_limit(dep) == 4_999_900 * E6
    assert rl.get_current_rate_limit(wd) == 5_000_000 * E6
    assert fc.withdraw_psm(usdc.address, 100 * E6, sender=R) == 100 * E6
    assert _psm_state(base, "USDC") == (100 * E6, 0, 0, E18, E18)
    assert rl.get_current_rate_limit(wd) == 4_999_900 * E6


def test_deposit_psm_rate_limit_boundaries() -> None:
    w = world()
    base = w.l2s["base"]
    fc = base.sll.controller
    for symbol, unit in (("USDC", E6), ("USDS", E18), ("sUSDS", E18)):
        token = base.chain.token(symbol)
        token.mint(base.sll.proxy.address, 5_000_000 * unit + 1)
        over = 5_000_000 * unit + 1

        def deposit_over(asset: Address = token.address, amount: int = over) -> object:
            return fc.deposit_psm(asset, amount, sender=R)

        refused(w, ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED, deposit_over)
        fc.deposit_psm(token.address, 5_000_000 * unit, sender=R)
    refused(
        w,
        ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT,
        lambda: fc.deposit_psm(make_addr("fake-token"), 1_000_000 * E18, sender=R),
    )


def test_withdraw_psm_usdc_rate_limit_boundary() -> None:
    w = world()
    base = w.l2s["base"]
    fc, usdc = base.sll.controller, base.chain.token("USDC")
    key = make_asset_key(LIMIT_PSM_WITHDRAW, usdc.address)
    base.sll.rate_limits.set_rate_limit_data(
        key, 1_000_000 * E6, 1_000_000 * E6 // DAY, sender=base.sll.config.admin
    )
    usdc.mint(base.sll.proxy.address, 1_000_000 * E6 + 1)
    fc.deposit_psm(usdc.address, 1_000_000 * E6 + 1, sender=R)
    refused(
        w,
        ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
        lambda: fc.withdraw_psm(usdc.address, 1_000_000 * E6 + 1, sender=R),
    )
    assert fc.withdraw_psm(usdc.address, 1_000_000 * E6, sender=R) == 1_000_000 * E6


def test_cctp_source_to_destination() -> None:
    w = world()
    eth, base = w.ethereum, w.l2s["base"]
    usdc, base_usdc = eth.chain.token("USDC"), base.chain.token("USDC")
    usdc.mint(eth.sll.proxy.address, E6)
    supply, base_supply = usdc.total_supply, base_usdc.total_supply
    eth.sll.controller.transfer_usdc_to_cctp(E6, BASE_DOMAIN, sender=R)
    assert usdc.balance_of(eth.sll.proxy.address) == 0
    assert usdc.total_supply == supply - E6
    assert usdc.allowance(eth.sll.proxy.address, eth.cctp.address) == 0
    assert base_usdc.balance_of(base.sll.proxy.address) == 0
    w.network.advance(eth.cctp.attestation_delay_s - 1)
    assert base_usdc.balance_of(base.sll.proxy.address) == 0  # not attested yet
    w.network.advance(1)
    assert base_usdc.balance_of(base.sll.proxy.address) == E6
    assert base_usdc.total_supply == base_supply + E6


def test_full_round_trip() -> None:
    """mint -> USDC -> Base -> PSM3 -> back -> USDS -> burn; every level and balance."""
    w = world()
    eth, base = w.ethereum, w.l2s["base"]
    c, fc = eth.sll.controller, base.sll.controller
    rl, frl = eth.sll.rate_limits, base.sll.rate_limits
    proxy, fproxy = eth.sll.proxy.address, base.sll.proxy.address
    usds, usdc, dai = (eth.chain.token(s) for s in ("USDS", "USDC", "DAI"))
    b_usdc = base.chain.token("USDC")
    vault_ilk, psm_ilk, vat = eth.vault.ilk, eth.psm.ilk, eth.vat
    dai_psm0, pocket0 = dai.balance_of(eth.psm.address), usdc.balance_of(eth.psm.pocket)
    usdc.mint(eth.psm.pocket, 3_000_000 * E6)  # USDC for the PSM to sell (a `deal`)
    pocket0 += 3_000_000 * E6
    to_base, to_eth = (
        make_domain_key(LIMIT_USDC_TO_DOMAIN, BASE_DOMAIN),
        make_domain_key(LIMIT_USDC_TO_DOMAIN, 0),
    )
    amount6, amount18 = 2_000_000 * E6, 2_000_000 * E18

    c.mint_usds(3_000_000 * E18, sender=R)
    assert usds.balance_of(proxy) == 3_000_000 * E18
    assert vat.urns(vault_ilk, eth.vault.address)[1] == 3_000_000 * E18
    assert eth.vault.debt() == 3_000_000 * E18
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == 2_000_000 * E18

    c.swap_usds_to_usdc(amount6, sender=R)
    assert usds.balance_of(proxy) == 1_000_000 * E18
    assert usdc.balance_of(proxy) == amount6
    assert dai.balance_of(eth.psm.address) == dai_psm0 + amount18
    assert usdc.balance_of(eth.psm.pocket) == pocket0 - amount6
    assert rl.get_current_rate_limit(LIMIT_USDS_TO_USDC) == 3_000_000 * E6

    c.transfer_usdc_to_cctp(amount6, BASE_DOMAIN, sender=R)
    assert [m.amount for m in w.network.in_flight("USDC")] == [1_000_000 * E6] * 2  # burn limit
    assert usdc.balance_of(proxy) == 0
    assert rl.get_current_rate_limit(to_base) == 2_000_000 * E6
    assert rl.get_current_rate_limit(LIMIT_USDC_TO_CCTP) == UNLIMITED

    w.network.advance(eth.cctp.attestation_delay_s)
    assert b_usdc.balance_of(fproxy) == amount6
    assert w.network.in_flight() == []

    fc.deposit_psm(b_usdc.address, amount6, sender=R)
    dep, wd = (make_asset_key(k, b_usdc.address) for k in (LIMIT_PSM_DEPOSIT, LIMIT_PSM_WITHDRAW))
    assert base.psm.shares(fproxy) == amount18
    assert b_usdc.balance_of(base.psm.pocket) == amount6
    assert frl.get_current_rate_limit(dep) == 3_000_000 * E6

    assert fc.withdraw_psm(b_usdc.address, amount6, sender=R) == amount6
    assert base.psm.shares(fproxy) == 0
    assert frl.get_current_rate_limit(wd) == 3_000_000 * E6
    assert frl.get_current_rate_limit(dep) == 3_000_000 * E6  # no cancellation

    fc.transfer_usdc_to_cctp(amount6, 0, sender=R)
    assert frl.get_current_rate_limit(to_eth) == 2_000_000 * E6
    w.network.advance(base.cctp.attestation_delay_s)
    assert usdc.balance_of(proxy) == amount6
    assert b_usdc.balance_of(fproxy) == 0

    c.swap_usdc_to_usds(amount6, sender=R)
    assert usds.balance_of(proxy) == 3_000_000 * E18
    assert dai.balance_of(eth.psm.address) == dai_psm0
    assert usdc.balance_of(eth.psm.pocket) == pocket0
    elapsed = 2 * eth.cctp.attestation_delay_s
    slope = 1_000_000 * E6 // (4 * HOUR)
    assert rl.get_current_rate_limit(LIMIT_USDS_TO_USDC) == min(
        3_000_000 * E6 + slope * elapsed + amount6, 5_000_000 * E6
    )

    c.burn_usds(3_000_000 * E18, sender=R)
    assert usds.balance_of(proxy) == 0
    # wipe removes wad * RAY // rate: the jug's 8% duty over the trip leaves a little debt
    art = vat.urns(vault_ilk, eth.vault.address)[1]
    rate = vat.ilks(vault_ilk).rate
    assert art == 3_000_000 * E18 - 3_000_000 * E18 * 10**27 // rate
    assert 0 < art < 3_000_000 * E18 // 10**5
    assert vat.ilks(psm_ilk).art == vat.urns(psm_ilk, eth.psm.address)[1]


def test_bad_inputs_move_nothing_on_any_chain() -> None:
    w = world()
    eth, base = w.ethereum, w.l2s["base"]
    c, fc = eth.sll.controller, base.sll.controller
    eth.chain.token("USDC").mint(eth.sll.proxy.address, 10 * E6)
    base.chain.token("USDC").mint(base.sll.proxy.address, 10 * E6)
    c.mint_usds(10 * E18, sender=R)
    # over a rate limit
    refused(
        w,
        ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
        lambda: c.transfer_usdc_to_cctp(4_000_000 * E6 + 1, BASE_DOMAIN, sender=R),
    )
    # an unwhitelisted key: a domain with no limit, an asset-transfer destination
    refused(
        w,
        ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT,
        lambda: c.transfer_usdc_to_cctp(E6, 2, sender=R),
    )
    refused(
        w,
        ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT,
        lambda: c.transfer_asset(eth.chain.token("USDC").address, ZERO_ADDRESS, E6, sender=R),
    )
    # a zero mint recipient: "MC/domain-not-configured", after the limits were spent
    c.set_mint_recipient(BASE_DOMAIN, ZERO_ADDRESS, sender=eth.sll.config.admin)
    err = refused(
        w,
        ErrorCode.MC_DOMAIN_NOT_CONFIGURED,
        lambda: c.transfer_usdc_to_cctp(E6, BASE_DOMAIN, sender=R),
    )
    assert err.context["reason"] == "MC/domain-not-configured"
    # a self mint recipient (Ethereum -> Ethereum): CCTP has no messenger for its own domain
    eth.sll.rate_limits.set_unlimited_rate_limit_data(
        make_domain_key(LIMIT_USDC_TO_DOMAIN, 0), sender=eth.sll.config.admin
    )
    c.set_mint_recipient(0, eth.sll.proxy.address, sender=eth.sll.config.admin)
    err = refused(
        w,
        ErrorCode.CCTP_NO_TOKEN_MESSENGER_FOR_DOMAIN,
        lambda: c.transfer_usdc_to_cctp(E6, 0, sender=R),
    )
    assert err.context["reason"] == "No TokenMessenger for domain"
    # a relayer after remove_relayer, on each chain
    c.remove_relayer(R, sender=FREEZER_ADDRESS)
    fc.remove_relayer(R, sender=FREEZER_ADDRESS)
    for fn in (
        lambda: c.mint_usds(E18, sender=R),
        lambda: c.swap_usds_to_usdc(E6, sender=R),
        lambda: c.swap_usdc_to_usds(E6, sender=R),
        lambda: c.burn_usds(E18, sender=R),
        lambda: fc.deposit_psm(base.chain.token("USDC").address, E6, sender=R),
        lambda: fc.withdraw_psm(base.chain.token("USDC").address, E6, sender=R),
        lambda: fc.transfer_usdc_to_cctp(E6, 0, sender=R),
    ):
        assert refused(w, ErrorCode.MISSING_ROLE, fn).context["role"] == "RELAYER"
