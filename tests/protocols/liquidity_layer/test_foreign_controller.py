"""ForeignController on Base: roles, admin ("FC/pool-zero-address"), ERC-4626, Aave, PSM3 and
CCTP (spark-alm-controller `test/base-fork/*` logic with their amounts: 4626 deposit limit 5M,
Aave deposit/withdraw keys, CCTP back to Ethereum, domain 0).

As upstream's `base-fork/ForkTestBase.t.sol` deploys a fresh controller on the fork
(`ForeignControllerDeploy.deployFull` + `ForeignControllerInit`), `L2` deploys one with
`deployment.build_foreign_sll` on the real network's Base chain, over its real PSM3, Circle
CCTP messenger and Aave-like USDC market; the ERC-4626 venue is an sUSDS-model vault on Base's
USDS. Ethereum's controller sends Base's USDC to this proxy, as upstream's set-up does.
"""

from __future__ import annotations

from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.liquidity_layer.cctp import ATTESTATION_DELAY_S
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_4626_DEPOSIT,
    LIMIT_AAVE_DEPOSIT,
    LIMIT_AAVE_WITHDRAW,
    LIMIT_USDC_TO_CCTP,
    LIMIT_USDC_TO_DOMAIN,
)
from sparkprime.protocols.liquidity_layer.controller_venues import Contracts
from sparkprime.protocols.liquidity_layer.deployment import SllConfig, build_foreign_sll
from sparkprime.protocols.liquidity_layer.foreign_controller import LIMIT_PSM_DEPOSIT
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import make_asset_key, make_domain_key
from sparkprime.protocols.liquidity_layer.sll_network import admin_of, proxy_address
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from tests.protocols.liquidity_layer.test_controller_helpers import E6, E18, build_world, snapshot

ETHEREUM = 0
BASE_DOMAIN = 6


class L2:
    def __init__(self) -> None:
        self.world = build_world()
        base = self.world.l2s["base"]
        self.chain = base.chain
        self.clock = self.world.network.clock
        self.usdc = base.chain.token("USDC")
        self.usds = base.chain.token("USDS")
        self.psm = base.psm
        self.vault = SUsds(
            self.usds,
            self.clock,
            atomic=base.chain.atomic,
            ward=make_addr("gov"),
            address=make_addr("base/vault"),
        )
        self.aave = base.aave
        self.cctp = base.cctp
        self.admin, self.relayer, self.freezer = (
            admin_of("base"),
            make_addr("base/relayer"),
            make_addr("base/freezer"),
        )
        self.keys = {
            "aave_deposit": make_asset_key(LIMIT_AAVE_DEPOSIT, self.aave.a_token),
            "aave_withdraw": make_asset_key(LIMIT_AAVE_WITHDRAW, self.aave.a_token),
            "4626": make_asset_key(LIMIT_4626_DEPOSIT, self.vault.address),
            "cctp": LIMIT_USDC_TO_CCTP,
            "domain": make_domain_key(LIMIT_USDC_TO_DOMAIN, ETHEREUM),
            "psm_usdc": make_asset_key(LIMIT_PSM_DEPOSIT, self.usdc.address),
        }
        self.sll = build_foreign_sll(
            SllConfig(
                label="base/fresh",
                admin=self.admin,
                relayers=[self.relayer],
                freezer=self.freezer,
                limits={
                    self.keys["aave_deposit"]: (10_000_000 * E6, 0),
                    self.keys["aave_withdraw"]: (10_000_000 * E6, 0),
                    self.keys["4626"]: (5_000_000 * E18, 0),
                    self.keys["cctp"]: (5_000_000 * E6, 0),
                    self.keys["domain"]: (5_000_000 * E6, 0),
                    self.keys["psm_usdc"]: (5_000_000 * E6, 0),
                },
                max_slippages={self.aave.a_token: 10**18 - 10**15},
                max_exchange_rates={self.vault.address: (1, 2)},
                mint_recipients={ETHEREUM: proxy_address("ethereum")},
            ),
            clock=self.clock,
            contracts=Contracts(base.chain.registry),
            psm=self.psm,
            cctp=self.cctp,
            usdc=self.usdc.address,
            venues=[self.vault, self.aave.pool],
        )
        self.fc = self.sll.controller
        eth = self.world.ethereum
        eth.sll.controller.set_mint_recipient(
            BASE_DOMAIN, self.sll.proxy.address, sender=admin_of("ethereum")
        )
        self.usdc.mint(self.sll.proxy.address, 20_000_000 * E6)
        self.usds.mint(self.sll.proxy.address, 10_000_000 * E18)

    def snapshot(self) -> dict[str, Any]:
        """The whole network, this SLL's keys read on Base."""
        return snapshot(
            self.world,
            {"base": list(self.keys.values())},
            vaults=[self.vault],
            slls={"base": self.sll},
        )


