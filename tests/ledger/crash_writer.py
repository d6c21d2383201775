"""A journal writer for the crash test: it writes until it is killed (SIGKILL).

    python tests/ledger/crash_writer.py JOURNAL.db SEED START RUN [--pause-in-batch]

It opens (or creates) a `Ledger` over the SQLite journal with the test `Bank` and submits the
command stream of SEED from index START (`auto`: the index after the last one in the journal;
`0`: from the beginning, so every journaled command comes back as a duplicate). Command `i` is
the same in every run: `command_at(seed, i)` with key `cmd-<i>` at `ts_at(i)`. RUN seeds the
writer's own choices (single submits or batches, resubmitting earlier keys, snapshots), which
change nothing in the journal's content.

One line on stdout, flushed, for each event; an `ACK` is written only after `submit` returned:
    READY <start> <head_seq>            the ledger is open
    ACK <key> <seq> <dup> <entry_hash>  a receipt (dup 1: an earlier submission applied it)
    REJ <key> <code_name>               the machine (or the timestamp rule) refused it
    REUSED <key>                        the same key with another payload was refused
    BATCH <first_index> <count>         a `submit_batch` of these new indices is starting
    INTXN <entries>                     (--pause-in-batch) the batch's entries are written but
                                        not committed; the writer waits here to be killed
    SNAP <seq>                          a snapshot was saved at this seq
Anything unexpected raises, so the process exits before the test kills it.
"""

from __future__ import annotations

import random
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger.entry import JournalEntry
from sparkprime.ledger.ledger import Ledger, Receipt, Submission
from sparkprime.ledger.sql_store import SqlJournalStore
from tests.ledger.machines import Bank, Deposit, Transfer, Withdraw

BASE_TS_S: Final = 1_700_000_000
ACCOUNTS: Final = ("alice", "bob", "carol", "dave")
#: Refusals a writer may see: the machine's own, or an old timestamp on a restart from 0.
EXPECTED_REFUSALS: Final = frozenset(
    {ErrorCode.INSUFFICIENT_BALANCE, ErrorCode.JOURNAL_TIMESTAMP_BEFORE_HEAD}
)
#: An account that only ever appears in payloads reusing a key: it must never get a balance.
INTRUDER: Final = "mallory"


def key_at(index: int) -> str:
    return f"cmd-{index}"


def index_of(key: str) -> int:
    prefix, _, number = key.partition("-")
    if prefix != "cmd" or not number.isdigit():
        raise ValueError(f"not a crash-writer key: {key!r}")
    return int(number)


def ts_at(index: int) -> int:
    return BASE_TS_S + 7 * index


def command_at(seed: int, index: int) -> object:
    """Command `index` of the stream of `seed`: the same in every process and every run."""
    rng = random.Random(f"crash-stream:{seed}:{index}")
    roll = rng.random()
    if roll < 0.45:
        return Deposit(account=rng.choice(ACCOUNTS), amount=rng.randint(1, 1_000))
    if roll < 0.75:
        # Up to half again the largest deposit: a good share of these are refused.
        return Withdraw(account=rng.choice(ACCOUNTS), amount=rng.randint(1, 1_500))
    source, target = rng.sample(ACCOUNTS, 2)
    return Transfer(source=source, target=target, amount=rng.randint(1, 1_200))


def submission_at(seed: int, index: int) -> Submission:
    return Submission(
        command=command_at(seed, index), idempotency_key=key_at(index), ts_s=ts_at(index)
    )


def _emit(*fields: object) -> None:
    # One write per line, then flush: a line the test reads is a line that was finished.
    sys.stdout.write(" ".join(str(f) for f in fields) + "\n")
    sys.stdout.flush()


