"""The command journal: append, replay, snapshots; SQLite by default, PostgreSQL.

Every change of state is a frozen command (`@command`) applied by a deterministic
`StateMachine` through a `Ledger`, which writes it to a hash-chained journal before it is
acknowledged. `SqlJournalStore` keeps the journal in SQLite or PostgreSQL,
`MemoryJournalStore` in memory for simulations.
"""

from sparkprime.ledger.command import (
    CommandCodec,
    Int256,
    Uint128,
    Uint256,
    canonical_json,
    command,
    record,
)
from sparkprime.ledger.entry import JournalEntry, Rejection
from sparkprime.ledger.ledger import BATCH_SIZE_MAX, SCHEMA_VERSION, Ledger, Receipt, Submission
from sparkprime.ledger.machine import StateMachine
from sparkprime.ledger.sql_store import SqlJournalStore
from sparkprime.ledger.store import JournalStore, MemoryJournalStore, Snapshot

__all__ = [
    "BATCH_SIZE_MAX",
    "SCHEMA_VERSION",
    "CommandCodec",
    "Int256",
    "JournalEntry",
    "JournalStore",
    "Ledger",
    "MemoryJournalStore",
    "Receipt",
    "Rejection",
    "Snapshot",
    "SqlJournalStore",
    "StateMachine",
    "Submission",
    "Uint128",
    "Uint256",
    "canonical_json",
    "command",
    "record",
]
