"""spPRIME (SparkPrimeVault) over a SparkVault spUSDC sleeve.

Ported: sparkdotfi/spark-prime-vault `test/SparkPrimeVault.t.sol` (2a87796a) failure cases
(invalid recipient, minimum and allowance boundaries; its success cases run on a mainnet fork
against a later revision and are not portable), and the request/queue cases of the
ERC-7540 revision's unit suite (capacity boundary, partial instant fill, queue-forces-queueing,
below-one-share, sub-share remainder, spUSDC deposit cap, chi after a year at 5%) adapted to
the two-argument `requestDeposit` of `src/SparkPrimeVault.sol` 0108d0b6. Plus every bad input
changing nothing, and Hypothesis properties in test_spprime_properties.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.core.rpow import rpow
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.savings.erc4626 import ZERO_ADDRESS
from sparkprime.protocols.savings.spark_vault import MAX_VSR, SETTER_ROLE, TAKER_ROLE, SparkVault
from sparkprime.protocols.savings.spprime import (
    GUARDIAN_ROLE,
    MAX_REDEEM_FEE,
    NO_REQUEST_ID,
    REBALANCER_ROLE,
    RISK_MANAGER_ROLE,
    UNPAUSER_ROLE,
    SparkPrimeVault,
)
from sparkprime.protocols.sparklend.addresses import make_addr

E6 = 10**6
DAY = 86_400
MAX = 2**256 - 1
FIVE_PCT_VSR = 1000000001547125957863212448
ADMIN = make_addr("admin")
GUARDIAN, REBALANCER = make_addr("guardian"), make_addr("rebalancer")
RISK, SETTER, TAKER, UNPAUSER = (
    make_addr("riskManager"),
    make_addr("setter"),
    make_addr("taker"),
    make_addr("unpauser"),
)
USER1, USER2, USER3 = make_addr("user1"), make_addr("user2"), make_addr("user3")
ROLES = {
    GUARDIAN_ROLE: GUARDIAN,
    REBALANCER_ROLE: REBALANCER,
    RISK_MANAGER_ROLE: RISK,
    SETTER_ROLE: SETTER,
    TAKER_ROLE: TAKER,
    UNPAUSER_ROLE: UNPAUSER,
}


def make_env(
    capacity: int = 100_000_000 * E6, min_deposit: int = 100 * E6, min_withdraw: int = 100 * E6
) -> tuple[Clock, Erc20, SparkVault, SparkPrimeVault]:
    """USDC, an uncapped spUSDC at 0% (its setter may raise it) and spPRIME with every role."""
    reg = TokenRegistry()
    usdc = reg.register(Erc20(make_addr("USDC"), "USDC", 6))
    clock = Clock(1_750_000_000)
    spusdc = SparkVault(usdc, clock, atomic=reg.atomic, admin=ADMIN)
    spusdc.set_deposit_cap(MAX, sender=ADMIN)
    spusdc.set_vsr_bounds(RAY, MAX_VSR, sender=ADMIN)
    spusdc.grant_role(SETTER_ROLE, SETTER, sender=ADMIN)
    spusdc.grant_role(TAKER_ROLE, TAKER, sender=ADMIN)
    vault = SparkPrimeVault(usdc, spusdc, clock, atomic=reg.atomic, admin=ADMIN)
    for role, who in ROLES.items():
        vault.grant_role(role, who, sender=ADMIN)
    vault.set_capacity(capacity, sender=ADMIN)
    vault.set_minimums(min_deposit, min_withdraw, sender=ADMIN)
    for who in (USER1, USER2, USER3):
        usdc.mint(who, 1_000_000 * E6)
        usdc.approve(vault.address, MAX, sender=who)
    return clock, usdc, spusdc, vault


def snapshot(usdc: Erc20, spusdc: SparkVault, vault: SparkPrimeVault) -> tuple[Any, ...]:
    """Everything a rejected call must leave as it was."""
    return (
        usdc.balances(),
        {a: spusdc.balance_of(a) for a in (vault.address, USER1, USER2, USER3)},
        spusdc.total_supply,
        dict(vault._s),
        list(vault.deposit_queue),
        list(vault.redeem_queue),
        vault.deposit_head,
        vault.redeem_head,
        dict(vault._balances),
        len(vault.events),
    )


def check(err: pytest.ExceptionInfo[ProtocolError], code: ErrorCode, reason: str) -> None:
    assert err.value.code is code
    assert err.value.context["reason"] == reason


# --- SparkPrimeVault.t.sol: RequestDepositTests failures ---


def test_request_deposit_invalid_recipient_changes_nothing() -> None:
    _, usdc, spusdc, vault = make_env()
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.request_deposit(100 * E6, ZERO_ADDRESS, sender=USER1)
    check(err, ErrorCode.SPPRIME_INVALID_RECIPIENT, "SparkPrimeVault/invalid-recipient")
    with pytest.raises(ProtocolError) as err:
        vault.request_redeem(100 * E6, ZERO_ADDRESS, sender=USER1)
    check(err, ErrorCode.SPPRIME_INVALID_RECIPIENT, "SparkPrimeVault/invalid-recipient")
    with pytest.raises(ProtocolError) as err:
        vault.transfer(ZERO_ADDRESS, 0, sender=USER1)
    check(err, ErrorCode.SPPRIME_INVALID_ADDRESS, "SparkPrimeVault/invalid-address")
    assert snapshot(usdc, spusdc, vault) == before


def test_request_deposit_below_minimum_boundary() -> None:
    _, usdc, spusdc, vault = make_env()
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.request_deposit(100 * E6 - 1, USER1, sender=USER1)
    check(err, ErrorCode.SPPRIME_BELOW_MINIMUM, "SparkPrimeVault/below-minimum")
    assert snapshot(usdc, spusdc, vault) == before
    assert vault.request_deposit(100 * E6, USER1, sender=USER1) == NO_REQUEST_ID
    assert vault.balance_of(USER1) == 100 * E6


def test_request_deposit_allowance_boundary() -> None:
    _, usdc, spusdc, vault = make_env()
    usdc.approve(vault.address, 1_000_000 * E6, sender=USER1)
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.request_deposit(1_000_000 * E6 + 1, USER1, sender=USER1)
    assert err.value.code is ErrorCode.INSUFFICIENT_ALLOWANCE
    assert snapshot(usdc, spusdc, vault) == before
    vault.request_deposit(1_000_000 * E6, USER1, sender=USER1)
    assert usdc.allowance(USER1, vault.address) == 0
    assert vault.balance_of(USER1) == vault.total_supply == 1_000_000 * E6
    assert vault.available_liquid_assets() == 1_000_000 * E6
    assert vault.available_capacity() == 99_000_000 * E6


# --- the ERC-7540 revision's request cases, on the two-argument requestDeposit ---


def test_instant_deposit_at_chi_above_ray() -> None:
    clock, _, _, vault = make_env(capacity=1_000_000 * E6)
    vault.set_vsr_bounds(RAY, FIVE_PCT_VSR, sender=ADMIN)
    vault.set_vsr(FIVE_PCT_VSR, sender=SETTER)
    clock.skip(365 * DAY)
    assert vault.now_chi() == 1049999999999999999961070145
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    assert vault.total_supply == vault.balance_of(USER1) == 952_380952
    assert vault.available_capacity() == 1_000_000 * E6 - 952_380952


def test_capacity_exactly_hit_then_fully_queued() -> None:
    _, usdc, spusdc, vault = make_env(capacity=1000 * E6)
    assert vault.request_deposit(1000 * E6, USER1, sender=USER1) == NO_REQUEST_ID
    assert vault.available_capacity() == 0
    assert vault.total_queued_deposit_shares == spusdc.balance_of(vault.address) == 0
    assert len(vault.deposit_queue) == 0
    assert vault.request_deposit(100 * E6, USER2, sender=USER2) == 0
    assert vault.total_queued_deposit_shares == spusdc.balance_of(vault.address) == 100 * E6
    request = vault.deposit_queue[0]
    assert (request.owner, request.recipient, request.amount, request.fee) == (
        USER2,
        USER2,
        100 * E6,
        0,
    )
    assert usdc.balance_of(vault.address) == 1000 * E6


def test_partial_instant_rest_queued() -> None:
    _, usdc, spusdc, vault = make_env(capacity=1000 * E6)
    assert vault.request_deposit(1500 * E6, USER1, sender=USER1) == 0
    assert usdc.balance_of(USER1) == 1_000_000 * E6 - 1500 * E6
    assert usdc.balance_of(vault.address) == 1000 * E6
    assert usdc.balance_of(spusdc.address) == 500 * E6
    assert spusdc.balance_of(vault.address) == 500 * E6
    assert vault.total_supply == vault.balance_of(USER1) == 1000 * E6
    assert vault.available_capacity() == 0
    assert vault.total_queued_deposit_shares == 500 * E6
    assert vault.deposit_head == 0
    assert vault.events.named("DepositRequest")[-1].args == (USER1, USER1, 0, 500 * E6)


def test_queue_not_empty_forces_queueing() -> None:
    _, _, spusdc, vault = make_env(capacity=1000 * E6)
    vault.request_deposit(1500 * E6, USER1, sender=USER1)  # 1000 instant, 500 queued
    vault.set_capacity(1_000_000 * E6, sender=ADMIN)
    assert vault.available_capacity() == 1_000_000 * E6 - 1000 * E6
    assert vault.request_deposit(200 * E6, USER2, sender=USER2) == 1
    assert vault.balance_of(USER2) == 0
    assert vault.total_queued_deposit_shares == spusdc.balance_of(vault.address) == 700 * E6
    assert vault.deposit_queue[1].amount == 200 * E6
    vault.process_deposit_queue(MAX, sender=REBALANCER)
    assert vault.total_queued_deposit_shares == 0
    assert vault.deposit_head == 2
    assert (vault.balance_of(USER1), vault.balance_of(USER2)) == (1500 * E6, 200 * E6)
    assert vault.request_deposit(100 * E6, USER3, sender=USER3) == NO_REQUEST_ID
    assert vault.balance_of(USER3) == 100 * E6


def test_instant_below_one_share_queues_all() -> None:
    clock, _, _, vault = make_env(capacity=1000 * E6)
    vault.set_vsr_bounds(RAY, FIVE_PCT_VSR, sender=ADMIN)
    vault.set_vsr(FIVE_PCT_VSR, sender=SETTER)
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    clock.skip(365 * DAY)
    vault.set_capacity(1000 * E6 + 1, sender=ADMIN)
    assert vault.available_capacity() == 1
    # One share of room is worth 1 USDC wei (1.05 floored), which buys 0 shares.
    assert vault.request_deposit(100 * E6, USER2, sender=USER2) == 0
    assert vault.balance_of(USER2) == 0
    assert vault.total_queued_deposit_shares == 100 * E6
    assert vault.total_supply == 1000 * E6


def test_sub_share_remainder_absorbed() -> None:
    clock, usdc, spusdc, vault = make_env(capacity=1000 * E6, min_deposit=0)
    spusdc.set_vsr(FIVE_PCT_VSR, sender=SETTER)
    clock.skip(365 * DAY)
    assert spusdc.now_chi() == 1049999999999999999961070145
    assert vault.now_chi() == RAY
    assert vault.request_deposit(1000 * E6 + 1, USER1, sender=USER1) == NO_REQUEST_ID
    assert vault.balance_of(USER1) == 1000 * E6
    assert vault.total_queued_deposit_shares == 0
    assert usdc.balance_of(USER1) == 1_000_000 * E6 - 1000 * E6 - 1
    assert usdc.balance_of(vault.address) == 1000 * E6
    assert usdc.balance_of(spusdc.address) == 1
    assert spusdc.balance_of(vault.address) == 0
    assert len(vault.deposit_queue) == 0


def test_savings_deposit_cap_boundary() -> None:
    _, usdc, spusdc, vault = make_env(capacity=0)
    spusdc.set_deposit_cap(500 * E6, sender=ADMIN)
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.request_deposit(500 * E6 + 1, USER1, sender=USER1)
    check(err, ErrorCode.SPARK_VAULT_DEPOSIT_CAP_EXCEEDED, "SparkVault/deposit-cap-exceeded")
    assert snapshot(usdc, spusdc, vault) == before
    assert vault.request_deposit(500 * E6, USER1, sender=USER1) == 0


def test_savings_deposit_cap_partially_queued() -> None:
    _, usdc, spusdc, vault = make_env(capacity=500 * E6)
    spusdc.set_deposit_cap(0, sender=ADMIN)
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.request_deposit(500 * E6 + 1, USER1, sender=USER1)
    assert err.value.code is ErrorCode.SPARK_VAULT_DEPOSIT_CAP_EXCEEDED
    assert snapshot(usdc, spusdc, vault) == before  # the instant part is undone too
    assert vault.request_deposit(500 * E6, USER1, sender=USER1) == NO_REQUEST_ID


# --- deposit queue processing, cancel ---


def test_process_deposit_queue_partial_fill_and_spusdc_yield() -> None:
    clock, _, spusdc, vault = make_env(capacity=0)
    spusdc.set_vsr(FIVE_PCT_VSR, sender=SETTER)
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    vault.request_deposit(1000 * E6, USER2, sender=USER2)
    clock.skip(365 * DAY)
    value = spusdc.convert_to_assets(1000 * E6)
    assert value == 1000 * E6 * 1049999999999999999961070145 // RAY == 1049_999999
    vault.set_capacity(1500 * E6, sender=ADMIN)
    vault.process_deposit_queue(MAX, sender=REBALANCER)
    # USER1 is credited the spUSDC value; USER2 gets the rest of the capacity, partially.
    assert vault.balance_of(USER1) == value
    assert vault.balance_of(USER2) == 1500 * E6 - value
    assert vault.total_supply == 1500 * E6
    assert vault.deposit_head == 1
    left = vault.deposit_queue[1].amount
    used = -(-1000 * E6 * (1500 * E6 - value) // value)  # divup: spUSDC taken rounds up
    assert left == 1000 * E6 - used
    assert vault.total_queued_deposit_shares == left


def test_cancel_deposit_request() -> None:
    _, usdc, spusdc, vault = make_env(capacity=0)
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.cancel_deposit_request(0, USER2, sender=USER2)
    check(err, ErrorCode.SPPRIME_NOT_AUTHORIZED, "SparkPrimeVault/not-authorized")
    with pytest.raises(ProtocolError) as err:
        vault.cancel_deposit_request(1, USER1, sender=USER1)
    assert err.value.code is ErrorCode.VALUE_OUT_OF_RANGE  # the array getter's panic
    assert snapshot(usdc, spusdc, vault) == before
    vault.cancel_deposit_request(0, USER3, sender=GUARDIAN)
    assert usdc.balance_of(USER3) == 1_001_000 * E6
    assert vault.total_queued_deposit_shares == 0
    with pytest.raises(ProtocolError) as err:
        vault.cancel_deposit_request(0, USER1, sender=USER1)
    check(err, ErrorCode.SPPRIME_NO_REQUEST, "SparkPrimeVault/no-request")


# --- redeem ---


def test_redeem_instant_with_fee_and_queue() -> None:
    _, usdc, _, vault = make_env()
    vault.set_max_redeem_fee(MAX_REDEEM_FEE, sender=ADMIN)
    vault.set_redeem_fee(MAX_REDEEM_FEE, sender=RISK)
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    vault.take(700 * E6, sender=TAKER)  # 300 idle left
    assert vault.available_liquid_assets() == 300 * E6
    assert vault.request_redeem(1000 * E6, USER1, sender=USER1) == 0
    # Partial: floor(300e6 * WAD / 0.99e18) shares at chi 1; net = gross - divup(gross * 1%).
    shares = 300 * E6 * WAD // (WAD - MAX_REDEEM_FEE)
    gross = shares
    net = gross - -(-gross * MAX_REDEEM_FEE // WAD)
    assert usdc.balance_of(USER1) == 1_000_000 * E6 - 1000 * E6 + net
    assert vault.redeem_queue[0].amount == 1000 * E6 - shares
    assert vault.total_queued_redeem_shares == 1000 * E6 - shares
    assert vault.redeem_head == 0
    # A later redeemer waits behind USER1, even with cash back in the vault.
    vault.request_deposit(500 * E6, USER2, sender=USER2)
    assert vault.request_redeem(200 * E6, USER2, sender=USER2) == 1
    assert vault.balance_of(USER2) == 300 * E6
    budget = usdc.balance_of(vault.address)
    assert budget == 300 * E6 - net + 500 * E6
    vault.process_redeem_queue(MAX, sender=USER3)
    shares2 = budget * WAD // (WAD - MAX_REDEEM_FEE)
    assert vault.redeem_queue[0].amount == 1000 * E6 - shares - shares2
    assert vault.redeem_queue[1].amount == 200 * E6  # FIFO: untouched
    assert vault.redeem_head == 0
    assert usdc.balance_of(USER2) == 1_000_000 * E6 - 500 * E6


def test_fee_guards_change_nothing() -> None:
    _, usdc, spusdc, vault = make_env()
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.set_max_redeem_fee(MAX_REDEEM_FEE + 1, sender=ADMIN)
    check(err, ErrorCode.SPPRIME_FEE_TOO_HIGH, "SparkPrimeVault/fee-too-high")
    with pytest.raises(ProtocolError) as err:
        vault.set_redeem_fee(1, sender=RISK)  # max_redeem_fee is 0 until the admin sets it
    check(err, ErrorCode.SPPRIME_FEE_TOO_HIGH, "SparkPrimeVault/fee-too-high")
    with pytest.raises(ProtocolError) as err:
        vault.set_capacity(2**128, sender=ADMIN)
    check(err, ErrorCode.SPPRIME_CAPACITY_TOO_HIGH, "SparkPrimeVault/capacity-too-high")
    assert snapshot(usdc, spusdc, vault) == before


def test_roles_are_required_and_change_nothing() -> None:
    _, usdc, spusdc, vault = make_env()
    before = snapshot(usdc, spusdc, vault)
    calls: list[Callable[[], object]] = [
        lambda: vault.set_capacity(1, sender=USER1),
        lambda: vault.set_max_redeem_fee(1, sender=USER1),
        lambda: vault.set_minimums(1, 1, sender=USER1),
        lambda: vault.set_vsr_bounds(RAY, RAY, sender=USER1),
        lambda: vault.set_vsr(RAY, sender=USER1),
        lambda: vault.take(0, sender=USER1),
        lambda: vault.deposit_to_savings(0, sender=USER1),
        lambda: vault.withdraw_from_savings(0, sender=USER1),
        lambda: vault.process_deposit_queue(MAX, sender=USER1),
        lambda: vault.set_redeem_fee(0, sender=USER1),
        lambda: vault.set_chi(1, sender=USER1),
        lambda: vault.pause(sender=USER1),
        lambda: vault.unpause(sender=USER1),
        lambda: vault.grant_role(TAKER_ROLE, USER1, sender=USER1),
    ]
    for call in calls:
        with pytest.raises(ProtocolError) as err:
            call()
        assert err.value.code is ErrorCode.MISSING_ROLE
    assert snapshot(usdc, spusdc, vault) == before


def test_vsr_bounds_and_set_vsr() -> None:
    clock, _, _, vault = make_env()
    with pytest.raises(ProtocolError) as err:
        vault.set_vsr_bounds(RAY - 1, RAY, sender=ADMIN)
    check(err, ErrorCode.SPPRIME_VSR_TOO_LOW, "SparkPrimeVault/vsr-too-low")
    with pytest.raises(ProtocolError) as err:
        vault.set_vsr_bounds(RAY, MAX_VSR + 1, sender=ADMIN)
    check(err, ErrorCode.SPPRIME_VSR_TOO_HIGH, "SparkPrimeVault/vsr-too-high")
    with pytest.raises(ProtocolError) as err:
        vault.set_vsr_bounds(FIVE_PCT_VSR, FIVE_PCT_VSR - 1, sender=ADMIN)
    check(err, ErrorCode.SPPRIME_MIN_VSR_GT_MAX_VSR, "SparkPrimeVault/min-vsr-gt-max-vsr")
    with pytest.raises(ProtocolError) as err:
        vault.set_vsr(RAY + 1, sender=SETTER)
    check(err, ErrorCode.SPPRIME_VSR_TOO_HIGH, "SparkPrimeVault/vsr-too-high")
    vault.set_vsr_bounds(RAY, MAX_VSR, sender=ADMIN)
    vault.set_vsr(MAX_VSR, sender=SETTER)
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    clock.skip(100 * DAY)
    vault.set_vsr(RAY, sender=SETTER)  # drips at 100% APY first
    assert vault.chi == rpow(MAX_VSR, 100 * DAY, RAY)
    clock.skip(100 * DAY)
    assert vault.now_chi() == vault.chi


def test_set_chi_only_down_and_only_paused() -> None:
    _, usdc, spusdc, vault = make_env()
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.set_chi(RAY // 2, sender=RISK)
    check(err, ErrorCode.SPPRIME_NOT_PAUSED, "SparkPrimeVault/not-paused")
    assert snapshot(usdc, spusdc, vault) == before
    vault.pause(sender=GUARDIAN)
    for bad in (0, RAY, RAY + 1):
        with pytest.raises(ProtocolError) as err:
            vault.set_chi(bad, sender=RISK)
        check(err, ErrorCode.SPPRIME_INVALID_CHI, "SparkPrimeVault/invalid-chi")
    vault.set_chi(RAY * 9 // 10, sender=RISK)  # a 10% loss
    assert vault.assets_of(USER1) == 900 * E6
    vault.unpause(sender=UNPAUSER)
    assert not vault.paused


def test_paused_refuses_user_actions_and_changes_nothing() -> None:
    _, usdc, spusdc, vault = make_env(capacity=1000 * E6)
    vault.request_deposit(1500 * E6, USER1, sender=USER1)
    vault.pause(sender=GUARDIAN)
    before = snapshot(usdc, spusdc, vault)
    calls: list[Callable[[], object]] = [
        lambda: vault.request_deposit(100 * E6, USER2, sender=USER2),
        lambda: vault.request_deposit(100 * E6, USER2, sender=USER2, referral=7),
        lambda: vault.request_redeem(100 * E6, USER1, sender=USER1),
        lambda: vault.cancel_deposit_request(0, USER1, sender=USER1),
        lambda: vault.cancel_redeem_request(0, USER1, sender=USER1),
        lambda: vault.process_deposit_queue(MAX, sender=REBALANCER),
        lambda: vault.process_redeem_queue(MAX, sender=USER1),
    ]
    for call in calls:
        with pytest.raises(ProtocolError) as err:
            call()
        check(err, ErrorCode.SPPRIME_PAUSED, "SparkPrimeVault/paused")
    assert snapshot(usdc, spusdc, vault) == before


def test_take_and_sleeve_moves() -> None:
    _, usdc, spusdc, vault = make_env()
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    before = snapshot(usdc, spusdc, vault)
    checks: tuple[Callable[[], object], ...] = (
        lambda: vault.take(1000 * E6 + 1, sender=TAKER),
        lambda: vault.deposit_to_savings(1000 * E6 + 1, sender=REBALANCER),
    )
    for call in checks:
        with pytest.raises(ProtocolError) as err:
            call()
        check(
            err, ErrorCode.SPPRIME_INSUFFICIENT_LIQUIDITY, "SparkPrimeVault/insufficient-liquidity"
        )
    assert snapshot(usdc, spusdc, vault) == before
    vault.deposit_to_savings(600 * E6, sender=REBALANCER)
    assert spusdc.balance_of(vault.address) == 600 * E6
    assert vault.available_liquid_assets() == 1000 * E6
    vault.withdraw_from_savings(100 * E6, sender=REBALANCER)
    vault.take(500 * E6, sender=TAKER)
    assert usdc.balance_of(TAKER) == 500 * E6
    assert vault.available_liquid_assets() == 500 * E6
    assert vault.total_assets() == 1000 * E6  # owed, whatever was taken


def test_queued_deposit_shares_are_locked() -> None:
    _, usdc, spusdc, vault = make_env(capacity=0)
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.withdraw_from_savings(1, sender=REBALANCER)
    check(err, ErrorCode.SPPRIME_QUEUED_SHARES_LOCKED, "SparkPrimeVault/queued-shares-locked")
    assert snapshot(usdc, spusdc, vault) == before
    assert vault.available_liquid_assets() == 0


def test_cancel_redeem_request_returns_shares() -> None:
    _, _, _, vault = make_env()
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    vault.take(1000 * E6, sender=TAKER)
    assert vault.request_redeem(400 * E6, USER1, sender=USER1) == 0  # nothing to pay with
    assert vault.balance_of(vault.address) == vault.total_queued_redeem_shares == 400 * E6
    vault.cancel_redeem_request(0, USER2, sender=USER1)
    assert vault.balance_of(USER2) == 400 * E6
    assert vault.total_queued_redeem_shares == 0
    assert vault.total_supply == 1000 * E6


def test_spprime_transfer_from() -> None:
    _, usdc, spusdc, vault = make_env()
    vault.request_deposit(1000 * E6, USER1, sender=USER1)
    before = snapshot(usdc, spusdc, vault)
    with pytest.raises(ProtocolError) as err:
        vault.transfer_from(USER1, USER2, 1, sender=USER2)
    check(err, ErrorCode.SPPRIME_INSUFFICIENT_ALLOWANCE, "SparkPrimeVault/insufficient-allowance")
    with pytest.raises(ProtocolError) as err:
        vault.transfer(USER2, 1000 * E6 + 1, sender=USER1)
    check(err, ErrorCode.SPPRIME_INSUFFICIENT_BALANCE, "SparkPrimeVault/insufficient-balance")
    assert snapshot(usdc, spusdc, vault) == before
    vault.approve(USER2, 10 * E6, sender=USER1)
    vault.transfer_from(USER1, USER3, 10 * E6, sender=USER2)
    assert vault.allowance(USER1, USER2) == 0
    assert vault.balance_of(USER3) == 10 * E6


def test_asset_mismatch() -> None:
    _, _, spusdc, vault = make_env()
    other = Erc20(make_addr("USDT"), "USDT", 6)
    with pytest.raises(ProtocolError) as err:
        SparkPrimeVault(other, spusdc, vault.clock, atomic=vault.atomic, admin=ADMIN)
    check(err, ErrorCode.SPPRIME_ASSET_MISMATCH, "SparkPrimeVault/asset-mismatch")
