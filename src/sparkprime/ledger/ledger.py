"""The ledger: a state machine driven only through its append-only, hash-chained journal.

`submit` runs, in order: check the input (types, ranges, kind, key) -> take the write lock
and catch up on entries other writers added -> idempotency check -> warp the clock ->
`machine.apply` (validate, then execute) -> write the entry and commit -> acknowledge. A
command is acknowledged only after its entry is committed, so a crash at any point leaves a
journal whose every acknowledged command is present once, in a verifiable chain.

Rejected input never reaches the journal. A well-formed command that the machine refuses is
kept in a separate rejection log for audit; it does not enter the chain and is never replayed.

Example (with any `StateMachine`, e.g. the one in examples/foundation_demo.py):
    ledger = Ledger.create(SqlJournalStore.sqlite("book.db"), Savings.genesis(start_ts_s=0))
    ledger.submit(Deposit(saver="alice", amount_wad=10**18), idempotency_key="k1").seq  # 1
    Ledger.open(SqlJournalStore.sqlite("book.db"), Savings).state_hash()  # the same state
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Final, Generic, TypeVar

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.core.ids import parse_idempotency_key
from sparkprime.core.uint import check_uint
from sparkprime.ledger.command import CommandCodec, canonical_json
from sparkprime.ledger.entry import GENESIS_HASH, JournalEntry, Rejection
from sparkprime.ledger.machine import JsonValue, StateMachine
from sparkprime.ledger.store import JournalStore, Snapshot, WriteTxn

__all__ = ["BATCH_SIZE_MAX", "SCHEMA_VERSION", "SNAPSHOTS_KEPT", "Ledger", "Receipt", "Submission"]

SCHEMA_VERSION: Final = 1
BATCH_SIZE_MAX: Final = 10_000
SNAPSHOTS_KEPT: Final = 2  # besides the genesis: the newest, and one before it in reserve

M = TypeVar("M", bound=StateMachine)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    """The acknowledgement of a journaled command. `duplicate` means an earlier submission
    with the same idempotency key and payload already applied it; nothing ran twice."""

    seq: int
    ts_s: int
    kind: str
    result: JsonValue
    entry_hash: str
    duplicate: bool


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """One command of a batch, with its optional idempotency key and timestamp."""

    command: object
    idempotency_key: str | None = None
    ts_s: int | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class _Prepared:
    submission: Submission
    kind: str
    payload_json: str


def _snapshot_of(machine: StateMachine, *, seq: int, chain_hash: str) -> Snapshot:
    state_json = canonical_json(machine.snapshot())
    return Snapshot(
        seq=seq,
        chain_hash=chain_hash,
        state_hash=machine.state_hash(),
        state_json=state_json,
        state_sha256=hashlib.sha256(state_json.encode()).hexdigest(),
    )


def _genesis_chain_hash(genesis: Snapshot, machine_name: str) -> str:
    # The chain's root commits to the initial state, so it cannot be swapped unnoticed.
    text = f"{machine_name}\x1f{genesis.state_sha256}\x1f{GENESIS_HASH}"
    return hashlib.sha256(text.encode()).hexdigest()


class Ledger(Generic[M]):
    """A state machine plus its journal. Build with `create`, `open` or `open_or_create`."""

    def __init__(self, store: JournalStore, machine: M, *, record_rejections: bool, paranoid: bool):
        self._store = store
        self._machine = machine
        self._codec = CommandCodec(type(machine).COMMAND_TYPES)
        self._record_rejections = record_rejections
        self._paranoid = paranoid
        self._head_seq = 0
        self._head_hash = GENESIS_HASH
        self._head_ts_s = machine.clock.now
        self._closed = False

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        store: JournalStore,
        machine: M,
        *,
        record_rejections: bool = True,
        paranoid: bool = False,
    ) -> Ledger[M]:
        """Start a new journal whose initial state is `machine` (stored as the genesis).

        JOURNAL_EXISTS if the store already holds a journal.
        """
        name = type(machine).NAME
        genesis = _snapshot_of(machine, seq=0, chain_hash=GENESIS_HASH)
        chain_root = _genesis_chain_hash(genesis, name)
        genesis = dataclasses.replace(genesis, chain_hash=chain_root)
        meta = {"schema_version": str(SCHEMA_VERSION), "state_machine": name}
        store.initialize(meta, genesis)
        ledger = cls(store, machine, record_rejections=record_rejections, paranoid=paranoid)
        ledger._head_hash = chain_root
        return ledger

    @classmethod
    def open(
        cls,
        store: JournalStore,
        machine_type: type[M],
        *,
        record_rejections: bool = True,
        paranoid: bool = False,
        use_snapshots: bool = True,
    ) -> Ledger[M]:
        """Open an existing journal: check its schema, verify the whole chain, restore the
        latest snapshot and replay the entries after it."""
        meta = store.read_meta()
        if meta is None:
            raise ProtocolError(ErrorCode.JOURNAL_CORRUPT, last_good_seq=0, reason="no journal")
        _check_meta(meta, machine_type.NAME)
        genesis = _verified_genesis(store.read_snapshot(0), machine_type.NAME)
        latest_seq = store.snapshot_seqs()[-1]
        latest = store.read_snapshot(latest_seq) if use_snapshots and latest_seq else None
        chosen = genesis if latest is None else latest
        machine = _restore(machine_type, chosen)
        ledger = cls(store, machine, record_rejections=record_rejections, paranoid=paranoid)
        ledger._head_hash = genesis.chain_hash
        ledger._replay(store.iter_entries(0), apply_after_seq=chosen.seq, expect=chosen)
        return ledger

    @classmethod
    def open_or_create(
        cls,
        store: JournalStore,
        machine_type: type[M],
        genesis: M,
        *,
        record_rejections: bool = True,
        paranoid: bool = False,
    ) -> Ledger[M]:
        """`open` if the store holds a journal, else `create` with `genesis`.

        Safe when several processes race to create the same journal: one creates it, the
        others open it.
        """
        if store.read_meta() is None:
            try:
                return cls.create(
                    store, genesis, record_rejections=record_rejections, paranoid=paranoid
                )
            except ProtocolError as error:
                if error.code is not ErrorCode.JOURNAL_EXISTS:
                    raise
        return cls.open(store, machine_type, record_rejections=record_rejections, paranoid=paranoid)

    # ---- reading -------------------------------------------------------------------------

    @property
    def machine(self) -> M:
        """The current state. Read it; change it only through `submit`."""
        return self._machine

    @property
    def head_seq(self) -> int:
        """The sequence number of the last applied entry (0 for an empty journal)."""
        return self._head_seq

    @property
    def head_hash(self) -> str:
        """The chain hash of the last applied entry."""
        return self._head_hash

    def state_hash(self) -> str:
        """The machine's state hash."""
        return self._machine.state_hash()

    def entries(self, after_seq: int = 0) -> Iterator[JournalEntry]:
        """Journal entries after `after_seq`, in order."""
        return self._store.iter_entries(after_seq)

    def rejections(self) -> list[Rejection]:
        """The audit log of refused commands."""
        return self._store.rejections()

    def decode(self, entry: JournalEntry) -> object:
        """The command an entry holds."""
        return self._codec.decode(entry.kind, entry.payload_json)

    # ---- writing -------------------------------------------------------------------------

    def submit(
        self, command: object, *, idempotency_key: str | None = None, ts_s: int | None = None
    ) -> Receipt:
        """Apply one command and journal it; return its receipt once it is durable.

        Raises ProtocolError (with nothing changed) for bad input, a reused idempotency key,
        a timestamp before the journal head, or the machine's own refusal.
        """
        outcome = self.submit_batch(
            [Submission(command=command, idempotency_key=idempotency_key, ts_s=ts_s)]
        )[0]
        if isinstance(outcome, ProtocolError):
            raise outcome
        return outcome

    def submit_batch(self, submissions: Sequence[Submission]) -> list[Receipt | ProtocolError]:
        """Apply commands in order in one transaction (one disk sync for all of them).

        Each command succeeds or fails on its own; the outcome list matches the input. Bad
        input anywhere in the batch rejects the whole batch before anything runs.
        """
        self._check_open()
        if len(submissions) > BATCH_SIZE_MAX:
            raise ProtocolError(
                ErrorCode.LIMIT_EXCEEDED, what="batch", value=len(submissions), limit=BATCH_SIZE_MAX
            )
        prepared = [self._prepare(s) for s in submissions]
        try:
            with self._store.write() as txn:
                self._replay(txn.entries_after(self._head_seq), apply_after_seq=self._head_seq)
                outcomes = self._run_batch(txn, prepared)
        except (ProtocolError, InvariantViolation):
            self._reload()
            raise
        except Exception as exc:
            # The machine moved but the journal did not: rebuild it from the journal.
            self._reload()
            raise ProtocolError(ErrorCode.JOURNAL_WRITE_FAILED, reason=repr(exc)) from exc
        return outcomes

    def snapshot(self) -> Snapshot:
        """Save the current state at the head seq (after catching up on other writers), so
        the next `open` replays less."""
        self._check_open()
        with self._store.write() as txn:
            self._replay(txn.entries_after(self._head_seq), apply_after_seq=self._head_seq)
            snap = _snapshot_of(self._machine, seq=self._head_seq, chain_hash=self._head_hash)
            txn.save_snapshot(snap)
            kept = [seq for seq in txn.snapshot_seqs() if seq not in (0, snap.seq)]
            txn.delete_snapshots(kept[: max(len(kept) - (SNAPSHOTS_KEPT - 1), 0)])
        return snap

    def close(self) -> None:
        """Close the store; the ledger refuses further use."""
        self._closed = True
        self._store.close()

    # ---- internals -----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ProtocolError(ErrorCode.JOURNAL_CLOSED)

    def _prepare(self, submission: Submission) -> _Prepared:
        kind, payload_json = self._codec.encode(submission.command)
        if submission.idempotency_key is not None:
            parse_idempotency_key(submission.idempotency_key)
        if submission.ts_s is not None:
            check_uint(submission.ts_s, field="ts_s", bits=40)
        return _Prepared(submission=submission, kind=kind, payload_json=payload_json)

    def _run_batch(self, txn: WriteTxn, prepared: list[_Prepared]) -> list[Receipt | ProtocolError]:
        outcomes: list[Receipt | ProtocolError] = []
        written: list[JournalEntry] = []
        keys = [p.submission.idempotency_key for p in prepared]
        # One look-up for the whole batch; keys used inside it are added as it goes.
        used_keys = txn.find_by_keys([k for k in keys if k is not None])
        for item in prepared:
            key = item.submission.idempotency_key
            earlier = None if key is None else used_keys.get(key)
            if earlier is not None:
                outcomes.append(_duplicate_receipt(earlier, item))
                continue
            try:
                entry = self._apply_new(item)
            except ProtocolError as error:
                if self._record_rejections:
                    submitted_ts_s = item.submission.ts_s
                    ts_s = self._machine.clock.now if submitted_ts_s is None else submitted_ts_s
                    txn.add_rejection(_rejection(item, error, ts_s))
                outcomes.append(error)
                continue
            written.append(entry)
            if key is not None:
                used_keys[key] = entry
            outcomes.append(_receipt(entry, duplicate=False))
        txn.append(written)
        return outcomes

    def _apply_new(self, item: _Prepared) -> JournalEntry:
        clock = self._machine.clock
        curr_ts_s = clock.now
        ts_s = curr_ts_s if item.submission.ts_s is None else item.submission.ts_s
        if ts_s < self._head_ts_s:
            raise ProtocolError(
                ErrorCode.JOURNAL_TIMESTAMP_BEFORE_HEAD, ts_s=ts_s, head_ts_s=self._head_ts_s
            )
        curr_state_hash = self._machine.state_hash() if self._paranoid else ""
        clock.warp(ts_s)
        try:
            result = self._machine.apply(item.submission.command)
        except ProtocolError:
            clock.rewind_to(curr_ts_s)
            if self._paranoid and self._machine.state_hash() != curr_state_hash:
                raise InvariantViolation("rejection changed state", kind=item.kind) from None
            raise
        entry = self._make_entry(item, ts_s=ts_s, result_json=canonical_json(result))
        self._advance(entry)
        return entry

    def _make_entry(self, item: _Prepared, *, ts_s: int, result_json: str) -> JournalEntry:
        entry = JournalEntry(
            seq=self._head_seq + 1,
            ts_s=ts_s,
            idempotency_key=item.submission.idempotency_key,
            kind=item.kind,
            payload_json=item.payload_json,
            result_json=result_json,
            prev_hash=self._head_hash,
            entry_hash="",
        )
        return dataclasses.replace(entry, entry_hash=entry.computed_hash())

    def _advance(self, entry: JournalEntry) -> None:
        self._head_seq = entry.seq
        self._head_hash = entry.entry_hash
        self._head_ts_s = entry.ts_s

    def _replay(
        self,
        entries: Iterator[JournalEntry] | list[JournalEntry],
        *,
        apply_after_seq: int,
        expect: Snapshot | None = None,
    ) -> None:
        """Verify each entry's place in the chain; apply those after `apply_after_seq`."""
        for entry in entries:
            self._verify_link(entry)
            if entry.seq > apply_after_seq:
                self._reapply(entry)
            else:
                self._advance(entry)
            if (
                expect is not None
                and entry.seq == expect.seq
                and entry.entry_hash != expect.chain_hash
            ):
                raise ProtocolError(
                    ErrorCode.SNAPSHOT_CORRUPT, seq=expect.seq, reason="not on this chain"
                )
        if expect is not None and self._head_seq < expect.seq:
            raise ProtocolError(
                ErrorCode.JOURNAL_CORRUPT,
                last_good_seq=self._head_seq,
                reason=f"entries missing before the snapshot at seq {expect.seq}",
            )

    def _verify_link(self, entry: JournalEntry) -> None:
        reason = None
        if entry.seq != self._head_seq + 1:
            reason = f"expected seq {self._head_seq + 1}, found {entry.seq}"
        elif entry.prev_hash != self._head_hash:
            reason = f"seq {entry.seq} does not link to the previous entry"
        elif entry.computed_hash() != entry.entry_hash:
            reason = f"seq {entry.seq} does not match its hash"
        if reason is not None:
            raise ProtocolError(
                ErrorCode.JOURNAL_CORRUPT, last_good_seq=self._head_seq, reason=reason
            )

    def _reapply(self, entry: JournalEntry) -> None:
        try:
            command = self._codec.decode(entry.kind, entry.payload_json)
            self._machine.clock.warp(entry.ts_s)
            result_json = canonical_json(self._machine.apply(command))
        except ProtocolError as error:
            raise InvariantViolation(
                "journaled command failed on replay", seq=entry.seq, error=str(error)
            ) from error
        if result_json != entry.result_json:
            raise InvariantViolation(
                "replay diverged", seq=entry.seq, journaled=entry.result_json, replayed=result_json
            )
        self._advance(entry)

    def _reload(self) -> None:
        """Rebuild machine and head from the store after a failed write."""
        fresh = Ledger.open(
            self._store,
            type(self._machine),
            record_rejections=self._record_rejections,
            paranoid=self._paranoid,
        )
        self._machine = fresh._machine
        self._head_seq, self._head_hash = fresh._head_seq, fresh._head_hash
        self._head_ts_s = fresh._head_ts_s


