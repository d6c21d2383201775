"""Set-up shared by the controller tests (spark-alm-controller `test/unit/UnitTestBase.t.sol`
and `test/mainnet-fork/ForkTestBase.t.sol`, in Python), plus a fingerprint of everything an
action may move, for the "a refused call changes nothing" checks.

Venues that other modules model (sUSDS, a SparkLend pool) are the real models. Where the
upstream unit tests use constructor-only mocks (`MockVault`, `MockPSM`, `MockDaiUsds`: a
`buffer()`, a `gem()`, a `dai()`), so do these; `RecordingTokenMessenger` is the CCTP
TokenMessenger as the unit tests see it: it pulls the USDC and records each
`depositForBurn`, with a `burnLimitsPerMessage`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sparkprime.core.clock import Clock
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.aave_market import (
    AaveMarket,
    AaveMarketConfig,
    build_aave_market,
)
from sparkprime.protocols.liquidity_layer.controller_venues import Contracts
from sparkprime.protocols.liquidity_layer.deployment import MainnetSll, SllConfig, build_mainnet_sll
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.sparklend.addresses import make_addr

E18 = 10**18
E6 = 10**6
HOUR = 3600
START_TS = 1_700_000_000
# SUsds ssr of ~4.5% APY; the value only drives accrual, not any ported assertion.
SSR = 1000000001395766281313196627


@dataclasses.dataclass
class _Minter:
    limit: int

    def burn_limits_per_message(self, token: Address) -> int:
        return self.limit


class RecordingTokenMessenger:
    """A CCTP v1 TokenMessenger double: `depositForBurn` pulls and burns the USDC."""

    def __init__(self, usdc: Erc20, burn_limit: int) -> None:
        self.address = make_addr("cctpTokenMessenger")
        self.usdc = usdc
        self.local_minter = _Minter(burn_limit)
        self.messages: list[tuple[int, int, str, Address, Address]] = []

    def deposit_for_burn(
        self,
        amount: int,
        destination_domain: int,
        mint_recipient: str,
        burn_token: Address,
        *,
        sender: Address,
    ) -> int:
        self.usdc.transfer_from(sender, self.address, amount, sender=self.address)
        self.usdc.burn(self.address, amount)
        nonce = len(self.messages)
        self.messages.append((amount, destination_domain, mint_recipient, burn_token, sender))
        return nonce


@dataclasses.dataclass
class MockVault:
    """upstream `MockVault`: only `buffer()`."""

    buffer: Address
    address: Address = dataclasses.field(default_factory=lambda: make_addr("allocatorVault"))

    def draw(self, wad: int, *, sender: Address) -> None:
        raise AssertionError("not used by these tests")

    def wipe(self, wad: int, *, sender: Address) -> None:
        raise AssertionError("not used by these tests")


@dataclasses.dataclass
class MockPsm:
    """upstream `MockPSM`: only `gem()` (and the conversion factor)."""

    gem: Address
    to18_conversion_factor: int = 10**12
    address: Address = dataclasses.field(default_factory=lambda: make_addr("psm"))

    def buy_gem_no_fee(self, usr: Address, gem_amt: int, *, sender: Address) -> int:
        raise AssertionError("not used by these tests")

    def sell_gem_no_fee(self, usr: Address, gem_amt: int, *, sender: Address) -> int:
        raise AssertionError("not used by these tests")

    def fill(self) -> int:
        raise AssertionError("not used by these tests")


@dataclasses.dataclass
class MockDaiUsds:
    """upstream `MockDaiUsds`: only `dai()`."""

    dai: Address
    address: Address = dataclasses.field(default_factory=lambda: make_addr("daiUsds"))

    def dai_to_usds(self, usr: Address, wad: int, *, sender: Address) -> None:
        raise AssertionError("not used by these tests")

    def usds_to_dai(self, usr: Address, wad: int, *, sender: Address) -> None:
        raise AssertionError("not used by these tests")


class Env:
    """A mainnet SLL with sUSDS, a SparkLend-like USDC market and a CCTP double."""

    def __init__(self, *, limits: dict[str, tuple[int, int]] | None = None) -> None:
        self.clock = Clock(START_TS)
        self.registry = TokenRegistry()
        reg = self.registry
        self.usds = reg.register(Erc20(make_addr("USDS"), "USDS", 18))
        self.usdc = reg.register(Erc20(make_addr("USDC"), "USDC", 6))
        self.dai = reg.register(Erc20(make_addr("DAI"), "DAI", 18))
        self.gov = make_addr("pauseProxy")
        self.susds = SUsds(self.usds, self.clock, atomic=reg.atomic, ward=self.gov)
        self.susds.file("ssr", SSR, sender=self.gov)
        self.aave: AaveMarket = build_aave_market(
            AaveMarketConfig(name="sparklend"), reg, self.clock, self.usdc
        )
        self.a_usdc = self.aave.a_token
        self.cctp = RecordingTokenMessenger(self.usdc, burn_limit=1_000_000 * E6)
        self.admin = make_addr("admin")
        self.relayer = make_addr("relayer")
        self.freezer = make_addr("freezer")
        self.contracts = Contracts(reg)
        self.sll: MainnetSll = build_mainnet_sll(
            SllConfig(
                label="mainnet",
                admin=self.admin,
                relayers=[self.relayer],
                freezer=self.freezer,
                limits=limits or {},
            ),
            clock=self.clock,
            contracts=self.contracts,
            vault=MockVault(buffer=make_addr("allocatorBuffer")),
            psm=MockPsm(gem=self.usdc.address),
            dai_usds=MockDaiUsds(dai=self.dai.address),
            cctp=self.cctp,
            usds=self.usds.address,
            venues=[self.susds, self.aave.pool],
        )
        self.controller = self.sll.controller
        self.proxy = self.sll.proxy
        self.rate_limits = self.sll.rate_limits

    def set_limit(self, key: str, max_amount: int, slope: int) -> None:
        self.rate_limits.set_rate_limit_data(key, max_amount, slope, sender=self.admin)

    def borrow_usdc(self, amount: int) -> None:
        """A borrower posts the collateral and borrows USDC from the market."""
        borrower = make_addr("borrower")
        weth = self.aave.collateral
        weth.mint(borrower, 10**6 * E18)
        weth.approve(self.aave.pool.address, 2**256 - 1, sender=borrower)
        self.aave.pool.supply(weth.address, 10**6 * E18, borrower, 0, sender=borrower)
        self.aave.pool.borrow(self.usdc.address, amount, 2, 0, borrower, sender=borrower)


def fingerprint(env: Env, keys: Sequence[str]) -> dict[str, Any]:
    """Everything a controller action can move: every token's balances and allowances,
    sUSDS shares and accumulator, the pool's reserve data, the given rate limits (data and
    current level), every event log length and the proxy's and controller's roles."""
    reg = env.registry
    tokens = {a: (reg.get(a).balances(), reg.get(a).allowances()) for a in reg.addresses()}
    s = env.susds
    pool = env.aave.pool
    return {
        "tokens": tokens,
        "susds": (s.total_supply, s.balance_of(env.proxy.address), s.chi, s.rho),
        "a_usdc": pool.a_token(env.usdc.address).balance_of(env.proxy.address),
        "reserve": repr(pool.get_reserve_data(env.usdc.address)),
        "limits": {
            k: (env.rate_limits.get_rate_limit_data(k), env.rate_limits.get_current_rate_limit(k))
            for k in keys
        },
        "events": (
            len(env.controller.events),
            len(env.rate_limits.events),
            len(env.proxy.events),
        ),
        "roles": (env.controller.snapshot(), env.proxy.snapshot()),
        "cctp": list(env.cctp.messages),
    }


def test_env_wiring() -> None:
    env = Env()
    assert env.proxy.has_role("CONTROLLER", env.controller.address)
    assert env.rate_limits.has_role("CONTROLLER", env.controller.address)
    assert env.controller.has_role("RELAYER", env.relayer)
    assert env.controller.has_role("FREEZER", env.freezer)
    assert env.controller.usdc == env.usdc.address
    assert env.controller.dai == env.dai.address
    assert env.controller.buffer == make_addr("allocatorBuffer")
    assert env.susds.ssr == SSR
    assert RAY < SSR
