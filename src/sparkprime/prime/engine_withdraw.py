"""`PrimeBook` handlers for withdrawals: `prime.withdraw` and the origination steps it reads.

Spec spark-prime.md §2 (Arkis v2 "Partial Withdrawal": allowed only for tokens on a Withdraw
List; STPV(target) x (1 - Withdrawal Haircut) > borrowed; the destination must be whitelisted)
and §1.7 (Atlas P7/2/7/4: withdrawals only to an approved collateral agent, once the loan's
origination steps are complete, or to the SLL). Issue 5: the limits are checked before a
withdrawal. `prime.withdraw` checks, in this order, before anything changes:

1. the account exists, is not REDUCE_ONLY or LIQUIDATION on its recorded ladder state and has
   no pending liquidation plan (PRIME_ENGINE_REDUCE_ONLY: the plan owns its positions);
2. the position exists, belongs to the account, is on the withdraw list and holds at least
   `qty > 0` (PRIME_ENGINE_NOT_WITHDRAWABLE / PRIME_ENGINE_WITHDRAW_EXCEEDS_HELD). The withdraw
   list here is by kind: SPOT and VAULT_SHARES, the positions that are transferable tokens the
   account holds outright. Perps, futures and margin values are not tokens; a lending supply,
   a DEX LP, a PT or a lending borrow must first be unwound in its venue (a position change);
3. the destination is on the book's whitelist (`prime.critical_actions.check_withdrawal`):
   the SLL always, a collateral agent only for a loan of the account whose MLA is executed and
   whose configuration file was sent (`prime.record_origination_steps`);
4. the withdrawal rule on the account's margin after the withdrawal, exactly in ints
   (`prime.whatif.withdraw_allowed`, with the engine's own margin: the effective policy, the
   loans accrued to now, the book's market depths), PRIME_ENGINE_WITHDRAW_HAIRCUT if it
   fails. An account that owes nothing may withdraw everything (documented choice: the
   literal rule, 0 > 0, would lock the last token of a debt-free account, and there is no
   lender to protect);
5. every book-wide limit (`prime.limits.assert_within_limits` with a `Withdrawal`; for vault
   shares, which `limits.Withdrawal` does not take, the same reduction as a `PositionChange`).

Then the position is reduced (removed when emptied) and a WITHDRAWAL notice is recorded. The
"re-checked after N BLOCKS" of the whitepaper has no counterpart: the book has no blocks, and
the withdrawal is final when its command runs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime import critical_actions as ca
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.book import Position, PositionKind
from sparkprime.prime.engine_margin import (
    account_positions,
    effective_policy,
    is_restricted,
    limit_state,
    lookup,
    margin_of,
    status_of,
)
from sparkprime.prime.engine_state import BookState, NoticeKind
from sparkprime.prime.limits import BookChange, PositionChange, Withdrawal, assert_within_limits
from sparkprime.prime.whatif import withdraw_allowed

__all__ = ["WITHDRAWABLE_KINDS", "record_origination_steps", "withdraw"]

WITHDRAWABLE_KINDS: Final = frozenset({PositionKind.SPOT, PositionKind.VAULT_SHARES})


def _invalid(field: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_ENGINE_INVALID_COMMAND, field=field, reason=reason)


def record_origination_steps(
    state: BookState, cmd: ec.RecordOriginationSteps, now: int
) -> dict[str, bool]:
    loan = lookup(state.loans, cmd.loan_id, "loan")
    if not (cmd.mla_executed or cmd.config_file_sent):
        raise _invalid("origination", "no step to record")
    held = state.origination.get(loan.loan_id)
    steps = ca.OriginationSteps(
        loan_id=loan.loan_id,
        mla_executed=cmd.mla_executed or (held is not None and held.mla_executed),
        config_file_sent=cmd.config_file_sent or (held is not None and held.config_file_sent),
    )
    state.origination[loan.loan_id] = steps
    return {"mla_executed": steps.mla_executed, "config_file_sent": steps.config_file_sent}


def _check_account(state: BookState, account_id: str, now: int) -> None:
    status = status_of(state, account_id, now)
    reason = None
    if account_id in state.plans:
        reason = "a liquidation plan is pending: no withdrawal"
    elif is_restricted(status):
        reason = "no withdrawal from a reduce-only or liquidating account"
    if reason is not None:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_REDUCE_ONLY,
            account_id=account_id,
            status=status.status.value,
            reason=reason,
        )


def _withdrawn_position(state: BookState, cmd: ec.Withdraw) -> Position:
    p = lookup(state.positions, cmd.position_id, "position")
    if p.account_id != cmd.account_id:
        raise _invalid("position_id", f"{p.position_id!r} belongs to account {p.account_id!r}")
    if p.kind not in WITHDRAWABLE_KINDS:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_NOT_WITHDRAWABLE,
            position_id=p.position_id,
            kind=p.kind.value,
            allowed=", ".join(sorted(k.value for k in WITHDRAWABLE_KINDS)),
        )
    if cmd.qty == 0:
        raise _invalid("qty", "a withdrawal takes a positive quantity")
    if cmd.qty > p.qty:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_WITHDRAW_EXCEEDS_HELD,
            position_id=p.position_id,
            qty=cmd.qty,
            held=p.qty,
        )
    return p


def _check_destination(state: BookState, cmd: ec.Withdraw) -> ca.WhitelistEntry:
    if state.controls is None:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_MISSING_DATA,
            what="withdrawal whitelist",
            reason="the book was built without signers",
        )
    origination = None
    if cmd.loan_id is not None:
        loan = lookup(state.loans, cmd.loan_id, "loan")
        if loan.account_id != cmd.account_id:
            raise _invalid("loan_id", f"{loan.loan_id!r} is a loan of {loan.account_id!r}")
        origination = state.origination.get(loan.loan_id) or ca.OriginationSteps(
            loan_id=loan.loan_id, mla_executed=False, config_file_sent=False
        )
    return ca.check_withdrawal(state.controls, cmd.destination, origination=origination)


def withdraw(state: BookState, cmd: ec.Withdraw, now: int) -> dict[str, Any]:
    account = lookup(state.accounts, cmd.account_id, "account")
    _check_account(state, account.account_id, now)
    p = _withdrawn_position(state, cmd)
    entry = _check_destination(state, cmd)
    left = p.qty - cmd.qty
    after = replace(p, qty=left) if left else None
    others = [q for q in account_positions(state, account.account_id) if q is not p]
    policy = effective_policy(state)
    pool = policy.pool(account.pool_id)
    target = margin_of(
        state, account.account_id, now, positions=[*others, *([after] if after else [])],
        policy=policy,
    )  # fmt: skip
    if target.borrowed_usd_wad > 0 and not withdraw_allowed(target, pool):
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_WITHDRAW_HAIRCUT,
            account_id=account.account_id,
            position_id=p.position_id,
            qty=cmd.qty,
            stpv_usd_wad=target.stpv_usd_wad,
            withdrawal_haircut_bps=pool.withdrawal_haircut_bps,
            borrowed_usd_wad=target.borrowed_usd_wad,
        )
    change: BookChange
    if p.kind is PositionKind.SPOT:
        change = Withdrawal(position_id=p.position_id, qty=cmd.qty)
    elif after is None:  # limits.Withdrawal takes spot and lending supply only: the same
        change = PositionChange(removals=(p.position_id,))  # reduction as a position change
    else:
        change = PositionChange(upserts=(after,))
    assert_within_limits(limit_state(state, now, policy), change)
    if after is None:
        del state.positions[p.position_id]
    else:
        state.positions[p.position_id] = after
    state.notify(
        now,
        NoticeKind.WITHDRAWAL,
        f"withdrew {cmd.qty} {p.symbol} from {p.position_id} to {entry.kind.value} {entry.address}",
        account_id=account.account_id,
        loan_id=cmd.loan_id,
        amount=cmd.qty,
    )
    return {
        "position_id": p.position_id,
        "qty": cmd.qty,
        "left": left,
        "destination": entry.address,
        "destination_kind": entry.kind.value,
        "stpv_usd_wad": target.stpv_usd_wad,
        "borrowed_usd_wad": target.borrowed_usd_wad,
    }