def _check_meta(meta: dict[str, str], machine_name: str) -> None:
    try:
        found = int(meta.get("schema_version", ""))
    except ValueError:
        raise ProtocolError(
            ErrorCode.JOURNAL_CORRUPT, last_good_seq=0, reason="schema_version is unreadable"
        ) from None
    if found > SCHEMA_VERSION:
        raise ProtocolError(ErrorCode.JOURNAL_SCHEMA_TOO_NEW, found=found, supported=SCHEMA_VERSION)
    if found < SCHEMA_VERSION:
        raise ProtocolError(ErrorCode.JOURNAL_SCHEMA_TOO_OLD, found=found, supported=SCHEMA_VERSION)
    if meta.get("state_machine") != machine_name:
        raise ProtocolError(
            ErrorCode.JOURNAL_STATE_MACHINE_MISMATCH,
            found=meta.get("state_machine"),
            expected=machine_name,
        )


def _verified_genesis(genesis: Snapshot | None, machine_name: str) -> Snapshot:
    if genesis is None:
        raise ProtocolError(ErrorCode.SNAPSHOT_CORRUPT, seq=0, reason="genesis snapshot missing")
    if _genesis_chain_hash(genesis, machine_name) != genesis.chain_hash:
        raise ProtocolError(ErrorCode.SNAPSHOT_CORRUPT, seq=0, reason="genesis does not match")
    return genesis