def test_set_max_slippage_pool_zero() -> None:
    l2 = L2()
    with pytest.raises(ProtocolError) as info:
        l2.fc.set_max_slippage(ZERO_ADDRESS, 1, sender=l2.admin)
    assert info.value.code is ErrorCode.FC_POOL_ZERO_ADDRESS
    assert info.value.context["reason"] == "FC/pool-zero-address"
    with pytest.raises(ProtocolError) as info:
        l2.fc.set_max_slippage(make_addr("pool"), 1, sender=l2.relayer)
    assert info.value.code is ErrorCode.MISSING_ROLE


def test_deployment_parameters() -> None:
    l2 = L2()
    assert l2.fc.max_slippages(l2.aave.a_token) == 10**18 - 10**15
    assert l2.fc.max_exchange_rates(l2.vault.address) == 2 * 10**36
    assert l2.fc.mint_recipients(ETHEREUM) == proxy_address("ethereum")
    assert l2.world.ethereum.sll.controller.mint_recipients(BASE_DOMAIN) == l2.sll.proxy.address
    assert l2.sll.proxy.has_role("CONTROLLER", l2.fc.address)
    assert l2.fc.has_role("RELAYER", l2.relayer)
    assert l2.fc.has_role("FREEZER", l2.freezer)
    assert l2.sll.rate_limits.get_current_rate_limit(l2.keys["4626"]) == 5_000_000 * E18


def test_erc4626_aave_cctp() -> None:
    l2 = L2()
    fc, proxy, rl = l2.fc, l2.sll.proxy.address, l2.sll.rate_limits
    shares = fc.deposit_erc4626(l2.vault.address, 5_000_000 * E18, 0, sender=l2.relayer)
    assert shares == 5_000_000 * E18  # chi = RAY on a fresh vault
    before = l2.snapshot()
    with pytest.raises(ProtocolError) as info:
        fc.deposit_erc4626(l2.vault.address, 1, 0, sender=l2.relayer)
    assert info.value.code is ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED
    assert l2.snapshot() == before
    fc.deposit_aave(l2.aave.a_token, 4_000_000 * E6, sender=l2.relayer)
    assert l2.aave.pool.a_token(l2.usdc.address).balance_of(proxy) == 4_000_000 * E6
    assert fc.withdraw_aave(l2.aave.a_token, 1_000_000 * E6, sender=l2.relayer) == 1_000_000 * E6
    assert rl.get_current_rate_limit(l2.keys["aave_deposit"]) == 7_000_000 * E6
    assert rl.get_current_rate_limit(l2.keys["aave_withdraw"]) == 9_000_000 * E6
    network = l2.world.network
    eth_usdc = l2.world.ethereum.chain.token("USDC")
    supply = network.total_supply(["USDC"])
    fc.transfer_usdc_to_cctp(1_500_000 * E6, ETHEREUM, sender=l2.relayer)
    messages = network.in_flight("USDC")
    assert [m.amount for m in messages] == [1_000_000 * E6, 500_000 * E6]
    assert {(m.source, m.destination, m.recipient) for m in messages} == {
        ("base", "ethereum", proxy_address("ethereum"))
    }
    assert rl.get_current_rate_limit(l2.keys["domain"]) == 3_500_000 * E6
    assert network.total_supply(["USDC"]) == supply
    network.advance(ATTESTATION_DELAY_S["base"])
    assert eth_usdc.balance_of(proxy_address("ethereum")) == 1_500_000 * E6
    assert network.in_flight() == []
    fc.remove_relayer(l2.relayer, sender=l2.freezer)
    before = l2.snapshot()
    with pytest.raises(ProtocolError) as info:
        fc.transfer_usdc_to_cctp(E6, ETHEREUM, sender=l2.relayer)
    assert info.value.code is ErrorCode.MISSING_ROLE
    assert l2.snapshot() == before
    assert rl.get_current_rate_limit(l2.keys["cctp"]) == 3_500_000 * E6


def test_psm3_deposit_withdraw() -> None:
    """depositPSM / withdrawPSM of USDC through the fresh controller into Base's seeded PSM3
    (1e18 USDS of seed shares): 1 USDC is 1e18 shares at a 1.0 USDC price."""
    l2 = L2()
    fc, proxy, rl = l2.fc, l2.sll.proxy.address, l2.sll.rate_limits
    assert fc.deposit_psm(l2.usdc.address, 100 * E6, sender=l2.relayer) == 100 * E18
    assert l2.psm.shares(proxy) == 100 * E18
    assert l2.usdc.balance_of(l2.psm.pocket) == 100 * E6
    assert rl.get_current_rate_limit(l2.keys["psm_usdc"]) == 4_999_900 * E6
    # no withdraw key for USDC on this controller
    before = l2.snapshot()
    with pytest.raises(ProtocolError) as info:
        fc.withdraw_psm(l2.usdc.address, 100 * E6, sender=l2.relayer)
    assert info.value.code is ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT
    assert l2.snapshot() == before
