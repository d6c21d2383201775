"""spPRIME properties over random sequences of requests, cancels, queue runs, takes, sleeve
moves, fee changes and time: queues are FIFO, nobody is paid more than their shares are worth,
rounding never favours the user, a rejected call changes nothing, and (with no accrual) the
vault's holdings equal what it owes plus the fees it kept."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.protocols.savings.spark_vault import SparkVault
from sparkprime.protocols.savings.spprime import MAX_REDEEM_FEE, SparkPrimeVault
from tests.protocols.savings.test_spprime import (
    ADMIN,
    E6,
    FIVE_PCT_VSR,
    GUARDIAN,
    MAX,
    REBALANCER,
    RISK,
    SETTER,
    TAKER,
    USER1,
    USER2,
    USER3,
    make_env,
    snapshot,
)

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
USERS = (USER1, USER2, USER3)
_amount = st.integers(0, 3_000 * E6) | st.sampled_from([100 * E6, 700 * E6, 1_500 * E6])
_user = st.sampled_from(USERS)
OPS = st.one_of(
    st.tuples(st.just("deposit"), _user, _amount),
    st.tuples(st.just("redeem"), _user, _amount),
    st.tuples(st.just("cancel_deposit"), _user, st.integers(0, 6)),
    st.tuples(st.just("cancel_redeem"), _user, st.integers(0, 6)),
    st.tuples(st.just("process_deposits"), st.just(USER1), _amount),
    st.tuples(st.just("process_redeems"), st.just(USER1), _amount),
    st.tuples(st.just("take"), st.just(TAKER), _amount),
    st.tuples(st.just("to_savings"), st.just(REBALANCER), _amount),
    st.tuples(st.just("from_savings"), st.just(REBALANCER), _amount),
    st.tuples(st.just("capacity"), st.just(ADMIN), st.integers(0, 5_000 * E6)),
    st.tuples(st.just("fee"), st.just(RISK), st.integers(0, MAX_REDEEM_FEE)),
    st.tuples(st.just("give_back"), st.just(TAKER), _amount),
    st.tuples(st.just("skip"), st.just(USER1), st.integers(0, 30 * 86_400)),
)


def _apply(vault: SparkPrimeVault, spusdc: SparkVault, op: tuple[str, Any, int]) -> None:
    kind, who, n = op
    usdc = vault.asset
    match kind:
        case "deposit":
            vault.request_deposit(n, who, sender=who)
        case "redeem":  # a share of the balance, so most requests are valid
            vault.request_redeem(1 + n % (vault.balance_of(who) + 1), who, sender=who)
        case "cancel_deposit":
            vault.cancel_deposit_request(n % max(len(vault.deposit_queue), 1), who, sender=who)
        case "cancel_redeem":
            vault.cancel_redeem_request(n % max(len(vault.redeem_queue), 1), who, sender=who)
        case "process_deposits":
            vault.process_deposit_queue(n, sender=REBALANCER)
        case "process_redeems":
            vault.process_redeem_queue(n, sender=who)
        case "take":
            vault.take(n, sender=TAKER)
        case "to_savings":
            vault.deposit_to_savings(n, sender=REBALANCER)
        case "from_savings":
            vault.withdraw_from_savings(n, sender=REBALANCER)
        case "capacity":
            vault.set_capacity(n, sender=ADMIN)
        case "fee":
            vault.set_redeem_fee(n, sender=RISK)
        case "give_back":
            usdc.transfer(vault.address, min(n, usdc.balance_of(TAKER)), sender=TAKER)
        case "skip":
            vault.clock.skip(n)


def _funded() -> tuple[Any, Any, SparkVault, SparkPrimeVault]:
    """make_env with 500 USDC of spPRIME for each user, 500 of capacity left."""
    clock, usdc, spusdc, vault = make_env(capacity=2_000 * E6, min_deposit=0, min_withdraw=0)
    for who in USERS:
        vault.request_deposit(500 * E6, who, sender=who)
    return clock, usdc, spusdc, vault


def _run(ops: list[tuple[str, Any, int]], *, accrue: bool) -> None:
    _, usdc, spusdc, vault = _funded()
    vault.set_max_redeem_fee(MAX_REDEEM_FEE, sender=ADMIN)
    if accrue:
        spusdc.set_vsr(FIVE_PCT_VSR, sender=SETTER)
        vault.set_vsr_bounds(RAY, FIVE_PCT_VSR, sender=ADMIN)
        vault.set_vsr(FIVE_PCT_VSR // 2 + RAY // 2, sender=SETTER)
    fees = 0
    for op in ops:
        if not accrue and op[0] == "skip":
            continue
        before = snapshot(usdc, spusdc, vault)
        deposits_before = [r.amount for r in vault.deposit_queue]
        redeems_before = [r.amount for r in vault.redeem_queue]
        n_events = len(vault.events)
        try:
            _apply(vault, spusdc, op)
        except ProtocolError:
            assert snapshot(usdc, spusdc, vault) == before  # a rejected call changes nothing
            continue
        chi = vault.chi  # every request and queue run drips first, in this same second
        for event in list(vault.events)[n_events:]:
            if event.name == "Deposit":  # rounding never favours the user
                _, _, assets, shares = event.args
                assert shares * chi <= assets * RAY
            elif event.name == "Redeem":  # never paid more than the shares are worth
                _, _, net, shares = event.args
                assert net * RAY <= shares * chi
                fees += shares * chi // RAY - net
        for queue, old in (
            (vault.deposit_queue, deposits_before),
            (vault.redeem_queue, redeems_before),
        ):
            now = [r.amount for r in queue]
            assert all(a == 0 for a in now[: queue.head])
            # FIFO: an entry that was paid from had only empty entries ahead of it, bar
            # an owner's own cancel (which zeroes without paying).
            if op[0] in ("process_deposits", "process_redeems", "redeem"):
                paid = [i for i, a in enumerate(now[: len(old)]) if a < old[i]]
                for i in paid:
                    assert all(now[j] == 0 for j in range(i))
        assert vault.total_queued_deposit_shares == sum(r.amount for r in vault.deposit_queue)
        assert vault.total_queued_redeem_shares == sum(r.amount for r in vault.redeem_queue)
        assert vault.balance_of(vault.address) >= vault.total_queued_redeem_shares
        assert spusdc.balance_of(vault.address) >= vault.total_queued_deposit_shares
        if not accrue:
            # Holdings (idle + spUSDC + what the taker holds) = owed + fees kept, to the wei.
            held = (
                usdc.balance_of(vault.address)
                + spusdc.convert_to_assets(spusdc.balance_of(vault.address))
                + usdc.balance_of(TAKER)
            )
            owed = vault.total_assets()
            queued = spusdc.convert_to_assets(vault.total_queued_deposit_shares)
            assert held == owed + fees + queued
            assert sum(usdc.balances().values()) == 3 * 1_000_000 * E6


@settings(max_examples=40 * FUZZ, deadline=None)
@given(st.lists(OPS, min_size=1, max_size=40))
def test_random_flows_without_accrual(ops: list[tuple[str, Any, int]]) -> None:
    _run(ops, accrue=False)


@settings(max_examples=40 * FUZZ, deadline=None)
@given(st.lists(OPS, min_size=1, max_size=40))
def test_random_flows_with_accrual(ops: list[tuple[str, Any, int]]) -> None:
    _run(ops, accrue=True)


@settings(max_examples=30 * FUZZ, deadline=None)
@given(st.lists(OPS, min_size=0, max_size=12), st.sampled_from(range(7)), _amount)
def test_paused_vault_refuses_users_and_changes_nothing(
    ops: list[tuple[str, Any, int]], which: int, n: int
) -> None:
    _, usdc, spusdc, vault = _funded()
    for op in ops:
        with contextlib.suppress(ProtocolError):
            _apply(vault, spusdc, op)
    vault.pause(sender=GUARDIAN)
    before = snapshot(usdc, spusdc, vault)
    calls: list[Callable[[], object]] = [
        lambda: vault.request_deposit(n, USER1, sender=USER1),
        lambda: vault.request_redeem(n, USER1, sender=USER1),
        lambda: vault.cancel_deposit_request(0, USER1, sender=USER1),
        lambda: vault.cancel_redeem_request(0, USER1, sender=GUARDIAN),
        lambda: vault.process_deposit_queue(n, sender=REBALANCER),
        lambda: vault.process_redeem_queue(n, sender=USER2),
        lambda: vault.request_deposit(n, USER2, sender=USER2, referral=1),
    ]
    with pytest.raises(ProtocolError) as err:
        calls[which]()
    assert err.value.context["reason"] == "SparkPrimeVault/paused"
    assert snapshot(usdc, spusdc, vault) == before


def test_fee_is_never_above_one_percent() -> None:
    gross = 10**12
    net = gross - -(-gross * MAX_REDEEM_FEE // WAD)
    assert net == gross * 99 // 100
    assert MAX == 2**256 - 1
