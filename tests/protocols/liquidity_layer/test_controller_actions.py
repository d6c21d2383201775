"""MainnetController: Aave, CCTP and transferAsset, on the real network SLL of
`test_controller_helpers.Env` (the SparkLend-code USDC market of `aave_market`, Circle's
CCTP TokenMessenger/TokenMinter of `cctp`, Base's ALMProxy as the mint recipient).

Ported from spark-alm-controller `test/mainnet-fork/Aave.t.sol` (depositAave / withdrawAave:
rate-limit boundary, max slippage, the deposit key refilled by withdrawals),
`test/mainnet-fork/CCTPCalls.t.sol` (050e6bd2: both keys spent, the split by
`burnLimitsPerMessage`, `test_transferUSDCToCCTP_invalidMintRecipient`'s
"MC/domain-not-configured" for Arbitrum) and `TransferAsset.t.sol`, with their amounts; fork
state (aToken indexes, the live burn limit) comes from our models. A CCTP burn is checked as
the network's in-flight messages and, after the attestation delay, as USDC minted on Base.
"""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.liquidity_layer.cctp import ATTESTATION_DELAY_S
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_AAVE_DEPOSIT,
    LIMIT_AAVE_WITHDRAW,
    LIMIT_ASSET_TRANSFER,
    LIMIT_USDC_TO_CCTP,
    LIMIT_USDC_TO_DOMAIN,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
)
from sparkprime.protocols.liquidity_layer.rate_limits import UNLIMITED
from sparkprime.protocols.liquidity_layer.sll_network import proxy_address
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from tests.protocols.liquidity_layer.test_controller_helpers import E6, E18, HOUR, Env
from tests.protocols.liquidity_layer.test_mainnet_controller import refused

BASE = 6  # CCTP domain of Base
ARBITRUM = 3  # CCTP domain of Arbitrum One: no chain, no mint recipient in this Env


class TestAave:
    def setup_method(self) -> None:
        env = Env()
        self.deposit_key = make_asset_key(LIMIT_AAVE_DEPOSIT, env.a_usdc)
        self.withdraw_key = make_asset_key(LIMIT_AAVE_WITHDRAW, env.a_usdc)
        env.set_limit(self.deposit_key, 25_000_000 * E6, 5_000_000 * E6 // (4 * HOUR))
        env.set_limit(self.withdraw_key, 10_000_000 * E6, 5_000_000 * E6 // (4 * HOUR))
        env.controller.set_max_slippage(env.a_usdc, 999 * E18 // 1000, sender=env.admin)
        env.usdc.mint(env.proxy.address, 30_000_000 * E6)
        self.env = env
        self.keys = [self.deposit_key, self.withdraw_key]

    def deposit(self, amount: int) -> None:
        self.env.controller.deposit_aave(self.env.a_usdc, amount, sender=self.env.relayer)

    def test_not_relayer(self) -> None:
        env = self.env
        refused(
            env,
            self.keys,
            ErrorCode.MISSING_ROLE,
            lambda: env.controller.deposit_aave(env.a_usdc, E6, sender=make_addr("this")),
        )

    def test_zero_max_amount(self) -> None:
        env = self.env
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT,
            lambda: env.controller.deposit_aave(make_addr("aFake"), E6, sender=env.relayer),
        )

    def test_rate_limit_boundary(self) -> None:
        refused(
            self.env,
            self.keys,
            ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
            lambda: self.deposit(25_000_000 * E6 + 1),
        )
        self.deposit(25_000_000 * E6)
        assert self.env.rate_limits.get_current_rate_limit(self.deposit_key) == 0

    def test_max_slippage_not_set(self) -> None:
        env = self.env
        env.controller.set_max_slippage(env.a_usdc, 0, sender=env.admin)
        err = refused(env, self.keys, ErrorCode.MC_MAX_SLIPPAGE_NOT_SET, lambda: self.deposit(E6))
        assert err.context["reason"] == "MC/max-slippage-not-set"

    def test_slippage_too_high(self) -> None:
        """A max slippage above 1 asks for more aTokens than were supplied."""
        env = self.env
        env.controller.set_max_slippage(env.a_usdc, E18 + 10**12, sender=env.admin)
        err = refused(env, self.keys, ErrorCode.MC_SLIPPAGE_TOO_HIGH, lambda: self.deposit(E6))
        assert (err.context["received"], err.context["minimum"]) == (E6, E6 + 1)
        env.controller.set_max_slippage(env.a_usdc, E18, sender=env.admin)
        self.deposit(E6)

    def test_deposit_and_withdraw(self) -> None:
        env, c = self.env, self.env.controller
        a_token = env.aave.pool.a_token(env.usdc.address)
        self.deposit(1_000_000 * E6)
        assert a_token.balance_of(env.proxy.address) == 1_000_000 * E6
        assert env.usdc.balance_of(env.proxy.address) == 29_000_000 * E6
        assert env.usdc.allowance(env.proxy.address, env.aave.pool.address) == 0
        assert env.rate_limits.get_current_rate_limit(self.deposit_key) == 24_000_000 * E6
        # interest accrues to the proxy's aTokens
        env.borrow_usdc(500_000 * E6)
        env.clock.skip(30 * 86400)
        balance = a_token.balance_of(env.proxy.address)
        assert balance > 1_000_000 * E6
        deposit_now = env.rate_limits.get_current_rate_limit(self.deposit_key)
        withdrawn = c.withdraw_aave(env.a_usdc, 400_000 * E6, sender=env.relayer)
        assert withdrawn == 400_000 * E6
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == 9_600_000 * E6
        assert env.rate_limits.get_current_rate_limit(self.deposit_key) == min(
            deposit_now + 400_000 * E6, 25_000_000 * E6
        )

    def test_withdraw_everything(self) -> None:
        """Withdrawing uint256.max charges the limit what came out."""
        env, c = self.env, self.env.controller
        a_token = env.aave.pool.a_token(env.usdc.address)
        self.deposit(1_000_000 * E6)
        got = c.withdraw_aave(env.a_usdc, 2**256 - 1, sender=env.relayer)
        assert got == 1_000_000 * E6
        assert a_token.balance_of(env.proxy.address) == 0
        assert env.usdc.balance_of(env.proxy.address) == 30_000_000 * E6
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == 9_000_000 * E6
        assert env.rate_limits.get_current_rate_limit(self.deposit_key) == 25_000_000 * E6

    def test_withdraw_beyond_liquidity_moves_nothing(self) -> None:
        """The pool cannot pay out what is lent: the whole action reverts."""
        env, c = self.env, self.env.controller
        self.deposit(1_000_000 * E6)
        env.borrow_usdc(500_000 * E6)
        with pytest.raises(ProtocolError):
            c.withdraw_aave(env.a_usdc, 600_000 * E6, sender=env.relayer)
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == 10_000_000 * E6

    def test_withdraw_rate_limit_boundary(self) -> None:
        env, c = self.env, self.env.controller
        self.deposit(20_000_000 * E6)
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
            lambda: c.withdraw_aave(env.a_usdc, 10_000_000 * E6 + 1, sender=env.relayer),
        )
        c.withdraw_aave(env.a_usdc, 10_000_000 * E6, sender=env.relayer)
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == 0

    def test_withdraw_needs_deposit_key(self) -> None:
        """A withdrawal refills the deposit key, so a zero deposit key reverts it."""
        env, c = self.env, self.env.controller
        self.deposit(E6)
        env.set_limit(self.deposit_key, 0, 0)
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT,
            lambda: c.withdraw_aave(env.a_usdc, E6, sender=env.relayer),
        )


