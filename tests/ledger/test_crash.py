"""Crash test: SIGKILL a journal writer at random points, many times, and audit the journal.

Each run starts `crash_writer.py` on the same SQLite journal, kills it (after a random delay,
right after its first acknowledgement, while it starts up, or inside an uncommitted
`submit_batch`), then reopens the journal here and checks:

- every acknowledged command is in the journal exactly once, at the seq its receipt gave;
- the hash chain verifies (`Ledger.open` succeeds, and every hash and link recomputed here);
- the journal is a prefix of the seed's command stream folded in a fresh `Bank`, so nothing
  ran twice, nothing was skipped and no refused command entered the chain;
- the state from the latest snapshot, from a full replay and from that fold are the same;
- refusals the writer reported are in the rejection log; a key reused with another payload
  changed nothing; what earlier runs found in the journal is still there, unchanged.

Runs alternate between resuming after the last journaled index and restarting from index 0
(every journaled command then comes back as a duplicate). SPARKPRIME_FUZZ=N checks N
journals of RUNS_PER_JOURNAL runs each; SPARKPRIME_CRASH_SEED picks other streams.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import IO, Final

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger.command import CommandCodec, canonical_json
from sparkprime.ledger.entry import GENESIS_HASH, JournalEntry
from sparkprime.ledger.ledger import SNAPSHOTS_KEPT, Ledger
from sparkprime.ledger.sql_store import SqlJournalStore
from tests.ledger.crash_writer import (
    BASE_TS_S,
    INTRUDER,
    command_at,
    index_of,
    key_at,
    ts_at,
)
from tests.ledger.machines import Bank

WRITER: Final = Path(__file__).with_name("crash_writer.py")
REPO_ROOT: Final = Path(__file__).resolve().parents[2]
FUZZ: Final = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
SEED: Final = int(os.environ.get("SPARKPRIME_CRASH_SEED", "1729"))
RUNS_PER_JOURNAL: Final = 25
PAUSED_BATCH_RUNS: Final = frozenset({3, 14})  # runs killed inside an uncommitted batch
LINE_TIMEOUT_S: Final = 60.0  # a safety net for a hung writer, not a synchronisation


# ---- the expected journal: the seed's stream folded in a fresh Bank ------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Expected:
    key: str
    kind: str
    payload_json: str
    ts_s: int
    result_json: str
    state_hash: str  # of the Bank after this command


class _ExpectedStream:
    """The accepted commands of a seed's stream, in order, computed without the ledger."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._codec = CommandCodec(Bank.COMMAND_TYPES)
        self._bank = Bank(start_ts_s=BASE_TS_S)
        self.genesis_state_hash = self._bank.state_hash()
        self.accepted: list[_Expected] = []
        self.refused: set[int] = set()
        self._next_index = 0

    def _step(self) -> None:
        index = self._next_index
        self._next_index += 1
        command = command_at(self._seed, index)
        curr_ts_s = self._bank.clock.now
        self._bank.clock.warp(ts_at(index))
        try:
            result = self._bank.apply(command)
        except ProtocolError as error:
            if error.code is not ErrorCode.INSUFFICIENT_BALANCE:
                raise
            self._bank.clock.rewind_to(curr_ts_s)  # a refusal changes nothing, time included
            self.refused.add(index)
            return
        kind, payload_json = self._codec.encode(command)
        self.accepted.append(
            _Expected(
                key=key_at(index),
                kind=kind,
                payload_json=payload_json,
                ts_s=ts_at(index),
                result_json=canonical_json(result),
                state_hash=self._bank.state_hash(),
            )
        )

    def prefix(self, length: int) -> list[_Expected]:
        while len(self.accepted) < length:
            self._step()
        return self.accepted[:length]

    def covering(self, index: int) -> _ExpectedStream:
        while self._next_index <= index:
            self._step()
        return self

    def state_hash_after(self, length: int) -> str:
        return self.prefix(length)[-1].state_hash if length else self.genesis_state_hash


