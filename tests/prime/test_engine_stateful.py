"""Random valid and invalid commands against a journaled PrimeBook (paranoid ledger).

After every command: a refusal changed nothing (hash, head); the snapshot round-trips; every
book-wide limit holds (prices move only ETH, which no limit here depends on, so a breach could
only come from a command the engine should have refused); a withdrawal is accepted exactly
when the withdrawal rule holds on the account after it (or nothing is owed). After every
re-margin: each
account's recorded RF equals a fresh `margin_account` on the book's data and its rung agrees
with the RF (the cure clock may only make it worse than the instantaneous rung, never
better). At the end, a replay of the journal gives the live state hash.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger import Ledger, MemoryJournalStore, canonical_json
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.book import PositionKind
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.engine_margin import effective_policy, margin_of
from sparkprime.prime.limits import check_book
from sparkprime.prime.liquidation import TRADE_ACTIONS
from sparkprime.prime.loans import accrue
from sparkprime.prime.margin import margin_account
from sparkprime.prime.status import MarginStatus, rf_status
from sparkprime.prime.whatif import withdraw_allowed
from tests.prime.test_engine_support import (
    DAY,
    E8,
    SLL,
    T0,
    USDC,
    WAD,
    book_commands,
    genesis,
    position,
    setup_commands,
    submit_all,
)

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
_RANK = {s: i for i, s in enumerate(MarginStatus)}  # HEALTHY < ... < LIQUIDATION


class PrimeBookModel(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.store = MemoryJournalStore()
        self.ledger = Ledger.create(self.store, genesis(), paranoid=True)
        self.now = T0
        submit_all(self.ledger, setup_commands(), T0)
        submit_all(self.ledger, book_commands(), T0)
        self.eth_price = 4_000

    def teardown(self) -> None:
        if hasattr(self, "ledger"):
            replayed = Ledger.open(self.store, PrimeBook, use_snapshots=False)
            assert replayed.state_hash() == self.ledger.state_hash()

    def _submit(self, cmd: Any, *refuse: ErrorCode) -> Any:
        """Submit; `refuse`: it must be refused with one of these codes (none given: either
        outcome is fine, but a refusal must change nothing)."""
        curr_hash, curr_seq = self.ledger.state_hash(), self.ledger.head_seq
        try:
            receipt = self.ledger.submit(cmd, ts_s=self.now)
        except ProtocolError as error:
            assert self.ledger.state_hash() == curr_hash
            assert self.ledger.head_seq == curr_seq
            assert not refuse or error.code in refuse, error  # noqa: PT017
            return None
        assert not refuse, f"{cmd} was accepted"
        return receipt.result

    @rule(dt=st.integers(0, 2 * DAY))
    def advance(self, dt: int) -> None:
        self.now += dt
        self.remargin()

    @rule(price=st.one_of(st.integers(-5, 0), st.integers(300, 6_000)))
    def set_eth_price(self, price: int) -> None:
        cmd = ec.SetPrices(prices=tuple(ec.PriceEntry(symbol=s, price_usd_e8=price * E8)
                                        for s in ("ETH", "WETH")))  # fmt: skip
        refuse = () if price > 0 else (ErrorCode.PRIME_ENGINE_INVALID_PRICE,)
        if self._submit(cmd, *refuse) is not None:
            self.eth_price = price
            self.remargin()

    @rule(qty=st.integers(-(10**21), 5_000 * WAD))
    def upsert_eth(self, qty: int) -> None:
        refuse = (ErrorCode.PRIME_INVALID_POSITION,) if qty < 0 else ()
        self._submit(position("eth", "onchain", PositionKind.SPOT, "WETH", qty), *refuse)

    @rule(btc=st.integers(0, 1_200))
    def upsert_btc(self, btc: int) -> None:
        # Binance's limit is $100M: 1,000 BTC at $100k across its positions.
        state = self.ledger.machine.state
        cmd = position("btc-x", "binance-1", PositionKind.SPOT, "BTC", btc * E8)
        held = state.positions.get("btc-x")
        others = sum(p.qty for p in state.positions.values()
                     if p.venue_id == "binance-1" and p.position_id != "btc-x")  # fmt: skip
        if others + btc * E8 > 1_000 * E8 and (held is None or held.qty < btc * E8):
            restricted = "acct" in state.plans or state.statuses["acct"].status in (
                MarginStatus.REDUCE_ONLY, MarginStatus.LIQUIDATION,
            )  # fmt: skip
            codes = [ErrorCode.PRIME_LIMIT_VENUE_EXPOSURE]
            if restricted:
                codes.append(ErrorCode.PRIME_ENGINE_REDUCE_ONLY)
            self._submit(cmd, *codes)
        else:
            self._submit(cmd)

    @rule(qty=st.integers(-3_000, 3_000))
    def upsert_eth_perp(self, qty: int) -> None:
        self._submit(position("eth-perp", "okx-1", PositionKind.PERP, "ETH", qty * WAD,
                              entry_price_usd_e8=self.eth_price * E8))  # fmt: skip

    @rule()
    def expired_future(self) -> None:
        cmd = position("old", "okx-1", PositionKind.FUTURE, "BTC", -E8,
                       entry_price_usd_e8=100_000 * E8, expiry_ts_s=self.now)  # fmt: skip
        self._submit(cmd, ErrorCode.PRIME_POSITION_EXPIRED)

    @rule(pid=st.sampled_from(["eth", "btc-x", "eth-perp", "cash", "btc-spot"]))
    def remove(self, pid: int) -> None:
        self._submit(ec.RemovePosition(position_id=str(pid)))

    @rule(
        pid=st.sampled_from(["eth", "btc-spot", "cash", "btc-fut"]),
        part=st.integers(0, 1_100),
    )
    def withdraw(self, pid: str, part: int) -> None:
        # `part` per mille of the position (over 1,000: more than it holds).
        state = self.ledger.machine.state
        held = state.positions.get(pid)
        qty = abs(held.qty) * part // 1_000 if held is not None else part
        cmd = ec.Withdraw(account_id="acct", position_id=pid, qty=qty, destination=SLL)
        restricted = "acct" in state.plans or state.statuses["acct"].status in (
            MarginStatus.REDUCE_ONLY, MarginStatus.LIQUIDATION,
        )  # fmt: skip
        if restricted:
            self._submit(cmd, ErrorCode.PRIME_ENGINE_REDUCE_ONLY)
        elif held is None:
            self._submit(cmd, ErrorCode.PRIME_ENGINE_UNKNOWN_ID)
        elif held.kind is not PositionKind.SPOT:
            self._submit(cmd, ErrorCode.PRIME_ENGINE_NOT_WITHDRAWABLE)
        elif qty == 0 or qty > held.qty:
            self._submit(cmd, ErrorCode.PRIME_ENGINE_INVALID_COMMAND,
                         ErrorCode.PRIME_ENGINE_WITHDRAW_EXCEEDS_HELD)  # fmt: skip
        else:
            rest = [p for p in state.positions.values()
                    if p.account_id == "acct" and p.position_id != pid]  # fmt: skip
            if qty < held.qty:
                rest.append(replace(held, qty=held.qty - qty))
            after = margin_of(state, "acct", self.now, positions=rest)
            pool = effective_policy(state).pool(state.accounts["acct"].pool_id)
            if after.borrowed_usd_wad == 0 or withdraw_allowed(after, pool):
                assert self._submit(cmd) is not None
                event("withdrawal accepted")
            else:
                self._submit(cmd, ErrorCode.PRIME_ENGINE_WITHDRAW_HAIRCUT)

    @rule(amount=st.integers(0, 40_000_000))
    def draw(self, amount: int) -> None:
        self._submit(ec.Draw(loan_id="L1", amount=amount * USDC, cash_position_id="cash",
                             venue_id="onchain"))  # fmt: skip

    @rule(amount=st.integers(1, 13_000_000))
    def repay(self, amount: int) -> None:
        self._submit(ec.Repay(loan_id="L1", amount=amount * USDC))

    @rule()
    def remargin(self) -> None:
        if self._submit(ec.Remargin()) is None:
            return
        state = self.ledger.machine.state
        for account_id, account in state.accounts.items():
            positions = [p for p in state.positions.values() if p.account_id == account_id]
            loans = [accrue(ln, now_ts_s=self.now) for ln in state.loans.values()
                     if ln.account_id == account_id]  # fmt: skip
            pool = state.policy.pool(account.pool_id)
            fresh = margin_account(positions, loans, state.prices, state.policy, pool,
                                   assets=state.assets, now_ts_s=self.now,
                                   depths=state.depths or None)  # fmt: skip
            status = state.statuses[account_id]
            assert status.rf_wad == fresh.rf_wad
            raw = rf_status(fresh.rf_wad, pool)
            assert _RANK[status.status] >= _RANK[raw]
            if raw in (MarginStatus.HEALTHY, MarginStatus.LIQUIDATION):
                assert status.status is raw
            assert (account_id in state.plans) == (status.status is MarginStatus.LIQUIDATION)
            event(f"remargin: {status.status.value}")

    @rule()
    def liquidate(self) -> None:
        plan = self.ledger.machine.state.plans.get("acct")
        if plan is None:
            self._submit(ec.ExecuteLiquidation(account_id="acct", fills=()),
                         ErrorCode.PRIME_ENGINE_UNKNOWN_ID)  # fmt: skip
            return
        fills = tuple(ec.Fill(index=s.index, price_usd_e8=s.expected_price_usd_e8)
                      for s in plan.steps if s.action in TRADE_ACTIONS)  # fmt: skip
        result = self._submit(ec.ExecuteLiquidation(account_id="acct", fills=fills))
        if result is not None:
            event("liquidation executed" + (" with bad debt" if result["bad_debt"] else ""))
            assert result["bad_debt"] >= 0
            assert not [p for p in self.ledger.machine.state.positions.values()
                        if p.account_id == "acct"]  # fmt: skip

    @invariant()
    def round_trip_and_limits(self) -> None:
        if not hasattr(self, "ledger"):
            return
        book = self.ledger.machine
        snap = json.loads(canonical_json(book.snapshot()))
        assert PrimeBook.restore(snap).state_hash() == book.state_hash()
        from sparkprime.prime.engine_margin import limit_state  # noqa: PLC0415

        checks = check_book(limit_state(book.state, self.now))
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]


TestPrimeBook = PrimeBookModel.TestCase
TestPrimeBook.settings = settings(max_examples=8 * FUZZ, stateful_step_count=25, deadline=None)
