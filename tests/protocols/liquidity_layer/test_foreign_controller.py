"""ForeignController on an L2: roles, admin ("FC/pool-zero-address"), ERC-4626, Aave and
CCTP through the shared libraries (spark-alm-controller `test/base-fork/*` logic with their
amounts: 4626 deposit limit 5M, Aave deposit/withdraw keys, CCTP back to Ethereum, domain 0).

PSM3 `depositPSM` / `withdrawPSM` need the PSM3 model of `psm3.py`; their tests come with it.
"""

from __future__ import annotations

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.aave_market import AaveMarketConfig, build_aave_market
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_4626_DEPOSIT,
    LIMIT_AAVE_DEPOSIT,
    LIMIT_AAVE_WITHDRAW,
    LIMIT_USDC_TO_CCTP,
    LIMIT_USDC_TO_DOMAIN,
)
from sparkprime.protocols.liquidity_layer.controller_venues import Contracts
from sparkprime.protocols.liquidity_layer.deployment import SllConfig, build_foreign_sll
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import make_asset_key, make_domain_key
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from tests.protocols.liquidity_layer.test_controller_helpers import (
    E6,
    E18,
    START_TS,
    RecordingTokenMessenger,
)

ETHEREUM = 0


class _Psm3Stub:
    """Only an address: these tests do not call PSM3."""

    address = make_addr("base/psm3")

    def deposit(self, asset: str, receiver: str, asset_amount: int, *, sender: str) -> int:
        raise AssertionError("not used")

    def withdraw(self, asset: str, receiver: str, max_asset_amount: int, *, sender: str) -> int:
        raise AssertionError("not used")


class L2:
    def __init__(self) -> None:
        self.clock = Clock(START_TS)
        reg = TokenRegistry()
        self.usdc = reg.register(Erc20(make_addr("base/USDC"), "USDC", 6))
        self.usds = reg.register(Erc20(make_addr("base/USDS"), "USDS", 18))
        self.vault = SUsds(
            self.usds,
            self.clock,
            atomic=reg.atomic,
            ward=make_addr("gov"),
            address=make_addr("base/vault"),
        )
        self.aave = build_aave_market(
            AaveMarketConfig(name="base/aave"), reg, self.clock, self.usdc
        )
        self.cctp = RecordingTokenMessenger(self.usdc, burn_limit=1_000_000 * E6)
        self.admin, self.relayer, self.freezer = (
            make_addr("base/admin"),
            make_addr("base/relayer"),
            make_addr("base/freezer"),
        )
        self.keys = {
            "aave_deposit": make_asset_key(LIMIT_AAVE_DEPOSIT, self.aave.a_token),
            "aave_withdraw": make_asset_key(LIMIT_AAVE_WITHDRAW, self.aave.a_token),
            "4626": make_asset_key(LIMIT_4626_DEPOSIT, self.vault.address),
            "cctp": LIMIT_USDC_TO_CCTP,
            "domain": make_domain_key(LIMIT_USDC_TO_DOMAIN, ETHEREUM),
        }
        self.sll = build_foreign_sll(
            SllConfig(
                label="base",
                admin=self.admin,
                relayers=[self.relayer],
                freezer=self.freezer,
                limits={
                    self.keys["aave_deposit"]: (10_000_000 * E6, 0),
                    self.keys["aave_withdraw"]: (10_000_000 * E6, 0),
                    self.keys["4626"]: (5_000_000 * E18, 0),
                    self.keys["cctp"]: (5_000_000 * E6, 0),
                    self.keys["domain"]: (5_000_000 * E6, 0),
                },
                max_slippages={self.aave.a_token: 10**18 - 10**15},
                max_exchange_rates={self.vault.address: (1, 2)},
                mint_recipients={ETHEREUM: make_addr("mainnet/almProxy")},
            ),
            clock=self.clock,
            contracts=Contracts(reg),
            psm=_Psm3Stub(),
            cctp=self.cctp,
            usdc=self.usdc.address,
            venues=[self.vault, self.aave.pool],
        )
        self.fc = self.sll.controller
        self.usdc.mint(self.sll.proxy.address, 20_000_000 * E6)
        self.usds.mint(self.sll.proxy.address, 10_000_000 * E18)


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
    assert l2.fc.mint_recipients(ETHEREUM) == make_addr("mainnet/almProxy")
    assert l2.sll.rate_limits.get_current_rate_limit(l2.keys["4626"]) == 5_000_000 * E18


def test_erc4626_aave_cctp() -> None:
    l2 = L2()
    fc, proxy, rl = l2.fc, l2.sll.proxy.address, l2.sll.rate_limits
    shares = fc.deposit_erc4626(l2.vault.address, 5_000_000 * E18, 0, sender=l2.relayer)
    assert shares == 5_000_000 * E18  # chi = RAY on a fresh vault
    with pytest.raises(ProtocolError) as info:
        fc.deposit_erc4626(l2.vault.address, 1, 0, sender=l2.relayer)
    assert info.value.code is ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED
    fc.deposit_aave(l2.aave.a_token, 4_000_000 * E6, sender=l2.relayer)
    assert l2.aave.pool.a_token(l2.usdc.address).balance_of(proxy) == 4_000_000 * E6
    assert fc.withdraw_aave(l2.aave.a_token, 1_000_000 * E6, sender=l2.relayer) == 1_000_000 * E6
    assert rl.get_current_rate_limit(l2.keys["aave_deposit"]) == 7_000_000 * E6
    assert rl.get_current_rate_limit(l2.keys["aave_withdraw"]) == 9_000_000 * E6
    fc.transfer_usdc_to_cctp(1_500_000 * E6, ETHEREUM, sender=l2.relayer)
    assert [m[0] for m in l2.cctp.messages] == [1_000_000 * E6, 500_000 * E6]
    assert rl.get_current_rate_limit(l2.keys["domain"]) == 3_500_000 * E6
    fc.remove_relayer(l2.relayer, sender=l2.freezer)
    before = l2.usdc.balance_of(proxy)
    with pytest.raises(ProtocolError) as info:
        fc.transfer_usdc_to_cctp(E6, ETHEREUM, sender=l2.relayer)
    assert info.value.code is ErrorCode.MISSING_ROLE
    assert l2.usdc.balance_of(proxy) == before
    assert rl.get_current_rate_limit(l2.keys["cctp"]) == 3_500_000 * E6
