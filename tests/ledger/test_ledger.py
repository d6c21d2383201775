"""The journal on SQLite and in memory: append, idempotency, rejection, replay, corruption."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.ledger.entry import GENESIS_HASH
from sparkprime.ledger.ledger import SCHEMA_VERSION, SNAPSHOTS_KEPT, Ledger, Submission
from sparkprime.ledger.sql_store import SqlJournalStore
from sparkprime.ledger.store import JournalStore, MemoryJournalStore
from tests.ledger.machines import Bank, Deposit, Transfer, Withdraw

StoreFactory = Callable[[], JournalStore]


@pytest.fixture(params=["memory", "sqlite"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """A factory that reopens the same journal (a new store object on the same data)."""
    if request.param == "memory":
        memory = MemoryJournalStore()
        yield lambda: memory
    else:
        path = tmp_path / "journal.db"
        yield lambda: SqlJournalStore.sqlite(str(path))


def _seeded(store: JournalStore) -> Ledger[Bank]:
    ledger = Ledger.create(store, Bank(start_ts_s=1_000), paranoid=True)
    ledger.submit(Deposit(account="alice", amount=100), idempotency_key="d1", ts_s=1_010)
    ledger.submit(Deposit(account="bob", amount=50), idempotency_key="d2", ts_s=1_020)
    ledger.submit(Transfer(source="alice", target="bob", amount=30), ts_s=1_030)
    return ledger


def _journal_size(ledger: Ledger[Any]) -> int:
    return sum(1 for _ in ledger.entries())


def test_submit_acknowledges_with_seq_hash_and_result(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    receipt = ledger.submit(Withdraw(account="bob", amount=5), idempotency_key="w1", ts_s=1_040)
    assert (receipt.seq, receipt.ts_s, receipt.kind) == (4, 1_040, "bank.withdraw")
    assert receipt.result == 75
    assert not receipt.duplicate
    assert receipt.entry_hash == ledger.head_hash
    assert ledger.machine.clock.now == 1_040
    entries = list(ledger.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash not in (GENESIS_HASH, "")  # the root commits to the genesis state
    for prev, curr in itertools.pairwise(entries):
        assert curr.prev_hash == prev.entry_hash
    assert all(e.computed_hash() == e.entry_hash for e in entries)


def test_reopen_replays_to_the_same_state(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    expected = ledger.state_hash()
    reopened = Ledger.open(store_factory(), Bank)
    assert reopened.state_hash() == expected
    assert reopened.head_seq == 3
    assert reopened.head_hash == ledger.head_hash
    assert reopened.machine.balances == {"alice": 70, "bob": 80}
    assert reopened.machine.clock.now == 1_030


def test_same_key_same_payload_returns_the_earlier_result_and_applies_once(
    store_factory: StoreFactory,
):
    ledger = _seeded(store_factory())
    first = ledger.submit(Deposit(account="carol", amount=7), idempotency_key="k", ts_s=1_050)
    again = ledger.submit(Deposit(account="carol", amount=7), idempotency_key="k", ts_s=1_060)
    assert again.duplicate
    assert (again.seq, again.result, again.entry_hash) == (
        first.seq,
        first.result,
        first.entry_hash,
    )
    assert ledger.machine.balances["carol"] == 7
    assert _journal_size(ledger) == 4
    reopened = Ledger.open(store_factory(), Bank)
    dup = reopened.submit(Deposit(account="carol", amount=7), idempotency_key="k")
    assert dup.duplicate
    assert reopened.machine.balances["carol"] == 7


def test_same_key_different_payload_is_rejected_and_nothing_written(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    before = (ledger.state_hash(), _journal_size(ledger), len(ledger.rejections()))
    with pytest.raises(ProtocolError) as info:
        ledger.submit(Deposit(account="alice", amount=101), idempotency_key="d1")
    assert info.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    assert info.value.context == {"key": "d1", "seq": 1}
    assert (ledger.state_hash(), _journal_size(ledger), len(ledger.rejections())) == before


def test_refused_command_is_logged_as_rejection_but_not_journaled(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    before_hash, before_now = ledger.state_hash(), ledger.machine.clock.now
    with pytest.raises(ProtocolError) as info:
        ledger.submit(Withdraw(account="alice", amount=71), idempotency_key="w-big", ts_s=2_000)
    assert info.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert ledger.state_hash() == before_hash
    assert ledger.machine.clock.now == before_now  # the warp was undone
    assert _journal_size(ledger) == 3
    (rejection,) = ledger.rejections()
    assert (rejection.code_name, rejection.idempotency_key) == ("INSUFFICIENT_BALANCE", "w-big")
    assert "balance 70 is less than 71" in rejection.message
    # The key of a refused command stays free: a later valid use applies.
    ok = ledger.submit(Withdraw(account="alice", amount=70), idempotency_key="w-big")
    assert not ok.duplicate
    assert ok.result == 0


@pytest.mark.parametrize(
    ("submit", "code"),
    [
        (lambda lg: lg.submit("not a command"), ErrorCode.UNKNOWN_COMMAND_KIND),
        (
            lambda lg: lg.submit(Deposit(account="a", amount=1), ts_s=-1),
            ErrorCode.VALUE_OUT_OF_RANGE,
        ),
        (lambda lg: lg.submit(Deposit(account="a", amount=1), ts_s=1.5), ErrorCode.INVALID_TYPE),
        (
            lambda lg: lg.submit(Deposit(account="a", amount=1), idempotency_key="a b"),
            ErrorCode.INVALID_ID,
        ),
        (
            lambda lg: lg.submit(Deposit(account="a", amount=1), idempotency_key=""),
            ErrorCode.INVALID_ID,
        ),
        (
            lambda lg: lg.submit(Deposit(account="a", amount=1), idempotency_key=7),
            ErrorCode.INVALID_TYPE,
        ),
        (
            lambda lg: lg.submit_batch([Submission(command=object())]),
            ErrorCode.UNKNOWN_COMMAND_KIND,
        ),
    ],
)
def test_bad_input_raises_and_writes_nothing(store_factory: StoreFactory, submit, code):
    ledger = _seeded(store_factory())
    before = (ledger.state_hash(), _journal_size(ledger), len(ledger.rejections()))
    with pytest.raises(ProtocolError) as info:
        submit(ledger)
    assert info.value.code is code
    assert (ledger.state_hash(), _journal_size(ledger), len(ledger.rejections())) == before


def test_timestamp_before_head_is_refused(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    with pytest.raises(ProtocolError) as info:
        ledger.submit(Deposit(account="a", amount=1), ts_s=1_029)
    assert info.value.code is ErrorCode.JOURNAL_TIMESTAMP_BEFORE_HEAD
    assert _journal_size(ledger) == 3


def test_batch_applies_in_order_with_per_command_outcomes(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    outcomes = ledger.submit_batch(
        [
            Submission(command=Deposit(account="c", amount=5), idempotency_key="b1", ts_s=1_100),
            Submission(command=Withdraw(account="c", amount=9)),
            Submission(command=Deposit(account="c", amount=5), idempotency_key="b1"),
            Submission(command=Deposit(account="c", amount=6), idempotency_key="b1"),
            Submission(command=Withdraw(account="c", amount=5), idempotency_key="b2"),
        ]
    )
    assert [type(o).__name__ for o in outcomes] == [
        "Receipt",
        "ProtocolError",
        "Receipt",
        "ProtocolError",
        "Receipt",
    ]
    assert outcomes[2].duplicate  # type: ignore[union-attr]
    assert outcomes[3].code is ErrorCode.IDEMPOTENCY_KEY_REUSED  # type: ignore[union-attr]
    assert [e.seq for e in ledger.entries(after_seq=3)] == [4, 5]
    assert Ledger.open(store_factory(), Bank).state_hash() == ledger.state_hash()


def test_batch_over_the_limit_is_refused(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    with pytest.raises(ProtocolError) as info:
        ledger.submit_batch([Submission(command=Deposit(account="a", amount=1))] * 10_001)
    assert info.value.code is ErrorCode.LIMIT_EXCEEDED


def test_snapshot_shortens_replay_and_agrees_with_full_replay(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    snap = ledger.snapshot()
    assert (snap.seq, snap.chain_hash, snap.state_hash) == (
        3,
        ledger.head_hash,
        ledger.state_hash(),
    )
    ledger.submit(Deposit(account="dave", amount=1), ts_s=1_200)
    from_snapshot = Ledger.open(store_factory(), Bank)
    from_genesis = Ledger.open(store_factory(), Bank, use_snapshots=False)
    assert from_snapshot.state_hash() == from_genesis.state_hash() == ledger.state_hash()


def test_closed_ledger_refuses_use(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    ledger.close()
    with pytest.raises(ProtocolError) as info:
        ledger.submit(Deposit(account="a", amount=1))
    assert info.value.code is ErrorCode.JOURNAL_CLOSED


def test_create_on_an_existing_journal_is_refused(store_factory: StoreFactory):
    _seeded(store_factory())
    with pytest.raises(ProtocolError):
        Ledger.create(store_factory(), Bank())


def test_open_or_create(store_factory: StoreFactory):
    first = Ledger.open_or_create(store_factory(), Bank, Bank(start_ts_s=5))
    first.submit(Deposit(account="a", amount=2))
    second = Ledger.open_or_create(store_factory(), Bank, Bank(start_ts_s=999))
    assert second.machine.clock.now == 5
    assert second.state_hash() == first.state_hash()


def test_open_with_another_state_machine_is_refused(store_factory: StoreFactory):
    _seeded(store_factory())

    class OtherBank(Bank):
        NAME: ClassVar[str] = "tests.other_bank/1"

    with pytest.raises(ProtocolError) as info:
        Ledger.open(store_factory(), OtherBank)
    assert info.value.code is ErrorCode.JOURNAL_STATE_MACHINE_MISMATCH


def test_nondeterministic_machine_is_caught_on_replay(store_factory: StoreFactory):
    class Leaky(Bank):
        NAME: ClassVar[str] = "tests.leaky/1"
        calls: ClassVar[int] = 0

        def apply(self, command: object) -> object:
            Leaky.calls += 1
            super().apply(command)
            return Leaky.calls  # differs between the first run and the replay

    ledger = Ledger.create(store_factory(), Leaky())
    ledger.submit(Deposit(account="a", amount=1))
    with pytest.raises(InvariantViolation, match="replay diverged"):
        Ledger.open(store_factory(), Leaky)


def test_paranoid_mode_catches_a_rejection_that_mutated(store_factory: StoreFactory):
    class Sloppy(Bank):
        NAME: ClassVar[str] = "tests.sloppy/1"

        def _withdraw(self, cmd: Withdraw) -> int:
            self.applied += 1  # mutates before validating: the bug paranoid mode exists for
            return super()._withdraw(cmd)

    ledger = Ledger.create(store_factory(), Sloppy(), paranoid=True)
    ledger.submit(Deposit(account="a", amount=1))
    with pytest.raises(InvariantViolation, match="rejection changed state"):
        ledger.submit(Withdraw(account="a", amount=2))
    # The ledger rebuilt itself from the journal: the stray mutation is gone.
    assert ledger.machine.applied == 1
    assert _journal_size(ledger) == 1


# ---- corruption on disk (SQLite) ----------------------------------------------------------


def _sqlite_journal(tmp_path: Path, entries: int = 6) -> Path:
    path = tmp_path / "journal.db"
    ledger = Ledger.create(SqlJournalStore.sqlite(str(path)), Bank())
    for i in range(entries):
        ledger.submit(Deposit(account=f"acct-{i % 3}", amount=i + 1), idempotency_key=f"k{i}")
    ledger.close()
    return path


def _sql(path: Path, statement: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(statement)


def _open_error(path: Path) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        Ledger.open(SqlJournalStore.sqlite(str(path)), Bank)
    return info.value


@pytest.mark.parametrize(
    ("statement", "last_good_seq"),
    [
        ("UPDATE journal_entry SET payload = replace(payload, '4', '9') WHERE seq = 4", 3),
        ("UPDATE journal_entry SET result = '0' WHERE seq = 2", 1),
        ("UPDATE journal_entry SET ts_s = ts_s + 1 WHERE seq = 6", 5),
        ("UPDATE journal_entry SET idempotency_key = 'forged' WHERE seq = 1", 0),
        ("DELETE FROM journal_entry WHERE seq = 5", 4),
        ("UPDATE journal_entry SET prev_hash = entry_hash WHERE seq = 3", 2),
    ],
)
def test_tampered_journal_names_the_last_good_seq(
    tmp_path: Path, statement: str, last_good_seq: int
):
    path = _sqlite_journal(tmp_path)
    _sql(path, statement)
    error = _open_error(path)
    assert error.code is ErrorCode.JOURNAL_CORRUPT
    assert error.context["last_good_seq"] == last_good_seq
    assert f"after seq {last_good_seq}" in str(error)


def test_tampered_genesis_snapshot_is_detected(tmp_path: Path):
    path = _sqlite_journal(tmp_path)
    _sql(path, "UPDATE journal_snapshot SET state = replace(state, '0', '1') WHERE seq = 0")
    assert _open_error(path).code is ErrorCode.SNAPSHOT_CORRUPT


def test_truncated_database_file_is_reported_as_corrupt(tmp_path: Path):
    path = _sqlite_journal(tmp_path, entries=400)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = _open_error(path)
    assert error.code is ErrorCode.JOURNAL_CORRUPT
    assert 0 <= error.context["last_good_seq"] < 400


def test_garbage_file_is_reported_as_corrupt(tmp_path: Path):
    path = tmp_path / "journal.db"
    path.write_bytes(b"this is not a database" * 100)
    error = _open_error(path)
    assert error.code is ErrorCode.JOURNAL_CORRUPT
    assert error.context["last_good_seq"] == 0


@pytest.mark.parametrize(
    ("version", "code"),
    [
        (SCHEMA_VERSION + 1, ErrorCode.JOURNAL_SCHEMA_TOO_NEW),
        (SCHEMA_VERSION - 1, ErrorCode.JOURNAL_SCHEMA_TOO_OLD),
    ],
)
def test_schema_version_is_checked_on_open(tmp_path: Path, version: int, code: ErrorCode):
    path = _sqlite_journal(tmp_path)
    _sql(path, f"UPDATE journal_meta SET value = '{version}' WHERE key = 'schema_version'")
    before = path.read_bytes()
    error = _open_error(path)
    assert error.code is code
    assert error.context["found"] == version
    assert path.read_bytes() == before  # nothing written


def test_open_of_an_empty_store_is_refused(tmp_path: Path):
    error = _open_error(tmp_path / "none.db")
    assert error.code is ErrorCode.JOURNAL_CORRUPT
    assert error.context["reason"] == "no journal"


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path):
    path = _sqlite_journal(tmp_path, entries=1)
    store = SqlJournalStore.sqlite(str(path))
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    store.close()


def test_old_snapshots_are_pruned_but_genesis_and_the_newest_stay(store_factory: StoreFactory):
    ledger = _seeded(store_factory())
    seqs = []
    for i in range(4):
        ledger.submit(Deposit(account="e", amount=i + 1))
        seqs.append(ledger.snapshot().seq)
    store = store_factory()
    assert store.snapshot_seqs() == [0, *seqs[-SNAPSHOTS_KEPT:]]
    assert Ledger.open(store, Bank).state_hash() == ledger.state_hash()


def test_in_memory_sqlite_journal_works(tmp_path: Path):
    ledger = Ledger.create(SqlJournalStore("sqlite://"), Bank())
    ledger.submit(Deposit(account="a", amount=3), idempotency_key="x")
    ledger.snapshot()
    assert ledger.submit(Deposit(account="a", amount=3), idempotency_key="x").duplicate
    assert ledger.machine.balances == {"a": 3}
