"""Journal entries and the hash chain that links them.

Each entry's hash covers its sequence number, timestamp, idempotency key, kind, payload,
result and the previous entry's hash, so editing, dropping or reordering any entry breaks
every hash after it. The first entry links to `GENESIS_HASH`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Final

__all__ = ["GENESIS_HASH", "JournalEntry", "Rejection", "entry_hash"]

GENESIS_HASH: Final = "0" * 64
_SEP: Final = "\x1f"  # ASCII unit separator: cannot occur in canonical JSON or a key


def entry_hash(
    *,
    seq: int,
    ts_s: int,
    idempotency_key: str | None,
    kind: str,
    payload_json: str,
    result_json: str,
    prev_hash: str,
) -> str:
    """SHA-256 hex of an entry's fields and its predecessor's hash."""
    key = "" if idempotency_key is None else "k" + idempotency_key
    text = _SEP.join((str(seq), str(ts_s), key, kind, payload_json, result_json, prev_hash))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class JournalEntry:
    """One accepted command, as written."""

    seq: int
    ts_s: int
    idempotency_key: str | None
    kind: str
    payload_json: str
    result_json: str
    prev_hash: str
    entry_hash: str

    def computed_hash(self) -> str:
        """The hash these fields should have."""
        return entry_hash(
            seq=self.seq,
            ts_s=self.ts_s,
            idempotency_key=self.idempotency_key,
            kind=self.kind,
            payload_json=self.payload_json,
            result_json=self.result_json,
            prev_hash=self.prev_hash,
        )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """A well-formed command the state machine refused: kept for audit, never replayed."""

    ts_s: int
    idempotency_key: str | None
    kind: str
    payload_json: str
    code: int
    code_name: str
    message: str
