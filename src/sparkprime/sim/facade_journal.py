"""The journal facade: open a SQLite journal, verify its chain, replay it, compare states.

`check_journal(path)` reads which state machine wrote the journal (its meta table:
`prime.book/1` or `sparklend.market/1`), opens it with `ledger.Ledger.open` (which checks the
schema, the genesis and every entry's hash link, restores the latest snapshot and re-applies
the entries after it, each result compared with the journaled one), then, with `replay=True`,
replays the whole journal from the genesis without snapshots and compares the two state
hashes. A broken chain or a diverging replay raises (`JOURNAL_CORRUPT`, `SNAPSHOT_CORRUPT`,
`InvariantViolation`); nothing is written.

Example:
    >>> import pathlib, tempfile
    >>> missing = pathlib.Path(tempfile.mkdtemp()) / "none.db"
    >>> try:
    ...     check_journal(missing)
    ... except ProtocolError as e:
    ...     print(e.code.name)
    CLI_FILE_NOT_FOUND
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger import Ledger, SqlJournalStore, StateMachine
from sparkprime.prime.engine import PrimeBook
from sparkprime.protocols.sparklend.market import SparkLendMarket

__all__ = ["MACHINES", "JournalCheck", "check_journal"]

MACHINES: Final[dict[str, type[StateMachine]]] = {
    PrimeBook.NAME: PrimeBook,
    SparkLendMarket.NAME: SparkLendMarket,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalCheck:
    """What a verified journal holds; `replay_matches` None when no full replay was asked."""

    file: str
    state_machine: str
    head_seq: int
    head_hash: str
    state_hash: str
    replayed_state_hash: str | None
    replay_matches: bool | None

    def to_json_value(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "file": self.file,
            "state_machine": self.state_machine,
            "chain_verified": True,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "state_hash": self.state_hash,
            "replayed_state_hash": self.replayed_state_hash,
            "replay_matches": self.replay_matches,
        }


def check_journal(path: str | os.PathLike[str], *, replay: bool = False) -> JournalCheck:
    """Verify the journal at `path`; with `replay`, also replay it from the genesis."""
    file = str(path)
    if not Path(path).is_file():
        raise ProtocolError(ErrorCode.CLI_FILE_NOT_FOUND, file=file)
    store = SqlJournalStore.sqlite(file)
    try:
        meta = store.read_meta()
        if meta is None:
            raise ProtocolError(ErrorCode.JOURNAL_CORRUPT, last_good_seq=0, reason="no journal")
        name = meta.get("state_machine", "")
        machine = MACHINES.get(name)
        if machine is None:
            raise ProtocolError(
                ErrorCode.JOURNAL_UNKNOWN_MACHINE, file=file, found=name,
                known=", ".join(MACHINES),
            )  # fmt: skip
        ledger = Ledger.open(store, machine)
        replayed = None
        if replay:
            full = Ledger.open(store, machine, use_snapshots=False)
            same_head = (full.head_seq, full.head_hash) == (ledger.head_seq, ledger.head_hash)
            replayed = full.state_hash() if same_head else f"head {full.head_seq}"
        state = ledger.state_hash()
        return JournalCheck(
            file=file,
            state_machine=name,
            head_seq=ledger.head_seq,
            head_hash=ledger.head_hash,
            state_hash=state,
            replayed_state_hash=replayed,
            replay_matches=None if replayed is None else replayed == state,
        )
    finally:
        store.close()
