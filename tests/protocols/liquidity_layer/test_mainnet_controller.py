"""MainnetController: ERC-4626, admin and roles.

Ported from sparkdotfi/spark-alm-controller `test/mainnet-fork/4626Calls.t.sol` (the
version whose `depositERC4626` takes `minSharesOut`; the same amounts, keys and revert
reasons; fork-state constants such as SUSDS_CONVERTED_SHARES are read from our sUSDS, as
the Solidity reads them from the fork) and `test/unit/controllers/Admin.t.sol`. Every venue is
the real model on a `Network` (`test_controller_helpers.Env`): as in the fork tests, the proxy
gets its USDS with `mintUSDS` from the real allocator vault (the mint key is unlimited here,
where upstream warps past its 5M limit), and every refused call is checked to move nothing on
any chain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.liquidity_layer.controller_base import (
    LIMIT_4626_DEPOSIT,
    LIMIT_4626_WITHDRAW,
    get_exchange_rate,
)
from sparkprime.protocols.liquidity_layer.mainnet_controller import LIMIT_USDS_MINT
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import make_asset_key
from sparkprime.protocols.liquidity_layer.sll_network import proxy_address
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from tests.protocols.liquidity_layer.test_controller_helpers import (
    E18,
    HOUR,
    Env,
    fingerprint,
)


def refused(env: Env, keys: Sequence[str], code: ErrorCode, fn: Callable[[], Any]) -> ProtocolError:
    """Run `fn`, expect `code`, and check that nothing moved."""
    before = fingerprint(env, keys)
    with pytest.raises(ProtocolError) as info:
        fn()
    assert info.value.code is code, info.value
    assert fingerprint(env, keys) == before
    return info.value


class SUsdsBase:
    """SUSDSTestBase: deposit/withdraw keys 5M with 1M / 4h slope, max exchange rate
    convertToShares(1e18) : 1.2e18; sUSDS has grown for a year with a supply in it."""

    def setup_method(self) -> None:
        env = Env()
        saver = make_addr("saver")
        env.usds.mint(saver, 1_000_000 * E18)
        env.usds.approve(env.susds.address, 2**256 - 1, sender=saver)
        env.susds.deposit(1_000_000 * E18, saver, sender=saver)
        env.clock.skip(365 * 86400)
        self.deposit_key = make_asset_key(LIMIT_4626_DEPOSIT, env.susds.address)
        self.withdraw_key = make_asset_key(LIMIT_4626_WITHDRAW, env.susds.address)
        env.set_limit(self.deposit_key, 5_000_000 * E18, 1_000_000 * E18 // (4 * HOUR))
        env.set_limit(self.withdraw_key, 5_000_000 * E18, 1_000_000 * E18 // (4 * HOUR))
        env.rate_limits.set_unlimited_rate_limit_data(LIMIT_USDS_MINT, sender=env.admin)
        env.controller.set_max_exchange_rate(
            env.susds.address, env.susds.convert_to_shares(E18), 12 * E18 // 10, sender=env.admin
        )
        self.env = env
        self.keys = [self.deposit_key, self.withdraw_key]
        self.converted_shares = env.susds.convert_to_shares(E18)
        assert self.converted_shares < E18  # chi grew: a share is worth more than 1 USDS

    def deal(self, amount: int) -> None:
        """`mintUSDS`: the allocator vault draws `amount` into the buffer, the proxy pulls it."""
        env = self.env
        before = env.usds.balance_of(env.proxy.address)
        env.controller.mint_usds(amount, sender=env.relayer)
        assert env.usds.balance_of(env.proxy.address) == before + amount

    def deposit(self, amount: int, min_shares_out: int = 0) -> int:
        env = self.env
        return env.controller.deposit_erc4626(
            env.susds.address, amount, min_shares_out, sender=env.relayer
        )


class TestDepositErc4626Failures(SUsdsBase):
    def test_not_relayer(self) -> None:
        env = self.env
        self.deal(E18)
        err = refused(
            env,
            self.keys,
            ErrorCode.MISSING_ROLE,
            lambda: env.controller.deposit_erc4626(
                env.susds.address, E18, 0, sender=make_addr("this")
            ),
        )
        assert err.context["role"] == "RELAYER"

    def test_zero_max_amount(self) -> None:
        env = self.env
        self.deal(E18)
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT,
            lambda: env.controller.deposit_erc4626(
                make_addr("fake-token"), E18, 0, sender=env.relayer
            ),
        )

    def test_rate_limit_boundary(self) -> None:
        env = self.env
        self.deal(5_000_000 * E18 + 1)
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
            lambda: self.deposit(5_000_000 * E18 + 1),
        )
        self.deposit(5_000_000 * E18)
        assert env.rate_limits.get_current_rate_limit(self.deposit_key) == 0

    def test_exchange_rate_boundary(self) -> None:
        env = self.env
        self.deal(5_000_000 * E18)
        shares = env.susds.convert_to_shares(5_000_000 * E18)
        env.controller.set_max_exchange_rate(
            env.susds.address, shares, 5_000_000 * E18 - 1, sender=env.admin
        )
        refused(
            env,
            self.keys,
            ErrorCode.MC_EXCHANGE_RATE_TOO_HIGH,
            lambda: self.deposit(5_000_000 * E18),
        )
        env.controller.set_max_exchange_rate(
            env.susds.address, shares, 5_000_000 * E18, sender=env.admin
        )
        assert self.deposit(5_000_000 * E18) == shares

    def test_zero_exchange_rate(self) -> None:
        env = self.env
        self.deal(5_000_000 * E18)
        env.controller.set_max_exchange_rate(env.susds.address, 0, 0, sender=env.admin)
        assert env.controller.max_exchange_rates(env.susds.address) == 0
        refused(
            env,
            self.keys,
            ErrorCode.MC_EXCHANGE_RATE_TOO_HIGH,
            lambda: self.deposit(5_000_000 * E18),
        )

    def test_min_shares_out_not_met(self) -> None:
        self.deal(E18)
        refused(
            self.env, self.keys, ErrorCode.MC_MIN_SHARES_OUT_NOT_MET, lambda: self.deposit(E18, E18)
        )

    def test_min_shares_out_not_met_boundary(self) -> None:
        env = self.env
        over = env.susds.convert_to_shares(5_000_000 * E18 + 1)
        at = env.susds.convert_to_shares(5_000_000 * E18)
        self.deal(5_000_000 * E18)
        if over > at:  # the +1 wei reaches the next share only at some chi
            refused(
                env,
                self.keys,
                ErrorCode.MC_MIN_SHARES_OUT_NOT_MET,
                lambda: self.deposit(5_000_000 * E18, over),
            )
        refused(
            env,
            self.keys,
            ErrorCode.MC_MIN_SHARES_OUT_NOT_MET,
            lambda: self.deposit(5_000_000 * E18, at + 1),
        )
        assert self.deposit(5_000_000 * E18, at) == at


class TestDepositErc4626(SUsdsBase):
    def test_deposit_erc4626(self) -> None:
        env = self.env
        self.deal(E18)
        supply, assets = env.susds.total_supply, env.susds.total_assets()
        susds_usds = env.usds.balance_of(env.susds.address)
        drip = env.susds.convert_to_assets(supply) - supply * env.susds.chi // 10**27
        shares = self.deposit(E18, self.converted_shares)
        assert shares == self.converted_shares
        assert env.usds.balance_of(env.proxy.address) == 0
        assert env.usds.balance_of(env.controller.address) == 0
        assert env.usds.balance_of(env.susds.address) == susds_usds + drip + E18
        assert env.usds.allowance(env.proxy.address, env.susds.address) == 0
        assert env.usds.allowance(env.eth.buffer.address, env.eth.vault.address) == 2**256 - 1
        assert env.susds.total_supply == supply + shares
        assert env.susds.total_assets() in (assets + E18, assets + E18 - 1)
        assert env.susds.balance_of(env.proxy.address) == self.converted_shares
        assert env.rate_limits.get_current_rate_limit(self.deposit_key) == 4_999_999 * E18
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == 5_000_000 * E18


class TestWithdrawErc4626(SUsdsBase):
    def test_not_relayer(self) -> None:
        env = self.env
        refused(
            env,
            self.keys,
            ErrorCode.MISSING_ROLE,
            lambda: env.controller.withdraw_erc4626(
                env.susds.address, E18, E18, sender=make_addr("this")
            ),
        )

    def test_zero_max_amount(self) -> None:
        env = self.env
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT,
            lambda: env.controller.withdraw_erc4626(
                make_addr("fake-token"), E18, E18, sender=env.relayer
            ),
        )

    def test_rate_limit_boundary(self) -> None:
        env = self.env
        env.set_limit(self.deposit_key, 10_000_000 * E18, 1_000_000 * E18 // (4 * HOUR))
        self.deal(10_000_000 * E18)
        self.deposit(10_000_000 * E18)
        c = env.controller
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
            lambda: c.withdraw_erc4626(
                env.susds.address, 5_000_000 * E18 + 1, 5_000_000 * E18 + 1, sender=env.relayer
            ),
        )
        c.withdraw_erc4626(env.susds.address, 5_000_000 * E18, 5_000_000 * E18, sender=env.relayer)
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == 0

    def test_max_shares_in_not_met(self) -> None:
        env = self.env
        self.deal(2 * E18)
        self.deposit(2 * E18)
        refused(
            env,
            self.keys,
            ErrorCode.MC_MAX_SHARES_IN_NOT_MET,
            lambda: env.controller.withdraw_erc4626(env.susds.address, E18, 0, sender=env.relayer),
        )

    def test_max_shares_in_not_met_boundary(self) -> None:
        env = self.env
        self.deal(2_000_000 * E18)
        self.deposit(2_000_000 * E18)
        at = env.susds.preview_withdraw(1_000_000 * E18)  # shares burned, rounded up
        refused(
            env,
            self.keys,
            ErrorCode.MC_MAX_SHARES_IN_NOT_MET,
            lambda: env.controller.withdraw_erc4626(
                env.susds.address, 1_000_000 * E18, at - 1, sender=env.relayer
            ),
        )
        shares = env.controller.withdraw_erc4626(
            env.susds.address, 1_000_000 * E18, at, sender=env.relayer
        )
        assert shares == at

    def test_withdraw_erc4626(self) -> None:
        env = self.env
        self.deal(E18)
        self.deposit(E18, self.converted_shares)
        assert env.rate_limits.get_current_rate_limit(self.deposit_key) == 4_999_999 * E18
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == 5_000_000 * E18
        # Max available with rounding (upstream's fork gives 1e18 - 1; here it is what
        # maxWithdraw says for this chi)
        amount = env.susds.max_withdraw(env.proxy.address)
        assert E18 - 2 <= amount < E18
        burned = env.susds.preview_withdraw(amount)
        assert burned <= self.converted_shares
        refused(
            env,
            self.keys,
            ErrorCode.SAVINGS_INSUFFICIENT_BALANCE,
            lambda: env.controller.withdraw_erc4626(
                env.susds.address, amount + 1, self.converted_shares + 1, sender=env.relayer
            ),
        )
        shares = env.controller.withdraw_erc4626(
            env.susds.address, amount, self.converted_shares, sender=env.relayer
        )
        assert shares == burned
        assert env.rate_limits.get_current_rate_limit(self.deposit_key) == 4_999_999 * E18 + amount
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == 5_000_000 * E18 - amount
        assert env.usds.balance_of(env.proxy.address) == amount
        assert env.usds.allowance(env.proxy.address, env.susds.address) == 0
        assert env.susds.balance_of(env.proxy.address) == self.converted_shares - shares


class TestRedeemErc4626(SUsdsBase):
    def test_not_relayer(self) -> None:
        env = self.env
        refused(
            env,
            self.keys,
            ErrorCode.MISSING_ROLE,
            lambda: env.controller.redeem_erc4626(
                env.susds.address, E18, E18, sender=make_addr("this")
            ),
        )

    def test_zero_max_amount(self) -> None:
        """The withdraw key is set to zero: the redeem reverts at its end, after the vault
        paid out, and everything is rolled back."""
        env = self.env
        env.set_limit(self.withdraw_key, 0, 0)
        self.deal(100 * E18)
        self.deposit(100 * E18)
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT,
            lambda: env.controller.redeem_erc4626(
                env.susds.address, E18, E18 // 2, sender=env.relayer
            ),
        )

    def test_rate_limit_boundary(self) -> None:
        env = self.env
        env.set_limit(self.deposit_key, 10_000_000 * E18, 1_000_000 * E18 // (4 * HOUR))
        self.deal(10_000_000 * E18)
        self.deposit(10_000_000 * E18)
        over = env.susds.convert_to_shares(5_000_000 * E18 + 2)
        at = env.susds.convert_to_shares(5_000_000 * E18 + 1)  # still rounds down
        assert env.susds.preview_redeem(over) > 5_000_000 * E18
        assert env.susds.preview_redeem(at) <= 5_000_000 * E18
        c = env.controller
        refused(
            env,
            self.keys,
            ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
            lambda: c.redeem_erc4626(env.susds.address, over, E18, sender=env.relayer),
        )
        assets = c.redeem_erc4626(env.susds.address, at, E18, sender=env.relayer)
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == (
            5_000_000 * E18 - assets
        )

    def test_min_assets_out_not_met(self) -> None:
        env = self.env
        self.deal(2 * E18)
        self.deposit(2 * E18)
        refused(
            env,
            self.keys,
            ErrorCode.MC_MIN_ASSETS_OUT_NOT_MET,
            lambda: env.controller.redeem_erc4626(
                env.susds.address, E18, 2 * E18, sender=env.relayer
            ),
        )

    def test_min_assets_out_not_met_boundary(self) -> None:
        env = self.env
        self.deal(2_000_000 * E18)
        self.deposit(2_000_000 * E18)
        shares = env.susds.convert_to_shares(2_000_000 * E18)
        at = env.susds.convert_to_assets(shares)
        refused(
            env,
            self.keys,
            ErrorCode.MC_MIN_ASSETS_OUT_NOT_MET,
            lambda: env.controller.redeem_erc4626(
                env.susds.address, shares, at + 1, sender=env.relayer
            ),
        )
        assert (
            env.controller.redeem_erc4626(env.susds.address, shares, at, sender=env.relayer) == at
        )

    def test_redeem_erc4626(self) -> None:
        env = self.env
        self.deal(E18)
        self.deposit(E18, self.converted_shares)
        assets = env.susds.preview_redeem(self.converted_shares)
        assert assets <= E18  # never more than was put in
        got = env.controller.redeem_erc4626(
            env.susds.address, self.converted_shares, assets, sender=env.relayer
        )
        assert got == assets
        assert env.rate_limits.get_current_rate_limit(self.deposit_key) == (
            4_999_999 * E18 + assets
        )
        assert env.rate_limits.get_current_rate_limit(self.withdraw_key) == 5_000_000 * E18 - assets
        assert env.usds.balance_of(env.proxy.address) == assets
        assert env.susds.balance_of(env.proxy.address) == 0

    def test_limits_refill_over_time(self) -> None:
        """Slope 1M / 4h: two hours after spending 5M the deposit limit is back to 2.5M."""
        env = self.env
        self.deal(5_000_000 * E18)
        self.deposit(5_000_000 * E18)
        env.clock.skip(2 * HOUR)
        slope = 1_000_000 * E18 // (4 * HOUR)
        assert env.rate_limits.get_current_rate_limit(self.deposit_key) == slope * 2 * HOUR


class TestAdmin:
    """test/unit/controllers/Admin.t.sol (MainnetController)."""

    def setup_method(self) -> None:
        self.env = Env()

    def test_set_mint_recipient(self) -> None:
        env, c = self.env, self.env.controller
        r1, r2 = make_addr("mintRecipient1"), make_addr("mintRecipient2")
        for who in (make_addr("this"), env.freezer):
            with pytest.raises(ProtocolError) as info:
                c.set_mint_recipient(1, r1, sender=who)
            assert info.value.code is ErrorCode.MISSING_ROLE
            assert info.value.context["role"] == "DEFAULT_ADMIN_ROLE"
        assert int(c.mint_recipients(1), 16) == 0
        # the deployment (Ethereum + Base) set Base's recipient: the Base ALMProxy
        init = [(6, proxy_address("base"))]
        assert [e.args for e in c.events.named("MintRecipientSet")] == init
        c.set_mint_recipient(1, r1, sender=env.admin)
        c.set_mint_recipient(2, r2, sender=env.admin)
        c.set_mint_recipient(1, r2, sender=env.admin)
        assert (c.mint_recipients(1), c.mint_recipients(2)) == (r2, r2)
        assert [e.args for e in c.events.named("MintRecipientSet")] == [
            *init,
            (1, r1),
            (2, r2),
            (1, r2),
        ]

    def test_set_max_slippage(self) -> None:
        env, c = self.env, self.env.controller
        pool = make_addr("pool")
        with pytest.raises(ProtocolError) as info:
            c.set_max_slippage(pool, 98 * E18 // 100, sender=env.freezer)
        assert info.value.code is ErrorCode.MISSING_ROLE
        with pytest.raises(ProtocolError) as info:
            c.set_max_slippage(ZERO_ADDRESS, 98 * E18 // 100, sender=env.admin)
        assert info.value.code is ErrorCode.MC_POOL_ZERO_ADDRESS
        assert info.value.context["reason"] == "MC/pool-zero-address"
        assert c.max_slippages(pool) == 0
        c.set_max_slippage(pool, 98 * E18 // 100, sender=env.admin)
        assert c.max_slippages(pool) == 98 * E18 // 100
        c.set_max_slippage(pool, 99 * E18 // 100, sender=env.admin)
        assert c.max_slippages(pool) == 99 * E18 // 100
        assert [e.args for e in c.events.named("MaxSlippageSet")] == [
            (pool, 98 * E18 // 100),
            (pool, 99 * E18 // 100),
        ]

    def test_set_max_exchange_rate(self) -> None:
        env, c = self.env, self.env.controller
        token = make_addr("token")
        with pytest.raises(ProtocolError) as info:
            c.set_max_exchange_rate(token, E18, E18, sender=make_addr("this"))
        assert info.value.code is ErrorCode.MISSING_ROLE
        with pytest.raises(ProtocolError) as info:
            c.set_max_exchange_rate(ZERO_ADDRESS, E18, E18, sender=env.admin)
        assert info.value.context["reason"] == "MC/token-zero-address"
        assert c.max_exchange_rates(token) == 0
        c.set_max_exchange_rate(token, E18, E18, sender=env.admin)
        assert c.max_exchange_rates(token) == 10**36
        c.set_max_exchange_rate(token, E18, 10**6, sender=env.admin)
        assert c.max_exchange_rates(token) == 10**24
        c.set_max_exchange_rate(token, 10**6, E18, sender=env.admin)
        assert c.max_exchange_rates(token) == 10**48
        assert [e.args[1] for e in c.events.named("MaxExchangeRateSet")] == [
            10**36,
            10**24,
            10**48,
        ]

    def test_get_exchange_rate(self) -> None:
        assert get_exchange_rate(0, 0) == 0
        assert get_exchange_rate(5, 0) == 0
        with pytest.raises(ProtocolError) as info:
            get_exchange_rate(0, 1)
        assert info.value.code is ErrorCode.MC_ZERO_SHARES
        assert info.value.context["reason"] == "MC/zero-shares"


class TestRoles:
    def setup_method(self) -> None:
        env = Env()
        self.key = make_asset_key(LIMIT_4626_DEPOSIT, env.susds.address)
        env.set_limit(self.key, 5_000_000 * E18, 0)
        env.controller.set_max_exchange_rate(env.susds.address, 1, 2, sender=env.admin)
        env.usds.mint(env.proxy.address, 10 * E18)
        self.env = env

    def test_remove_relayer(self) -> None:
        env, c = self.env, self.env.controller
        with pytest.raises(ProtocolError) as info:
            c.remove_relayer(env.relayer, sender=env.relayer)
        assert info.value.context["role"] == "FREEZER"
        c.deposit_erc4626(env.susds.address, E18, 0, sender=env.relayer)
        c.remove_relayer(env.relayer, sender=env.freezer)
        assert not c.has_role("RELAYER", env.relayer)
        assert c.events.named("RelayerRemoved")[-1].args == (env.relayer,)
        refused(
            env,
            [self.key],
            ErrorCode.MISSING_ROLE,
            lambda: c.deposit_erc4626(env.susds.address, E18, 0, sender=env.relayer),
        )

    def test_controller_without_proxy_role_moves_nothing(self) -> None:
        """The proxy refuses a controller that lost CONTROLLER: the rate-limit spend made
        before the proxy call is rolled back too."""
        env, c = self.env, self.env.controller
        env.proxy.revoke_role("CONTROLLER", c.address, sender=env.admin)
        err = refused(
            env,
            [self.key],
            ErrorCode.MISSING_ROLE,
            lambda: c.deposit_erc4626(env.susds.address, E18, 0, sender=env.relayer),
        )
        assert err.context["role"] == "CONTROLLER"
