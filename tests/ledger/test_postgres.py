"""The journal behaves the same on PostgreSQL as on SQLite.

Every test runs on both back ends: a SQLite file and a fresh database on the throwaway
PostgreSQL server from `tests/conftest.py` (skipped, with the reason, where the machine has
no PostgreSQL server binaries). Damage is done with plain SQL, as an intruder or a bad
migration would do it, and `Ledger.open` must name the last entry it could trust.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger.ledger import SCHEMA_VERSION, Ledger, Receipt, Submission
from sparkprime.ledger.sql_store import SqlJournalStore
from tests.ledger.machines import Bank, Deposit, Transfer, Withdraw

START_TS_S = 1_700_000_000


@pytest.fixture
def sql(url: str) -> Iterator[sa.Engine]:
    """A plain engine on the journal's database, for reading and damaging rows."""
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def _create(url: str) -> Ledger[Bank]:
    return Ledger.create(SqlJournalStore(url), Bank(start_ts_s=START_TS_S))


def _open(url: str, *, use_snapshots: bool = True) -> Ledger[Bank]:
    return Ledger.open(SqlJournalStore(url), Bank, use_snapshots=use_snapshots)


def _five_entries(ledger: Ledger[Bank]) -> None:
    ledger.submit(Deposit(account="alice", amount=500), idempotency_key="k1", ts_s=START_TS_S + 1)
    ledger.submit(Deposit(account="bob", amount=300), idempotency_key="k2", ts_s=START_TS_S + 2)
    ledger.submit(
        Transfer(source="alice", target="bob", amount=200),
        idempotency_key="k3",
        ts_s=START_TS_S + 3,
    )
    ledger.submit(Withdraw(account="bob", amount=100), idempotency_key="k4", ts_s=START_TS_S + 4)
    ledger.submit(Deposit(account="carol", amount=7), idempotency_key="k5", ts_s=START_TS_S + 5)


def _open_error(url: str, *, use_snapshots: bool = True) -> ProtocolError:
    store = SqlJournalStore(url)
    try:
        with pytest.raises(ProtocolError) as caught:
            Ledger.open(store, Bank, use_snapshots=use_snapshots)
    finally:
        store.close()
    return caught.value


def _count(sql: sa.Engine, table: str) -> int:
    with sql.connect() as conn:
        found: int = conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        return found


def _execute(sql: sa.Engine, statement: str, **params: object) -> None:
    with sql.begin() as conn:
        result = conn.execute(sa.text(statement), params)
        assert result.rowcount == 1, f"{statement} changed {result.rowcount} rows"


def test_backend_is_the_one_named(url: str, sql: sa.Engine) -> None:
    ledger = _create(url)
    ledger.close()
    backend = sa.make_url(url).get_backend_name()
    assert sql.dialect.name == backend
    if backend == "postgresql":
        assert sa.make_url(url).get_driver_name() == "psycopg"
    assert _count(sql, "journal_meta") == 2


def test_submit_then_reopen_gives_the_same_state(url: str, sql: sa.Engine) -> None:
    ledger = _create(url)
    _five_entries(ledger)
    state_hash, head = ledger.state_hash(), (ledger.head_seq, ledger.head_hash)
    balances = dict(ledger.machine.balances)
    entries = list(ledger.entries())
    ledger.close()

    assert balances == {"alice": 300, "bob": 400, "carol": 7}
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert _count(sql, "journal_entry") == 5
    for use_snapshots in (True, False):
        reopened = _open(url, use_snapshots=use_snapshots)
        assert reopened.state_hash() == state_hash
        assert (reopened.head_seq, reopened.head_hash) == head
        assert list(reopened.entries()) == entries
        assert reopened.machine.clock.now == START_TS_S + 5
        reopened.close()


def test_reopened_ledger_goes_on_appending(url: str) -> None:
    ledger = _create(url)
    _five_entries(ledger)
    ledger.close()
    reopened = _open(url)
    receipt = reopened.submit(Deposit(account="dave", amount=1), idempotency_key="k6")
    assert (receipt.seq, receipt.duplicate) == (6, False)
    assert receipt.ts_s == START_TS_S + 5  # no timestamp: the journal's clock, not the wall's
    state_hash = reopened.state_hash()
    reopened.close()
    again = _open(url, use_snapshots=False)
    assert again.state_hash() == state_hash
    again.close()