class _PausingTxn:
    """A write transaction that stops for good once a batch's entries are written."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def append(self, entries: Sequence[JournalEntry]) -> None:
        self._inner.append(entries)
        if entries:
            _emit("INTXN", len(entries))
            while True:  # inside the open transaction, until SIGKILL
                signal.pause()


class _PausingStore(SqlJournalStore):
    """A SQLite store whose write transactions pause (see `_PausingTxn`) while armed."""

    armed = False

    @contextmanager
    def write(self) -> Iterator[Any]:
        with super().write() as txn:
            yield _PausingTxn(txn) if self.armed else txn


def _report(submission: Submission, outcome: Receipt | ProtocolError) -> bool:
    """Write the outcome's line; True if the key is now in the journal."""
    key = submission.idempotency_key
    if isinstance(outcome, Receipt):
        _emit("ACK", key, outcome.seq, int(outcome.duplicate), outcome.entry_hash)
        return True
    if outcome.code not in EXPECTED_REFUSALS:
        raise outcome
    _emit("REJ", key, outcome.code.name)
    return False


def _resume_index(ledger: Ledger[Bank]) -> int:
    last = -1
    for entry in ledger.entries():
        if entry.idempotency_key is not None:
            last = max(last, index_of(entry.idempotency_key))
    return last + 1


def main(argv: Sequence[str]) -> None:
    path, seed_text, start_text, run_text, *flags = argv
    seed, run = int(seed_text), int(run_text)
    pause_in_batch = flags == ["--pause-in-batch"]
    if flags and not pause_in_batch:
        raise SystemExit(f"unknown flags {flags}")
    store = _PausingStore(f"sqlite:///{path}")
    ledger = Ledger.open_or_create(store, Bank, Bank(start_ts_s=BASE_TS_S))
    index = _resume_index(ledger) if start_text == "auto" else int(start_text)
    _emit("READY", index, ledger.head_seq)
    rng = random.Random(f"crash-writer:{seed}:{run}")
    journaled: list[int] = []  # indices this run saw in the journal: fair game to resubmit
    while True:
        roll = rng.random()
        if roll < 0.12 and journaled:
            earlier = rng.choice(journaled)
            receipt = ledger.submit(
                command_at(seed, earlier), idempotency_key=key_at(earlier), ts_s=ts_at(earlier)
            )
            if not receipt.duplicate:
                raise AssertionError(f"resubmitted {key_at(earlier)} applied again: {receipt}")
            _emit("ACK", key_at(earlier), receipt.seq, 1, receipt.entry_hash)
        elif roll < 0.15 and journaled:
            earlier = rng.choice(journaled)
            try:
                ledger.submit(
                    Deposit(account=INTRUDER, amount=1 + earlier), idempotency_key=key_at(earlier)
                )
            except ProtocolError as error:
                if error.code is not ErrorCode.IDEMPOTENCY_KEY_REUSED:
                    raise
                _emit("REUSED", key_at(earlier))
            else:
                raise AssertionError(f"{key_at(earlier)} with another payload was accepted")
        elif roll < 0.35 or pause_in_batch:
            count = rng.randint(2, 12)
            batch = [submission_at(seed, index + n) for n in range(count)]
            if journaled and rng.random() < 0.3:  # a resubmission in the middle of a batch
                earlier = rng.choice(journaled)
                batch.insert(rng.randrange(len(batch) + 1), submission_at(seed, earlier))
            _emit("BATCH", index, count)
            store.armed = pause_in_batch
            outcomes = ledger.submit_batch(batch)
            for item, item_outcome in zip(batch, outcomes, strict=True):
                if _report(item, item_outcome) and item.idempotency_key is not None:
                    journaled.append(index_of(item.idempotency_key))
            index += count
        elif roll < 0.37:
            _emit("SNAP", ledger.snapshot().seq)
        else:
            submission = submission_at(seed, index)
            try:
                outcome: Receipt | ProtocolError = ledger.submit(
                    submission.command, idempotency_key=key_at(index), ts_s=ts_at(index)
                )
            except ProtocolError as error:
                outcome = error
            if _report(submission, outcome):
                journaled.append(index)
            index += 1


if __name__ == "__main__":
    main(sys.argv[1:])