class TestCctp:
    def setup_method(self) -> None:
        env = Env()
        self.domain_key = make_domain_key(LIMIT_USDC_TO_DOMAIN, BASE)
        env.set_limit(LIMIT_USDC_TO_CCTP, 5_000_000 * E6, 0)
        env.set_limit(self.domain_key, 3_000_000 * E6, 0)
        env.usdc.mint(env.proxy.address, 10_000_000 * E6)
        self.recipient = proxy_address("base")
        self.env = env
        self.keys = [LIMIT_USDC_TO_CCTP, self.domain_key]
        self.base_usdc = env.network.chain("base").token("USDC")

    def transfer(self, amount: int, domain: int = BASE) -> None:
        self.env.controller.transfer_usdc_to_cctp(amount, domain, sender=self.env.relayer)

    def test_domain_not_configured(self) -> None:
        """Arbitrum's keys pass (unlimited), but it has no mint recipient."""
        env = self.env
        arbitrum_key = make_domain_key(LIMIT_USDC_TO_DOMAIN, ARBITRUM)
        env.rate_limits.set_unlimited_rate_limit_data(arbitrum_key, sender=env.admin)
        err = refused(
            env,
            [*self.keys, arbitrum_key],
            ErrorCode.MC_DOMAIN_NOT_CONFIGURED,
            lambda: self.transfer(E6, ARBITRUM),
        )
        assert err.context["reason"] == "MC/domain-not-configured"
        assert int(env.controller.mint_recipients(ARBITRUM), 16) == 0

    def test_zero_max_amount(self) -> None:
        env = self.env
        env.controller.set_mint_recipient(2, self.recipient, sender=env.admin)
        refused(env, self.keys, ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT, lambda: self.transfer(E6, 2))

    def test_rate_limit_boundaries(self) -> None:
        env = self.env
        env.controller.set_mint_recipient(BASE, self.recipient, sender=env.admin)
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
            lambda: self.transfer(3_000_000 * E6 + 1),
        )
        self.transfer(3_000_000 * E6)
        env.set_limit(self.domain_key, 10_000_000 * E6, 0)
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
            lambda: self.transfer(2_000_000 * E6 + 1),
        )
        self.transfer(2_000_000 * E6)
        assert env.rate_limits.get_current_rate_limit(LIMIT_USDC_TO_CCTP) == 0

    def test_split_by_burn_limit(self) -> None:
        env = self.env
        env.controller.set_mint_recipient(BASE, self.recipient, sender=env.admin)
        env.set_burn_limit(1_000_000 * E6)
        supply = env.usdc.total_supply
        network_supply = env.network.total_supply(["USDC"])
        self.transfer(2_500_000 * E6)
        messages = env.in_flight_from_ethereum()
        amounts = [m.amount for m in messages]
        assert amounts == [1_000_000 * E6, 1_000_000 * E6, 500_000 * E6]
        assert {(m.destination, m.recipient, m.token, m.handler) for m in messages} == {
            ("base", self.recipient, "USDC", env.cctp.name)
        }
        assert [m.nonce for m in messages] == [0, 1, 2]
        events = env.controller.events.named("CCTPTransferInitiated")
        assert [e.args for e in events] == [
            (0, BASE, self.recipient, 1_000_000 * E6),
            (1, BASE, self.recipient, 1_000_000 * E6),
            (2, BASE, self.recipient, 500_000 * E6),
        ]
        assert env.usdc.balance_of(env.proxy.address) == 7_500_000 * E6
        assert env.usdc.total_supply == supply - 2_500_000 * E6
        assert env.usdc.allowance(env.proxy.address, env.cctp.address) == 0
        assert env.rate_limits.get_current_rate_limit(LIMIT_USDC_TO_CCTP) == 2_500_000 * E6
        assert env.rate_limits.get_current_rate_limit(self.domain_key) == 500_000 * E6
        # nothing arrives before Circle's attestation; everything at it
        assert env.network.total_supply(["USDC"]) == network_supply
        env.network.advance(ATTESTATION_DELAY_S["ethereum"] - 1)
        assert self.base_usdc.balance_of(self.recipient) == 0
        env.network.advance(1)
        assert env.network.in_flight() == []
        assert self.base_usdc.balance_of(self.recipient) == 2_500_000 * E6
        assert env.network.total_supply(["USDC"]) == network_supply

    @pytest.mark.parametrize("amount", [1, 999_999_999_999, 1_000_000 * E6, 2_000_000 * E6 + 1])
    def test_split_exact_multiples(self, amount: int) -> None:
        env = self.env
        env.controller.set_mint_recipient(BASE, self.recipient, sender=env.admin)
        limit = env.burn_limit()
        self.transfer(amount)
        amounts = [m.amount for m in env.in_flight_from_ethereum()]
        assert sum(amounts) == amount
        assert all(a == limit for a in amounts[:-1])
        assert 0 < amounts[-1] <= limit
        assert len(amounts) == -(-amount // limit)

    def test_unlimited_keys_are_not_written(self) -> None:
        env = self.env
        env.controller.set_mint_recipient(BASE, self.recipient, sender=env.admin)
        env.rate_limits.set_unlimited_rate_limit_data(LIMIT_USDC_TO_CCTP, sender=env.admin)
        env.rate_limits.set_unlimited_rate_limit_data(self.domain_key, sender=env.admin)
        self.transfer(4_000_000 * E6)
        assert len(env.in_flight_from_ethereum()) == 4
        assert env.rate_limits.get_current_rate_limit(self.domain_key) == UNLIMITED
        assert env.rate_limits.get_rate_limit_data(self.domain_key).last_amount == UNLIMITED


class TestTransferAsset:
    def setup_method(self) -> None:
        env = Env()
        self.dest = make_addr("receiver")
        self.key = make_asset_destination_key(LIMIT_ASSET_TRANSFER, env.usdc.address, self.dest)
        env.set_limit(self.key, 1_000_000 * E6, 0)
        env.usdc.mint(env.proxy.address, 2_000_000 * E6)
        self.env = env

    def test_transfer_asset(self) -> None:
        env = self.env
        refused(
            env,
            [self.key],
            ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
            lambda: env.controller.transfer_asset(
                env.usdc.address, self.dest, 1_000_000 * E6 + 1, sender=env.relayer
            ),
        )
        env.controller.transfer_asset(
            env.usdc.address, self.dest, 1_000_000 * E6, sender=env.relayer
        )
        assert env.usdc.balance_of(self.dest) == 1_000_000 * E6
        assert env.usdc.balance_of(env.proxy.address) == 1_000_000 * E6
        assert env.rate_limits.get_current_rate_limit(self.key) == 0

    def test_zero_or_unlisted_destination(self) -> None:
        """The key of (asset, address(0)) is never set: RateLimits refuses first."""
        env = self.env
        for dest in (ZERO_ADDRESS, make_addr("stranger")):

            def send(to: Address = dest) -> None:
                env.controller.transfer_asset(env.usdc.address, to, 1, sender=env.relayer)

            refused(env, [self.key], ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT, send)

    def test_relayer_removed(self) -> None:
        env = self.env
        env.controller.remove_relayer(env.relayer, sender=env.freezer)
        refused(
            env,
            [self.key],
            ErrorCode.MISSING_ROLE,
            lambda: env.controller.transfer_asset(
                env.usdc.address, self.dest, 1, sender=env.relayer
            ),
        )