def test_same_key_and_payload_is_a_duplicate(url: str, sql: sa.Engine) -> None:
    ledger = _create(url)
    first = ledger.submit(Deposit(account="alice", amount=5), idempotency_key="same")
    ledger.submit(Deposit(account="bob", amount=1), idempotency_key="other")
    again = ledger.submit(Deposit(account="alice", amount=5), idempotency_key="same")
    in_batch = ledger.submit_batch(
        [
            Submission(command=Deposit(account="alice", amount=5), idempotency_key="same"),
            Submission(command=Deposit(account="erin", amount=9), idempotency_key="new"),
            Submission(command=Deposit(account="erin", amount=9), idempotency_key="new"),
        ]
    )
    balances = dict(ledger.machine.balances)
    ledger.close()

    assert (first.seq, first.duplicate) == (1, False)
    assert (again.seq, again.entry_hash, again.result, again.duplicate) == (
        1,
        first.entry_hash,
        5,
        True,
    )
    assert all(isinstance(r, Receipt) for r in in_batch)
    assert [(r.seq, r.duplicate) for r in in_batch if isinstance(r, Receipt)] == [
        (1, True),
        (3, False),
        (3, True),
    ]
    assert balances == {"alice": 5, "bob": 1, "erin": 9}
    assert _count(sql, "journal_entry") == 3


def test_same_key_with_another_payload_is_refused_and_writes_nothing(
    url: str, sql: sa.Engine
) -> None:
    ledger = _create(url)
    ledger.submit(Deposit(account="alice", amount=5), idempotency_key="same")
    state_hash, head_hash = ledger.state_hash(), ledger.head_hash
    with pytest.raises(ProtocolError) as caught:
        ledger.submit(Deposit(account="alice", amount=6), idempotency_key="same")
    assert caught.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    assert caught.value.context == {"key": "same", "seq": 1}
    with pytest.raises(ProtocolError) as caught:  # another kind, same fields: still refused
        ledger.submit(Withdraw(account="alice", amount=5), idempotency_key="same")
    assert caught.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    assert (ledger.state_hash(), ledger.head_hash) == (state_hash, head_hash)
    ledger.close()

    assert _count(sql, "journal_entry") == 1
    assert _count(sql, "journal_rejection") == 0
    reopened = _open(url)
    assert reopened.machine.balances == {"alice": 5}
    reopened.close()


def test_refusals_are_logged_and_stay_out_of_the_chain(url: str, sql: sa.Engine) -> None:
    ledger = _create(url)
    ledger.submit(Deposit(account="alice", amount=10), idempotency_key="d1", ts_s=START_TS_S + 1)
    state_hash, head = ledger.state_hash(), (ledger.head_seq, ledger.head_hash)
    with pytest.raises(ProtocolError) as caught:
        ledger.submit(
            Withdraw(account="alice", amount=11), idempotency_key="w1", ts_s=START_TS_S + 9
        )
    assert caught.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert (ledger.state_hash(), (ledger.head_seq, ledger.head_hash)) == (state_hash, head)
    assert ledger.machine.clock.now == START_TS_S + 1  # a refusal does not move time
    outcomes = ledger.submit_batch(
        [
            Submission(command=Withdraw(account="bob", amount=1), idempotency_key="w2"),
            Submission(command=Deposit(account="bob", amount=2), idempotency_key="d2"),
        ]
    )
    rejections = ledger.rejections()
    ledger.close()

    assert isinstance(outcomes[0], ProtocolError)
    assert outcomes[0].code is ErrorCode.INSUFFICIENT_BALANCE
    assert isinstance(outcomes[1], Receipt)
    assert outcomes[1].seq == 2
    assert [(r.idempotency_key, r.kind, r.code_name) for r in rejections] == [
        ("w1", "bank.withdraw", "INSUFFICIENT_BALANCE"),
        ("w2", "bank.withdraw", "INSUFFICIENT_BALANCE"),
    ]
    assert rejections[0].code == int(ErrorCode.INSUFFICIENT_BALANCE)
    assert json.loads(rejections[0].payload_json) == {"account": "alice", "amount": 11}
    assert _count(sql, "journal_entry") == 2
    # A refused key was never used: it may still be applied later.
    reopened = _open(url)
    receipt = reopened.submit(Deposit(account="alice", amount=1), idempotency_key="w1")
    assert (receipt.seq, receipt.duplicate) == (3, False)
    assert [e.idempotency_key for e in reopened.entries()] == ["d1", "d2", "w1"]
    reopened.close()