def _chain_root() -> str:
    """The genesis link, computed here from the Bank's initial state (not by the ledger)."""
    state_json = canonical_json(Bank(start_ts_s=BASE_TS_S).snapshot())
    state_sha256 = hashlib.sha256(state_json.encode()).hexdigest()
    text = f"{Bank.NAME}\x1f{state_sha256}\x1f{GENESIS_HASH}"
    return hashlib.sha256(text.encode()).hexdigest()


def _recomputed_hash(entry: JournalEntry) -> str:
    """An entry's hash from its fields, as entry.py documents it (an independent copy)."""
    key = "" if entry.idempotency_key is None else "k" + entry.idempotency_key
    fields = (
        str(entry.seq),
        str(entry.ts_s),
        key,
        entry.kind,
        entry.payload_json,
        entry.result_json,
        entry.prev_hash,
    )
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


# ---- one writer process -------------------------------------------------------------------


class _WriterDiedError(Exception):
    pass


class _Writer:
    """crash_writer.py in a subprocess, its stdout lines collected as they come."""

    def __init__(self, args: list[str], stderr_path: Path) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        self._stderr_path = stderr_path
        self._stderr: IO[str] = stderr_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), *args],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=env,
            cwd=REPO_ROOT,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._pump = threading.Thread(target=self._read, daemon=True)
        self._pump.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def _take(self, line: str | None) -> None:
        # A line without its newline was cut by the kill: it was never acknowledged.
        if line is not None and line.endswith("\n"):
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, prefix: str) -> str:
        """Collect lines until one starts with `prefix`; fail if the writer stops first."""
        while True:
            try:
                line = self._queue.get(timeout=LINE_TIMEOUT_S)
            except queue.Empty:
                raise _WriterDiedError(f"no {prefix} line in {LINE_TIMEOUT_S} s") from None
            if line is None:
                raise _WriterDiedError(f"the writer ended before a {prefix} line")
            self._take(line)
            if line.startswith(prefix + " "):
                return line

    def kill(self) -> bool:
        """SIGKILL the writer and collect every line; True if it was still running."""
        alive = self.proc.poll() is None
        if alive:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=LINE_TIMEOUT_S)
        self._pump.join(timeout=LINE_TIMEOUT_S)
        while True:
            try:
                self._take(self._queue.get_nowait())
            except queue.Empty:
                break
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self._stderr.close()
        return alive and self.proc.returncode == -signal.SIGKILL

    def stderr(self) -> str:
        return self._stderr_path.read_text(errors="replace")[-4000:]


# ---- what the writer said -----------------------------------------------------------------


@dataclasses.dataclass
class _Said:
    ready_head_seq: int | None = None
    acks: list[tuple[str, int, bool, str]] = dataclasses.field(default_factory=list)
    refused: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    reused: list[str] = dataclasses.field(default_factory=list)
    batches: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    in_txn: bool = False
    snapshots: list[int] = dataclasses.field(default_factory=list)

    @classmethod
    def parse(cls, lines: list[str]) -> _Said:
        said = cls()
        for line in lines:
            tag, *fields = line.split()
            if tag == "READY":
                said.ready_head_seq = int(fields[1])
            elif tag == "ACK":
                key, seq, dup, entry_hash = fields
                said.acks.append((key, int(seq), dup == "1", entry_hash))
            elif tag == "REJ":
                said.refused.append((fields[0], fields[1]))
            elif tag == "REUSED":
                said.reused.append(fields[0])
            elif tag == "BATCH":
                said.batches.append((int(fields[0]), int(fields[1])))
            elif tag == "INTXN":
                said.in_txn = True
            elif tag == "SNAP":
                said.snapshots.append(int(fields[0]))
            else:
                raise AssertionError(f"unknown writer line {line!r}")
        return said


# ---- the audit after each kill ------------------------------------------------------------


