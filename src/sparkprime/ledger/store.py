"""Where a journal lives: the storage port and its in-memory implementation.

The ledger talks to a `JournalStore`; `SqlJournalStore` (SQLite or PostgreSQL) is the
durable one, `MemoryJournalStore` serves simulations and tests that need no disk. A store
only stores: hashing, ordering rules and replay belong to the ledger.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger.entry import JournalEntry, Rejection

__all__ = ["JournalStore", "MemoryJournalStore", "Snapshot", "WriteTxn"]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """A machine's whole state after entry `seq`, bound to that entry's chain hash."""

    seq: int
    chain_hash: str
    state_hash: str
    state_json: str
    state_sha256: str


class WriteTxn(Protocol):
    """An exclusive write transaction: one writer at a time, committed when the block ends."""

    def entries_after(self, seq: int) -> list[JournalEntry]:
        """Entries other writers appended since `seq` (to catch up before writing)."""
        ...

    def find_by_keys(self, idempotency_keys: Sequence[str]) -> dict[str, JournalEntry]:
        """The committed entries that used any of these keys, by key."""
        ...

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Write entries (already hashed and in order)."""
        ...

    def add_rejection(self, rejection: Rejection) -> None:
        """Record a refused command for audit."""
        ...

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Write (or replace) the snapshot at `snapshot.seq`."""
        ...

    def delete_snapshots(self, seqs: Sequence[int]) -> None:
        """Drop the snapshots at these seqs."""
        ...

    def snapshot_seqs(self) -> list[int]:
        """The seqs that have a snapshot, ascending, as this transaction sees them."""
        ...


class JournalStore(Protocol):
    """Durable (or not) storage of one journal."""

    def read_meta(self) -> dict[str, str] | None:
        """The journal's metadata, or None for an empty store."""
        ...

    def initialize(self, meta: dict[str, str], genesis: Snapshot) -> None:
        """Create the journal with its metadata and the initial state's snapshot, atomically;
        JOURNAL_EXISTS if the store already holds one."""
        ...

    def iter_entries(self, after_seq: int) -> Iterator[JournalEntry]:
        """Entries with seq > after_seq in order; JOURNAL_CORRUPT if unreadable."""
        ...

    def find_by_key(self, idempotency_key: str) -> JournalEntry | None:
        """The entry that used this key, if any."""
        ...

    def snapshot_seqs(self) -> list[int]:
        """The seqs that have a snapshot, ascending (the genesis snapshot has seq 0)."""
        ...

    def read_snapshot(self, seq: int) -> Snapshot | None:
        """The snapshot at `seq`, if there is one."""
        ...

    def rejections(self) -> list[Rejection]:
        """Recorded rejections, oldest first."""
        ...

    def write(self) -> AbstractContextManager[WriteTxn]:
        """An exclusive write transaction."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


class _MemoryTxn:
    def __init__(self, store: MemoryJournalStore) -> None:
        self._store = store
        self.entries: list[JournalEntry] = []
        self.rejections: list[Rejection] = []
        self.snapshots: list[Snapshot] = []
        self.dropped_snapshots: list[int] = []

    def entries_after(self, seq: int) -> list[JournalEntry]:
        return self._store.committed[seq:]

    def find_by_keys(self, idempotency_keys: Sequence[str]) -> dict[str, JournalEntry]:
        found = (self._store.find_by_key(k) for k in idempotency_keys)
        return {e.idempotency_key: e for e in found if e is not None and e.idempotency_key}

    def append(self, entries: Sequence[JournalEntry]) -> None:
        self.entries.extend(entries)

    def add_rejection(self, rejection: Rejection) -> None:
        self.rejections.append(rejection)

    def save_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshots.append(snapshot)

    def delete_snapshots(self, seqs: Sequence[int]) -> None:
        self.dropped_snapshots.extend(seqs)

    def snapshot_seqs(self) -> list[int]:
        return self._store.snapshot_seqs()


class MemoryJournalStore:
    """A journal in lists and dicts: same rules, no durability. One process only."""

    def __init__(self) -> None:
        self.meta: dict[str, str] | None = None
        self.committed: list[JournalEntry] = []
        self._by_key: dict[str, JournalEntry] = {}
        self._snapshots: dict[int, Snapshot] = {}
        self._rejections: list[Rejection] = []

    def read_meta(self) -> dict[str, str] | None:
        return None if self.meta is None else dict(self.meta)

    def initialize(self, meta: dict[str, str], genesis: Snapshot) -> None:
        if self.meta is not None:
            raise ProtocolError(
                ErrorCode.JOURNAL_EXISTS, state_machine=self.meta.get("state_machine")
            )
        self.meta = dict(meta)
        self._snapshots[genesis.seq] = genesis

    def iter_entries(self, after_seq: int) -> Iterator[JournalEntry]:
        # entry n sits at index n-1, so entries after `after_seq` start at that index
        yield from self.committed[after_seq:]

    def find_by_key(self, idempotency_key: str) -> JournalEntry | None:
        return self._by_key.get(idempotency_key)

    def snapshot_seqs(self) -> list[int]:
        return sorted(self._snapshots)

    def read_snapshot(self, seq: int) -> Snapshot | None:
        return self._snapshots.get(seq)

    def rejections(self) -> list[Rejection]:
        return list(self._rejections)

    @contextmanager
    def write(self) -> Iterator[_MemoryTxn]:
        txn = _MemoryTxn(self)
        yield txn
        # Commit only if the block ended without an exception, like a database would.
        for entry in txn.entries:
            self.committed.append(entry)
            if entry.idempotency_key is not None:
                self._by_key[entry.idempotency_key] = entry
        self._rejections.extend(txn.rejections)
        for snapshot in txn.snapshots:
            self._snapshots[snapshot.seq] = snapshot
        for seq in txn.dropped_snapshots:
            self._snapshots.pop(seq, None)

    def close(self) -> None:
        """Nothing to release."""