def test_snapshot_then_reopen(url: str, sql: sa.Engine) -> None:
    ledger = _create(url)
    _five_entries(ledger)
    snap = ledger.snapshot()
    fifth = list(ledger.entries())[4]
    ledger.submit(Deposit(account="alice", amount=1), idempotency_key="k6")
    state_hash = ledger.state_hash()
    ledger.close()

    assert (snap.seq, snap.chain_hash) == (5, fifth.entry_hash)
    with sql.connect() as conn:
        rows = conn.execute(sa.text("SELECT seq, state_hash FROM journal_snapshot ORDER BY seq"))
        assert [tuple(r) for r in rows] == [
            (0, Bank(start_ts_s=START_TS_S).state_hash()),
            (5, snap.state_hash),
        ]
    for use_snapshots in (True, False):
        reopened = _open(url, use_snapshots=use_snapshots)
        assert (reopened.state_hash(), reopened.head_seq) == (state_hash, 6)
        reopened.close()


def test_open_reads_the_latest_snapshot(url: str, sql: sa.Engine) -> None:
    ledger = _create(url)
    _five_entries(ledger)
    ledger.snapshot()
    ledger.close()
    # Damage the snapshot's state but not its checksum: only a reader of it can notice.
    _execute(sql, "UPDATE journal_snapshot SET state = :state WHERE seq = 5", state="{}")

    error = _open_error(url)
    assert error.code is ErrorCode.SNAPSHOT_CORRUPT
    assert error.context["seq"] == 5
    full = _open(url, use_snapshots=False)  # the journal itself is sound
    assert full.head_seq == 5
    full.close()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("payload", '{"account":"mallory","amount":200}'),
        ("result", '{"source":0,"target":1000}'),
        ("kind", "bank.deposit"),
        ("idempotency_key", "forged"),
        ("ts_s", START_TS_S + 30),
        ("prev_hash", "f" * 64),
        ("entry_hash", "e" * 64),
    ],
)
def test_a_tampered_row_is_found(url: str, sql: sa.Engine, column: str, value: object) -> None:
    ledger = _create(url)
    _five_entries(ledger)
    ledger.snapshot()  # the whole chain is checked, not just what is replayed
    ledger.close()
    _execute(sql, f"UPDATE journal_entry SET {column} = :value WHERE seq = 3", value=value)

    for use_snapshots in (True, False):
        error = _open_error(url, use_snapshots=use_snapshots)
        assert error.code is ErrorCode.JOURNAL_CORRUPT
        assert error.context["last_good_seq"] == 2


def test_a_deleted_middle_row_is_found(url: str, sql: sa.Engine) -> None:
    ledger = _create(url)
    _five_entries(ledger)
    ledger.close()
    _execute(sql, "DELETE FROM journal_entry WHERE seq = 3")

    error = _open_error(url)
    assert error.code is ErrorCode.JOURNAL_CORRUPT
    assert error.context["last_good_seq"] == 2
    assert "expected seq 3, found 4" in error.context["reason"]


def test_rows_deleted_behind_a_snapshot_are_found(url: str, sql: sa.Engine) -> None:
    ledger = _create(url)
    _five_entries(ledger)
    ledger.snapshot()
    ledger.close()
    _execute(sql, "DELETE FROM journal_entry WHERE seq = 5")

    error = _open_error(url)
    assert error.code is ErrorCode.JOURNAL_CORRUPT
    assert error.context["last_good_seq"] == 4


@pytest.mark.parametrize(
    ("version", "code"),
    [
        (SCHEMA_VERSION + 1, ErrorCode.JOURNAL_SCHEMA_TOO_NEW),
        (SCHEMA_VERSION - 1, ErrorCode.JOURNAL_SCHEMA_TOO_OLD),
    ],
)
def test_schema_version_is_checked(url: str, sql: sa.Engine, version: int, code: ErrorCode) -> None:
    _create(url).close()
    _execute(
        sql,
        "UPDATE journal_meta SET value = :v WHERE key = 'schema_version'",
        v=str(version),
    )

    error = _open_error(url)
    assert error.code is code
    assert (error.context["found"], error.context["supported"]) == (version, SCHEMA_VERSION)


def test_a_journal_of_another_machine_is_refused(url: str, sql: sa.Engine) -> None:
    _create(url).close()
    _execute(sql, "UPDATE journal_meta SET value = 'other/1' WHERE key = 'state_machine'")

    error = _open_error(url)
    assert error.code is ErrorCode.JOURNAL_STATE_MACHINE_MISMATCH
    assert error.context == {"found": "other/1", "expected": Bank.NAME}


def test_create_on_a_journal_is_refused(url: str, sql: sa.Engine) -> None:
    ledger = _create(url)
    _five_entries(ledger)
    ledger.close()
    store = SqlJournalStore(url)
    with pytest.raises(ProtocolError) as caught:
        Ledger.create(store, Bank(start_ts_s=START_TS_S))
    store.close()
    assert caught.value.code is ErrorCode.JOURNAL_EXISTS
    assert _count(sql, "journal_entry") == 5