def _audit(
    path: Path, stream: _ExpectedStream, said: _Said, before: list[JournalEntry]
) -> list[JournalEntry]:
    """Check the journal after a kill; return its entries for the next run's check."""
    ledger = Ledger.open(SqlJournalStore.sqlite(str(path)), Bank)  # verifies the whole chain
    full = Ledger.open(SqlJournalStore.sqlite(str(path)), Bank, use_snapshots=False)
    reader = SqlJournalStore.sqlite(str(path))
    try:
        entries = list(ledger.entries())
        snapshot_seqs = reader.snapshot_seqs()
        rejections = {(r.idempotency_key, r.code_name) for r in ledger.rejections()}
        rejected_payloads = [r.payload_json for r in ledger.rejections()]
        balances = dict(ledger.machine.balances)
        snapshot_state, full_state = ledger.state_hash(), full.state_hash()
        heads = (ledger.head_seq, ledger.head_hash, full.head_seq, full.head_hash)
    finally:
        ledger.close()
        full.close()
        reader.close()

    # The chain, link by link, recomputed here.
    prev_hash = _chain_root()
    for number, entry in enumerate(entries, start=1):
        assert entry.seq == number, f"seq {entry.seq} where {number} belongs"
        assert entry.prev_hash == prev_hash, f"seq {entry.seq} does not link"
        assert _recomputed_hash(entry) == entry.entry_hash, f"seq {entry.seq} hash is wrong"
        prev_hash = entry.entry_hash
    assert heads == (len(entries), prev_hash, len(entries), prev_hash)

    # Nothing acknowledged earlier was lost or changed.
    assert entries[: len(before)] == before, "entries seen after an earlier kill changed"
    if said.ready_head_seq is not None:
        assert said.ready_head_seq == len(before), "the writer opened another journal"

    # Exactly the seed's accepted commands, in order, each once.
    keys = [e.idempotency_key for e in entries]
    assert None not in keys
    assert len(set(keys)) == len(keys), "a key is in the journal twice"
    expected = stream.prefix(len(entries))
    for entry, want in zip(entries, expected, strict=True):
        got = (entry.idempotency_key, entry.kind, entry.payload_json, entry.ts_s)
        assert got == (want.key, want.kind, want.payload_json, want.ts_s), f"seq {entry.seq}"
        assert entry.result_json == want.result_json, f"seq {entry.seq} result differs"

    # The same state from the latest snapshot, from genesis, and from the independent fold.
    assert snapshot_state == full_state == stream.state_hash_after(len(entries))
    assert INTRUDER not in balances, "a reused key with another payload was applied"
    assert not any(INTRUDER in p for p in rejected_payloads), "a reused key was logged"
    assert snapshot_seqs[0] == 0, "the genesis snapshot is missing"
    assert len(snapshot_seqs) <= 1 + SNAPSHOTS_KEPT, "old snapshots were not pruned"

    # Every acknowledgement is durable, where its receipt said.
    by_key = {e.idempotency_key: e for e in entries}
    for key, seq, _dup, entry_hash in said.acks:
        assert key in by_key, f"acknowledged {key} is not in the journal"
        assert (by_key[key].seq, by_key[key].entry_hash) == (seq, entry_hash), key
    for key, code_name in said.refused:
        assert key not in by_key, f"refused {key} is in the journal"
        assert index_of(key) in stream.covering(index_of(key)).refused, f"{key} was accepted"
        assert (key, code_name) in rejections, f"refusal of {key} is not in the rejection log"
    for key in said.reused:
        assert key in by_key, f"{key} was reused but is not in the journal"
    if said.snapshots:  # the newest one acknowledged is kept (older ones may be pruned)
        assert max(said.snapshots) in snapshot_seqs, f"snapshot at {max(said.snapshots)} is missing"

    if said.in_txn:
        # Killed inside a batch's transaction: none of it may have been committed.
        first, count = said.batches[-1]
        assert not {key_at(first + n) for n in range(count)} & set(by_key), "half a batch"
        acked = [seq for _key, seq, _dup, _hash in said.acks]
        assert len(entries) == max([said.ready_head_seq or 0, *acked]), "uncommitted entries"
    return entries


