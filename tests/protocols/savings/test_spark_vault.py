"""SparkVault (Spark Savings v2): sparkdotfi/spark-vaults-v2 `test/spark-vault/Admin.t.sol` and
`ValueAccrual.t.sol` (246e63e1) ported with their numbers and revert strings, plus bad inputs
that must change nothing and Hypothesis properties (rounding never favours the user)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.rpow import rpow
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.savings.erc4626 import ZERO_ADDRESS
from sparkprime.protocols.savings.spark_vault import (
    DEFAULT_ADMIN_ROLE,
    MAX_VSR,
    SETTER_ROLE,
    TAKER_ROLE,
    SparkVault,
)
from sparkprime.protocols.sparklend.addresses import make_addr

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
ONE_PCT_VSR = 1000000000315522921573372069
FOUR_PCT_VSR = 1000000001243680656318820312
MAX = 2**256 - 1
E6 = 10**6
DAY = 86_400
T0 = 1_700_000_000
ADMIN, SETTER, TAKER = make_addr("admin"), make_addr("setter"), make_addr("taker")
USER1, USER2, OTHER = make_addr("user1"), make_addr("user2"), make_addr("other")


def _vault() -> tuple[Clock, Erc20, SparkVault]:
    """TestBase.t.sol: setter and taker roles, a deposit cap of 1M."""
    reg = TokenRegistry()
    asset = reg.register(Erc20(make_addr("asset"), "USDC", 6))
    clock = Clock(T0)
    vault = SparkVault(asset, clock, atomic=reg.atomic, admin=ADMIN)
    vault.grant_role(SETTER_ROLE, SETTER, sender=ADMIN)
    vault.grant_role(TAKER_ROLE, TAKER, sender=ADMIN)
    vault.set_deposit_cap(1_000_000 * E6, sender=ADMIN)
    for who in (USER1, USER2):
        asset.approve(vault.address, MAX, sender=who)
    return clock, asset, vault


def _state(asset: Erc20, vault: SparkVault) -> tuple[Any, ...]:
    return (
        asset.balances(),
        vault.total_supply,
        vault.chi,
        vault.rho,
        vault.vsr,
        vault.deposit_cap,
        {a: vault.balance_of(a) for a in (USER1, USER2, TAKER, OTHER)},
        len(vault.events),
    )


def _raises(code: ErrorCode, reason: str | None = None) -> Any:
    class _Check:
        def __enter__(self) -> None:
            self._ctx = pytest.raises(ProtocolError)
            self._info = self._ctx.__enter__()

        def __exit__(self, *exc: Any) -> bool:
            handled = self._ctx.__exit__(*exc)
            assert self._info.value.code is code
            if reason is not None:
                assert self._info.value.context["reason"] == reason
            return bool(handled)

    return _Check()


# --- Admin.t.sol ---


def test_set_vsr_bounds_failures() -> None:
    _, _, vault = _vault()
    with _raises(ErrorCode.MISSING_ROLE):
        vault.set_vsr_bounds(RAY, FOUR_PCT_VSR, sender=OTHER)
    with _raises(ErrorCode.SPARK_VAULT_VSR_TOO_LOW, "SparkVault/vsr-too-low"):
        vault.set_vsr_bounds(RAY - 1, FOUR_PCT_VSR, sender=ADMIN)
    vault.set_vsr_bounds(RAY, FOUR_PCT_VSR, sender=ADMIN)
    with _raises(ErrorCode.SPARK_VAULT_VSR_TOO_HIGH, "SparkVault/vsr-too-high"):
        vault.set_vsr_bounds(RAY, MAX_VSR + 1, sender=ADMIN)
    vault.set_vsr_bounds(RAY, MAX_VSR, sender=ADMIN)
    with _raises(ErrorCode.SPARK_VAULT_MIN_VSR_GT_MAX_VSR, "SparkVault/min-vsr-gt-max-vsr"):
        vault.set_vsr_bounds(FOUR_PCT_VSR + 1, FOUR_PCT_VSR, sender=ADMIN)
    vault.set_vsr_bounds(FOUR_PCT_VSR, FOUR_PCT_VSR, sender=ADMIN)
    assert (vault.min_vsr, vault.max_vsr) == (FOUR_PCT_VSR, FOUR_PCT_VSR)


def test_set_vsr_bounds() -> None:
    _, _, vault = _vault()
    assert (vault.min_vsr, vault.max_vsr) == (RAY, RAY)
    vault.set_vsr_bounds(ONE_PCT_VSR, FOUR_PCT_VSR, sender=ADMIN)
    assert (vault.min_vsr, vault.max_vsr) == (ONE_PCT_VSR, FOUR_PCT_VSR)
    assert vault.events.last()[0].args == (RAY, RAY, ONE_PCT_VSR, FOUR_PCT_VSR)


def test_grant_and_revoke_roles() -> None:
    _, _, vault = _vault()
    who = make_addr("0x1234")
    for role in (DEFAULT_ADMIN_ROLE, SETTER_ROLE, TAKER_ROLE):
        with _raises(ErrorCode.MISSING_ROLE):
            vault.grant_role(role, who, sender=OTHER)
        assert not vault.has_role(role, who)
        vault.grant_role(role, who, sender=ADMIN)
        assert vault.has_role(role, who)
        assert vault.roles.get_role_admin(role) == DEFAULT_ADMIN_ROLE
    for role in (DEFAULT_ADMIN_ROLE, SETTER_ROLE, TAKER_ROLE):
        with _raises(ErrorCode.MISSING_ROLE):
            vault.revoke_role(role, who, sender=OTHER)
        vault.revoke_role(role, who, sender=ADMIN)
        assert not vault.has_role(role, who)
    assert vault.has_role(DEFAULT_ADMIN_ROLE, ADMIN)


def test_set_deposit_cap() -> None:
    _, asset, vault = _vault()
    with _raises(ErrorCode.MISSING_ROLE):
        vault.set_deposit_cap(2_000_000 * E6, sender=OTHER)
    assert vault.deposit_cap == 1_000_000 * E6
    vault.set_deposit_cap(2_000_000 * E6, sender=ADMIN)
    assert vault.events.last()[0].args == (1_000_000 * E6, 2_000_000 * E6)
    vault.set_deposit_cap(MAX, sender=ADMIN)
    assert vault.deposit_cap == MAX
    vault.set_deposit_cap(0, sender=ADMIN)
    assert vault.deposit_cap == 0
    asset.mint(OTHER, 1)
    asset.approve(vault.address, 1, sender=OTHER)
    before = _state(asset, vault)
    with _raises(ErrorCode.SPARK_VAULT_DEPOSIT_CAP_EXCEEDED, "SparkVault/deposit-cap-exceeded"):
        vault.deposit(1, OTHER, sender=OTHER)
    assert _state(asset, vault) == before


def test_deposit_cap_boundary_and_max_views() -> None:
    _, asset, vault = _vault()
    asset.mint(USER1, 2_000_000 * E6)
    assert vault.max_deposit(USER1) == 1_000_000 * E6
    assert vault.max_mint(USER1) == 1_000_000 * E6
    with _raises(ErrorCode.SPARK_VAULT_DEPOSIT_CAP_EXCEEDED):
        vault.deposit(1_000_000 * E6 + 1, USER1, sender=USER1)
    with _raises(ErrorCode.SPARK_VAULT_DEPOSIT_CAP_EXCEEDED):
        vault.mint(1_000_000 * E6 + 1, USER1, sender=USER1)
    assert vault.deposit(1_000_000 * E6, USER1, sender=USER1) == 1_000_000 * E6
    assert vault.max_deposit(USER1) == vault.max_mint(USER1) == 0
    vault.set_deposit_cap(MAX // RAY + 1, sender=ADMIN)
    assert vault.max_mint(USER1) == MAX  # "infinite" above uint256.max / RAY


def test_set_vsr_failures() -> None:
    _, _, vault = _vault()
    with _raises(ErrorCode.MISSING_ROLE):
        vault.set_vsr(ONE_PCT_VSR, sender=OTHER)
    with _raises(ErrorCode.SPARK_VAULT_VSR_TOO_LOW, "SparkVault/vsr-too-low"):
        vault.set_vsr(RAY - 1, sender=SETTER)
    with _raises(ErrorCode.SPARK_VAULT_VSR_TOO_HIGH, "SparkVault/vsr-too-high"):
        vault.set_vsr(RAY + 1, sender=SETTER)  # no room until the admin sets bounds
    vault.set_vsr(RAY, sender=SETTER)
    vault.set_vsr_bounds(ONE_PCT_VSR, FOUR_PCT_VSR, sender=ADMIN)
    with _raises(ErrorCode.SPARK_VAULT_VSR_TOO_LOW):
        vault.set_vsr(ONE_PCT_VSR - 1, sender=SETTER)
    vault.set_vsr(ONE_PCT_VSR, sender=SETTER)
    with _raises(ErrorCode.SPARK_VAULT_VSR_TOO_HIGH):
        vault.set_vsr(FOUR_PCT_VSR + 1, sender=SETTER)
    vault.set_vsr(FOUR_PCT_VSR, sender=SETTER)
    assert vault.vsr == FOUR_PCT_VSR


def test_set_vsr_drips_first() -> None:
    clock, _, vault = _vault()
    vault.set_vsr_bounds(RAY, FOUR_PCT_VSR, sender=ADMIN)
    clock.skip(10 * DAY)
    assert (vault.chi, vault.rho, vault.vsr) == (RAY, T0, RAY)
    vault.set_vsr(FOUR_PCT_VSR, sender=SETTER)
    assert (vault.chi, vault.rho, vault.vsr) == (RAY, clock.now, FOUR_PCT_VSR)
    assert vault.now_chi() == RAY
    clock.skip(10 * DAY)
    assert vault.now_chi() == rpow(FOUR_PCT_VSR, 10 * DAY, RAY) > RAY


def test_take() -> None:
    _, asset, vault = _vault()
    with _raises(ErrorCode.MISSING_ROLE):
        vault.take(1_000_000 * E6, sender=OTHER)
    asset.mint(vault.address, 1_000_000 * E6)
    before = _state(asset, vault)
    with _raises(ErrorCode.SPARK_VAULT_INSUFFICIENT_LIQUIDITY, "SparkVault/insufficient-liquidity"):
        vault.take(1_000_000 * E6 + 1, sender=TAKER)
    assert _state(asset, vault) == before
    vault.take(1_000_000 * E6, sender=TAKER)
    assert asset.balance_of(vault.address) == 0
    assert asset.balance_of(TAKER) == 1_000_000 * E6


# --- ValueAccrual.t.sol: test_e2e_valueAccrual ---


def test_e2e_value_accrual() -> None:
    clock, asset, vault = _vault()
    vault.set_vsr_bounds(ONE_PCT_VSR, FOUR_PCT_VSR, sender=ADMIN)
    vault.set_deposit_cap(2_100_000 * E6, sender=ADMIN)
    asset.mint(USER1, 1_000_000 * E6)
    asset.mint(USER2, 1_000_000 * E6)

    vault.deposit(1_000_000 * E6, USER1, sender=USER1)
    assert vault.total_assets() == vault.total_supply == vault.assets_of(USER1) == 1_000_000 * E6
    vault.take(1_000_000 * E6, sender=TAKER)
    assert (asset.balance_of(TAKER), asset.balance_of(vault.address)) == (1_000_000 * E6, 0)
    vault.set_vsr(FOUR_PCT_VSR, sender=SETTER)
    clock.skip(365 * DAY)
    assert vault.total_assets() == vault.assets_of(USER1) == 1_040_000 * E6 - 1

    vault.deposit(1_000_000 * E6, USER2, sender=USER2)
    user2_shares = 1_000_000 * E6 * 1_000_000 * E6 // (1_040_000 * E6 - 1) - 1
    assert user2_shares == 961_538_461538
    assert vault.balance_of(USER2) == user2_shares
    assert vault.total_assets() == 2_040_000 * E6 - 1
    assert vault.total_supply == 1_000_000 * E6 + user2_shares
    assert vault.assets_of(USER2) == 1_000_000 * E6 - 1

    vault.take(1_000_000 * E6, sender=TAKER)
    vault.set_vsr(ONE_PCT_VSR, sender=SETTER)
    clock.skip(365 * DAY)
    assert vault.total_assets() == 2_060_400 * E6 - 1
    assert vault.assets_of(USER1) == 1_050_400 * E6 - 1
    assert vault.assets_of(USER2) == 1_010_000 * E6 - 1

    asset.set_balance(TAKER, 1_200_000 * E6)
    asset.transfer(vault.address, 1_200_000 * E6, sender=TAKER)
    vault.redeem(vault.balance_of(USER1), USER1, USER1, sender=USER1)
    assert asset.balance_of(USER1) == 1_050_400 * E6 - 1
    assert asset.balance_of(vault.address) == 1_200_000 * E6 - (1_050_400 * E6 - 1)

    max_withdraw = vault.max_withdraw(USER2)
    assert max_withdraw == asset.balance_of(vault.address) == 149_600 * E6 + 1
    assert vault.assets_of(USER2) == 1_010_000 * E6 - 1
    with _raises(ErrorCode.SPARK_VAULT_INSUFFICIENT_LIQUIDITY, "SparkVault/insufficient-liquidity"):
        vault.withdraw(max_withdraw + 1, USER2, USER2, sender=USER2)
    vault.withdraw(max_withdraw, USER2, USER2, sender=USER2)

    outstanding = vault.total_assets() - asset.balance_of(vault.address)
    assert outstanding == 1_010_000 * E6 - asset.balance_of(USER2) - 2
    assert outstanding == vault.assets_of(USER2) == vault.assets_outstanding()
    asset.set_balance(TAKER, outstanding)
    asset.transfer(vault.address, outstanding, sender=TAKER)
    vault.redeem(vault.balance_of(USER2), USER2, USER2, sender=USER2)
    assert vault.total_supply == vault.total_assets() == 0
    assert asset.balance_of(USER1) == 1_050_400 * E6 - 1
    assert abs(asset.balance_of(USER2) - (1_010_000 * E6 - 2)) <= 2  # upstream's tolerance


# --- the contract's other guards ---


def test_bad_receivers_and_takers_change_nothing() -> None:
    _, asset, vault = _vault()
    asset.mint(USER1, 1_000 * E6)
    asset.mint(TAKER, 1_000 * E6)
    asset.approve(vault.address, MAX, sender=TAKER)
    before = _state(asset, vault)
    for to in (ZERO_ADDRESS, vault.address):
        with _raises(ErrorCode.SAVINGS_INVALID_ADDRESS, "SparkVault/invalid-address"):
            vault.deposit(1 * E6, to, sender=USER1)
        with _raises(ErrorCode.SAVINGS_INVALID_ADDRESS):
            vault.mint(1 * E6, to, sender=USER1)
    for sender, to in ((TAKER, USER1), (USER1, TAKER)):
        with _raises(ErrorCode.SPARK_VAULT_TAKER_CANNOT_DEPOSIT, "SparkVault/taker-cannot-deposit"):
            vault.deposit(1 * E6, to, sender=sender)
    assert _state(asset, vault) == before


def test_redeem_guards_change_nothing() -> None:
    _, asset, vault = _vault()
    asset.mint(USER1, 1_000 * E6)
    vault.deposit(1_000 * E6, USER1, sender=USER1)
    vault.take(600 * E6, sender=TAKER)
    before = _state(asset, vault)
    with _raises(ErrorCode.SAVINGS_INSUFFICIENT_BALANCE, "SparkVault/insufficient-balance"):
        vault.redeem(1_000 * E6 + 1, USER1, USER1, sender=USER1)
    with _raises(ErrorCode.SAVINGS_INSUFFICIENT_ALLOWANCE, "SparkVault/insufficient-allowance"):
        vault.redeem(1, USER2, USER1, sender=USER2)
    with _raises(ErrorCode.SPARK_VAULT_INSUFFICIENT_LIQUIDITY):
        vault.redeem(400 * E6 + 1, USER1, USER1, sender=USER1)
    with _raises(ErrorCode.SPARK_VAULT_INSUFFICIENT_LIQUIDITY):
        vault.preview_redeem(400 * E6 + 1)
    with _raises(ErrorCode.SPARK_VAULT_INSUFFICIENT_LIQUIDITY):
        vault.preview_withdraw(400 * E6 + 1)
    with _raises(ErrorCode.SAVINGS_INVALID_ADDRESS):
        vault.transfer(ZERO_ADDRESS, 1, sender=USER1)
    assert _state(asset, vault) == before
    assert vault.max_redeem(USER1) == vault.max_withdraw(USER1) == 400 * E6
    assert vault.preview_redeem(400 * E6) == vault.preview_withdraw(400 * E6) == 400 * E6


def test_drip_mints_nothing() -> None:
    clock, asset, vault = _vault()
    vault.set_vsr_bounds(RAY, MAX_VSR, sender=ADMIN)
    vault.set_vsr(MAX_VSR, sender=SETTER)
    asset.mint(USER1, 100 * E6)
    vault.deposit(100 * E6, USER1, sender=USER1)
    clock.skip(365 * DAY)
    chi = vault.drip()
    assert chi == rpow(MAX_VSR, 365 * DAY, RAY) == vault.chi
    assert asset.balance_of(vault.address) == 100 * E6  # owed, not held
    assert vault.assets_outstanding() == vault.total_assets() - 100 * E6 > 99 * E6


# --- properties ---


@settings(max_examples=60 * FUZZ, deadline=None)
@given(
    assets=st.integers(1, 10**15),
    shares=st.integers(1, 10**15),
    vsr=st.integers(RAY, MAX_VSR),
    elapsed_s=st.integers(0, 5 * 365 * DAY),
)
def test_rounding_never_favours_the_user(
    assets: int, shares: int, vsr: int, elapsed_s: int
) -> None:
    clock, asset, vault = _vault()
    vault.set_deposit_cap(MAX, sender=ADMIN)
    vault.set_vsr_bounds(RAY, MAX_VSR, sender=ADMIN)
    vault.set_vsr(vsr, sender=SETTER)
    clock.skip(elapsed_s)
    chi = vault.now_chi()
    asset.mint(USER1, 10**40)
    # What the user gets is never worth more than what they give, at the exact price.
    got = vault.deposit(assets, USER1, sender=USER1)
    assert got * chi <= assets * RAY
    paid = vault.mint(shares, USER1, sender=USER1)
    assert paid * RAY >= shares * chi
    out = vault.redeem(shares, USER1, USER1, sender=USER1)
    assert out * RAY <= shares * chi
    assert out <= paid
    wanted = min(assets, vault.max_withdraw(USER1))
    burnt = vault.withdraw(wanted, USER1, USER1, sender=USER1)
    assert burnt * chi >= wanted * RAY
    # A round trip in one block never gains.
    before = asset.balance_of(USER1)
    s = vault.deposit(assets, USER1, sender=USER1)
    vault.redeem(s, USER1, USER1, sender=USER1)
    assert asset.balance_of(USER1) <= before


@settings(max_examples=60 * FUZZ, deadline=None)
@given(
    assets=st.integers(0, 10**15),
    vsr=st.integers(RAY, MAX_VSR),
    elapsed_s=st.integers(0, 2 * 365 * DAY),
)
def test_previews_match_actions(assets: int, vsr: int, elapsed_s: int) -> None:
    clock, asset, vault = _vault()
    vault.set_deposit_cap(MAX, sender=ADMIN)
    vault.set_vsr_bounds(RAY, MAX_VSR, sender=ADMIN)
    vault.set_vsr(vsr, sender=SETTER)
    asset.mint(USER1, 10**40)
    vault.deposit(10**16, USER1, sender=USER1)
    clock.skip(elapsed_s)
    asset.mint(vault.address, 10**20)  # the taker brings the interest back
    assert vault.preview_deposit(assets) == vault.deposit(assets, USER1, sender=USER1)
    assert vault.preview_mint(assets) == vault.mint(assets, USER1, sender=USER1)
    assert vault.preview_withdraw(assets) == vault.withdraw(assets, USER1, USER1, sender=USER1)
    assert vault.preview_redeem(assets) == vault.redeem(assets, USER1, USER1, sender=USER1)
