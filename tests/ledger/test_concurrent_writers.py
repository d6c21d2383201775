"""Several processes append to one journal, each through its own `Ledger`.

Each writer catches up on the others' entries inside its write transaction (SQLite:
`BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), so the journal stays one chain. The writers
first take turns (so every one of them must catch up before it writes), then race. Every
writer also submits the same shared keys with the same payloads: each applies once.

Afterwards: seqs run 1..n, each key is there once, the chain verifies, every receipt matches
its entry, every refusal is logged once, each writer's final state is the fold of the journal
up to its head, and a fresh open gives the fold of all entries.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import traceback
from collections import Counter
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger.command import CommandCodec, canonical_json
from sparkprime.ledger.entry import GENESIS_HASH
from sparkprime.ledger.ledger import Ledger
from sparkprime.ledger.sql_store import SqlJournalStore
from tests.ledger.machines import Bank, Deposit, Transfer, Withdraw

WRITERS: Final = 3
TURNS: Final = 6  # rounds in which the writers strictly alternate
RACE_COMMANDS: Final = 60  # commands per writer in the free-for-all
SHARED_KEYS: Final = 8
START_TS_S: Final = 1_700_000_000
WAIT_S: Final = 120.0  # a safety net for a stuck writer, not a synchronisation


def _shared(number: int) -> tuple[str, Deposit]:
    return f"shared-{number}", Deposit(account="pool", amount=number + 1)


def _own(writer: int, number: int) -> tuple[str, object]:
    """Writer-specific commands; withdrawals from the pool may be refused, by interleaving."""
    key = f"w{writer}-{number}"
    me = f"acct{writer}"
    match number % 4:
        case 0:
            return key, Deposit(account=me, amount=10 + number)
        case 1:
            return key, Transfer(source=me, target=f"acct{(writer + 1) % WRITERS}", amount=3)
        case 2:
            return key, Withdraw(account="pool", amount=2 + writer)
        case _:
            return key, Withdraw(account=me, amount=1)


def _writer_main(url: str, writer: int, turns: list[Any], results: Any, start: Any) -> None:
    """One writer process: take turns, then race; report every outcome."""
    try:
        ledger = Ledger.open(SqlJournalStore(url), Bank)
        outcomes: list[tuple[str, str, Any]] = []

        def submit(key: str, command: object) -> None:
            try:
                receipt = ledger.submit(command, idempotency_key=key)
            except ProtocolError as error:
                outcomes.append((key, "refused", error.code.name))
            else:
                outcomes.append(
                    (
                        key,
                        "receipt",
                        [receipt.seq, receipt.duplicate, receipt.entry_hash, receipt.result],
                    )
                )

        number = 0
        for turn in range(TURNS):
            if not turns[writer].acquire(timeout=WAIT_S):
                raise TimeoutError(f"writer {writer} waited too long for turn {turn}")
            submit(*_own(writer, number))
            number += 1
            if turn == 0:  # all writers, in turn: the first applies it, the rest see it
                submit(*_shared(SHARED_KEYS))
            turns[(writer + 1) % WRITERS].release()
        start.wait(timeout=WAIT_S)
        every = RACE_COMMANDS // SHARED_KEYS
        for step in range(RACE_COMMANDS):
            if step % every == 0 and step // every < SHARED_KEYS:
                submit(*_shared(step // every))
            submit(*_own(writer, number))
            number += 1
        results.put((writer, outcomes, ledger.head_seq, ledger.state_hash(), None))
        ledger.close()
    except BaseException:
        results.put((writer, [], 0, "", traceback.format_exc()))
        raise


def _fold(entries: list[Any]) -> list[str]:
    """State hash after each entry, folding the journal in a fresh Bank (no ledger)."""
    codec = CommandCodec(Bank.COMMAND_TYPES)
    bank = Bank(start_ts_s=START_TS_S)
    hashes = [bank.state_hash()]
    for entry in entries:
        bank.clock.warp(entry.ts_s)
        result = bank.apply(codec.decode(entry.kind, entry.payload_json))
        assert canonical_json(result) == entry.result_json, f"seq {entry.seq} result differs"
        hashes.append(bank.state_hash())
    return hashes


def _run_writers(url: str) -> dict[int, tuple[list[tuple[str, str, Any]], int, str]]:
    ctx = multiprocessing.get_context("spawn")
    turns = [ctx.Semaphore(1 if w == 0 else 0) for w in range(WRITERS)]
    start = ctx.Barrier(WRITERS)
    results = ctx.Queue()
    processes = [
        ctx.Process(target=_writer_main, args=(url, w, turns, results, start))
        for w in range(WRITERS)
    ]
    for process in processes:
        process.start()
    reports: dict[int, tuple[list[tuple[str, str, Any]], int, str]] = {}
    errors = []
    try:
        for _ in range(WRITERS):
            writer, outcomes, head_seq, state_hash, error = results.get(timeout=WAIT_S)
            if error is not None:
                errors.append(f"writer {writer}:\n{error}")
            reports[writer] = (outcomes, head_seq, state_hash)
    finally:
        for process in processes:
            process.join(timeout=WAIT_S)
            if process.is_alive():
                process.kill()
                process.join()
        results.close()
        results.join_thread()
    assert not errors, "\n".join(errors)
    assert [p.exitcode for p in processes] == [0] * WRITERS
    return reports


def test_concurrent_writers_share_one_chain(url: str) -> None:
    Ledger.create(SqlJournalStore(url), Bank(start_ts_s=START_TS_S)).close()
    reports = _run_writers(url)

    ledger = Ledger.open(SqlJournalStore(url), Bank)  # verifies the chain and replays it
    full = Ledger.open(SqlJournalStore(url), Bank, use_snapshots=False)
    entries = list(ledger.entries())
    rejections = ledger.rejections()
    states = (ledger.state_hash(), full.state_hash())
    head = (ledger.head_seq, full.head_seq)
    ledger.close()
    full.close()

    # One chain: seqs 1..n, each linked to the one before, each key once.
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(e.computed_hash() == e.entry_hash for e in entries)
    genesis = canonical_json(Bank(start_ts_s=START_TS_S).snapshot())
    root_text = f"{Bank.NAME}\x1f{hashlib.sha256(genesis.encode()).hexdigest()}\x1f{GENESIS_HASH}"
    assert entries[0].prev_hash == hashlib.sha256(root_text.encode()).hexdigest()
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    keys = [e.idempotency_key for e in entries]
    assert None not in keys
    assert len(set(keys)) == len(keys), [k for k, n in Counter(keys).items() if n > 1]
    by_key = {e.idempotency_key: e for e in entries}

    # A fresh open is the fold of all entries; each writer's last state is the fold up to
    # its own head (it caught up on everything before it).
    folded = _fold(entries)
    assert states == (folded[-1], folded[-1])
    assert head == (len(entries), len(entries))
    for writer, (_outcomes, head_seq, state_hash) in reports.items():
        assert state_hash == folded[head_seq], f"writer {writer} diverged at seq {head_seq}"

    # Every receipt is its entry; every refusal is logged once and never journaled.
    refused = []
    applied_shared: Counter[str] = Counter()
    for writer, (outcomes, _head_seq, _state_hash) in reports.items():
        expected_keys = {_own(writer, n)[0] for n in range(TURNS + RACE_COMMANDS)}
        assert {k for k, _, _ in outcomes if k.startswith("w")} == expected_keys
        for key, what, detail in outcomes:
            if what == "refused":
                assert detail == ErrorCode.INSUFFICIENT_BALANCE.name, (key, detail)
                assert key not in by_key, f"refused {key} is in the journal"
                refused.append(key)
                continue
            seq, duplicate, entry_hash, result = detail
            entry = by_key[key]
            assert (entry.seq, entry.entry_hash) == (seq, entry_hash), key
            assert json.loads(entry.result_json) == result, key
            if key.startswith("shared-"):
                applied_shared[key] += not duplicate
            else:
                assert not duplicate, f"{key} of writer {writer} came back as a duplicate"
    assert sorted(r.idempotency_key or "" for r in rejections) == sorted(refused)

    # Every shared key: submitted by every writer, applied exactly once.
    shared_keys = {_shared(n)[0] for n in range(SHARED_KEYS + 1)}
    assert applied_shared == dict.fromkeys(shared_keys, 1)
    for key in shared_keys:
        assert json.loads(by_key[key].payload_json) == {
            "account": "pool",
            "amount": int(key.split("-")[1]) + 1,
        }
    turn_key = _shared(SHARED_KEYS)[0]
    first_turn = reports[0][0][:2]
    assert [(k, d[1]) for k, _, d in first_turn] == [("w0-0", False), (turn_key, False)]

    for writer, (outcomes, _head_seq, _state_hash) in reports.items():
        submitted = Counter(k for k, _, _ in outcomes if k.startswith("shared-"))
        assert submitted == dict.fromkeys(shared_keys, 1), f"writer {writer}: {submitted}"

    # The turns really alternated, so each writer had to catch up before it wrote.
    turn_keys = [f"w{w}-{t}" for t in range(TURNS) for w in range(WRITERS)]
    turn_seqs = [by_key[k].seq for k in turn_keys if k in by_key]
    assert len(turn_seqs) > TURNS, "too few turns were journaled to show alternation"
    assert turn_seqs == sorted(turn_seqs), turn_seqs
    assert (
        len(entries)
        == len(by_key)
        == len({k for r in reports.values() for k, what, _ in r[0] if what == "receipt"})
    )


def _creator_main(url: str, writer: int, start: Any, results: Any) -> None:
    try:
        start.wait(WAIT_S)  # all creators leave the barrier together
        ledger = Ledger.open_or_create(SqlJournalStore(url), Bank, Bank(start_ts_s=START_TS_S))
        receipt = ledger.submit(
            Deposit(account=f"c{writer}", amount=1), idempotency_key=f"c{writer}"
        )
        ledger.close()
        results.put((writer, receipt.seq, None))
    except BaseException:
        results.put((writer, None, traceback.format_exc()))


def test_processes_racing_to_create_one_journal_all_succeed(url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(WRITERS + 1), ctx.Queue()
    processes = [
        ctx.Process(target=_creator_main, args=(url, w, start, results)) for w in range(WRITERS + 1)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=WAIT_S) for _ in processes]
    for process in processes:
        process.join(WAIT_S)
    errors = [error for _, _, error in outcomes if error is not None]
    assert not errors, "\n".join(errors)
    assert sorted(seq for _, seq, _ in outcomes) == list(range(1, WRITERS + 2))
    ledger = Ledger.open(SqlJournalStore(url), Bank)
    balances, now_s = ledger.machine.balances, ledger.machine.clock.now
    ledger.close()
    assert balances == {f"c{w}": 1 for w in range(WRITERS + 1)}
    assert now_s == START_TS_S
