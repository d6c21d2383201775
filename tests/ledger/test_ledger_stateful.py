"""Random command streams against an independent model of what the journal must hold.

The model is a plain dict of balances plus the list of (key, command) that were accepted:
it knows nothing of hashes or stores. After every step the ledger must agree with it, and
a reopen (snapshot or full replay) must reproduce the same state hash.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger import Ledger, MemoryJournalStore, SqlJournalStore, Submission
from sparkprime.ledger.store import JournalStore
from tests.ledger.machines import Bank, Deposit, Transfer, Withdraw

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))
ACCOUNTS = st.sampled_from(["a", "b", "c"])
AMOUNTS = st.integers(min_value=0, max_value=50)
KEYS = st.one_of(st.none(), st.sampled_from([f"key-{i}" for i in range(8)]))


def _commands() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(Deposit, account=ACCOUNTS, amount=AMOUNTS),
        st.builds(Withdraw, account=ACCOUNTS, amount=AMOUNTS),
        st.builds(Transfer, source=ACCOUNTS, target=ACCOUNTS, amount=AMOUNTS),
    )


def _model_apply(balances: dict[str, int], cmd: Any) -> bool:
    """Apply to the model; False if the bank must refuse it."""
    if isinstance(cmd, Deposit):
        balances[cmd.account] = balances.get(cmd.account, 0) + cmd.amount
        return True
    source = cmd.account if isinstance(cmd, Withdraw) else cmd.source
    if balances.get(source, 0) < cmd.amount:
        return False
    balances[source] = balances.get(source, 0) - cmd.amount
    if isinstance(cmd, Transfer):
        balances[cmd.target] = balances.get(cmd.target, 0) + cmd.amount
    return True


class JournalModel(RuleBasedStateMachine):
    store_kind = "memory"

    @initialize()
    def start(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.path = Path(self.tmp.name) / "journal.db"
        self.memory = MemoryJournalStore()
        self.ledger: Ledger[Bank] = Ledger.create(self._store(), Bank(start_ts_s=0), paranoid=True)
        self.balances: dict[str, int] = {}
        self.by_key: dict[str, tuple[Any, int]] = {}  # key -> (command, seq)
        self.accepted = 0
        self.now_s = 0

    def teardown(self) -> None:
        if hasattr(self, "tmp"):
            self.ledger.close()
            self.tmp.cleanup()

    def _store(self) -> JournalStore:
        return (
            self.memory if self.store_kind == "memory" else SqlJournalStore.sqlite(str(self.path))
        )

    def _expect(self, cmd: Any, key: str | None) -> tuple[str, int | None]:
        """What must happen: ("dup", seq), ("reused", seq), ("refused", None), ("ok", seq)."""
        if key is not None and key in self.by_key:
            earlier, seq = self.by_key[key]
            return ("dup", seq) if earlier == cmd else ("reused", seq)
        if _model_apply(self.balances, cmd):
            self.accepted += 1
            if key is not None:
                self.by_key[key] = (cmd, self.accepted)
            return "ok", self.accepted
        return "refused", None

    def _check(self, outcome: Any, expected: tuple[str, int | None]) -> None:
        verdict, seq = expected
        if verdict in ("ok", "dup"):
            assert not isinstance(outcome, ProtocolError), outcome
            assert outcome.seq == seq
            assert outcome.duplicate == (verdict == "dup")
        elif verdict == "reused":
            assert isinstance(outcome, ProtocolError)
            assert outcome.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
        else:
            assert isinstance(outcome, ProtocolError)
            assert outcome.code is ErrorCode.INSUFFICIENT_BALANCE

    @rule(cmd=_commands(), key=KEYS, dt=st.integers(min_value=0, max_value=3_600))
    def submit(self, cmd: Any, key: str | None, dt: int) -> None:
        self.now_s += dt
        expected = self._expect(cmd, key)
        try:
            outcome: Any = self.ledger.submit(cmd, idempotency_key=key, ts_s=self.now_s)
        except ProtocolError as error:
            outcome = error
        self._check(outcome, expected)

    @rule(items=st.lists(st.tuples(_commands(), KEYS), min_size=1, max_size=6))
    def submit_batch(self, items: list[tuple[Any, str | None]]) -> None:
        expected = [self._expect(cmd, key) for cmd, key in items]
        outcomes = self.ledger.submit_batch(
            [Submission(command=cmd, idempotency_key=key) for cmd, key in items]
        )
        assert len(outcomes) == len(items)
        for outcome, want in zip(outcomes, expected, strict=True):
            self._check(outcome, want)

    @rule()
    def snapshot(self) -> None:
        snap = self.ledger.snapshot()
        assert snap.seq == self.accepted

    @precondition(lambda self: self.accepted > 0)
    @rule(use_snapshots=st.booleans())
    def crash_and_reopen(self, use_snapshots: bool) -> None:
        expected = self.ledger.state_hash()
        if self.store_kind != "memory":
            self.ledger.close()
        self.ledger = Ledger.open(self._store(), Bank, use_snapshots=use_snapshots, paranoid=True)
        assert self.ledger.state_hash() == expected

    @invariant()
    def agrees_with_model(self) -> None:
        if not hasattr(self, "ledger"):
            return
        nonzero = {k: v for k, v in self.ledger.machine.balances.items() if v}
        assert nonzero == {k: v for k, v in self.balances.items() if v}
        assert self.ledger.head_seq == self.accepted
        assert self.ledger.machine.applied == self.accepted


class SqliteJournalModel(JournalModel):
    store_kind = "sqlite"


TestMemoryJournal = JournalModel.TestCase
TestMemoryJournal.settings = settings(max_examples=60 * FUZZ, stateful_step_count=30, deadline=None)
TestSqliteJournal = SqliteJournalModel.TestCase
TestSqliteJournal.settings = settings(max_examples=15 * FUZZ, stateful_step_count=20, deadline=None)