# ---- the test -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Plan:
    start: str  # "auto" or "0"
    kill: str  # "delay", "first-ack", "startup" or "in-batch"
    delay_s: float


def _plans(seed: int) -> list[_Plan]:
    """Run 0 creates the journal; every fourth run restarts from index 0 (and is not killed
    before it opens the ledger, so duplicates are certain); the rest resume."""
    rng = random.Random(f"crash-plan:{seed}")
    plans = []
    for run in range(RUNS_PER_JOURNAL):
        delay_s, roll = rng.uniform(0.05, 0.6), rng.random()
        if run in PAUSED_BATCH_RUNS:
            plans.append(_Plan("auto", "in-batch", 0.0))
        elif run == 0:
            plans.append(_Plan("auto", "first-ack", 0.0))
        elif run % 4 == 2:
            plans.append(_Plan("0", "first-ack" if roll < 0.2 else "delay", delay_s))
        else:
            kill = "first-ack" if roll < 0.15 else "startup" if roll < 0.25 else "delay"
            plans.append(_Plan("auto", kill, delay_s))
    return plans


@pytest.mark.slow
@pytest.mark.parametrize("journal", range(FUZZ))
def test_sigkilled_writers_leave_a_sound_journal(tmp_path: Path, journal: int) -> None:
    seed = SEED + journal
    path = tmp_path / "journal.db"
    stream = _ExpectedStream(seed)
    entries: list[JournalEntry] = []
    totals: Counter[str] = Counter()
    for run, plan in enumerate(_plans(seed)):
        args = [str(path), str(seed), plan.start, str(run)]
        if plan.kill == "in-batch":
            args.append("--pause-in-batch")
        writer = _Writer(args, tmp_path / f"writer-{run}.stderr")
        try:
            try:
                if plan.kill == "first-ack":
                    writer.wait_for("ACK")
                elif plan.kill == "in-batch":
                    writer.wait_for("INTXN")
                elif plan.kill == "delay":
                    writer.wait_for("READY")
                    time.sleep(plan.delay_s)  # the kill point itself, not a synchronisation
                else:  # "startup": somewhere in interpreter start, imports, open or create
                    time.sleep(plan.delay_s)
            finally:
                killed = writer.kill()
            assert killed, "the writer exited before it was killed"
            said = _Said.parse(writer.lines)
            entries = _audit(path, stream, said, entries)
        except BaseException as exc:
            exc.add_note(
                f"crash test: SPARKPRIME_CRASH_SEED={SEED} journal={journal} (seed {seed}) "
                f"run={run} plan={plan} journal file={path}\n"
                f"writer stdout tail: {writer.lines[-5:]}\nwriter stderr: {writer.stderr()}"
            )
            raise
        totals["acks"] += sum(1 for a in said.acks if not a[2])
        totals["duplicate acks"] += sum(1 for a in said.acks if a[2])
        totals["refusals"] += len(said.refused)
        totals["reused keys"] += len(said.reused)
        totals["batches"] += len(said.batches)
        totals["snapshots"] += sum(1 for seq in said.snapshots if seq > 0)
        totals["kills in a batch"] += said.in_txn
        totals["restarts from 0"] += plan.start == "0" and said.ready_head_seq is not None
    # The runs did exercise what they are meant to (else the checks above proved little).
    for what in (
        "acks",
        "duplicate acks",
        "refusals",
        "reused keys",
        "batches",
        "snapshots",
        "restarts from 0",
    ):
        assert totals[what] > 0, f"seed {seed}: no {what} in {RUNS_PER_JOURNAL} runs: {totals}"
    assert totals["kills in a batch"] == len(PAUSED_BATCH_RUNS), totals
    assert len(entries) > RUNS_PER_JOURNAL, f"seed {seed}: only {len(entries)} entries"