def _restore(machine_type: type[M], snap: Snapshot) -> M:
    if hashlib.sha256(snap.state_json.encode()).hexdigest() != snap.state_sha256:
        raise ProtocolError(ErrorCode.SNAPSHOT_CORRUPT, seq=snap.seq, reason="checksum mismatch")
    machine = machine_type.restore(json.loads(snap.state_json))
    if machine.state_hash() != snap.state_hash:
        raise ProtocolError(
            ErrorCode.SNAPSHOT_CORRUPT, seq=snap.seq, reason="restored state hash differs"
        )
    return machine


def _receipt(entry: JournalEntry, *, duplicate: bool) -> Receipt:
    return Receipt(
        seq=entry.seq,
        ts_s=entry.ts_s,
        kind=entry.kind,
        result=json.loads(entry.result_json),
        entry_hash=entry.entry_hash,
        duplicate=duplicate,
    )


def _duplicate_receipt(earlier: JournalEntry, item: _Prepared) -> Receipt | ProtocolError:
    if earlier.kind == item.kind and earlier.payload_json == item.payload_json:
        return _receipt(earlier, duplicate=True)
    return ProtocolError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED, key=earlier.idempotency_key, seq=earlier.seq
    )


def _rejection(item: _Prepared, error: ProtocolError, ts_s: int) -> Rejection:
    return Rejection(
        ts_s=ts_s,
        idempotency_key=item.submission.idempotency_key,
        kind=item.kind,
        payload_json=item.payload_json,
        code=int(error.code),
        code_name=error.code.name,
        message=error.message,
    )
